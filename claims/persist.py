"""Persistence for the claim pipeline: run the pure-Python stages and store what they find.

The run's bookkeeping is claims/runs.py; queueing the work is claims/tasks.py.

The rules that protect people's work live here, once:
- mentions are only ever added, never deleted or moved by the pipeline;
- every existing claim is handed to the story stage as fixed: its mentions stay together and
  new mentions may join it, so re-running or adding an article never starts over;
- a claim a person has acted on (`Claim.is_touched`) keeps its status and wording; new
  evidence attaches to it and a new disagreement with it becomes a new open conflict;
- one disagreement is one conflict across re-runs: new evidence joins the open conflict it
  overlaps (the pipeline's audited CONFLICT_EXTEND), and a resolved conflict stays as a person
  resolved it, re-raised by a new conflict that `follows` it only when there is new evidence;
- a conflict never has one article (or copies of one) on both sides, and two claims on opposite
  sides of an open conflict get no merge suggestion;
- a merge suggestion is identified by its two claims, so a re-run adds nothing that is already
  there, and never reopens what a person rejected.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import operator
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache, partial
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from articles.models import Article, Story
from articles.naming import outlet_label

from . import pipeline, story_cache
from .models import Claim, Conflict, ConflictMention, Mention, MergeSuggestion, ReviewEvent, refresh_open_conflicts
from .pipeline.codec import from_jsonable
from .pipeline.incremental import StoryIndex
from .pipeline.story import _without_cyclic_gc
from .pipeline.types import ArticleExtraction, ArticleText, ClaimId, Embed, MentionKey, Slots, to_jsonable
from .runs import run_add_timing, run_note

# --- stage 1: per article -----------------------------------------------------------------------


def article_text(article: Article) -> ArticleText:
    embeds = tuple(
        Embed(
            start=e["start"],
            end=e["end"],
            author=e.get("author", ""),
            handle=e.get("handle", ""),
            posted_on=date.fromisoformat(e["posted_on"]) if e.get("posted_on") else None,
            platform=e.get("platform", "twitter"),
        )
        for e in article.embeds
    )
    return ArticleText(
        id=article.pk,
        body=article.body,
        published_on=article.published_on,
        outlet=article.outlet.name if article.outlet is not None else None,
        embeds=embeds,
        duplicate_of=article.duplicate_of_id,
        label=_label(article.outlet.name if article.outlet is not None else None, article.external_id),
        digest=article.content_hash,
    )


def _label(outlet: str | None, external_id: str) -> str:
    """Names the article where the outlet is missing or generic ("agencies") in explanations."""
    return f"{outlet if outlet is not None else 'unnamed outlet'} ({external_id})"


def article_extract(*, article: Article, run_id: int | None = None) -> int:
    """Extract an article's claim mentions once; returns how many were saved (0 if already done).

    What the extraction skipped is noted on the run; the run's progress is the caller's
    (run_article_done), in its own short transaction.
    """
    if article.processed_at is not None:
        return 0
    extraction = pipeline.extract_article(article_text(article))
    with transaction.atomic():
        # A conditional UPDATE claims the article: of two deliveries of the same task, the second
        # waits on the row until the first commits, then matches nothing and writes nothing.
        if not Article.objects.filter(pk=article.pk, processed_at__isnull=True).update(processed_at=timezone.now()):
            return 0
        mentions = [mention_row(article.pk, m) for m in extraction.mentions]
        mentions_insert(mentions)
    if run_id is not None:
        for skipped in extraction.skipped:
            run_note(run_id=run_id, article_id=article.pk, stage="extract", reason=skipped.reason)
    return len(mentions)


_MENTION_FIELDS = ("article", "start", "end", "text", "checkworthiness", "features", "slots", "certainty")


def mention_row(article_id: int, m: pipeline.Mention) -> dict[str, Any]:
    """An extracted mention as the row mentions_insert stores (_MENTION_FIELDS, by attname)."""
    return {
        "article_id": article_id,
        "start": m.start,
        "end": m.end,
        "text": m.text,
        "checkworthiness": m.checkworthiness,
        "features": dict(m.features),
        "slots": to_jsonable(m.slots),
        "certainty": m.slots.certainty.level,
    }


def mentions_insert(rows: list[dict[str, Any]]) -> None:
    """Add an article's new mentions (rows of _MENTION_FIELDS by attname); a span already there is
    left as it is.

    On PostgreSQL the rows go as one JSON document that `jsonb_to_recordset` turns back into
    rows: Django's bulk insert there (UNNEST of one array a column) had psycopg quote every
    mention's slots into an array literal, 5 ms of CPU for an article of 26 mentions, against
    1.4 ms this way, JSON encoding included (NewsWCL50). The stored rows are bulk_create's
    (tests/claims/test_pipeline_services.py compares them); other databases (the demo's SQLite)
    use bulk_create.
    """
    if not rows:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        Mention.objects.bulk_create([Mention(**row, created_at=now) for row in rows], ignore_conflicts=True)
        return
    with connection.cursor() as cursor:
        cursor.execute(_mentions_insert_sql(), [now, json.dumps(rows)])


@lru_cache(maxsize=1)
def _mentions_insert_sql() -> str:
    by_name = {f.name: f for f in Mention._meta.concrete_fields}
    fields = [by_name[name] for name in _MENTION_FIELDS]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column or f.attname) for f in fields)
    # the types without their lengths (varchar, not varchar(20)): a value too long then fails the
    # INSERT, as in bulk_create, instead of being cut to fit
    record = ", ".join(f"{quote(f.attname)} {str(f.db_type(connection)).split('(')[0]}" for f in fields)
    values = ", ".join(f"r.{quote(f.attname)}" for f in fields)
    created = quote(by_name["created_at"].column or "created_at")
    return (
        f"INSERT INTO {quote(Mention._meta.db_table)} ({columns}, {created}) "
        f"SELECT {values}, %s FROM jsonb_to_recordset(%s::jsonb) AS r({record}) ON CONFLICT DO NOTHING"
    )


# --- stage 2: per story -------------------------------------------------------------------------


def _conflict_key(kind: str, side_a: Iterable[int], side_b: Iterable[int]) -> str:
    sides = sorted([",".join(map(str, sorted(side_a))), ",".join(map(str, sorted(side_b)))])
    return hashlib.sha256(f"{kind}|{sides[0]}|{sides[1]}".encode()).hexdigest()


def story_analyse(
    *, story: Story, run_id: int | None = None, progress: Callable[[str], None] | None = None, full: bool = False
) -> dict[str, Any]:
    """Align the story's mentions into claims, propose merges and conflicts, count sources.

    The story's index kept by its last run (claims/story_cache.py) makes a run that adds articles
    do only the new work, with the result a full run with the kept statistics would give: it
    reads the new articles and mentions (and a few columns of the others), and writes the claims
    and conflicts the new work changed. A reviewer's merge or split since, a changed article, or
    ``full`` make it a full run (everything read, the statistics taken afresh).
    ``stats["story_stage"]`` says which it was and why.
    """
    started = time.perf_counter()
    parts: dict[str, float] = {}
    lap = _lap(parts, started)
    # The cyclic collector paused: the run's objects live until it ends (pipeline.story._without_cyclic_gc).
    with _kept_if_committed(story) as keeping, transaction.atomic(), _without_cyclic_gc():
        # One story stage at a time per story: a second waits here and then sees the first's claims.
        # FOR NO KEY UPDATE: a reviewer's audit event, which references the story (FOR KEY SHARE),
        # never waits on it, so a reviewer holding a claim the stage needs cannot deadlock with it.
        Story.objects.select_for_update(no_key=True).get(pk=story.pk)
        rows = _StoryRows.read(story)
        if progress:
            progress(f"{len(rows.mentions)} mentions in {len({m[2] for m in rows.mentions})} articles")
        index, analysis, seen, how = _analysis(story, rows, full, lap)
        del rows  # (kept as ``seen`` unless the last run's were)
        stored = seen.stored
        lap("analyse")
        later = _ClaimWrites()
        named: dict[str, int] = {}
        attached: list[MentionKey] = []
        stats: dict[str, Any] = _persist(story, analysis, index, stored, later, named, attached)
        stats["story_stage"] = how
        later.write_unlocked()
        lap("write")
        ids = [named.get(c.id) for c in analysis.clusters]
        del analysis  # what the pickling below may use instead (its memo is large)
        if None in ids or len(ids) != len(index.clusters):  # a claim not written (no mention of it
            story_cache.discard(story)  # is stored), or an analysis the index did not make (tests)
        else:
            # Kept while the story is locked: the next run reads what this one left. Should this
            # transaction not commit, the index is let go (_kept_if_committed).
            index.name_claims([int(i) for i in ids if i is not None])
            # What the claims a reviewer held will be written is not known yet: not kept as written.
            for pk in later.rest:
                index.kept["written"].pop(pk, None)
            seen.rows.wrote(stored, attached)
            index.held["rows"] = seen
            # what _persist may take as written: the clusters the next run takes as they are
            index.held["persisted"] = (tuple(index.made), index.fixed)
            keeping.saved = story_cache.save(story, index)
        lap("keep")
    # The claims a reviewer held: written now, each on its own, holding nothing else.
    stats["claims_written_after_review"] = later.write_rest()
    stats["seconds"] = round(time.perf_counter() - started, 3)
    # where the time went: reading the story (with the kept index's loading), the analysis,
    # writing claims and conflicts, keeping the index (the rest: the writes after the commit)
    stats["seconds_by_part"] = {name: round(seconds, 3) for name, seconds in parts.items()}
    if run_id is not None:
        run_add_timing(run_id=run_id, name="analyse_seconds", seconds=stats["seconds"])
    return stats


class _Keeping:
    saved = False


@contextmanager
def _kept_if_committed(story: Story) -> Iterator[_Keeping]:
    """Around the stage's transaction: an index saved in it and then not committed (the commit
    failed, or anything after the save) is removed. It describes writes that were rolled back:
    a claim's new wording it calls written would be skipped by the runs that read it."""
    keeping = _Keeping()
    try:
        yield keeping
    except BaseException:
        if keeping.saved:
            story_cache.discard(story)
        raise


class _Stored(NamedTuple):
    """What the story stage reads of every stored mention (the rest only of the new ones)."""

    pk: int
    claim_id: int | None
    article_id: int


# A mention's row as the story stage reads it: (pk, claim, article, start, end).
_MentionRow = tuple[int, int | None, int, int, int]
# An article's: (pk, external id, published on, duplicate of, outlet, content hash).
_ArticleRow = tuple[int, str, date | None, int | None, str | None, str]


@dataclass
class _StoryRows:
    """The columns the story stage reads of every mention and article of a story, to check its
    kept index against them: each mention's claim and place, the merged claims (their mentions
    are no claim's), and what ``disagreement`` compares of each processed article (its text by
    its digest)."""

    mentions: set[_MentionRow]
    merged: set[int]
    articles: set[_ArticleRow]

    @classmethod
    def read(cls, story: Story) -> _StoryRows:
        # (the models' ordering left out: a sort for nothing)
        return cls(
            set(
                Mention.objects.filter(article__story=story)
                .order_by()
                .values_list("pk", "claim_id", "article_id", "start", "end")
            ),
            set(Claim.objects.filter(story=story, status=Claim.Status.MERGED).order_by().values_list("pk", flat=True)),
            set(
                Article.objects.filter(story=story, processed_at__isnull=False)
                .order_by()
                .values_list("pk", "external_id", "published_on", "duplicate_of_id", "outlet__name", "content_hash")
            ),
        )

    def wrote(self, stored: Mapping[MentionKey, _Stored], attached: Iterable[MentionKey]) -> None:
        """The rows as the stage's writes leave them: these mentions attached to their claims
        (``stored``, updated)."""
        for key in attached:
            m = stored[key]
            self.mentions.discard((m.pk, None, m.article_id, key[1], key[2]))
            self.mentions.add((m.pk, m.claim_id, m.article_id, key[1], key[2]))


@dataclass
class _Seen:
    """A story's rows as a run of the stage read and wrote them, and its stored mentions by key
    (``_Stored``): what the run that kept the index leaves for the next one (``index.held["rows"]``,
    in memory only). The next run adds to them what was added since (their objects stay from run
    to run, which spares the garbage collector tens of thousands of new ones)."""

    rows: _StoryRows
    stored: dict[MentionKey, _Stored]

    def added(self, now: _StoryRows) -> list[_MentionRow] | None:
        """The mentions stored since, when that is all that changed but for articles added;
        else None (a reviewer's merge or split, a deleted or changed article: ``disagreement``
        says what)."""
        if now.merged != self.rows.merged or not self.rows.articles <= now.articles:
            return None
        added = now.mentions - self.rows.mentions
        if len(now.mentions) - len(added) != len(self.rows.mentions):  # some are gone, or changed
            return None
        return None if any(m[1] is not None for m in added) else list(added)


def _lap(parts: dict[str, float], started: float) -> Callable[[str], None]:
    """Record in ``parts`` the time since the last lap (or ``started``) under a name."""

    def lap(name: str) -> None:
        parts[name] = time.perf_counter() - started - sum(parts.values())

    return lap


# What _persist reads of the claims it may write (each other field would cost a query a claim),
# and how many at a time.
_CLAIMS_READ = 2000
_CLAIM_FIELDS_READ = (
    "pk", "status", "touched_at", "independent_sources", "sources", "desk_model",
    "text", "canonical_mention", "checkworthiness", "features",
)  # fmt: skip
_MENTION_FIELDS_READ = ("pk", "article_id", "start", "end", "text", "checkworthiness", "features", "slots")


def _analysis(
    story: Story, rows: _StoryRows, full: bool, lap: Callable[[str], None]
) -> tuple[StoryIndex, pipeline.types.StoryAnalysis, _Seen, str]:
    """The story's analysis, from its kept index when that still describes it; the story's rows
    and stored mentions (``_Seen``); and how it was made.

    From the index, only the articles and mentions it does not have are read whole (neither
    changes once stored: the index keeps its own); a full run reads them all. When the rows
    are those the index's last run left (``_Seen``) but for mentions and articles added,
    the index is not checked against them again."""
    if full:
        story_cache.forget()  # not kept alive through the full run
        index, why = None, "a full run was asked for"
    else:
        index, why = story_cache.load(story)
    expected: _Seen | None = index.held.pop("rows", None) if index is not None else None
    added = expected.added(rows) if expected is not None else None
    if expected is not None and added is not None:  # (the index is the one that left them)
        seen, stored = expected, expected.stored
        now = {row[0]: row for row in rows.articles - seen.rows.articles}  # the new articles only
        seen.rows.mentions.update(added)
        seen.rows.articles.update(now.values())
        stored.update(((a, start, end), _Stored(pk, None, a)) for pk, _, a, start, end in added)
        candidates: Iterable[MentionKey] = [(a, start, end) for _, _, a, start, end in added]
        why = ""
    else:
        stored = {(a, start, end): _Stored(pk, claim, a) for pk, claim, a, start, end in rows.mentions}
        seen, candidates = _Seen(rows, stored), stored
        now = {row[0]: row for row in rows.articles}
        if index is not None:
            why = index.disagreement(_fixed(stored, rows.merged), map(_article_mark, now.values())) or ""
    if index is not None:
        if not why:
            texts = {a.pk: article_text(a) for a in _articles(story).filter(pk__in=now.keys() - index.articles.keys())}
            # which article copies which may have changed since (the only change ``add`` takes)
            recopied = [
                replace(kept, duplicate_of=now[aid][3])
                for aid, kept in index.articles.items()
                if aid in now and kept.duplicate_of != now[aid][3]
            ]
            new = [stored[k].pk for k in candidates if k not in index.position]
            read = list(Mention.objects.filter(pk__in=new).order_by().only(*_MENTION_FIELDS_READ))
            lap("read")
            texts_of_rows = {**{m.article_id: index.articles.get(m.article_id) for m in read}, **texts}
            extractions = _extractions({aid: t for aid, t in texts_of_rows.items() if t is not None}, read)
            analysis = index.add(extractions, [*texts.values(), *recopied])
            return (
                index,
                analysis,
                seen,
                "full: the story grew past the kept statistics" if index.refreshed else "incremental",
            )
        index = None  # not kept alive through the full run's build
    texts = {a.pk: article_text(a) for a in _articles(story)}
    mentions = list(Mention.objects.filter(article__story=story).only(*_MENTION_FIELDS_READ))
    extractions = _extractions(texts, mentions)
    del mentions  # their JSON is not kept through the build: its memory goes to the build instead
    lap("read")
    index, analysis = StoryIndex.build(extractions, list(texts.values()), fixed=_fixed(stored, rows.merged))
    return index, analysis, seen, f"full: {why}"


def _fixed(stored: Mapping[MentionKey, _Stored], merged: Collection[int]) -> dict[ClaimId, list[MentionKey]]:
    """The mentions of each claim not merged: what a full run fixes, and what ``disagreement`` checks."""
    fixed: dict[ClaimId, list[MentionKey]] = defaultdict(list)
    for k, m in stored.items():
        if m.claim_id is not None and m.claim_id not in merged:
            fixed[m.claim_id].append(k)
    return dict(fixed)


def _articles(story: Story) -> QuerySet[Article]:
    """The story's processed articles, with what the pipeline reads of them (``article_text``)."""
    return (
        Article.objects.filter(story=story, processed_at__isnull=False)
        .select_related("outlet")
        .only("pk", "external_id", "body", "published_on", "embeds", "duplicate_of_id", "content_hash", "outlet__name")
    )


# Mentions attached to their claims by one UPDATE at a time (on PostgreSQL, two arrays of their
# ids and their claims' ids; elsewhere a CASE over their ids).
_ATTACH_BATCH = 1000


def _attach(attach: Iterable[tuple[int, list[int]]]) -> int:
    """Attach each claim's new mentions to it; returns how many were attached.

    Only mentions still unaligned are attached: the pipeline never moves evidence between claims.
    A statement takes about a thousand mentions (a first run of a large story attaches tens of
    thousands, which took one UPDATE per claim). On PostgreSQL the statement is written by
    hand: the ORM's CASE, a clause a claim, took longer to build than to run (7.6 ms against 0.4
    for 40 mentions of 36 claims, what a run adding ten articles attaches)."""
    pairs = sorted((pk, claim_id) for claim_id, mentions in attach for pk in mentions)
    attached = 0
    for at in range(0, len(pairs), _ATTACH_BATCH):
        batch = pairs[at : at + _ATTACH_BATCH]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_ATTACH_SQL, [[pk for pk, _ in batch], [claim_id for _, claim_id in batch]])
                attached += cursor.rowcount
            continue
        by_claim: dict[int, list[int]] = defaultdict(list)
        for pk, claim_id in batch:
            by_claim[claim_id].append(pk)
        attached += Mention.objects.filter(pk__in=[pk for pk, _ in batch], claim__isnull=True).update(
            claim_id=Case(*(When(pk__in=pks, then=Value(claim_id)) for claim_id, pks in by_claim.items()))
        )
    return attached


_ATTACH_SQL = (
    f"UPDATE {Mention._meta.db_table} AS m SET claim_id = v.claim_id "
    "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, claim_id) WHERE m.id = v.id AND m.claim_id IS NULL"
)


def _article_mark(row: _ArticleRow) -> ArticleText:
    """A processed article without its text, which its content hash stands for (a stored
    article's text never changes; its outlet, date or copy may)."""
    pk, external_id, published_on, duplicate_of, outlet, content_hash = row
    return ArticleText(
        id=pk,
        body="",
        published_on=published_on,
        outlet=outlet,
        duplicate_of=duplicate_of,
        label=_label(outlet, external_id),
        digest=content_hash,
    )


def _extractions(texts: dict[int, ArticleText], rows: Iterable[Mention]) -> list[ArticleExtraction]:
    per_article: dict[int, list[pipeline.types.Mention]] = defaultdict(list)
    for m in rows:
        article = texts.get(m.article_id)
        if article is None:
            continue
        per_article[m.article_id].append(
            pipeline.types.Mention(
                article_id=m.article_id,
                start=m.start,
                end=m.end,
                text=m.text,
                is_candidate=True,
                checkworthiness=m.checkworthiness,
                features=m.features,
                reason=None,
                slots=from_jsonable(Slots, m.slots),
                outlet=article.outlet,
                published_on=article.published_on,
            )
        )
    return [
        ArticleExtraction(
            article_id=a.id,
            outlet=a.outlet,
            published_on=a.published_on,
            sentences=(),
            mentions=tuple(sorted(per_article.get(int(a.id), []), key=lambda m: m.start)),
            rejected=(),
            skipped=(),
        )
        for a in texts.values()
    ]


class _ClaimWrites:
    """The story stage's writes to existing claims, made last and without waiting on a reviewer.

    Reviewers lock the claim they act on. The stage never waits for one of those locks while it
    holds others (which is how the two deadlocked): at the end of its transaction it takes the
    claims nobody holds (SKIP LOCKED, in id order) and writes them; the claims a reviewer held
    are written after the commit, one statement each. The writes are the pipeline's own fields:
    source counts, open-conflict counts, and the wording of a claim nobody has decided (written
    only while that is still so), never a person's decision.
    """

    def __init__(self) -> None:
        self.counts: dict[int, tuple[int, list[str]]] = {}
        self.wording: dict[int, dict[str, Any]] = {}
        self.open_conflicts: set[int] = set()
        self.rest: set[int] = set()

    def write_unlocked(self) -> None:
        wanted = sorted(set(self.counts) | set(self.wording) | self.open_conflicts)
        free = set(
            Claim.objects.select_for_update(skip_locked=True, no_key=True)
            .filter(pk__in=wanted)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self._write(sorted(free))
        self.rest = set(wanted) - free

    def write_rest(self) -> int:
        for pk in sorted(self.rest):
            with transaction.atomic():
                self._write([pk])
        return len(self.rest)

    def _write(self, pks: list[int]) -> None:
        Claim.objects.bulk_update(
            [
                Claim(pk=pk, independent_sources=self.counts[pk][0], sources=self.counts[pk][1])
                for pk in pks
                if pk in self.counts
            ],
            ["independent_sources", "sources"],
            batch_size=500,
        )
        for pk in pks:
            if pk in self.wording:
                # Conditional: if a reviewer acted since this stage read the claim, their wording stays.
                Claim.objects.filter(pk=pk, touched_at__isnull=True, status=Claim.Status.PROPOSED).update(
                    **self.wording[pk]
                )
        refresh_open_conflicts([pk for pk in pks if pk in self.open_conflicts])


def _persist(
    story: Story,
    analysis: pipeline.types.StoryAnalysis,
    index: StoryIndex,
    stored: dict[MentionKey, _Stored],
    later: _ClaimWrites,
    cluster_claim: dict[str, int],
    attached: list[MentionKey] | None = None,
) -> dict[str, int]:
    """Write the analysis; ``cluster_claim`` is filled with each written cluster's claim, and
    ``stored`` takes the claims the unaligned mentions are attached to (``attached``, their keys).

    What the index keeps of the last run spares the writes it made: a claim whose mentions,
    wording and sources are those it wrote, and a conflict proposed again with the same sides,
    are not read or written again (either would change nothing). The index keeps this run's."""
    stats = {"claims_created": 0, "mentions_attached": 0}
    written: dict[int, tuple[Any, ...]] = index.kept.get("written", {})
    now_written: dict[int, tuple[Any, ...]] = {}
    changed: list[tuple[pipeline.types.Cluster, tuple[Any, ...]]] = []
    clusters: Iterable[pipeline.types.Cluster] = analysis.clusters
    # A cluster that is the very one the last run wrote (the analysis keeps those it did not
    # change) is as written, if that run could write its claim.
    last_clusters, last_claims = index.held.pop("persisted", ((), []))
    same = [
        s and claim_id in written
        for s, claim_id in zip(map(operator.is_, analysis.clusters, last_clusters), last_claims, strict=False)
    ]
    if any(same):
        for cluster, claim_id in itertools.compress(zip(analysis.clusters, last_claims, strict=False), same):
            cluster_claim[cluster.id] = claim_id
            now_written[claim_id] = written[claim_id]
        clusters = itertools.chain(
            itertools.compress(analysis.clusters, [not s for s in same]), analysis.clusters[len(same) :]
        )
    for cluster in clusters:
        mark = _written_mark(cluster)
        claim_id = int(cluster.extends) if cluster.extends is not None else None
        last = written.get(claim_id) if claim_id is not None else None
        if claim_id is not None and last is not None and last == mark:
            cluster_claim[cluster.id] = claim_id
            now_written[claim_id] = last  # the same object: the index's log leaves an unchanged entry out
        else:
            changed.append((cluster, mark))
    stats["claims_as_written"] = len(now_written)

    created: list[tuple[str, Claim, list[MentionKey], tuple[Any, ...]]] = []
    attach: list[tuple[int, list[MentionKey]]] = []
    claims: dict[int, Claim] = {}
    for at, (cluster, mark) in enumerate(changed):
        if at % _CLAIMS_READ == 0:  # the claims of the next clusters (a full run's would all weigh at once)
            extended = [c.extends for c, _ in changed[at : at + _CLAIMS_READ] if c.extends is not None]
            claims = {
                c.pk: c
                for c in Claim.objects.filter(story=story, pk__in=extended)
                .exclude(status=Claim.Status.MERGED)
                .order_by()
                .only(*_CLAIM_FIELDS_READ)
            }
        members = [k for k in cluster.mentions if k in stored]
        canonical = stored.get(cluster.canonical)
        if not members or canonical is None:
            continue
        # The claim's check-worthiness is its best mention's, and so are the contributions shown for it
        # (the canonical mention's did not add up to the score).
        best = index.mention(max(members, key=lambda k: index.mention(k).checkworthiness))
        wording: dict[str, Any] = {
            "text": cluster.text,
            "canonical_mention_id": canonical.pk,  # the id: the related object would cost a query a claim
            "checkworthiness": best.checkworthiness,
            "features": dict(best.features),
        }
        # A claim's slots are its canonical mention's (which never change): written with the rest.
        slots = partial(to_jsonable, index.mention(cluster.canonical).slots)
        unaligned = [k for k in members if stored[k].claim_id is None]
        claim = claims.get(cluster.extends) if cluster.extends is not None else None  # type: ignore[arg-type]
        if claim is None:
            claim = Claim(
                story=story,
                independent_sources=cluster.independent_sources,
                sources=list(cluster.sources),
                slots=slots(),
                **wording,
            )
            created.append((cluster.id, claim, unaligned, mark))
            continue
        cluster_claim[cluster.id] = claim.pk
        now_written[claim.pk] = mark
        if (claim.independent_sources, claim.sources) != (cluster.independent_sources, list(cluster.sources)):
            later.counts[claim.pk] = (cluster.independent_sources, list(cluster.sources))
        if not claim.is_touched and any(getattr(claim, f) != v for f, v in wording.items()):
            wording["slots"] = slots()
            if claim.text != cluster.text and claim.desk_model_id is not None:
                # the desk model scored other words: the claim waits for its next scoring pass
                # (queued after every run), ordered by the rules until then
                wording = {**wording, "desk_model": None, "desk_score": None, "desk_features": {}}
            later.wording[claim.pk] = wording
        if unaligned:
            attach.append((claim.pk, unaligned))
    Claim.objects.bulk_create([claim for _, claim, _, _ in created], batch_size=500)
    stats["claims_created"] = len(created)
    for cluster_id, claim, unaligned, mark in created:
        cluster_claim[cluster_id] = claim.pk
        now_written[claim.pk] = mark
        attach.append((claim.pk, unaligned))
    stats["mentions_attached"] += _attach((claim_id, [stored[k].pk for k in keys]) for claim_id, keys in attach)
    for claim_id, keys in attach:
        for k in keys:
            stored[k] = stored[k]._replace(claim_id=claim_id)
        if attached is not None:
            attached.extend(keys)

    proposed: set[bytes] = index.kept.get("proposed", set())
    # (a conflict kept from the last run is the same object: its mark is the one worked out then)
    last_marks: dict[int, tuple[pipeline.types.Conflict, bytes]] = index.held.get("marks", {})
    marks_now: dict[int, tuple[pipeline.types.Conflict, bytes]] = {}
    marks = []
    for p in analysis.conflicts:
        known = last_marks.get(id(p))
        proposal_mark = known[1] if known is not None and known[0] is p else _proposal_mark(p)
        marks_now[id(p)] = (p, proposal_mark)
        marks.append(proposal_mark)
    index.held["marks"] = marks_now
    proposals = [p for p, mark in zip(analysis.conflicts, marks, strict=True) if mark not in proposed]
    stats["conflicts_proposed_again"] = len(marks) - len(proposals)
    written_conflicts: set[int] = set()
    stats.update(
        conflicts_persist(story=story, proposals=proposals, by_key=stored, later=later, written=written_conflicts)
    )
    opposing = _OpposingClaims(story, index.kept.get("opposing"), written_conflicts)
    stats.update(_persist_suggestions(story, analysis.suggestions, cluster_claim, opposing.pairs))
    index.kept = {"written": now_written, "proposed": set(marks), "opposing": opposing.of_conflict}
    stats["claims_reworded"] = len(later.wording)
    return stats


def _written_mark(cluster: pipeline.types.Cluster) -> tuple[Any, ...]:
    """What a claim is written from (``StoryIndex.kept["written"]``): written with the same, it
    would change nothing."""
    return (len(cluster.mentions), cluster.canonical, cluster.text, cluster.independent_sources, cluster.sources)


def _proposal_mark(proposal: pipeline.types.Conflict) -> bytes:
    """A conflict proposal's kind and sides (not its wording), as a short digest: proposed again
    with the same sides, it would change nothing persisted (conflicts_persist)."""
    sides = sorted([sorted(proposal.side_a), sorted(proposal.side_b)])
    return hashlib.blake2b(repr((proposal.kind, sides)).encode(), digest_size=12).digest()


def _persist_suggestions(
    story: Story,
    suggestions: Iterable[pipeline.types.MergeSuggestion],
    cluster_claim: dict[str, int],
    blocked: Collection[tuple[int, int]],
) -> dict[str, int]:
    """New merge suggestions, except between claims on opposite sides of an open conflict (``blocked``:
    (low id, high id) of each two such claims, ``_OpposingClaims``).

    An open suggestion between such claims is withdrawn (the pipeline's own state: no person
    decided it), and a withdrawn one the pipeline proposes again once they no longer disagree opens again.
    """
    existing = {
        (a, b): (pk, status)
        for pk, a, b, status in MergeSuggestion.objects.filter(story=story)
        .order_by()
        .values_list("pk", "claim_a_id", "claim_b_id", "status")
    }
    new: dict[tuple[int, int], MergeSuggestion] = {}
    reopen: list[int] = []
    for suggestion in suggestions:
        a, b = cluster_claim.get(suggestion.cluster_a), cluster_claim.get(suggestion.cluster_b)
        if a is None or b is None or a == b:
            continue
        pair = (min(a, b), max(a, b))
        if pair in blocked or pair in new:
            continue
        if pair in existing:
            pk, status = existing[pair]
            if status == MergeSuggestion.Status.WITHDRAWN:
                reopen.append(pk)
            continue
        new[pair] = MergeSuggestion(
            story=story, claim_a_id=pair[0], claim_b_id=pair[1], score=suggestion.score, reason=suggestion.reason[:300]
        )
    MergeSuggestion.objects.bulk_create(new.values(), batch_size=500)
    withdraw = [
        pk for pair, (pk, status) in existing.items() if status == MergeSuggestion.Status.OPEN and pair in blocked
    ]
    if withdraw:
        MergeSuggestion.objects.filter(pk__in=withdraw, status=MergeSuggestion.Status.OPEN).update(
            status=MergeSuggestion.Status.WITHDRAWN
        )
    if reopen:
        MergeSuggestion.objects.filter(pk__in=reopen, status=MergeSuggestion.Status.WITHDRAWN).update(
            status=MergeSuggestion.Status.OPEN
        )
    return {"suggestions_created": len(new), "suggestions_withdrawn": len(withdraw)}


class _OpposingClaims:
    """Every two claims that stand on opposite sides of an open conflict of the story: ``pairs``,
    (low id, high id) each, and ``of_conflict``, each open conflict's, kept by the story's index
    for its next run.

    Each mention's claim is read as the stage wrote them. A conflict's sides change only when
    the stage writes it (``written``: the conflicts this run created or extended), and its
    mentions' claims only with a merge, a split or a deleted article, after which the index kept
    is a new one: so only the sides of the conflicts open now that ``kept`` (the last run's
    ``of_conflict``) lacks, and of those written, are read. Which conflicts are open is read
    every time: a reviewer resolves and reopens them.

    The sides, then their mentions' claims, are read by key rather than joined to the
    conflicts: right after a run writes thousands of conflicts, PostgreSQL's statistics still
    call the tables small, and the join it then planned (a nested loop over every side of every
    conflict) took 36 s on a 3,000-document story.
    """

    def __init__(
        self,
        story: Story,
        kept: Mapping[int, frozenset[tuple[int, int]]] | None,
        written: Collection[int],
    ) -> None:
        kept = kept or {}
        now = Conflict.objects.filter(story=story, status=Conflict.Status.OPEN).order_by().values_list("pk", flat=True)
        self.of_conflict: dict[int, frozenset[tuple[int, int]]] = {}
        read: list[int] = []
        for conflict_id in now:
            if conflict_id in kept and conflict_id not in written:
                self.of_conflict[conflict_id] = kept[conflict_id]
            else:
                read.append(conflict_id)
        sides: dict[int, dict[str, set[int]]] = {c: {"a": set(), "b": set()} for c in read}
        stated = list(
            ConflictMention.objects.filter(conflict_id__in=read)
            .order_by()
            .values_list("conflict_id", "side", "mention_id")
        )
        claim_of = _claims_of({m for _, _, m in stated})
        for conflict_id, side, mention_id in stated:
            if mention_id in claim_of:
                sides[conflict_id][side].add(claim_of[mention_id])
        for conflict_id, s in sides.items():
            self.of_conflict[conflict_id] = frozenset((min(x, y), max(x, y)) for x in s["a"] for y in s["b"] if x != y)
        self.pairs: set[tuple[int, int]] = set().union(*self.of_conflict.values())


# --- conflicts: one disagreement, one conflict, across re-runs -----------------------------------


@dataclass
class _KnownConflict:
    """A conflict of the story as persistence sees it: one in the database, or one this run creates."""

    kind: str
    status: str
    sides: dict[str, set[int]]  # "a" / "b" -> mention ids
    pk: int | None = None
    key: str = ""
    follows_id: int | None = None
    resolution: str = ""
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    # What this run does to it: the mentions it adds (to a conflict in the database), the proposal whose
    # wording and confidence it takes, and for a new conflict the resolved one it re-raises.
    added: dict[str, set[int]] = field(default_factory=lambda: {"a": set(), "b": set()})
    proposal: pipeline.types.Conflict | None = None
    follows: _KnownConflict | None = None
    new_evidence: set[int] = field(default_factory=set)

    def overlap(self, a: set[int], b: set[int]) -> tuple[int, bool]:
        """How much (a, b) shares with this conflict's sides on both sides (0: not the same
        disagreement), and whether it matches with the sides swapped."""
        straight = (
            (len(self.sides["a"] & a) + len(self.sides["b"] & b)) if self.sides["a"] & a and self.sides["b"] & b else 0
        )
        swapped = (
            (len(self.sides["a"] & b) + len(self.sides["b"] & a)) if self.sides["a"] & b and self.sides["b"] & a else 0
        )
        return (swapped, True) if swapped > straight else (straight, False)

    @property
    def saved_pk(self) -> int:
        assert self.pk is not None, "only for a conflict in the database"
        return self.pk

    @property
    def mention_ids(self) -> set[int]:
        return self.sides["a"] | self.sides["b"]


def conflicts_persist(
    *,
    story: Story,
    proposals: Iterable[pipeline.types.Conflict],
    by_key: Mapping[MentionKey, _Stored | Mention],
    later: _ClaimWrites | None = None,
    written: set[int] | None = None,
) -> dict[str, int]:
    """Persist the pipeline's proposed conflicts so that one disagreement stays one conflict across re-runs.

    Run inside the story stage's transaction, under the story's row lock (story_analyse). For each proposal:
    - no article (nor copies of one: `duplicate_of`, transitively) stays on both sides (_independent_sides);
      if a side is left empty, there is no conflict;
    - if an open conflict of the same kind shares mentions with it on both sides, the new mentions join its
      sides, it takes the proposal's confidence, factors, wording and severity, and the pipeline's
      CONFLICT_EXTEND event records what was added (nothing new: nothing changes, no event);
    - else, if only resolved ones match and it brings mentions none of them has, a new open conflict
      `follows` the latest of them (which stays as the person resolved it), said so in its explanation,
      with a CONFLICT_FOLLOW event; nothing new: nothing happens;
    - else it is a new conflict.
    Proposals that match each other within one run become one conflict. Counts of open conflicts are
    refreshed on the claims concerned (by `later`, the story stage's claim writes, when given).
    `written`, when given, is filled with the conflicts created or extended.
    """
    stats = {"conflicts_created": 0, "conflicts_extended": 0, "conflicts_followed": 0, "conflicts_same_source": 0}
    articles = {
        pk: (duplicate_of, outlet, external_id)
        for pk, duplicate_of, outlet, external_id in Article.objects.filter(story=story)
        .order_by()
        .values_list("pk", "duplicate_of_id", "outlet__name", "external_id")
    }
    roots = _article_roots({pk: duplicate_of for pk, (duplicate_of, _, _) in articles.items()})
    proposals = list(proposals)
    # Only the conflicts a proposal could match: those with one of its mentions on a side.
    stated = [by_key[k] for p in proposals for k in (*p.side_a, *p.side_b) if k in by_key]
    known, article_of = _story_conflicts(story, {m.pk for m in stated})
    article_of.update((m.pk, m.article_id) for m in stated)

    def root(mention_id: int) -> int:
        article = article_of[mention_id]
        return roots.get(article, article)

    by_mention: dict[int, list[_KnownConflict]] = defaultdict(list)
    for conflict in known:
        for mention_id in conflict.mention_ids:
            by_mention[mention_id].append(conflict)
    created: list[_KnownConflict] = []

    for proposal in proposals:
        a = {by_key[k].pk for k in proposal.side_a if k in by_key}
        b = {by_key[k].pk for k in proposal.side_b if k in by_key}
        a, b = _independent_sides(a, b, root)
        if not a or not b:
            stats["conflicts_same_source"] += bool(proposal.side_a and proposal.side_b)
            continue
        matches: list[tuple[int, bool, _KnownConflict]] = []
        seen: set[int] = set()
        for mention_id in a | b:
            for conflict in by_mention.get(mention_id, ()):
                if id(conflict) in seen or conflict.kind != proposal.kind:
                    continue
                seen.add(id(conflict))
                shared, swapped = conflict.overlap(a, b)
                if shared:
                    matches.append((shared, swapped, conflict))
        open_matches = [m for m in matches if m[2].status == Conflict.Status.OPEN]
        if open_matches:
            # The most shared; on a tie, the conflict reviewers have seen longest.
            _, swapped, target = max(open_matches, key=lambda m: (m[0], m[2].pk is not None, -(m[2].pk or 0)))
            for mention_id in _extend(target, *((b, a) if swapped else (a, b)), root):
                by_mention[mention_id].append(target)
            # Written only if something was added (or the conflict is new): a re-run changes nothing.
            target.proposal = _stronger(target.proposal, proposal)
            continue
        if matches:
            covered = set().union(*(m[2].mention_ids for m in matches))
            if (a | b) <= covered:
                continue  # what a person resolved, proposed again: nothing to do
            _, swapped, resolved = max(matches, key=lambda m: (m[2].resolved_at or _EPOCH, m[2].pk or 0))
            new = _KnownConflict(
                kind=proposal.kind,
                status=Conflict.Status.OPEN,
                sides={"a": b, "b": a} if swapped else {"a": a, "b": b},
                proposal=proposal,
                follows=resolved,
                new_evidence=(a | b) - covered,
            )
        else:
            new = _KnownConflict(
                kind=proposal.kind, status=Conflict.Status.OPEN, sides={"a": a, "b": b}, proposal=proposal
            )
        created.append(new)
        for mention_id in new.mention_ids:
            by_mention[mention_id].append(new)

    extended = [c for c in known if c.added["a"] or c.added["b"]]

    def label(article: int) -> str:
        row = articles.get(article)
        return outlet_label(row[1], row[2]) if row is not None else "an unnamed outlet"

    known_by_pk = {c.saved_pk: c for c in known}

    def explanation(c: _KnownConflict) -> str:
        """The proposal's wording; a conflict that re-raises a resolved one first says which, and why."""
        assert c.proposal is not None
        resolved = c.follows or (known_by_pk.get(c.follows_id) if c.follows_id is not None else None)
        if resolved is None:
            return c.proposal.explanation
        evidence = c.new_evidence if c.follows is not None else c.mention_ids - resolved.mention_ids
        outlets = sorted({label(article_of[m]) for m in evidence})
        return _follow_note(resolved, outlets) + c.proposal.explanation

    touched, stats["conflicts_extended"] = _write_conflicts(story, created, extended, explanation)
    stats["conflicts_created"] = sum(c.pk is not None and c.follows is None for c in created)
    stats["conflicts_followed"] = sum(c.pk is not None and c.follows is not None for c in created)
    if written is not None:
        written.update(c.pk for c in [*created, *extended] if c.pk is not None)
    if later is not None:
        later.open_conflicts.update(touched)
    elif touched:
        refresh_open_conflicts(touched)
    return stats


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _claims_of(mentions: Collection[int]) -> dict[int, int]:
    """Each of these mentions' claim, as the stage's transaction sees it (those in no claim left out)."""
    return dict(Mention.objects.filter(pk__in=mentions, claim__isnull=False).order_by().values_list("pk", "claim_id"))


def _article_roots(duplicate_of: Mapping[int, int | None]) -> dict[int, int]:
    """Each article's original: `duplicate_of` followed to its end (a cycle ends where it closes)."""
    roots: dict[int, int] = {}
    for article in duplicate_of:
        seen = [article]
        current = article
        while (parent := duplicate_of.get(current)) is not None and parent not in seen:
            seen.append(parent)
            current = parent
        roots[article] = current
    return roots


def _independent_sides(a: set[int], b: set[int], root: Callable[[int], int]) -> tuple[set[int], set[int]]:
    """The two sides with no article (or copy of one) on both.

    An article that stands on both sides is dropped from both when each side has another source;
    when one side has no other source, the article stays there as that side's only evidence and
    leaves the other (the seed's "Half a dozen US soldiers", said only by AP, against "at least
    three", said by AP and four others, stays a conflict between AP and the others). When neither
    side has another source, the article only disagrees with itself: both sides end empty.
    """
    roots_a, roots_b = {root(m) for m in a}, {root(m) for m in b}
    shared = roots_a & roots_b
    if not shared:
        return a, b
    only_a, only_b = roots_a - shared, roots_b - shared
    if only_a and not only_b:
        return {m for m in a if root(m) not in shared}, b
    if only_b and not only_a:
        return a, {m for m in b if root(m) not in shared}
    return {m for m in a if root(m) not in shared}, {m for m in b if root(m) not in shared}


def _extend(target: _KnownConflict, a: set[int], b: set[int], root: Callable[[int], int]) -> set[int]:
    """Add the mentions of (a, b), already oriented as the target's sides, that it lacks; a mention is never
    on both sides, nor an article (or its copies) on both. Returns the mentions added."""
    # (a, b) are already independent of each other (_independent_sides): only the target's sides can clash.
    add = {
        side: {m for m in new - target.mention_ids if root(m) not in {root(x) for x in target.sides[other]}}
        for side, other, new in (("a", "b", a), ("b", "a", b))
    }
    for side in ("a", "b"):
        target.sides[side] |= add[side]
        if target.pk is not None:
            target.added[side] |= add[side]
    if target.follows is not None:
        target.new_evidence |= add["a"] | add["b"]
    return add["a"] | add["b"]


def _stronger(current: pipeline.types.Conflict | None, proposal: pipeline.types.Conflict) -> pipeline.types.Conflict:
    """Of two proposals for one conflict in one run, the one the pipeline is surer of gives its wording."""
    if current is None or _confidence(proposal.confidence) > _confidence(current.confidence):
        return proposal
    return current


def _confidence(value: float) -> float:
    value = float(value)
    return min(1.0, max(0.0, value)) if math.isfinite(value) else 1.0


def _factors(factors: Mapping[str, float]) -> dict[str, float]:
    return {str(name): round(float(v), 4) for name, v in factors.items() if math.isfinite(float(v))}


def _story_conflicts(story: Story, mentions: Collection[int]) -> tuple[list[_KnownConflict], dict[int, int]]:
    """The story's conflicts with one of these mentions on a side (and the conflicts they follow),
    with their sides, and the article of each side's mention."""
    known: dict[int, _KnownConflict] = {}
    article_of: dict[int, int] = {}
    # (the story's mentions: their conflicts are the story's)
    wanted = set(
        ConflictMention.objects.filter(mention_id__in=mentions).order_by().values_list("conflict_id", flat=True)
    )
    while wanted:
        rows = (
            Conflict.objects.filter(pk__in=wanted)
            .order_by("id")
            .values_list(
                "id", "kind", "status", "key", "follows_id", "resolution", "resolved_by__username", "resolved_at",
                "sides__side", "sides__mention_id", "sides__mention__article_id",
            )
        )  # fmt: skip
        for pk, kind, status, key, follows_id, resolution, resolved_by, resolved_at, side, mention_id, article in rows:
            conflict = known.get(pk)
            if conflict is None:
                conflict = known[pk] = _KnownConflict(
                    kind=kind, status=status, sides={"a": set(), "b": set()}, pk=pk, key=key, follows_id=follows_id,
                    resolution=resolution, resolved_by=resolved_by, resolved_at=resolved_at,
                )  # fmt: skip
            if side is not None:
                conflict.sides[side].add(mention_id)
                article_of[mention_id] = article
        # a conflict that re-raises a resolved one names it in its explanation
        wanted = {c.follows_id for c in known.values() if c.follows_id is not None} - known.keys()
    return sorted(known.values(), key=lambda c: c.saved_pk), article_of


def _write_conflicts(
    story: Story,
    created: list[_KnownConflict],
    extended: list[_KnownConflict],
    explanation: Callable[[_KnownConflict], str],
) -> tuple[list[int], int]:
    """Write what conflicts_persist decided, in a fixed number of queries.

    Returns the claims concerned and how many conflicts were extended."""
    now = timezone.now()
    # A reviewer may have resolved one of them since it was read: lock them, and leave a resolved one alone.
    versions = dict(
        Conflict.objects.select_for_update()
        .filter(pk__in=[c.pk for c in extended], status=Conflict.Status.OPEN)
        .values_list("pk", "version")
    )
    extended = [c for c in extended if c.pk in versions]
    rows: list[Conflict] = []
    for c in extended:
        assert c.proposal is not None
        rows.append(
            Conflict(
                pk=c.saved_pk,
                severity=c.proposal.severity,
                explanation=explanation(c),
                confidence=_confidence(c.proposal.confidence),
                factors=_factors(c.proposal.factors),
                version=versions[c.saved_pk] + 1,
                updated_at=now,
            )
        )
    Conflict.objects.bulk_update(
        rows, ["severity", "explanation", "confidence", "factors", "version", "updated_at"], batch_size=500
    )

    keys = [_conflict_key(c.kind, c.sides["a"], c.sides["b"]) for c in created]
    taken = set(Conflict.objects.filter(story=story, key__in=keys).values_list("key", flat=True)) if keys else set()
    fresh: list[tuple[_KnownConflict, Conflict]] = []
    for c, key in zip(created, keys, strict=True):
        assert c.proposal is not None
        if key in taken:
            continue  # the same sides as a conflict whose mentions have since gone: leave that one be
        taken.add(key)
        row = Conflict(
            story=story,
            kind=c.kind,
            severity=c.proposal.severity,
            explanation=explanation(c),
            key=key,
            confidence=_confidence(c.proposal.confidence),
            factors=_factors(c.proposal.factors),
            follows_id=c.follows.pk if c.follows is not None else None,
        )
        fresh.append((c, row))
    Conflict.objects.bulk_create([row for _, row in fresh], batch_size=500)
    for c, row in fresh:
        c.pk = row.pk
    created = [c for c, _ in fresh]

    ConflictMention.objects.bulk_create(
        [
            ConflictMention(conflict_id=c.saved_pk, mention_id=m, side=side)
            for c in created
            for side in ("a", "b")
            for m in sorted(c.sides[side])
        ]
        + [
            ConflictMention(conflict_id=c.saved_pk, mention_id=m, side=side)
            for c in extended
            for side in ("a", "b")
            for m in sorted(c.added[side])
        ],
        batch_size=1000,
    )

    concerned = {m for c in [*created, *extended] for m in c.mention_ids}
    claim_of = _claims_of(concerned)
    events: list[tuple[ReviewEvent, set[int]]] = []
    for c in extended:
        before = {side: sorted(c.sides[side] - c.added[side]) for side in ("a", "b")}
        events.append(
            (
                ReviewEvent(
                    story=story, actor=None, action=ReviewEvent.Action.CONFLICT_EXTEND, conflict_id=c.pk,
                    before={"side_a": before["a"], "side_b": before["b"], "conflict_version": versions[c.saved_pk]},
                    after={
                        "side_a": sorted(c.sides["a"]), "side_b": sorted(c.sides["b"]),
                        "conflict_version": versions[c.saved_pk] + 1,
                    },
                    payload={"added_a": sorted(c.added["a"]), "added_b": sorted(c.added["b"])},
                ),
                c.mention_ids,
            )
        )  # fmt: skip
    for c in created:
        if c.follows is None:
            continue
        events.append(
            (
                ReviewEvent(
                    story=story, actor=None, action=ReviewEvent.Action.CONFLICT_FOLLOW, conflict_id=c.pk,
                    before={"follows": c.follows.pk, "status": c.follows.status, "resolution": c.follows.resolution},
                    after={"side_a": sorted(c.sides["a"]), "side_b": sorted(c.sides["b"]), "status": c.status},
                    payload={"follows": c.follows.pk, "new_mention_ids": sorted(c.new_evidence)},
                ),
                c.mention_ids,
            )
        )  # fmt: skip
    ReviewEvent.objects.bulk_create([event for event, _ in events])
    ReviewEvent.claims.through.objects.bulk_create(
        [
            ReviewEvent.claims.through(reviewevent_id=event.pk, claim_id=claim_id)
            for event, mentions in events
            for claim_id in sorted({claim_of[m] for m in mentions if m in claim_of})
        ],
        batch_size=1000,
    )
    return sorted(set(claim_of.values())), len(extended)


def _follow_note(resolved: _KnownConflict, outlets: list[str]) -> str:
    """The sentence that opens a re-raised conflict's explanation: what was resolved, how, and what is new."""
    how = Conflict.Resolution(resolved.resolution).label if resolved.resolution in Conflict.Resolution.values else ""
    by = f" by {resolved.resolved_by}" if resolved.resolved_by else ""
    on = f" on {resolved.resolved_at:%Y-%m-%d}" if resolved.resolved_at else ""
    as_ = f" as “{how}”" if how else ""
    return f"Conflict #{resolved.pk} was resolved{by}{on}{as_}; new evidence from {_and(outlets)} raises it again. "


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
