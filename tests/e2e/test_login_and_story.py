"""In a real browser: logging in, a reviewer reading the seed story, an editor uploading to it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from articles.models import Article, ImportBatch, Story
from claims.models import Conflict

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_broker")]

Login = Callable[[Any, Any, str, str], None]
Screenshot = Callable[[Any, str], Path]


def stylesheet_rules(page: Any) -> int:
    """How many CSS rules the page's stylesheets hold (0 if /static/ did not serve app.css)."""
    return page.evaluate("() => [...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0)")


def test_an_anonymous_visitor_lands_on_the_login_page(page: Any, live_server: Any, screenshot: Screenshot) -> None:
    page.goto(f"{live_server.url}/")

    assert urlsplit(page.url).path == "/login/"
    assert page.get_by_role("heading", name="Log in to FactDesk").is_visible()
    assert page.locator("input[name='username']").is_visible()
    assert page.locator("input[name='password']").is_visible()
    assert stylesheet_rules(page) > 0
    screenshot(page, "login")


def test_a_reviewer_sees_the_story_conflicts_and_claims(
    page: Any, live_server: Any, reviewer: Any, processed_story: Story, login: Login, screenshot: Screenshot
) -> None:
    login(page, live_server, reviewer.username, "rita-pw")
    assert urlsplit(page.url).path == "/"
    page.get_by_role("link", name=processed_story.name).click()
    page.wait_for_url(f"**/stories/{processed_story.slug}/")

    assert page.get_by_role("heading", level=1).inner_text() == processed_story.name
    assert "rita · Reviewer" in page.locator("header.topbar").inner_text()
    # A reviewer cannot import: the story page offers no upload link.
    assert page.get_by_role("link", name="Upload articles").count() == 0

    conflicts = page.locator("section.conflict")
    # The page lists the conflicts shown by default: the possible discrepancies are a link away.
    shown = Conflict.objects.filter(story=processed_story, confidence__gte=settings.FACTDESK_CONFLICT_MIN_CONFIDENCE)
    expected = shown.count()
    assert expected > 0
    assert conflicts.count() == expected
    assert page.get_by_role("heading", name=f"Conflicts ({expected})").is_visible()
    certainty_in_db = shown.filter(kind=Conflict.Kind.CERTAINTY).count()
    assert certainty_in_db >= 1
    certainty = conflicts.filter(has=page.locator(".badge", has_text="Certainty"))
    assert certainty.count() == certainty_in_db
    first = certainty.first
    assert first.locator("p.side-a").count() >= 1 and first.locator("p.side-b").count() >= 1
    assert first.locator("p").nth(1).inner_text().strip()  # the plain-English explanation

    claim_rows = page.locator("table.claims tbody tr")
    assert claim_rows.count() > 0
    assert "No claims yet." not in claim_rows.first.inner_text()
    assert stylesheet_rules(page) > 0
    screenshot(page, "story-reviewer")


def test_a_reviewer_is_refused_the_upload_page(
    page: Any, live_server: Any, reviewer: Any, processed_story: Story, login: Login, screenshot: Screenshot
) -> None:
    login(page, live_server, reviewer.username, "rita-pw")
    response = page.goto(f"{live_server.url}/stories/{processed_story.slug}/upload/")

    assert response is not None and response.status == 403
    screenshot(page, "upload-reviewer-403")


def test_an_editor_uploading_seeds_already_imported_sees_them_skipped(
    page: Any,
    live_server: Any,
    editor: Any,
    processed_story: Story,
    seed_files: list[Path],
    login: Login,
    screenshot: Screenshot,
) -> None:
    articles_before = Article.objects.filter(story=processed_story).count()
    login(page, live_server, editor.username, "edith-pw")
    page.goto(f"{live_server.url}/stories/{processed_story.slug}/")
    page.get_by_role("link", name="Upload articles").click()
    page.wait_for_url(f"**/stories/{processed_story.slug}/upload/")
    screenshot(page, "upload-editor")

    uploaded = seed_files[:2]
    form = page.locator("main form")
    form.locator("input[type='file'][name='files']").set_input_files([str(p) for p in uploaded])
    with page.expect_navigation():
        form.get_by_role("button", name="Import").click()

    batch = ImportBatch.objects.filter(story=processed_story, source=ImportBatch.Source.UPLOAD).get()
    assert urlsplit(page.url).path == f"/imports/{batch.pk}/"
    assert page.locator(".badge.imported").first.inner_text() == "0 imported"
    assert page.locator(".badge.skipped").first.inner_text() == "2 skipped"
    assert page.locator(".badge.error").first.inner_text() == "0 errors"
    rows = page.locator("table tbody tr")
    assert rows.count() == 2
    for row, path in zip(rows.all(), uploaded, strict=True):
        cells = row.locator("td")
        assert cells.nth(0).inner_text().strip() == path.name
        assert cells.nth(1).inner_text().strip() == "skipped"
        assert cells.nth(2).locator("a").inner_text().startswith("article #")
    assert f"by {editor.username}" in page.locator("main").inner_text()
    assert Article.objects.filter(story=processed_story).count() == articles_before
    assert stylesheet_rules(page) > 0
    screenshot(page, "import-report-editor")
