"""Integration: an import enqueues processing that a real Celery worker runs on Redis and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from articles.models import Article
from articles.services import articles_import, story_get_or_create
from tests.conftest import wait_until


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_imported_articles_are_processed_by_the_worker(celery_worker_process: Any, seed_files: list[Path]) -> None:
    story, _ = story_get_or_create(name="Worker story")
    articles_import(story=story, files=[(p.name, p.read_bytes()) for p in seed_files])

    def all_processed() -> bool:
        return not Article.objects.filter(story=story, processed_at__isnull=True).exists()

    wait_until(all_processed, timeout=60)
    assert Article.objects.filter(story=story).count() == 5
    assert celery_worker_process.poll() is None  # the worker is still running
