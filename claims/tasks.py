"""Celery tasks for the claim pipeline. Thin: ids in, a service call, the run's state updated.

The tasks own enqueueing: `start_run` (sent by name when an import commits, claims/services.py)
queues each article's extraction, and the last extraction to finish queues the story stage.
The tasks are idempotent (an article is extracted once; the story stage adds only what is not
there), so they acknowledge late and a task lost with its worker is simply run again.
Database hiccups retry with backoff (with a floor: never "Retry in 0s"); anything else fails
for good and says why on the run. Recording a failure never raises: with the database away it
is logged, and the periodic `sweep` (Celery beat) finds the run and queues its work again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction

from articles import services as import_services
from articles.models import Article
from factdesk.tasks import ReliableTask

from . import desk, persist, runs
from .models import PipelineRun, ReviewEvent

logger = logging.getLogger(__name__)


class PipelineTask(ReliableTask):
    """A pipeline task: `record_failure` says on the run why it failed for good."""


def _queue(run_id: int, send: Callable[[], Any]) -> bool:
    """Send a task; with the broker away, note on the run that it waits (the sweep sends it later)."""
    try:
        send()
        return True
    except Exception as exc:
        logger.warning("could not queue work for pipeline run %s: %s", run_id, exc)
        try:
            runs.run_note(run_id=run_id, article_id=None, stage="queue", reason=runs.QUEUE_UNREACHABLE, transient=True)
        except Exception as error:
            logger.error("could not note on pipeline run %s that it waits for the queue: %s", run_id, error)
        return False


def queue_run(run_id: int, article_ids: Sequence[int]) -> None:
    """Queue a run's work: each article's extraction, or the story stage when it has no article."""
    if not article_ids:
        _queue(run_id, lambda: analyse_story.delay(run_id))
    for article_id in article_ids:
        if not _queue(run_id, partial(extract_article.delay, run_id, article_id)):
            return


class ExtractTask(PipelineTask):
    def record_failure(self, exc: Exception, args: Any, *, transient: bool) -> None:
        run_id, article_id = args
        reason = f"{type(exc).__name__}: {exc}"
        runs.run_note(
            run_id=run_id, article_id=article_id, stage="extract", reason=reason, fatal=True, transient=transient
        )
        if runs.run_article_done(run_id=run_id):
            _queue(run_id, lambda: analyse_story.delay(run_id))


class AnalyseTask(PipelineTask):
    def record_failure(self, exc: Exception, args: Any, *, transient: bool) -> None:
        runs.run_fail(run_id=args[0], stage="analyse", reason=f"{type(exc).__name__}: {exc}", transient=transient)


@shared_task(base=PipelineTask)
def start_run(run_id: int) -> None:
    run = PipelineRun.objects.filter(pk=run_id).only("pk", "state", "article_ids", "errors").first()
    if run is None:
        logger.warning("start_run: run %s is gone", run_id)
        return
    if run.state == PipelineRun.State.QUEUED:
        queue_run(run.pk, run.article_ids)
        return
    if run.state != PipelineRun.State.EXTRACTING:
        return  # every article is done: the story stage is queued, or the run is over
    # Delivered again after its work began: the delivery before may have died half-way through
    # queueing (its worker killed), and the articles it did not queue would wait for the sweep's
    # stale deadline. Queue again what is not extracted yet: an article queued twice is extracted
    # once (persist.article_extract) and counted once (runs.run_article_done).
    processed = set(
        Article.objects.filter(pk__in=run.article_ids, processed_at__isnull=False)
        .order_by()
        .values_list("pk", flat=True)
    )
    failed = {e["article_id"] for e in run.errors if e.get("fatal")}
    pending = [a for a in run.article_ids if a not in processed and a not in failed]
    if pending:
        queue_run(run.pk, pending)


@shared_task(base=ExtractTask)
def extract_article(run_id: int, article_id: int) -> None:
    started = time.perf_counter()
    article = Article.objects.select_related("outlet").filter(pk=article_id).first()
    if article is None:
        logger.warning("extract_article: article %s is gone", article_id)
    else:
        persist.article_extract(article=article, run_id=run_id)
    if runs.run_article_done(run_id=run_id, extract_seconds=time.perf_counter() - started):
        _queue(run_id, lambda: analyse_story.delay(run_id))


@shared_task(base=AnalyseTask)
def analyse_story(run_id: int) -> None:
    run = PipelineRun.objects.select_related("story").filter(pk=run_id).first()
    if run is None:
        logger.warning("analyse_story: run %s is gone", run_id)
        return
    stats = persist.story_analyse(story=run.story, run_id=run_id)
    runs.run_finish(run_id=run_id, stats=stats)
    # New claims are scored by the desk model, when there is one, like the rest of the queue.
    latest = desk.latest_model()
    if latest is not None:
        _send(partial(desk_scores_apply.delay, latest.pk, run.story_id))


def _send(send: Callable[[], Any]) -> None:
    """Send a desk-model task; with the broker away, the sweep sends it later."""
    try:
        send()
    except Exception as exc:
        logger.warning("could not queue a desk model task: %s", exc)


def queue_desk_scoring(model_id: int) -> None:
    """Score the undecided claims with a desk model version on the worker (the sweep sends it
    when the broker is away)."""
    _send(partial(desk_scores_apply.delay, model_id))


def on_review_event(sender: Any, instance: ReviewEvent, created: bool, **kwargs: Any) -> None:
    """post_save of an audit event (connected in claims/apps.py): a confirm or a reject, once it
    commits, may schedule the desk model's training check (claims.desk.decision_made: once per
    debounce window). The event is the decision's record, so no review action knows of the model."""
    if created and instance.action in desk.DECISION_ACTIONS:
        transaction.on_commit(
            lambda: desk.decision_made(lambda countdown: desk_model_check.apply_async(countdown=countdown))
        )


@shared_task(base=ReliableTask, ignore_result=True)
def desk_model_check() -> None:
    """Train a new desk model version when enough new decisions have come (claims/desk.py), then
    score the undecided claims with it."""
    row = desk.desk_model_train()
    if row is not None:
        _send(partial(desk_scores_apply.delay, row.pk))


@shared_task(base=ReliableTask, ignore_result=True)
def desk_scores_apply(model_id: int, story_id: int | None = None) -> None:
    """Score a batch of undecided claims with a desk model version; the next batch is another task."""
    _, more = desk.desk_scores_apply(model_id=model_id, story_id=story_id)
    if more:
        _send(partial(desk_scores_apply.delay, model_id, story_id))


def sweep_stranded(*, stale_after: timedelta, max_attempts: int) -> dict[str, int]:
    """Queue again what faults left behind (see runs.run_recover): runs with lost work, articles
    no run covers, and large uploads whose import stopped. Idempotent: what is done is not done
    twice."""
    counts = {"runs": 0, "articles": 0, "new_runs": 0, "imports": 0}
    for run_id in runs.runs_to_check():
        recovery = runs.run_recover(run_id=run_id, stale_after=stale_after, max_attempts=max_attempts)
        if recovery is None:
            continue
        counts["runs"] += 1
        counts["articles"] += len(recovery.article_ids)
        if recovery.article_ids:
            queue_run(run_id, recovery.article_ids)
        else:
            _queue(run_id, partial(analyse_story.delay, run_id))
    for run in runs.articles_without_run(stale_after=stale_after):
        counts["new_runs"] += 1
        counts["articles"] += len(run.article_ids)
        _queue(run.pk, partial(start_run.delay, run.pk))
    # Large uploads whose import stopped moving (its task lost, or never sent): sent again.
    for batch_id in import_services.imports_waiting(stale_after=stale_after):
        counts["imports"] += 1
        import_services.queue_import(batch_id)
    if any(counts.values()):
        logger.warning(
            "sweep: queued again %(runs)d stranded run(s) and started %(new_runs)d run(s), %(articles)d article(s);"
            " sent %(imports)d stalled import(s) again",
            counts,
        )
    return counts


@shared_task(ignore_result=True)
def sweep() -> dict[str, int]:
    """Run by Celery beat every FACTDESK_SWEEP_INTERVAL_SECONDS (factdesk/settings)."""
    counts = sweep_stranded(
        stale_after=timedelta(seconds=settings.FACTDESK_SWEEP_STALE_SECONDS),
        max_attempts=settings.FACTDESK_SWEEP_MAX_ATTEMPTS,
    )
    desk_sweep()
    return counts


def desk_sweep() -> dict[str, bool]:
    """The desk model's part of the sweep: a training check lost with the broker, or a scoring pass
    left unfinished (a claim a reviewer had locked, a lost task), queued again."""
    queued = {"training_check": False, "scoring": False}
    if desk.training_due().due:
        queued["training_check"] = True
        _send(desk_model_check.delay)
    elif (model_id := desk.scoring_waiting()) is not None:
        queued["scoring"] = True
        _send(partial(desk_scores_apply.delay, model_id))
    return queued
