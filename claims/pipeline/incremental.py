"""The story stage run by run: a story that grows keeps what its last run computed.

A ``StoryIndex`` holds a story's statistics (``StoryStats``: what words weigh), its distinct
texts' vectors and blocking anchors, its claims (clusters), every neighbour pair alignment
scored, and each claim's display text and sources. ``add`` takes the articles added since,
and does the new work only:

- only the new texts are vectorised (under the kept statistics) and searched for neighbours:
  each text's neighbours are its nearest *earlier* texts (``earlier_neighbours``), so the
  pairs of earlier texts never change and the new ones are exactly those a run over the whole
  story would add;
- every earlier mention stays in its claim (as the persisted stage hands every existing claim
  over as fixed); new mentions join a claim or make new ones, by the same rules and in the
  same order as ``align`` (``join``);
- merge suggestions add the new pairs to the best score kept for each two claims;
- claims whose mentions did not change keep their display text and sources.

- conflicts (``conflicts.ConflictMemo``): each detector recomputes only the units a new mention
  can change (a pair of claims for numbers and dates, a claim for attribution, a predicate for
  negation), compares only the new quotation versions, and indexes only the new asserting
  mentions; what it groups across the whole story (utterances, certainty's questions) it
  groups again from what it kept.

The result is the one ``analyse_story`` gives on the whole story with every earlier claim
fixed and the same statistics (tests/pipeline/test_incremental.py compares them on made-up
stories, the seeds and real news). The statistics are taken again (``refresh``, a full run)
once the story has grown by ``REFRESH_GROWTH`` since they were taken, or when new mentions
would come before earlier ones.

The worker keeps each story's index between runs (``claims.story_cache``), mentions and
articles included (neither changes once stored), so that a run reads only what is new from the
database; ``disagreement`` says why a kept index no longer describes the story (a reviewer
merged or split claims, an article changed), so that the run starts again from scratch, and
``kept`` carries what the worker did with the last result (what it wrote).
"""

from __future__ import annotations

import copy
import copyreg
import itertools
import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import IO, Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from .align import (
    MERGE_THRESHOLD,
    MIN_COSINE,
    NEIGHBOURS,
    Alignment,
    Rows,
    SlotFeaturesOf,
    StoryStats,
    _Groups,
    best_links,
    join,
    key_order,
    score_pairs,
    suggestions_of,
)
from .conflicts import ConflictMemo
from .similarity import SimilarityBackend, earlier_neighbours, first_anchors
from .sources import article_roots
from .story import ClusterCache, _cluster_id, _without_cyclic_gc, story_result
from .types import (
    ArticleExtraction,
    ArticleId,
    ArticleText,
    ClaimId,
    Cluster,
    Mention,
    MentionKey,
    StoryAnalysis,
    evolve,
)

# Statistics are taken again when the story has this many times the mentions they counted:
# the words of articles added since then weigh a little more than a full run would weigh
# them, never by more than this share of the story, and the full runs this costs add up to a
# constant factor of the last one.
REFRESH_GROWTH = 1.25


class _Rows:
    """The rows' vectors, addressable by mention index (what the group guard reads)."""

    def __init__(self, index: StoryIndex) -> None:
        self.index = index

    def __getitem__(self, mentions: list[int]) -> Any:
        ix = self.index
        return ix.x[[ix.row_of[ix.rows.rep[i]] for i in mentions]]


class StoryIndex:
    """What a story's runs computed, so that the next run does the new work only (module doc)."""

    def __init__(self, stats: StoryStats) -> None:
        self.stats = stats
        self.rows = Rows([], [], [], [], {})
        self.row_of: dict[int, int] = {}  # representative mention -> row
        self.x: Any = None  # the rows' vectors
        self.xb: Any = None  # their blocking vectors
        self.anchors: Any = None
        self.column_rows = np.zeros(0, dtype=np.int64)  # rows per blocking column so far
        self.clusters: list[list[MentionKey]] = []
        self.fixed: list[ClaimId] = []  # each claim's stable id: what a full run fixes it by
        self.position: dict[MentionKey, int] = {}
        self.cluster_of: dict[MentionKey, int] = {}
        self.pair_scores: dict[tuple[int, int], float] = {}
        self.best: dict[tuple[int, int], float] = {}
        self.articles: dict[ArticleId, ArticleText] = {}
        self.unlogged: dict[ArticleId, ArticleText] = {}  # articles added or changed since ``dump_log``
        self.roots: dict[ArticleId, ArticleId] = {}
        self.cache: ClusterCache = {}
        self.made: list[Cluster] = []  # the last run's clusters (``story_result``), held in memory only
        # the places of the clusters the next run may make otherwise than ``made`` (memory only):
        # a new claim not yet fixed, or named since (``name_claims``)
        self.unsettled: set[int] = set()
        self.touched: set[int] = set()  # the clusters the last alignment joined new mentions to, or made
        self.settling: set[int] = set()  # ... those of them whose claim is not settled
        self.held: dict[str, Any] = {}  # what the caller holds in memory only with the index (never in its file)
        self.memo = ConflictMemo()
        self.new: set[MentionKey] | None = None  # the mentions the last run added; None: a first run
        self.counted = 0  # mentions when the statistics were taken
        self.refreshed = True  # the last run was a full one (``build`` or ``refresh``)
        # What the caller keeps about what it did with the last result (claims.persist: what it
        # wrote); a refresh keeps it too.
        self.kept: dict[str, Any] = {}
        # Where the caller keeps the story's log (``dump_log``; claims.story_cache).
        self.log_file: dict[str, Any] | None = None
        self.logged = 0  # the mentions in that log
        self.grown_logged: dict[str, int] = {}  # the size of each part that only grows (``_grown``), in that log
        self.keyed_logged: dict[str, int] = {}  # the entries of each part logged by key (``_keyed``), in that log
        # each part logged by key as that log has it (memory only: what the next record adds to)
        self.keyed_last: dict[str, tuple[dict[Any, Any], dict[Any, int] | None]] = {}

    # --- building -------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        extractions: Iterable[ArticleExtraction],
        articles: Iterable[ArticleText],
        fixed: Mapping[ClaimId, Sequence[MentionKey]] | None = None,
        backend: SimilarityBackend | None = None,
        stats: StoryStats | None = None,
        observe: Callable[[str], None] | None = None,
    ) -> tuple[StoryIndex, StoryAnalysis]:
        """A full run: the index of a whole story, and its analysis (``analyse_story``'s)."""
        mentions = sorted(
            {m.key: m for ex in extractions for m in ex.mentions}.values(), key=lambda m: key_order(m.key)
        )
        vectors = None
        if stats is None:  # taken with the texts' vectors, which the run then uses
            rows = Rows.of(mentions)
            stats, *vectors = StoryStats.fit(mentions, [rows.mentions[r].text for r in rows.uniq], backend)
        index = cls(stats)
        index.counted = len(mentions)
        fixed_of: dict[MentionKey, ClaimId] = {}
        for claim_id in sorted(fixed or {}, key=lambda c: (isinstance(c, str), str(c))):
            for k in (fixed or {})[claim_id]:
                fixed_of.setdefault((k[0], k[1], k[2]), claim_id)
        return index, index._run(mentions, list(articles), fixed_of, observe, vectors)

    def add(
        self,
        extractions: Iterable[ArticleExtraction],
        articles: Iterable[ArticleText],
        observe: Callable[[str], None] | None = None,
    ) -> StoryAnalysis:
        """The analysis of the story with these articles added (new work only, module doc).

        Articles whose mentions would come before the story's last mention, or growth past
        ``REFRESH_GROWTH``, make it a full run (``refresh``), whose result is the same.
        """
        new = sorted(
            {m.key: m for ex in extractions for m in ex.mentions if m.key not in self.cluster_of}.values(),
            key=lambda m: key_order(m.key),
        )
        articles = list(articles)
        last = self.rows.mentions[-1].key if self.rows.mentions else None
        in_order = not new or last is None or key_order(new[0].key) > key_order(last)
        if not in_order or len(self.rows.mentions) + len(new) > REFRESH_GROWTH * max(self.counted, 1):
            return self.refresh(new, articles, observe)
        analysis = self._run(new, articles, {}, observe)
        self.refreshed = False
        return analysis

    def refresh(
        self,
        new: Sequence[Mention] = (),
        articles: Iterable[ArticleText] = (),
        observe: Callable[[str], None] | None = None,
    ) -> StoryAnalysis:
        """A full run over the story and ``new``, every claim kept (fixed), statistics taken again."""
        everything = [*self.rows.mentions, *new]
        extraction = ArticleExtraction("", None, None, (), tuple(everything), (), ())
        index, analysis = StoryIndex.build(
            [extraction],
            [*self.articles.values(), *articles],
            fixed=self.fixed_claims(),
            observe=observe,
        )
        index.kept, index.log_file = self.kept, self.log_file
        self.__dict__.update(index.__dict__)
        return analysis

    def fixed_claims(self) -> dict[ClaimId, list[MentionKey]]:
        """The story's claims as a full run takes them (every one fixed), by stable id."""
        return {fid: list(keys) for fid, keys in zip(self.fixed, self.clusters, strict=True)}

    # --- kept between runs ------------------------------------------------------------------

    def name_claims(self, ids: Sequence[ClaimId]) -> None:
        """Each claim's stable id from now on (the one its row was given), in the clusters' order."""
        if len(ids) != len(self.clusters):
            raise ValueError(f"{len(ids)} ids for {len(self.clusters)} claims")
        named = [at for at, (was, now) in enumerate(zip(self.fixed, ids, strict=True)) if was != now]
        self.fixed = list(ids)
        # The last run's clusters under the claims they are now, as the next run would make them
        # (after a full run, every one: the next run then takes them as they are).
        for at in named:
            last = self.made[at] if at < len(self.made) else None
            if last is not None and len(last.mentions) == len(self.clusters[at]):
                self.made[at] = evolve(last, id=_cluster_id(last.mentions, ids[at]), extends=ids[at])
                self.unsettled.discard(at)
            else:
                self.unsettled.add(at)

    def disagreement(
        self, fixed: Mapping[ClaimId, Sequence[MentionKey]], articles: Iterable[ArticleText]
    ) -> str | None:
        """Why this index does not describe a story whose claims are ``fixed`` now and whose
        articles are ``articles``; None when it does, and ``add`` may run on it.

        Its claims must be those claims, each with the same mentions (a merge, a split or a moved
        mention changes them), every other mention unaligned, and its articles unchanged, but for
        which article copies which (``add`` takes that into account). An article given without
        its body is compared by its ``digest`` (``ArticleText``).
        """
        changed: set[ClaimId] = set()
        matched = 0
        for fid, keys in fixed.items():
            for k in keys:
                ci = self.cluster_of.get(k)
                if ci is None or self.fixed[ci] != fid:
                    changed.update([fid] if ci is None else [fid, self.fixed[ci]])
                else:
                    matched += 1
        if matched != len(self.cluster_of):  # mentions of its claims that no claim has now
            now_claimed = {k for keys in fixed.values() for k in keys}
            changed.update(self.fixed[ci] for k, ci in self.cluster_of.items() if k not in now_claimed)
        if changed:
            names = sorted(map(str, changed), key=lambda c: (len(c), c))  # numbers in their order
            return f"claims changed since the last run: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}"
        now = {a.id: a for a in articles}
        for aid, kept in self.articles.items():
            current = now.get(aid)
            if current is None:
                return f"article {aid} is gone"
            if _article_mark(current) != _article_mark(kept):
                return f"article {aid} changed"
        return None

    def mention(self, key: MentionKey) -> Mention:
        """One of the index's mentions (KeyError: not one of them)."""
        return self.rows.mentions[self.position[key]]

    def _grown_places(self) -> dict[str, tuple[Any, str]]:
        """Where each part of the index that only grows between full runs is (an object and its
        attribute): lists, dicts that only gain keys (in the order they gain them) and matrices
        that only gain rows. What each run added to them goes in the story's log (``dump_log``),
        not in every run's pickle (``dump``)."""
        rows, asserting, quotes = self.rows, self.memo.asserting, self.memo.quotes
        return {
            "position": (self, "position"),
            "cluster_of": (self, "cluster_of"),
            "row_of": (self, "row_of"),
            "pair_scores": (self, "pair_scores"),
            "norm_text": (rows, "norm_text"),
            "rep": (rows, "rep"),
            "uniq": (rows, "uniq"),
            "first_of": (rows, "first_of"),
            "x": (self, "x"),
            "xb": (self, "xb"),
            "anchors": (self, "anchors"),
            "asserted_terms": (asserting, "terms"),
            "unknowns": (asserting, "unknowns"),
            "quote_words": (quotes, "words"),
        }

    def _grown(self) -> dict[str, Any]:
        """The parts that only grow, by name (``_grown_places``)."""
        return {name: getattr(owner, attribute) for name, (owner, attribute) in self._grown_places().items()}

    def _keyed_places(self) -> dict[str, tuple[Any, str]]:
        """Where each dict that a run changes by key is (an object and its attribute, or a dict
        and its key), when it holds too much to be pickled whole every run: each cluster's
        display text and sources, the number conflicts and counted blocks, and each dict the
        caller ``kept``. A run's record in the log holds the entries it set and the keys it
        removed (``dump_log``). Their values are replaced, never changed in place, but for the
        lists of ``_GROWING_VALUES``, which only grow; and their order is read by no one (an
        entry set again keeps its place when the log is read), but for those that only gain keys."""
        places: dict[str, tuple[Any, str]] = {
            "cache": (self, "cache"),
            "numbers": (self.memo, "numbers"),
            "blocks": (self.memo, "blocks"),
        }
        places.update((f"kept.{key}", (self.kept, key)) for key, part in self.kept.items() if type(part) is dict)
        return places

    def _keyed(self) -> dict[str, dict[Any, Any]]:
        """The parts logged by key, by name (``_keyed_places``)."""
        return {name: _part(owner, attribute) for name, (owner, attribute) in self._keyed_places().items()}

    def dump(self, fh: IO[bytes]) -> None:
        """Pickle the index to ``fh`` without what its log keeps (``dump_log``; ``load`` takes it
        back): its statistics, which change only with a full run, its mentions and articles,
        which never change once added, and the parts that only grow (``_grown``). Each other
        reference to a mention goes in as its place among them (``_pickler``).
        """
        # The same parts, but for those the log keeps, the lookups made again from them on load,
        # and what is held in memory only.
        shell = copy.copy(self)
        shell.rows, shell.memo = copy.copy(self.rows), copy.copy(self.memo)
        shell.memo.asserting, shell.memo.quotes = copy.copy(self.memo.asserting), copy.copy(self.memo.quotes)
        shell.kept = dict(self.kept)
        for owner, attribute in shell._grown_places().values():
            part = getattr(owner, attribute)
            setattr(owner, attribute, None if part is None or sp.issparse(part) else type(part)())
        for owner, attribute in shell._keyed_places().values():
            _set_part(owner, attribute, _emptied(_part(owner, attribute)))
        shell.stats, shell.articles, shell.unlogged, shell.rows.mentions = None, {}, {}, []  # type: ignore[assignment]
        shell.memo.asserting.index, shell.memo.quotes.by_word = {}, {}
        shell.made, shell.held, shell.memo.judged, shell.keyed_last = [], {}, {}, {}
        shell.unsettled, shell.touched, shell.settling = set(), set(), set()
        with _without_cyclic_gc():
            self._pickler(fh).dump(shell)

    def _pickler(self, fh: IO[bytes]) -> pickle.Pickler:
        """A pickler that writes each of the index's mentions as its place among them, so that
        its memo (an entry per object) does not hold their some 45 objects each on every run."""
        mentions = self.rows.mentions
        position = self.position

        def mention(m: Mention) -> str | tuple[Any, ...]:
            at = position.get(m.key)
            if at is None or mentions[at] is not m:  # not one of the rows': pickled whole
                return m.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
            return (_mention_at, (at,))

        pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
        # by type: only mentions call back into Python (a persistent_id is asked of every object)
        pickler.dispatch_table = {**copyreg.dispatch_table, Mention: mention}
        return pickler

    def dump_log(self, fh: IO[bytes], fresh: bool) -> None:
        """Write to the story's log (``fresh``: a new one) what it lacks, as one record: the
        mentions and articles added (or changed) since the last record, what was added to each
        part that only grows (``_grown``), and what changed in each part logged by key
        (``_keyed``), after the statistics in a new log. A log goes on until a full run
        (``refreshed``) changes the statistics and the mentions' order: then it is written afresh."""
        logged = {} if fresh else self.grown_logged
        grown = {name: _added(part, logged.get(name, 0)) for name, part in self._grown().items()}
        keyed = {
            # (in a new log, each part whole: no copy of it)
            name: (part, []) if fresh else _changes(part, *self.keyed_last.get(name, ({}, None)))
            for name, part in self._keyed().items()
        }
        with _without_cyclic_gc():
            if fresh:
                pickle.dump(self.stats, fh, protocol=pickle.HIGHEST_PROTOCOL)
                record = (self.rows.mentions, list(self.articles.values()), grown)
            else:
                record = (self.rows.mentions[self.logged :], list(self.unlogged.values()), grown)
            pickle.dump(record, fh, protocol=pickle.HIGHEST_PROTOCOL)
            # apart, after the mentions: what it refers to of them goes in as their places
            self._pickler(fh).dump(keyed)
        self.logged, self.unlogged = len(self.rows.mentions), {}
        self.grown_logged = {name: _size(part) for name, part in self._grown().items()}
        self._keep_keyed()

    def _keep_keyed(self) -> None:
        """Take note of the parts logged by key as the log now has them."""
        self.keyed_last = {name: _snapshot(name, part) for name, part in self._keyed().items()}
        self.keyed_logged = {name: len(part) for name, part in self._keyed().items()}

    @staticmethod
    def load_log(fh: IO[bytes], records: int) -> StoryLog:
        """The statistics, mentions, articles and grown parts of the first ``records`` records of
        a log ``dump_log`` wrote to ``fh``."""
        with _without_cyclic_gc():
            log = StoryLog(pickle.load(fh), [], {}, {}, {})
            loading = _LOADING.set(log.mentions)
            try:
                for _ in range(records):
                    mentions, articles, grown = pickle.load(fh)
                    log.mentions.extend(mentions)
                    log.articles.update((a.id, a) for a in articles)  # a changed article replaces its last record
                    for name, added in grown.items():
                        log.grown.setdefault(name, []).append(added)
                    for name, changes in pickle.load(fh).items():
                        log.keyed.setdefault(name, []).append(changes)
            finally:
                _LOADING.reset(loading)
        return log

    @staticmethod
    def load(fh: IO[bytes], log: StoryLog) -> StoryIndex:
        """An index ``dump`` wrote, with the log ``dump_log`` kept for it."""
        loading = _LOADING.set(log.mentions)
        try:
            with _without_cyclic_gc():  # a million small objects: the collector would triple the time
                index = pickle.load(fh)
        finally:
            _LOADING.reset(loading)
        if not isinstance(index, StoryIndex):
            raise TypeError(f"not a story index: {type(index).__name__}")
        grown = {name: _joined(parts) for name, parts in log.grown.items()}
        if set(grown) != set(index.grown_logged):
            raise ValueError("the log's parts are not the index's")
        if {name: _size(part) for name, part in grown.items()} != index.grown_logged:
            raise ValueError("the log does not hold what the index was kept with")
        if index.logged != len(log.mentions) or len(grown["position"]) != len(log.mentions):
            raise ValueError(f"an index of {index.logged} mentions, {len(log.mentions)} logged")
        if index.roots.keys() - log.articles.keys():
            raise ValueError("an article of the index is not in its log")
        index.stats, index.articles, index.rows.mentions = log.stats, log.articles, log.mentions
        for name, (owner, attribute) in index._grown_places().items():
            setattr(owner, attribute, grown[name])
        keyed = index._keyed()
        if set(log.keyed) != set(keyed):
            raise ValueError("the log's parts logged by key are not the index's")
        for name, part in keyed.items():
            for updates, removed in log.keyed[name]:
                for key in removed:
                    del part[key]
                part.update(updates)
        if index.keyed_logged != {name: len(part) for name, part in keyed.items()}:
            raise ValueError("the log does not hold the entries the index was kept with")
        index._keep_keyed()
        index.memo.asserting.index_terms()
        index.memo.quotes.index_words()
        return index

    # --- one run ----------------------------------------------------------------------------

    def _run(
        self,
        new: list[Mention],
        articles: list[ArticleText],
        fixed_of: Mapping[MentionKey, ClaimId],
        observe: Callable[[str], None] | None,
        vectors: Sequence[Any] | None = None,
    ) -> StoryAnalysis:
        observe = observe or (lambda _stage: None)
        with _without_cyclic_gc():
            observe("align")
            al = self._align(new, fixed_of, vectors)
            self.articles.update({a.id: a for a in articles})
            self.unlogged.update({a.id: a for a in articles})
            roots = article_roots(self.articles.values())
            if any(roots.get(a, a) != r for a, r in self.roots.items()):
                self.cache.clear()  # an earlier article's original changed: sources are counted again
                self.made.clear()
            self.roots = roots
            # the clusters this run may make otherwise than the last: those the new mentions
            # joined or made, and those whose claim was unsettled
            changed, self.unsettled = self.unsettled | self.touched, self.settling
            return story_result(
                al,
                self.articles,
                observe,
                self.cache,
                self.memo,
                self.new,
                roots=roots,
                position=self.position,
                made=self.made,
                changed=changed,
            )

    def _align(
        self, new: list[Mention], fixed_of: Mapping[MentionKey, ClaimId], vectors: Sequence[Any] | None = None
    ) -> Alignment:
        """Alignment of the story with ``new`` added; ``vectors``: of the rows they add, when known."""
        rows, first = self.rows, len(self.rows.mentions)
        added = rows.extend(new)
        self.position.update({m.key: i for i, m in enumerate(new, start=first)})
        for u in added:
            self.row_of[rows.uniq[u]] = u
        x_new, xb_new = vectors or self.stats.vectors([rows.mentions[rows.uniq[u]].text for u in added])
        if added:
            self.x = x_new if self.x is None else sp.vstack([self.x, x_new], format="csr")
            if self.xb is None:
                self.column_rows = np.zeros(xb_new.shape[1], dtype=np.int64)
            anchors_new, self.column_rows = first_anchors(xb_new, seen=self.column_rows)
            self.xb = xb_new if self.xb is None else sp.vstack([self.xb, xb_new], format="csr")
            self.anchors = anchors_new if self.anchors is None else sp.vstack([self.anchors, anchors_new], format="csr")
        start = added[0] if added else len(rows.uniq)
        raw = (
            earlier_neighbours(self.xb, self.anchors, NEIGHBOURS, MIN_COSINE, start=start)
            if self.xb is not None
            else []
        )
        feats = SlotFeaturesOf(rows.mentions)
        scored = score_pairs(rows, self.x, raw, self.stats.idf, feats, range(first, len(rows.mentions)))
        self.pair_scores.update({(i, j): s for s, i, j in scored})
        scored.sort(key=lambda t: (-t[0], t[1], t[2]))

        # The groups: each claim so far as one node (fixed), then each new mention; a node's
        # members, articles and fixed id are made when a pair first reaches it.
        n_old, clusters, position = len(self.clusters), self.clusters, self.position
        groups = _Groups.on_demand(
            lambda ci: [position[k] for k in clusters[ci]] if ci < n_old else [first + ci - n_old],
            lambda ci: {k[0] for k in clusters[ci]} if ci < n_old else {new[ci - n_old].article_id},
            lambda ci: self.fixed[ci] if ci < n_old else None,
            _Rows(self),
        )
        by_fixed: dict[ClaimId, int] = {}
        for offset, m in enumerate(new):  # a full run's fixed claims (``build``)
            fid = fixed_of.get(m.key)
            if fid is None:
                continue
            at = n_old + offset
            groups.fixed[groups.find(at)] = fid
            if fid in by_fixed:
                groups.union(by_fixed[fid], at)
            by_fixed[fid] = groups.find(at)

        def node(i: int) -> int:
            return self.cluster_of[rows.mentions[i].key] if i < first else n_old + i - first

        for s, i, j in scored:
            if s < MERGE_THRESHOLD:
                break
            join(groups, node(i), node(j), rows.norm_text[i] == rows.norm_text[j])

        extends: list[ClaimId | None] = list(self.fixed)
        self.new = {m.key for m in new} if n_old else None  # a first run finds every conflict
        self.touched, self.settling = set(), set()
        made: dict[int, list[MentionKey]] = {}
        for offset, m in enumerate(new):
            root = groups.find(n_old + offset)
            # the earlier claim of its group (fixed claims never merge: one at most), by one of its mentions
            joined = next((self.cluster_of[rows.mentions[i].key] for i in groups.members[root] if i < first), None)
            if joined is not None:
                self.cache.pop(tuple(self.clusters[joined]), None)
                self.clusters[joined].append(m.key)  # new mentions come after every earlier one
                self.cluster_of[m.key] = joined
                self.touched.add(joined)
            else:
                made.setdefault(root, []).append(m.key)
        for root in sorted(made, key=lambda r: key_order(made[r][0])):
            ci = len(self.clusters)
            self.clusters.append(made[root])
            extends.append(groups.fixed[root])
            self.fixed.append(groups.fixed[root] or _cluster_id(made[root], None))
            self.touched.add(ci)
            if extends[ci] != self.fixed[ci]:  # extended next time under the id it has now
                self.settling.add(ci)
            for k in made[root]:
                self.cluster_of[k] = ci
        best_links(scored, rows.mentions, self.cluster_of, best=self.best)
        return Alignment(
            mentions=rows.mentions,
            clusters=self.clusters,
            extends=extends,
            suggestions=suggestions_of(self.best),
            cluster_of=self.cluster_of,
            vectors=None,
            pair_scores=self.pair_scores,
            idf=self.stats.idf,
            df=self.stats.term_df,
            counted=self.stats.mentions,
        )


class StoryLog(NamedTuple):
    """What a story's log keeps (``StoryIndex.dump_log``): all that never changes between full
    runs, what each run added to the parts that only grow (``grown``: each record's, by part),
    and what it set and removed in the parts logged by key (``keyed``: each record's, by part)."""

    stats: StoryStats
    mentions: list[Mention]
    articles: dict[ArticleId, ArticleText]
    grown: dict[str, list[Any]]
    keyed: dict[str, list[tuple[dict[Any, Any], list[Any]]]]


def _size(part: Any) -> int:
    """How much a part that only grows holds: items, or rows of a matrix."""
    if part is None:
        return 0
    return part.shape[0] if sp.issparse(part) else len(part)


def _added(part: Any, size: int) -> Any:
    """What was added to a part that only grows since it held ``size``."""
    if part is None or sp.issparse(part):
        return None if part is None or part.shape[0] == size else part[size:]
    if isinstance(part, dict):
        return dict(itertools.islice(part.items(), size, None))
    return part[size:]


def _joined(parts: list[Any]) -> Any:
    """A part that only grows, made again from what each record added to it."""
    if any(sp.issparse(p) for p in parts):
        return sp.vstack([p for p in parts if p is not None], format="csr")
    if all(p is None for p in parts):
        return None
    if isinstance(parts[0], dict):
        joined: dict[Any, Any] = {}
        for p in parts:
            joined.update(p)
        return joined
    return [item for p in parts for item in p]


# The parts logged by key whose values are lists that only grow, in place (``_keyed_places``).
_GROWING_VALUES = frozenset({"blocks"})
_ABSENT = object()


def _part(owner: Any, name: str) -> Any:
    return owner[name] if isinstance(owner, dict) else getattr(owner, name)


def _set_part(owner: Any, name: str, part: Any) -> None:
    if isinstance(owner, dict):
        owner[name] = part
    else:
        setattr(owner, name, part)


def _emptied(part: dict[Any, Any]) -> dict[Any, Any]:
    """An empty dict of the part's type, with its other attributes (``CountedBlocks.mentions``)."""
    empty = type(part)()
    if hasattr(part, "__dict__"):
        empty.__dict__.update(part.__dict__)
    return empty


def _snapshot(name: str, part: dict[Any, Any]) -> tuple[dict[Any, Any], dict[Any, int] | None]:
    """A part logged by key as it is now (its values by reference), and the size of each of its
    values when they grow in place."""
    return dict(part), ({key: len(value) for key, value in part.items()} if name in _GROWING_VALUES else None)


def _changes(
    part: dict[Any, Any], last: dict[Any, Any], sizes: dict[Any, int] | None
) -> tuple[dict[Any, Any], list[Any]]:
    """What changed in a part logged by key since ``_snapshot`` took ``last`` and ``sizes``: the
    entries set (another value, or a value that grew) and the keys removed."""
    updates = {
        key: value
        for key, value in part.items()
        if (before := last.get(key, _ABSENT)) is not value and (before is _ABSENT or before != value)
    }
    if sizes is not None:
        updates.update((key, value) for key, value in part.items() if sizes.get(key) != len(value))
    return updates, list(last.keys() - part.keys())


# The mentions of the index being loaded (``StoryIndex.load``), in the rows' order.
_LOADING: ContextVar[list[Mention]] = ContextVar("_LOADING")


def _mention_at(place: int) -> Mention:
    return _LOADING.get()[place]


def _article_mark(a: ArticleText) -> tuple[Any, ...]:
    """What must stay the same of an earlier article: its text (by its digest when it has one),
    its date, outlet and name; not which article it copies (``add`` takes that into account)."""
    return (a.id, a.digest or (a.body, a.embeds), a.published_on, a.outlet, a.label)
