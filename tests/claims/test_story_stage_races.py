"""Reviewers and the story stage at the same time, on PostgreSQL's row locks (issue 11.1).

The story stage holds its story's row for the whole analysis (one analysis per story at a
time) and writes every claim's source counts; a reviewer holds the claim they act on and
then writes an audit event, which references the story. Neither may end in a deadlock.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, transaction

from articles.models import Story
from claims import review
from claims.models import Claim, ReviewEvent
from claims.persist import story_analyse

pytestmark = pytest.mark.django_db(transaction=True)


def _waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return int(cursor.fetchone()[0])


def test_a_review_during_the_story_stage_neither_deadlocks_nor_is_lost(processed_story: Story, reviewer: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (run with bin/test)")
    claim = Claim.objects.filter(story=processed_story).order_by("pk").first()
    assert claim is not None
    sources = claim.independent_sources
    # so that the stage must write it (a full run: one from the kept index trusts what it wrote)
    Claim.objects.filter(pk=claim.pk).update(independent_sources=0)
    outcome: dict[str, Any] = {}

    def stage() -> None:
        try:
            outcome["stage"] = story_analyse(story=processed_story, full=True)
        except Exception as exc:  # the outcome is what the test checks
            outcome["stage"] = exc
        finally:
            connections.close_all()

    worker = threading.Thread(target=stage)
    with transaction.atomic():
        # The reviewer's transaction holds the claim first, as review.claim_confirm does ...
        Claim.objects.select_for_update().get(pk=claim.pk)
        worker.start()
        deadline = time.monotonic() + 60
        while not _waiting_for_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _waiting_for_a_lock(), "the story stage never came to the claim the reviewer holds"
        # ... and, with the story stage now waiting for that claim, writes its decision and audit event.
        review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version)
    worker.join(60)

    assert not worker.is_alive()
    assert isinstance(outcome["stage"], dict), outcome["stage"]
    assert outcome["stage"]["claims_written_after_review"] == 1
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONFIRMED and claim.reviewed_by == reviewer
    assert claim.independent_sources == sources  # the stage's figure, written once the reviewer let go
    assert ReviewEvent.objects.filter(claims=claim, action="confirm").count() == 1


def test_a_review_picked_as_a_deadlock_victim_runs_again_and_lands(
    processed_story: Story, reviewer: User, caplog: pytest.LogCaptureFixture
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's deadlock detection (run with bin/test)")
    first, second = Claim.objects.filter(story=processed_story).order_by("pk")[:2]
    outcome: dict[str, Any] = {}

    def merge() -> None:
        try:
            outcome["merge"] = review.claims_merge(
                survivor_id=first.pk,
                other_ids=[second.pk],
                user=reviewer,
                versions={first.pk: first.version, second.pk: second.version},
            )
        except Exception as exc:  # the outcome is what the test checks
            outcome["merge"] = exc
        finally:
            connections.close_all()

    worker = threading.Thread(target=merge)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # This side waits longer before it looks for a deadlock, so the merge is the victim.
            cursor.execute("SET LOCAL deadlock_timeout = '30s'")
        Claim.objects.select_for_update().get(pk=second.pk)  # some other transaction holds the second claim ...
        worker.start()
        deadline = time.monotonic() + 60
        while not _waiting_for_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _waiting_for_a_lock(), "the merge never came to the claim held here"
        # ... and, while the merge holds the first claim and waits for the second, wants the first.
        Claim.objects.select_for_update().get(pk=first.pk)
    worker.join(60)

    assert not worker.is_alive()
    assert isinstance(outcome["merge"], ReviewEvent), outcome["merge"]
    assert any("deadlock" in r.getMessage() for r in caplog.records if r.name == "claims.review")
    second.refresh_from_db()
    assert second.status == Claim.Status.MERGED and second.merged_into_id == first.pk
    assert ReviewEvent.objects.filter(claims=first, action="merge").count() == 1
