"""Recovery without a person: the sweep queues again what faults left behind, and nothing twice.

The worker tests drive the real Celery worker on the real Redis and PostgreSQL; the faults are
made the way they happen: work never sent (a lost queue), a run failed by the database, an import
that stopped before its run was made, a broker that is down while an import saves its articles.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError

from articles.models import Article, ImportBatch, Story
from articles.services import articles_import, story_get_or_create
from claims import persist, runs, tasks
from claims.models import Claim, Mention, PipelineRun
from factdesk.tasks import retry_countdown
from tests.conftest import wait_until

NOW = timedelta(0)  # the sweep's deadline: everything unfinished counts as stranded at once


def sweep() -> dict[str, int]:
    return tasks.sweep_stranded(stale_after=NOW, max_attempts=5)


def import_seeds(name: str, seed_files: list[Path]) -> tuple[Story, ImportBatch]:
    story, _ = story_get_or_create(name=name)
    return story, articles_import(story=story, files=[(p.name, p.read_bytes()) for p in seed_files])


def finished(run: PipelineRun) -> Any:
    def done() -> bool:
        run.refresh_from_db()
        return run.state in (PipelineRun.State.SUCCEEDED, PipelineRun.State.FAILED)

    return done


def mentions_per_article(story: Story) -> dict[str, int]:
    return {a.external_id: a.mentions.count() for a in Article.objects.filter(story=story)}


@pytest.fixture
def foreground(seed_files: list[Path], no_broker: None) -> dict[str, int]:
    """What the foreground command makes of the seeds: the mentions each article should end with."""
    story, _ = import_seeds("Foreground", seed_files)
    call_command("process_story", str(story.pk), verbosity=0, stdout=StringIO(), stderr=StringIO())
    PipelineRun.objects.filter(story=story).delete()  # the import's run, never queued, is not the test's
    return mentions_per_article(story)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_run_whose_work_was_lost_is_finished_by_the_sweep_exactly_once(
    celery_worker_process: Any, seed_files: list[Path], foreground: dict[str, int]
) -> None:
    # The queue lost the run's work (no_broker: nothing was sent) after two articles were done.
    story, batch = import_seeds("Lost queue", seed_files)
    run = PipelineRun.objects.get(import_batch=batch)
    for article in Article.objects.filter(pk__in=run.article_ids[:2]):
        persist.article_extract(article=article, run_id=run.pk)
        runs.run_article_done(run_id=run.pk)
    assert runs.run_recover(run_id=run.pk, stale_after=timedelta(hours=1), max_attempts=5) is None  # not yet due

    assert sweep() == {"runs": 1, "articles": 3, "new_runs": 0, "imports": 0}
    wait_until(finished(run), timeout=120)
    assert run.state == PipelineRun.State.SUCCEEDED, run.errors
    assert run.progress_done == run.progress_total == 6
    assert any(e["stage"] == "sweep" and "attempt 1" in e["reason"] for e in run.errors)
    assert mentions_per_article(story) == foreground
    assert not Article.objects.filter(story=story, processed_at__isnull=True).exists()

    # A finished run is left alone; queuing its work again anyway adds nothing.
    claims = sorted(Claim.objects.filter(story=story).values_list("text", flat=True))
    assert sweep() == {"runs": 0, "articles": 0, "new_runs": 0, "imports": 0}
    tasks.extract_article.delay(run.pk, run.article_ids[0])
    tasks.analyse_story.delay(run.pk)  # after the extraction: one worker, one task at a time, in order
    wait_until(lambda: PipelineRun.objects.get(pk=run.pk).finished_at != run.finished_at, timeout=60)
    assert mentions_per_article(story) == foreground
    assert sorted(Claim.objects.filter(story=story).values_list("text", flat=True)) == claims


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_run_the_database_failed_and_articles_without_a_run_are_processed_by_the_sweep(
    celery_worker_process: Any, seed_files: list[Path], foreground: dict[str, int]
) -> None:
    # One run failed for a transient reason (the database went away while its story stage ran) ...
    failed_story, batch = import_seeds("Database outage", seed_files)
    failed = PipelineRun.objects.get(import_batch=batch)
    runs.run_fail(run_id=failed.pk, stage="analyse", reason="OperationalError: server closed", transient=True)
    # ... another run failed for good (a bug): not retried.
    permanent = PipelineRun.objects.create(story=failed_story, article_ids=[], state=PipelineRun.State.FAILED)
    runs.run_fail(run_id=permanent.pk, reason="ValueError: cannot read this article")
    # ... and an import stopped before its run was made: its articles have none.
    orphan_story, orphan_batch = import_seeds("Stopped import", seed_files)
    PipelineRun.objects.filter(import_batch=orphan_batch).delete()

    assert sweep() == {"runs": 1, "articles": 10, "new_runs": 1, "imports": 0}
    orphan_run = PipelineRun.objects.get(import_batch=orphan_batch)
    for run in (failed, orphan_run):
        wait_until(finished(run), timeout=120)
        assert run.state == PipelineRun.State.SUCCEEDED, run.errors
    assert mentions_per_article(failed_story) == mentions_per_article(orphan_story) == foreground
    assert [e["retried"] for e in failed.errors if e.get("transient")] == [True]
    permanent.refresh_from_db()
    assert permanent.state == PipelineRun.State.FAILED and not any(e["stage"] == "sweep" for e in permanent.errors)
    assert sweep() == {"runs": 0, "articles": 0, "new_runs": 0, "imports": 0}


@pytest.mark.django_db
def test_the_sweep_gives_up_on_a_run_after_its_attempts_and_says_so(no_broker: None, seed_files: list[Path]) -> None:
    _, batch = import_seeds("Hopeless", seed_files[:1])
    run = PipelineRun.objects.get(import_batch=batch)
    sent: list[tuple[Any, ...]] = []
    for _ in range(2):
        recovery = runs.run_recover(run_id=run.pk, stale_after=NOW, max_attempts=2)
        assert recovery is not None and recovery.article_ids == run.article_ids
        sent.append(tuple(recovery.article_ids))
    assert runs.run_recover(run_id=run.pk, stale_after=NOW, max_attempts=2) is None
    run.refresh_from_db()
    assert run.state == PipelineRun.State.FAILED
    assert run.errors[-1]["reason"] == "gave up after 2 attempts to recover"
    assert runs.run_recover(run_id=run.pk, stale_after=NOW, max_attempts=2) is None
    assert len(sent) == 2


def test_retries_wait_at_least_the_floor_and_at_most_the_cap_and_a_quarter() -> None:
    floor, cap = settings.FACTDESK_TASK_RETRY_FLOOR_SECONDS, settings.FACTDESK_TASK_RETRY_MAX_SECONDS
    assert floor >= 1
    for retries in range(10):
        for _ in range(50):
            wait = retry_countdown(retries)
            assert min(cap, floor * 2**retries) <= wait <= 1.25 * cap


@pytest.mark.django_db
def test_a_failure_handler_logs_instead_of_raising_when_the_database_is_away(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def database_away(**kwargs: Any) -> None:
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(runs, "run_note", database_away)
    monkeypatch.setattr(runs, "run_fail", database_away)
    exc = OperationalError("server closed the connection unexpectedly")
    tasks.extract_article.on_failure(exc, "task-1", (1, 2), {}, None)
    tasks.analyse_story.on_failure(exc, "task-2", (1,), {}, None)
    assert sum("could not be recorded" in r.getMessage() for r in caplog.records) == 2


@pytest.mark.django_db
def test_a_failure_the_database_caused_is_noted_as_worth_another_try(
    no_broker: None, seed_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    story, batch = import_seeds("Noted", seed_files[:2])
    run = PipelineRun.objects.get(import_batch=batch)
    monkeypatch.setattr(tasks.analyse_story, "delay", lambda run_id: None)
    tasks.extract_article.on_failure(OperationalError("gone"), "t", (run.pk, run.article_ids[0]), {}, None)
    tasks.extract_article.on_failure(ValueError("bad"), "t", (run.pk, run.article_ids[1]), {}, None)
    run.refresh_from_db()
    assert [(e["article_id"], bool(e.get("transient"))) for e in run.errors] == [
        (run.article_ids[0], True),
        (run.article_ids[1], False),
    ]
    recovery = runs.run_recover(run_id=run.pk, stale_after=timedelta(hours=1), max_attempts=5)
    assert recovery is not None and recovery.article_ids == [run.article_ids[0]]
    assert Mention.objects.filter(article__story=story).count() == 0


@pytest.mark.django_db
def test_start_run_delivered_again_queues_what_its_killed_delivery_did_not(
    seed_files: list[Path], no_broker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed while start_run was queueing the articles: the first was queued and extracted,
    the others never sent. start_run, delivered again (acks_late), must queue those rather than
    return because the run has begun: they waited for the sweep's stale deadline, 5 minutes
    (bench/faults.py's soak: 3 articles past the 2-minute target after a SIGKILL)."""
    _, batch = import_seeds("Killed while queueing", seed_files)
    run = PipelineRun.objects.get(import_batch=batch)
    persist.article_extract(article=Article.objects.get(pk=run.article_ids[0]), run_id=run.pk)
    runs.run_article_done(run_id=run.pk)
    run.refresh_from_db()
    assert run.state == PipelineRun.State.EXTRACTING
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(tasks.extract_article, "delay", lambda run_id, article_id: sent.append((run_id, article_id)))

    tasks.start_run(run.pk)

    assert sent == [(run.pk, article_id) for article_id in run.article_ids[1:]]
