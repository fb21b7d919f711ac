"""Stage 1: split a body into sentence units with exact offsets.

pysbd is accurate but slow on long strings, so it is fed one paragraph (or one
bounded chunk of a pathological paragraph) at a time.  Quotations spanning
several sentences are merged back into one unit, with a length cap so that an
unbalanced quotation mark cannot swallow the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import pysbd
import pysbd.abbreviation_replacer
from pysbd.lang.english import English
from pysbd.utils import TextSpan

from .types import Sentence

MAX_BODY_CHARS = 300_000  # beyond this we stop (recorded as skipped by the caller)
MAX_CHUNK_CHARS = 4_000  # pysbd input cap; longer paragraphs are pre-chunked
MAX_UNIT_CHARS = 1_500  # cap for a merged multi-sentence quotation
MAX_SENTENCE_CHARS = 2_000  # a "sentence" longer than this is cut at whitespace

_PARA_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE_END_RE = re.compile(r"[.!?:;\"”’)\]]\s*$")
_BULLET_RE = re.compile(r"^\s*(?:[-•*–—]\s|\d+[.)]\s)")
_CHUNK_BOUNDARY_RE = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“A-Z0-9])")
_TAIL_RE = re.compile(
    r"^[,]?\s*(?:[a-z]|(?:he|she|they|it|[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})\s+"
    r"(?:said|says|added|tweeted|wrote|told|asked|stated|explained|continued|posted)\b)"
)


class _PatternCache:
    """The ``re`` functions pysbd's abbreviation replacer calls, with their patterns compiled
    into a cache of their own.

    The replacer builds a pattern string for each abbreviation it meets (several hundred on a
    news day) and hands it to ``re.sub``/``re.findall``, whose shared cache holds 512 patterns
    and drops the oldest when full: the replacer's patterns pushed one another (and every other
    module's) out and were compiled again for each paragraph, about 60,000 times for 3,101
    articles. The same patterns, compiled once, give the same splits.
    """

    def __getattr__(self, name: str) -> object:
        return getattr(re, name)

    @staticmethod
    def sub(pattern: str, repl: Any, string: str, count: int = 0, flags: int = 0) -> str:
        return _compiled(pattern, flags).sub(repl, string, count)

    @staticmethod
    def findall(pattern: str, string: str, flags: int = 0) -> list[Any]:
        return _compiled(pattern, flags).findall(string)


@lru_cache(maxsize=4096)
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


class _Segmenter(pysbd.Segmenter):
    r"""pysbd's segmenter with its last step, finding each sentence in the text, done by string
    search instead of a regular expression made of the sentence.

    pysbd's ``sentences_with_char_spans`` compiles ``re.escape(sentence) + r"\s*"`` for every
    sentence it returns: each pattern is new, so each is parsed and compiled, which on real news
    took about a third of the time of splitting (cProfile, issue 15). ``str.find`` for the same
    literal and a scan of the whitespace after it (``\s`` in a ``str`` pattern is exactly
    ``str.isspace``) find the same non-overlapping matches in the same order, so the spans are
    the same (tests/pipeline/test_extract_speedups.py compares the two).
    """

    def sentences_with_char_spans(self, sentences: list[str]) -> list[TextSpan]:
        text = self.original_text
        size = len(text)
        spans: list[TextSpan] = []
        prior_end = 0
        for sent in sentences:
            if not sent:  # the pattern is then ``\s*`` alone, with empty matches: pysbd's own way
                for match in re.finditer(r"\s*", text):
                    if match.end() > prior_end:
                        spans.append(TextSpan(match.group(), match.start(), match.end()))
                        prior_end = match.end()
                        break
                continue
            at = text.find(sent)
            while at >= 0:
                end = at + len(sent)
                while end < size and text[end].isspace():
                    end += 1
                if end > prior_end:
                    spans.append(TextSpan(text[at:end], at, end))
                    prior_end = end
                    break
                at = text.find(sent, end)  # finditer's next match starts after this one
        return spans


class _AbbreviationReplacer(English.AbbreviationReplacer):
    r"""pysbd's English abbreviation replacer without two kinds of work that change nothing.

    For each abbreviation in a line, pysbd looks for the characters after ``{abbr} `` (its
    look-behind keeps the braces, and braces that are no quantifier are literal) and then, for
    every occurrence (" is", " is", ...), runs a substitution over the whole line. The first
    search can find something only in a line with a "{"; and each substitution turns into "∯"
    the periods that follow the abbreviation, so running it again on its own output finds
    nothing more (a period it did not match still has the same characters before it, and the
    ones after it only lose periods). So the search is skipped without a "{", a substitution is
    skipped when the occurrence is nowhere followed by a period (most are words: " is", " man"),
    and when the same substitution has just produced the current line.

    The occurrences themselves (pysbd: ``re.findall(r"(?:^|\s|\r|\n)" + abbr, line, re.I)``)
    are found with ``str.find`` in the lower-cased line for the abbreviations of letters only:
    the substitutions change only periods, so those occurrences stay where they were, and
    ``\s`` is ``str.isspace``. Lines with a character that ``re.IGNORECASE`` matches to an
    ASCII letter or that lower-cases to two characters (İ, ı, ſ, the Kelvin sign) keep pysbd's
    search, as do the abbreviations with a period (a wildcard in pysbd's pattern).
    """

    def search_for_abbreviations_in_string(self, text: str) -> str:
        lowered = text.lower()
        plain = _FOLDS_TO_ASCII.isdisjoint(text)
        abbreviations = _Abbreviations.of(tuple(self.lang.Abbreviation.ABBREVIATIONS))
        for stripped in abbreviations.before_periods(lowered) if plain else abbreviations.ordered:
            if stripped not in lowered:
                continue
            if plain and "." not in stripped:
                abbrev_match = _occurrences(text, lowered, stripped)
            else:
                abbrev_match = _compiled(rf"(?:^|\s|\r|\n){stripped}", re.IGNORECASE).findall(text)
            if not abbrev_match:
                continue
            char_array = []
            if "{" in text:
                char_array = _compiled(r"(?<={" + str(re.escape(stripped)) + "} ).{1}", 0).findall(text)
            produced: dict[tuple[str, bool], str] = {}
            for ind, match in enumerate(abbrev_match):
                am = match.strip()
                if am + "." not in text:  # what every substitution replaces: a period right after it
                    continue
                key = (am, ind < len(char_array) and str(char_array[ind]).isupper())
                if "∯" not in am and produced.get(key) == text:
                    continue
                text = self.scan_for_replacements(text, match, ind, char_array)
                produced[key] = text
        return text


class _Abbreviations:
    """pysbd's abbreviations, stripped, in its order; and those a line may need, found at once.

    Every substitution for an abbreviation of letters only needs the abbreviation right before a
    period (``am + "."`` above, ``am`` being the abbreviation in the line's case); for the others
    nothing in the line changes. So in a line whose lower case is its own character for character
    only the abbreviations that end some stretch of letters before one of its periods are looked
    at, in pysbd's order, instead of all 188 (on average a handful), and those with a period of
    their own always are. The substitutions only turn periods into "∯", so the periods of the
    line as it came in are enough.
    """

    def __init__(self, abbreviations: tuple[str, ...]) -> None:
        self.ordered = tuple(abbr.strip() for abbr in abbreviations)
        self.dotted = tuple(a for a in self.ordered if "." in a)
        self.letters = frozenset(self.ordered).difference(self.dotted)
        self.longest = max(map(len, self.ordered))

    @staticmethod
    @lru_cache(maxsize=4)
    def of(abbreviations: tuple[str, ...]) -> _Abbreviations:
        return _Abbreviations(abbreviations)

    def before_periods(self, lowered: str) -> tuple[str, ...] | list[str]:
        endings: set[str] = set()
        at = lowered.find(".")
        while at >= 0:
            endings.update(lowered[max(0, at - k) : at] for k in range(1, self.longest + 1))
            at = lowered.find(".", at + 1)
        wanted = self.letters.intersection(endings)
        if not wanted:
            return self.dotted
        return [a for a in self.ordered if a in wanted or "." in a]


# The characters other than ASCII letters that re.IGNORECASE matches to an ASCII letter, or whose
# lower case has another length (tests/pipeline/test_extract_speedups.py checks every code point).
_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")


def _occurrences(text: str, lowered: str, abbr: str) -> list[str]:
    r"""``re.findall(r"(?:^|\s|\r|\n)" + abbr, text, re.IGNORECASE)`` for an abbreviation of
    ASCII letters, ``lowered`` being ``text.lower()`` character for character."""
    found = []
    at = lowered.find(abbr)
    while at >= 0:
        if at == 0:
            found.append(text[: len(abbr)])
        elif text[at - 1].isspace():
            found.append(text[at - 1 : at + len(abbr)])
        at = lowered.find(abbr, at + 1)
    return found


class _English(English):
    AbbreviationReplacer = _AbbreviationReplacer


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    pysbd.abbreviation_replacer.re = _PatternCache()
    segmenter = _Segmenter(language="en", clean=False)
    segmenter.language_module = _English
    return segmenter


@contextmanager
def pysbd_as_it_comes() -> Iterator[None]:
    """pysbd's abbreviation replacer with the plain ``re`` module while in the block, for
    comparisons with pysbd as it comes (tests, benchmarks)."""
    _segmenter()  # ours installed first, so that what is restored is ours
    saved = pysbd.abbreviation_replacer.re
    pysbd.abbreviation_replacer.re = re
    try:
        yield
    finally:
        pysbd.abbreviation_replacer.re = saved


def paragraphs(body: str) -> list[tuple[int, int]]:
    """(start, end) of paragraph blocks; a bullet or line ending a sentence starts a new block."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in [*list(_PARA_RE.finditer(body)), None]:
        end = m.start() if m else len(body)
        _split_lines(body, pos, end, spans)
        if m:
            pos = m.end()
    return spans


def _split_lines(body: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    block_start = None
    line_start = start
    while line_start <= end:
        nl = body.find("\n", line_start, end)
        line_end = end if nl == -1 else nl
        line = body[line_start:line_end]
        if line.strip():
            if block_start is None:
                block_start = line_start
            elif _BULLET_RE.match(line) or _LINE_END_RE.search(body[block_start:line_start]):
                _push(body, block_start, line_start, out)
                block_start = line_start
        if nl == -1:
            break
        line_start = nl + 1
    if block_start is not None:
        _push(body, block_start, end, out)


def _push(body: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))


def _chunks(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long paragraph at sentence-like boundaries (or whitespace) before pysbd."""
    if end - start <= MAX_CHUNK_CHARS:
        return [(start, end)]
    out = []
    pos = start
    while end - pos > MAX_CHUNK_CHARS:
        limit = pos + MAX_CHUNK_CHARS
        cut = None
        for m in _CHUNK_BOUNDARY_RE.finditer(body, pos + MAX_CHUNK_CHARS // 2, limit):
            cut = m.end()
        if cut is None:
            ws = body.rfind(" ", pos + 1, limit)
            cut = ws + 1 if ws > pos else limit
        out.append((pos, cut))
        pos = cut
    out.append((pos, end))
    return out


def _segment_offsets(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """pysbd on body[start:end], mapped back to absolute offsets by forward search."""
    chunk = body[start:end]
    try:
        segs = _segmenter().segment(chunk)
    except Exception:  # pysbd has had crashes on odd input; fall back to one unit
        segs = [chunk]
    spans = []
    cursor = 0
    for seg in segs:
        s = seg.strip()
        if not s:
            continue
        i = chunk.find(s, cursor)
        if i < 0:  # pysbd altered the text; give up on exact mapping for the rest
            rest = chunk[cursor:].strip()
            if rest:
                j = chunk.find(rest, cursor)
                spans.append((start + j, start + j + len(rest)))
            return spans
        spans.append((start + i, start + i + len(s)))
        cursor = i + len(s)
    return spans


def _quote_balance(text: str) -> int:
    """>0 when a quotation is left open at the end of ``text``."""
    opened = text.count("“") - text.count("”")
    straight = text.count('"') % 2
    return max(opened, 0) + straight


def _merge_quotes(body: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join sentences inside one open quotation, and a dangling '..., he said.' tail."""
    out: list[tuple[int, int]] = []
    i = 0
    n = len(spans)
    while i < n:
        s, e = spans[i]
        j = i
        if _quote_balance(body[s:e]) > 0:
            k = i
            while k + 1 < n and spans[k + 1][1] - s <= MAX_UNIT_CHARS:
                k += 1
                if _quote_balance(body[s : spans[k][1]]) == 0:
                    j = k
                    break
        e = spans[j][1]
        # '“... responsible.” | he tweeted.' -> one unit
        if j + 1 < n and body[s:e].rstrip().endswith(("”", '"')):
            ns, ne = spans[j + 1]
            if ne - ns < 80 and _TAIL_RE.match(body[ns:ne]):
                j += 1
                e = ne
        out.append((s, e))
        i = j + 1
    return out


def _cut_long(body: str, s: int, e: int) -> list[tuple[int, int]]:
    if e - s <= MAX_SENTENCE_CHARS:
        return [(s, e)]
    out = []
    while e - s > MAX_SENTENCE_CHARS:
        ws = body.rfind(" ", s + 1, s + MAX_SENTENCE_CHARS // 2)
        cut = ws if ws > s else s + MAX_SENTENCE_CHARS // 2
        out.append((s, cut))
        s = cut
        while s < e and body[s].isspace():
            s += 1
    if e > s:
        out.append((s, e))
    return out


def split_sentences(body: str) -> list[Sentence]:
    """Sentence units of ``body`` (at most MAX_BODY_CHARS of it), body[start:end] == text."""
    limit = min(len(body), MAX_BODY_CHARS)
    out: list[Sentence] = []
    for p_index, (ps, pe) in enumerate(paragraphs(body[:limit])):
        spans: list[tuple[int, int]] = []
        for cs, ce in _chunks(body, ps, pe):
            spans.extend(_segment_offsets(body, cs, ce))
        for s, e in _merge_quotes(body, spans):
            for cs, ce in _cut_long(body, s, e):
                out.append(Sentence(cs, ce, body[cs:ce], p_index))
    return out
