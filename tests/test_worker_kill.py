"""A worker SIGKILLed in the middle of a task: its task comes back and is done exactly once.

Real processes: a worker of its own (its own queue) is killed, process group and all, while it
extracts a long article; another worker started after it gets the task back when the visibility
timeout passes (set short for this test: 21 s above a 20 s hard limit, the same rule as the
defaults' 90 s above 75 s), and the session worker runs the story stage.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from articles.models import Article
from articles.services import articles_import, story_get_or_create
from claims import tasks
from claims.models import Mention, PipelineRun
from claims.persist import article_text
from claims.pipeline import extract_article as extract
from tests.conftest import ROOT, wait_until


@pytest.fixture
def kill_worker_env() -> Iterator[dict[str, str]]:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL: run it with bin/test")
    yield {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factdesk.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_TASK_TIME_LIMIT": "20",
        "CELERY_TASK_SOFT_TIME_LIMIT": "15",
        "CELERY_BROKER_VISIBILITY_TIMEOUT": "21",
        # A retry must not outwait the visibility timeout (the settings refuse it otherwise).
        "FACTDESK_TASK_RETRY_MAX_SECONDS": "15",
    }


def start_worker(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "factdesk", "worker", "-Q", "kill", "--concurrency=1",
             "--without-gossip", "--without-mingle", "-n", f"{name}@%h", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_killed_worker_comes_back_and_is_done_once(
    celery_worker_process: Any, kill_worker_env: dict[str, str], no_broker: None
) -> None:
    from factdesk.celery import app

    story, _ = story_get_or_create(name="Killed worker")
    long_text = "\n\n".join(
        f"The council said {i} bridges were closed on Monday after the storm, officials in district {i} reported."
        for i in range(9000)
    )
    articles_import(story=story, files=[("long.txt", long_text.encode())])
    run = PipelineRun.objects.get(story=story)
    [article_id] = run.article_ids
    logs = ROOT / "test-artifacts"
    logs.mkdir(exist_ok=True)
    first = start_worker("doomed", kill_worker_env, logs / "celery-killed-worker.log")
    second = None
    try:
        wait_until(lambda: app.control.ping(destination=[f"doomed@{socket.gethostname()}"], timeout=0.5), 60)
        tasks.extract_article.apply_async((run.pk, article_id), queue="kill")
        wait_until(lambda: "] received" in (logs / "celery-killed-worker.log").read_text(), 30)
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker, as the OOM killer or a lost host would
        first.wait(10)
        assert not Article.objects.filter(pk=article_id, processed_at__isnull=False).exists(), "killed too late"

        second = start_worker("heir", kill_worker_env, logs / "celery-heir-worker.log")
        wait_until(lambda: Article.objects.filter(pk=article_id, processed_at__isnull=False).exists(), timeout=90)
        wait_until(lambda: PipelineRun.objects.get(pk=run.pk).state == PipelineRun.State.SUCCEEDED, timeout=60)
        article = Article.objects.select_related("outlet").get(pk=article_id)
        assert Mention.objects.filter(article=article).count() == len(extract(article_text(article)).mentions)
        assert PipelineRun.objects.get(pk=run.pk).progress_done == 2
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
