"""Conflict confidence on the pages: the story page lists the confident conflicts, surest first, and
leads to the possible discrepancies; the conflict page says what pushed its confidence up and down
and what it re-raises; the claim page and the queue carry it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from articles.models import Story
from claims import review
from claims.models import Claim, Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(processed_story: Story) -> dict[str, Conflict]:
    """The seed story's conflicts with confidences: one weak (a possible discrepancy), the others not."""
    conflicts = list(Conflict.objects.filter(story=processed_story).order_by("id"))
    assert len(conflicts) >= 3
    for conflict, value in zip(conflicts, [0.3, 0.9, 0.6, *[0.75] * len(conflicts)], strict=False):
        Conflict.objects.filter(pk=conflict.pk).update(
            confidence=value,
            factors={"base": 0.5, "same thing counted": 0.2, "approximate amount": round(value - 0.7, 2)},
        )
    review.refresh_open_conflicts(list(Claim.objects.filter(story=processed_story).values_list("pk", flat=True)))
    return {"weak": conflicts[0], "strong": conflicts[1], "middle": conflicts[2]}


def listed_conflicts(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<a href="/conflicts/(\d+)/">Conflict #\d+</a>', page)]


def test_the_story_page_lists_confident_conflicts_surest_first_and_links_the_possible_ones(
    as_reviewer: Client, processed_story: Story, graded: dict[str, Conflict]
) -> None:
    url = processed_story.get_absolute_url()
    page = as_reviewer.get(url).content.decode()
    shown = Conflict.objects.filter(story=processed_story, confidence__gte=0.5).order_by("status", "-confidence", "id")
    assert listed_conflicts(page) == [c.pk for c in shown]
    assert graded["weak"].pk not in listed_conflicts(page)
    assert f'Conflicts <span class="muted">({shown.count()})</span>' in page
    assert '<a href="?possible=1#conflicts">1 possible discrepancy</a>' in page
    assert "confidence 0.90" in page

    possible = as_reviewer.get(url, {"possible": "1"}).content.decode()
    assert listed_conflicts(possible) == [graded["weak"].pk]
    assert 'Possible discrepancies <span class="muted">(1)</span>' in possible
    assert f"Back to the conflicts ({shown.count()})" in possible


def test_the_conflict_page_shows_what_pushed_its_confidence_up_and_down(
    as_reviewer: Client, graded: dict[str, Conflict]
) -> None:
    weak = as_reviewer.get(reverse("claims:conflict_detail", args=[graded["weak"].pk])).content.decode()
    assert "Confidence <strong>0.30</strong>" in weak and "possible discrepancy" in weak
    up = re.search(r'<ul class="features factors-up">(.*?)</ul>', weak, re.S)
    down = re.search(r'<ul class="features factors-down">(.*?)</ul>', weak, re.S)
    assert up and down
    assert re.findall(r"<li>([^<]+) ", up.group(1)) == ["base", "same thing counted"]  # strongest first
    assert "approximate amount" in down.group(1) and "-0.40" in down.group(1)

    strong = as_reviewer.get(reverse("claims:conflict_detail", args=[graded["strong"].pk])).content.decode()
    assert "Confidence <strong>0.90</strong>" in strong and "possible discrepancy" not in strong
    assert "factors-down" not in strong and 'approximate amount <span class="muted">+0.20</span>' in strong


def test_a_re_raised_conflict_and_the_one_it_follows_link_each_other(
    as_reviewer: Client, reviewer: User, graded: dict[str, Conflict]
) -> None:
    middle, strong = graded["middle"], graded["strong"]
    review.conflict_resolve(
        conflict_id=middle.pk,
        user=reviewer,
        version=middle.version,
        resolution="side_b",
        note="Checked with the embassy",
    )
    Conflict.objects.filter(pk=strong.pk).update(follows=middle)
    follow = as_reviewer.get(reverse("claims:conflict_detail", args=[strong.pk])).content.decode()
    assert (
        f'New evidence re-raises <a href="/conflicts/{middle.pk}/">conflict #{middle.pk}</a>, resolved by rita'
        in follow
    )
    assert "as “Side B is right” (Checked with the embassy)" in follow
    original = as_reviewer.get(reverse("claims:conflict_detail", args=[middle.pk])).content.decode()
    assert (
        f'Re-raised with new evidence by <a href="/conflicts/{strong.pk}/">conflict #{strong.pk}</a> (open)' in original
    )
    story = as_reviewer.get(strong.story.get_absolute_url()).content.decode()
    assert f're-raises <a href="/conflicts/{middle.pk}/">conflict #{middle.pk}</a>' in story


def test_the_claim_page_marks_a_possible_discrepancy(as_reviewer: Client, graded: dict[str, Conflict]) -> None:
    claim = Claim.objects.filter(mentions__conflict_sides__conflict=graded["weak"]).first()
    page = as_reviewer.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    row = re.search(rf'href="/conflicts/{graded["weak"].pk}/">(.*?)</a>', page, re.S)
    assert row and "confidence 0.30" in row.group(1) and "possible discrepancy" in row.group(1)


def test_the_queue_filters_by_conflict_confidence(
    as_reviewer: Client, processed_story: Story, graded: dict[str, Conflict]
) -> None:
    url = reverse("claims:queue", args=[processed_story.slug])

    def queue(**params: Any) -> set[int]:
        return {c.pk for c in as_reviewer.get(url, {"status": "all", **params}).context["page"]}

    open_ = Conflict.objects.filter(story=processed_story, status="open")

    def claims_of(conflicts: Any) -> set[int]:
        return set(Claim.objects.filter(mentions__conflict_sides__conflict__in=conflicts).values_list("pk", flat=True))

    assert queue(conflict="possible") == claims_of(open_.filter(confidence__lt=0.5)) != set()
    assert queue(conflict="open") == claims_of(open_.filter(confidence__gte=0.5))
    assert queue(conflict="open", min_confidence="0.85") == claims_of(open_.filter(confidence__gte=0.85)) != set()
    assert queue(min_confidence="not a number") == queue()  # the page ignores what it cannot read
    page = as_reviewer.get(url, {"conflict": "possible"}).content.decode()
    assert '<option value="possible" selected>has a possible discrepancy</option>' in page


def test_the_conflict_admin_cannot_change_status_resolution_or_confidence(
    client: Client, processed_story: Story, admin_user: User
) -> None:
    from claims.models import ReviewEvent

    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    conflict = Conflict.objects.filter(story=processed_story).first()
    url = reverse("admin:claims_conflict_change", args=[conflict.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert set(response.context["adminform"].form.fields) == set()  # read-only: nothing to edit
    before = Conflict.objects.filter(pk=conflict.pk).values().get()
    posted = client.post(url, {"status": "resolved", "resolution": "both", "confidence": "0.1", "kind": "date"})
    assert posted.status_code == 403
    assert Conflict.objects.filter(pk=conflict.pk).values().get() == before

    event = ReviewEvent.objects.create(
        story=processed_story, actor=None, action=ReviewEvent.Action.CONFLICT_EXTEND, conflict=conflict
    )
    listing = client.get(reverse("admin:claims_reviewevent_changelist")).content.decode()
    assert '<td class="field-actor_display">pipeline</td>' in listing
    detail = client.get(reverse("admin:claims_reviewevent_change", args=[event.pk]))
    assert detail.status_code == 200 and ">pipeline<" in detail.content.decode()
