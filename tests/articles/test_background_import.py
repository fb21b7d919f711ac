"""Large uploads are stored and imported by a worker, in parts (issue 11.3).

The request answers at once with a `queued` batch; `import_upload_step` imports for a while,
saves its progress and hands the rest to another task; a worker lost mid-way costs nothing.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, ImportBatch, ImportUpload, Story
from articles.services import articles_import_later, import_upload_step, story_get_or_create
from claims import tasks
from claims.models import PipelineRun
from tests.api.conftest import token_client
from tests.conftest import wait_until

TOWNS = ["Arden", "Brisk", "Calder", "Dunmore", "Elsby", "Farrow", "Glenn", "Hale", "Ives", "Jorvik"]


def article_text(n: int) -> str:
    town = TOWNS[n % len(TOWNS)]
    return (
        f"The {town} bridge number {n} was closed on Monday after inspectors found {n + 3} cracks.\n\n"
        f"Officials in {town} said repairs to span {n} would take {n % 7 + 2} weeks and cost ${n + 1} million."
    )


def a_zip(count: int, *, start: int = 0, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(start, start + count):
            archive.writestr(f"bridge-{n:04d}.txt", article_text(n))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def a_jsonl(count: int, *, start: int) -> bytes:
    return "\n".join(
        json.dumps({"id": f"wire-{n}", "title": f"Bridge {n}", "text": article_text(n), "date": "2024-03-04"})
        for n in range(start, start + count)
    ).encode()


def imported_ids(batch: ImportBatch) -> list[int]:
    return [r["article_id"] for r in batch.report if r["status"] == "imported"]


@pytest.fixture
def story(db: Any) -> Story:
    return story_get_or_create(name="Bridges")[0]


@pytest.mark.django_db
def test_an_upload_is_imported_in_the_request_only_when_small() -> None:
    small = [("a.txt", b"x" * 100), ("b.zip", a_zip(3))]
    assert not services.import_in_background(small)
    with override_settings(FACTDESK_INLINE_IMPORT_FILES=3):
        assert services.import_in_background(small)  # 1 file + 3 members
    with override_settings(FACTDESK_INLINE_IMPORT_BYTES=50):
        assert services.import_in_background(small)


@pytest.mark.django_db
def test_a_background_import_goes_in_parts_keeps_the_upload_order_and_starts_processing_for_each(
    story: Story,
) -> None:
    files = [("wire.jsonl", a_jsonl(120, start=0)), ("more.zip", a_zip(70, start=200, extra={"notes.pdf": b"%PDF"}))]
    batch = articles_import_later(story=story, files=files)
    assert batch.status == ImportBatch.Status.QUEUED and batch.report == [] and not story.articles.exists()

    steps = 1
    while import_upload_step(batch_id=batch.pk, seconds=0):  # no time at all: it stops at every saved point
        steps += 1
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.RUNNING and batch.progress_at is not None
    batch.refresh_from_db()

    assert steps > 3
    assert batch.status == ImportBatch.Status.DONE and batch.finished_at is not None
    assert (batch.imported_count, batch.error_count) == (190, 1)
    expected = [f"wire.jsonl:{n}" for n in range(1, 121)]  # the upload's order, then the archive's
    assert [r["source"] for r in batch.report[:3]] == expected[:3]
    assert batch.report[-2]["source"] == "more.zip/bridge-0269.txt"
    assert batch.report[-1]["source"] == "more.zip/notes.pdf" and batch.report[-1]["status"] == "error"
    assert sorted(imported_ids(batch)) == sorted(story.articles.values_list("pk", flat=True))
    assert not ImportUpload.objects.exists()  # stored files are dropped once imported
    runs = PipelineRun.objects.filter(import_batch=batch)
    covered = [a for run in runs for a in run.article_ids]
    assert sorted(covered) == sorted(imported_ids(batch)) and runs.count() > 1  # one run per part


@pytest.mark.django_db
def test_a_worker_lost_between_saves_loses_nothing_and_duplicates_nothing(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = articles_import_later(story=story, files=[("wire.jsonl", a_jsonl(130, start=0))])
    real_save = services._Progress.save
    saves = {"n": 0}

    def lost_on_the_second_save(self: Any, current: Any = None) -> None:
        saves["n"] += 1
        if saves["n"] == 2:
            raise SystemExit("worker lost")  # as if killed: 50 articles saved since the last save
        real_save(self, current)

    monkeypatch.setattr(services._Progress, "save", lost_on_the_second_save)
    with pytest.raises(SystemExit):
        import_upload_step(batch_id=batch.pk, seconds=60)
    assert story.articles.count() == 100
    batch.refresh_from_db()
    assert batch.imported_count == 50  # what the first save recorded

    monkeypatch.setattr(services._Progress, "save", real_save)
    while import_upload_step(batch_id=batch.pk, seconds=60):
        pass
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert story.articles.count() == 130
    assert (batch.imported_count, batch.skipped_count) == (130, 0)  # the 50 saved since are this batch's, reported once
    assert sorted(imported_ids(batch)) == sorted(story.articles.values_list("pk", flat=True))
    covered = {a for run in PipelineRun.objects.filter(import_batch=batch) for a in run.article_ids}
    assert covered == set(imported_ids(batch))


@pytest.mark.django_db
def test_a_duplicate_within_a_background_upload_is_still_a_duplicate(story: Story) -> None:
    same = article_text(1).encode()
    batch = articles_import_later(story=story, files=[("a.txt", same), ("b.txt", same)])
    while import_upload_step(batch_id=batch.pk, seconds=60):
        pass
    batch.refresh_from_db()
    assert [r["status"] for r in batch.report] == ["imported", "skipped"]


@pytest.mark.django_db
def test_an_import_that_stopped_moving_is_sent_again_by_the_sweep(
    story: Story, monkeypatch: pytest.MonkeyPatch, no_broker: None
) -> None:
    sent: list[int] = []

    def queue_import(batch_id: int) -> bool:
        sent.append(batch_id)
        return True

    monkeypatch.setattr(services, "queue_import", queue_import)
    stalled = articles_import_later(story=story, files=[("a.zip", a_zip(3))])
    fresh = articles_import_later(story=story, files=[("b.zip", a_zip(3, start=10))])
    ImportBatch.objects.filter(pk=stalled.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    counts = tasks.sweep_stranded(stale_after=timedelta(minutes=5), max_attempts=5)
    assert sent == [stalled.pk] and counts["imports"] == 1
    assert fresh.pk not in sent


@pytest.mark.django_db
def test_with_the_queue_away_the_batch_says_its_import_waits(story: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    def broker_away(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(services.current_app, "send_task", broker_away)
    batch = articles_import_later(story=story, files=[("a.zip", a_zip(3))])
    assert services.queue_import(batch.pk) is False
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.QUEUED
    assert [r["message"] for r in batch.report] == [services.IMPORT_QUEUE_UNREACHABLE]
    while import_upload_step(batch_id=batch.pk, seconds=60):  # once a worker has it, the note goes
        pass
    batch.refresh_from_db()
    assert [r["status"] for r in batch.report] == ["imported"] * 3


@pytest.mark.django_db
@override_settings(FACTDESK_INLINE_IMPORT_FILES=5)
def test_the_upload_page_answers_at_once_and_says_a_worker_imports_it(
    client: Client, editor: Any, story: Story
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(editor)
    response = client.post(
        reverse("articles:story_upload", args=[story.slug]), {"files": [SimpleUploadedFile("many.zip", a_zip(8))]}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == ImportBatch.Status.QUEUED
    assert not Article.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "waits for a worker" in page and 'http-equiv="refresh"' in page
    while import_upload_step(batch_id=batch.pk, seconds=60):
        pass
    page = client.get(response["Location"]).content.decode()
    assert "8 imported" in page and 'http-equiv="refresh"' not in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_upload_through_the_api_is_imported_and_processed_by_the_worker(
    celery_worker_process: Any, editor: Any
) -> None:
    api = token_client(editor)
    story = api.post("/api/v1/stories/", {"name": "Many bridges"}, format="json").json()
    upload = io.BytesIO(a_zip(120))  # more files than the worker's FACTDESK_INLINE_IMPORT_FILES (100)
    upload.name = "bridges.zip"
    response = api.post(f"/api/v1/stories/{story['id']}/imports/", {"files": [upload]}, format="multipart")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued" and response.json()["imported_count"] == 0

    def imported() -> dict[str, Any] | None:
        batch = api.get(f"/api/v1/import-batches/{response.json()['id']}/").json()
        return batch if batch["status"] in ("done", "failed") else None

    batch = wait_until(imported, timeout=120, interval=0.5)
    assert batch["status"] == "done" and batch["imported_count"] == 120
    assert Article.objects.filter(story_id=story["id"]).count() == 120

    def processed() -> list[dict[str, Any]] | None:
        runs = api.get(f"/api/v1/import-batches/{batch['id']}/").json()["pipeline_runs"]
        return runs if runs and all(r["state"] in ("succeeded", "failed") for r in runs) else None

    runs = wait_until(processed, timeout=180, interval=1)
    assert {r["state"] for r in runs} == {"succeeded"}
    assert not ImportUpload.objects.exists()
