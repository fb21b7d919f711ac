"""A decision on a claim (confirm, reject) and what is not one: a colleague's note only adds."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from articles.models import Story
from claims import review
from claims.models import Claim, Mention

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_reviewer(client: Client, reviewer: User) -> Client:
    client.force_login(reviewer)
    return client


def vehicles(story: Story) -> Claim:
    return Mention.objects.filter(article__story=story, text__startswith="Seven armored").first().claim


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def current(claim: Claim) -> int:
    return Claim.objects.values_list("version", flat=True).get(pk=claim.pk)


# --- a note only adds (issue 13.4) ------------------------------------------------------------------


def test_a_colleagues_note_does_not_make_a_pending_confirm_stale(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    claim = vehicles(processed_story)
    loaded = claim.version
    review.claim_annotate(claim_id=claim.pk, user=editor, note="AP gives the same number")
    assert current(claim) == loaded  # a note adds to the claim; it changes nothing a decision rests on

    confirmed = review.claim_confirm(claim_id=claim.pk, user=reviewer, version=loaded)
    assert (confirmed.status, confirmed.version) == (Claim.Status.CONFIRMED, loaded + 1)


def test_a_colleagues_note_between_loading_the_page_and_confirming_is_no_stale_page(
    as_reviewer: Client, processed_story: Story, editor: User
) -> None:
    claim = vehicles(processed_story)
    page = as_reviewer.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    assert f'name="version" value="{claim.version}"' in page
    review.claim_annotate(claim_id=claim.pk, user=editor, note="AP gives the same number")

    response = as_reviewer.post(
        reverse("claims:claim_action", args=[claim.pk, "confirm"]), {"version": claim.version}, follow=True
    )
    assert "Confirmed." in messages_of(response)
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.CONFIRMED


def test_a_note_is_added_whatever_was_decided_since_the_page_was_loaded(
    as_reviewer: Client, processed_story: Story, editor: User
) -> None:
    """The note form sends no version: a note on a claim a colleague has just confirmed still lands
    (and the page then shows the confirmation beside it), instead of losing what was typed."""
    claim = vehicles(processed_story)
    page = as_reviewer.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    note_form = page.split(f'action="{reverse("claims:claim_action", args=[claim.pk, "annotate"])}"')[1]
    assert 'name="version"' not in note_form.split("</form>")[0]
    review.claim_confirm(claim_id=claim.pk, user=editor, version=claim.version)

    response = as_reviewer.post(
        reverse("claims:claim_action", args=[claim.pk, "annotate"]), {"note": "Checked with AP"}, follow=True
    )
    assert "Note added." in messages_of(response)
    assert list(claim.annotations.values_list("note", flat=True)) == ["Checked with AP"]


def test_a_replayed_note_is_added_once(as_reviewer: Client, processed_story: Story) -> None:
    claim = vehicles(processed_story)
    url = reverse("claims:claim_action", args=[claim.pk, "annotate"])
    as_reviewer.post(url, {"note": "first"})
    response = as_reviewer.post(url, {"note": "first"}, follow=True)
    assert any("already added this note" in m for m in messages_of(response))
    assert claim.annotations.count() == 1
