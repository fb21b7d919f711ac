"""Quote conflicts: the same speaker's same utterance, quoted in materially different words.

Two quoted sentences are one utterance when they share most of their words in order (a
sequence alignment, not a bag of words): two different sentences by one speaker are never
compared. Harmless variants are not differences: typography, contractions, "&" / "and",
ellipses, editorial brackets, name spellings (fuzzy), and a partial quote contained in the
full one. A changed content word, number, name or negation is, and the conflict shows exactly
which words differ on each side. One utterance gives one conflict: the most widely quoted
wording against every wording that differs from it materially.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz import fuzz

from ..confidence import Factors
from ..polarity import polarity
from ..quantities import word_value
from ..text import STOPWORDS, fold_quotes, stem
from ..types import Conflict, Severity
from ..unionfind import UnionFind
from .context import Ctx

NEGATIONS = frozenset({"not", "no", "never", "nobody", "nothing", "none", "neither", "nor", "without"})
_CONTRACTIONS = [
    (r"\bgonna\b", "going to"),
    (r"\bwanna\b", "want to"),
    (r"\bgotta\b", "got to"),
    (r"\bwon't\b", "will not"),
    (r"\bcan't\b", "can not"),
    (r"\bcannot\b", "can not"),
    (r"\bshan't\b", "shall not"),
    (r"\bain't\b", "is not"),
    (r"\s?n't\b", " not"),
    (r"\s?'re\b", " are"),
    (r"\s?'ve\b", " have"),
    (r"\s?'ll\b", " will"),
    (r"\s?'m\b", " am"),
    (r"\s?'d\b", " would"),
    (r"\b(it|that|there|here|what|who|he|she|where|how)\s?'s\b", r"\1 is"),
    (r"\s?'s\b", ""),  # possessive
]
_CONTRACTION_RES = [(re.compile(p, re.IGNORECASE), r) for p, r in _CONTRACTIONS]
GAP = "ellipsisgap"
_TEXTING_WORDS = {"u": "you", "ur": "your", "r": "are", "pls": "please", "plz": "please", "thx": "thanks"}
_TEXTING = re.compile(r"(?<![\w'’])(?:" + "|".join(_TEXTING_WORDS) + r")(?![\w'’])", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z\u00C0-\u024F]+|\d+(?:[.,]\d+)*")
# Words whose presence or absence never changes what was said.
_FILLER = STOPWORDS - NEGATIONS | {"and", "so", "well", "oh", "uh", "um", "like", "yes", "okay", "ok", "ellipsisgap"}
SAME_UTTERANCE = 0.6  # share of the shorter version's words found in order in the longer one
MIN_SHARED_WORDS = 3
# Versions sharing fewer content words than this ("want", "make", "show") are one remark quoted
# two ways only when they differ in at most FEW_SHARED_CHANGES content words ("we rebuilt 40
# homes" / "we rebuilt 60 homes"); differing in more, they are as often two remarks of one speaker.
FEW_SHARED_WORDS = 4
FEW_SHARED_CHANGES = 2
# A quotation of fewer content words is a phrase in quotation marks, not a statement.
MIN_STATEMENT_WORDS = 3
# Words one version leaves out, with no ellipsis, that are still not a difference in what was said:
# a form of address and function words, at most this many.
UNMARKED_CUT = 4
# Content words one version has between the words the two share, and the other lacks (no
# ellipsis), counted over the whole quotation: this many are other sentences or clauses spliced
# in, so the two are two statements of one speaker ("... extraneous facts, he never once
# mentioned ..." / "Comey never wrote that ..."), not one utterance quoted two ways.
SPLICED_WORDS = 5
SPLICED_SHARE = 0.5  # ... and at least this share of the shorter version's content words
# A negation inside words one version leaves out or puts in flips what was said only when the
# rest of those words is short ("we will [not] raise"), not when a whole clause with a "not"
# in it is left out.
NEGATION_CUT_WORDS = 3
_ADDRESS = frozenset(
    "mr mrs ms dr sir madam president chair chairman chairwoman speaker senator minister prime secretary governor "
    "general ladies gentlemen".split()
)
# Versions credited to different (or no) speakers are one utterance only when this close.
UNCREDITED_COVERAGE = 0.65
UNCREDITED_SHARED_WORDS = 8
OTHER_SPEAKER_COVERAGE = 0.85
MAX_VERSIONS_PER_WORD = 60  # a word in more quotations than this does not propose pairs


@dataclass(frozen=True)
class Token:
    word: str  # lower-case, contractions expanded
    name: bool  # capitalised inside the sentence: a name, whose spelling may vary


_VULGAR_FRACTION = re.compile("[\u00bc-\u00be\u2150-\u215e]")


def _fraction(m: re.Match[str]) -> str:
    return " " + unicodedata.normalize("NFKC", m.group()).replace("\u2044", "/")


@lru_cache(maxsize=20_000)
def quote_tokens(text: str) -> tuple[Token, ...]:
    """Words of a quotation with typography, contractions, '&', ellipses and brackets folded away."""
    t = fold_quotes(text).replace("&", " and ").replace("…", f" {GAP} ")
    t = _VULGAR_FRACTION.sub(_fraction, t)  # "6½" says what "6 1/2" says
    t = re.sub(r"\.{3,}|(?:\.\s){2,}\.", f" {GAP} ", t)  # an ellipsis: words left out on purpose
    # editorial insertions stand in for words left out or replaced: "[the deal]", "(Russian
    # President) Putin", "we hope people who love [Facebook user] will find comfort"
    t = re.sub(r"\[[^\]]*\]|\([^)]*\)", f" {GAP} ", t)
    t = _TEXTING.sub(lambda m: _TEXTING_WORDS[m.group().lower()], t)  # "do u know" says "do you know"
    t = re.sub(r"\b([A-Za-z])\.([A-Za-z])\.", r"\1\2", t)  # U.S. -> US
    t = re.sub(r"(?<=\w)\s*'\s*(re|ve|ll|m|d|s|t)\b", r"'\1", t)  # tokenised "i ' m", "they 're"
    t = re.sub(r"(?<=\w)\s+n't\b", "n't", t)
    for rx, rep in _CONTRACTION_RES:
        t = rx.sub(rep, t)
    t = t.replace("%", " percent ").replace("per cent", "percent")
    out = []
    for i, m in enumerate(_TOKEN.finditer(t)):
        w = m.group()
        lw = w.lower().replace(",", "")
        value = word_value(lw) if lw in _NUMBER_WORDS else None
        word = str(int(value)) if value is not None else _american(lw)
        out.append(Token(word, name=i > 0 and w[:1].isupper() and not w.isupper()))
    return tuple(out)


# British and American spellings of one word: "honour" / "honor", "centre" / "center",
# "organise" / "organize", "defence" / "defense", "programme" / "program". Applied to both
# sides alike, so a rule can only make two spellings meet.
_SPELLINGS = [
    (re.compile(r"(?<=\w{3})our(s?)$"), r"or\1"),
    (re.compile(r"(?<=\w{3})tre(s?)$"), r"ter\1"),
    (re.compile(r"(?<=\w{3})is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?<=\w{3})ence$"), "ense"),
    (re.compile(r"^programme(s?)$"), r"program\1"),
]


@lru_cache(maxsize=50_000)  # every word of every quotation; words repeat
def _american(word: str) -> str:
    if len(word) < 5:
        return word
    for rx, rep in _SPELLINGS:
        word = rx.sub(rep, word)
    return word


_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred".split()
)


@dataclass(frozen=True)
class Comparison:
    same_utterance: bool
    coverage: float  # share of the shorter version found, in order, in the longer
    differences: tuple[tuple[str, str], ...] = ()  # material differences: (words of a, words of b)
    negation: bool = False
    number: bool = False
    name: bool = False
    shared: int = 0  # content words found in order in both
    changed: int = 0  # content words that differ (not counting words only moved)


def _material(words: list[Token]) -> list[Token]:
    return [t for t in words if t.word not in _FILLER]


def _spelling_variant(a: list[Token], b: list[Token]) -> bool:
    """'Qaddafi' / 'Gadhafi', 'Shiite' / 'Shia': a name spelt differently, not another word."""
    if not a or not b or len(a) != len(b):
        return False
    return all(x.name and y.name and fuzz.ratio(x.word, y.word) >= 70 for x, y in zip(a, b, strict=True))


_PRONOUNS = frozenset("it they them he she him her this that these those we us".split())


_NEGATING_PREFIX = re.compile(r"^(?:un|in|im|il|ir|non|dis|mis)")


def _spelt_alike(a: list[Token], b: list[Token]) -> bool:
    """'honour' / 'honor', 'centre' / 'center', 'memorandums' / 'memoranda': one word spelt two
    ways, but never 'possible' / 'impossible' (a prefix that negates is a real difference)."""
    if len(a) != 1 or len(b) != 1:
        return False
    x, y = a[0].word, b[0].word
    if min(len(x), len(y)) < 5 or x[:3] != y[:3]:
        return False
    longer, shorter = (x, y) if len(x) >= len(y) else (y, x)
    if longer.endswith(shorter) and _NEGATING_PREFIX.match(longer[: len(longer) - len(shorter)]):
        return False
    return fuzz.ratio(x, y) >= 80


def _unpair_spellings(a: list[Token], b: list[Token]) -> tuple[list[Token], list[Token]]:
    """The words of a change left when words spelt alike on the two sides are taken out in pairs."""
    if not a or not b:
        return a, b
    rest_b = list(b)
    rest_a = []
    for x in a:
        hit = next((y for y in rest_b if _spelt_alike([x], [y]) or _spelling_variant([x], [y])), None)
        if hit is None:
            rest_a.append(x)
        else:
            rest_b.remove(hit)
    return rest_a, rest_b


def _same_letters(a: list[Token], b: list[Token]) -> bool:
    """'front runner' / 'frontrunner', 'sept' / 'september': spacing or an abbreviation."""
    ja, jb = "".join(t.word for t in a), "".join(t.word for t in b)
    if not ja or not jb:
        return False
    short, long_ = sorted((ja, jb), key=len)
    return ja == jb or (len(a) == len(b) == 1 and len(short) >= 3 and long_.startswith(short) and short.isalpha())


def _clarified(a: list[Token], b: list[Token]) -> bool:
    """One side is a pronoun, the other a short noun phrase in its place."""
    for x, y in ((a, b), (b, a)):
        if x and all(t.word in _PRONOUNS for t in x) and 0 < len(y) <= 5 and not any(t.word in NEGATIONS for t in y):
            return True
    return False


def could_be_one_utterance(a: Counter[str], b: Counter[str]) -> bool:
    """False when ``compare_quotes`` cannot find one utterance in two versions, given the counts
    of their content words (``quote_tokens`` words not in _FILLER).

    The words it matches in order are at most the words the two have in common, counted with
    repeats; a pair that cannot reach its coverage even so needs no sequence alignment, which
    is most pairs of a large story (two quotations sharing a rare word or two).
    """
    if len(a) > len(b):
        a, b = b, a
    shared = sum(min(n, b[w]) for w, n in a.items() if w in b)
    if not shared:
        return False  # what compare_quotes concludes too: coverage 0
    shorter = min(a.total(), b.total()) or 1
    return min(1.0, shared / shorter) >= SAME_UTTERANCE and shared >= min(MIN_SHARED_WORDS, shorter)


def _words_needed(length: int) -> int:
    """The fewest shared content words with which a version of ``length`` content words, the
    shorter of two, passes could_be_one_utterance (more than ``length`` when none do)."""
    return next(
        (
            s
            for s in range(1, length + 1)
            if min(1.0, s / length) >= SAME_UTTERANCE and s >= min(MIN_SHARED_WORDS, length)
        ),
        length + 1,
    )


def _pairs_sharing_enough(material: dict[str, Counter[str]]) -> list[tuple[str, str]]:
    """Sorted pairs (a, b), a < b, that may share enough content words to pass
    could_be_one_utterance: every pair that does, and few others.

    Prefix filtering (Bayardo, Ma and Srikant, "Scaling up all pairs similarity search", WWW
    2007): a version that is the shorter of two and shares at least t of its n words (counted
    with repeats) with the other has one of them among any n - t + 1 of its words; taking its
    rarest ones, each version looks up only the few versions that hold one of its rarest words
    and are at least as long, instead of every version that shares any word with it.
    """
    holders: dict[str, list[str]] = defaultdict(list)
    for n, words in material.items():
        for w in words:
            holders[w].append(n)
    length = {n: words.total() for n, words in material.items()}
    found: set[tuple[str, str]] = set()
    for a, words in material.items():
        if not length[a]:
            continue
        rarest = sorted((len(holders[w]), w) for w, times in words.items() for _ in range(times))
        for _, w in rarest[: length[a] - _words_needed(length[a]) + 1]:
            for b in holders[w]:
                if b != a and length[b] >= length[a]:
                    found.add((a, b) if a < b else (b, a))
    return sorted(found)


def compare_quotes(a: str, b: str) -> Comparison:
    """Whether two quoted sentences are one utterance, and how they differ in substance."""
    ta, tb = quote_tokens(a), quote_tokens(b)
    if not ta or not tb:
        return Comparison(False, 0.0, ())
    sm = SequenceMatcher(None, [t.word for t in ta], [t.word for t in tb], autojunk=False)
    blocks = sm.get_matching_blocks()
    # Coverage counts content words only: "we will rebuild every house" / "we are going to
    # rebuild every home" share their substance, not their function words.
    matched = sum(1 for bl in blocks for t in ta[bl.a : bl.a + bl.size] if t.word not in _FILLER)
    shorter = min(len(_material(list(ta))), len(_material(list(tb)))) or 1
    coverage = min(1.0, matched / shorter)
    same = coverage >= SAME_UTTERANCE and matched >= min(MIN_SHARED_WORDS, shorter)
    if not same:
        return Comparison(False, coverage, (), shared=matched)
    ops = sm.get_opcodes()
    all_a, all_b = {stem(t.word) for t in ta}, {stem(t.word) for t in tb}
    changed = 0  # content words changed, moved words not counted
    first = next((i for i, op in enumerate(ops) if op[0] == "equal"), None)
    last = max((i for i, op in enumerate(ops) if op[0] == "equal"), default=len(ops))
    diffs: list[tuple[str, str]] = []
    neg = num = name = False
    extra_a = extra_b = 0  # content words one version has between shared words and the other lacks
    for i, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            continue
        wa, wb = list(ta[i1:i2]), list(tb[j1:j2])
        # Words before the first or after the last shared word: one side quotes more of the
        # sentence (a partial quote), which is not a difference in what was said.
        if first is not None and (i < first or i > last) and (not wa or not wb):
            continue
        if first is not None and (i < first or i > last) and tag == "replace":
            continue
        if any(t.word == GAP for t in wa + wb):
            continue  # one side marked the cut with an ellipsis
        cut = {t.word for t in wa + wb}
        if (not wa or not wb) and len(wa) + len(wb) <= UNMARKED_CUT and cut <= _ADDRESS | _FILLER - NEGATIONS:
            continue  # a form of address left out without an ellipsis: "Your visit, Mr. President, comes" / "Your visit comes"
        ma, mb = _material(wa), _material(wb)
        if not ma and not mb:
            continue
        if {stem(t.word) for t in ma} == {stem(t.word) for t in mb}:
            continue  # word order or inflection only: "should have never" / "should never have"
        if _spelling_variant(ma, mb) or _same_letters(wa, wb) or _spelt_alike(ma, mb):
            continue
        if tag == "replace" and _clarified(wa, wb):
            continue  # "they restart it" / "they restart [their nuclear program]": an unmarked clarification
        # Words the other version has elsewhere were moved, not changed ("soldiers of the
        # state" / "state soldiers"), and a word spelt another way inside a longer change is
        # the same word ("memorandums to Congress" / "memoranda"): what is left is the difference.
        # A negation is never "moved": the other version's "not" elsewhere negates something else.
        ma = [t for t in ma if t.word in NEGATIONS or stem(t.word) not in all_b]
        mb = [t for t in mb if t.word in NEGATIONS or stem(t.word) not in all_a]
        ma, mb = _unpair_spellings(ma, mb)
        if not ma and not mb:
            continue
        if first is not None and first < i < last:
            extra_a += max(0, len(ma) - len(mb))
            extra_b += max(0, len(mb) - len(ma))
        changed += len(ma) + len(mb)
        words_a, words_b = {t.word for t in wa}, {t.word for t in wb}
        rest = max(len([t for t in ma if t.word not in NEGATIONS]), len([t for t in mb if t.word not in NEGATIONS]))
        neg |= bool((words_a ^ words_b) & NEGATIONS) and rest <= NEGATION_CUT_WORDS
        # a number changed or left out ("rebuilt [40] homes"), not one left out with the words it
        # belongs to ("all factors [of the five factor model] of personality")
        digits_a = [t for t in ma if t.word[0].isdigit()]
        digits_b = [t for t in mb if t.word[0].isdigit()]
        num |= bool(digits_a or digits_b) and (
            bool(digits_a and digits_b) or (len(ma) == len(digits_a) and len(mb) == len(digits_b))
        )
        name |= any(t.name for t in ma) and any(t.name for t in mb)  # a name swapped for another
        diffs.append((" ".join(t.word for t in wa), " ".join(t.word for t in wb)))
    extra = max(extra_a, extra_b)
    if matched < FEW_SHARED_WORDS and changed > FEW_SHARED_CHANGES:
        return Comparison(False, coverage, (), shared=matched)  # little in common, much different
    if extra >= SPLICED_WORDS and extra >= SPLICED_SHARE * shorter:
        # other statements spliced between the shared words: two utterances of one speaker,
        # not one quoted two ways
        return Comparison(False, coverage, (), shared=matched)
    if neg and _same_negations(a, b):
        neg = False  # "I don't really -- I can't dance" / "I don't dance": both deny the same thing
    return Comparison(True, coverage, tuple(diffs), neg, num, name, shared=matched, changed=changed)


def _same_negations(a: str, b: str) -> bool:
    """Both versions negate an event, and neither states one the other negates."""
    pa, pb = polarity(fold_quotes(a)), polarity(fold_quotes(b))
    return bool(pa.negated & pb.negated) and not (pa.negated & pb.affirmed or pb.negated & pa.affirmed)


def _severity(c: Comparison) -> Severity:
    if c.negation or c.number:
        return "high"
    return "medium" if c.name or sum(len(x.split()) + len(y.split()) for x, y in c.differences) > 2 else "low"


@dataclass
class QuoteMemo:
    """What a story's runs compared: every pair of versions that could be one utterance and
    shared an uncommon word when compared, with the comparison (``compare_quotes`` reads only
    the two texts, and a version's text is its first mention's). A run that adds mentions
    compares only the pairs with a new version: a word common in the story stays common, so a
    pair that shared no uncommon word never will. It also keeps the story's versions as read
    from its first ``mentions`` mentions (``quote_conflicts``' ``versions`` and ``display``),
    so that a run reads the quotations of the new mentions only."""

    versions: set[str]
    compared: dict[tuple[str, str], Comparison]
    read: dict[str, dict] = field(default_factory=dict)
    display: dict[str, str] = field(default_factory=dict)
    mentions: int = 0
    # each version's content words (``_content_words``), and the versions under each stem
    words: dict[str, tuple[frozenset[str], Counter[str]]] = field(default_factory=dict)
    by_word: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add_words(self, norm: str) -> None:
        """Read a new version's words (``_content_words``) and list it under each of its stems."""
        self.words[norm] = _content_words(norm)
        for w in self.words[norm][0]:
            self.by_word[w].append(norm)

    def index_words(self) -> None:
        """Make ``by_word`` again from ``words`` (what a story's log keeps), in the same order."""
        self.by_word = defaultdict(list)
        for norm, (stems, _) in self.words.items():
            for w in stems:
                self.by_word[w].append(norm)


def quote_conflicts(ctx: Ctx, memo: QuoteMemo | None = None) -> list[Conflict]:
    """The quotation conflicts; ``memo``, when given, is the story's (updated)."""
    # quoted text (normalised) -> as written, mention keys, speakers, whether from an embedded post;
    # read in the mentions' order, the story's new mentions being its last
    versions: dict[str, dict] = {} if memo is None else memo.read
    display: dict[str, str] = {} if memo is None else memo.display
    first = 0 if memo is None else memo.mentions
    for m in ctx.mentions[first:]:
        for q in m.slots.quotes:
            text = q.text.strip(" ,")
            if q.fragment or len(text.split()) < 4:
                continue
            tokens = quote_tokens(text)
            if len(_material(list(tokens))) < MIN_STATEMENT_WORDS:
                continue  # a phrase in quotation marks ("the 'best if used by' label"), not a statement
            if q.speaker_key:
                display.setdefault(q.speaker_key, q.speaker or q.speaker_key)
                if q.speaker and len(q.speaker) > len(display[q.speaker_key]) and q.how != "embed":
                    display[q.speaker_key] = q.speaker
            norm = " ".join(t.word for t in tokens)
            entry = versions.setdefault(
                norm, {"text": text, "keys": set(), "embed": False, "embed_keys": set(), "speakers": {}}
            )
            entry["keys"].add(m.key)
            entry["embed"] |= q.how == "embed"
            if q.how == "embed":
                entry["embed_keys"].add(m.key)
            if q.speaker_key:
                # speaker key -> whether the speaker was found as a name ("Perez"), not a
                # description or a stray word ("the agency", "also")
                named = bool(q.speaker and _NAME_LIKE.match(q.speaker) and q.how != "subject")
                entry["speakers"][q.speaker_key] = entry["speakers"].get(q.speaker_key, False) or named
    if memo is not None:
        memo.mentions = len(ctx.mentions)
    found = _utterance_conflicts(ctx, versions, display, memo)
    # One conflict per disagreement: a quotation given in two mentions of one article
    # (the lead and a later paragraph) does not make a second conflict.
    merged: dict[tuple, Conflict] = {}
    for c in found:
        k = (c.side_a, c.side_b)
        prev = merged.get(k)
        if prev is None or c.confidence > prev.confidence:
            merged[k] = c
    return list(merged.values())


_NAME_LIKE = re.compile(r"^(?!(?:It|He|She|They|We|I|This|That|The|A|An|His|Her|Their)\b)[A-Z]")


def _same_speaker(a: dict, b: dict, c: Comparison) -> bool:
    """The same person said both: the same speaker found, or words too many to be a coincidence.

    Speakers are found by a pattern and are sometimes missed or wrong ("the statement", "he"
    resolved to the last name seen); a long quotation given nearly word for word is one
    utterance whoever the patterns credited it to.
    """
    if set(a["speakers"]) & set(b["speakers"]):
        return True
    # Two different speakers found: close to word for word, or they are two texts (a complaint
    # and the statement quoting it) that happen to share a phrase.
    named_a = {k for k, name in a["speakers"].items() if name}
    named_b = {k for k, name in b["speakers"].items() if name}
    needed = OTHER_SPEAKER_COVERAGE if named_a and named_b else UNCREDITED_COVERAGE
    return c.coverage >= needed and c.shared >= UNCREDITED_SHARED_WORDS


def _content_words(norm: str) -> tuple[frozenset[str], Counter[str]]:
    """A version's content words (not in _FILLER): their stems, and the words with their counts."""
    content = [w for w in norm.split() if w not in _FILLER]
    return frozenset(stem(w) for w in content), Counter(content)


def _utterance_conflicts(
    ctx: Ctx, versions: dict[str, dict], display: dict[str, str], memo: QuoteMemo | None = None
) -> list[Conflict]:
    """Conflicts among quoted versions, one per utterance."""
    norms = sorted(versions)
    read = QuoteMemo(set(), {}) if memo is None else memo  # a run that adds versions reads the new ones' words only
    for n in norms:
        if n not in read.words:
            read.add_words(n)
    words, by_word = read.words, read.by_word
    common = {w for w, ns in by_word.items() if len(ns) > MAX_VERSIONS_PER_WORD}
    material = {n: words[n][1] for n in norms}
    # Pairs are compared when they share a word that is not common (by its stem) and could be
    # one utterance (could_be_one_utterance); _pairs_sharing_enough lists the second kind
    # without going through every pair sharing a word or two.
    uncommon = {n: words[n][0] - common for n in norms}
    compared: dict[tuple[str, str], Comparison] = {} if memo is None else memo.compared
    if memo is None or not memo.versions:  # a first run
        to_compare = _pairs_sharing_enough(material)
    else:
        new = [n for n in norms if n not in memo.versions]
        to_compare = sorted(
            {
                (min(a, b), max(a, b))
                for a in new
                for w in uncommon[a]
                for b in by_word[w]
                if b != a and could_be_one_utterance(material[a], material[b])
            }
        )
    for a, b in to_compare:
        if uncommon[a].isdisjoint(uncommon[b]) or not could_be_one_utterance(material[a], material[b]):
            continue
        compared[(a, b)] = compare_quotes(versions[a]["text"], versions[b]["text"])
    same: dict[tuple[str, str], Comparison] = {}  # (a, b) with a < b: the same utterance
    for (a, b), c in sorted(compared.items()):
        if c.same_utterance and not uncommon[a].isdisjoint(uncommon[b]) and _same_speaker(versions[a], versions[b], c):
            same[(a, b)] = c
    if memo is not None:
        memo.versions.update(norms)
    differ = {p: c for p, c in same.items() if c.differences}
    if not differ:
        return []
    # Wording classes: versions joined by agreement (the same words, or a part of them), most
    # complete agreements first, never joining two versions that differ: a partial quote that
    # fits two differing versions does not make them one.
    classes: UnionFind[str] = UnionFind(norms)
    find = classes.find
    members: dict[str, set[str]] = {n: {n} for n in norms}

    def differs(x: set[str], y: set[str]) -> bool:
        return any((min(a, b), max(a, b)) in differ for a in x for b in y)

    for (a, b), _ in sorted(
        ((p, c) for p, c in same.items() if not c.differences), key=lambda t: (-t[1].coverage, t[0])
    ):
        ra, rb = find(a), find(b)
        if ra != rb and not differs(members[ra], members[rb]):
            classes.union(ra, rb)  # keeps ra
            members[ra] |= members.pop(rb)
    edges: dict[tuple[str, str], list[tuple[str, str, Comparison]]] = defaultdict(list)
    for (a, b), c in differ.items():
        ra, rb = find(a), find(b)
        if ra != rb:
            edges[(min(ra, rb), max(ra, rb))].append((a, b, c))
    out = []
    while edges:
        neighbours: dict[str, set[str]] = defaultdict(set)
        for x, y in edges:
            neighbours[x].add(y)
            neighbours[y].add(x)

        def weight(r: str, neighbours: dict[str, set[str]] = neighbours) -> tuple:
            keys = {k for n in members[r] for k in versions[n]["keys"]}
            embed = any(versions[n]["embed"] for n in members[r])
            return (embed, ctx.n_sources(keys), len(neighbours[r]), max(len(n) for n in members[r]), r)

        ref = max(neighbours, key=weight)
        others = sorted(neighbours[ref])
        pairs = [t for o in others for t in edges[(min(ref, o), max(ref, o))]]
        group = members[ref] | {n for o in others for n in members[o]}
        speakers = Counter(k for n in group for k in versions[n]["speakers"])
        named = [k for k, _ in speakers.most_common() if k in display and _NAME_LIKE.match(display[k])]
        speaker = display[named[0]] if named else "The same speaker"
        conflict = _utterance_conflict(
            ctx, speaker, versions, members[ref], {n for o in others for n in members[o]}, ref, pairs
        )
        if conflict is not None:
            out.append(conflict)
        for key in [k for k in edges if ref in k]:
            del edges[key]
    return out


def _utterance_conflict(
    ctx: Ctx,
    speaker: str,
    versions: dict[str, dict],
    ref_class: set[str],
    other_class: set[str],
    ref: str,
    pairs: list[tuple[str, str, Comparison]],
) -> Conflict | None:
    side_a = {k for n in ref_class for k in versions[n]["keys"]}
    side_b = {k for n in other_class for k in versions[n]["keys"]}
    # An article that quotes one part of the utterance as the reference does and another part
    # differently stands with its difference, unless it embeds the original post itself.
    embedded = {ctx.root(k) for n in ref_class for k in versions[n]["embed_keys"]}
    side_b = {k for k in side_b if ctx.root(k) not in embedded}
    roots_b = {ctx.root(k) for k in side_b}
    side_a = {k for k in side_a if ctx.root(k) not in roots_b} or side_a
    sides = ctx.separate(side_a, side_b)
    if sides is None:
        return None
    side_a, side_b = sides
    diffs: list[tuple[str, str]] = []
    for a, _b, c in pairs:
        flipped = a not in ref_class
        for x, y in c.differences:
            pair = (y, x) if flipped else (x, y)
            if pair not in diffs:
                diffs.append(pair)
    a, b, best = max(pairs, key=lambda t: (t[2].negation, t[2].number, t[2].name, len(t[2].differences), t[0], t[1]))
    shown_a, shown_b = (a, b) if a in ref_class else (b, a)
    factors = Factors(0.35, "a quotation conflict")
    factors.add("the same speaker and utterance", round(0.25 * best.coverage, 3))
    factors.add("a negation differs", 0.25, when=best.negation)
    factors.add("a number differs", 0.2, when=best.number)
    factors.add("a name differs", 0.15, when=best.name)
    n_words = max(c.changed for _, _, c in pairs)
    factors.add("content words differ", min(0.2, 0.05 * n_words), when=not (best.negation or best.number))
    factors.add(
        "only a word or two differ", -0.15, when=n_words <= 2 and not (best.negation or best.number or best.name)
    )
    embed = any(versions[n]["embed"] for n in ref_class)
    factors.add("an embedded original post", 0.05, when=embed)
    reworded = any(len(x.split()) > 4 or len(y.split()) > 4 for x, y in diffs)
    factors.add("a whole phrase differs (another statement?)", -0.2, when=reworded)
    factors.add("a loose match of the wording", -0.1, when=best.coverage < 0.7)
    speakers_a = {k for n in ref_class for k in versions[n]["speakers"]}
    speakers_b = {k for n in other_class for k in versions[n]["speakers"]}
    factors.add(
        "the speakers found differ", -0.15, when=bool(speakers_a and speakers_b and not speakers_a & speakers_b)
    )
    factors.add("no speaker found on one side", -0.05, when=not speakers_a or not speakers_b)
    shown = "; ".join(f"“{x or '—'}” ↔ “{y or '—'}”" for x, y in diffs[:5])
    embed_note = f"; the embedded original post matches {ctx.outlets_of(side_a)}’s wording" if embed else ""
    expl = (
        f"{speaker} is quoted in different words: {ctx.says(side_a, 'has', 'have')} “{versions[shown_a]['text']}”; "
        f"{ctx.says(side_b, 'has', 'have')} “{versions[shown_b]['text']}” (differences: {shown}) — both are "
        f"presented as the exact words, so at least one is a translation or paraphrase{embed_note}"
    )
    return ctx.conflict("quote", _severity(best), expl, side_a, side_b, factors)
