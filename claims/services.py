"""How processing starts for articles another app added or changed: a run, then its work queued on commit.

articles/ never imports claims/: its import service sends `articles.signals.articles_imported`
inside the caller's transaction, and claims connects `pipeline_for_import` to it (ClaimsConfig.ready).
The run is created at once, so the import's answer already shows it; the work is sent to the
workers by task name once the import commits (this module never imports claims.tasks, which own
enqueueing: `start_run` queues each article's extraction).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from celery import current_app
from django.db import transaction

from articles.models import ImportBatch, Story

from .models import PipelineRun
from .runs import QUEUE_UNREACHABLE, pipeline_start, run_note

logger = logging.getLogger(__name__)

START_RUN_TASK = "claims.tasks.start_run"


def pipeline_for_import(
    sender: Any, *, story: Story, article_ids: Sequence[int], import_batch: Any = None, **kwargs: Any
) -> PipelineRun:
    """Receiver of `articles_imported`: a run for the new articles, queued once the caller commits."""
    run = pipeline_start(story=story, article_ids=article_ids, import_batch=import_batch)
    transaction.on_commit(lambda: _queue_run(run.pk, run.article_ids))
    return run


def pipeline_for_change(sender: Any, *, story: Story, article_ids: Sequence[int], **kwargs: Any) -> PipelineRun:
    """Receiver of `articles_changed` (an editor set an article's outlet): a run over those articles,
    queued once the caller commits. Their extraction is done already, so the run goes straight to
    the story stage, which counts sources and names outlets again; decided claims keep their
    status and wording (claims/persist.py)."""
    run = pipeline_start(story=story, article_ids=article_ids)
    transaction.on_commit(lambda: _queue_run(run.pk, run.article_ids))
    return run


def _queue_run(run_id: int, article_ids: Sequence[int]) -> None:
    try:
        current_app.send_task(START_RUN_TASK, args=(run_id,))
    except Exception as exc:
        # The broker is down: the run stays queued with a note the sweep (claims.tasks.sweep) acts on
        # once the queue is back, and the import's report says that processing waits. One line, no
        # traceback: an outage is not a bug.
        logger.warning("could not queue pipeline run %s (%d articles): %s", run_id, len(article_ids), exc)
        run_note(run_id=run_id, article_id=None, stage="queue", reason=QUEUE_UNREACHABLE, transient=True)
        batch_id = PipelineRun.objects.filter(pk=run_id).values_list("import_batch_id", flat=True).first()
        if batch_id is not None:
            batch = ImportBatch.objects.get(pk=batch_id)
            batch.report = [*batch.report, {"source": "", "status": "waiting", "message": QUEUE_UNREACHABLE}]
            batch.save(update_fields=["report"])
