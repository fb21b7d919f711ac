"""Integration: import through the service and let the real Celery worker run the whole pipeline."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from articles.models import Story
from articles.services import articles_import, story_get_or_create
from claims.models import Claim, Conflict, PipelineRun
from tests.conftest import wait_until


def outcome(story: Story) -> tuple[list[tuple[str, int, int]], list[tuple[str, str, str]]]:
    """What a run made of a story: claims (wording, mentions, sources) and conflicts."""
    claims = sorted((c.text, c.mentions.count(), c.independent_sources) for c in Claim.objects.filter(story=story))
    conflicts = sorted((c.kind, c.severity, c.explanation) for c in Conflict.objects.filter(story=story))
    return claims, conflicts


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_turns_an_import_into_claims_and_conflicts(
    celery_worker_process: Any, seed_files: list[Path], request: pytest.FixtureRequest
) -> None:
    story, _ = story_get_or_create(name="Worker story")
    batch = articles_import(story=story, files=[(p.name, p.read_bytes()) for p in seed_files])
    run = PipelineRun.objects.get(import_batch=batch)

    def finished() -> bool:
        run.refresh_from_db()
        return run.state in (PipelineRun.State.SUCCEEDED, PipelineRun.State.FAILED)

    wait_until(finished, timeout=120)
    assert run.state == PipelineRun.State.SUCCEEDED, run.errors
    assert run.progress_done == run.progress_total == 6
    # The worker finds exactly what the foreground command finds for the same files.
    request.getfixturevalue("no_broker")
    foreground, _ = story_get_or_create(name="Foreground story")
    articles_import(story=foreground, files=[(p.name, p.read_bytes()) for p in seed_files])
    call_command("process_story", str(foreground.pk), verbosity=0, stdout=StringIO(), stderr=StringIO())
    assert outcome(story) == outcome(foreground)
    assert Conflict.objects.filter(story=story, kind="certainty").count() >= 1

    # Importing the same files again queues nothing new and changes nothing.
    claims = Claim.objects.filter(story=story).count()
    again = articles_import(story=story, files=[(p.name, p.read_bytes()) for p in seed_files])
    assert again.imported_count == 0 and not PipelineRun.objects.filter(import_batch=again).exists()
    assert Claim.objects.filter(story=story).count() == claims
    assert celery_worker_process.poll() is None
