"""Celery tasks for the claim pipeline. Thin: ids in, a service call, the run's state updated.

The tasks own enqueueing: `start_run` (sent by name when an import commits, claims/services.py)
queues each article's extraction, and the last extraction to finish queues the story stage.
The tasks are idempotent (an article is extracted once; the story stage adds only what is not
there), so they acknowledge late and a task lost with its worker is simply run again.
Database hiccups retry with backoff; anything else fails for good and says why on the run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from articles.models import Article

from . import persist, runs
from .models import PipelineRun

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError)
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 4,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


def queue_run(run_id: int, article_ids: Sequence[int]) -> None:
    """Queue a run's work: each article's extraction, or the story stage when it has no article."""
    try:
        if not article_ids:
            analyse_story.delay(run_id)
        for article_id in article_ids:
            extract_article.delay(run_id, article_id)
    except Exception as exc:  # the broker is down: say so on the run; `process_story` can catch up
        logger.exception("could not queue pipeline run %s", run_id)
        runs.run_fail(run_id=run_id, reason=f"could not queue the processing: {exc}")


class ExtractTask(Task):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        run_id, article_id = args
        runs.run_note(
            run_id=run_id, article_id=article_id, stage="extract", reason=f"{type(exc).__name__}: {exc}", fatal=True
        )
        if runs.run_article_done(run_id=run_id):
            analyse_story.delay(run_id)


class AnalyseTask(Task):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        runs.run_fail(run_id=args[0], stage="analyse", reason=f"{type(exc).__name__}: {exc}")


@shared_task(**RETRY)
def start_run(run_id: int) -> None:
    run = PipelineRun.objects.filter(pk=run_id).only("pk", "state", "article_ids").first()
    if run is None:
        logger.warning("start_run: run %s is gone", run_id)
        return
    if run.state != PipelineRun.State.QUEUED:
        return  # delivered again after its work began: that work is already queued
    queue_run(run.pk, run.article_ids)


@shared_task(base=ExtractTask, **RETRY)
def extract_article(run_id: int, article_id: int) -> None:
    started = time.perf_counter()
    article = Article.objects.select_related("outlet").filter(pk=article_id).first()
    if article is None:
        logger.warning("extract_article: article %s is gone", article_id)
    else:
        persist.article_extract(article=article, run_id=run_id)
    if runs.run_article_done(run_id=run_id, extract_seconds=time.perf_counter() - started):
        analyse_story.delay(run_id)


@shared_task(base=AnalyseTask, **RETRY)
def analyse_story(run_id: int) -> None:
    run = PipelineRun.objects.select_related("story").filter(pk=run_id).first()
    if run is None:
        logger.warning("analyse_story: run %s is gone", run_id)
        return
    stats = persist.story_analyse(story=run.story, run_id=run_id)
    runs.run_finish(run_id=run_id, stats=stats)
