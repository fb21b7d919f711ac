"""What every FactDesk task shares: late acknowledgement, retries of transient errors from a
floor, and failure handlers that cannot fail (claims.tasks, articles.tasks)."""

from __future__ import annotations

import logging
import random
from typing import Any

from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# The database or the broker was away: worth another try, later.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError)


def retry_countdown(retries: int) -> float:
    """Seconds before retry number `retries + 1`: doubling from a floor, capped, plus up to a
    quarter more at random so that the tasks an outage failed together do not return together."""
    base = min(settings.FACTDESK_TASK_RETRY_MAX_SECONDS, settings.FACTDESK_TASK_RETRY_FLOOR_SECONDS * 2**retries)
    return base + random.uniform(0, base / 4)


class ReliableTask(Task):
    """Acknowledged late (a task lost with its worker is delivered again: tasks must be
    idempotent), retried on transient errors with `retry_countdown`; `record_failure` says why
    the task failed for good (on the run, on the batch), and may not raise."""

    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except TRANSIENT_ERRORS as exc:
            if self.request.called_directly:
                raise
            # Out of retries, `retry` raises `exc` itself and the task fails (on_failure).
            raise self.retry(
                exc=exc, countdown=retry_countdown(self.request.retries), max_retries=settings.FACTDESK_TASK_MAX_RETRIES
            ) from exc

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        try:
            self.record_failure(exc, args, transient=isinstance(exc, TRANSIENT_ERRORS))
        except Exception as error:  # the database is away too: the sweep finds the work later
            logger.error(
                "%s%r failed (%s) and the failure could not be recorded: %s", self.name, tuple(args), exc, error
            )

    def record_failure(self, exc: Exception, args: Any, *, transient: bool) -> None:
        pass
