"""Negation conflicts: one outlet says something happened, another that it did not, or reports a denial.

"The ambassador was not evacuated" against "the ambassador and his staff were evacuated";
"X denied meeting Y" against "X met Y". A mention's polarity frame lists the predicates it
negates and the ones it affirms (``polarity``); two mentions conflict when one negates a
predicate the other affirms and the rest of the two clauses is about the same things. The
negated mention is always on its own side, and each side is quoted in its own words.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..align import key_order
from ..confidence import Factors
from ..polarity import Polarity, clause_of, polarity
from ..text import IRREGULAR, stem
from ..types import Conflict, Mention, MentionKey
from .context import Ctx, excerpt

MAX_AFFIRMING = 200  # a predicate affirmed more often than this proposes no pairs by itself


def negation_conflicts(ctx: Ctx) -> list[Conflict]:
    return [c for _, _, c in negation_groups(ctx)]


@dataclass
class PredicateIndex:
    """The story's mentions (by index) under each predicate they negate and each they affirm, and
    how many asserted mentions affirm each: kept from run to run (``ConflictMemo``), so that a run
    about a few predicates reads the polarity of the mentions it compares only, not of the whole
    story."""

    negated: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    affirmed: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    affirming: Counter[str] = field(default_factory=Counter)  # predicate -> asserted mentions affirming it
    mentions: int = 0  # the mentions indexed: the first ones of the story

    def extend(self, mentions: Sequence[Mention]) -> None:
        for i in range(self.mentions, len(mentions)):
            m = mentions[i]
            pol = polarity(m.text)
            for p in pol.negated:
                self.negated[p].append(i)
            for p in pol.affirmed:
                self.affirmed[p].append(i)
            if m.slots.certainty.level == "asserted":
                self.affirming.update(pol.affirmed)
        self.mentions = len(mentions)

    def negates(self, predicate: str) -> bool:
        """Some mention of the story negates it."""
        return bool(self.negated.get(predicate))


class _Polarities(dict[MentionKey, Polarity]):
    """Each mention's polarity, read when first asked for (a run about a few predicates)."""

    def __init__(self, ctx: Ctx) -> None:
        super().__init__()
        self.ctx = ctx

    def __missing__(self, key: MentionKey) -> Polarity:
        found = self[key] = polarity(self.ctx.by_key[key].text)
        return found


# Where a candidate pair comes in ``_candidates``' order: (0, i, j, predicate) for alignment's
# neighbours i < j, (1, negating mention, predicate, affirming mention) for the rest.
Place = tuple[int, int, Any, Any]


@dataclass
class PairGroup:
    """What the candidate pairs about one predicate between one negating claim and one affirming
    claim add up to. Adding a pair is idempotent and does not depend on the order pairs come in,
    so a run that adds mentions adds their pairs to the groups the last run kept
    (``PairGroups``)."""

    neg: set[MentionKey] = field(default_factory=set)
    pos: set[MentionKey] = field(default_factory=set)
    overlap: float = 0.0
    score: float = 0.0
    shown: tuple[MentionKey, MentionKey] | None = None  # the closest pair explains best
    shown_at: Place | None = None  # ... and of the closest, the first in ``_candidates``' order

    def add(self, neg: MentionKey, pos: MentionKey, overlap: float, score: float, at: Place) -> None:
        self.neg.add(neg)
        self.pos.add(pos)
        if overlap > self.overlap or (overlap == self.overlap and self.shown_at is not None and at < self.shown_at):
            self.shown, self.shown_at = (neg, pos), at
        self.overlap = max(self.overlap, overlap)
        self.score = max(self.score, score)


# predicate -> (negating claim, affirming claim) -> what their pairs add up to
PairGroups = dict[str, dict[tuple[int, int], PairGroup]]


def negation_groups(
    ctx: Ctx,
    only: set[str] | None = None,
    predicates: PredicateIndex | None = None,
    pairs: PairGroups | None = None,
    since: int | None = None,
) -> list[tuple[tuple, str, Conflict]]:
    """The negation conflicts, each with its sort key and its predicate, in that order.

    ``only``: the conflicts about these predicates, as a run over every predicate finds them
    (``incremental.py`` keeps the others from the last run); ``predicates``: the story's
    ``PredicateIndex`` (extended), which spares that run the polarity of the other mentions.
    ``pairs``: the story's ``PairGroups``, kept from run to run. Without ``since`` they are found
    afresh; with it (the first mention the last run did not have, the new ones being the last),
    only the pairs with a new mention are judged, and added to the groups kept for ``only``.
    """
    # Each candidate is judged as it comes: a large story has hundreds of thousands of them.
    candidates: Iterator[tuple[Mention, Mention, str, float, Place]]
    pols: dict[MentionKey, Polarity]
    groups: PairGroups = {} if pairs is None else pairs
    if since is None:
        groups.clear()
    if only is None:
        pols = {m.key: polarity(m.text) for m in ctx.mentions}
        negating = {k for k, pol in pols.items() if pol.negated}
        if not negating:
            return []
        candidates = _candidates(ctx, pols, negating)
    else:
        predicates = PredicateIndex() if predicates is None else predicates
        predicates.extend(ctx.mentions)
        if not any(predicates.negates(p) for p in only):
            return []
        pols = _Polarities(ctx)
        candidates = _candidates_about(ctx, pols, only, predicates, since or 0)

    def stating(cluster: int, p: str, negated: bool) -> set[MentionKey]:
        """The claim's mentions that negate ``p`` (or affirm it)."""
        keys = ctx.al.clusters[cluster]
        if only is None or predicates is None:
            return {k for k in keys if p in (pols[k].negated if negated else pols[k].affirmed)}
        indices = set((predicates.negated if negated else predicates.affirmed).get(p, ()))
        return {k for k in keys if ctx.index[k] in indices}

    clauses: dict[tuple[MentionKey, str], tuple[frozenset[str], frozenset[str]]] = {}

    def clause(m: Mention, p: str) -> tuple[frozenset[str], frozenset[str]]:
        """The clause's stems (the predicate's own left out) and names, once per mention and predicate."""
        found = clauses.get((m.key, p))
        if found is None:
            terms, names = clause_of(pols[m.key], p)
            found = clauses[(m.key, p)] = (terms - {p}, names)
        return found

    for a, b, p, score, at in candidates:
        neg, pos = (a, b) if p in pols[a.key].negated else (b, a)
        if p in pols[neg.key].both:
            continue  # it also says it did, elsewhere: "the officer stopped the car ... the car did not stop itself"
        (ca, na), (cb, nb) = clause(neg, p), clause(pos, p)
        if not ca & cb:
            continue  # nothing in common: no pair below can pass
        if na and nb and not na & nb:
            continue  # about different people or places: "does not name Trump" / "Stone is named"
        shared = {t for t in ca & cb if ctx.informative(t) or ctx.weight(t) > 1.0}
        union = ca | cb
        overlap = sum(ctx.weight(t) for t in ca & cb) / (sum(ctx.weight(t) for t in union) or 1.0)
        # The same subject and object: most of the two clauses, and something specific, in common.
        # A name on the negated side that the other clause lacks asks for more in common.
        if len(shared) < 1 or overlap < 0.3 or (na and not na & cb and len(ca & cb) < 2):
            continue
        between = (ctx.al.cluster_of[neg.key], ctx.al.cluster_of[pos.key])
        groups.setdefault(p, {}).setdefault(between, PairGroup()).add(neg.key, pos.key, overlap, score, at)
    # Everyone stating the same thing joins its side: the whole claim each mention belongs to.
    out: list[tuple[tuple, str, Conflict]] = []
    for p in sorted(groups if only is None else only & groups.keys()):
        merged: dict[frozenset[MentionKey], tuple[tuple, PairGroup, set[MentionKey], set[MentionKey]]] = {}
        for (cn, cp), g in sorted(groups[p].items()):
            neg_side = stating(cn, p, negated=True) | g.neg
            pos_side = stating(cp, p, negated=False) | g.pos
            mk = frozenset(neg_side)
            if mk in merged:
                merged[mk][3].update(pos_side)
                continue
            merged[mk] = ((p, cn, cp), g, neg_side, pos_side)
        for order, g, neg_side, pos_side in merged.values():
            sides = ctx.separate(neg_side, pos_side)
            if sides is None:
                continue
            out.append((order, p, _conflict(ctx, p, g, *sides, pols)))
    return out


def _candidates(
    ctx: Ctx, pols: dict[MentionKey, Polarity], negating: set[MentionKey]
) -> Iterator[tuple[Mention, Mention, str, float, Place]]:
    """(mention, mention, predicate one negates and the other affirms, alignment's score, place)."""
    seen: set[tuple[MentionKey, MentionKey]] = set()
    # Mention pairs alignment found alike (its neighbours), one side negating.
    for (i, j), score in sorted(ctx.al.pair_scores.items()):
        a, b = ctx.mentions[i], ctx.mentions[j]
        if a.key not in negating and b.key not in negating:
            continue
        if {a.slots.certainty.level, b.slots.certainty.level} & {"unknown", "hedged"}:
            continue
        for p in sorted((pols[a.key].negated & pols[b.key].affirmed) | (pols[b.key].negated & pols[a.key].affirmed)):
            seen.add((a.key, b.key))
            yield a, b, p, score, (0, i, j, p)
    # ... and mentions affirming a predicate another negates, whether or not alignment found them
    # alike ("it does not name Trump as a defendant" / "naming ... defendants that includes Mr. Trump").
    affirming: dict[str, list[tuple[Mention, MentionKey, int]]] = defaultdict(list)  # with their keys, read often
    for at, m in enumerate(ctx.mentions):
        if m.slots.certainty.level == "asserted":
            for p in pols[m.key].affirmed:
                affirming[p].append((m, m.key, at))
    for n_at, n in enumerate(ctx.mentions):
        n_key = n.key
        if n_key not in negating or n.slots.certainty.level in ("unknown", "hedged"):
            continue
        for p in sorted(pols[n_key].negated):
            if len(affirming[p]) > MAX_AFFIRMING:
                continue
            for m, m_key, m_at in affirming[p]:
                if m_key != n_key and (n_key, m_key) not in seen and (m_key, n_key) not in seen:
                    seen.add((n_key, m_key))
                    yield n, m, p, 0.0, (1, n_at, p, m_at)


def _candidates_about(
    ctx: Ctx, pols: Mapping[MentionKey, Polarity], only: set[str], predicates: PredicateIndex, since: int = 0
) -> Iterator[tuple[Mention, Mention, str, float, Place]]:
    """``_candidates`` about the predicates ``only``, in the same order; ``predicates``: the
    story's ``PredicateIndex``; ``pols``: the mentions' polarities, asked only of the mentions
    compared (a ``_Polarities``); ``since``: only the pairs with a mention from there on.

    A pair of mentions is proposed once, at its first place in ``_candidates``' order, which may
    be about another predicate: a pair proposed for one of ``only`` is one ``_candidates`` would
    not have proposed earlier (alike sentences; the negating mention's alphabetically earlier
    predicates; the other mention, when it comes first and negates what this one affirms). Only
    pairs with a mention negating one of ``only`` can propose it or keep the scan from proposing
    it, and only if the other mention negates or affirms one of them too.
    """
    counts = predicates.affirming
    negating = sorted({i for p in only for i in predicates.negated.get(p, ())})
    negating_set = set(negating)
    about = negating_set | {i for p in only for i in predicates.affirmed.get(p, ())}
    seen: set[tuple[MentionKey, MentionKey]] = set()
    for (i, j), score in sorted(
        ij_s
        for ij_s in ctx.al.pair_scores.items()
        if (ij_s[0][0] in negating_set or ij_s[0][1] in negating_set)
        and ij_s[0][0] in about
        and ij_s[0][1] in about
        and max(ij_s[0]) >= since
    ):
        a, b = ctx.mentions[i], ctx.mentions[j]
        if {a.slots.certainty.level, b.slots.certainty.level} & {"unknown", "hedged"}:
            continue
        ps = (pols[a.key].negated & pols[b.key].affirmed) | (pols[b.key].negated & pols[a.key].affirmed)
        if ps:
            seen.add((a.key, b.key))
        for p in sorted(ps & only):
            yield a, b, p, score, (0, i, j, p)
    affirming: dict[str, list[int]] = {
        p: [i for i in predicates.affirmed.get(p, ()) if ctx.mentions[i].slots.certainty.level == "asserted"]
        for p in only
        if counts.get(p, 0) <= MAX_AFFIRMING
    }

    def proposes(n: Mention, m: Mention, p: str) -> bool:
        """``_candidates``' scan reaches (n, m) for p: n negates it, m asserts it, p not too common."""
        return (
            n.slots.certainty.level not in ("unknown", "hedged")
            and p in pols[n.key].negated
            and m.slots.certainty.level == "asserted"
            and p in pols[m.key].affirmed
            and counts.get(p, 0) <= MAX_AFFIRMING
        )

    for n_at in negating:
        n = ctx.mentions[n_at]
        n_key = n.key
        if n.slots.certainty.level in ("unknown", "hedged"):
            continue
        negated = sorted(pols[n_key].negated)
        for p in negated:
            if p not in affirming:
                continue  # not one of ``only``, or too common
            at = affirming[p]
            # (an earlier negating mention: only its pairs with the mentions from ``since`` on)
            for m_at in at[bisect_left(at, since) if n_at < since else 0 :]:
                m = ctx.mentions[m_at]
                m_key = m.key
                if m_key == n_key or (n_key, m_key) in seen or (m_key, n_key) in seen:
                    continue
                if any(proposes(n, m, q) for q in negated if q < p):
                    continue  # proposed for an earlier predicate of n
                if m_at < n_at and any(proposes(m, n, q) for q in pols[m_key].negated):
                    continue  # proposed when m came, as the negating one
                yield n, m, p, 0.0, (1, n_at, p, m_at)


def _conflict(
    ctx: Ctx, p: str, g: PairGroup, neg: set[MentionKey], pos: set[MentionKey], pols: Mapping[MentionKey, Polarity]
) -> Conflict:
    n0, p0 = (
        g.shown
        if g.shown is not None and g.shown[0] in neg and g.shown[1] in pos
        else (min(neg, key=key_order), min(pos, key=key_order))
    )
    nm, pm = ctx.by_key[n0], ctx.by_key[p0]
    denial = pols[n0].denial
    neg_speaker, pos_speaker = _quoted_speaker(nm, p), _quoted_speaker(pm, p)
    factors = Factors(0.35, "a negation conflict")
    factors.add("the same clause, negated on one side", round(0.3 * min(1.0, g.overlap * 1.5), 3))
    factors.add("alike sentences", round(0.15 * min(1.0, g.score), 3))
    factors.add("a denial by a party, reported by the outlet", -0.1, when=denial)
    factors.add("a quoted party’s words, not the outlet’s", -0.15, when=bool(neg_speaker or pos_speaker))
    verb = _surface(nm.text, p)
    how = "reports a denial" if denial else "says it did not happen"
    expl = (
        f"{_voice(ctx, neg, neg_speaker)} “{excerpt(nm.text)}”; {_voice(ctx, pos, pos_speaker)} “{excerpt(pm.text)}” "
        f"— one side {how} (“{verb}” negated), the other states that it did."
    )
    return ctx.conflict("negation", "high" if not denial else "medium", expl, neg, pos, factors)


def _quoted_speaker(m: Mention, predicate: str) -> str | None:
    """Who is quoted saying the predicate, when the mention says it only inside a quotation."""
    for q in m.slots.quotes:
        if not q.fragment and predicate in {
            stem(IRREGULAR.get(w.lower(), w)) for w in re.findall(r"[A-Za-z’']+", q.text)
        }:
            return q.speaker or "a quoted source"
    return None


def _voice(ctx: Ctx, keys: set[MentionKey], speaker: str | None) -> str:
    """'Reuters says' or, for a quoted party's words, 'Reuters quotes the minister:'."""
    if speaker:
        return f"{ctx.says(keys, 'quotes', 'quote')} {speaker}:"
    return ctx.says(keys)


def _surface(text: str, predicate: str) -> str:
    for m in re.finditer(r"[A-Za-z][a-z’']+", text):
        if stem(IRREGULAR.get(m.group().lower(), m.group())) == predicate:
            return m.group()
    return predicate
