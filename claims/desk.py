"""The desk model (issue 14.4): check-worthiness learned from the desk's own decisions.

A reviewer's confirm says a claim was worth checking, a reject that it was not. Once the desk has
made FACTDESK_DESK_MODEL_MIN_DECISIONS of them, the worker trains a model on them
(claims/pipeline/worthiness_model.py: words, character n-grams and the rules' contributions; C and
the threshold chosen by 5-fold cross-validation, whose F1 is kept) and stores it as a new
DeskModel version; every FACTDESK_DESK_MODEL_RETRAIN_EVERY decisions after that, another. The
latest version scores the undecided claims: Claim.desk_score, and with it the queue's priority
(Claim.priority, a generated column: the rules' check-worthiness until a model has scored the
claim). A decision is never changed: only proposed claims are scored, and only their desk_* fields
are written (no version bump, no event).

When training runs: a decision schedules a check FACTDESK_DESK_MODEL_DEBOUNCE_SECONDS later, once
per window however many decisions are made in it (`decision_made`, when the decision's audit event
commits); the check trains only when enough new decisions have come (`training_due`). The sweep
checks too, so a check lost with the broker is made a minute later. Training reads at most
FACTDESK_DESK_MODEL_MAX_DECISIONS decisions, the latest, so that it stays within a task's time
limit; scoring goes FACTDESK_DESK_SCORE_BATCH claims a task.
"""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q

from .models import Claim, DeskModel, ReviewEvent

if TYPE_CHECKING:  # imported where it is used: scikit-learn costs a process 68 MB, and most never train or score
    from .pipeline import worthiness_model

logger = logging.getLogger(__name__)

DECISION_ACTIONS = (ReviewEvent.Action.CONFIRM, ReviewEvent.Action.REJECT)
DECIDED = (Claim.Status.CONFIRMED, Claim.Status.REJECTED)
# The model's part in a claim's score, beside the rules' contributions (claim_features labels it).
CONTRIBUTION = "desk_model"
CHECK_SCHEDULED_KEY = "factdesk:desk-model:check-scheduled"
TRAINING_KEY = "factdesk:desk-model:training"


def latest_model() -> DeskModel | None:
    return DeskModel.objects.order_by("-version").first()


@dataclass(frozen=True)
class Due:
    due: bool
    reason: str


def training_due() -> Due:
    """Whether the worker should train a new version now, and why (or why not). Three counts."""
    latest = latest_model()
    counts = Claim.objects.filter(status__in=DECIDED).aggregate(
        total=Count("id"), confirmed=Count("id", filter=Q(status=Claim.Status.CONFIRMED))
    )
    total, confirmed = counts["total"], counts["confirmed"]
    if total < settings.FACTDESK_DESK_MODEL_MIN_DECISIONS:
        return Due(False, f"{total} decisions, fewer than FACTDESK_DESK_MODEL_MIN_DECISIONS")
    if min(confirmed, total - confirmed) < 5:
        return Due(False, "fewer than 5 confirmed or 5 rejected claims")
    if latest is None:
        return Due(True, f"{total} decisions and no desk model yet")
    new = ReviewEvent.objects.filter(action__in=DECISION_ACTIONS, id__gt=latest.last_event_id).count()
    if new < settings.FACTDESK_DESK_MODEL_RETRAIN_EVERY:
        return Due(False, f"{new} new decisions since version {latest.version}")
    return Due(True, f"{new} new decisions since version {latest.version}")


def model_of(row: DeskModel) -> worthiness_model.WorthinessModel:
    """The trained model a DeskModel row holds; a ModelFileError when this version cannot score it."""
    from .pipeline import worthiness_model

    return worthiness_model.loads(bytes(row.blob), source=f"desk model v{row.version}")


def desk_model_train(*, force: bool = False) -> DeskModel | None:
    """Train a new version on the latest decisions when one is due (or `force`); None when not due,
    when another worker is training, or when the decisions cannot train a model (one class only)."""
    if not force and not (due := training_due()).due:
        logger.info("desk model: not trained: %s", due.reason)
        return None
    if not cache.add(TRAINING_KEY, "1", timeout=settings.CELERY_TASK_TIME_LIMIT):
        logger.info("desk model: another worker is training")
        return None
    try:
        return _train()
    finally:
        cache.delete(TRAINING_KEY)


def _train() -> DeskModel | None:
    from .pipeline import worthiness_model

    started = time.perf_counter()
    # The decision events up to here are the ones this version has seen (read before the claims, so
    # a decision made while training counts as new for the next version).
    seen = ReviewEvent.objects.filter(action__in=DECISION_ACTIONS).aggregate(last=Max("id"))["last"] or 0
    rows = list(
        Claim.objects.filter(status__in=DECIDED)
        .order_by("-reviewed_at", "-id")
        .values_list("text", "status")[: settings.FACTDESK_DESK_MODEL_MAX_DECISIONS]
    )
    pairs = [(text, int(status == Claim.Status.CONFIRMED)) for text, status in rows]
    try:
        model = worthiness_model.train_checkworthiness(pairs)
    except ValueError as exc:  # too few of one class
        logger.info("desk model: not trained: %s", exc)
        return None
    row = _store(model, seen=seen, seconds=time.perf_counter() - started)
    if row is not None:
        logger.info("desk model: trained %s in %.1f s", row, row.seconds)
    return row


def _store(model: worthiness_model.WorthinessModel, *, seen: int, seconds: float) -> DeskModel | None:
    """The model as the next DeskModel version; None when another worker stored that version first."""
    with transaction.atomic():
        version = (DeskModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        try:
            with transaction.atomic():
                return DeskModel.objects.create(
                    version=version,
                    trained_on=model.trained_on,
                    positives=model.positives,
                    f1_cv=model.f1_cv,
                    threshold=model.threshold,
                    c=model.c,
                    last_event_id=seen,
                    seconds=round(seconds, 2),
                    # What worthiness_model.save writes to a file, kept in the row (loads reads it).
                    blob=pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL),
                )
        except IntegrityError:
            return None


def desk_model_seed(path: Any) -> DeskModel:
    """A model trained with `python -m claims.pipeline train-checkworthiness` on the desk's own
    labelled history, stored as the next version: the desk model from the start, until enough
    decisions train one here (a ModelFileError when the file is not a model this version scores).
    The decisions already made count as seen by it, so the next training waits for new ones."""
    from .pipeline import worthiness_model

    model = worthiness_model.load(path)
    seen = ReviewEvent.objects.filter(action__in=DECISION_ACTIONS).aggregate(last=Max("id"))["last"] or 0
    for _ in range(3):  # another worker may store the same version number first: take the next
        row = _store(model, seen=seen, seconds=0.0)
        if row is not None:
            return row
    raise RuntimeError("other desk model versions kept being stored at the same time: try again")


def desk_scores_apply(*, model_id: int, story_id: int | None = None) -> tuple[int, bool]:
    """Score up to FACTDESK_DESK_SCORE_BATCH undecided claims (of one story, or of any) that this
    version has not scored: their desk_score, desk_features and desk_model. Returns how many were
    scored and whether more may be waiting. Claims a reviewer holds right now (a row lock) are left
    for the next pass; a decided claim is never written. An older version does nothing once a newer
    one exists (the newer one scores everything again)."""
    from .pipeline import worthiness_model

    row = DeskModel.objects.filter(pk=model_id).first()
    if row is None or DeskModel.objects.filter(version__gt=row.version).exists():
        return 0, False
    batch = settings.FACTDESK_DESK_SCORE_BATCH
    waiting = Claim.objects.filter(status=Claim.Status.PROPOSED).filter(Q(desk_model__isnull=True) | ~Q(desk_model=row))
    if story_id is not None:
        waiting = waiting.filter(story_id=story_id)
    model = model_of(row)
    with transaction.atomic():
        claims = list(
            waiting.select_for_update(skip_locked=True, no_key=True)
            .order_by("story_id", "id")
            .only("pk", "text")[:batch]
        )
        if not claims:
            return 0, False
        # The rules' contributions read from the claim's wording, as training read them (its rows).
        scored = worthiness_model.rescore(
            model, [(c.text, worthiness_model.row(c.text)["rules"], None) for c in claims]
        )
        for claim, (_, probability, contributions, _) in zip(claims, scored, strict=True):
            claim.desk_score = probability
            claim.desk_features = _renamed(contributions)
            claim.desk_model = row
        Claim.objects.bulk_update(claims, ["desk_score", "desk_features", "desk_model"], batch_size=500)
    return len(claims), len(claims) == batch


def _renamed(contributions: dict[str, float]) -> dict[str, float]:
    """worthiness_model names the model's part "learned_model" (a model trained on a labelled file);
    the desk model's is "desk_model"."""
    return {(CONTRIBUTION if k == "learned_model" else k): v for k, v in contributions.items()}


# When this process last failed to schedule a check (Redis away): it does not try again for a while,
# so that reviewers' clicks during an outage do not each wait for Redis's timeouts (the sweep checks).
_failed_at: float | None = None
RETRY_AFTER_FAILURE_SECONDS = 30.0


def decision_made(schedule: Callable[[float], Any]) -> bool:
    """A reviewer decided a claim: schedule a training check `debounce` seconds from now, unless one
    is already scheduled in this window (so a burst of clicks makes one check). Returns whether it
    scheduled one. Never raises: a decision must not fail because Redis is away (the sweep checks)."""
    global _failed_at
    if _failed_at is not None and time.monotonic() - _failed_at < RETRY_AFTER_FAILURE_SECONDS:
        return False
    debounce = settings.FACTDESK_DESK_MODEL_DEBOUNCE_SECONDS
    try:
        if not cache.add(CHECK_SCHEDULED_KEY, "1", timeout=max(1, round(debounce))):
            return False
        schedule(debounce)
        _failed_at = None
        return True
    except Exception as exc:
        _failed_at = time.monotonic()
        logger.warning("desk model: could not schedule a training check: %s", exc)
        return False


def scoring_waiting() -> int | None:
    """The latest version's id when some undecided claim has no score of it (the sweep queues the
    scoring then: a pass that a held claim or a lost task left unfinished); None otherwise."""
    latest = latest_model()
    if latest is None:
        return None
    waiting = Claim.objects.filter(status=Claim.Status.PROPOSED).filter(
        Q(desk_model__isnull=True) | ~Q(desk_model=latest)
    )
    return latest.pk if waiting.exists() else None
