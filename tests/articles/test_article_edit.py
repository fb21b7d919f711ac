"""Editors set an article's outlet and headline (issue 14.2): audited, and the story re-analysed,
through the service, the article page and the API (PATCH)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client

from articles.models import Article, ArticleEvent, Story
from articles.services import article_update, articles_import, story_get_or_create
from claims import persist
from claims import services as claims_services
from claims.models import Claim, PipelineRun
from tests.api.conftest import token_client
from tests.conftest import wait_until

UNNAMED = "unnamed outlet (002_d3a917ba29528ce3)"


def page_text(response: Any) -> str:
    """The page as read: no tags, single spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(response.content.decode())).split())


def unnamed_article(story: Story) -> Article:
    return Article.objects.get(story=story, external_id="002_d3a917ba29528ce3")


def shared_with_ap(story: Story) -> list[Claim]:
    """Claims whose sources are the AP article and the article without an outlet, and nothing else."""
    return [c for c in Claim.objects.filter(story=story) if sorted(c.sources) == ["Associated Press", UNNAMED]]


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, list[int]]]:
    """The runs claims/ sends to the workers (recorded, not sent)."""
    sent: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(claims_services, "_queue_run", lambda run_id, ids: sent.append((run_id, list(ids))))
    return sent


# --- the service ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_setting_the_outlet_is_audited_and_queues_the_story_again(
    processed_story: Story, editor: User, queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    article = unnamed_article(processed_story)
    with django_capture_on_commit_callbacks(execute=True):
        article_update(article_id=article.pk, user=editor, outlet="the ap", title="  Embassy   stormed ")
    article.refresh_from_db()
    assert article.outlet is not None and article.outlet.name == "Associated Press"  # the AP article's outlet
    assert (article.outlet_inferred_from, article.title) == ("editor", "Embassy stormed")
    [event] = ArticleEvent.objects.filter(article=article)
    assert (event.actor, event.action) == (editor, "edit")
    assert event.before == {"outlet": None, "title": ""}
    assert event.after == {"outlet": "Associated Press", "title": "Embassy stormed"}
    [run] = PipelineRun.objects.filter(story=processed_story, article_ids=[article.pk])
    assert run.state == PipelineRun.State.QUEUED and run.import_batch is None
    assert queued == [(run.pk, [article.pk])]


@pytest.mark.django_db
def test_a_headline_alone_is_audited_and_queues_nothing(
    processed_story: Story, editor: User, queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    article = unnamed_article(processed_story)
    with django_capture_on_commit_callbacks(execute=True):
        article_update(article_id=article.pk, user=editor, title="Trump blames Iran")
        article_update(article_id=article.pk, user=editor, outlet=None, title="Trump blames Iran")  # no change
    [event] = ArticleEvent.objects.filter(article=article)
    assert (event.before, event.after) == ({"title": ""}, {"title": "Trump blames Iran"})
    assert queued == [] and not PipelineRun.objects.filter(article_ids=[article.pk]).exists()


@pytest.mark.django_db
def test_a_reviewer_cannot_set_an_outlet(processed_story: Story, reviewer: User, queued: list[Any]) -> None:
    article = unnamed_article(processed_story)
    with pytest.raises(PermissionDenied):
        article_update(article_id=article.pk, user=reviewer, outlet="Reuters")
    article.refresh_from_db()
    assert article.outlet is None and not ArticleEvent.objects.exists()


@pytest.mark.django_db
def test_the_story_stage_counts_the_new_outlet_and_keeps_a_decision(
    processed_story: Story, editor: User, queued: list[Any]
) -> None:
    claims = shared_with_ap(processed_story)
    assert claims and all(c.independent_sources == 2 for c in claims)
    decided = claims[0]
    Claim.objects.filter(pk=decided.pk).update(status=Claim.Status.CONFIRMED, text="Wording a reviewer chose.")
    article_update(article_id=unnamed_article(processed_story).pk, user=editor, outlet="The Associated Press")
    persist.story_analyse(story=processed_story)
    for claim in claims:
        claim.refresh_from_db()
        assert (claim.independent_sources, claim.sources) == (1, ["Associated Press"])
    decided.refresh_from_db()
    assert (decided.status, decided.text) == (Claim.Status.CONFIRMED, "Wording a reviewer chose.")
    assert not [c for c in Claim.objects.filter(story=processed_story) if UNNAMED in c.sources]


# --- the article page -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_editor_sets_outlet_and_headline_on_the_article_page(
    client: Client, processed_story: Story, editor: User, queued: list[Any]
) -> None:
    client.force_login(editor)
    article = unnamed_article(processed_story)
    page = unescape(client.get(article.get_absolute_url()).content.decode())
    assert f'action="/articles/{article.pk}/edit/"' in page and "Save outlet and headline" in page

    response = client.post(
        f"/articles/{article.pk}/edit/", {"outlet": "fox", "title": "Trump blames Iran"}, follow=True
    )
    page = unescape(response.content.decode())
    text = page_text(response)
    assert response.redirect_chain == [(article.get_absolute_url(), 302)]
    assert "Saved. The story is being analysed again with the new outlet." in page
    assert "<h1>Trump blames Iran</h1>" in page
    assert "Fox News (from the editor)" in text
    assert "edith set the outlet: none → Fox News; the headline: “” → “Trump blames Iran”" in text
    assert PipelineRun.objects.filter(story=processed_story, import_batch=None, article_ids=[article.pk]).exists()

    response = client.post(f"/articles/{article.pk}/edit/", {"outlet": "Fox News", "title": "Trump blames Iran"})
    assert ArticleEvent.objects.count() == 1  # nothing changed: nothing written


@pytest.mark.django_db
def test_a_reviewer_sees_the_history_but_no_form_and_cannot_post(
    client: Client, processed_story: Story, editor: User, reviewer: User, queued: list[Any]
) -> None:
    article = unnamed_article(processed_story)
    article_update(article_id=article.pk, user=editor, outlet="Reuters")
    client.force_login(reviewer)
    text = page_text(client.get(article.get_absolute_url()))
    assert "Save outlet and headline" not in text
    assert "edith set the outlet: none → Reuters" in text
    assert client.post(f"/articles/{article.pk}/edit/", {"outlet": "AP", "title": ""}).status_code == 403
    article.refresh_from_db()
    assert article.outlet is not None and article.outlet.name == "Reuters"


# --- the API ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_patch_sets_the_outlet_and_answers_with_the_history(
    processed_story: Story, editor: User, reviewer: User, queued: list[Any]
) -> None:
    article = unnamed_article(processed_story)
    url = f"/api/v1/articles/{article.pk}/"
    assert token_client(reviewer).patch(url, {"outlet": "AP"}, format="json").status_code == 403
    api = token_client(editor)
    response = api.patch(url, {"outlet": "associated press"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["outlet"], body["outlet_inferred_from"], body["title"]) == ("Associated Press", "editor", "")
    [entry] = body["history"]
    assert (entry["actor"], entry["action"]) == ("edith", "edit")
    assert (entry["before"], entry["after"]) == ({"outlet": None}, {"outlet": "Associated Press"})
    assert api.get(url).json()["history"] == body["history"]

    assert api.patch(url, {"outlet": ""}, format="json").json()["outlet"] is None  # none again
    assert api.patch(url, {"outlet": None}, format="json").status_code == 400  # a string, as everywhere
    assert api.patch(url, {"headline": "x"}, format="json").json()["error"]["fields"] == {
        "headline": ["Unknown field."]
    }
    assert api.patch(url, {"outlet": "x" * 201}, format="json").status_code == 400
    assert api.put(url, {"outlet": "AP"}, format="json").status_code == 405
    assert ArticleEvent.objects.filter(article=article).count() == 2
    assert PipelineRun.objects.filter(story=processed_story, article_ids=[article.pk]).count() == 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_patch_re_analyses_the_story_on_the_worker(
    celery_worker_process: Any, seed_files: list[Path], editor: User
) -> None:
    story, _ = story_get_or_create(name="Outlet story")
    batch = articles_import(story=story, files=[(p.name, p.read_bytes()) for p in seed_files])
    imported = PipelineRun.objects.get(import_batch=batch)
    wait_until(lambda: PipelineRun.objects.get(pk=imported.pk).state == PipelineRun.State.SUCCEEDED, timeout=120)
    claims = shared_with_ap(story)
    assert claims
    decided = claims[0]
    Claim.objects.filter(pk=decided.pk).update(status=Claim.Status.CONFIRMED, text="Wording a reviewer chose.")

    article = unnamed_article(story)
    response = token_client(editor).patch(f"/api/v1/articles/{article.pk}/", {"outlet": "AP"}, format="json")
    assert response.status_code == 200, response.json()
    rerun = PipelineRun.objects.get(story=story, import_batch=None)

    def finished() -> bool:
        rerun.refresh_from_db()
        return rerun.state in (PipelineRun.State.SUCCEEDED, PipelineRun.State.FAILED)

    wait_until(finished, timeout=120)
    assert rerun.state == PipelineRun.State.SUCCEEDED, rerun.errors
    assert rerun.progress_done == rerun.progress_total == 2  # the article (extracted already), the story stage
    for claim in claims:
        claim.refresh_from_db()
        assert (claim.independent_sources, claim.sources) == (1, ["Associated Press"])
    decided.refresh_from_db()
    assert (decided.status, decided.text) == (Claim.Status.CONFIRMED, "Wording a reviewer chose.")
    assert celery_worker_process.poll() is None
