"""Fact frames: what a stated value is about, so that only the same fact is ever compared.

Alignment's similarity says two sentences are *alike*; a conflict needs more: that two values
answer the same question. A ``QuantityFrame`` records, for one quantity in one mention, what
the value is about:

- ``block``: the kind of value and what is counted or measured ("count:soldier", "money:USD",
  "percent", "age:girl"); values of different blocks are never compared;
- ``predicate``: the verbs of the quantity's clause ("kill" in "12 people were killed");
- ``names``: the names in the clause (whose share, which fund, where);
- ``context``: the other content words of the clause ("reserve fund", "road repairs");
- ``when``: the dates and years the clause pins the value to.

``compare_frames`` decides "same fact" by an explicit, stricter test than alignment and says
why in plain words, for the explanation and for tests.
"""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from .quantities import head_group
from .similarity import content_terms
from .text import IRREGULAR, STOPWORDS, stem
from .types import Mention, Quantity

# Clause boundaries around a quantity: punctuation and clause-opening words.
_CLAUSE_BREAK = re.compile(
    r"[;:()—–]|[,.!?]\s|\b(?:after|before|when|while|because|although|though|but|which|who|whom|whereas|compared with|"
    r"compared to|than|and\s+(?=(?:\w+\s+){0,3}(?:was|were|had|has|is|are)\b))\b",
    re.IGNORECASE,
)
# "in 2016", "since 2015": a year the value belongs to (not "the 2015 deal", a name for a thing)
_YEAR = re.compile(r"\b(?:in|since|during|by|of|for|until|through)\s+(1[89]\d\d|20\d\d)\b")
_ELAPSED = re.compile(
    r"\b(?:since|ago|so\s+far|to\s+date|in\s+a\s+row|straight|marks?|marked|now|running|for\s+the\s+(?:past|last)|"
    r"(?:has|have|had)\s+been)\b",
    re.IGNORECASE,
)
_CAPITAL = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zA-Z'’-]+|[A-Z]{2,})\b")
_NOT_NAMES = frozenset(
    """january february march april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday mr mrs ms dr the a an he she they it we i this that""".split()
)
# Verb stems that name the same event ("killed" / "died" / "dead", "injured" / "wounded").
_PREDICATE_GROUPS = {
    "die": "die",
    "kill": "die",
    "dead": "die",
    "death": "die",
    "fatal": "die",
    "perish": "die",
    "injur": "injure",
    "wound": "injure",
    "hurt": "injure",
    "arrest": "arrest",
    "detain": "arrest",
    "evacu": "evacuate",
    "rescu": "rescue",
    "save": "rescue",
    "miss": "missing",
    "displac": "displace",
    "flee": "displace",
    "fled": "displace",
    "win": "win",
    "won": "win",
    "lose": "lose",
    "lost": "lose",
    "rais": "raise",
    "increas": "raise",
    "rose": "raise",
    "rise": "raise",
    "cut": "cut",
    "reduc": "cut",
    "fell": "cut",
    "fall": "cut",
    "drop": "cut",
    "spend": "spend",
    "spent": "spend",
    "cost": "spend",
    "pay": "spend",
    "paid": "spend",
    "fund": "fund",
    "alloc": "fund",
    "approv": "fund",
    "appropri": "fund",
    "vote": "vote",
    "sign": "sign",
    "ask": "ask",
}
_VERB_END = re.compile(r"^[a-z]{3,}(?:ed|ing)$")
_KNOWN_VERB_STEMS = frozenset(_PREDICATE_GROUPS) | {stem(v) for v in IRREGULAR if IRREGULAR[v] != v}


@dataclass(frozen=True)
class QuantityFrame:
    quantity: Quantity
    block: str
    predicate: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    context: frozenset[str] = frozenset()
    when: frozenset[str] = frozenset()  # ISO days or years the clause names
    clause: str = ""
    # time elapsed until the moment of writing ("marks 293 days since", "missing for 10 days
    # now", "three years ago"): a figure that grows with the date of the article
    elapsed: bool = False


@dataclass(frozen=True)
class FrameMatch:
    """The verdict of ``compare_frames``: same fact or not, how strongly, and why."""

    same: bool
    strength: float  # 0..1: how much of the two clauses' content agrees
    reasons: tuple[str, ...] = ()
    shared: frozenset[str] = field(default_factory=frozenset)


def quantity_block(q: Quantity) -> str | None:
    """What kind of value this is and what it counts or measures; None when that is unknown."""
    if q.dimension in ("count", "age"):
        group = head_group(q.head)
        if not group or group in _NOT_THINGS:
            return None
        return f"{q.dimension}:{group}"
    return q.dimension + ":" + q.unit


# Heads that do not name what is counted: "five times" (a multiple), "three others" (relative
# to someone named before), "one of them".
_NOT_THINGS = frozenset(stem(w) for w in "time times other others one ones them each per".split())


def thing_words(q: Quantity) -> frozenset[str]:
    """The counted thing's words other than its head ("new" in "eight new cases")."""
    words = re.findall(r"[A-Za-z][\w'’-]*", q.thing or "")
    return frozenset(stem(w) for w in words[:-1] if w.lower() not in STOPWORDS)


WINDOW = 8  # words on each side: the words nearest a value say what it is about


def _clause(text: str, start: int, end: int, window: int | None = WINDOW) -> tuple[str, str]:
    """The quantity's clause before and after it, at most ``window`` words each side."""
    before, after = _clause_whole(text, start, end)
    if window is None:
        return before, after
    return " ".join(before.split()[-window:]), " ".join(after.split()[:window])


@lru_cache(maxsize=20_000)
def _clause_whole(text: str, start: int, end: int) -> tuple[str, str]:
    """The text from the last clause break before ``start``, and up to the first after ``end``
    (what splitting at every break and keeping the pieces around the span gives, without
    scanning past the first break after it). Cached: a quantity's clause is read for its frame
    and again for each date of its mention."""
    head = text[:start]
    last = collections.deque(_CLAUSE_BREAK.finditer(head), maxlen=1)  # the last break before
    tail = text[end:]
    first = _CLAUSE_BREAK.search(tail)
    return head[last[0].end() :] if last else head, tail[: first.start()] if first else tail


def predicates_in(words: list[str]) -> set[str]:
    """Event verbs among ``words``, as stems, synonyms grouped ('killed', 'died' -> 'die')."""
    out = set()
    for w in words:
        lw = w.lower()
        if lw in STOPWORDS:
            continue
        s = stem(lw)
        if s in _PREDICATE_GROUPS:
            out.add(_PREDICATE_GROUPS[s])
        elif lw in IRREGULAR and IRREGULAR[lw] != lw:
            out.add(stem(IRREGULAR[lw]))
        elif _VERB_END.match(lw):
            out.add(s)
    return out


def clause_around(text: str, start: int, end: int) -> tuple[list[str], frozenset[str]]:
    """(words, content stems) of the clause around text[start:end], the span itself excluded."""
    before, after = _clause(text, start, end)
    clause = f"{before} {after}"
    words = re.findall(r"[A-Za-z][\w'’-]*", clause)
    return words, frozenset(t for t in content_terms(clause) if not t[0].isdigit())


def frame_of(m: Mention, q: Quantity, dates: tuple[date | None, ...] = ()) -> QuantityFrame | None:
    block = quantity_block(q)
    if block is None:
        return None
    rel_s, rel_e = q.start - m.start, q.end - m.start
    tail_start = rel_e
    if q.thing:
        t = m.text.find(q.thing, rel_e)
        if 0 <= t - rel_e <= 16:
            tail_start = t + len(q.thing)
    before, after = _clause(m.text, rel_s, tail_start)
    clause = f"{before} {after}"
    # Names anywhere in the clause say whose value it is ("Governor Brennan had won earlier
    # primaries with as much as 81 percent"): they are read beyond the context window.
    whole = " ".join(_clause_whole(m.text, rel_s, tail_start))
    words = re.findall(r"[A-Za-z][\w'’-]*", clause)
    skip = {stem(w) for w in (q.thing or "").split()} | set(q.modifiers) | {q.head or ""}
    context = {t for t in content_terms(clause) if not t[0].isdigit() and t not in skip}
    names = {
        stem(n)
        for n in _CAPITAL.findall(whole)
        if n.lower() not in _NOT_NAMES and stem(n) not in skip and n.lower() not in STOPWORDS
    }
    when = set(_YEAR.findall(clause)) | {d.isoformat() for d in dates if d is not None}
    return QuantityFrame(
        quantity=q,
        block=block,
        predicate=frozenset(predicates_in(words)),
        names=frozenset(names),
        context=frozenset(context),
        when=frozenset(when),
        clause=" ".join(clause.split()),
        elapsed=q.dimension == "duration" and bool(_ELAPSED.search(clause)),
    )


def mention_frames(m: Mention) -> list[QuantityFrame]:
    """One frame per quantity of a mention whose block is known."""
    out = []
    for q in m.slots.quantities:
        if quantity_block(q) is None:
            continue  # no frame (frame_of says so too), so no need for its dates
        dates = tuple(d.low for d in m.slots.dates if _inside(d.start, d.end, m, q))
        f = frame_of(m, q, dates)
        if f is not None:
            out.append(f)
    return out


def _inside(start: int, end: int, m: Mention, q: Quantity) -> bool:
    """A date belongs to the quantity's clause (approximated by the same sentence half)."""
    before, after = _clause(m.text, q.start - m.start, q.end - m.start)
    lo = q.start - len(before)
    hi = q.end + len(after)
    return lo <= start and end <= hi


def _different_times(a: frozenset[str], b: frozenset[str]) -> bool:
    """Days compare with days, years with years (a day's year with a year)."""
    if not a or not b or a & b:
        return False
    days_a, days_b = {t for t in a if len(t) == 10}, {t for t in b if len(t) == 10}
    if days_a and days_b:
        return not days_a & days_b
    years_a = {t[:4] for t in a}
    years_b = {t[:4] for t in b}
    return not years_a & years_b


def _weighted_jaccard(a: frozenset[str], b: frozenset[str], weight) -> float:
    union = a | b
    if not union:
        return 0.0
    return sum(weight(t) for t in a & b) / sum(weight(t) for t in union)


def compare_frames(
    a: QuantityFrame,
    b: QuantityFrame,
    *,
    weight=lambda t: 1.0,
    aligned: bool = False,
    rare: bool = False,
    same_day: bool = False,
) -> FrameMatch:
    """Whether two quantities state the same fact.

    ``aligned``: alignment already put the two mentions in one claim, which lowers the bar for
    context (the sentences as a whole agree) but never for what is counted, whose it is,
    what happened to it, or when. ``same_day``: the two articles were published the same day,
    without which two counts of time elapsed until the writing are not compared. ``rare``: the thing counted is named by few mentions of the
    story ("questions", "files"), so two counts of it are likely the same count: the bar for
    context is lowered the same way.
    """
    if a.block != b.block:
        return FrameMatch(False, 0.0, (f"different things measured ({a.block} vs {b.block})",))
    qa, qb = a.quantity, b.quantity
    if qa.modifiers and qb.modifiers and not set(qa.modifiers) & set(qb.modifiers):
        return FrameMatch(False, 0.0, ("different groups (" + ", ".join(qa.modifiers + qb.modifiers) + ")",))
    wa, wb = thing_words(qa), thing_words(qb)
    if wa and wb and not wa & wb:
        return FrameMatch(False, 0.0, (f"different groups ({qa.thing} vs {qb.thing})",))
    if a.block.startswith("age:") and not aligned and not (a.names & b.names):
        return FrameMatch(False, 0.0, ("ages of people not named as the same person",))
    if (qa.total is None) != (qb.total is None) and not aligned:
        return FrameMatch(False, 0.0, ("a part of a whole against a whole",))
    if a.predicate and b.predicate and not a.predicate & b.predicate:
        return FrameMatch(
            False, 0.0, (f"different events ({', '.join(sorted(a.predicate))} vs {', '.join(sorted(b.predicate))})",)
        )
    if a.names and b.names and not a.names & b.names:
        return FrameMatch(False, 0.0, (f"about different names ({', '.join(sorted(a.names | b.names))})",))
    if (a.elapsed or b.elapsed) and not same_day:
        return FrameMatch(
            False, 0.0, ("time elapsed until the day of writing, and the articles are of different days",)
        )
    if _different_times(a.when, b.when):
        return FrameMatch(False, 0.0, (f"different times ({', '.join(sorted(a.when | b.when))})",))
    shared = (a.context & b.context) | (a.predicate & b.predicate) | (a.names & b.names)
    strength = _weighted_jaccard(a.context | a.predicate | a.names, b.context | b.predicate | b.names, weight)
    # Words that only one side has, both sides having some: "reserve fund" vs "road repairs".
    only_a, only_b = a.context - b.context, b.context - a.context
    needed = 0.12 if aligned else 0.0 if rare else 0.3
    reasons = []
    if a.predicate & b.predicate:
        reasons.append("the same event (" + ", ".join(sorted(a.predicate & b.predicate)) + ")")
    if a.names & b.names:
        reasons.append("the same names (" + ", ".join(sorted(a.names & b.names)) + ")")
    if not shared and not aligned and not rare:
        return FrameMatch(False, strength, ("nothing in common around the numbers",))
    if rare:
        reasons.append(f"a rarely counted thing ({a.block.split(':', 1)[1]})")
    if strength < needed and only_a and only_b:
        return FrameMatch(False, strength, (f"different contexts ({strength:.2f} in common)",), frozenset(shared))
    reasons.append(f"{strength:.0%} of the context in common")
    return FrameMatch(True, strength, tuple(reasons), frozenset(shared))
