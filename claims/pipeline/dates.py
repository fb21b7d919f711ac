"""Date expressions resolved against the article's publication date.

A small resolver for the forms news uses (weekday names, yesterday/today,
last week, "Month D", "D Month YYYY", "N days ago").  It is cheap: a single
regex scan, and nothing at all is done when no date word is present.
dateparser is deliberately not used (milliseconds per call).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .types import DateMention

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
_MONTHS.update(
    {
        "jan": 1,
        "feb": 2,
        "mar": 3,
        "apr": 4,
        "jun": 6,
        "jul": 7,
        "aug": 8,
        "sep": 9,
        "sept": 9,
        "oct": 10,
        "nov": 11,
        "dec": 12,
    }
)
_MONTH_RX = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_NUMWORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1, "an": 1}

_DATE_RE = re.compile(
    rf"\b(?P<md>(?P<m1>{_MONTH_RX})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>(?:19|20)\d\d))?)\b"
    rf"|\b(?P<dm>(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH_RX})(?:,?\s+(?P<y2>(?:19|20)\d\d))?)\b"
    r"|\b(?P<wd>(?:(?P<wdq>last|this|next|on|early|late)\s+)?(?P<wday>Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday)(?:['’]s)?(?:\s+(?:morning|afternoon|evening|night))?)\b"
    r"|\b(?P<rel>yesterday|today|tonight|tomorrow|this morning|this afternoon|this evening|last night)\b"
    r"|\b(?P<span>(?:last|this|past|previous)\s+(?:week|month|year|weekend)|(?:the|this|over\s+the|at\s+the)\s+weekend|"
    r"earlier\s+this\s+(?:week|month|year)|weekend)\b"
    r"|\b(?P<ago>(?P<n>\d+|one|two|three|four|five|six|seven|a|an)\s+(?P<unit>days?|weeks?)\s+ago)\b",
    re.IGNORECASE,
)
_QUICK = re.compile(
    r"day|to(?:day|night|morrow)|week|month|year|ago|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|"
    r"nov|dec)",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|shall|is due|are due|is expected|are expected|is scheduled|are scheduled|next)\b", re.IGNORECASE
)


def _month_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve(m: re.Match[str], pub: date | None, sentence: str) -> tuple[date | None, date | None, bool]:
    if m.group("md") or m.group("dm"):
        mon = _MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")]
        day = int(m.group("d1") or m.group("d2"))
        year_s = m.group("y1") or m.group("y2")
        if year_s:
            d = _month_date(int(year_s), mon, day)
            return d, d, False
        if pub is None:
            return None, None, False
        d = _month_date(pub.year, mon, day)
        if d and d > pub + timedelta(days=60):  # "December 31" in a January article
            d = _month_date(pub.year - 1, mon, day)
        return d, d, False
    if pub is None:
        return None, None, True
    if m.group("wd"):
        wd = _WEEKDAYS.index(m.group("wday").lower())
        qual = (m.group("wdq") or "").lower()
        window = sentence[max(0, m.start() - 40) : m.start()]
        future = bool(_FUTURE.search(window)) and not m.group("wd").lower().endswith(("'s", "’s"))
        if qual == "next" or (future and qual != "last"):
            delta = (wd - pub.weekday()) % 7 or (7 if qual == "next" else 0)
            d = pub + timedelta(days=delta)
        else:
            delta = (pub.weekday() - wd) % 7
            if qual == "last" and delta == 0:
                delta = 7
            d = pub - timedelta(days=delta)
        return d, d, True
    if m.group("rel"):
        w = m.group("rel").lower()
        offset = {"yesterday": -1, "tomorrow": 1, "last night": -1}.get(w, 0)
        d = pub + timedelta(days=offset)
        return d, d, True
    if m.group("span"):
        return (*_span(m.group("span").lower(), pub), True)
    if m.group("ago"):
        n = _NUMWORDS.get(m.group("n").lower()) or int(m.group("n"))
        days = n * (7 if m.group("unit").lower().startswith("week") else 1)
        d = pub - timedelta(days=days)
        return d, d, True
    return None, None, True


def _span(text: str, pub: date) -> tuple[date, date]:
    monday = pub - timedelta(days=pub.weekday())
    if "weekend" in text:
        # most recent Saturday-Sunday on or before the publication date
        sunday = pub - timedelta(days=(pub.weekday() - 6) % 7)
        return sunday - timedelta(days=1), sunday
    if "week" in text:
        if text.startswith(("this", "earlier")):
            return monday, pub
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if "month" in text:
        first = pub.replace(day=1)
        if text.startswith(("this", "earlier")):
            return first, pub
        prev_last = first - timedelta(days=1)
        return prev_last.replace(day=1), prev_last
    if text.startswith(("this", "earlier")):
        return date(pub.year, 1, 1), pub
    return date(pub.year - 1, 1, 1), date(pub.year - 1, 12, 31)


def extract_dates(sentence: str, published_on: date | None, offset: int = 0) -> list[DateMention]:
    """Date expressions in ``sentence`` with resolved [low, high] dates (None if unresolvable)."""
    if not _QUICK.search(sentence):
        return []
    out = []
    for m in _DATE_RE.finditer(sentence):
        lo, hi, relative = _resolve(m, published_on, sentence)
        out.append(
            DateMention(
                text=m.group(), start=offset + m.start(), end=offset + m.end(), low=lo, high=hi, relative=relative
            )
        )
    return out
