"""The pipeline run's bookkeeping: its state, progress, notes, failures and timings.

Every change is one short transaction under the run's row lock, so parallel workers lose nothing.
Creating a run does not queue it: claims.tasks owns enqueueing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from articles.models import Article, Story

from .models import PipelineRun


def pipeline_start(*, story: Story, article_ids: Iterable[int], import_batch: Any = None) -> PipelineRun:
    """Create a queued run for these articles (the caller queues its work: claims.tasks.start_run)."""
    ids = sorted(set(article_ids))
    return PipelineRun.objects.create(
        story=story, import_batch=import_batch, article_ids=ids, progress_total=len(ids) + 1
    )


def run_begin(*, run_id: int) -> None:
    """Mark a queued run as started, for a caller that runs the stages itself (`process_story`)."""
    PipelineRun.objects.filter(pk=run_id, state=PipelineRun.State.QUEUED).update(
        state=PipelineRun.State.EXTRACTING, started_at=timezone.now()
    )


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


def run_add_timing(*, run_id: int, name: str, seconds: float) -> None:
    """Add seconds to one of the run's timings (`analyse_seconds`, ...)."""
    with transaction.atomic():
        run = PipelineRun.objects.select_for_update().get(pk=run_id)
        run.timings = {**run.timings, name: round(run.timings.get(name, 0.0) + seconds, 4)}
        run.save(update_fields=["timings"])


def run_finish(*, run_id: int, stats: dict[str, Any]) -> None:
    with transaction.atomic():
        run = PipelineRun.objects.select_for_update().get(pk=run_id)
        run.stats = stats
        run.progress_done = run.progress_total
        failed = run.state == PipelineRun.State.FAILED or any(e.get("fatal") for e in run.errors)
        run.state = PipelineRun.State.FAILED if failed else PipelineRun.State.SUCCEEDED
        run.finished_at = timezone.now()
        run.save(update_fields=["stats", "progress_done", "state", "finished_at"])
