"""The pipeline run's bookkeeping: its state, progress, notes, failures and timings.

Every change is one short transaction under the run's row lock, so parallel workers lose nothing.
Creating a run does not queue it: claims.tasks owns enqueueing.

Recovery (`run_recover`, `articles_without_run`) decides what the periodic sweep
(claims.tasks.sweep) queues again: a run whose work was lost (no progress for a while, a
queue that was unreachable, a failure the database or broker caused) and articles that no
run covers. A failure's note says whether it was `transient` (worth another try) and each
sweep that re-queues a run leaves a note (stage "sweep") with the time, which is also what
the next sweep counts its deadline from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models import Article, Story

from .models import PipelineRun

# Said on the run (a transient note, stage "queue") and the import's report when the broker is away.
QUEUE_UNREACHABLE = "processing is waiting: the task queue is unreachable; it will start when the queue is back"


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


def _entry(article_id: int | None, stage: str, reason: str, *, transient: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"article_id": article_id, "stage": stage, "reason": reason[:500]}
    if transient:  # the sweep tries again (see run_recover)
        entry["transient"] = True
        entry["at"] = timezone.now().isoformat()
    return entry


def run_note(
    *, run_id: int, article_id: int | None, stage: str, reason: str, fatal: bool = False, transient: bool = False
) -> None:
    """Record something skipped or failed on the run (locked, so parallel workers lose nothing).

    A fatal note on an article means its extraction failed: the run still goes on to the story
    stage with the other articles, and ends as failed, with the reason. A transient one (the
    database or the broker was away) is tried again by the sweep; a fatal one that is not
    transient is for good.
    """
    with transaction.atomic():
        run = PipelineRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return
        entry = _entry(article_id, stage, reason, transient=transient)
        if fatal:
            entry["fatal"] = True
        run.errors = [*run.errors, entry]
        run.save(update_fields=["errors"])


def run_fail(
    *, run_id: int, reason: str, article_id: int | None = None, stage: str = "pipeline", transient: bool = False
) -> None:
    """The run failed; a transient failure (database, broker) is queued again by the sweep."""
    with transaction.atomic():
        run = PipelineRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return
        run.errors = [*run.errors, _entry(article_id, stage, reason, transient=transient)]
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


# --- recovery: what the sweep queues again ------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    """What a stranded run needs queued: these articles' extraction, or (none left) the story stage."""

    run_id: int
    article_ids: list[int]


ACTIVE_STATES = (PipelineRun.State.QUEUED, PipelineRun.State.EXTRACTING, PipelineRun.State.ANALYSING)


def runs_to_check() -> list[int]:
    """Runs the sweep looks at: unfinished ones, and failed ones with a failure worth another try."""
    active = PipelineRun.objects.filter(state__in=ACTIVE_STATES).order_by("pk").values_list("pk", flat=True)
    # Failed in the last week with a failure worth another try (run_recover checks it was not tried).
    failed = PipelineRun.objects.filter(
        state=PipelineRun.State.FAILED,
        finished_at__gte=timezone.now() - timedelta(days=7),
        errors__icontains='"transient"',
    ).order_by("pk")
    return [*active, *failed.values_list("pk", flat=True)]


def _last_sweep(errors: list[dict[str, Any]]) -> datetime | None:
    times = [parse_datetime(e.get("at") or "") for e in errors if e.get("stage") == "sweep"]
    return max((t for t in times if t is not None), default=None)


def run_recover(*, run_id: int, stale_after: timedelta, max_attempts: int) -> Recovery | None:
    """Decide, under the run's lock, whether the run is stranded; if so reopen it and say what to queue.

    Stranded: unfinished with no sign of life for `stale_after` (its creation or start, its
    articles' extraction, the last sweep), or with a transient failure not yet retried (a
    queue that was unreachable, the database away while a task failed). The run is reopened
    (transient failures no longer count as failures), a note says why and when, and the
    caller queues the work. Re-queued work adds nothing twice: an extracted article is
    skipped, the story stage adds only what is missing. After `max_attempts` sweeps the run
    fails for good, saying so.
    """
    now = timezone.now()
    with transaction.atomic():
        run = PipelineRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state == PipelineRun.State.SUCCEEDED:
            return None
        pending = [e for e in run.errors if e.get("transient") and not e.get("retried")]
        if run.state == PipelineRun.State.FAILED and not pending:
            return None
        wanted = set(run.article_ids)
        processed = Article.objects.filter(pk__in=wanted, processed_at__isnull=False).order_by()
        last_sweep = _last_sweep(run.errors)
        if not pending:
            signs = [run.created_at, run.started_at, last_sweep, processed.aggregate(at=Max("processed_at"))["at"]]
            if now - max(t for t in signs if t is not None) < stale_after:
                return None
        attempts = sum(1 for e in run.errors if e.get("stage") == "sweep")
        # Tried once more now, and no longer a failure: its article counts as done only once extracted.
        errors = [
            {**{k: v for k, v in e.items() if k != "fatal"}, "retried": True} if e in pending else e for e in run.errors
        ]
        if attempts >= max_attempts:
            run.errors = [
                *errors,
                {"article_id": None, "stage": "sweep", "reason": f"gave up after {attempts} attempts to recover"},
            ]
            run.state, run.finished_at = PipelineRun.State.FAILED, now
            run.save(update_fields=["errors", "state", "finished_at"])
            return None
        failed = {e["article_id"] for e in errors if e.get("fatal")}
        done = set(processed.values_list("pk", flat=True))
        missing = sorted(wanted - done - failed)
        why = "a failure that may pass (" + pending[-1]["reason"][:200] + ")" if pending else "no progress"
        what = f"{len(missing)} article{'' if len(missing) == 1 else 's'}" if missing else "the story stage"
        errors.append(
            {
                "article_id": None,
                "stage": "sweep",
                "reason": f"processing was stranded ({why}); queued {what} again, attempt {attempts + 1}",
                "at": now.isoformat(),
            }
        )
        run.errors = errors
        run.state = PipelineRun.State.EXTRACTING if missing else PipelineRun.State.ANALYSING
        run.started_at = run.started_at or now
        run.finished_at = None
        run.progress_done = min(len((done | failed) & wanted), run.progress_total)
        run.save(update_fields=["errors", "state", "started_at", "finished_at", "progress_done"])
    return Recovery(run_id=run.pk, article_ids=missing)


def articles_without_run(*, stale_after: timedelta, limit: int = 5000) -> list[PipelineRun]:
    """Runs for the unprocessed articles that no run covers (an import that stopped before it
    sent `articles_imported`, a receiver that failed): one per story and import batch."""
    old = timezone.now() - stale_after
    candidates = list(
        Article.objects.filter(processed_at__isnull=True, created_at__lt=old)
        .order_by("pk")
        .values_list("pk", "story_id", "import_batch_id")[:limit]
    )
    if not candidates:
        return []
    stories = {story_id for _, story_id, _ in candidates}
    covered = {
        pk
        for ids in PipelineRun.objects.filter(story_id__in=stories).values_list("article_ids", flat=True)
        for pk in ids
    }
    groups: dict[tuple[int, int | None], list[int]] = {}
    for pk, story_id, batch_id in candidates:
        if pk not in covered:
            groups.setdefault((story_id, batch_id), []).append(pk)
    return [
        PipelineRun.objects.create(
            story_id=story_id, import_batch_id=batch_id, article_ids=ids, progress_total=len(ids) + 1
        )
        for (story_id, batch_id), ids in groups.items()
    ]
