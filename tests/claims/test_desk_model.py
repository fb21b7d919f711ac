"""The desk model (issue 14.4): trained on the worker from reviewers' confirms and rejects, it scores
the undecided claims, and the queue's priority follows it; until it exists, the rules order the queue.

The test settings (factdesk/settings/test.py) train from 20 decisions, again after 10 more, with a
1-second debounce."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils.html import escape

from articles.models import Story
from claims import desk, persist, review, tasks
from claims.models import Claim, DeskModel
from claims.selectors import claim_queue
from claims.templatetags.claim_features import feature_label
from factdesk.celery import app
from tests.conftest import wait_until

# Worth checking (what the desk confirms) and not (what it rejects): the rules score them the other
# way round here, so the queue's order before and after the desk model differ.
WORTHY = "At least {n} people were killed in {place} on {day}, police said."
UNWORTHY = "It was a {adj} day for everyone in {place}, and the mood was {mood}."
PLACES = ["Baghdad", "Mosul", "Basra", "Erbil", "Kirkuk", "Najaf"]
DAYS = ["Monday", "Tuesday", "Friday", "Sunday"]
ADJECTIVES = ["lovely", "strange", "long", "quiet", "grey"]
MOODS = ["calm", "tense", "happy", "sombre"]


def _claims(story: Story, n: int, *, worthy: bool, rules_score: float, seed: int) -> list[Claim]:
    rng = random.Random(seed)
    template = WORTHY if worthy else UNWORTHY
    return Claim.objects.bulk_create(
        Claim(
            story=story,
            text=template.format(
                n=rng.randint(2, 300),
                place=rng.choice(PLACES),
                day=rng.choice(DAYS),
                adj=rng.choice(ADJECTIVES),
                mood=rng.choice(MOODS),
            ),
            checkworthiness=rules_score,
            features={"base": rules_score},
        )
        for _ in range(n)
    )


def _decide(user: Any, confirm: list[Claim], reject: list[Claim]) -> None:
    for claim in confirm:
        review.claim_confirm(claim_id=claim.pk, user=user, version=claim.version)
    for claim in reject:
        review.claim_reject(claim_id=claim.pk, user=user, version=claim.version, reason="Not a checkable claim.")


def _undecided_order(story: Story) -> list[int]:
    return list(claim_queue(story, {"status": "proposed"}).values_list("pk", flat=True))


# --- on the worker --------------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_decisions_train_a_desk_model_on_the_worker_and_change_the_queue_order(
    celery_worker_process: Any, reviewer: Any
) -> None:
    cache.delete(desk.CHECK_SCHEDULED_KEY)
    story = Story.objects.create(name="Desk model", slug="desk-model")
    decided_worthy = _claims(story, 12, worthy=True, rules_score=0.2, seed=1)
    decided_unworthy = _claims(story, 12, worthy=False, rules_score=0.8, seed=2)
    open_worthy = _claims(story, 5, worthy=True, rules_score=0.2, seed=3)
    open_unworthy = _claims(story, 5, worthy=False, rules_score=0.8, seed=4)
    worthy_ids = {c.pk for c in open_worthy}
    # The rules' order: the unworthy sentences first (0.8 before 0.2).
    open_ids = worthy_ids | {c.pk for c in open_unworthy}
    before = [pk for pk in _undecided_order(story) if pk in open_ids]
    assert set(before[:5]) == {c.pk for c in open_unworthy}

    # Fewer than FACTDESK_DESK_MODEL_MIN_DECISIONS (20): no model.
    _decide(reviewer, decided_worthy[:5], decided_unworthy[:5])
    assert not desk.training_due().due
    # 24 decisions: the worker trains one (a check scheduled by the decisions, a second later).
    _decide(reviewer, decided_worthy[5:], decided_unworthy[5:])
    decided = {
        c.pk: (c.status, c.version, c.reviewed_by_id, c.reviewed_at) for c in Claim.objects.exclude(status="proposed")
    }

    model = wait_until(lambda: DeskModel.objects.first(), timeout=120)
    assert (model.version, model.trained_on, model.positives) == (1, 24, 12)
    assert model.f1_cv is not None and model.f1_cv > 0.5
    wait_until(lambda: not Claim.objects.filter(status="proposed", desk_model__isnull=True).exists(), timeout=60)

    after = _undecided_order(story)
    assert set(after[:5]) == worthy_ids, (before, after)  # the desk's decisions reordered the queue
    for claim in Claim.objects.filter(status="proposed"):
        assert claim.desk_model_id == model.pk and claim.priority == claim.desk_score
        assert (claim.desk_score > 0.5) == (claim.pk in worthy_ids)
        # The model's part is one contribution; with the rules' they add up to the score.
        assert "desk_model" in claim.desk_features
        assert sum(claim.desk_features.values()) == pytest.approx(claim.desk_score, abs=0.01)
    # The decided claims are as the reviewer left them, and not scored.
    for claim in Claim.objects.exclude(status="proposed"):
        assert (claim.status, claim.version, claim.reviewed_by_id, claim.reviewed_at) == decided[claim.pk]
        assert claim.desk_score is None
    assert celery_worker_process.poll() is None
    wait_until(_worker_idle, timeout=60)  # nothing of this test's still running when its tables are emptied


def _worker_idle() -> bool:
    inspect = app.control.inspect(timeout=1.0)
    return all(not any((found or {}).values()) for found in (inspect.active(), inspect.reserved(), inspect.scheduled()))


# --- the parts ------------------------------------------------------------------------------------------


@pytest.fixture
def decided_story(reviewer: Any) -> Story:
    story = Story.objects.create(name="Decided", slug="decided")
    _decide(
        reviewer,
        _claims(story, 11, worthy=True, rules_score=0.2, seed=5),
        _claims(story, 11, worthy=False, rules_score=0.8, seed=6),
    )
    _claims(story, 4, worthy=True, rules_score=0.2, seed=7)
    _claims(story, 4, worthy=False, rules_score=0.8, seed=8)
    return story


@pytest.mark.django_db
def test_training_is_due_at_the_minimum_then_after_every_n_new_decisions(decided_story: Story, reviewer: Any) -> None:
    assert desk.training_due().due  # 22 decisions, none learned from
    model = desk.desk_model_train()
    assert model is not None and model.version == 1 and model.trained_on == 22
    assert not desk.training_due().due
    assert desk.desk_model_train() is None  # not due: nothing trained
    more = _claims(decided_story, 10, worthy=True, rules_score=0.2, seed=9)
    _decide(reviewer, more[:9], [])
    assert not desk.training_due().due  # 9 new decisions
    _decide(reviewer, more[9:], [])
    assert desk.training_due().due  # 10: FACTDESK_DESK_MODEL_RETRAIN_EVERY
    assert desk.desk_model_train().version == 2  # type: ignore[union-attr]


@pytest.mark.django_db
def test_scoring_writes_only_undecided_claims_and_an_older_version_stands_down(decided_story: Story) -> None:
    first = desk.desk_model_train(force=True)
    assert first is not None
    decided_before = list(Claim.objects.exclude(status="proposed").values())
    assert desk.desk_scores_apply(model_id=first.pk) == (8, False)
    assert desk.desk_scores_apply(model_id=first.pk) == (0, False)  # all scored by this version
    assert list(Claim.objects.exclude(status="proposed").values()) == decided_before
    assert desk.scoring_waiting() is None
    second = desk.desk_model_train(force=True)
    assert second is not None and second.version == 2
    assert desk.desk_scores_apply(model_id=first.pk) == (0, False)  # a newer version exists
    assert desk.scoring_waiting() == second.pk
    assert desk.desk_scores_apply(model_id=second.pk, story_id=decided_story.pk) == (8, False)
    assert set(Claim.objects.filter(status="proposed").values_list("desk_model", flat=True)) == {second.pk}


@pytest.mark.django_db
def test_a_burst_of_decisions_schedules_one_training_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(desk, "_failed_at", None)  # and back to None after the test
    cache.delete(desk.CHECK_SCHEDULED_KEY)
    scheduled: list[float] = []
    assert desk.decision_made(scheduled.append)
    assert not desk.decision_made(scheduled.append)
    assert not desk.decision_made(scheduled.append)
    assert scheduled == [1.0]  # FACTDESK_DESK_MODEL_DEBOUNCE_SECONDS in the test settings
    cache.delete(desk.CHECK_SCHEDULED_KEY)

    def broker_down(countdown: float) -> None:
        raise ConnectionError("broker away")

    assert not desk.decision_made(broker_down)  # logged, never raised: the decision stands
    cache.delete(desk.CHECK_SCHEDULED_KEY)
    assert not desk.decision_made(scheduled.append)  # not tried again for a while after a failure
    assert scheduled == [1.0]
    monkeypatch.setattr(desk, "_failed_at", time.monotonic() - desk.RETRY_AFTER_FAILURE_SECONDS)
    assert desk.decision_made(scheduled.append) and scheduled == [1.0, 1.0]
    cache.delete(desk.CHECK_SCHEDULED_KEY)


@pytest.mark.django_db
def test_until_a_desk_model_exists_the_rules_order_the_queue(decided_story: Story) -> None:
    claims = Claim.objects.filter(story=decided_story, status="proposed")
    assert all(c.priority == c.checkworthiness == c.score and c.score_features == c.features for c in claims)
    assert desk.scoring_waiting() is None  # nothing to score with


@pytest.mark.django_db
def test_admins_see_each_version_with_its_f1_and_training_size(decided_story: Story, admin_user: Any) -> None:
    model = desk.desk_model_train(force=True)
    assert model is not None and model.f1_cv is not None
    desk.desk_scores_apply(model_id=model.pk)
    admin_user.is_staff = True  # what an Admin's account has to use the Django admin
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/claims/deskmodel/").content.decode()
    assert "cross-validated f1" in page.lower() and f"{model.f1_cv:.3f}" in page and ">22<" in page
    detail = client.get(f"/admin/claims/deskmodel/{model.pk}/change/").content.decode()
    assert "undecided claims it scored" in detail.lower() and ">8<" in detail
    claim = Claim.objects.filter(status="proposed").first()
    assert claim is not None
    shown = client.get(f"/admin/claims/claim/{claim.pk}/change/").content.decode()
    assert escape(feature_label("desk_model")) in shown and f"desk model v{model.version}" in shown
    assert feature_label("desk_model") == "the desk model (learned from the desk's own confirms and rejects)"


@pytest.mark.django_db
def test_the_sweep_queues_a_due_check_or_an_unfinished_scoring(
    decided_story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[Any] = []
    monkeypatch.setattr(tasks, "_send", sent.append)  # nothing reaches the broker
    assert tasks.desk_sweep() == {"training_check": True, "scoring": False}
    model = desk.desk_model_train()
    assert model is not None
    assert tasks.desk_sweep() == {"training_check": False, "scoring": True}
    desk.desk_scores_apply(model_id=model.pk)
    assert tasks.desk_sweep() == {"training_check": False, "scoring": False}
    assert len(sent) == 2


def test_the_claim_page_shows_the_desk_models_part_of_the_score(decided_story: Story, as_reviewer: Client) -> None:
    claim = Claim.objects.filter(story=decided_story, status=Claim.Status.PROPOSED).first()
    assert claim is not None
    Claim.objects.filter(pk=claim.pk).update(desk_score=0.87, desk_features={"base": 0.2, "desk_model": 0.67})
    page = as_reviewer.get(f"/claims/{claim.pk}/").content.decode()
    assert escape(feature_label("desk_model")) in page
    assert "= 0.87" in page
    assert "0.87 (the desk's model)" in page


def test_a_claim_the_pipeline_rewords_waits_for_the_desk_model_again(processed_story: Story) -> None:
    row = DeskModel.objects.create(version=1, trained_on=20, positives=10, threshold=0.5, c=1.0, blob=b"")
    reworded, kept = Claim.objects.filter(story=processed_story, status="proposed").order_by("pk")[:2]
    Claim.objects.filter(pk__in=[reworded.pk, kept.pk]).update(
        desk_model=row, desk_score=0.9, desk_features={"base": 0.2, "desk_model": 0.7}
    )
    # wording the pipeline puts back (in a full run: one from the kept index trusts what it
    # wrote): its desk score was for other words
    Claim.objects.filter(pk=reworded.pk).update(text="Not the pipeline's wording")

    persist.story_analyse(story=processed_story, full=True)
    reworded.refresh_from_db()
    kept.refresh_from_db()
    assert reworded.text != "Not the pipeline's wording"
    assert (reworded.desk_model_id, reworded.desk_score, reworded.score) == (None, None, reworded.checkworthiness)
    assert (kept.desk_model_id, kept.desk_score) == (row.pk, 0.9)


def test_a_desk_seeds_its_model_from_its_own_labelled_history(decided_story: Story, tmp_path: Any) -> None:
    from django.core.management import CommandError, call_command

    from claims.pipeline import worthiness_model

    rng = random.Random(3)
    pairs = [(WORTHY.format(n=rng.randint(2, 300), place=p, day=d), 1) for p in PLACES for d in DAYS]
    pairs += [(UNWORTHY.format(adj=a, place=p, mood=m), 0) for a in ADJECTIVES for p in PLACES[:3] for m in MOODS[:2]]
    path = tmp_path / "history.model"
    worthiness_model.save(worthiness_model.train_checkworthiness(pairs), path)

    call_command("seed_desk_model", str(path))
    row = desk.latest_model()
    assert row is not None and (row.version, row.trained_on) == (1, len(pairs))
    assert desk.training_due().due is False  # the decisions made before it count as seen
    scored, _ = desk.desk_scores_apply(model_id=row.pk)
    assert scored == Claim.objects.filter(status="proposed").count() > 0
    worthy = Claim.objects.filter(status="proposed", text__startswith="At least").first()
    dull = Claim.objects.filter(status="proposed", text__startswith="It was").first()
    assert worthy is not None and dull is not None and worthy.score > dull.score

    (tmp_path / "not-a-model").write_bytes(b"text")
    with pytest.raises(CommandError, match="model"):
        call_command("seed_desk_model", str(tmp_path / "not-a-model"))
    assert desk.latest_model() == row
