"""Fixtures shared by the whole suite: users per role, and a real Celery worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture
def no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing is sent to Celery: the test drives the stages in the foreground (process_story).

    A live server runs in a thread of the test process, so its imports are covered too.
    """
    from claims import services

    monkeypatch.setattr(services, "_queue_run", lambda run_id, ids: None)


@pytest.fixture
def processed_story(db: Any, seed_files: list[Path], no_broker: None) -> Any:
    """The seed story, imported and processed in the foreground (nothing sent to Celery).

    The one copy for every database, API and browser test (transactional tests get it too:
    `db` yields to `transactional_db` when the test asks for that).
    """
    from io import StringIO

    from django.core.management import call_command

    from articles.services import articles_import, story_get_or_create

    story, _ = story_get_or_create(name="Embassy")
    articles_import(story=story, files=[(p.name, p.read_bytes()) for p in seed_files])
    call_command("process_story", str(story.pk), verbosity=0, stdout=StringIO(), stderr=StringIO())
    return story


@pytest.fixture
def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture
def roles(db: Any) -> None:
    from django.core.management import call_command

    call_command("setup_roles", verbosity=0)


def _user(username: str, role: str | None) -> Any:
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username=username, password=f"{username}-pw")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(roles: None) -> Any:
    return _user("edith", "Editor")


@pytest.fixture
def reviewer(roles: None) -> Any:
    return _user("rita", "Reviewer")


@pytest.fixture
def admin_user(roles: None) -> Any:
    return _user("adam", "Admin")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """A real `celery worker` process on the real Redis, using the test database.

    Tests that use it must be `django_db(transaction=True)`: the worker is another process
    and sees only committed rows.
    """
    from django.conf import settings
    from django.db import connection

    from factdesk.celery import app

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the worker tests need PostgreSQL: run them with bin/test")
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "factdesk.settings.test"}
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    log = open(artifacts / "celery-worker.log", "w")  # noqa: SIM115 - closed with the worker
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "factdesk",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "-n",
            "test@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Celery worker did not start; see test-artifacts/celery-worker.log")
        connection.close()
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def wait_until(predicate: Any, timeout: float = 30.0, interval: float = 0.1) -> Any:
    """Poll until `predicate()` is truthy; return its value or fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {getattr(predicate, '__name__', predicate)}")
