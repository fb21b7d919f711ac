"""In a real browser, from the keyboard only: a reviewer works through a story's conflicts, surest
first, resolving each with Ctrl+Enter or "s" and landing on the next; then reads in the claim queue
why each claim is there, and adds a note with Ctrl+Enter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from articles.models import Story
from claims import selectors
from claims.models import Annotation, Conflict

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_broker")]

Login = Callable[[Any, Any, str, str], None]
Screenshot = Callable[[Any, str], Path]


def arrived(page: Any, text: str) -> None:
    """Wait for a page's flash message and for its scripts (the shortcuts are attached on load)."""
    page.get_by_text(text).first.wait_for()
    page.wait_for_load_state("load")


def test_a_reviewer_works_through_the_conflict_queue_from_the_keyboard(
    page: Any, live_server: Any, reviewer: Any, processed_story: Story, login: Login, screenshot: Screenshot
) -> None:
    order = [k.pk for k in selectors.conflict_queue(processed_story)]
    assert len(order) == 3
    login(page, live_server, "rita", "rita-pw")
    page.goto(f"{live_server.url}{processed_story.get_absolute_url()}", wait_until="load")

    # "c" on the story page: the conflict queue, surest first.
    page.keyboard.press("c")
    page.wait_for_url(f"**/stories/{processed_story.slug}/conflicts/")
    page.wait_for_load_state("load")
    rows = page.locator("tr[data-row]")
    assert [int(rows.nth(i).locator("td").first.inner_text()) for i in range(rows.count())] == order
    assert "possible discrepanc" in page.locator("main").inner_text()  # a link away
    page.keyboard.press("?")
    assert "next / previous conflict" in page.locator("#key-help").inner_text()
    page.keyboard.press("Escape")
    screenshot(page, "conflict-queue")

    # j, j, k: the second row; Enter opens it.
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert "selected" in (rows.nth(1).get_attribute("class") or "")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/conflicts/{order[1]}/")
    page.wait_for_load_state("load")

    # A note, Ctrl+Enter before a resolution is chosen: the browser asks for one, the note stays.
    note = "AP and the agencies describe different moments; both can hold."
    page.keyboard.press("n")
    page.keyboard.type(note)
    page.keyboard.press("Control+Enter")
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/conflicts/{order[1]}/")
    assert page.locator('textarea[name="note"]').input_value() == note
    # "3" (both can hold), back to the note, Ctrl+Enter: resolved, and the next open conflict is shown.
    page.keyboard.press("Escape")
    page.keyboard.press("3")
    page.keyboard.press("n")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"**/conflicts/{order[2]}/")
    arrived(page, "Here is the next open conflict of this story.")
    assert f"Conflict #{order[1]} resolved." in page.locator(".messages").inner_text()
    resolved = Conflict.objects.get(pk=order[1])
    assert (resolved.status, resolved.resolution, resolved.resolution_note) == ("resolved", "both", note)
    screenshot(page, "conflict-next-after-resolve")

    # "s" resolves too: past the end of the list, the first one still open.
    page.keyboard.press("5")
    page.keyboard.press("s")
    page.wait_for_url(f"**/conflicts/{order[0]}/")
    arrived(page, "Here is the next open conflict of this story.")
    page.keyboard.press("1")
    page.keyboard.press("s")
    # None left: back on the queue, which says so.
    page.wait_for_url(f"**/stories/{processed_story.slug}/conflicts/")
    arrived(page, "No open conflicts are left in this list.")
    assert page.locator("tr[data-row]").count() == 0
    assert not Conflict.objects.filter(pk__in=order, status="open").exists()
    screenshot(page, "conflict-queue-done")


def test_the_claim_queue_says_why_and_ctrl_enter_adds_a_note(
    page: Any, live_server: Any, reviewer: Any, processed_story: Story, login: Login, screenshot: Screenshot
) -> None:
    login(page, live_server, "rita", "rita-pw")
    page.goto(f"{live_server.url}/stories/{processed_story.slug}/claims/", wait_until="load")
    first_row = page.locator("tr[data-row]").first
    why = first_row.inner_text()
    assert "conflict" in why and " vs " in why, why
    assert page.locator(".review-progress strong").inner_text().endswith(" decided")
    full = screenshot(page, "claim-queue-reasons")
    page.screenshot(path=str(full.with_name("claim-queue-reasons-top.png")))  # the first screenful

    page.keyboard.press("Enter")
    page.wait_for_url("**/claims/*/?queue=*")
    page.wait_for_load_state("load")
    claim_id = int(page.url.split("/claims/")[1].split("/")[0])
    note = "Checked against the AP wire copy.\nSecond line stays in the note."
    page.keyboard.press("n")
    page.keyboard.type(note.split("\n")[0])
    page.keyboard.press("Enter")  # a plain Enter is a new line, not a submit
    page.keyboard.type(note.split("\n")[1])
    page.keyboard.press("Control+Enter")
    arrived(page, "Note added.")
    assert Annotation.objects.get(claim_id=claim_id).note.replace("\r\n", "\n") == note  # a form sends CRLF
