"""The Celery application: configuration comes from Django settings (CELERY_*)."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factdesk.settings.base")

app = Celery("factdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect(weak=False, dispatch_uid="factdesk.celery.drop_broken_connections")
def drop_broken_connections(**kwargs: Any) -> None:
    """Before each task, close a database connection that failed and no longer works.

    Workers keep their connection between tasks (CELERY_DB_REUSE_MAX), and Celery's Django fix-up
    then closes it only every so many tasks, working or not; Django itself checks connections only
    around web requests. So once PostgreSQL restarted, or a network cut an idle connection, every
    task failed on "the connection is closed" until that many tasks had gone by. As Django does
    between requests: a connection on which an error occurred is tried (SELECT 1), and closed if
    it is broken, so the task connects anew. A healthy connection costs nothing here.
    """
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is None or not conn.errors_occurred or conn.in_atomic_block:
            continue
        if conn.is_usable():
            conn.errors_occurred = False
        else:
            conn.close()
