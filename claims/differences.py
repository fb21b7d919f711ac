"""Where texts that state one fact differ, word by word: what the claim and conflict pages mark.

Pure Python (difflib on word tokens), no Django. A word of one text differs when it is not aligned
with a word of most of the texts it is compared with (a content word that the other text has
elsewhere was moved, not changed): on a claim page, a mention against the claim's
other mentions ("a local reporter" among three "an Associated Press reporter"s: "local" is marked in
the one, nothing in the others); on a conflict page, a side's mention against the other side's
("at least three" / "half a dozen"). Case, quotation marks and apostrophes are no difference, and
neither is punctuation; "a", "an" and "the" are marked only next to a marked word, and a run of
function words alone ("of the", "their") not at all. A text that shares
almost nothing with the others is said to be worded differently instead of being marked all over.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

_WORD = re.compile(r"\w+(?:['’.,-]\w+)*")
_ARTICLES = frozenset({"a", "an", "the"})
# Words that carry no fact of their own: a run of only these is no difference worth the eye ("of the",
# "their"). Negations, quantifiers and verbs of saying are not among them: "not", "more", "said" differ.
_FUNCTION = _ARTICLES | frozenset(
    "of to in on at by for with from into and or but as than that this these those it its their his her "
    "our your my was were is are be been being has have had".split()
)
# Above this share of a text's words marked, the texts are worded differently: marking is no help.
REWORDED = 0.67
# Two texts at least this alike (difflib's ratio on their words) say the same thing: one group.
ALIKE = 0.9


@dataclass(frozen=True)
class Segment:
    text: str
    differs: bool = False


@dataclass(frozen=True)
class Marked:
    """A text cut into segments, the differing runs marked; `differences` are those runs' words."""

    segments: tuple[Segment, ...]
    differences: tuple[str, ...] = ()
    reworded: bool = False


def _norm(word: str) -> str:
    word = unicodedata.normalize("NFKC", word).casefold().replace("’", "'")
    return word.replace(",", "") if word[:1].isdigit() else word  # "1,000" is "1000"


def words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, normalised word) of each word of `text`."""
    return [(m.start(), m.end(), _norm(m.group())) for m in _WORD.finditer(text)]


def _aligned(a: Sequence[str], b: Sequence[str]) -> set[int]:
    """The positions of `a`'s words that difflib aligns with words of `b`."""
    shared: set[int] = set()
    for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        shared.update(range(block.a, block.a + block.size))
    return shared


def _differing(tokens: Sequence[str], others: Sequence[Sequence[str]]) -> list[bool]:
    """For each word: aligned with a word of fewer than half of `others` (always False without others)."""
    if not others:
        return [False] * len(tokens)
    counts = [0] * len(tokens)
    for other in others:
        aligned, present = _aligned(tokens, other), set(other)
        for i, token in enumerate(tokens):
            # A word the other text has elsewhere was moved, not changed ("supporters of the militia" /
            # "militia supporters"); a function word counts only where difflib aligns it.
            if i in aligned or (token not in _FUNCTION and token in present):
                counts[i] += 1
    differs = [2 * n < len(others) for n in counts]
    # An article alone is no difference ("a" / "an"); next to a marked word it belongs to the run.
    for i, token in enumerate(tokens):
        if differs[i] and token in _ARTICLES:
            beside = (i > 0 and differs[i - 1] and tokens[i - 1] not in _ARTICLES) or (
                i + 1 < len(tokens) and differs[i + 1] and tokens[i + 1] not in _ARTICLES
            )
            differs[i] = beside
    i = 0
    while i < len(tokens):
        if not differs[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and differs[j + 1]:
            j += 1
        if all(t in _FUNCTION for t in tokens[i : j + 1]):
            differs[i : j + 1] = [False] * (j + 1 - i)
        i = j + 1
    return differs


def _segments(text: str, spans: Sequence[tuple[int, int, str]], differs: Sequence[bool]) -> Marked:
    if not any(differs):
        return Marked((Segment(text),))
    if sum(differs) > REWORDED * len(differs):
        return Marked((Segment(text),), reworded=True)
    segments: list[Segment] = []
    runs: list[str] = []
    cursor = 0
    i = 0
    while i < len(spans):
        if not differs[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(spans) and differs[j + 1]:
            j += 1
        start, end = spans[i][0], spans[j][1]
        if start > cursor:
            segments.append(Segment(text[cursor:start]))
        segments.append(Segment(text[start:end], differs=True))
        runs.append(text[start:end])
        cursor = end
        i = j + 1
    if cursor < len(text):
        segments.append(Segment(text[cursor:]))
    return Marked(tuple(segments), tuple(runs))


def mark_among(texts: Sequence[str]) -> list[Marked]:
    """Each text with the words in which it differs from most of the others marked (a claim's mentions)."""
    spans = [words(t) for t in texts]
    tokens = [[w for _, _, w in s] for s in spans]
    return [
        _segments(text, spans[i], _differing(tokens[i], [t for j, t in enumerate(tokens) if j != i]))
        for i, text in enumerate(texts)
    ]


def mark_against(texts: Sequence[str], others: Sequence[str]) -> list[Marked]:
    """Each text with the words in which it differs from most of `others` marked (a conflict's side
    against the other side)."""
    other_tokens = [[w for _, _, w in words(o)] for o in others]
    marked = []
    for text in texts:
        spans = words(text)
        marked.append(_segments(text, spans, _differing([w for _, _, w in spans], other_tokens)))
    return marked


def group_alike(texts: Sequence[str], threshold: float = ALIKE) -> list[list[int]]:
    """The texts' indexes in groups that say the same thing in (nearly) the same words, each group in
    the texts' order, the groups in the order of their first text."""
    tokens = [[w for _, _, w in words(t)] for t in texts]
    groups: list[list[int]] = []
    for i, toks in enumerate(tokens):
        for group in groups:
            first = tokens[group[0]]
            if toks == first or (
                toks and first and SequenceMatcher(None, toks, first, autojunk=False).ratio() >= threshold
            ):
                group.append(i)
                break
        else:
            groups.append([i])
    return groups
