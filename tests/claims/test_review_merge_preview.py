"""Merging with a preview: `m` finds the other claim by number or by words within the story, and
shows it before anything is merged."""

from __future__ import annotations

import re

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from articles.models import Story
from articles.services import story_get_or_create
from claims.models import Claim, ReviewEvent
from tests.claims.test_review_views import messages_of, vehicles

pytestmark = pytest.mark.django_db


def preview(client: Client, claim: Claim, others: str) -> str:
    response = client.get(reverse("claims:merge_preview", args=[claim.pk]), {"others": others}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_the_preview_finds_claims_of_the_story_by_words_and_shows_them(
    as_reviewer: Client, processed_story: Story
) -> None:
    claim = vehicles(processed_story)
    found = Claim.objects.filter(story=processed_story).exclude(pk=claim.pk).exclude(status="merged")
    for word in ("embassy", "baghdad"):  # in the claim's wording or in one of its mentions
        found = found.filter(Q(text__icontains=word) | Q(mentions__text__icontains=word))
    found = found.distinct()
    assert found.exists()
    elsewhere, _ = story_get_or_create(name="Elsewhere")
    Claim.objects.create(story=elsewhere, text="The embassy in Baghdad was closed.")
    html = preview(as_reviewer, claim, "Embassy baghdad")
    shown = {int(pk) for pk in re.findall(r'name="others" value="(\d+)"', html)}
    expected = set(found.order_by("-checkworthiness", "pk").values_list("pk", flat=True)[:9])
    assert shown == expected and claim.pk not in shown
    first = found.order_by("-checkworthiness", "pk").first()
    assert first.text[:40] in html  # the claim itself, not only its number
    assert f'name="version_{first.pk}" value="{first.version}"' in html and 'data-key="1"' in html
    assert "has every one of the words “no such words here”" in preview(as_reviewer, claim, "no such words here")
    assert not ReviewEvent.objects.exists()


def test_by_number_the_preview_shows_the_claim_without_a_merge_button(
    as_reviewer: Client, processed_story: Story
) -> None:
    claim = vehicles(processed_story)
    other = Claim.objects.filter(story=processed_story, status="proposed").exclude(pk=claim.pk).order_by("pk").first()
    html = preview(as_reviewer, claim, f"#{other.pk}")
    assert other.text[:40].replace("'", "&#x27;").replace('"', "&quot;") in html and "Enter shows them" in html
    assert 'name="others"' not in html  # by number, Enter leads to the confirmation page (m)


def test_words_without_a_choice_merge_nothing_and_a_chosen_claim_merges(
    as_reviewer: Client, processed_story: Story
) -> None:
    claim = vehicles(processed_story)
    url = reverse("claims:claim_action", args=[claim.pk, "merge"])
    shown = as_reviewer.post(url, {"version": claim.version, "others": "embassy"})
    assert "claims/merge_confirm.html" in [t.name for t in shown.templates]
    assert "choose the claim to merge into it" in shown.content.decode()
    assert not ReviewEvent.objects.exists()
    other = shown.context["candidates"][0]
    merged = as_reviewer.post(
        url, {"version": claim.version, "others": str(other.pk), f"version_{other.pk}": other.version}, follow=True
    )
    assert "Merged." in messages_of(merged)
    other.refresh_from_db()
    assert (other.status, other.merged_into_id) == (Claim.Status.MERGED, claim.pk)
    # In place, too: the claim page's content comes back with the merged evidence.
    again = Claim.objects.filter(story=processed_story, status="proposed").exclude(pk=claim.pk).first()
    claim.refresh_from_db()
    response = as_reviewer.post(
        url,
        {"version": claim.version, "others": str(again.pk), f"version_{again.pk}": again.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and f'data-claim="{claim.pk}"' in response.content.decode()
    assert Claim.objects.get(pk=again.pk).merged_into_id == claim.pk
