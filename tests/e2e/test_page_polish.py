"""In a real browser: the small things that made the pages look unfinished (issue 13.11)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from articles.models import Story
from claims import review
from claims.models import Claim, Conflict, PipelineRun

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_broker")]

Login = Callable[[Any, Any, str, str], None]
Screenshot = Callable[[Any, str], Path]


def line_height(locator: Any) -> float:
    return float(locator.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))


def test_the_pages_read_as_finished(
    page: Any,
    live_server: Any,
    reviewer: Any,
    editor: Any,
    processed_story: Story,
    login: Login,
    screenshot: Screenshot,
) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    processed_story.name = "US embassy in Baghdad stormed by militia supporters"
    processed_story.save()
    run = PipelineRun.objects.filter(story=processed_story).order_by("-created_at", "-id").first()
    articles = processed_story.articles.count()
    assert (run.state, run.progress_total) == ("succeeded", articles + 1)  # tasks: one per article, the story stage
    conflict = Conflict.objects.filter(story=processed_story, kind="certainty").first()
    review.conflict_resolve(conflict_id=conflict.pk, user=editor, version=conflict.version, resolution="both")
    claim = Claim.objects.filter(mentions__conflict_sides__conflict=conflict).first()
    review.claim_reject(claim_id=claim.pk, user=editor, version=claim.version, reason="said twice")
    login(page, live_server, "rita", "rita-pw")

    # Stories: the title on one line, the run counted in articles, times with their zone.
    page.goto(f"{live_server.url}/", wait_until="load")
    title = page.get_by_role("link", name=processed_story.name)
    assert title.bounding_box()["height"] < 2.5 * line_height(title)  # two lines at most, not a word a line
    row = page.locator("table.stories tbody tr").first.inner_text()
    assert f"Succeeded · {articles} of {articles} articles" in row and f"{articles + 1}/{articles + 1}" not in row
    assert " UTC" in row
    screenshot(page, "stories")

    # The story: the same count; explanations with proper plurals.
    page.goto(f"{live_server.url}{processed_story.get_absolute_url()}", wait_until="load")
    main = page.locator("main").inner_text()
    assert f"Succeeded · {articles} of {articles} articles" in main
    assert "(s)" not in main and "1 others" not in main
    assert "and 1 other " in main  # "Associated Press, Business Insider and 1 other report ..."

    # The conflict: its history says the resolution as a person would, and when, in which zone.
    page.goto(f"{live_server.url}/conflicts/{conflict.pk}/", wait_until="load")
    history = page.locator("ol.history").inner_text()
    assert "resolved a conflict" in history and ": Both can hold" in history and ": both" not in history
    assert " UTC" in history
    screenshot(page, "conflict-resolved")

    # A claim: conflict badges are a link without underlined gaps; history without a space before a colon.
    page.goto(f"{live_server.url}/claims/{claim.pk}/", wait_until="load")
    badges = page.locator("section.conflict a:has(.badge)").first
    assert badges.evaluate("el => getComputedStyle(el).textDecorationLine") == "none"
    history = page.locator("ol.history").inner_text()
    assert "rejected: said twice" in history and " :" not in history
    assert f"#{conflict.pk}: Both can hold" in history
    screenshot(page, "claim-history")

    # The icon: declared by every page, served from here (no CDN), and /favicon.ico too.
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{live_server.url}{icon}").status == 200
    favicon = page.request.get(f"{live_server.url}/favicon.ico")
    assert favicon.status == 200 and "svg" in favicon.headers["content-type"]
    page.goto(f"{live_server.url}/admin/", wait_until="load")
    assert not failed, failed
