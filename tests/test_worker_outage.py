"""The database goes away under a real worker: it retries from a floor, records what it can, and
lives on; /healthz answers JSON 503 while the database is unreachable.

The outage is real: the worker reaches PostgreSQL through a TCP relay that the test switches
off (refusing and cutting connections, as a restarting server does) and on again.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from articles.models import Article
from articles.services import articles_import, story_get_or_create
from claims import tasks
from claims.models import PipelineRun
from tests.conftest import ROOT, wait_until


class Relay:
    """127.0.0.1:port -> target, with a switch: off, new connections are closed at once and open ones cut."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.up = target, True
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def switch(self, up: bool) -> None:
        self.up = up
        if not up:
            for s in self.open:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            self.open = []

    def close(self) -> None:
        self.server.close()
        self.switch(False)


@pytest.fixture
def relay() -> Iterator[Relay]:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL: run it with bin/test")
    relay = Relay((database["HOST"], int(database["PORT"])))
    yield relay
    relay.close()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_solo_worker_rides_out_a_database_outage(relay: Relay, seed_files: list[Path], no_broker: None) -> None:
    from factdesk.celery import app

    story, _ = story_get_or_create(name="Database outage")
    articles_import(story=story, files=[(p.name, p.read_bytes()) for p in seed_files[:2]])
    run = PipelineRun.objects.get(story=story)
    first, second = run.article_ids
    database = settings.DATABASES["default"]
    log_path = ROOT / "test-artifacts" / "celery-outage-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factdesk.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@127.0.0.1:{relay.port}/{database['NAME']}",
        "FACTDESK_TASK_RETRY_FLOOR_SECONDS": "1",
        "FACTDESK_TASK_MAX_RETRIES": "1",
    }
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "factdesk", "worker", "--pool=solo", "-Q", "outage",
             "--without-gossip", "--without-mingle", "-n", "outage@%h", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(lambda: app.control.ping(destination=[f"outage@{socket.gethostname()}"], timeout=0.5), 60)
        relay.switch(up=False)
        # Out of retries with the database still away: the failure cannot be recorded, and is logged.
        tasks.extract_article.apply_async((run.pk, first), queue="outage")
        wait_until(lambda: "could not be recorded" in log_path.read_text(), timeout=60)
        # A second task meets the outage, which ends before its retry: it succeeds.
        tasks.extract_article.apply_async((run.pk, second), queue="outage")
        wait_until(lambda: log_path.read_text().count("Retry in") >= 2, timeout=60)
        relay.switch(up=True)
        wait_until(lambda: Article.objects.filter(pk=second, processed_at__isnull=False).exists(), timeout=60)
        assert worker.poll() is None, log_path.read_text()[-3000:]
        text = log_path.read_text()
        assert "Unrecoverable error" not in text
        retries = [float(s) for s in re.findall(r"Retry in (\d+(?:\.\d+)?)s", text)]
        assert retries and min(retries) >= 1, retries
        # The first article is left to the sweep, which finds its run with nothing recorded: it is stale.
        assert not Article.objects.filter(pk=first, processed_at__isnull=False).exists()
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_reconnects_when_its_idle_database_connection_was_cut(
    relay: Relay, seed_files: list[Path], no_broker: None
) -> None:
    """Workers keep their database connection between tasks (CELERY_DB_REUSE_MAX), and Celery's
    fix-up then closes it only every 100 tasks, dead or alive. PostgreSQL restarting, or a network
    cut, kills the idle connection: the next task must find out once and connect again, not fail
    on "the connection is closed" until its retries run out (bench/faults.py's soak found it)."""
    from factdesk.celery import app

    story, _ = story_get_or_create(name="Connection cut")
    articles_import(story=story, files=[(p.name, p.read_bytes()) for p in seed_files[:2]])
    run = PipelineRun.objects.get(story=story)
    first, second = run.article_ids
    database = settings.DATABASES["default"]
    log_path = ROOT / "test-artifacts" / "celery-cut-worker.log"
    log_path.parent.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factdesk.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@127.0.0.1:{relay.port}/{database['NAME']}",
        "FACTDESK_TASK_RETRY_FLOOR_SECONDS": "1",
        "FACTDESK_TASK_MAX_RETRIES": "3",
    }
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "factdesk", "worker", "--concurrency=1", "-Q", "cut",
             "--without-gossip", "--without-mingle", "-n", "cut@%h", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(lambda: app.control.ping(destination=[f"cut@{socket.gethostname()}"], timeout=0.5), 60)
        tasks.extract_article.apply_async((run.pk, first), queue="cut")
        wait_until(lambda: Article.objects.filter(pk=first, processed_at__isnull=False).exists(), timeout=60)
        relay.switch(up=False)  # the worker's connection, idle now, is cut; the server is back at once
        relay.switch(up=True)
        tasks.extract_article.apply_async((run.pk, second), queue="cut")
        wait_until(lambda: Article.objects.filter(pk=second, processed_at__isnull=False).exists(), timeout=30)
        text = log_path.read_text()
        assert "the connection is closed" not in text, text[-3000:]
        assert text.count("retry: Retry in") <= 1, text[-3000:]  # the cut is found once, then a new connection
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_healthz_answers_json_503_when_the_database_is_unreachable() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factdesk.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/factdesk",  # nothing listens on the discard port
    }
    code = "from django.test import Client; r = Client().get('/healthz', HTTP_HOST='127.0.0.1'); print(r.status_code, r['Content-Type'], r.content.decode())"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == '503 application/json {"ok": false, "database": "unreachable"}', (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_the_api_answers_its_error_shape_503_when_the_database_is_unreachable() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factdesk.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/factdesk",  # nothing listens on the discard port
    }
    code = (
        "import json; from django.test import Client; "
        "r = Client().get('/api/v1/stories/', HTTP_HOST='127.0.0.1', HTTP_AUTHORIZATION='Bearer fd_nothing'); "
        "print(json.dumps([r.status_code, r.get('Retry-After'), r.json()]))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, retry_after, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert (status, body["error"]["code"]) == (503, "database_unavailable"), result.stderr
    assert retry_after is not None
    assert "Traceback" not in result.stderr
