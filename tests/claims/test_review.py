"""Reviewer actions: each service, its permission, its audit event, locking and leases."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from articles.models import Story
from claims import persist, review
from claims.models import Annotation, Claim, Conflict, Mention, MergeSuggestion, ReviewEvent
from factdesk.errors import (
    ApplicationError,
    InvalidStateError,
    LeaseHeldError,
    PreconditionRequiredError,
    StaleVersionError,
)

pytestmark = pytest.mark.django_db


def claim_with(story: Story, text: str) -> Claim:
    return Mention.objects.filter(article__story=story, text__startswith=text).order_by("pk").first().claim


def multi_mention_claim(story: Story) -> Claim:
    return claim_with(story, "Seven armored vehicles")


def versions_of(suggestion: MergeSuggestion) -> dict[int, int]:
    """Both claims' versions as they are now, as the claim page sends them."""
    return dict(
        Claim.objects.filter(pk__in=[suggestion.claim_a_id, suggestion.claim_b_id]).values_list("pk", "version")
    )


def test_confirm_records_who_when_and_before_after(processed_story: Story, reviewer: User) -> None:
    claim = multi_mention_claim(processed_story)
    confirmed = review.claim_confirm(claim_id=claim.pk, user=reviewer, version=claim.version)
    assert (confirmed.status, confirmed.version, confirmed.reviewed_by) == (
        Claim.Status.CONFIRMED,
        claim.version + 1,
        reviewer,
    )
    [event] = ReviewEvent.objects.filter(claims=claim)
    assert (event.actor, event.action) == (reviewer, ReviewEvent.Action.CONFIRM)
    assert (event.before["status"], event.after["status"]) == ("proposed", "confirmed")
    assert event.after["mention_ids"] == sorted(claim.mentions.values_list("pk", flat=True))


def test_reject_needs_a_reason(processed_story: Story, reviewer: User) -> None:
    claim = multi_mention_claim(processed_story)
    with pytest.raises(InvalidStateError):
        review.claim_reject(claim_id=claim.pk, user=reviewer, version=claim.version, reason="  ")
    rejected = review.claim_reject(claim_id=claim.pk, user=reviewer, version=claim.version, reason="Not checkable")
    assert (rejected.status, rejected.rejection_reason) == (Claim.Status.REJECTED, "Not checkable")


def test_edit_changes_wording_and_keeps_the_evidence(processed_story: Story, reviewer: User) -> None:
    claim = multi_mention_claim(processed_story)
    mentions = set(claim.mentions.values_list("pk", flat=True))
    edited = review.claim_edit(
        claim_id=claim.pk, user=reviewer, version=claim.version, text="Seven Iraqi armoured vehicles arrived"
    )
    assert edited.text == "Seven Iraqi armoured vehicles arrived"
    assert set(edited.mentions.values_list("pk", flat=True)) == mentions


def test_a_stale_write_is_refused_and_names_who_changed_it(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    claim = multi_mention_claim(processed_story)
    loaded = claim.version
    review.claim_confirm(claim_id=claim.pk, user=editor, version=loaded)
    with pytest.raises(StaleVersionError) as error:
        review.claim_reject(claim_id=claim.pk, user=reviewer, version=loaded, reason="dup")
    assert "edith confirmed it" in error.value.message
    assert error.value.extra["current"]["status"] == "confirmed"
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONFIRMED
    assert ReviewEvent.objects.filter(claims=claim).count() == 1


def test_a_claim_held_by_another_reviewer_cannot_be_acted_on(
    processed_story: Story, reviewer: User, editor: User, admin_user: User
) -> None:
    claim = multi_mention_claim(processed_story)
    held = review.claim_take(claim_id=claim.pk, user=editor)
    with pytest.raises(LeaseHeldError, match="edith holds"):
        review.claim_confirm(claim_id=claim.pk, user=reviewer, version=held.version)
    with pytest.raises(LeaseHeldError):
        review.claim_release(claim_id=claim.pk, user=reviewer)
    # When the lease runs out, anyone may act again.
    Claim.objects.filter(pk=claim.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert review.claim_confirm(claim_id=claim.pk, user=reviewer, version=held.version).status == Claim.Status.CONFIRMED
    # An admin may release someone else's lease.
    again = review.claim_take(claim_id=claim.pk, user=editor)
    assert review.claim_release(claim_id=claim.pk, user=admin_user).assignee is None
    assert again.lease_holder() == editor


def test_merge_moves_mentions_annotations_and_conflicts_and_undo_restores_them(
    processed_story: Story, reviewer: User
) -> None:
    fire = claim_with(processed_story, "It is not clear what caused a fire")
    other = claim_with(processed_story, "Dozens of angry Iraqi Shiite militia supporters")
    assert fire.pk != other.pk
    fire_mentions = set(fire.mentions.values_list("pk", flat=True))
    other_mentions = set(other.mentions.values_list("pk", flat=True))
    note = review.claim_annotate(
        claim_id=other.pk, user=reviewer, note="Check the cause with the embassy", label="unverifiable"
    )
    other.refresh_from_db()
    conflict = (
        Conflict.objects.filter(story=processed_story, kind="certainty", sides__mention__claim=fire).distinct().get()
    )

    event = review.claims_merge(
        survivor_id=fire.pk,
        other_ids=[other.pk],
        user=reviewer,
        versions={fire.pk: fire.version, other.pk: other.version},
    )
    fire.refresh_from_db()
    other.refresh_from_db()
    assert set(fire.mentions.values_list("pk", flat=True)) == fire_mentions | other_mentions
    assert (other.status, other.merged_into_id) == (Claim.Status.MERGED, fire.pk)
    assert Annotation.objects.get(pk=note.pk).claim_id == fire.pk
    assert set(Claim.objects.filter(mentions__conflict_sides__conflict=conflict).values_list("pk", flat=True)) == {
        fire.pk
    }
    with pytest.raises(InvalidStateError, match="merged into"):
        review.claim_confirm(claim_id=other.pk, user=reviewer, version=other.version)

    review.merge_undo(event_id=event.pk, user=reviewer)
    fire.refresh_from_db()
    other.refresh_from_db()
    assert set(fire.mentions.values_list("pk", flat=True)) == fire_mentions
    assert set(other.mentions.values_list("pk", flat=True)) == other_mentions
    assert (other.status, other.merged_into_id) == (Claim.Status.PROPOSED, None)
    assert Annotation.objects.get(pk=note.pk).claim_id == other.pk
    assert list(ReviewEvent.objects.filter(claims=fire).order_by("id").values_list("action", flat=True)) == [
        "merge",
        "unmerge",
    ]
    with pytest.raises(InvalidStateError, match="already undone"):
        review.merge_undo(event_id=event.pk, user=reviewer)


def test_split_moves_one_mention_into_a_new_claim(processed_story: Story, reviewer: User) -> None:
    claim = multi_mention_claim(processed_story)
    first, second = claim.mentions.order_by("pk")
    new = review.mention_split(claim_id=claim.pk, mention_id=second.pk, user=reviewer, version=claim.version)
    assert list(new.mentions.values_list("pk", flat=True)) == [second.pk]
    assert list(claim.mentions.values_list("pk", flat=True)) == [first.pk]
    claim.refresh_from_db()
    with pytest.raises(InvalidStateError, match="only mention"):
        review.mention_split(claim_id=claim.pk, mention_id=first.pk, user=reviewer, version=claim.version)


def test_annotation_validates_label_and_links(processed_story: Story, reviewer: User) -> None:
    claim = multi_mention_claim(processed_story)
    with pytest.raises(InvalidStateError):
        review.claim_annotate(claim_id=claim.pk, user=reviewer, note="x", label="true-ish")
    with pytest.raises(InvalidStateError):
        review.claim_annotate(claim_id=claim.pk, user=reviewer, note="x", links=["javascript:alert(1)"])
    annotation = review.claim_annotate(
        claim_id=claim.pk, user=reviewer, note="Matches AP copy", label="accurate", links=["https://apnews.com/x"]
    )
    assert (annotation.label, annotation.links) == ("accurate", ["https://apnews.com/x"])
    claim.refresh_from_db()
    assert claim.is_touched  # the pipeline will not reword an annotated claim


def test_resolve_and_reopen_a_conflict_update_open_counts(processed_story: Story, reviewer: User) -> None:
    # A conflict that counts: possible discrepancies (below the setting) are left out of the counts.
    minimum = settings.FACTDESK_CONFLICT_MIN_CONFIDENCE
    conflict = Conflict.objects.filter(story=processed_story, confidence__gte=minimum).order_by("id").first()
    claims = list(Claim.objects.filter(mentions__conflict_sides__conflict=conflict).distinct())
    assert all(c.open_conflicts >= 1 for c in claims)
    before = {c.pk: c.open_conflicts for c in claims}
    resolved = review.conflict_resolve(
        conflict_id=conflict.pk,
        user=reviewer,
        version=conflict.version,
        resolution="both",
        note="both can hold",
    )
    assert (resolved.status, resolved.resolution, resolved.resolved_by) == ("resolved", "both", reviewer)
    assert {c.pk: c.open_conflicts for c in Claim.objects.filter(pk__in=before)} == {
        pk: n - 1 for pk, n in before.items()
    }
    with pytest.raises(StaleVersionError):
        review.conflict_reopen(conflict_id=conflict.pk, user=reviewer, version=conflict.version)
    review.conflict_reopen(conflict_id=conflict.pk, user=reviewer, version=resolved.version)
    assert {c.pk: c.open_conflicts for c in Claim.objects.filter(pk__in=before)} == before
    with pytest.raises(InvalidStateError):
        review.conflict_resolve(conflict_id=conflict.pk, user=reviewer, version=resolved.version, resolution="maybe")


def test_suggestions_accept_merges_and_reject_is_final(processed_story: Story, reviewer: User) -> None:
    first, second = MergeSuggestion.objects.filter(story=processed_story)[:2]
    review.suggestion_reject(suggestion_id=first.pk, user=reviewer)
    with pytest.raises(InvalidStateError):
        review.suggestion_reject(suggestion_id=first.pk, user=reviewer)
    event = review.suggestion_accept(suggestion_id=second.pk, user=reviewer, versions=versions_of(second))
    second.refresh_from_db()
    assert second.status == MergeSuggestion.Status.ACCEPTED
    merged = Claim.objects.get(pk=event.payload["merged"][0])
    assert merged.status == Claim.Status.MERGED and merged.merged_into_id == event.payload["survivor"]


def test_pipeline_rerun_after_review_changes_nothing_people_decided(processed_story: Story, reviewer: User) -> None:
    [s1, *_] = MergeSuggestion.objects.filter(story=processed_story)
    review.suggestion_accept(suggestion_id=s1.pk, user=reviewer, versions=versions_of(s1))
    loaded = multi_mention_claim(processed_story)
    confirmed = review.claim_confirm(claim_id=loaded.pk, user=reviewer, version=loaded.version)
    state = sorted(
        Claim.objects.filter(story=processed_story).values_list("pk", "status", "text", "merged_into", "version")
    )
    mentions = sorted(Mention.objects.filter(article__story=processed_story).values_list("pk", "claim_id"))
    persist.story_analyse(story=processed_story)
    assert (
        sorted(
            Claim.objects.filter(story=processed_story).values_list("pk", "status", "text", "merged_into", "version")
        )
        == state
    )
    assert sorted(Mention.objects.filter(article__story=processed_story).values_list("pk", "claim_id")) == mentions
    assert Claim.objects.get(pk=confirmed.pk).status == Claim.Status.CONFIRMED


@pytest.mark.parametrize(
    "action",
    [
        lambda c, u: review.claim_confirm(claim_id=c.pk, user=u, version=c.version),
        lambda c, u: review.claim_reject(claim_id=c.pk, user=u, version=c.version, reason="x"),
        lambda c, u: review.claim_edit(claim_id=c.pk, user=u, version=c.version, text="x"),
        lambda c, u: review.claim_annotate(claim_id=c.pk, user=u, note="x"),
        lambda c, u: review.claim_take(claim_id=c.pk, user=u),
        lambda c, u: review.mention_split(claim_id=c.pk, mention_id=c.mentions.first().pk, user=u, version=c.version),
        lambda c, u: review.conflict_resolve(
            conflict_id=Conflict.objects.first().pk, user=u, version=Conflict.objects.first().version, resolution="both"
        ),
        lambda c, u: review.suggestion_reject(suggestion_id=MergeSuggestion.objects.first().pk, user=u),
    ],
)
def test_a_user_without_a_review_role_can_do_nothing(processed_story: Story, roles: None, action: Any) -> None:
    outsider = User.objects.create_user("olga", password="x")
    claim = multi_mention_claim(processed_story)
    with pytest.raises(PermissionDenied):
        action(claim, outsider)
    assert not ReviewEvent.objects.exists()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PROPOSED and claim.version == 1


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_one_wins_the_other_is_told(processed_story: Story, reviewer: User, editor: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (run with bin/test)")
    claim = multi_mention_claim(processed_story)
    version = claim.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name: str, call: Any) -> None:
        barrier.wait()
        try:
            call()
            outcomes[name] = "ok"
        except StaleVersionError:
            outcomes[name] = "stale"
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act,
            args=("confirm", lambda: review.claim_confirm(claim_id=claim.pk, user=reviewer, version=version)),
        ),
        threading.Thread(
            target=act,
            args=("reject", lambda: review.claim_reject(claim_id=claim.pk, user=editor, version=version, reason="no")),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["ok", "stale"]
    claim.refresh_from_db()
    winner = next(name for name, result in outcomes.items() if result == "ok")
    assert claim.status == {"confirm": "confirmed", "reject": "rejected"}[winner]
    assert claim.version == version + 1
    assert ReviewEvent.objects.filter(claims=claim).count() == 1


# --- every write names the version it changes (issue 11.5, issue 12.2) ----------------------------------


@pytest.mark.parametrize(
    "action",
    [
        lambda c, k: review.claim_confirm(claim_id=c.pk, user=k["user"], version=None),
        lambda c, k: review.claim_reject(claim_id=c.pk, user=k["user"], version=None, reason="x"),
        lambda c, k: review.claim_edit(claim_id=c.pk, user=k["user"], version=None, text="x"),
        lambda c, k: review.mention_split(
            claim_id=c.pk, mention_id=c.mentions.order_by("pk").last().pk, user=k["user"], version=None
        ),
        lambda c, k: review.claims_merge(
            survivor_id=c.pk, other_ids=[k["other"].pk], user=k["user"], versions={c.pk: c.version}
        ),
        lambda c, k: review.conflict_resolve(
            conflict_id=k["conflict"].pk, user=k["user"], version=None, resolution="both"
        ),
    ],
    ids=["confirm", "reject", "edit", "split", "merge", "resolve"],
)
def test_a_write_without_a_version_is_refused_and_writes_nothing(
    processed_story: Story, reviewer: User, action: Any
) -> None:
    claim = multi_mention_claim(processed_story)
    other = Claim.objects.filter(story=processed_story, status="proposed").exclude(pk=claim.pk).order_by("pk").first()
    conflict = Conflict.objects.filter(story=processed_story, status="open").order_by("pk").first()
    state = sorted(Claim.objects.filter(story=processed_story).values_list("pk", "status", "text", "version"))
    mentions = sorted(Mention.objects.filter(article__story=processed_story).values_list("pk", "claim_id"))
    with pytest.raises(PreconditionRequiredError):
        action(claim, {"user": reviewer, "other": other, "conflict": conflict})
    assert sorted(Claim.objects.filter(story=processed_story).values_list("pk", "status", "text", "version")) == state
    assert sorted(Mention.objects.filter(article__story=processed_story).values_list("pk", "claim_id")) == mentions
    assert Conflict.objects.get(pk=conflict.pk).status == "open"
    assert not ReviewEvent.objects.exists()


def test_a_merge_checks_the_version_of_every_claim_it_swallows(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    survivor = claim_with(processed_story, "It is not clear what caused a fire")
    other = claim_with(processed_story, "Dozens of angry Iraqi Shiite militia supporters")
    loaded = {survivor.pk: survivor.version, other.pk: other.version}
    other_mentions = set(other.mentions.values_list("pk", flat=True))
    review.claim_confirm(claim_id=other.pk, user=editor, version=other.version)  # a colleague, meanwhile
    with pytest.raises(StaleVersionError, match=f"Claim #{other.pk} changed.*edith confirmed it"):
        review.claims_merge(survivor_id=survivor.pk, other_ids=[other.pk], user=reviewer, versions=loaded)
    other.refresh_from_db()
    assert (other.status, other.merged_into_id) == (Claim.Status.CONFIRMED, None)
    assert set(other.mentions.values_list("pk", flat=True)) == other_mentions
    assert list(ReviewEvent.objects.values_list("action", flat=True)) == ["confirm"]


def test_accepting_a_suggestion_after_a_colleague_confirmed_one_claim_is_refused(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    suggestion = MergeSuggestion.objects.filter(story=processed_story, status="open").order_by("pk").first()
    loaded = versions_of(suggestion)
    review.claim_confirm(claim_id=suggestion.claim_b_id, user=editor, version=loaded[suggestion.claim_b_id])
    with pytest.raises(StaleVersionError, match="edith confirmed it"):
        review.suggestion_accept(suggestion_id=suggestion.pk, user=reviewer, versions=loaded)
    with pytest.raises(PreconditionRequiredError):
        review.suggestion_accept(
            suggestion_id=suggestion.pk,
            user=reviewer,
            versions={suggestion.claim_a_id: loaded[suggestion.claim_a_id]},
        )
    suggestion.refresh_from_db()
    assert suggestion.status == MergeSuggestion.Status.OPEN
    assert not Claim.objects.filter(pk__in=[suggestion.claim_a_id, suggestion.claim_b_id], status="merged").exists()


def test_the_admins_override_skips_the_check_and_is_recorded(
    processed_story: Story, reviewer: User, editor: User
) -> None:
    claim = multi_mention_claim(processed_story)
    review.claim_edit(claim_id=claim.pk, user=reviewer, version=claim.version, text="Reworded")
    confirmed = review.claim_confirm(claim_id=claim.pk, user=editor, version=review.ANY_VERSION)
    assert confirmed.status == Claim.Status.CONFIRMED
    edit, confirm = ReviewEvent.objects.filter(claims=claim).order_by("id")
    assert confirm.payload["unchecked"] == "applied without a version check from the admin"
    assert "unchecked" not in edit.payload


def test_split_refuses_a_mention_of_another_claim(processed_story: Story, reviewer: User) -> None:
    claim = multi_mention_claim(processed_story)
    foreign = Mention.objects.filter(article__story=processed_story).exclude(claim=claim).first()
    with pytest.raises(ApplicationError, match="not part of this claim"):
        review.mention_split(claim_id=claim.pk, mention_id=foreign.pk, user=reviewer, version=claim.version)
    assert not ReviewEvent.objects.exists()


def test_an_event_is_undoable_while_it_is_a_merge_not_yet_undone(processed_story: Story, reviewer: User) -> None:
    a = claim_with(processed_story, "It is not clear what caused a fire")
    b = claim_with(processed_story, "Dozens of angry Iraqi Shiite militia supporters")
    event = review.claims_merge(
        survivor_id=a.pk, other_ids=[b.pk], user=reviewer, versions={a.pk: a.version, b.pk: b.version}
    )
    assert event.undoable
    undo = review.merge_undo(event_id=event.pk, user=reviewer)
    event.refresh_from_db()
    assert not event.undoable and not undo.undoable
