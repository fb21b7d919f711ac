"""In-place actions (htmx) on the claim page, and undoing any action: its own audit event, its window,
and never over a later change."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Story
from claims import review, selectors
from claims.models import Annotation, Claim, Conflict, MergeSuggestion, ReviewEvent
from factdesk.errors import InvalidStateError
from tests.api.conftest import token_client
from tests.claims.test_review_views import vehicles

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def action_url(claim: Claim, action: str) -> str:
    return reverse("claims:claim_action", args=[claim.pk, action])


def first_two_in_queue(story: Story, user: User) -> tuple[Claim, Claim]:
    queue = list(selectors.claim_queue(story, {"status": "proposed"}, user)[:2])
    return queue[0], queue[1]


def test_an_htmx_confirm_answers_with_the_next_claims_page_in_place(
    as_reviewer: Client, processed_story: Story, reviewer: User
) -> None:
    first, second = first_two_in_queue(processed_story, reviewer)
    response = as_reviewer.post(
        action_url(first, "confirm"),
        {"version": first.version, "verdict": "accurate", "next": "1", "queue": "status=proposed"},
        **HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    # A part of a page, for <main>: no second <html>, no header, the next claim and the message.
    assert "<html" not in html and "topbar" not in html
    assert f'data-claim="{second.pk}"' in html
    assert "Confirmed as accurate." in html
    assert response["HX-Push-Url"] == f"/claims/{second.pk}/?queue=status%3Dproposed"
    # The undo of what was just done is on the next claim's page, under "u".
    assert f"confirm of claim #{first.pk}" in html and 'data-key="u"' in html
    first.refresh_from_db()
    assert (first.status, first.verdict) == (Claim.Status.CONFIRMED, "accurate")


def test_the_same_post_without_htmx_redirects_as_before(as_reviewer: Client, processed_story: Story) -> None:
    claim = vehicles(processed_story)
    response = as_reviewer.post(action_url(claim, "take"), {"queue": "status=proposed"})
    assert response.status_code == 302 and response["Location"].startswith(f"/claims/{claim.pk}/")
    response = as_reviewer.post(action_url(claim, "release"), {"queue": "status=proposed"}, **HX)
    assert response.status_code == 200 and "HX-Push-Url" not in response
    assert response["HX-Replace-Url"].startswith(f"/claims/{claim.pk}/") and "Released." in response.content.decode()


def test_a_refused_htmx_action_shows_why_in_place_and_changes_nothing(
    as_reviewer: Client, processed_story: Story, editor: User
) -> None:
    claim = vehicles(processed_story)
    stale = claim.version
    review.claim_edit(claim_id=claim.pk, user=editor, version=stale, text="Seven armoured vehicles.")
    response = as_reviewer.post(action_url(claim, "confirm"), {"version": stale, "next": "1"}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-claim="{claim.pk}"' in html and "edith edited its wording" in html
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PROPOSED


@pytest.mark.parametrize("action", ["take", "annotate"])
def test_note_and_take_update_the_page_in_place(as_reviewer: Client, processed_story: Story, action: str) -> None:
    claim = vehicles(processed_story)
    response = as_reviewer.post(action_url(claim, action), {"note": "Checked with the wire."}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and f'data-claim="{claim.pk}"' in html
    assert ("Checked with the wire." in html) if action == "annotate" else ("Held by <strong>rita</strong>" in html)


def test_accepting_a_suggestion_in_place_shows_the_claim_merged(as_reviewer: Client, processed_story: Story) -> None:
    suggestion = MergeSuggestion.objects.filter(story=processed_story, status="open").first()
    if suggestion is None:
        pytest.skip("the seed story has no open merge suggestion")
    a, b = suggestion.claim_a, suggestion.claim_b
    response = as_reviewer.post(
        reverse("claims:suggestion_action", args=[suggestion.pk, "accept"]),
        {f"version_{a.pk}": a.version, f"version_{b.pk}": b.version, "claim": a.pk, "queue": "status=proposed"},
        **HX,
    )
    assert response.status_code == 200 and f'data-claim="{a.pk}"' in response.content.decode()
    assert MergeSuggestion.objects.get(pk=suggestion.pk).status == MergeSuggestion.Status.ACCEPTED


def test_undoing_a_confirm_brings_back_the_undecided_claim_and_is_audited(
    as_reviewer: Client, processed_story: Story, reviewer: User
) -> None:
    first, second = first_two_in_queue(processed_story, reviewer)
    as_reviewer.post(action_url(first, "confirm"), {"version": first.version, "verdict": "misleading", "next": "1"})
    confirm = ReviewEvent.objects.get(action="confirm")
    # From the next claim's page: the undo shows the claim it took back.
    response = as_reviewer.post(action_url(second, "undo"), {"event": confirm.pk, "queue": "status=proposed"}, **HX)
    html = response.content.decode()
    assert f'data-claim="{first.pk}"' in html and f"Undone: your confirm of claim #{first.pk}." in html
    assert response["HX-Push-Url"].startswith(f"/claims/{first.pk}/")
    first.refresh_from_db()
    assert (first.status, first.verdict, first.reviewed_by_id, first.reviewed_at) == ("proposed", "", None, None)
    assert first.version == confirm.after["version"] + 1
    undo = ReviewEvent.objects.get(action="undo")
    confirm.refresh_from_db()
    assert confirm.undone_by_id == undo.pk and undo.payload["undoes"] == confirm.pk
    assert (undo.before["status"], undo.after["status"], undo.actor_id) == ("confirmed", "proposed", reviewer.pk)
    page = re.sub(r"<[^>]+>", "", as_reviewer.get(f"/claims/{first.pk}/").content.decode())
    assert "rita undid a confirm" in " ".join(page.split())
    # Twice is refused.
    with pytest.raises(InvalidStateError, match="already undone"):
        review.event_undo(event_id=confirm.pk, user=reviewer)


def test_undoing_a_reject_brings_back_the_decision_it_replaced(processed_story: Story, reviewer: User) -> None:
    claim = vehicles(processed_story)
    review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version, verdict="accurate")
    claim.refresh_from_db()
    decided_at = claim.reviewed_at
    reject = review.claim_reject(claim_id=claim.pk, user=reviewer, version=claim.version, reason="Wrong count")
    event = ReviewEvent.objects.filter(action="reject").get()
    review.event_undo(event_id=event.pk, user=reviewer)
    claim.refresh_from_db()
    assert reject.pk == claim.pk
    assert (claim.status, claim.verdict, claim.rejection_reason) == ("confirmed", "accurate", "")
    assert (claim.reviewed_by_id, claim.reviewed_at) == (reviewer.pk, decided_at)


def test_an_undo_never_overwrites_a_later_decision_by_someone_else(
    as_reviewer: Client, processed_story: Story, reviewer: User, editor: User
) -> None:
    claim = vehicles(processed_story)
    review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version, verdict="accurate")
    confirm = ReviewEvent.objects.get(action="confirm")
    claim.refresh_from_db()
    review.claim_reject(claim_id=claim.pk, user=editor, version=claim.version, reason="Four, not seven")
    response = as_reviewer.post(action_url(claim, "undo"), {"event": confirm.pk})
    assert response.status_code == 302
    page = as_reviewer.get(response["Location"]).content.decode()
    assert "changed after your confirm: edith rejected it at" in page and "Nothing was undone" in page
    claim.refresh_from_db()
    assert (claim.status, claim.rejection_reason, claim.reviewed_by_id) == ("rejected", "Four, not seven", editor.pk)
    assert not ReviewEvent.objects.filter(action="undo").exists()


def test_a_colleagues_note_does_not_block_the_undo_and_a_note_can_be_undone(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    claim = vehicles(processed_story)
    review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version)
    review.claim_annotate(claim_id=claim.pk, user=editor, note="AP says seven too.")
    review.event_undo(event_id=ReviewEvent.objects.get(action="confirm").pk, user=reviewer)
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PROPOSED
    mine = review.claim_annotate(claim_id=claim.pk, user=reviewer, note="Typo: wrong claim.")
    review.event_undo(event_id=ReviewEvent.objects.get(action="annotate", actor=reviewer).pk, user=reviewer)
    assert not Annotation.objects.filter(pk=mine.pk).exists()
    assert Annotation.objects.filter(claim=claim, author=editor).count() == 1  # the colleague's stays


def test_only_the_actor_may_undo_and_only_for_a_few_minutes(
    processed_story: Story, reviewer: User, editor: User, settings: Any
) -> None:
    claim = vehicles(processed_story)
    review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version)
    event = ReviewEvent.objects.get(action="confirm")
    with pytest.raises(InvalidStateError, match="Only rita, who did it, can undo it"):
        review.event_undo(event_id=event.pk, user=editor)
    settings.FACTDESK_UNDO_SECONDS = 120
    ReviewEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(seconds=121))
    with pytest.raises(InvalidStateError, match="for 2 minutes only"):
        review.event_undo(event_id=event.pk, user=reviewer)
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.CONFIRMED
    assert review.last_undoable(story_id=processed_story.pk, user=reviewer) is None


def test_take_edit_and_a_conflicts_resolution_can_be_undone(processed_story: Story, reviewer: User) -> None:
    claim = vehicles(processed_story)
    review.claim_take(claim_id=claim.pk, user=reviewer)
    review.event_undo(event_id=ReviewEvent.objects.get(action="take").pk, user=reviewer)
    claim.refresh_from_db()
    assert claim.assignee_id is None
    review.claim_edit(claim_id=claim.pk, user=reviewer, version=claim.version, text="Seven vehicles.")
    review.event_undo(event_id=ReviewEvent.objects.get(action="edit").pk, user=reviewer)
    assert Claim.objects.get(pk=claim.pk).text == claim.text
    conflict = Conflict.objects.filter(story=processed_story, status="open").order_by("-confidence").first()
    review.conflict_resolve(
        conflict_id=conflict.pk, user=reviewer, version=conflict.version, resolution="both", note="Both hold."
    )
    review.event_undo(event_id=ReviewEvent.objects.get(action="resolve").pk, user=reviewer)
    conflict.refresh_from_db()
    assert (conflict.status, conflict.resolution, conflict.resolution_note, conflict.resolved_by_id) == (
        "open", "", "", None,
    )  # fmt: skip
    if conflict.confidence >= selectors.min_confidence():
        claim_ids = Claim.objects.filter(mentions__conflict_sides__conflict=conflict).values_list("pk", flat=True)
        assert all(Claim.objects.get(pk=pk).open_conflicts >= 1 for pk in claim_ids)


def test_the_api_undoes_a_confirm_and_refuses_over_a_later_change(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    api = token_client(reviewer)
    claim = vehicles(processed_story)
    assert api.post(f"/api/v1/claims/{claim.pk}/confirm/", {"version": claim.version}, format="json").status_code == 200
    event = ReviewEvent.objects.get(action="confirm")
    undone = api.post(f"/api/v1/events/{event.pk}/undo/", {}, format="json")
    assert undone.status_code == 200 and undone.json()["action"] == "undo"
    assert undone.json()["payload"]["undoes"] == event.pk
    claim.refresh_from_db()
    api.post(f"/api/v1/claims/{claim.pk}/confirm/", {"version": claim.version}, format="json")
    claim.refresh_from_db()
    review.claim_edit(claim_id=claim.pk, user=editor, version=claim.version, text="Seven vehicles.")
    again = ReviewEvent.objects.filter(action="confirm").latest("id")
    refused = api.post(f"/api/v1/events/{again.pk}/undo/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "changed_since"
    assert "edith edited its wording" in refused.json()["error"]["message"]


def test_a_resolution_is_undone_from_the_next_conflicts_page(
    as_reviewer: Client, processed_story: Story, reviewer: User
) -> None:
    conflict = Conflict.objects.filter(story=processed_story, status="open").order_by("-confidence", "pk").first()
    resolved = as_reviewer.post(
        reverse("claims:conflict_action", args=[conflict.pk, "resolve"]),
        {"version": conflict.version, "resolution": "side_a", "note": "AP has it."},
        follow=True,
    )
    page = text_of(resolved.content.decode())
    assert f"Your last action: resolution of conflict #{conflict.pk} as “Side A is right”" in page
    event = ReviewEvent.objects.get(action="resolve")
    undone = as_reviewer.post(
        reverse("claims:conflict_action", args=[conflict.pk, "undo"]), {"event": event.pk}, follow=True
    )
    assert undone.redirect_chain[-1][0] == f"/conflicts/{conflict.pk}/"
    assert f"Undone: your resolution of conflict #{conflict.pk}." in text_of(undone.content.decode())
    conflict.refresh_from_db()
    assert (conflict.status, conflict.resolution, conflict.resolution_note) == ("open", "", "")
    assert "rita undid a resolution" in text_of(undone.content.decode())
    # A claim event is not undone through a conflict's page.
    claim = vehicles(processed_story)
    review.claim_take(claim_id=claim.pk, user=reviewer)
    take = ReviewEvent.objects.get(action="take")
    as_reviewer.post(reverse("claims:conflict_action", args=[conflict.pk, "undo"]), {"event": take.pk})
    assert ReviewEvent.objects.get(pk=take.pk).undone_by_id is None


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def test_a_split_can_be_undone_but_not_over_a_later_change(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    from tests.claims.test_review import multi_mention_claim

    claim = multi_mention_claim(processed_story)
    mentions = sorted(claim.mentions.values_list("pk", flat=True))
    canonical = claim.canonical_mention_id
    assert canonical is not None
    new = review.mention_split(claim_id=claim.pk, mention_id=canonical, user=reviewer, version=claim.version)
    split = ReviewEvent.objects.get(action="split")
    undo = review.event_undo(event_id=split.pk, user=reviewer)
    claim.refresh_from_db()
    new.refresh_from_db()
    split.refresh_from_db()
    assert sorted(claim.mentions.values_list("pk", flat=True)) == mentions
    assert claim.canonical_mention_id == canonical
    assert (new.status, new.merged_into_id, new.mentions.count()) == ("merged", claim.pk, 0)
    assert split.undone_by == undo and undo.payload["undone_action"] == "split"

    again = review.mention_split(claim_id=claim.pk, mention_id=canonical, user=reviewer, version=claim.version)
    second = ReviewEvent.objects.filter(action="split").latest("pk")
    review.claim_confirm(claim_id=again.pk, user=editor, version=again.version)
    with pytest.raises(InvalidStateError, match="changed after your split"):
        review.event_undo(event_id=second.pk, user=reviewer)
    again.refresh_from_db()
    assert (again.status, list(again.mentions.values_list("pk", flat=True))) == ("confirmed", [canonical])
