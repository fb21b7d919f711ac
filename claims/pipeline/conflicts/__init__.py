"""Stage 5: typed, explained disagreements between outlets, each with a confidence.

Every detector compares only what states the same fact: numbers by their fact frames
(``frames.py``), quotations by speaker and utterance, certainty and negation by the
proposition and its clause, dates by the event they date, attribution within one claim.
Candidates are never all pairs: mentions of one claim, and the mention-level neighbours that
alignment already found. Evidence is grouped so that one disagreement yields one conflict,
whose two sides list every mention that takes that side and never share an article (or a copy
of one). Each conflict carries a confidence in [0, 1] and the named factors that add up to it.

Modules: ``context`` (what detectors share), ``numbers``, ``quotes``, ``certainty``,
``negation``, ``others`` (attribution, dates).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..align import Alignment, key_order
from ..attribution import normalise_outlet
from ..polarity import polarity
from ..sources import article_roots
from ..types import ArticleId, ArticleText, Conflict, Mention, MentionKey, evolve
from .certainty import AssertionIndex, certainty_conflicts
from .context import Ctx
from .negation import MAX_AFFIRMING, PairGroups, PredicateIndex, negation_conflicts, negation_groups
from .numbers import CountedBlocks, counted_blocks, number_conflicts, number_groups, rare_blocks
from .others import attribution_conflicts, attribution_groups, date_conflicts, date_groups
from .quotes import QuoteMemo, quote_conflicts

_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}


@dataclass
class ConflictMemo:
    """What a story's last run found, for a run that adds mentions to it (``incremental.py``).

    A detector whose conflicts fall into units that new mentions can only change by being in
    them recomputes the units with a new mention and keeps the others:
    - numbers: a pair of claims (the sides are the two claims' members); also the claims with a
      member whose counted thing started or stopped being rare;
    - negation: a predicate (the sides are the mentions and claims that negate or affirm it);
      when a predicate's asserted mentions crossed MAX_AFFIRMING, also the predicates its
      mentions negate, whose pairs are all judged again. It keeps the
      mentions that negate and that affirm each predicate (``PredicateIndex``), and what the
      pairs judged so far add up to (``PairGroups``), so a run judges only the pairs with a new
      mention, and reads the polarity of the mentions in them only;
    - dates: a pair of claims; attribution: one claim.
    Quotations keep every comparison of two versions (``QuoteMemo``) and compare only the new
    versions; their grouping into utterances runs over the whole story. Certainty keeps its
    index of asserting mentions (``AssertionIndex``) and adds the new ones; its questions are
    asked of the whole story. All run again when an earlier article's original changed (a new
    article it copies came before it).
    """

    numbers: dict[tuple[int, int], list[tuple[str, Conflict]]] = field(default_factory=dict)
    rare: frozenset[str] = frozenset()
    blocks: CountedBlocks = field(default_factory=CountedBlocks)
    attribution: dict[tuple[int, ...], list[tuple[Any, Conflict]]] = field(default_factory=dict)
    dates: dict[tuple[int, ...], list[tuple[Any, Conflict]]] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)  # the last run's claim ids, by index
    renamed: dict[str, str] = field(default_factory=dict)  # the last run's claim ids this run names otherwise
    negation: dict[str, list[tuple[tuple, str, Conflict]]] = field(default_factory=dict)
    negation_pairs: PairGroups = field(default_factory=dict)
    quotes: QuoteMemo = field(default_factory=lambda: QuoteMemo(set(), {}))
    asserting: AssertionIndex = field(default_factory=AssertionIndex)
    predicates: PredicateIndex = field(default_factory=PredicateIndex)
    roots: dict[ArticleId, ArticleId] | None = None
    outlets: dict[ArticleId, str] = field(
        default_factory=dict
    )  # of the articles of the first ``outlets_read`` mentions
    outlets_read: int = 0
    # each conflict of the last run (by object) with whether its sides cross, its key and its
    # place in the order: held in memory only (a kept index's pickle leaves it out)
    judged: dict[int, tuple[Conflict, bool, tuple, tuple]] = field(default_factory=dict)


def find_conflicts(
    al: Alignment,
    cluster_ids: Sequence[str],
    articles: Mapping[ArticleId, ArticleText] | None = None,
    memo: ConflictMemo | None = None,
    new: Collection[MentionKey] | None = None,
    *,
    roots: dict[ArticleId, ArticleId] | None = None,
    by_key: dict[MentionKey, Mention] | None = None,
    index: dict[MentionKey, int] | None = None,
) -> list[Conflict]:
    """All conflicts, de-duplicated by their sides and deterministically ordered.

    ``memo``: kept from the last run of the story and updated; ``new``: the mentions added since
    that run, with every earlier claim's index the same. Without ``new`` everything is found again.
    ``roots`` (``article_roots``), ``by_key`` (each mention by its key) and ``index`` (each
    mention's place), when the caller has them already.
    """
    articles = articles or {}
    ctx = Ctx(
        al=al,
        mentions=al.mentions,
        by_key={m.key: m for m in al.mentions} if by_key is None else by_key,
        index={m.key: i for i, m in enumerate(al.mentions)} if index is None else index,
        cluster_ids=cluster_ids,
        roots=article_roots(articles.values()) if roots is None else roots,
        outlets=_outlets(al.mentions, articles, memo),
        idf=al.idf,
        articles=articles,
    )
    if memo is None or memo.roots is None or any(ctx.root((a, 0, 0)) != r for a, r in memo.roots.items()):
        new = None  # a first run, or an earlier article's original changed: everything again
    if memo is not None:
        memo.roots = {a: ctx.roots.get(a, a) for a in ctx.outlets}  # (the articles of the mentions)
        if new is None:  # everything compared and indexed again
            # (each version's words are its text's: kept)
            kept = memo.quotes
            memo.quotes = QuoteMemo(set(), {}, words=kept.words, by_word=kept.by_word)
            memo.asserting = AssertionIndex()
        # kept conflicts name their claims again only when a claim's id changed (a claim the
        # last run made is fixed in this one); a claim keeps its place in the list
        memo.renamed = {old: now for old, now in zip(memo.ids, cluster_ids, strict=False) if old != now}
        memo.ids = list(cluster_ids)
    found = (
        _numbers(ctx, memo, new)
        + quote_conflicts(ctx, None if memo is None else memo.quotes)
        + _negations(ctx, memo, new)
        + certainty_conflicts(ctx, None if memo is None else memo.asserting)
        + _by_claims(ctx, memo, new, "attribution", attribution_groups, attribution_conflicts)
        + _by_claims(ctx, memo, new, "dates", date_groups, date_conflicts)
    )
    # What each conflict is judged and ordered by: a conflict kept from the last run is the same
    # object, whose figures are those worked out then (the articles' originals are the same, or
    # ``new`` is None and everything is worked out again).
    last = {} if memo is None or new is None else memo.judged
    judged: dict[int, tuple[Conflict, bool, tuple, tuple]] = {}
    for c in found:
        known = last.get(id(c))
        if known is None or known[0] is not c:
            # every detector separates its sides; the cross check keeps the rule whatever they do
            order = (c.kind, [key_order(k) for k in c.side_a], [key_order(k) for k in c.side_b], c.explanation)
            known = (c, ctx.cross(c.side_a, c.side_b), c.key, order)
        judged[id(c)] = known
    if memo is not None:
        memo.judged = judged
    unique: dict[tuple, Conflict] = {}
    for c in found:
        _, crosses, key, _ = judged[id(c)]
        if not crosses:
            continue
        prev = unique.get(key)
        if prev is None or (c.confidence, _SEVERITY_RANK[c.severity]) > (
            prev.confidence,
            _SEVERITY_RANK[prev.severity],
        ):
            unique[key] = c
    return sorted(unique.values(), key=lambda c: judged[id(c)][3])


def _outlets(
    mentions: Sequence[Mention], articles: Mapping[ArticleId, ArticleText], memo: ConflictMemo | None
) -> dict[ArticleId, str]:
    """The outlet each mention's article is named by in conflicts; kept in ``memo``, which then
    looks only at the articles of the mentions added since (an article's outlet and name never
    change: a story's index is not used once they do)."""
    outlets: dict[ArticleId, str] = {} if memo is None else memo.outlets
    for m in mentions[0 if memo is None else memo.outlets_read :]:
        if m.article_id in outlets:
            continue
        art = articles.get(m.article_id)
        raw = art.outlet if art else m.outlet
        fallback = art.display_name if art else f"article {m.article_id}"
        outlets[m.article_id] = normalise_outlet(raw) or (raw.strip() if raw else fallback)
    if memo is not None:
        memo.outlets_read = len(mentions)
    return outlets


def _numbers(ctx: Ctx, memo: ConflictMemo | None, new: Collection[MentionKey] | None) -> list[Conflict]:
    if memo is None:
        return number_conflicts(ctx)
    blocks = memo.blocks = counted_blocks(ctx, None if new is None else memo.blocks)
    rare = rare_blocks(ctx, blocks)
    if new is None:
        found = number_groups(ctx, rare=rare)
        memo.numbers = _by_pair(ctx, {}, found)
    else:
        cluster_of = ctx.al.cluster_of
        affected = {cluster_of[k] for k in new} | {
            cluster_of[m.key] for block in memo.rare.symmetric_difference(rare) for m in blocks.get(block, ())
        }
        fresh = number_groups(ctx, only=affected, rare=rare)
        # The pairs of claims with an affected one are found again; the others' are kept, each
        # list as it was (a new list where one is renamed: the index's log notes what changed).
        numbers = memo.numbers
        for pair in [pair for pair in numbers if pair[0] in affected or pair[1] in affected]:
            del numbers[pair]
        renamed = memo.renamed
        if renamed:
            for pair, items in numbers.items():
                if any(c.cluster_a in renamed or c.cluster_b in renamed for _, c in items):
                    numbers[pair] = [(order, _renamed(c, memo)) for order, c in items]
        _by_pair(ctx, numbers, fresh)
        found = sorted((item for items in numbers.values() for item in items), key=lambda t: t[0])
    memo.rare = frozenset(rare)
    return [c for _, c in found]


def _by_pair(
    ctx: Ctx, numbers: dict[tuple[int, int], list[tuple[str, Conflict]]], found: list[tuple[str, Conflict]]
) -> dict[tuple[int, int], list[tuple[str, Conflict]]]:
    """Add number conflicts to ``numbers``, under the two claims (their places) they are between."""
    for order, c in found:
        ci, cj = ctx.al.cluster_of[c.side_a[0]], ctx.al.cluster_of[c.side_b[0]]
        numbers.setdefault((min(ci, cj), max(ci, cj)), []).append((order, c))
    return numbers


def _negations(ctx: Ctx, memo: ConflictMemo | None, new: Collection[MentionKey] | None) -> list[Conflict]:
    if memo is None:
        return negation_conflicts(ctx)
    if new is None:
        memo.predicates = PredicateIndex()
    about: set[str] = set()
    for k in new or ():
        pol = polarity(ctx.by_key[k].text)
        about |= pol.negated | pol.affirmed
    predicates = memo.predicates
    counts = predicates.affirming
    before = {p: counts[p] for p in about}  # only a new mention's predicates can count more now
    predicates.extend(ctx.mentions)
    if new is None:
        found = negation_groups(ctx, pairs=memo.negation_pairs)
    else:
        # a predicate no mention negates has no conflict (the usual case: most say what happened)
        only = {p for p in about if predicates.negates(p)}
        # A predicate now affirmed too often to propose pairs by itself: the pairs of its mentions
        # may now be proposed for another predicate one of them negates. Those predicates' pairs
        # are all judged again.
        again: set[str] = set()
        for q in about:
            if (counts[q] > MAX_AFFIRMING) != (before[q] > MAX_AFFIRMING):
                again.add(q)
                for i in (*predicates.negated.get(q, ()), *predicates.affirmed.get(q, ())):
                    again |= polarity(ctx.mentions[i].text).negated
        again = {p for p in again if predicates.negates(p)}
        kept = [
            (order, p, _renamed(c, memo))
            for p, items in memo.negation.items()
            if p not in only and p not in again
            for order, _, c in items
        ]
        for p in again:
            memo.negation_pairs.pop(p, None)
        since = min(ctx.index[k] for k in new) if new else len(ctx.mentions)  # the new mentions come last
        fresh = [
            *negation_groups(ctx, only=only - again, predicates=predicates, pairs=memo.negation_pairs, since=since),
            *negation_groups(ctx, only=again, predicates=predicates, pairs=memo.negation_pairs, since=0),
        ]
        found = sorted(kept + fresh, key=lambda t: t[0])
    memo.negation = {}
    for order, p, c in found:
        memo.negation.setdefault(p, []).append((order, p, c))
    return [c for _, _, c in found]


def _by_claims(
    ctx: Ctx,
    memo: ConflictMemo | None,
    new: Collection[MentionKey] | None,
    name: str,
    groups: Callable[..., list[tuple[Any, Conflict]]],
    every: Callable[[Ctx], list[Conflict]],
) -> list[Conflict]:
    """A detector whose conflicts are each within one claim or one pair of claims: the conflicts
    of the claims with a new mention found again, the others kept (``memo.<name>``)."""
    if memo is None:
        return every(ctx)
    kept: dict[tuple[int, ...], list[tuple[Any, Conflict]]] = getattr(memo, name)
    if new is None:
        found = groups(ctx)
    else:
        affected = {ctx.al.cluster_of[k] for k in new}
        found = sorted(
            [
                (order, _renamed(c, memo))
                for unit, items in kept.items()
                if affected.isdisjoint(unit)
                for order, c in items
            ]
            + groups(ctx, only=affected),
            key=lambda t: t[0],
        )
    by_unit: dict[tuple[int, ...], list[tuple[Any, Conflict]]] = {}
    for order, c in found:
        unit = tuple(sorted({ctx.al.cluster_of[c.side_a[0]], ctx.al.cluster_of[c.side_b[0]]}))
        by_unit.setdefault(unit, []).append((order, c))
    setattr(memo, name, by_unit)
    return [c for _, c in found]


def _renamed(c: Conflict, memo: ConflictMemo) -> Conflict:
    """A kept conflict under this run's claim ids (a claim made by the last run is now fixed).

    A kept conflict's mentions are in the claims they were in (an earlier mention never moves),
    so each side's one claim, when it has one, is the same claim, perhaps under a new id."""
    renamed = memo.renamed
    if not renamed or (c.cluster_a not in renamed and c.cluster_b not in renamed):
        return c
    a, b = (renamed.get(x, x) if x is not None else None for x in (c.cluster_a, c.cluster_b))
    return evolve(c, cluster_a=a, cluster_b=b)


__all__ = ["ConflictMemo", "find_conflicts"]
