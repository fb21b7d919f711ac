"""Cleaning: from an article's text as it arrived to the body that later stages read.

The body is a list of paragraphs joined by a blank line. Cleaning removes what is not the
article's own reporting (ad labels, credit lines, "visit our homepage" lines, photo captions,
a paragraph repeated verbatim) and records each removal, so nothing is lost silently. A
social-media embed (the post's text followed by `— Name (@handle) Month D, YYYY`) becomes one
paragraph that reads as an attributed quotation, with the post's offsets kept in `embeds`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .outlets import (
    DATELINE_WITHIN,
    byline_in_text,
    byline_outlet,
    canonical_outlet,
    closing_credit,
    credit_line_outlet,
    find_dateline,
    homepage_outlet,
    is_byline,
    parse_dateline,
    split_leading_dateline,
)

PARAGRAPH_SEPARATOR = "\n\n"

# Longest embedded post we will reconstruct from loose lines (a tweet is at most 280
# characters; links are not counted).
_MAX_POST_CHARS = 300

_SEED_HEADER = re.compile(r"^\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})\b[ \t]*(?P<rest>.*)$")
_EMBED_CREDIT = re.compile(
    r"^\s*[—–-]{1,2}\s*(?P<author>[^()\n]{1,80}?)\s*\(@(?P<handle>\w{1,30})\)\s*"
    r"(?:on\s+)?(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4})\s*$"
)
_POST_LINK = re.compile(r"(?:https?://)?(?:pic\.twitter\.com|t\.co|bit\.ly|instagram\.com/p)/\S+")
_BULLET = re.compile(r"^\s*[-•*▪◦–]\s+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_BOILERPLATE = re.compile(
    r"""^(?:advertisements?|advertising|ad|sponsored(?:\s+content)?
        |story\s+continues\s+(?:below|after)(?:\s+(?:this\s+)?(?:advertisement|ad))?
        |continue\s+reading(?:\s+(?:below|the\s+main\s+story))?
        |read\s+more|(?:read\s+more|related|more|see\s+also|watch|listen)\s*:.{0,150}
        |share(?:\s+this(?:\s+article|\s+story)?)?|tweet|email|print
        |(?:follow|like)\s+us\s+on\s+.{1,80}
        |sign\s+up\s+(?:for|to)\s+.{1,150}
        |subscribe(?:\s+(?:now|today|to\s+.{1,100}))?
        |click\s+here\s+.{1,150}
        |(?:additional\s+)?reporting\s+by\s+.{1,150}
        |(?:©|copyright|\(c\))\s*.{0,150}
        |all\s+rights\s+reserved\.?
        )[.!]?$""",
    re.IGNORECASE | re.VERBOSE,
)
# A photo caption ends with its credit in parentheses: "(Ali Abdul Hassan/AP)",
# "(AP Photo/Khalid Mohammed)", "(Getty Images)"; or starts with "Photo:".
_CAPTION = re.compile(
    r"""(?:\((?:(?:photo|picture|image|credit)s?\s*:?\s*)?[A-Z][^()]{0,60}/\s*[A-Z][^()]{0,50}\)
        |\((?:AP|AFP|EPA|PA|Reuters|Getty|Getty\s+Images|Shutterstock|Alamy)(?:\s+(?:Photo|Images?|Wire))?\))\s*$""",
    re.VERBOSE,
)
_CAPTION_PREFIX = re.compile(r"^(?:photo|picture|image|pictured|credit)\s*:\s+", re.IGNORECASE)
_MAX_CAPTION_WORDS = 50


@dataclass
class CleanedText:
    body: str
    published_on: date | None = None
    dateline: str = ""
    outlet: str | None = None
    outlet_inferred_from: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)


@dataclass
class _Block:
    lines: list[str]
    embed: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def normalise_text(text: str) -> str:
    """Unicode NFC, one kind of newline, no invisible characters, single spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def clean_text(
    text: str,
    *,
    outlet: str | None = None,
    published_on: date | None = None,
    dateline: str = "",
) -> CleanedText:
    """Clean one article's text. Metadata given by the caller wins over what is inferred."""
    result = CleanedText(body="", published_on=published_on, dateline=dateline)
    hints: list[tuple[str, str]] = []  # (outlet, where it was found), in order of trust
    lines = normalise_text(text).split("\n")

    _read_seed_header(lines, result, hints)
    blocks = _split_blocks(lines)
    blocks = _fold_embeds(blocks)
    blocks = _drop_furniture(blocks, result, hints)
    blocks = _read_credits(blocks, result, hints)

    if outlet:
        result.outlet, result.outlet_inferred_from = canonical_outlet(outlet), "given"
    elif hints:
        result.outlet, result.outlet_inferred_from = hints[0]
    result.body, result.embeds = _assemble(blocks)
    return result


def _read_credits(blocks: list[_Block], result: CleanedText, hints: list[tuple[str, str]]) -> list[_Block]:
    """Bylines, a dateline and a closing credit: the article's outlet as its own text gives it.

    A byline paragraph and a dateline that starts the first paragraph are removed (and recorded);
    a closing credit ("... on Monday. — Reuters") is cut off the last paragraph. A dateline later
    on (after a headline paragraph, or after photo captions run into the first paragraph, as in
    text scraped whole and lower-cased) or a byline run into the text is only read: the words
    around it stay as they are.
    """
    leading = [i for i, block in enumerate(blocks[:4]) if block.embed is None]
    for i in leading:
        if is_byline(blocks[i].text):
            result.removed.append({"kind": "byline", "text": blocks[i].text})
            outlet = byline_outlet(blocks[i].text)
            if outlet:
                hints.insert(0, (outlet, "byline"))
    blocks = [b for i, b in enumerate(blocks) if not (i in leading and is_byline(b.text))]
    if blocks and blocks[0].embed is None and not result.dateline:
        split = split_leading_dateline(blocks[0].text)
        if split:
            result.dateline, credit, rest = split
            if credit:
                hints.insert(0, (credit, "dateline"))
            blocks[0] = _Block([rest])
            result.removed.append({"kind": "dateline", "text": result.dateline})
    if blocks and blocks[-1].embed is None:
        closing = closing_credit(blocks[-1].text)
        if closing:
            credit, outlet = closing
            blocks[-1] = _Block([blocks[-1].text[: -len(credit)].rstrip()])
            result.removed.append({"kind": "credit line", "text": credit})
            hints.append((outlet, "credit line"))
    if not hints:
        head = "\n".join(b.text for b in blocks[:3] if b.embed is None)[:DATELINE_WITHIN]
        found = find_dateline(head)
        if found and found.outlet:
            result.dateline = result.dateline or found.text[:200]
            hints.append((found.outlet, "dateline"))
        else:
            outlet = byline_in_text(head)
            if outlet:
                hints.append((outlet, "byline"))
    return blocks


def _read_seed_header(lines: list[str], result: CleanedText, hints: list[tuple[str, str]]) -> None:
    """The seeds' optional first line: ` date YYYY-MM-DD <dateline, byline or first words>`."""
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None:
        return
    match = _SEED_HEADER.match(lines[first])
    if not match:
        return
    try:
        header_date = date.fromisoformat(match.group("date"))
    except ValueError:
        return  # not a real date: leave the line in the text rather than guess
    if result.published_on is None:
        result.published_on = header_date
    rest = match.group("rest").strip()
    lines[first] = ""
    if not rest:
        return
    if _BOILERPLATE.match(rest):
        result.removed.append({"kind": "boilerplate", "text": rest})
        return
    dateline = parse_dateline(rest)
    if dateline:
        if not result.dateline:
            result.dateline = dateline[0]
        if dateline[1]:
            hints.append((dateline[1], "dateline"))
        return
    lines[first] = rest  # the first words of the body: it is a paragraph of its own
    lines.insert(first + 1, "")


def _split_blocks(lines: list[str]) -> list[_Block]:
    """Paragraphs: blocks between blank lines, or each line where the text has no blank lines."""
    content = [i for i, line in enumerate(lines) if line]
    has_blank_lines = any(not line for line in lines[content[0] : content[-1]]) if content else False
    if not has_blank_lines:
        return [_Block([_BULLET.sub("", line)]) for line in lines if line]
    blocks: list[_Block] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
            continue
        if current:
            if all(_BULLET.match(item) for item in current):
                blocks.extend(_Block([_BULLET.sub("", item)]) for item in current)
            else:
                blocks.append(_Block(current))
            current = []
    return blocks


def _fold_embeds(blocks: list[_Block]) -> list[_Block]:
    """Turn `post text` + `— Name (@handle) Month D, YYYY` into one quotation paragraph."""
    out: list[_Block] = []
    for block in blocks:
        pending: list[str] = []
        for line in block.lines:
            credit = _EMBED_CREDIT.match(line)
            if not credit:
                pending.append(line)
                continue
            if pending:
                post_lines, pending = pending, []
            else:
                post_lines = _take_post_lines(out)
            if not post_lines:
                pending.append(line)  # a credit with no post: leave it as text
                continue
            out.append(_Block([], embed=_make_embed(post_lines, credit)))
        if pending:
            out.append(_Block(pending))
    return out


def _take_post_lines(out: list[_Block]) -> list[str]:
    """Walk back over the paragraphs before a credit line and take the ones that form the post."""
    taken: list[str] = []
    size = 0
    while out and out[-1].embed is None:
        candidate = out[-1].text
        words = candidate.split()
        if taken and candidate.endswith(":") and len(words) > 6:
            break  # "A video ... showed an aerial view of the attack:" introduces the post
        length = len(_POST_LINK.sub("", candidate))
        if taken and size + length > _MAX_POST_CHARS:
            break
        taken[:0] = out.pop().lines
        size += length
        if len(out) and len(out[-1].lines) > 1:
            break  # a multi-line paragraph before it is prose, not part of the post
    return taken


def _make_embed(post_lines: list[str], credit: re.Match[str]) -> dict[str, Any]:
    post = _POST_LINK.sub("", " ".join(post_lines))
    post = _SPACES.sub(" ", post).strip().strip('“”"')
    author = re.sub(r"[^\w\s.'’&-]", "", credit.group("author"), flags=re.UNICODE)
    author = _SPACES.sub(" ", author).strip() or credit.group("handle")
    posted_on = _parse_month_day_year(credit.group("date"))
    return {
        "author": author,
        "handle": "@" + credit.group("handle"),
        "posted_on": posted_on.isoformat() if posted_on else None,
        "posted_on_text": credit.group("date"),
        "platform": "twitter",
        "text": post,
        "credit_line": credit.group(0).strip(),
    }


def _parse_month_day_year(text: str) -> date | None:
    text = text.replace(".", "")
    for fmt in ("%B %d, %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _drop_furniture(blocks: list[_Block], result: CleanedText, hints: list[tuple[str, str]]) -> list[_Block]:
    kept: list[_Block] = []
    seen: set[str] = set()
    for block in blocks:
        if block.embed is not None:
            kept.append(block)
            continue
        text = block.text
        kind = _furniture_kind(text, hints)
        if kind is None and len(text.split()) >= 4:
            key = text.casefold()
            if key in seen:
                kind = "repeated paragraph"
            seen.add(key)
        if kind:
            result.removed.append({"kind": kind, "text": text})
        else:
            kept.append(block)
    return kept


def _furniture_kind(text: str, hints: list[tuple[str, str]]) -> str | None:
    outlet = homepage_outlet(text)
    if outlet:
        hints.append((outlet, "boilerplate"))
        return "boilerplate"
    if _BOILERPLATE.match(text):
        return "boilerplate"
    outlet = credit_line_outlet(text)
    if outlet:
        hints.append((outlet, "credit line"))
        return "credit line"
    if len(text.split()) <= _MAX_CAPTION_WORDS and (_CAPTION.search(text) or _CAPTION_PREFIX.match(text)):
        return "caption"
    return None


def _assemble(blocks: list[_Block]) -> tuple[str, list[dict[str, Any]]]:
    parts: list[str] = []
    embeds: list[dict[str, Any]] = []
    offset = 0
    for block in blocks:
        if block.embed is None:
            paragraph = block.text
        else:
            embed = block.embed
            when = embed["posted_on_text"]
            intro = f"{embed['author']} ({embed['handle']}) posted on {when}: “"
            paragraph = f"{intro}{embed['text']}”"
            start = offset + len(intro)
            embeds.append({**embed, "start": start, "end": start + len(embed["text"])})
        if not paragraph:
            continue
        parts.append(paragraph)
        offset += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return PARAGRAPH_SEPARATOR.join(parts), embeds
