"""Write paths for the claim pipeline: run the pure-Python stages and persist what they find.

The rules that protect people's work live here, once:
- mentions are only ever added, never deleted or moved by the pipeline;
- every existing claim is handed to the story stage as fixed: its mentions stay together and
  new mentions may join it, so re-running or adding an article never starts over;
- a claim a person has acted on (`Claim.is_decided`) keeps its status and wording; new
  evidence attaches to it and a new disagreement with it becomes a new open conflict;
- a conflict or merge suggestion is identified by what it is about, so a re-run adds nothing
  that is already there, and never reopens what a person resolved or rejected.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from articles.models import Article, Story

from . import pipeline
from .models import Claim, Conflict, ConflictMention, Mention, MergeSuggestion, PipelineRun
from .pipeline.codec import from_jsonable
from .pipeline.types import ArticleExtraction, ArticleText, ClaimId, Embed, MentionKey, Slots, to_jsonable

logger = logging.getLogger(__name__)


# --- runs ----------------------------------------------------------------------------------------


def pipeline_start(*, story: Story, article_ids: Iterable[int], import_batch: Any = None) -> PipelineRun:
    """Create a run for these articles and queue their extraction once the caller commits."""
    ids = sorted(set(article_ids))
    run = PipelineRun.objects.create(
        story=story, import_batch=import_batch, article_ids=ids, progress_total=len(ids) + 1
    )
    transaction.on_commit(lambda: _queue_run(run.pk, ids))
    return run


def _queue_run(run_id: int, article_ids: list[int]) -> None:
    from .tasks import analyse_story, extract_article

    try:
        if not article_ids:
            analyse_story.delay(run_id)
        for article_id in article_ids:
            extract_article.delay(run_id, article_id)
    except Exception as exc:  # the broker is down: say so on the run; `process_story` can catch up
        logger.exception("could not queue pipeline run %s", run_id)
        run_fail(run_id=run_id, reason=f"could not queue the processing: {exc}")


def run_note(*, run_id: int, article_id: int | None, stage: str, reason: str, fatal: bool = False) -> None:
    """Record something skipped or failed on the run (locked, so parallel workers lose nothing).

    A fatal note on an article means its extraction failed for good: the run still goes on to
    the story stage with the other articles, and ends as failed, with the reason.
    """
    with transaction.atomic():
        run = PipelineRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return
        entry = {"article_id": article_id, "stage": stage, "reason": reason[:500]}
        if fatal:
            entry["fatal"] = True
        run.errors = [*run.errors, entry]
        run.save(update_fields=["errors"])


def run_fail(*, run_id: int, reason: str, article_id: int | None = None, stage: str = "pipeline") -> None:
    with transaction.atomic():
        run = PipelineRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return
        run.errors = [*run.errors, {"article_id": article_id, "stage": stage, "reason": reason[:500]}]
        run.state = PipelineRun.State.FAILED
        run.finished_at = timezone.now()
        run.save(update_fields=["errors", "state", "finished_at"])


def run_article_done(*, run_id: int, extract_seconds: float = 0.0) -> bool:
    """Count an article as done on its run; True for the one call that should start the story stage.

    One short transaction per article, on the run's row: the run moves to `extracting`, the
    extraction time adds to its timings, and progress is counted from the articles' own state, so
    a task delivered twice counts once. Under the lock exactly one caller moves the run on.
    """
    with transaction.atomic():
        run = PipelineRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return False
        wanted = set(run.article_ids)
        # order_by(): Article's default ordering would join the story table for nothing.
        processed = set(
            Article.objects.filter(pk__in=wanted, processed_at__isnull=False).order_by().values_list("pk", flat=True)
        )
        failed = {e["article_id"] for e in run.errors if e.get("fatal")}
        done = len((processed | failed) & wanted)
        changed: set[str] = set()
        if run.state == PipelineRun.State.QUEUED:
            run.state, run.started_at = PipelineRun.State.EXTRACTING, timezone.now()
            changed |= {"state", "started_at"}
        if extract_seconds:
            seconds = run.timings.get("extract_seconds", 0.0) + extract_seconds
            run.timings = {**run.timings, "extract_seconds": round(seconds, 4)}
            changed.add("timings")
        if done > run.progress_done:
            run.progress_done = done
            changed.add("progress_done")
        start_story = done >= len(run.article_ids) and run.state == PipelineRun.State.EXTRACTING
        if start_story:
            run.state = PipelineRun.State.ANALYSING
            changed.add("state")
        if changed:
            run.save(update_fields=sorted(changed))
    return start_story


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
        # Names the article where the outlet is missing or generic ("agencies") in explanations.
        label=f"{article.outlet.name if article.outlet is not None else 'unnamed outlet'} ({article.external_id})",
    )


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
        mentions = [
            Mention(
                article_id=article.pk,
                start=m.start,
                end=m.end,
                text=m.text,
                checkworthiness=m.checkworthiness,
                features=dict(m.features),
                slots=to_jsonable(m.slots),
                certainty=m.slots.certainty.level,
            )
            for m in extraction.mentions
        ]
        Mention.objects.bulk_create(mentions, ignore_conflicts=True)
    if run_id is not None:
        for skipped in extraction.skipped:
            run_note(run_id=run_id, article_id=article.pk, stage="extract", reason=skipped.reason)
    return len(mentions)


def _add_timing(run_id: int, name: str, seconds: float) -> None:
    with transaction.atomic():
        run = PipelineRun.objects.select_for_update().get(pk=run_id)
        run.timings = {**run.timings, name: round(run.timings.get(name, 0.0) + seconds, 4)}
        run.save(update_fields=["timings"])


# --- stage 2: per story -------------------------------------------------------------------------


def _conflict_key(kind: str, side_a: Iterable[int], side_b: Iterable[int]) -> str:
    sides = sorted([",".join(map(str, sorted(side_a))), ",".join(map(str, sorted(side_b)))])
    return hashlib.sha256(f"{kind}|{sides[0]}|{sides[1]}".encode()).hexdigest()


def story_analyse(
    *, story: Story, run_id: int | None = None, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Align the story's mentions into claims, propose merges and conflicts, count sources."""
    started = time.perf_counter()
    with transaction.atomic():
        # One story stage at a time per story: a second waits here and then sees the first's claims.
        Story.objects.select_for_update().get(pk=story.pk)
        articles = list(
            Article.objects.filter(story=story, processed_at__isnull=False)
            .select_related("outlet")
            .only("pk", "external_id", "body", "published_on", "embeds", "duplicate_of_id", "outlet__name")
        )
        rows = list(
            Mention.objects.filter(article__story=story).only(
                "pk", "claim_id", "article_id", "start", "end", "text", "checkworthiness", "features", "slots"
            )
        )
        if progress:
            progress(f"{len(rows)} mentions in {len(articles)} articles")
        by_key: dict[MentionKey, Mention] = {(m.article_id, m.start, m.end): m for m in rows}
        texts = {a.pk: article_text(a) for a in articles}
        extractions = _extractions(texts, rows)
        claims = {c.pk: c for c in Claim.objects.filter(story=story).exclude(status=Claim.Status.MERGED)}
        fixed: dict[ClaimId, list[MentionKey]] = defaultdict(list)
        for m in rows:
            if m.claim_id in claims:
                fixed[m.claim_id].append((m.article_id, m.start, m.end))
        analysis = pipeline.analyse_story(extractions, list(texts.values()), fixed=dict(fixed))
        stats: dict[str, Any] = _persist(story, analysis, by_key, claims)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    if run_id is not None:
        _add_timing(run_id, "analyse_seconds", stats["seconds"])
    return stats


def _extractions(texts: dict[int, ArticleText], rows: list[Mention]) -> list[ArticleExtraction]:
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


def _persist(
    story: Story,
    analysis: pipeline.types.StoryAnalysis,
    by_key: dict[MentionKey, Mention],
    claims: dict[int, Claim],
) -> dict[str, int]:
    stats = {"claims_created": 0, "mentions_attached": 0, "suggestions_created": 0, "conflicts_created": 0}
    cluster_claim: dict[str, int] = {}
    created: list[tuple[str, Claim, list[int]]] = []
    counts: list[Claim] = []
    attach: list[tuple[int, list[int]]] = []
    for cluster in analysis.clusters:
        members = [by_key[k] for k in cluster.mentions if k in by_key]
        canonical = by_key.get(cluster.canonical)
        if not members or canonical is None:
            continue
        wording = {
            "text": cluster.text,
            "canonical_mention": canonical,
            "checkworthiness": max(m.checkworthiness for m in members),
            "features": canonical.features,
            "slots": canonical.slots,
        }
        unaligned = [m.pk for m in members if m.claim_id is None]
        claim = claims.get(cluster.extends) if cluster.extends is not None else None  # type: ignore[arg-type]
        if claim is None:
            claim = Claim(
                story=story, independent_sources=cluster.independent_sources, sources=list(cluster.sources), **wording
            )
            created.append((cluster.id, claim, unaligned))
            continue
        cluster_claim[cluster.id] = claim.pk
        claim.independent_sources, claim.sources = cluster.independent_sources, list(cluster.sources)
        counts.append(claim)
        if not claim.is_decided and any(getattr(claim, f) != v for f, v in wording.items()):
            # Conditional: if a reviewer acted since this stage read the claim, their wording stays.
            Claim.objects.filter(pk=claim.pk, reviewed_at__isnull=True, status=Claim.Status.PROPOSED).update(**wording)
        if unaligned:
            attach.append((claim.pk, unaligned))
    Claim.objects.bulk_create([claim for _, claim, _ in created], batch_size=500)
    stats["claims_created"] = len(created)
    for cluster_id, claim, unaligned in created:
        claims[claim.pk] = claim
        cluster_claim[cluster_id] = claim.pk
        attach.append((claim.pk, unaligned))
    # Source counts are the pipeline's own figures: people never edit them, so writing only
    # these two columns cannot overwrite a reviewer's concurrent decision.
    Claim.objects.bulk_update(counts, ["independent_sources", "sources"], batch_size=500)
    for claim_id, unaligned in attach:
        # Only unaligned mentions are attached: the pipeline never moves evidence between claims.
        stats["mentions_attached"] += Mention.objects.filter(pk__in=unaligned, claim__isnull=True).update(
            claim_id=claim_id
        )

    for suggestion in analysis.suggestions:
        a, b = cluster_claim.get(suggestion.cluster_a), cluster_claim.get(suggestion.cluster_b)
        if a is None or b is None or a == b:
            continue
        low, high = sorted((a, b))
        _, is_new = MergeSuggestion.objects.get_or_create(
            claim_a_id=low,
            claim_b_id=high,
            defaults={"story": story, "score": suggestion.score, "reason": suggestion.reason[:300]},
        )
        stats["suggestions_created"] += is_new

    for conflict in analysis.conflicts:
        side_a = [by_key[k].pk for k in conflict.side_a if k in by_key]
        side_b = [by_key[k].pk for k in conflict.side_b if k in by_key]
        if not side_a or not side_b:
            continue
        row, is_new = Conflict.objects.get_or_create(
            story=story,
            key=_conflict_key(conflict.kind, side_a, side_b),
            defaults={"kind": conflict.kind, "severity": conflict.severity, "explanation": conflict.explanation},
        )
        if is_new:
            ConflictMention.objects.bulk_create(
                [ConflictMention(conflict=row, mention_id=pk, side="a") for pk in side_a]
                + [ConflictMention(conflict=row, mention_id=pk, side="b") for pk in side_b if pk not in side_a]
            )
            stats["conflicts_created"] += 1
    if stats["conflicts_created"]:
        from .review import refresh_open_conflicts

        refresh_open_conflicts(list(cluster_claim.values()))
    return stats


def run_finish(*, run_id: int, stats: dict[str, Any]) -> None:
    with transaction.atomic():
        run = PipelineRun.objects.select_for_update().get(pk=run_id)
        run.stats = stats
        run.progress_done = run.progress_total
        failed = run.state == PipelineRun.State.FAILED or any(e.get("fatal") for e in run.errors)
        run.state = PipelineRun.State.FAILED if failed else PipelineRun.State.SUCCEEDED
        run.finished_at = timezone.now()
        run.save(update_fields=["stats", "progress_done", "state", "finished_at"])
