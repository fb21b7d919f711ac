"""Write paths for reviewers: every action on claims, conflicts and merge suggestions.

The web pages, the admin, and the REST API all call these functions, so each rule is
written once:
- permission: checked here, not only by hiding buttons;
- optimistic locking: a write names the version of every claim or conflict it changes, the one
  it was based on (required: there is no "don't check"); if one changed since, nothing is written
  and the error says what changed and who changed it. The admin's bulk actions, which act on
  claims nobody loaded in a form, say so explicitly with ANY_VERSION, and the event records it.
  Three actions name no version, on purpose: take and release (the lease is their guard), undoing
  a merge (the merge's own record is), and a note (it only adds, and bumps no version; a version,
  when given, is checked);
- prechecks (the claims to merge exist and share a story, the mention is the claim's, ...):
  here, so the pages and the API only map the errors;
- leases: a claim taken by another reviewer (and not expired) cannot be acted on;
- audit: every action writes a ReviewEvent with the state before and after;
- locks: a claim is locked FOR NO KEY UPDATE (the audit event's and the story stage's key-share
  locks pass it), several claims in id order; should PostgreSQL still pick an action as a
  deadlock's victim, the whole action runs once more from the start (`_action`).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction
from django.utils import timezone

from factdesk import roles
from factdesk.errors import (
    ApplicationError,
    InvalidStateError,
    LeaseHeldError,
    PreconditionRequiredError,
    StaleVersionError,
)

from .models import (
    Annotation,
    Claim,
    Conflict,
    Mention,
    MergeSuggestion,
    ReviewEvent,
    Verdict,
    refresh_open_conflicts,
)

Action = ReviewEvent.Action
logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
# PostgreSQL's deadlock victim and serialization failure: the transaction was rolled back whole,
# so running it again is safe.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 3


def _action(func: Callable[P, R]) -> Callable[P, R]:
    """A review action: one transaction, run again (up to ATTEMPTS in all) if the database rolled
    it back as a deadlock's victim. Inside a caller's transaction it just joins it: that
    transaction is the caller's to retry."""
    atomic = transaction.atomic(func)

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            return atomic(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return atomic(*args, **kwargs)
            except OperationalError as exc:
                sqlstate = getattr(exc.__cause__, "sqlstate", None)
                if sqlstate not in RETRYABLE_SQLSTATES or attempt == ATTEMPTS:
                    raise
                logger.warning("%s: %s (attempt %d), running it again", func.__name__, exc, attempt)
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    return run


class AnyVersion:
    """The explicit override of the version check, for the admin's bulk actions only (they act on
    claims nobody loaded in a form). Its use is recorded in the event's payload, as `unchecked`."""

    note = "applied without a version check from the admin"

    def __repr__(self) -> str:
        return "review.ANY_VERSION"


ANY_VERSION: Final = AnyVersion()
# The version a write was based on, or the admin's audited override.
Version = int | AnyVersion


def _require(allowed: bool) -> None:
    """`allowed`: one of factdesk.roles' checks, the one place that says who may do what."""
    if not allowed:
        raise PermissionDenied("You do not have permission to review claims.")


def claim_state(claim: Claim) -> dict[str, Any]:
    """What the audit trail records of a claim, before and after an action."""
    return {
        "id": claim.pk,
        "text": claim.text,
        "status": claim.status,
        "merged_into": claim.merged_into_id,
        "version": claim.version,
        "assignee": claim.assignee.get_username() if claim.assignee_id and claim.assignee else None,
        "rejection_reason": claim.rejection_reason,
        "verdict": claim.verdict,
        "mention_ids": sorted(claim.mentions.values_list("pk", flat=True)),
    }


def conflict_state(conflict: Conflict) -> dict[str, Any]:
    return {
        "id": conflict.pk,
        "status": conflict.status,
        "resolution": conflict.resolution,
        "resolution_note": conflict.resolution_note,
        "version": conflict.version,
    }


def _record(
    *,
    actor: Any,
    action: str,
    story_id: int,
    claims: Sequence[Claim] = (),
    conflict: Conflict | None = None,
    suggestion: MergeSuggestion | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
) -> ReviewEvent:
    event = ReviewEvent.objects.create(
        story_id=story_id,
        actor=actor,
        action=action,
        conflict=conflict,
        suggestion=suggestion,
        before=before or {},
        after=after or {},
        payload=payload or {},
    )
    if claims:
        event.claims.set(claims)
    return event


# What an event did, as it reads after its actor in a stale page's message: "edith confirmed it".
# An action missing here reads as its label ("pipeline added evidence to a conflict").
_STALE_PHRASES = {
    ReviewEvent.Action.CONFIRM: "confirmed it",
    ReviewEvent.Action.REJECT: "rejected it",
    ReviewEvent.Action.EDIT: "edited its wording",
    ReviewEvent.Action.MERGE: "merged claims",
    ReviewEvent.Action.ANNOTATE: "added a note",
    ReviewEvent.Action.TAKE: "took it",
    ReviewEvent.Action.RELEASE: "released it",
    ReviewEvent.Action.UNDO: "undid an action on it",
}
# The time a stale message names, with its zone: a reviewer elsewhere must not read UTC as local.
_STALE_TIME = "%H:%M:%S %Z"
# After a stale write: nothing is saved; the page that shows the message shows the claim or the
# conflict as it is now, and the API's 412 carries it (`current`), so there is nothing to reload.
_NOT_SAVED = "Your change was not saved: check it as it is now, then try again."


def _describe_change(events: Sequence[ReviewEvent]) -> str:
    if not events:
        return "the pipeline changed it"
    return "; ".join(_describe(e) for e in events)


def _describe(event: ReviewEvent) -> str:
    """ "rita confirmed it at 10:02:03 UTC", "pipeline added evidence to a conflict at 10:02:03 UTC"."""
    phrase = _STALE_PHRASES.get(ReviewEvent.Action(event.action), event.action_phrase)
    return f"{event.actor_name} {phrase} at {timezone.localtime(event.created_at):{_STALE_TIME}}"


def _locked(claim_id: int) -> Claim:
    """The claim, locked for this transaction."""
    return Claim.objects.select_for_update(no_key=True, of=("self",)).select_related("assignee").get(pk=claim_id)


def _check_version(claim: Claim, version: Version) -> None:
    if isinstance(version, AnyVersion):
        return
    if version is None:  # a caller past the type checker: refused, never a silent "don't check"
        raise PreconditionRequiredError(
            f"Say which version of claim #{claim.pk} you are changing (the one you loaded). Nothing was changed."
        )
    if claim.version != version:
        changes = _events_since(claim, version)
        raise StaleVersionError(
            f"Claim #{claim.pk} changed since you loaded it (version {version}, now {claim.version}): "
            f"{_describe_change(changes)}. {_NOT_SAVED}",
            extra={"current": claim_state(claim)},
        )


def _check_lease(claim: Claim, user: Any) -> None:
    holder = claim.lease_holder()
    if holder is not None and holder.pk != user.pk:
        raise LeaseHeldError(
            f"{holder.get_username()} holds claim #{claim.pk} until {timezone.localtime(claim.lease_expires_at):%H:%M}.",
            extra={"current": claim_state(claim)},
        )


def _lock_claim(claim_id: int, *, user: Any, version: Version) -> Claim:
    """The claim, locked for this transaction, after the version and lease checks."""
    claim = _locked(claim_id)
    _check_version(claim, version)
    _check_lease(claim, user)
    return claim


def _unchecked(version: Version) -> dict[str, Any]:
    """What an event's payload records of the admin's override: nothing when the version was checked."""
    return {"unchecked": ANY_VERSION.note} if isinstance(version, AnyVersion) else {}


def _events_since(claim: Claim, version: int) -> list[ReviewEvent]:
    events = ReviewEvent.objects.filter(claims=claim).select_related("actor").order_by("created_at", "id")
    return [
        e
        for e in events
        if (e.after.get("version") or 0) > version or e.payload.get("versions", {}).get(str(claim.pk), 0) > version
    ][:5]


def _bump(claim: Claim, *, fields: Sequence[str]) -> None:
    """Save a person's change to the claim: a new version, and touched, so the pipeline keeps off it.
    Who decided it (`reviewed_by`, `reviewed_at`) changes only when `fields` say so (see _decided)."""
    claim.version += 1
    claim.touched_at = timezone.now()
    claim.save(update_fields=[*fields, "version", "touched_at", "updated_at"])


# The actions that decide a claim, and so set reviewed_by, reviewed_at and verdict: confirm (with
# the verdict, or none), reject and a merge into another claim (decided: the same fact as that one;
# neither has a verdict). Not a decision: an edit of the wording, a note, a split, taking it, or a
# merge into it (it only gains evidence). Undoing a merge brings back the decision it replaced.
def _decided(user: Any, verdict: str = "") -> dict[str, Any]:
    return {"reviewed_by": user, "reviewed_at": timezone.now(), "verdict": verdict}


def _decision(claim: Claim) -> dict[str, Any]:
    """A claim's decision as a merge's payload records it, for its undo."""
    return {
        "reviewed_by": claim.reviewed_by_id,
        "reviewed_at": claim.reviewed_at.isoformat() if claim.reviewed_at else None,
        "verdict": claim.verdict,
    }


def _decision_before(claim: Claim, merge: ReviewEvent) -> dict[str, Any]:
    """The decision a merge replaced on `claim`, for a merge recorded before its payload kept it:
    the latest confirm or reject of the claim before the merge, if its status then was one; a
    confirm from before verdicts has its latest labelled note's label, as migration 0006 gave."""
    action = {Claim.Status.CONFIRMED: Action.CONFIRM, Claim.Status.REJECTED: Action.REJECT}.get(
        merge.before.get(str(claim.pk), {}).get("status")
    )
    last = (
        ReviewEvent.objects.filter(claims=claim, action=action, created_at__lte=merge.created_at)
        .order_by("-created_at", "-id")
        .first()
        if action
        else None
    )
    if last is None:
        return {}
    verdict = last.after.get("verdict")
    if verdict is None and action == Action.CONFIRM:
        labelled = claim.annotations.exclude(label="").order_by("-created_at", "-id")
        verdict = labelled.values_list("label", flat=True).first()
    return {"reviewed_by": last.actor_id, "reviewed_at": last.created_at, "verdict": verdict or ""}


def _require_open(claim: Claim) -> None:
    if claim.status == Claim.Status.MERGED:
        raise InvalidStateError(
            f"Claim #{claim.pk} was merged into claim #{claim.merged_into_id}; act on that claim instead.",
            extra={"current": claim_state(claim)},
        )


# --- claims ---------------------------------------------------------------------------------------


def _change_claim(*, claim_id: int, user: Any, version: Version, action: str, **changes: Any) -> Claim:
    """Lock, check and change a claim's own fields, bump its version, and audit the change."""
    claim = _lock_claim(claim_id, user=user, version=version)
    _require_open(claim)
    before = claim_state(claim)
    decision = _decision(claim)  # the decision this one replaces, for its undo (event_undo)
    for field, value in changes.items():
        setattr(claim, field, value)
    _bump(claim, fields=list(changes))
    _record(
        actor=user,
        action=action,
        story_id=claim.story_id,
        claims=[claim],
        before=before,
        after=claim_state(claim),
        payload={**_unchecked(version), **({"decision_before": decision} if "status" in changes else {})},
    )
    return claim


@_action
def claim_confirm(*, claim_id: int, user: Any, version: Version, verdict: str = "") -> Claim:
    """Confirm the claim with the desk's verdict (one of Verdict; the ClaimReview export rates the
    claim by it), or with none, "" (the desk verified only that the claim was made). Confirming
    again replaces the verdict: it is the latest decision's."""
    _require(roles.can_review(user))
    if verdict and verdict not in Verdict.values:
        raise ApplicationError(
            f"Unknown verdict {verdict!r}; use one of {', '.join(Verdict.values)}, or none.", code="bad_verdict"
        )
    return _change_claim(
        claim_id=claim_id, user=user, version=version, action=Action.CONFIRM,
        status=Claim.Status.CONFIRMED, rejection_reason="", **_decided(user, verdict),
    )  # fmt: skip


@_action
def claim_reject(*, claim_id: int, user: Any, version: Version, reason: str) -> Claim:
    _require(roles.can_review(user))
    reason = reason.strip()
    if not reason:
        raise InvalidStateError("Say why the claim is rejected.", code="reason_required")
    return _change_claim(
        claim_id=claim_id, user=user, version=version, action=Action.REJECT,
        status=Claim.Status.REJECTED, rejection_reason=reason, **_decided(user),
    )  # fmt: skip


@_action
def claim_edit(*, claim_id: int, user: Any, version: Version, text: str) -> Claim:
    """Reword the claim; its mentions stay as the evidence."""
    _require(roles.can_review(user))
    text = " ".join(text.split())
    if not text:
        raise InvalidStateError("A claim needs some wording.", code="text_required")
    return _change_claim(claim_id=claim_id, user=user, version=version, action=Action.EDIT, text=text)


@_action
def claim_annotate(
    *, claim_id: int, user: Any, note: str, label: str = "", links: Sequence[str] = (), version: int | None = None
) -> Annotation:
    """Add a note. A note only adds: it changes nothing a decision rests on, so it does not bump
    the claim's version (a colleague's note never makes a pending confirm stale), and its own
    version is optional: checked when an API client gives one, not required (the claim page sends
    none, so a note typed while a colleague decided still lands). The same note twice from the same
    person is a replayed form, refused."""
    _require(roles.can_review(user))
    note = note.strip()
    if not note:
        raise InvalidStateError("An annotation needs a note.", code="note_required")
    if label and label not in Annotation.Label.values:
        raise InvalidStateError(f"Unknown label {label!r}; use one of {', '.join(Annotation.Label.values)}.")
    links = [link.strip() for link in links if link.strip()]
    for link in links:
        if not link.startswith(("http://", "https://")):
            raise InvalidStateError(f"Evidence links must be web addresses: {link!r}.", code="bad_link")
    claim = _locked(claim_id)
    if version is not None:
        _check_version(claim, version)
    _check_lease(claim, user)
    _require_open(claim)
    if Annotation.objects.filter(claim=claim, author=user, note=note).exists():
        raise InvalidStateError("You already added this note to this claim.", code="duplicate_note")
    before = claim_state(claim)
    annotation = Annotation.objects.create(claim=claim, author=user, note=note, label=label, links=links)
    # No version bump and no decision; still marks the claim as a person's, so the pipeline keeps off it.
    claim.touched_at = timezone.now()
    claim.save(update_fields=["touched_at", "updated_at"])
    _record(
        actor=user,
        action=Action.ANNOTATE,
        story_id=claim.story_id,
        claims=[claim],
        before=before,
        after={**claim_state(claim), "annotation": {"id": annotation.pk, "note": note, "label": label, "links": links}},
    )
    return annotation


@_action
def claim_take(*, claim_id: int, user: Any) -> Claim:
    """Lease the claim to `user` for FACTDESK_LEASE_SECONDS; taking it again renews the lease.

    No version: it changes who holds the claim, nothing anyone wrote, and the lease is its guard
    (a claim another reviewer holds cannot be taken)."""
    _require(roles.can_review(user))
    claim = _locked(claim_id)
    _check_lease(claim, user)
    _require_open(claim)
    before = claim_state(claim)
    claim.assignee = user
    claim.lease_expires_at = timezone.now() + timedelta(seconds=settings.FACTDESK_LEASE_SECONDS)
    claim.version += 1
    claim.save(update_fields=["assignee", "lease_expires_at", "version", "updated_at"])
    _record(
        actor=user, action=Action.TAKE, story_id=claim.story_id, claims=[claim], before=before, after=claim_state(claim)
    )
    return claim


@_action
def claim_release(*, claim_id: int, user: Any) -> Claim:
    """No version, as for take: only the holder (or an admin) may release a held claim."""
    _require(roles.can_review(user))
    claim = _locked(claim_id)
    if claim.assignee_id is None:
        return claim
    holder = claim.lease_holder()
    if claim.assignee_id != user.pk and holder is not None and not roles.can_release_any_lease(user):
        raise LeaseHeldError(f"{holder.get_username()} holds claim #{claim.pk}; only they or an admin can release it.")
    before = claim_state(claim)
    claim.assignee = None
    claim.lease_expires_at = None
    claim.version += 1
    claim.save(update_fields=["assignee", "lease_expires_at", "version", "updated_at"])
    _record(
        actor=user,
        action=Action.RELEASE,
        story_id=claim.story_id,
        claims=[claim],
        before=before,
        after=claim_state(claim),
    )
    return claim


@_action
def claims_merge(
    *,
    survivor_id: int,
    other_ids: Sequence[int],
    user: Any,
    versions: Mapping[int, int],
    suggestion: MergeSuggestion | None = None,
) -> ReviewEvent:
    """Merge claims into `survivor`: their mentions and annotations move to it (conflicts follow
    the mentions), they become `merged` and point at it. The event records what moved, for undo.

    `versions` names the version of every claim, the survivor and each merged-in one: a merge
    changes them all, so a claim a colleague just confirmed is not swallowed unseen."""
    _require(roles.can_review(user))
    ids = sorted({survivor_id, *other_ids})
    if len(ids) < 2:
        raise InvalidStateError("Choose at least two different claims to merge.", code="merge_needs_two")
    stories = dict(Claim.objects.filter(pk__in=ids).values_list("pk", "story_id"))
    if survivor_id not in stories:
        raise Claim.DoesNotExist(f"No claim #{survivor_id}.")
    if len(stories) != len(ids) or set(stories.values()) != {stories[survivor_id]}:
        raise ApplicationError("Every claim to merge must exist and belong to the same story.", code="other_story")
    missing = [f"#{cid}" for cid in ids if cid not in versions]
    if missing:
        raise PreconditionRequiredError(
            f"Say which version of claim {', '.join(missing)} you are merging: a merge changes every claim in it. "
            "Nothing was changed."
        )
    locked = {cid: _lock_claim(cid, user=user, version=versions[cid]) for cid in ids}
    survivor = locked[survivor_id]
    others = [locked[cid] for cid in ids if cid != survivor_id]
    for claim in locked.values():
        _require_open(claim)
    before = {str(c.pk): claim_state(c) for c in locked.values()}
    moved_mentions: dict[str, list[int]] = {}
    moved_annotations: dict[str, list[int]] = {}
    decisions: dict[str, dict[str, Any]] = {}
    for other in others:
        moved_mentions[str(other.pk)] = list(other.mentions.values_list("pk", flat=True))
        moved_annotations[str(other.pk)] = list(other.annotations.values_list("pk", flat=True))
        decisions[str(other.pk)] = _decision(other)
        Mention.objects.filter(claim=other).update(claim=survivor)
        Annotation.objects.filter(claim=other).update(claim=survivor)
        other.status = Claim.Status.MERGED
        other.merged_into = survivor
        other.assignee = None
        other.lease_expires_at = None
        decided = _decided(user)
        for field, value in decided.items():
            setattr(other, field, value)
        _bump(other, fields=["status", "merged_into", "assignee", "lease_expires_at", *decided])
    _bump(survivor, fields=[])
    accepted = list(
        MergeSuggestion.objects.filter(
            status=MergeSuggestion.Status.OPEN, claim_a_id__in=ids, claim_b_id__in=ids
        ).values_list("pk", flat=True)
    )
    MergeSuggestion.objects.filter(pk__in=accepted).update(
        status=MergeSuggestion.Status.ACCEPTED, decided_by=user, decided_at=timezone.now()
    )
    refresh_open_conflicts(ids)
    return _record(
        actor=user,
        action=Action.ACCEPT_SUGGESTION if suggestion else Action.MERGE,
        story_id=survivor.story_id,
        claims=list(locked.values()),
        suggestion=suggestion,
        before=before,
        after={str(c.pk): claim_state(c) for c in locked.values()},
        payload={
            "survivor": survivor.pk,
            "merged": [o.pk for o in others],
            "moved_mentions": moved_mentions,
            "moved_annotations": moved_annotations,
            "decisions": decisions,  # what each merged claim's decision was, for the undo to bring back
            "accepted_suggestions": accepted,
            "versions": {str(c.pk): c.version for c in locked.values()},
        },
    )


@_action
def merge_undo(*, event_id: int, user: Any) -> ReviewEvent:
    """Undo a merge: the merged claims come back with the mentions and annotations it moved.

    No version: the merge's own record is the guard (each merged claim must still be merged
    into the survivor), and it moves back exactly what the merge moved."""
    _require(roles.can_review(user))
    event = ReviewEvent.objects.select_for_update().get(pk=event_id)
    if not event.is_merge:
        raise InvalidStateError("Only a merge can be undone.", code="not_a_merge")
    if not event.undoable:
        raise InvalidStateError("This merge was already undone.", code="already_undone")
    payload = event.payload
    ids = [payload["survivor"], *payload["merged"]]
    locked: dict[int, Claim] = {}
    for cid in sorted(ids):
        locked[cid] = _locked(cid)
        _check_lease(locked[cid], user)
    survivor = locked[payload["survivor"]]
    before = {str(c.pk): claim_state(c) for c in locked.values()}
    for other_id in payload["merged"]:
        other = locked[other_id]
        if other.merged_into_id != survivor.pk:
            raise InvalidStateError(f"Claim #{other_id} is no longer merged into #{survivor.pk}; nothing was undone.")
        Mention.objects.filter(pk__in=payload["moved_mentions"].get(str(other_id), []), claim=survivor).update(
            claim=other
        )
        Annotation.objects.filter(pk__in=payload["moved_annotations"].get(str(other_id), []), claim=survivor).update(
            claim=other
        )
        previous = event.before.get(str(other_id), {})
        other.status = previous.get("status", Claim.Status.PROPOSED)
        other.merged_into = None
        decided = payload["decisions"][str(other_id)] if "decisions" in payload else _decision_before(other, event)
        other.reviewed_by_id = decided.get("reviewed_by")
        when = decided.get("reviewed_at")
        other.reviewed_at = datetime.fromisoformat(when) if isinstance(when, str) else when
        other.verdict = decided.get("verdict", "")
        _bump(other, fields=["status", "merged_into", "reviewed_by", "reviewed_at", "verdict"])
    _bump(survivor, fields=[])
    MergeSuggestion.objects.filter(pk__in=payload.get("accepted_suggestions", [])).update(
        status=MergeSuggestion.Status.OPEN, decided_by=None, decided_at=None
    )
    refresh_open_conflicts(ids)
    undo = _record(
        actor=user,
        action=Action.UNMERGE,
        story_id=survivor.story_id,
        claims=list(locked.values()),
        before=before,
        after={str(c.pk): claim_state(c) for c in locked.values()},
        payload={"undoes": event.pk, "versions": {str(c.pk): c.version for c in locked.values()}},
    )
    event.undone_by = undo
    event.save(update_fields=["undone_by"])
    return undo


@_action
def mention_split(*, claim_id: int, mention_id: int, user: Any, version: int) -> Claim:
    """Move one of the claim's mentions out into a new claim of its own."""
    _require(roles.can_review(user))
    mention = Mention.objects.filter(pk=mention_id, claim_id=claim_id).first()
    if mention is None:
        raise ApplicationError("That mention is not part of this claim.", code="not_in_claim")
    # Version checked under the lock: a mention moved since (by a merge, a split) changed the claim.
    claim = _lock_claim(claim_id, user=user, version=version)
    _require_open(claim)
    if claim.mentions.count() < 2:
        raise InvalidStateError("A claim's only mention cannot be split out.", code="only_mention")
    before = claim_state(claim)
    before_canonical = claim.canonical_mention_id
    new = Claim.objects.create(
        story_id=claim.story_id,
        text=mention.text,
        canonical_mention=mention,
        checkworthiness=mention.checkworthiness,
        features=mention.features,
        slots=mention.slots,
        independent_sources=1,
        touched_at=timezone.now(),  # a person's claim (the pipeline keeps off it), not yet decided
    )
    Mention.objects.filter(pk=mention.pk).update(claim=new)
    if claim.canonical_mention_id == mention.pk:
        claim.canonical_mention = claim.mentions.exclude(pk=mention.pk).first()
    _bump(claim, fields=["canonical_mention"])
    refresh_open_conflicts([claim.pk, new.pk])
    _record(
        actor=user,
        action=Action.SPLIT,
        story_id=claim.story_id,
        claims=[claim, new],
        before=before,
        after={"from": claim_state(claim), "new": claim_state(new)},
        payload={
            "mention": mention.pk,
            "from": claim.pk,
            "new": new.pk,
            "canonical_before": before_canonical,
            "versions": {str(claim.pk): claim.version},
        },
    )
    return new


# --- merge suggestions ------------------------------------------------------------------------------


@_action
def suggestion_accept(*, suggestion_id: int, user: Any, versions: Mapping[int, int]) -> ReviewEvent:
    """Merge the suggestion's two claims; `versions` names both claims' versions (see claims_merge)."""
    _require(roles.can_decide_suggestions(user))
    suggestion = MergeSuggestion.objects.select_for_update().get(pk=suggestion_id)
    if suggestion.status != MergeSuggestion.Status.OPEN:
        raise InvalidStateError(f"This suggestion was already {suggestion.get_status_display().lower()}.")
    a, b = suggestion.claim_a, suggestion.claim_b
    # The claim with more evidence survives; on a tie, the older one.
    survivor, other = sorted((a, b), key=lambda c: (-c.mentions.count(), c.pk))
    return claims_merge(
        survivor_id=survivor.pk, other_ids=[other.pk], user=user, versions=versions, suggestion=suggestion
    )


@_action
def suggestion_reject(*, suggestion_id: int, user: Any) -> MergeSuggestion:
    """No claim version: it changes no claim, and only an open suggestion can be decided."""
    _require(roles.can_decide_suggestions(user))
    suggestion = MergeSuggestion.objects.select_for_update().get(pk=suggestion_id)
    if suggestion.status != MergeSuggestion.Status.OPEN:
        raise InvalidStateError(f"This suggestion was already {suggestion.get_status_display().lower()}.")
    suggestion.status = MergeSuggestion.Status.REJECTED
    suggestion.decided_by = user
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    _record(
        actor=user,
        action=Action.REJECT_SUGGESTION,
        story_id=suggestion.story_id,
        claims=[suggestion.claim_a, suggestion.claim_b],
        suggestion=suggestion,
        before={"status": MergeSuggestion.Status.OPEN},
        after={"status": suggestion.status},
    )
    return suggestion


# --- conflicts ----------------------------------------------------------------------------------------


def _lock_conflict(conflict_id: int, version: int) -> Conflict:
    conflict = Conflict.objects.select_for_update().get(pk=conflict_id)
    if version is None:  # a caller past the type checker: refused, never a silent "don't check"
        raise PreconditionRequiredError(
            f"Say which version of conflict #{conflict.pk} you are changing (the one you loaded). Nothing was changed."
        )
    if conflict.version != version:
        last = ReviewEvent.objects.filter(conflict=conflict).select_related("actor").order_by("-created_at").first()
        who = _describe(last) if last else "it was changed"
        raise StaleVersionError(
            f"Conflict #{conflict.pk} changed since you loaded it (version {version}, now {conflict.version}): "
            f"{who}. {_NOT_SAVED}",
            extra={"current": conflict_state(conflict)},
        )
    return conflict


def _conflict_claims(conflict: Conflict) -> list[Claim]:
    return list(Claim.objects.filter(mentions__conflict_sides__conflict=conflict).distinct())


def _conflict_changed(
    conflict: Conflict, *, user: Any, action: str, before: dict[str, Any], payload: dict[str, Any] | None = None
) -> None:
    """After a conflict's status changed: its claims' open-conflict counts, and the audit event."""
    claims = _conflict_claims(conflict)
    refresh_open_conflicts([c.pk for c in claims])
    _record(
        actor=user,
        action=action,
        story_id=conflict.story_id,
        claims=claims,
        conflict=conflict,
        before=before,
        after=conflict_state(conflict),
        payload=payload,
    )


@_action
def conflict_resolve(*, conflict_id: int, user: Any, version: int, resolution: str, note: str = "") -> Conflict:
    _require(roles.can_resolve_conflicts(user))
    if resolution not in Conflict.Resolution.values:
        raise InvalidStateError(
            f"Unknown resolution {resolution!r}; use one of {', '.join(Conflict.Resolution.values)}.",
            code="bad_resolution",
        )
    conflict = _lock_conflict(conflict_id, version)
    if conflict.status == Conflict.Status.RESOLVED:
        raise InvalidStateError(
            "This conflict is already resolved; reopen it first.", extra={"current": conflict_state(conflict)}
        )
    before = conflict_state(conflict)
    # Who resolved it before (a reopened conflict keeps them), for the undo to bring back.
    previous = {
        "resolved_by": conflict.resolved_by_id,
        "resolved_at": conflict.resolved_at.isoformat() if conflict.resolved_at else None,
    }
    conflict.status = Conflict.Status.RESOLVED
    conflict.resolution = resolution
    conflict.resolution_note = note.strip()
    conflict.resolved_by = user
    conflict.resolved_at = timezone.now()
    conflict.version += 1
    conflict.save()
    _conflict_changed(conflict, user=user, action=Action.RESOLVE, before=before, payload={"resolved_before": previous})
    return conflict


@_action
def conflict_reopen(*, conflict_id: int, user: Any, version: int) -> Conflict:
    _require(roles.can_resolve_conflicts(user))
    conflict = _lock_conflict(conflict_id, version)
    if conflict.status == Conflict.Status.OPEN:
        raise InvalidStateError("This conflict is already open.", extra={"current": conflict_state(conflict)})
    before = conflict_state(conflict)
    conflict.status = Conflict.Status.OPEN
    conflict.version += 1
    conflict.save(update_fields=["status", "version", "updated_at"])
    _conflict_changed(conflict, user=user, action=Action.REOPEN, before=before)
    return conflict


# --- undo -----------------------------------------------------------------------------------------------

# What a person can take back for FACTDESK_UNDO_SECONDS after doing it: every action on a claim (a
# split's undo moves the mention back and merges the new claim into the one it came from, whose
# history it keeps), a declined merge suggestion, and a conflict's resolution or reopening. A merge (and an accepted suggestion) can be undone at any
# time, by any reviewer, through merge_undo: its record says exactly what it moved.
UNDOABLE_ACTIONS = frozenset(
    {
        Action.CONFIRM,
        Action.REJECT,
        Action.EDIT,
        Action.ANNOTATE,
        Action.TAKE,
        Action.RELEASE,
        Action.SPLIT,
        Action.REJECT_SUGGESTION,
        Action.RESOLVE,
        Action.REOPEN,
    }
)
# How an undo names what it took back: "Undone: your confirm of claim #12."
UNDO_NAMES = {
    Action.CONFIRM: "confirm",
    Action.REJECT: "reject",
    Action.EDIT: "edit of the wording",
    Action.ANNOTATE: "note",
    Action.TAKE: "take",
    Action.RELEASE: "release",
    Action.SPLIT: "split",
    Action.REJECT_SUGGESTION: "declined merge suggestion",
    Action.RESOLVE: "resolution",
    Action.REOPEN: "reopening",
    Action.MERGE: "merge",
    Action.ACCEPT_SUGGESTION: "accepted merge suggestion",
}


def undo_window() -> timedelta:
    return timedelta(seconds=settings.FACTDESK_UNDO_SECONDS)


def undo_refusal(event: ReviewEvent, user: Any, now: datetime | None = None) -> str | None:
    """Why `user` cannot undo `event`, or None when they can try. Whether the claim or the conflict
    changed since is checked by event_undo itself, under its lock."""
    if event.undone_by_id:
        return "That action was already undone."
    if event.is_merge:
        return None
    if event.action not in UNDOABLE_ACTIONS:
        return f"“{event.get_action_display()}” cannot be undone."
    if event.actor_id is None or event.actor_id != getattr(user, "pk", None):
        return f"Only {event.actor_name}, who did it, can undo it."
    if (now or timezone.now()) - event.created_at > undo_window():
        minutes = max(1, round(settings.FACTDESK_UNDO_SECONDS / 60))
        return f"An action can be undone for {minutes} minute{'s' if minutes != 1 else ''} only; that one is older."
    return None


def undoable_events(events: Sequence[ReviewEvent], user: Any) -> set[int]:
    """The ids of the events among `events` that `user` is offered to undo (the history's buttons)."""
    now = timezone.now()
    return {e.pk for e in events if undo_refusal(e, user, now) is None}


CONFLICT_ACTIONS = frozenset({Action.RESOLVE, Action.REOPEN})


def last_undoable(*, story_id: int, user: Any, actions: Collection[str] | None = None) -> ReviewEvent | None:
    """The user's latest action in the story (of `actions`, default any) that they can still undo:
    what `u` takes back."""
    if not getattr(user, "pk", None):
        return None
    recent = (
        ReviewEvent.objects.filter(
            story_id=story_id,
            actor=user,
            undone_by__isnull=True,
            action__in=list(actions or [*UNDOABLE_ACTIONS, Action.MERGE, Action.ACCEPT_SUGGESTION]),
            created_at__gte=timezone.now() - undo_window(),
        )
        .select_related("actor")
        .prefetch_related("claims")
        .order_by("-created_at", "-id")
    )
    return next((e for e in recent[:5] if undo_refusal(e, user) is None), None)


def undo_subject(event: ReviewEvent) -> str:
    """ "confirm of claim #12", "resolution of conflict #3": what an undo takes back, in words."""
    name = UNDO_NAMES.get(ReviewEvent.Action(event.action), event.action_phrase)
    if event.conflict_id and event.action in (Action.RESOLVE, Action.REOPEN):
        return f"{name} of conflict #{event.conflict_id}"
    if event.is_merge:
        return f"{name} into claim #{event.payload.get('survivor')}"
    claim_id = undo_claim_id(event)
    return f"{name} of claim #{claim_id}" if claim_id else name


def undo_claim_id(event: ReviewEvent) -> int | None:
    """The claim an event was about, the one an undo of it shows: a merge's survivor, else its one claim."""
    if event.is_merge:
        return int(event.payload["survivor"])
    if event.action in (Action.RESOLVE, Action.REOPEN, Action.REJECT_SUGGESTION):
        return None
    state = event.before if isinstance(event.before, dict) else {}
    return state.get("id")


def _changed_since(claim: Claim, event: ReviewEvent, version: int | None = None) -> None:
    """Refuse to undo `event` when the claim changed after it (from `version`, the claim's after the
    event, which its record has unless the event changed several claims): the undo would overwrite
    that change."""
    after = event.after.get("version") if version is None else version
    if claim.version == after:
        return
    later = [e for e in _events_since(claim, after or 0) if e.pk != event.pk]
    raise InvalidStateError(
        f"Claim #{claim.pk} changed after your {UNDO_NAMES.get(ReviewEvent.Action(event.action), 'action')}: "
        f"{_describe_change(later)}. Nothing was undone; decide it again if it needs it.",
        code="changed_since",
        extra={"current": claim_state(claim)},
    )


def _undo_claim(event: ReviewEvent, user: Any) -> tuple[list[Claim], dict[str, Any], dict[str, Any]]:
    """Take back a claim action: its claims, and their state before and after the undo."""
    claim = _locked(int(event.before["id"]))
    _check_lease(claim, user)
    before = claim_state(claim)
    previous = event.before
    if event.action == Action.ANNOTATE:
        # A note only added: take it away (the event keeps its words). No version check: notes bump none.
        note = event.after.get("annotation", {})
        Annotation.objects.filter(pk=note.get("id"), author=user).delete()
        return [claim], before, claim_state(claim)
    _changed_since(claim, event)
    _require_open(claim)
    fields: list[str]
    if event.action in (Action.CONFIRM, Action.REJECT):
        decided = event.payload.get("decision_before", {})
        when = decided.get("reviewed_at")
        claim.status = previous["status"]
        claim.rejection_reason = previous.get("rejection_reason", "")
        claim.verdict = previous.get("verdict") or ""
        claim.reviewed_by_id = decided.get("reviewed_by")
        claim.reviewed_at = datetime.fromisoformat(when) if when else None
        fields = ["status", "rejection_reason", "verdict", "reviewed_by", "reviewed_at"]
    elif event.action == Action.EDIT:
        claim.text = previous["text"]
        fields = ["text"]
    elif event.action == Action.TAKE:
        if previous.get("assignee") is None:  # a renewal of one's own lease leaves nothing to take back
            claim.assignee = None
            claim.lease_expires_at = None
        fields = ["assignee", "lease_expires_at"]
    else:  # RELEASE: the reviewer holds it again, for a fresh lease
        if previous.get("assignee") == user.get_username():
            claim.assignee = user
            claim.lease_expires_at = timezone.now() + timedelta(seconds=settings.FACTDESK_LEASE_SECONDS)
        fields = ["assignee", "lease_expires_at"]
    _bump(claim, fields=fields)
    return [claim], before, claim_state(claim)


def _undo_split(event: ReviewEvent, user: Any) -> tuple[list[Claim], dict[str, Any], dict[str, Any]]:
    """Take back a split: the mention goes back to the claim it came from, and the claim the split
    made is merged into it (it keeps its history); refused when either claim changed since."""
    payload = event.payload
    original, new = _locked(int(payload["from"])), _locked(int(payload["new"]))
    for claim, state in ((original, event.after["from"]), (new, event.after["new"])):
        _check_lease(claim, user)
        _changed_since(claim, event, version=state["version"])
    _require_open(original)
    before = {"from": claim_state(original), "new": claim_state(new)}
    Mention.objects.filter(pk=payload["mention"], claim=new).update(claim=original)
    canonical = payload.get("canonical_before")
    if canonical and original.mentions.filter(pk=canonical).exists():
        original.canonical_mention_id = canonical
    new.status = Claim.Status.MERGED
    new.merged_into = original
    _bump(new, fields=["status", "merged_into"])
    _bump(original, fields=["canonical_mention"])
    refresh_open_conflicts([original.pk, new.pk])
    return [original, new], before, {"from": claim_state(original), "new": claim_state(new)}


def _undo_conflict(event: ReviewEvent) -> tuple[Conflict, dict[str, Any], dict[str, Any]]:
    conflict = Conflict.objects.select_for_update().get(pk=event.conflict_id or 0)
    if conflict.version != event.after.get("version"):
        last = ReviewEvent.objects.filter(conflict=conflict).select_related("actor").order_by("-created_at").first()
        raise InvalidStateError(
            f"Conflict #{conflict.pk} changed after your {UNDO_NAMES[ReviewEvent.Action(event.action)]}: "
            f"{_describe(last) if last else 'it was changed'}. Nothing was undone.",
            code="changed_since",
            extra={"current": conflict_state(conflict)},
        )
    before = conflict_state(conflict)
    previous = event.before
    conflict.status = previous["status"]
    conflict.resolution = previous.get("resolution") or ""
    conflict.resolution_note = previous.get("resolution_note") or ""
    if event.action == Action.RESOLVE:
        resolved = event.payload.get("resolved_before", {})
        conflict.resolved_by_id = resolved.get("resolved_by")
        when = resolved.get("resolved_at")
        conflict.resolved_at = datetime.fromisoformat(when) if when else None
    conflict.version += 1
    conflict.save()
    refresh_open_conflicts([c.pk for c in _conflict_claims(conflict)])
    return conflict, before, conflict_state(conflict)


@_action
def event_undo(*, event_id: int, user: Any) -> ReviewEvent:
    """Take back an action: the claim, the conflict or the suggestion is as it was before it, and the
    undo is an event of its own (action "undo", payload["undoes"]), the undone event pointing at it.

    Only the person who acted, within FACTDESK_UNDO_SECONDS (undo_refusal); a merge goes to merge_undo.
    An undo never overwrites a later change: when the claim (or conflict) changed after the action,
    by anyone, it is refused and says what changed (a note only adds, so a colleague's note is no change)."""
    _require(roles.can_review(user))
    event = ReviewEvent.objects.select_for_update(of=("self",)).select_related("actor").get(pk=event_id)
    if event.is_merge and not event.undone_by_id:
        return merge_undo(event_id=event.pk, user=user)
    refusal = undo_refusal(event, user)
    if refusal:
        raise InvalidStateError(refusal, code="not_undoable")
    conflict: Conflict | None = None
    suggestion: MergeSuggestion | None = None
    claims: list[Claim]
    if event.action in (Action.RESOLVE, Action.REOPEN):
        _require(roles.can_resolve_conflicts(user))
        conflict, before, after = _undo_conflict(event)
        claims = _conflict_claims(conflict)
    elif event.action == Action.REJECT_SUGGESTION:
        _require(roles.can_decide_suggestions(user))
        suggestion = MergeSuggestion.objects.select_for_update().get(pk=event.suggestion_id or 0)
        if suggestion.status != MergeSuggestion.Status.REJECTED:
            raise InvalidStateError(
                f"That suggestion is {suggestion.get_status_display().lower()} now; nothing was undone.",
                code="changed_since",
            )
        before = {"status": suggestion.status}
        suggestion.status = MergeSuggestion.Status.OPEN
        suggestion.decided_by = None
        suggestion.decided_at = None
        suggestion.save(update_fields=["status", "decided_by", "decided_at"])
        after = {"status": suggestion.status}
        claims = [suggestion.claim_a, suggestion.claim_b]
    elif event.action == Action.SPLIT:
        claims, before, after = _undo_split(event, user)
    else:
        claims, before, after = _undo_claim(event, user)
    undo = _record(
        actor=user,
        action=Action.UNDO,
        story_id=event.story_id,
        claims=claims,
        conflict=conflict,
        suggestion=suggestion,
        before=before,
        after=after,
        payload={
            "undoes": event.pk,
            "undone_action": event.action,
            "versions": {str(c.pk): c.version for c in claims if event.action not in (Action.RESOLVE, Action.REOPEN)},
        },
    )
    event.undone_by = undo
    event.save(update_fields=["undone_by"])
    return undo
