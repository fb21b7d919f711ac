from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from articles.models import Story
from articles.services import articles_import, story_get_or_create
from claims import services


@pytest.fixture
def processed_story(db: Any, seed_files: list[Path], monkeypatch: pytest.MonkeyPatch) -> Story:
    """The seed story, imported and processed in the foreground (nothing sent to Celery)."""
    monkeypatch.setattr(services, "_queue_run", lambda run_id, ids: None)
    story, _ = story_get_or_create(name="Embassy")
    articles_import(story=story, files=[(p.name, p.read_bytes()) for p in seed_files])
    call_command("process_story", str(story.pk), verbosity=0, stdout=StringIO(), stderr=StringIO())
    return story
