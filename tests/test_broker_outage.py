"""A broker that is down while an import saves its articles: one line says processing waits, and
the sweep starts it once the broker is back (real PostgreSQL, Redis and worker)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from articles.models import Story
from claims import tasks
from claims.models import PipelineRun
from tests.conftest import ROOT, wait_until
from tests.test_recovery import finished, mentions_per_article
from tests.test_recovery import foreground as foreground_fixture

foreground = foreground_fixture  # the fixture, shared


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_import_while_the_broker_is_down_says_so_in_one_line_and_is_processed_once_it_is_back(
    celery_worker_process: Any, seed_files: list[Path], foreground: dict[str, int]
) -> None:
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factdesk.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": "redis://127.0.0.1:9/0",  # the discard port: nothing listens there
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "import_articles", *map(str, seed_files), "--story", "Broker outage"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert (
        "Saved 5 articles; processing is waiting: the task queue is unreachable; it will start when the queue is back."
        in result.stdout
    )
    story = Story.objects.get(name="Broker outage")
    run = PipelineRun.objects.get(story=story)
    assert run.state == PipelineRun.State.QUEUED
    assert run.import_batch is not None and run.import_batch.report[-1]["status"] == "waiting"

    # The broker is back (the test's own): the next sweep queues the run without waiting for a deadline.
    assert tasks.sweep_stranded(stale_after=timedelta(hours=1), max_attempts=5)["runs"] == 1
    wait_until(finished(run), timeout=120)
    assert run.state == PipelineRun.State.SUCCEEDED, run.errors
    assert mentions_per_article(story) == foreground


@pytest.mark.django_db(transaction=True)  # the work is queued on commit
def test_the_api_and_the_upload_page_say_that_processing_waits(
    client: Any, editor: Any, seed_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The broker's refusal as kombu raises it (the real one is the command's test above).
    from celery import current_app
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from kombu.exceptions import OperationalError

    from articles.services import story_get_or_create
    from tests.api.conftest import token_client

    def refused(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(current_app, "send_task", refused)
    story, _ = story_get_or_create(name="Broker outage, web")
    api = token_client(editor)
    upload = SimpleUploadedFile(seed_files[0].name, seed_files[0].read_bytes())
    response = api.post(f"/api/v1/stories/{story.pk}/imports/", {"files": [upload]}, format="multipart")
    assert response.status_code == 202
    assert response.json()["report"][-1] == {
        "source": "",
        "status": "waiting",
        "message": "processing is waiting: the task queue is unreachable; it will start when the queue is back",
    }
    client.force_login(editor)
    upload = SimpleUploadedFile(seed_files[1].name, seed_files[1].read_bytes())
    page = client.post(reverse("articles:story_upload", args=[story.slug]), {"files": [upload]}, follow=True)
    assert "the task queue is unreachable" in page.content.decode()
    assert all(run.state == PipelineRun.State.QUEUED for run in PipelineRun.objects.filter(story=story))
