"""End to end through the API and the real Celery worker: import, wait, confirm, export."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import token_client
from tests.conftest import wait_until


def import_and_wait(api: Any, story_id: int, files: list[tuple[str, bytes]]) -> tuple[Any, dict[str, Any]]:
    """Import files into the story through the API; the response, and its run once it has ended."""
    handles = []
    for name, data in files:
        handle = BytesIO(data)
        handle.name = name
        handles.append(handle)
    batch = api.post(f"/api/v1/stories/{story_id}/imports/", {"files": handles}, format="multipart")

    def ended() -> dict[str, Any] | None:
        run = api.get(f"/api/v1/import-batches/{batch.json()['id']}/").json()["pipeline_runs"][0]
        return run if run["state"] in ("succeeded", "failed") else None

    return batch, wait_until(ended, timeout=120, interval=0.5)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_import_wait_confirm_and_export_claimreview(
    celery_worker_process: Any, editor: Any, seed_files: list[Path]
) -> None:
    api = token_client(editor)
    story = api.post("/api/v1/stories/", {"name": "Embassy via API"}, format="json").json()
    batch, run = import_and_wait(api, story["id"], [(p.name, p.read_bytes()) for p in seed_files])
    assert batch.status_code == 202 and batch.json()["imported_count"] == 5
    assert run["state"] == "succeeded" and run["progress_done"] == run["progress_total"] == 6

    conflicts = api.get("/api/v1/conflicts/", {"story": story["id"], "kind": "certainty"}).json()["results"]
    assert conflicts
    claim_id = conflicts[0]["sides"][0]["claim_ids"][0]
    claim = api.get(f"/api/v1/claims/{claim_id}/")
    confirmed = api.post(
        f"/api/v1/claims/{claim_id}/confirm/", {"verdict": "accurate"}, format="json", HTTP_IF_MATCH=claim["ETag"]
    )
    assert (confirmed.json()["status"], confirmed.json()["verdict"]) == ("confirmed", "accurate")
    api.post(f"/api/v1/claims/{claim_id}/annotate/", {"note": "Checked against the wire copy"}, format="json")

    reviews = api.get(f"/api/v1/stories/{story['id']}/claimreview/").json()
    assert [r["claimReviewed"] for r in reviews] == [confirmed.json()["text"]]
    assert reviews[0]["reviewRating"]["alternateName"] == "Accurate"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_late_article_is_analysed_from_the_kept_index_and_a_decision_stands(
    celery_worker_process: Any, editor: Any, seed_files: list[Path]
) -> None:
    """The worker keeps the story's index (claims/story_cache.py): a late article is new work only."""
    api = token_client(editor)
    story = api.post("/api/v1/stories/", {"name": "Embassy, late copy"}, format="json").json()

    _, first = import_and_wait(api, story["id"], [(p.name, p.read_bytes()) for p in seed_files])
    assert first["state"] == "succeeded" and first["stats"]["story_stage"].startswith("full: "), first["stats"]
    claims = api.get("/api/v1/claims/", {"story": story["id"], "page_size": 200}).json()["results"]
    chosen = next(c for c in claims if "armored vehicles" in c["text"])
    etag = api.get(f"/api/v1/claims/{chosen['id']}/")["ETag"]
    api.post(f"/api/v1/claims/{chosen['id']}/confirm/", {"verdict": "accurate"}, format="json", HTTP_IF_MATCH=etag)
    before = {c["id"]: c["mention_count"] for c in claims}

    late = {
        "outlet": "Late Wire",
        "date": "2019-12-31",
        "external_id": "late-1",
        "text": "Seven armored vehicles with about 30 Iraqi soldiers arrived near the embassy, a witness said.",
    }
    _, second = import_and_wait(api, story["id"], [("late.json", json.dumps(late).encode())])
    assert second["state"] == "succeeded" and second["stats"]["story_stage"] == "incremental", second["stats"]
    after = {c["id"]: c for c in api.get("/api/v1/claims/", {"story": story["id"], "page_size": 200}).json()["results"]}
    assert after[chosen["id"]]["status"] == "confirmed" and after[chosen["id"]]["verdict"] == "accurate"
    assert after[chosen["id"]]["mention_count"] == before[chosen["id"]] + 1  # the late copy joined it
    assert all(after[c]["mention_count"] >= n for c, n in before.items())  # no claim lost evidence
