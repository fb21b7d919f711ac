"""Polarity: which predicates a sentence says did not happen (negation, denial) and which it says did.

Shared by alignment (a sentence and its negation are not the same claim) and the negation
conflicts ("the ambassador was not evacuated" / "the ambassador was evacuated").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .similarity import content_terms
from .text import IRREGULAR, STOPWORDS, stem

# "was not evacuated", "has never met", "were n't", "no longer holds"
_NEGATION = re.compile(
    r"(?:\b(?:not|never|no\s+longer)|(?<=[a-z])n[’']t)\s+(?:(?:been|be|being|have|has|had|yet|immediately|actually|even|ever|"
    r"really|all|fully)\s+){0,3}(?P<verb>[a-z]+)",
    re.IGNORECASE,
)
# "did not meet", "does not name", "will not attend", "could n't find": do-support and modals are
# followed by a verb's base form, which no suffix marks
_DO_NEGATION = re.compile(
    r"\b(?:do|does|did|will|wo|would|can|ca|could|should|shall|may|might|must)\s*(?:not|n[’']t)\s+(?:(?:yet|immediately|"
    r"actually|even|ever|really|fully)\s+){0,2}(?P<verb>[a-z]+)",
    re.IGNORECASE,
)
# "denied meeting", "denied that he met", "denies having", "rejected reports that ... had"
_DENIAL = re.compile(
    r"\b(?:denied|denies|deny|denying|refuted|disputed)\s+(?:(?:that|reports?|claims?|allegations?|it|he|she|they|"
    r"had|has|have|was|were|ever|any|the|of|his|her|their)\s+){0,4}(?P<verb>[a-z]+)",
    re.IGNORECASE,
)
# What every match of the three patterns above contains: "not", "n't", "never", "no longer",
# or a verb of denial.
_ADVERBS = frozenset("yet immediately actually even ever really all fully".split())
_ANY_NEGATION = re.compile(r"n[o’']t|never|no\s+longer|den(?:ied|ies|y)|refuted|disputed", re.IGNORECASE)
_CLAUSE = re.compile(
    r"[,;:()—–]\s*|[.!?][\"”’]?\s+|\s+(?:but|while|although|though|because|after|before|which|who)\s+"
    r"|\s+and\s+(?=[a-z]+(?:ed|en)\b|(?:was|were|is|are|has|had|have|will|would)\b)"
)
_AUX = frozenset("is are was were be been being have has had do does did will would can could should may might".split())
_VERB_END = re.compile(r"^[a-z]{3,}(?:ed|en|ing)$")
_IRREGULAR_VERBS = frozenset(k for k, v in IRREGULAR.items() if k != v) | frozenset(IRREGULAR.values())
# Verbs that say nothing by themselves ("did not say", "would not comment") or belong to
# "unknown" constructions, which the certainty stage handles.
_NOT_EVENTS = frozenset(
    stem(w)
    for w in """say said comment respond reply confirm know known clear immediately specify disclose elaborate
    answer return identify release reveal explain provide give want think believe expect seem appear have be
    do make go get""".split()
)


@dataclass(frozen=True)
class Polarity:
    negated: frozenset[str]  # predicate stems the mention says did not happen
    affirmed: frozenset[str]  # predicate stems it says did happen
    # (predicate, where its verb is in the text), negated ones first. Their clauses are read
    # (``clause_of``) only for the mentions negation conflicts compare: alignment asks every
    # mention only what it negates and affirms.
    verbs: tuple[tuple[str, int], ...] = ()
    denial: bool = False
    text: str = ""
    # predicates the sentence negates in one place and states in another ("she is only allowed
    # to see her, and is not allowed to feed her"): on neither side of a negation conflict
    both: frozenset[str] = frozenset()


@lru_cache(maxsize=100_000)  # asked of every word of every mention
def _is_verb(word: str) -> bool:
    lw = word.lower()
    return lw not in STOPWORDS and (bool(_VERB_END.match(lw)) or lw in _IRREGULAR_VERBS)


_WORD = re.compile(r"[A-Za-z][a-z’']+")
# Words that say, earlier in the same clause, that the thing did not happen or was not so:
# "the absence of Duvernay from the contenders nominated", "failed to win", "left off the list
# of those invited". The verb after them is not affirmed (nor negated: that is the negation's
# job, and these are too loose to oppose a sentence by themselves).
_PRIVATIVE = re.compile(
    r"\b(?:absence|absent|omission|omitted|omits?|snub(?:bed|s)?|exclud(?:ed|es|ing)|exclusion|left\s+(?:out|off)|"
    r"missing|lack(?:s|ed|ing)?|without|fail(?:ed|s|ure)?\s+to|refus(?:ed|es|al)\s+to|declin(?:ed|es)\s+to)\b",
    re.IGNORECASE,
)
# What comes before a verb that is not said to have happened: "plans to", "whether they were"
_NOT_YET = re.compile(r"\b(?:to|if|whether|would|could|might|may|will)\s+(?:\w+\s+)?$")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z'’-]+")


def _clause_start(text: str, pos: int, lo: int = 0) -> int:
    """Where the clause around ``pos`` begins: after the last clause break between ``lo`` and it."""
    starts = [m.end() for m in _CLAUSE.finditer(text, lo, pos)]
    return starts[-1] if starts else lo


def _clause_terms(text: str, pos: int) -> tuple[frozenset[str], frozenset[str]]:
    """Content stems of the clause around ``pos``, and the stems of the names in it."""
    start = _clause_start(text, pos)
    m = _CLAUSE.search(text, pos)
    end = m.start() if m else len(text)
    clause = text[start:end]
    terms = frozenset(t for t in content_terms(clause) if not t[0].isdigit())
    names = frozenset(stem(n) for n in _NAME.findall(clause) if n.lower() not in STOPWORDS) & terms
    return terms, names


@lru_cache(maxsize=50_000)
def polarity(text: str) -> Polarity:
    """Which predicates a sentence negates and which it affirms, and where."""
    negated: set[str] = set()
    verbs: list[tuple[str, int]] = []
    spans: list[tuple[int, int]] = []
    denial = False
    # Most sentences negate nothing: one quick look for the words every negation needs spares
    # them the three slower patterns.
    negating = (_DO_NEGATION, _NEGATION, _DENIAL) if _ANY_NEGATION.search(text) else ()
    for rx in negating:
        for m in rx.finditer(text):
            verb = m.group("verb")
            if verb.lower() in _ADVERBS:
                continue  # "don't really -- I can't": the adverb, with no verb after it
            if any(s <= m.start("verb") < e for s, e in spans):
                continue
            base_form = rx is _DO_NEGATION and verb.lower() not in STOPWORDS
            if not (base_form or _is_verb(verb)) or stem(verb) in _NOT_EVENTS:
                continue
            p = stem(IRREGULAR.get(verb.lower(), verb))
            negated.add(p)
            denial |= rx is _DENIAL
            verbs.append((p, m.start("verb")))
            spans.append((m.start(), m.end()))
    affirmed: set[str] = set()
    both: set[str] = set()
    lower = text.lower()
    # most sentences have no privative word: a look for the stems every one contains spares
    # them the pattern
    privative = any(w in lower for w in _PRIVATIVE_STEMS) and _PRIVATIVE.search(text) is not None
    for m in _WORD.finditer(text):
        if not _is_verb(m.group()) or any(s <= m.start() < e for s, e in spans):
            continue
        prev = text[max(0, m.start() - 12) : m.start()].lower()
        if _NOT_YET.search(prev):
            continue  # "plans to evacuate", "whether they were evacuated": not a statement that it happened
        if privative and _privative_before(text, m.start()):
            continue  # "the absence of X from the contenders nominated": not a statement that X was
        p = stem(IRREGULAR.get(m.group().lower(), m.group()))
        if p in negated:
            both.add(p)
            continue
        if p in _NOT_EVENTS:
            continue
        affirmed.add(p)
        verbs.append((p, m.start()))
    return Polarity(frozenset(negated), frozenset(affirmed), tuple(verbs), denial, text, frozenset(both))


_PRIVATIVE_STEMS = ("absen", "omi", "snub", "exclu", "left", "missing", "lack", "without", "fail", "refus", "declin")


def _privative_before(text: str, pos: int) -> bool:
    """A privative word ("absence", "failed to", "without") earlier in the clause of ``pos`` (read
    back at most 120 characters)."""
    return bool(_PRIVATIVE.search(text, _clause_start(text, pos, max(0, pos - 120)), pos))


def opposed(a: str, b: str) -> frozenset[str]:
    """Predicates one text negates and the other affirms."""
    pa, pb = polarity(a), polarity(b)
    return (pa.negated & pb.affirmed) | (pb.negated & pa.affirmed)


def clause_of(pol: Polarity, predicate: str) -> tuple[frozenset[str], frozenset[str]]:
    """Content stems and names of the clauses in which ``pol``'s text states ``predicate``."""
    terms: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    for p, pos in pol.verbs:
        if p == predicate:
            t, n = _clause_terms(pol.text, pos)
            terms, names = terms | t, names | n
    return terms, names
