"""Outlet names: the common spellings of wire agencies, and outlet hints found in text."""

from __future__ import annotations

import re

# Canonical names for the credits that newsrooms see every day. A name not listed here is
# kept as written; this table only folds the usual abbreviations of the big wires together.
_ALIASES: dict[str, str] = {
    "ap": "Associated Press",
    "the ap": "Associated Press",
    "associated press": "Associated Press",
    "the associated press": "Associated Press",
    "afp": "Agence France-Presse",
    "agence france-presse": "Agence France-Presse",
    "agence france presse": "Agence France-Presse",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "pa": "PA Media",
    "pa media": "PA Media",
    "pa wire": "PA Media",
    "press association": "PA Media",
    "the press association": "PA Media",
    "dpa": "dpa",
    "xinhua": "Xinhua",
    "upi": "UPI",
    "ansa": "ANSA",
    "efe": "EFE",
    "kyodo": "Kyodo News",
    "kyodo news": "Kyodo News",
    "bloomberg": "Bloomberg",
    "tass": "TASS",
    "anadolu": "Anadolu Agency",
    "anadolu agency": "Anadolu Agency",
    "agencies": "Agencies",
    "staff and agencies": "Agencies",
    "wires": "Agencies",
    "wire services": "Agencies",
}

# Credit words that may stand alone on a line at the end (or start) of an article.
_CREDIT_LINE = re.compile(
    r"""^[\s\-—–(]*(?:by\s+)?
        (?P<name>(?:[\w.&'’]+\s+){0,3}?(?:and\s+)?agencies
        |[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,2}\s+(?:Media|Wire|News\s+Agency|News\s+Service)
        |AP|AFP|Reuters|PA|dpa|Xinhua|UPI|ANSA|EFE|Bloomberg|TASS|Associated\s+Press|Press\s+Association)
        [\s)\.]*$""",
    re.IGNORECASE | re.VERBOSE,
)

# "AP, BAGHDAD", "BAGHDAD (Reuters) -", "WASHINGTON, Dec 31 (AFP) —"
_DATELINE_CREDIT_FIRST = re.compile(r"^(?P<credit>[A-Z][\w.&'’ -]{0,40}?),\s*(?P<place>[A-Z][A-Z .'’-]{1,40})$")
_DATELINE_PLACE_FIRST = re.compile(
    r"^(?P<place>[A-Z][A-Z .,'’-]{1,60}?)\s*(?:,\s*[A-Z][a-z]{2,8}\.? \d{1,2}\s*)?\((?P<credit>[^()]{2,40})\)\s*[-—–:]*\s*"
)
_BYLINE = re.compile(r"^by\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,4}(?:\s*(?:,|and)\s*.*)?$", re.IGNORECASE)
_HOMEPAGE = re.compile(r"^visit\s+(?P<name>.+?)['’]s\s+homepage\s+for\s+more\s+stories\.?$", re.IGNORECASE)


def canonical_outlet(name: str) -> str:
    """The canonical spelling of an outlet name ("AP" -> "Associated Press")."""
    cleaned = re.sub(r"\s+", " ", name).strip(" \t-—–()[].,")
    return _ALIASES.get(cleaned.lower(), cleaned)


def credit_line_outlet(line: str) -> str | None:
    """The outlet a lone credit line names ("PA Media", "agencies"), or None."""
    if len(line) > 60:
        return None
    match = _CREDIT_LINE.match(line.strip())
    return canonical_outlet(match.group("name")) if match else None


def homepage_outlet(line: str) -> str | None:
    """The outlet of a "Visit Business Insider's homepage for more stories" line, or None."""
    match = _HOMEPAGE.match(line.strip())
    return canonical_outlet(match.group("name")) if match else None


def parse_dateline(text: str) -> tuple[str, str | None] | None:
    """Read a whole string as a dateline or byline.

    Returns (dateline, outlet or None) when `text` is one ("AP, BAGHDAD" -> ("AP, BAGHDAD",
    "Associated Press")), or None when it reads as ordinary body text.
    """
    text = text.strip()
    if not text or len(text) > 80 or text.endswith((".", "!", "?", "”", '"')):
        return None
    match = _DATELINE_CREDIT_FIRST.match(text)
    if match and len(match.group("credit").split()) <= 4:
        return text, canonical_outlet(match.group("credit"))
    match = _DATELINE_PLACE_FIRST.match(text)
    if match and match.end() == len(text):
        return text, canonical_outlet(match.group("credit"))
    if _BYLINE.match(text):
        return text, None
    if text.isupper() and len(text.split()) <= 4:  # a bare place: "BAGHDAD"
        return text, None
    return None


def split_leading_dateline(paragraph: str) -> tuple[str, str | None, str] | None:
    """Split a wire dateline off the start of the first paragraph.

    "BAGHDAD (Reuters) - Dozens of ..." -> ("BAGHDAD (Reuters)", "Reuters", "Dozens of ...").
    """
    match = _DATELINE_PLACE_FIRST.match(paragraph)
    if not match or match.end() >= len(paragraph):
        return None
    separator = paragraph[match.start("credit") + len(match.group("credit")) + 1 : match.end()]
    if not re.search(r"[-—–:]", separator):
        return None
    dateline = paragraph[: match.end("credit") + 1].strip()
    return dateline, canonical_outlet(match.group("credit")), paragraph[match.end() :]
