"""Attribution: where a statement's information comes from, with source normalisation."""

from __future__ import annotations

import functools
import re

from articles.importers.outlets import known_outlet, outlet_in_text

from .types import Attribution

# Outlet names come from one table, shared with the importers (articles/importers/outlets.py), so an
# article's own outlet and a sentence naming it are the same source: "fox" is "Fox News".
_GENERIC_OUTLETS = {"agencies", "agency", "staff", "wires", "wire services", "news agencies", "newswires"}


@functools.lru_cache(maxsize=8192)  # the speaker stage asks about the same names again and again
def normalise_source(text: str | None) -> str | None:
    """'the AP', 'an Associated Press reporter' -> 'Associated Press'; unnamed -> None."""
    if not text:
        return None
    return outlet_in_text(text)


@functools.lru_cache(maxsize=1024)
def normalise_outlet(outlet: str | None) -> str | None:
    """Article outlet as a canonical name ('fox', 'Fox News Channel' -> 'Fox News'); generic bylines
    such as 'agencies' -> None."""
    if not outlet or outlet.strip().lower() in _GENERIC_OUTLETS:
        return None
    known = known_outlet(outlet)
    if known == "Agencies":
        return None
    return known or normalise_source(outlet) or outlet.strip()


_NP = r"(?:(?:the|a|an|one|two|several|local|state|Iranian|Iraqi|US|U\.S\.)\s+)*(?:[A-Z][\w.'’&-]*\s+){0,4}"
_REPORTER = r"(?:reporters?|correspondents?|journalists?|photographers?|videographers?|crews?)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("according", re.compile(r"\baccording to\s+(?P<src>[^,.;:()]{2,80}?)(?=\s*(?:[,.;:()]|$|\bwho\b|\bwhich\b))")),
    (
        "reporter",
        re.compile(
            rf"\b(?P<src>(?:an?|the|one|our)\s+(?:[A-Z][\w.'’-]*\s+){{0,3}}(?:local\s+|freelance\s+)?{_REPORTER}"
            r"(?:\s+(?:at|on)\s+the\s+scene)?)\s+(?:saw|reported|said|witnessed|heard|counted|observed|described|confirmed)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "told",
        re.compile(r"\btold\s+(?P<src>the\s+(?:[A-Z][\w.'’-]*\s?){1,4}|Reuters|AFP|CNN|(?:[A-Z][\w.'’-]*\s?){1,4})\b"),
    ),
    (
        "reported",
        re.compile(
            r"(?:^|[,;]\s*|\b(?:as|and)\s+)(?P<src>(?:the\s+|an?\s+)?(?:[A-Z][\w.'’-]*\s+(?:of\s+(?:the\s+)?)?){0,5}"
            r"(?:[A-Z][\w.'’-]*|(?:state\s+|local\s+)?(?:news agency|media|reports|officials?|sources|television|TV|"
            r"broadcaster|military|army|police|government|ministry|spokes(?:man|woman|person)|authorities|statement)))"
            r"\s+(?:reported|reports|said|says|quoted|cited|confirmed|announced|stated)\b"
        ),
    ),
    (
        "reported_by",
        re.compile(r"\b(?:reported|quoted|cited|broadcast)\s+by\s+(?P<src>(?:the\s+)?(?:[A-Z][\w.'’-]*\s?){1,5})"),
    ),
    ("citing", re.compile(r"\bciting\s+(?P<src>[^,.;:]{2,60}?)(?=\s*(?:[,.;:]|$))")),
    (
        "reports",
        re.compile(r"\b(?P<src>(?:unconfirmed|media|local|news|press|initial|early)\s+reports)\b", re.IGNORECASE),
    ),
]
_PERSONAL = re.compile(r"^(?:he|she|they|it|we|i|you|this|that|there)$", re.IGNORECASE)
_NON_SOURCE = re.compile(r"^(?:the\s+)?(?:US|U\.S\.|White House|State Department)$")


def _kind(src: str, normalized: str | None, how: str) -> str:
    if how == "told" and normalized:
        # "a spokesman told The New York Times": the outlet is the channel the words reached the
        # article through, not their source (stage 6 counts the article's own outlet instead).
        return "channel"
    low = src.lower()
    if how == "reporter" or re.search(_REPORTER, low):
        return "reporter"
    if "report" in low:
        return "reports"
    if normalized:
        return "outlet"
    if re.search(r"\b(?:official|spokes\w+|ministry|department|military|police|government|army)\b", low):
        return "official"
    return "person" if src[:1].isupper() else "other"


def extract_attributions(sentence: str, offset: int = 0) -> list[Attribution]:
    """Sources credited in ``sentence`` ("according to X", "X reported", "told the AP"...)."""
    out: list[Attribution] = []
    seen: set[tuple[int, int]] = set()
    for how, rx in _PATTERNS:
        for m in rx.finditer(sentence):
            src = m.group("src").strip().rstrip(",")
            if not src or _PERSONAL.match(src):
                continue
            s, e = m.start("src"), m.start("src") + len(src)
            if any(s < e2 and s2 < e for s2, e2 in seen):
                continue
            seen.add((s, e))
            normalized = normalise_source(src)
            if how == "reported" and normalized is None and _NON_SOURCE.match(src):
                continue
            if how == "told" and normalized is None and src.startswith("the "):
                continue  # "told the Senate": an audience, and no outlet
            out.append(
                Attribution(
                    text=m.group().strip(),
                    start=offset + s,
                    end=offset + e,
                    source=src,
                    normalized=normalized,
                    kind=_kind(src, normalized, how),
                )
            )
    out.sort(key=lambda a: (a.start, a.end))
    return out
