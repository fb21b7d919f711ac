"""A decision on a claim (confirm, with or without a verdict; reject; a merge into another) and
what is not one: a note, an edit of the wording, a merge into it or its undo. `reviewed_by`,
`reviewed_at` and `verdict` record the decision; `touched_at` records that a person acted at all,
which keeps the pipeline off."""

from __future__ import annotations

import csv
import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Story
from claims import persist, review
from claims.exports import claim_reviews, claims_csv
from claims.models import Annotation, Claim, Mention, ReviewEvent, Verdict
from factdesk.errors import ApplicationError
from tests.claims.test_review_views import messages_of, vehicles

pytestmark = pytest.mark.django_db


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


# --- reviewed_by / reviewed_at are the decision's (issue 13.3) ----------------------------------------


def fire(story: Story) -> Claim:
    return Mention.objects.filter(article__story=story, text__startswith="It is not clear what caused").first().claim


def decision(claim: Claim) -> tuple[Any, Any]:
    return Claim.objects.values_list("reviewed_by__username", "reviewed_at").get(pk=claim.pk)


def csv_row(story: Story, claim: Claim) -> dict[str, str]:
    rows = csv.DictReader("".join(claims_csv(story, statuses=list(Claim.Status.values))).splitlines())
    return next(row for row in rows if row["id"] == str(claim.pk))


def test_a_colleagues_note_and_edit_leave_the_decision_to_its_reviewer(
    processed_story: Story, reviewer: User, editor: User, as_reviewer: Client
) -> None:
    claim = vehicles(processed_story)
    review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version)
    confirmed = decision(claim)
    assert confirmed[0] == "rita" and confirmed[1] is not None

    review.claim_annotate(claim_id=claim.pk, user=editor, note="AP gives the same number")
    review.claim_edit(claim_id=claim.pk, user=editor, version=current(claim), text="Seven Iraqi armoured vehicles")
    assert decision(claim) == confirmed
    row = csv_row(processed_story, claim)
    assert (row["reviewed_by"], row["reviewed_at"]) == ("rita", confirmed[1].isoformat())
    page = as_reviewer.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    assert "Confirmed by <strong>rita</strong>" in page


def test_a_note_or_an_edit_is_no_decision_but_keeps_the_pipeline_off_the_wording(
    processed_story: Story, reviewer: User
) -> None:
    noted, edited, untouched = Claim.objects.filter(story=processed_story, status="proposed").order_by("pk")[:3]
    review.claim_annotate(claim_id=noted.pk, user=reviewer, note="Ask the embassy")
    review.claim_edit(claim_id=edited.pk, user=reviewer, version=edited.version, text="A reviewer's wording")
    for claim in (noted, edited):
        claim.refresh_from_db()
        assert decision(claim) == (None, None)  # nobody decided it: it is still proposed
        assert claim.touched_at is not None and claim.is_touched
    wording = {c.pk: Claim.objects.get(pk=c.pk).text for c in (noted, edited, untouched)}
    # Wording the pipeline would put back on a claim nobody touched, and must not on the others.
    # (Changed behind the app's back: a run from the kept index trusts what it wrote; a full run
    # compares every claim.)
    Claim.objects.filter(pk__in=[noted.pk, untouched.pk]).update(text="Not the pipeline's wording")

    persist.story_analyse(story=processed_story, full=True)
    assert Claim.objects.get(pk=noted.pk).text == "Not the pipeline's wording"
    assert Claim.objects.get(pk=edited.pk).text == "A reviewer's wording" == wording[edited.pk]
    assert Claim.objects.get(pk=untouched.pk).text == wording[untouched.pk]


def test_a_merge_decides_the_merged_claim_only_and_its_undo_brings_back_the_decision_before(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    survivor = fire(processed_story)
    confirmed, proposed = Claim.objects.filter(story=processed_story).exclude(pk=survivor.pk).order_by("pk")[:2]
    review.claim_confirm(claim_id=survivor.pk, user=reviewer, version=survivor.version)
    review.claim_confirm(claim_id=confirmed.pk, user=reviewer, version=confirmed.version)
    before = {c.pk: decision(c) for c in (survivor, confirmed, proposed)}

    event = review.claims_merge(
        survivor_id=survivor.pk,
        other_ids=[confirmed.pk, proposed.pk],
        user=editor,
        versions={c.pk: current(c) for c in (survivor, confirmed, proposed)},
    )
    assert decision(survivor) == before[survivor.pk]  # gaining evidence is no decision on it
    for merged in (confirmed, proposed):  # decided: the same fact as the survivor
        assert decision(merged)[0] == "edith"

    review.merge_undo(event_id=event.pk, user=editor)
    assert {c.pk: decision(c) for c in (survivor, confirmed, proposed)} == before
    assert Claim.objects.get(pk=confirmed.pk).status == Claim.Status.CONFIRMED
    assert before[proposed.pk] == (None, None)
    assert ReviewEvent.objects.filter(action="unmerge").count() == 1


def test_the_api_names_the_decisions_reviewer(
    processed_story: Story, reviewer: User, editor: User, client: Client
) -> None:
    claim = vehicles(processed_story)
    review.claim_reject(claim_id=claim.pk, user=reviewer, version=claim.version, reason="Opinion")
    review.claim_annotate(claim_id=claim.pk, user=editor, note="Agreed")
    client.force_login(editor)
    body = client.get(f"/api/v1/claims/{claim.pk}/").json()
    _, when = decision(claim)
    assert (body["reviewed_by"], body["reviewed_at"]) == ("rita", when.isoformat().replace("+00:00", "Z"))
    listed = client.get("/api/v1/claims/", {"story": processed_story.pk, "status": "rejected"}).json()["results"]
    assert [(c["id"], c["reviewed_by"]) for c in listed] == [(claim.pk, "rita")]


MIGRATION = "claims.migrations.0005_decision_apart_from_touch"


def test_the_migration_keeps_every_claims_protection_and_finds_its_decision_in_the_audit_trail(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    """Existing rows, as the old code left them: reviewed_by/at were the last touch."""
    confirmed, rejected, noted, merged, survivor = Claim.objects.filter(story=processed_story).order_by("pk")[:5]
    review.claim_confirm(claim_id=confirmed.pk, user=reviewer, version=confirmed.version)
    review.claim_reject(claim_id=rejected.pk, user=reviewer, version=rejected.version, reason="Opinion")
    review.claims_merge(
        survivor_id=survivor.pk,
        other_ids=[merged.pk],
        user=editor,
        versions={survivor.pk: survivor.version, merged.pk: merged.version},
    )
    decided = {c.pk: decision(c) for c in (confirmed, rejected, merged)}
    # The old code: a colleague's note overwrote the decision, and a note on a proposed claim set it.
    last_touch = Claim.objects.get(pk=survivor.pk).touched_at
    Claim.objects.filter(pk__in=[confirmed.pk, noted.pk]).update(reviewed_by=editor, reviewed_at=last_touch)
    Claim.objects.filter(pk=survivor.pk).update(reviewed_by=editor, reviewed_at=last_touch)
    Claim.objects.update(touched_at=None)
    touched = set(Claim.objects.filter(reviewed_at__isnull=False).values_list("pk", flat=True))

    importlib.import_module(MIGRATION).decisions_apart_from_touches(apps, None)

    assert set(Claim.objects.filter(touched_at__isnull=False).values_list("pk", flat=True)) == touched
    for claim in (confirmed, rejected, merged):
        (who, when), (decider, decided_at) = decision(claim), decided[claim.pk]
        assert who == decider and abs(when - decided_at) < timedelta(seconds=1)  # the event's time
    assert decision(noted) == decision(survivor) == (None, None)


# --- the verdict is part of the decision (issue 13.2) -----------------------------------------------


def test_confirm_records_the_verdict_and_the_audit_event_says_so(processed_story: Story, reviewer: User) -> None:
    claim = vehicles(processed_story)
    confirmed = review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version, verdict="misleading")
    assert (confirmed.status, confirmed.verdict) == (Claim.Status.CONFIRMED, Verdict.MISLEADING)
    [event] = ReviewEvent.objects.filter(claims=claim)
    assert (event.before["verdict"], event.after["verdict"]) == ("", "misleading")
    assert event.verdict_display == "Misleading"


def test_confirm_without_a_verdict_records_only_that_the_claim_was_made(processed_story: Story, reviewer: User) -> None:
    claim = vehicles(processed_story)
    with pytest.raises(ApplicationError, match="Unknown verdict 'true-ish'") as error:
        review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version, verdict="true-ish")
    assert error.value.status == 400
    assert not ReviewEvent.objects.exists() and Claim.objects.get(pk=claim.pk).status == Claim.Status.PROPOSED

    confirmed = review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version)
    assert (confirmed.status, confirmed.verdict) == (Claim.Status.CONFIRMED, "")


def test_a_later_decision_replaces_the_verdict_and_a_reject_has_none(processed_story: Story, reviewer: User) -> None:
    claim = vehicles(processed_story)
    review.claim_confirm(claim_id=claim.pk, user=reviewer, version=current(claim), verdict="accurate")
    review.claim_confirm(claim_id=claim.pk, user=reviewer, version=current(claim), verdict="inaccurate")
    assert Claim.objects.get(pk=claim.pk).verdict == "inaccurate"
    review.claim_reject(claim_id=claim.pk, user=reviewer, version=current(claim), reason="Not a fact after all")
    assert Claim.objects.get(pk=claim.pk).verdict == ""


def test_the_claimreview_export_and_the_csv_use_the_decisions_verdict_not_a_notes_label(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    rated, unrated, proposed = Claim.objects.filter(story=processed_story).order_by("pk")[:3]
    review.claim_confirm(claim_id=rated.pk, user=reviewer, version=rated.version, verdict="inaccurate")
    review.claim_confirm(claim_id=unrated.pk, user=reviewer, version=unrated.version)
    # Notes with a label, as "Add a note" once took the verdict: none of them is a verdict now.
    for claim in (rated, unrated, proposed):
        review.claim_annotate(claim_id=claim.pk, user=editor, note="Looks right to me", label="accurate")

    [item] = claim_reviews(processed_story, base_url="https://desk.example.org")
    rated.refresh_from_db()
    assert item["url"] == f"https://desk.example.org/claims/{rated.pk}/"
    assert item["reviewRating"]["alternateName"] == "Inaccurate" and item["reviewRating"]["ratingValue"] == 1
    assert item["datePublished"] == timezone.localdate(rated.reviewed_at).isoformat()  # the decision's date
    assert [csv_row(processed_story, c)["verdict"] for c in (rated, unrated, proposed)] == ["inaccurate", "", ""]


def test_a_merge_takes_the_verdict_away_and_its_undo_brings_it_back(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    survivor, merged = Claim.objects.filter(story=processed_story).order_by("pk")[:2]
    review.claim_confirm(claim_id=merged.pk, user=reviewer, version=merged.version, verdict="unverifiable")
    event = review.claims_merge(
        survivor_id=survivor.pk,
        other_ids=[merged.pk],
        user=editor,
        versions={survivor.pk: current(survivor), merged.pk: current(merged)},
    )
    assert Claim.objects.get(pk=merged.pk).verdict == ""  # decided: the same fact as the survivor
    review.merge_undo(event_id=event.pk, user=editor)
    merged.refresh_from_db()
    assert (merged.status, merged.verdict, merged.reviewed_by) == ("confirmed", "unverifiable", reviewer)


def test_undoing_a_merge_recorded_before_merges_kept_decisions_finds_them_in_the_audit_trail(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    survivor, rated, legacy = Claim.objects.filter(story=processed_story).order_by("pk")[:3]
    review.claim_confirm(claim_id=rated.pk, user=reviewer, version=rated.version, verdict="misleading")
    review.claim_confirm(claim_id=legacy.pk, user=reviewer, version=legacy.version)
    # A confirm from before verdicts: its event has none, and its verdict was a note's label.
    confirm = ReviewEvent.objects.get(action="confirm", claims=legacy)
    ReviewEvent.objects.filter(pk=confirm.pk).update(after={k: v for k, v in confirm.after.items() if k != "verdict"})
    Annotation.objects.create(claim=legacy, author=reviewer, note="Checked", label="unverifiable")
    Claim.objects.filter(pk=legacy.pk).update(verdict="unverifiable")  # as migration 0006 gave it
    before = {c.pk: Claim.objects.values_list("reviewed_by", "verdict").get(pk=c.pk) for c in (rated, legacy)}
    event = review.claims_merge(
        survivor_id=survivor.pk,
        other_ids=[rated.pk, legacy.pk],
        user=editor,
        versions={c.pk: current(c) for c in (survivor, rated, legacy)},
    )
    ReviewEvent.objects.filter(pk=event.pk).update(
        payload={k: v for k, v in event.payload.items() if k != "decisions"}  # as merges were recorded
    )

    review.merge_undo(event_id=event.pk, user=editor)
    assert {c.pk: Claim.objects.values_list("reviewed_by", "verdict").get(pk=c.pk) for c in (rated, legacy)} == before
    legacy.refresh_from_db()
    assert legacy.reviewed_at == ReviewEvent.objects.get(pk=confirm.pk).created_at


def test_the_claim_page_offers_the_verdicts_with_the_confirm_and_shows_the_decision(
    as_reviewer: Client, processed_story: Story, reviewer: User
) -> None:
    claim = vehicles(processed_story)
    url = reverse("claims:claim_detail", args=[claim.pk])
    page = as_reviewer.get(url).content.decode()
    form = page.split(f'action="{reverse("claims:claim_action", args=[claim.pk, "confirm"])}"')[1].split("</form>")[0]
    for key, (value, label) in enumerate(Verdict.choices, start=1):
        assert f'name="verdict" value="{value}" data-key="{key}"' in form and label in form
    assert 'name="verdict" value="" data-key="0"' in form
    help_box = page.split('id="key-help"')[1].split("</div>")[0]
    assert "verdict" in help_box and "without a verdict" in help_box
    note_form = page.split(f'action="{reverse("claims:claim_action", args=[claim.pk, "annotate"])}"')[1]
    assert 'name="label"' not in note_form.split("</form>")[0]  # a note is not where a verdict goes

    response = as_reviewer.post(
        reverse("claims:claim_action", args=[claim.pk, "confirm"]),
        {"version": claim.version, "verdict": "misleading"},
        follow=True,
    )
    assert "Confirmed as misleading." in messages_of(response)
    page = as_reviewer.get(url).content.decode()
    assert "Confirmed by <strong>rita</strong>" in page and 'class="badge verdict-misleading">Misleading' in page


MIGRATION_VERDICT = "claims.migrations.0006_claim_verdict"


def test_the_migration_takes_a_confirmed_claims_verdict_from_its_latest_labelled_note(
    processed_story: Story, reviewer: User
) -> None:
    """What the ClaimReview export showed before stays: the verdict a note carried moves to the decision."""
    confirmed, relabelled, unlabelled, proposed = Claim.objects.filter(story=processed_story).order_by("pk")[:4]
    for claim in (confirmed, relabelled, unlabelled):
        review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version)
    for claim, label in [(confirmed, "accurate"), (relabelled, "misleading"), (relabelled, "inaccurate")]:
        Annotation.objects.create(claim=claim, author=reviewer, note=f"Checked: {label}", label=label)
    Annotation.objects.create(claim=relabelled, author=reviewer, note="No label this time")
    Annotation.objects.create(claim=proposed, author=reviewer, note="Not confirmed", label="accurate")

    importlib.import_module(MIGRATION_VERDICT).verdicts_from_notes(apps, None)

    verdicts = dict(
        Claim.objects.filter(pk__in=[c.pk for c in (confirmed, relabelled, unlabelled, proposed)]).values_list(
            "pk", "verdict"
        )
    )
    assert verdicts == {confirmed.pk: "accurate", relabelled.pk: "inaccurate", unlabelled.pk: "", proposed.pk: ""}


def test_the_admin_shows_the_verdict_and_does_not_let_it_be_typed_over(
    client: Client, processed_story: Story, reviewer: User, editor: User
) -> None:
    claim = vehicles(processed_story)
    review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version, verdict="unverifiable")
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    listed = client.get(reverse("admin:claims_claim_changelist"), {"verdict__exact": "unverifiable"})
    assert list(listed.context["cl"].result_list) == [Claim.objects.get(pk=claim.pk)]
    page = client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    assert "Unverifiable" in page and 'name="verdict"' not in page and 'name="touched_at"' not in page
