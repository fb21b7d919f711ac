"""End to end through the API and the real Celery worker: import, wait, confirm, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import token_client
from tests.conftest import wait_until


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_import_wait_confirm_and_export_claimreview(
    celery_worker_process: Any, editor: Any, seed_files: list[Path]
) -> None:
    api = token_client(editor)
    story = api.post("/api/v1/stories/", {"name": "Embassy via API"}, format="json").json()
    handles = [p.open("rb") for p in seed_files]
    try:
        batch = api.post(f"/api/v1/stories/{story['id']}/imports/", {"files": handles}, format="multipart")
    finally:
        for handle in handles:
            handle.close()
    assert batch.status_code == 202 and batch.json()["imported_count"] == 5

    def processed() -> dict[str, Any] | None:
        run = api.get(f"/api/v1/import-batches/{batch.json()['id']}/").json()["pipeline_runs"][0]
        return run if run["state"] in ("succeeded", "failed") else None

    run = wait_until(processed, timeout=120, interval=0.5)
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
