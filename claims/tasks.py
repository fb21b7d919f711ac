"""Celery tasks for the claim pipeline. Thin: ids in, a service call, the run's state updated.

Both tasks are idempotent (an article is extracted once; the story stage adds only what is not
there), so they acknowledge late and a task lost with its worker is simply run again.
Database hiccups retry with backoff; anything else fails for good and says why on the run.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from articles.models import Article

from . import services
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


class ExtractTask(Task):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        run_id, article_id = args
        services.run_note(
            run_id=run_id, article_id=article_id, stage="extract", reason=f"{type(exc).__name__}: {exc}", fatal=True
        )
        if services.run_article_done(run_id=run_id):
            analyse_story.delay(run_id)


class AnalyseTask(Task):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        services.run_fail(run_id=args[0], stage="analyse", reason=f"{type(exc).__name__}: {exc}")


@shared_task(base=ExtractTask, **RETRY)
def extract_article(run_id: int, article_id: int) -> None:
    started = time.perf_counter()
    article = Article.objects.select_related("outlet").filter(pk=article_id).first()
    if article is None:
        logger.warning("extract_article: article %s is gone", article_id)
    else:
        services.article_extract(article=article, run_id=run_id)
    if services.run_article_done(run_id=run_id, extract_seconds=time.perf_counter() - started):
        analyse_story.delay(run_id)


@shared_task(base=AnalyseTask, **RETRY)
def analyse_story(run_id: int) -> None:
    run = PipelineRun.objects.select_related("story").filter(pk=run_id).first()
    if run is None:
        logger.warning("analyse_story: run %s is gone", run_id)
        return
    stats = services.story_analyse(story=run.story, run_id=run_id)
    services.run_finish(run_id=run_id, stats=stats)
