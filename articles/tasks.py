"""Celery tasks for imports: a large upload, imported by a worker in parts.

Thin: a batch id in, a service call. `articles.services.articles_import_later` sends
`import_upload` by name once the upload is stored; each run imports for about
FACTDESK_IMPORT_STEP_SECONDS and sends itself again while files are left, so no task comes near
the time limits, and a worker lost mid-way costs only the part since the last saved progress.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from factdesk.tasks import ReliableTask

from . import services


class ImportTask(ReliableTask):
    def record_failure(self, exc: Exception, args: Any, *, transient: bool) -> None:
        if transient:
            return  # the database or the queue was away: the sweep sends the import again
        services.import_upload_failed(batch_id=args[0], reason=f"{type(exc).__name__}: {exc}")


@shared_task(base=ImportTask, ignore_result=True)
def import_upload(batch_id: int) -> None:
    if services.import_upload_step(batch_id=batch_id, seconds=settings.FACTDESK_IMPORT_STEP_SECONDS):
        services.queue_import(batch_id)
