"""Quantities: a compact hand grammar for counts and measures in news English.

A quantity = optional qualifier ("at least", "about") + optional currency +
a number (digits, words, or a vague amount such as "dozens") + optional range,
scale ("million"), unit ("km", "percent") and parenthetical conversion
("5 meters (16 feet)"), followed by the counted thing ("US soldiers").
The qualifier becomes an interval in the canonical unit, so later stages can
ask "can both hold?" instead of comparing strings.
"""

from __future__ import annotations

import math
import re

from .text import STOPWORDS, stem
from .types import Quantity

_ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {
    "hundred": 100,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "bn": 1e9,
    "mn": 1e6,
    "k": 1e3,
    "m": 1e6,
    "dozen": 12,
}

# Vague amounts: (nominal value or None, low, high).  Deliberately generous ranges.
_VAGUE = {
    "half a dozen": (6, 5, 7),
    "a dozen": (12, 10, 14),
    "dozens": (None, 24, 99),
    "a couple of": (2, 2, 3),
    "a couple": (2, 2, 3),
    "several": (None, 3, 9),
    "a few": (None, 2, 6),
    "a handful of": (None, 2, 6),
    "scores": (None, 40, 199),
    "hundreds": (None, 200, 999),
    "thousands": (None, 2_000, 9_999),
    "tens of thousands": (None, 20_000, 99_999),
    "hundreds of thousands": (None, 200_000, 999_999),
    "millions": (None, 2e6, 999e6),
}

_WORDNUM = (
    r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|" + "|".join(sorted(_ONES, key=len, reverse=True)) + r"|a)"
    r"(?:\s+(?:hundred|thousand|million|billion)(?:\s+(?:and\s+)?(?:(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|"
    + "|".join(sorted(_ONES, key=len, reverse=True))
    + r"))?)*"
)
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_VAGUE_RE = "|".join(re.escape(v) for v in sorted(_VAGUE, key=len, reverse=True))
CORE_RE = re.compile(
    rf"(?<![\w.,/:-])(?:(?P<vague>{_VAGUE_RE})\b|(?P<digits>{_DIGITS})|(?P<words>{_WORDNUM})\b)",
    re.IGNORECASE,
)

_QUALIFIERS = {
    "at least": "min",
    "no fewer than": "min",
    "no less than": "min",
    "a minimum of": "min",
    "more than": "gt",
    "over": "gt",
    "upwards of": "gt",
    "in excess of": "gt",
    "just over": "gt",
    "well over": "gt",
    "above": "gt",
    "at most": "max",
    "up to": "max",
    "as many as": "max",
    "as much as": "max",
    "no more than": "max",
    "a maximum of": "max",
    "fewer than": "lt",
    "less than": "lt",
    "under": "lt",
    "just under": "lt",
    "below": "lt",
    "about": "about",
    "around": "about",
    "approximately": "about",
    "roughly": "about",
    "some": "about",
    "an estimated": "about",
    "estimated": "about",
    "close to": "nearly",
    "nearly": "nearly",
    "almost": "nearly",
    "approx.": "about",
    "exactly": "exact",
    "only": "exact",
    "just": "exact",
    "between": "between",
}
_QUAL_RE = re.compile(
    r"\b(" + "|".join(re.escape(q) for q in sorted(_QUALIFIERS, key=len, reverse=True)) + r")\s+$",
    re.IGNORECASE,
)
_CURRENCY_BEFORE_RE = re.compile(r"(US\$|A\$|C\$|\$|€|£|¥|USD|EUR|GBP)\s?$")
_CURRENCY = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "JPY",
    "a$": "AUD",
    "c$": "CAD",
    "dollars": "USD",
    "dollar": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "pounds sterling": "GBP",
    "yuan": "CNY",
    "yen": "JPY",
}

# unit word -> (canonical unit, dimension, factor to canonical)
_UNITS: dict[str, tuple[str, str, float]] = {}


def _add_units(names: str, unit: str, dim: str, factor: float) -> None:
    for n in names.split("|"):
        _UNITS[n] = (unit, dim, factor)


_add_units("m|metre|metres|meter|meters", "m", "length", 1.0)
_add_units("km|kms|kilometre|kilometres|kilometer|kilometers", "m", "length", 1000.0)
_add_units("cm|centimetre|centimetres|centimeter|centimeters", "m", "length", 0.01)
_add_units("mile|miles|mi", "m", "length", 1609.344)
_add_units("foot|feet|ft", "m", "length", 0.3048)
_add_units("yard|yards|yd|yds", "m", "length", 0.9144)
_add_units("inch|inches", "m", "length", 0.0254)
_add_units("kg|kgs|kilogram|kilograms|kilo|kilos", "kg", "mass", 1.0)
_add_units("g|gram|grams", "kg", "mass", 0.001)
_add_units("tonne|tonnes|metric ton|metric tons", "kg", "mass", 1000.0)
_add_units("ton|tons", "kg", "mass", 907.185)
_add_units("lb|lbs|pound|pounds", "kg", "mass", 0.453592)
_add_units("percent|per cent|pc|%|percentage points", "percent", "percent", 1.0)
_add_units("second|seconds|sec|secs", "s", "duration", 1.0)
_add_units("minute|minutes|min|mins", "s", "duration", 60.0)
_add_units("hour|hours|hr|hrs", "s", "duration", 3600.0)
_add_units("day|days", "s", "duration", 86400.0)
_add_units("week|weeks", "s", "duration", 604800.0)
_add_units("month|months", "s", "duration", 2629800.0)
_add_units("year|years", "s", "duration", 31557600.0)
_add_units("sq km|square kilometres|square kilometers|km2|km²", "m2", "area", 1e6)
_add_units("square miles|sq miles|sq mi", "m2", "area", 2.58999e6)
_add_units("hectare|hectares|ha", "m2", "area", 1e4)
_add_units("acre|acres", "m2", "area", 4046.86)
_add_units("mph|miles per hour", "km/h", "speed", 1.609344)
_add_units("km/h|kph|kmh|kilometres per hour|kilometers per hour", "km/h", "speed", 1.0)
_add_units("degrees celsius|°c|degrees c", "C", "temperature", 1.0)

_UNIT_RE = re.compile(
    r"(?:\s?|-)(" + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True)) + r")(?![\w²])",
    re.IGNORECASE,
)
_SCALE_RE = re.compile(r"(?:\s|-)?(thousand|million|billion|trillion|bn|mn|m|k|dozen)\b", re.IGNORECASE)
# "several hundred", "a few thousand": a vague multiple of a scale word
_VAGUE_SCALE_RE = re.compile(r"\s+(hundred|thousand|million|billion)\b(?!s)", re.IGNORECASE)
_VAGUE_MULTIPLIERS = {"several", "a few", "a handful of", "a couple of", "a couple"}
# "call 911", "a 911 call", "1-800-...": numbers that name a line, not an amount
_PHONE_BEFORE_RE = re.compile(
    r"\b(?:call(?:ed|ing|s)?|dial(?:ed|led|ing|s)?|phon(?:e|ed|ing)|text(?:ed)?|ring)\s+(?:the\s+)?$", re.I
)
_PHONE_AFTER_RE = re.compile(
    r"^(?:\s+(?:call|calls|caller|callers|dispatcher|dispatchers|operator|operators|line|system|emergency|center|centre|"
    r"tape|recording)\b|[-.]\d{3}[-.]\d{3,4}\b|\)\s?\d{3})",
    re.I,
)
# "a 41-year-old neighbour", "41 years old": an age, a property of a person, not an amount of time
_AGE_RE = re.compile(r"[\s-]*(?:years?|yrs?|months?)[\s-]*old\b", re.I)
_AGO_RE = re.compile(r"\s+ago\b", re.I)
_ERA_RE = re.compile(r"\s?(?:[Bb]\.?[Cc]\.?(?:[Ee]\.?)?|AD|A\.D\.|CE)(?!\w)")
# "eight of the ten judges": a part of a stated whole
_PART_OF_RE = re.compile(
    rf"\s+of\s+(?:the\s+|its\s+|their\s+|all\s+)?(?P<total>{_DIGITS}|{_WORDNUM})\b(?!\s*(?:percent|per cent|%))", re.I
)
_CURRENCY_AFTER_RE = re.compile(r"\s(dollars?|euros?|pounds sterling|yuan|yen)\b", re.IGNORECASE)
_RANGE_RE = re.compile(rf"-?\s*(?:-|–|—|to|and)\s*(?P<num>{_DIGITS}|{_WORDNUM})\b", re.IGNORECASE)
_CONVERSION_RE = re.compile(
    rf"\s*\(\s*(?:about |around |some |approximately |roughly |nearly )?(?:{_DIGITS}|{_WORDNUM})"
    r"[\s-]?[a-z%°²/ ]{0,20}\)",
    re.IGNORECASE,
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_MONTH_BEFORE_RE = re.compile(rf"\b(?:{_MONTHS})\.?\s+$", re.IGNORECASE)
_MONTH_AFTER_RE = re.compile(rf"^(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b", re.IGNORECASE)
_TIME_AFTER_RE = re.compile(
    r"^(?::\d\d|\s?(?:a\.?m\.?|p\.?m\.?|GMT|UTC|BST|EST|EDT|CET|o'clock|o’clock|hrs\b|h\b))", re.IGNORECASE
)
_ORDINAL_AFTER_RE = re.compile(r"^(?:st|nd|rd|th)\b", re.IGNORECASE)
_ONE_SKIP_BEFORE = re.compile(r"\b(?:no|any|every|the|which|at|each|someone|anyone|this|that)\s+$", re.IGNORECASE)
_ONE_SKIP_AFTER = re.compile(
    r"^\s+(?:of|another|day|time|point|way|thing|another|who|which|that|is|was|has)\b", re.IGNORECASE
)
_OF_AFTER_RE = re.compile(r"\s+of(?:\s+(?:the|these|those|its|their|his|her|our|them))?\b", re.IGNORECASE)
_WORD_RE = re.compile(r"\s*([A-Za-z\u00C0-\u024F][\w'’.-]*)")

# Where the counted thing ends: a stop word, or one of these.
_THING_STOP = STOPWORDS | {"including", "reportedly", "still", "tonight"}

# Heads that name the same kind of thing in different outlets' wording (British/American
# spelling and register); used to decide whether two counts are about the same thing.
_HEAD_GROUPS = {
    "soldier": "soldier",
    "troop": "soldier",
    "servicemen": "soldier",
    "serviceman": "soldier",
    "servicememb": "soldier",
    "marin": "soldier",
    "protest": "protester",
    "protestor": "protester",
    "demonstr": "protester",
    "rioter": "protester",
    "fighter": "fighter",
    "milit": "fighter",
    "militiaman": "fighter",
    "gunmen": "fighter",
    "gunman": "fighter",
    "insurg": "fighter",
    "rebel": "fighter",
    "caravan": "trailer",
    "trailer": "trailer",
    "person": "person",
    "peopl": "person",
    "individu": "person",
    "policeman": "officer",
    "policemen": "officer",
    "offic": "officer",
    "cop": "officer",
    "child": "child",
    "kid": "child",
    "children": "child",
    "car": "vehicle",
    "vehicl": "vehicle",
    "truck": "vehicle",
    "lorri": "vehicle",
    "member": "member",
}


def head_group(head: str | None) -> str | None:
    if head is None:
        return None
    return _HEAD_GROUPS.get(head, head)


def word_value(text: str) -> float | None:
    """'twenty-five' -> 25, 'a hundred and five' -> 105, 'two million' -> 2e6."""
    total = 0.0
    current = 0.0
    seen = False
    for w in re.split(r"[\s-]+", text.lower()):
        if not w or w == "and":
            continue
        if w == "a":
            current += 1
        elif w in _ONES:
            current += _ONES[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w in ("thousand", "million", "billion"):
            total += max(current, 1) * _SCALES[w]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _num_value(text: str) -> float | None:
    t = text.strip()
    if t[:1].isdigit():
        try:
            return float(t.replace(",", ""))
        except ValueError:
            return None
    return word_value(t)


def _interval(qual: str | None, v: float, v2: float | None, is_count: bool) -> tuple[float | None, float | None, bool]:
    """(low, high, approximate) for a qualifier applied to v (and v2 for ranges)."""
    if v2 is not None:
        lo, hi = sorted((v, v2))
        return lo, hi, qual == "about"
    step = 1.0 if is_count and float(v).is_integer() else 0.0
    if qual == "min":
        return v, None, False
    if qual == "gt":
        return v + step, None, False
    if qual == "max":
        return 0.0, v, False
    if qual == "lt":
        return 0.0, v - step, False
    if qual == "about":
        lo, hi = v * 0.85, v * 1.15
        if is_count:
            lo, hi = math.floor(lo), math.ceil(hi)
        return lo, hi, True
    if qual == "nearly":  # "almost four dozen" is fewer than 48
        lo = v * 0.85
        return (math.floor(lo) if is_count else lo), v - step, True
    return v, v, False


def _thing(sentence: str, pos: int) -> tuple[str | None, str | None, tuple[str, ...], int]:
    """Counted noun phrase right after ``pos``: (text, head lemma, capitalised modifiers, end)."""
    m = _OF_AFTER_RE.match(sentence, pos)
    if m:
        if m.group().rstrip().endswith("them"):
            return None, None, (), pos
        pos = m.end()
    words: list[str] = []
    first = end = pos
    while len(words) < 5:
        m = _WORD_RE.match(sentence, end)
        if not m:
            break
        w = m.group(1).rstrip(".")
        lw = w.lower()
        acronym = len(w) >= 2 and w.isupper()  # "US", "UN" are names, not the pronoun "us"
        if not acronym and lw in _THING_STOP:
            break
        if words and (lw.endswith("ed") or lw.endswith("ing")) and not w[:1].isupper():
            break  # "25 fighters killed", "vehicles carrying police": the verb ends the phrase
        if words and _PLURAL.match(words[-1]) and not w[:1].isupper() and not _PLURAL.match(w):
            break  # "100,000 secret files prove it": the noun phrase ended at the plural noun
        if not words:
            first = m.start(1)
        words.append(w)
        end = m.start(1) + len(w)
        if sentence[end : end + 1] in ',;:)("”“':
            break
    if not words:
        return None, None, (), pos
    head = stem(words[-1])
    mods = tuple(sorted({stem(w) for w in words[:-1] if w[:1].isupper()}))
    return sentence[first:end], head, mods, end


_PLURAL = re.compile(r"^[a-z]{3,}[^s]s$")


def _first_start(sentence: str, pos: int) -> int:
    m = _WORD_RE.match(sentence, pos)
    return m.start(1) if m else pos


def _is_year(v: float, raw: str, qual: str | None, after: str) -> bool:
    if qual or "," in raw or "." in raw or not (1800 <= v <= 2100):
        return False
    nxt = re.match(r"\s+([a-z]+)", after)
    return not (nxt and nxt.group(1).endswith("s") and nxt.group(1) not in ("was", "is", "has", "as"))


def extract_quantities(sentence: str, offset: int = 0) -> list[Quantity]:
    """All counts/measures in ``sentence``; offsets are shifted by ``offset`` (body position)."""
    out: list[Quantity] = []
    pos = 0
    n = len(sentence)
    while pos < n:
        m = CORE_RE.search(sentence, pos)
        if not m:
            break
        q = _parse_at(sentence, m)
        if q is None:
            pos = m.end()
            continue
        quantity, end = q
        out.append(_shift(quantity, offset))
        pos = max(end, m.end())
    return out


def _shift(q: Quantity, offset: int) -> Quantity:
    if not offset:
        return q
    from dataclasses import replace

    return replace(q, start=q.start + offset, end=q.end + offset)


def _parse_at(s: str, m: re.Match[str]) -> tuple[Quantity, int] | None:
    start, end = m.start(), m.end()
    raw = m.group()
    before = s[max(0, start - 30) : start]
    after = s[end : end + 40]
    vague = m.group("vague")
    digits = m.group("digits")
    # Not counts: dates, times, ordinals, codes glued to letters ("G7", "COVID-19").
    if _MONTH_BEFORE_RE.search(before) or _MONTH_AFTER_RE.match(after):
        return None
    if digits and (_TIME_AFTER_RE.match(after) or _ORDINAL_AFTER_RE.match(after)):
        return None
    if (
        digits
        and start > 0
        and (s[start - 1].isalpha() or (s[start - 1] == "-" and start > 1 and s[start - 2].isalpha()))
    ):
        return None
    low_raw = raw.lower()
    if (
        low_raw in ("one", "a")
        and not vague
        and (low_raw == "a" or _ONE_SKIP_BEFORE.search(before) or _ONE_SKIP_AFTER.match(after))
    ):
        return None
    if digits and (_PHONE_BEFORE_RE.search(before) or _PHONE_AFTER_RE.match(after)):
        return None
    # The currency sits between the qualifier and the number: "more than $2 million".
    cur = None
    cm = _CURRENCY_BEFORE_RE.search(before)
    head_end = len(before)
    if cm:
        cur = _CURRENCY[cm.group(1).lower()]
        head_end = cm.start()
    qm = _QUAL_RE.search(before[:head_end] if cm else before)
    if cm and qm is None and head_end and not before[:head_end].endswith(" "):
        qm = _QUAL_RE.search(before[:head_end] + " ")
    qual_text = qm.group(1) if qm else None
    qual = _QUALIFIERS.get(qual_text.lower()) if qual_text else None
    if qm:
        q_start = start - len(before) + qm.start(1)
    elif cm:
        q_start = start - len(before) + cm.start()
    else:
        q_start = start
    if vague:
        nominal, vague_lo, vague_hi = _VAGUE[vague.lower()]
        pos = end
        vs = _VAGUE_SCALE_RE.match(s, pos) if vague.lower() in _VAGUE_MULTIPLIERS else None
        if vs:  # "several hundred people": 300-900, not 3-9
            factor_v = _SCALES[vs.group(1).lower()]
            nominal, vague_lo, vague_hi = None, vague_lo * factor_v, vague_hi * factor_v
            pos = end = vs.end()
        thing, head, mods, t_end = _thing(s, pos)
        q = Quantity(
            text=s[q_start:end],
            start=q_start,
            end=end,
            value=nominal,
            low=vague_lo,
            high=vague_hi,
            unit="count",
            dimension="count",
            approximate=True,
            qualifier=(qual_text or vague.lower()),
            thing=thing,
            head=head,
            modifiers=mods,
            # "tens of thousands" does not end sharply at 99,999
            precision=0.05 * vague_hi,
        )
        return q, t_end if thing else end
    v = _num_value(raw)
    if v is None:
        return None
    pos = end
    age = _AGE_RE.match(s, pos)
    if age and not qual_text:
        thing, head, mods, t_end = _thing(s, age.end())
        q = Quantity(
            text=s[q_start : age.end()],
            start=q_start,
            end=age.end(),
            value=v,
            low=v,
            high=v,
            unit="years",
            dimension="age",
            thing=thing,
            head=head,
            modifiers=mods,
        )
        return q, max(t_end, age.end())
    v2 = None
    rm = _RANGE_RE.match(s, pos)
    if rm and (qual == "between" or not rm.group().strip().lower().startswith("and")):
        v2 = _num_value(rm.group("num"))
        if v2 is not None and v2 >= v:
            pos = rm.end()
        else:
            v2 = None
    scale = 1.0
    sm = _SCALE_RE.match(s, pos)
    if sm:
        word = sm.group(1).lower()
        # a bare "m" is million only after a currency or before a plural noun ("5m people")
        if word not in ("m", "k") or cur or re.match(r"\s+[a-z]+s\b", s[sm.end() : sm.end() + 30]):
            scale = _SCALES[word]
            pos = sm.end()
    unit, dim, factor = "count", "count", 1.0
    um = _UNIT_RE.match(s, pos)
    if um and not cur:
        u = um.group(1).lower()
        if u in _UNITS and not (u in ("m",) and scale != 1.0):
            unit, dim, factor = _UNITS[u]
            pos = um.end()
    if cur is None:
        cam = _CURRENCY_AFTER_RE.match(s, pos)
        if cam:
            cur = _CURRENCY[cam.group(1).lower()]
            pos = cam.end()
    if cur:
        unit, dim, factor = cur, "money", 1.0
    if dim == "count" and scale == 1.0 and not v2 and _is_year(v, raw, qual_text, s[pos : pos + 20]):
        return None
    if _ERA_RE.match(s, pos):
        return None  # "7,700 BC", "AD 79": a year, not an amount
    if dim == "duration" and _AGO_RE.match(s, pos):
        return None  # "three years ago" places an event in time; it is not an amount
    value = v * scale * factor
    value2 = v2 * scale * factor if v2 is not None else None
    conversion = None
    cv = _CONVERSION_RE.match(s, pos)
    if cv and dim not in ("count",):
        conversion = cv.group().strip()
        pos = cv.end()
    lo, hi, approx = _interval(qual if qual != "between" or value2 else None, value, value2, dim == "count")
    last_number = rm.group("num") if v2 is not None and rm is not None else raw
    precision = _precision(last_number, scale * factor) if digits else 0.0
    total = None
    thing = head = None
    mods = ()
    t_end = pos
    if dim in ("count", "money"):
        pm = _PART_OF_RE.match(s, pos) if dim == "count" else None
        if pm:
            total = _num_value(pm.group("total"))
            thing, head, mods, t_end = _thing(s, pm.end())
        else:
            thing, head, mods, t_end = _thing(s, pos)
    text_end = pos
    q = Quantity(
        text=s[q_start:text_end],
        start=q_start,
        end=text_end,
        value=value,
        low=lo,
        high=hi,
        unit=unit,
        dimension=dim,
        approximate=approx,
        qualifier=qual_text.lower() if qual_text else None,
        thing=thing,
        head=head,
        modifiers=mods,
        conversion=conversion,
        total=total,
        precision=precision,
    )
    return q, max(t_end, text_end)


def _precision(raw: str, factor: float) -> float:
    """Half a unit of the last written digit, when it is a decimal or scaled ("2.3 million")."""
    raw = raw.strip().replace(",", "")
    if "." in raw:
        decimals = len(raw.split(".", 1)[1])
        return 0.49 * 10**-decimals * factor
    if factor >= 1000:  # "$70 million" may be 70.4 million
        return 0.49 * factor
    return 0.0


def describe_interval(q: Quantity) -> str:
    """Compact interval for explanations: '≥3', '≈6', '=25', '24–99', '≤10'."""

    def fmt(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4g}"

    unit = "" if q.unit == "count" else (" " + q.unit)
    if q.value is None:
        return f"{fmt(q.low or 0)}–{fmt(q.high)}{unit}" if q.high is not None else f"≥{fmt(q.low or 0)}{unit}"
    if q.high is None:
        return f"≥{fmt(q.low or q.value)}{unit}"
    if q.low in (0, 0.0) and q.high is not None and q.high <= q.value:
        return f"≤{fmt(q.high)}{unit}"
    if q.approximate:
        return f"≈{fmt(q.value)}{unit}"
    if q.low != q.high:
        return f"{fmt(q.low or 0)}–{fmt(q.high)}{unit}"
    return f"={fmt(q.value)}{unit}"
