"""In a real browser, keyboard only: actions on the claim page happen in place (htmx, no page load),
the next claim is there at once, and `u` takes the last action back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from articles.models import Story
from claims.models import Annotation, Claim, ReviewEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_broker")]

Login = Callable[[Any, Any, str, str], None]
Screenshot = Callable[[Any, str], Path]


def claim_on_page(page: Any) -> int:
    return int(page.locator("#claim-page").get_attribute("data-claim"))


def same_document(page: Any) -> bool:
    """The page was not loaded again since mark_document(): an in-place update, not a navigation."""
    return bool(page.evaluate("() => window.__sameDocument === true"))


def mark_document(page: Any) -> None:
    page.evaluate("() => { window.__sameDocument = true; }")


def open_the_queues_first_claim(page: Any, live_server: Any, story: Story, login: Login) -> int:
    """Signed in as rita, the story's claim queue, Enter: the first claim's page, loaded."""
    login(page, live_server, "rita", "rita-pw")
    page.goto(f"{live_server.url}{story.get_absolute_url()}claims/", wait_until="load")
    page.keyboard.press("Enter")
    page.wait_for_url("**/claims/*/?queue=*")
    page.wait_for_load_state("load")
    first = claim_on_page(page)
    return first


def test_confirm_in_place_then_undo_from_the_keyboard(
    page: Any, live_server: Any, reviewer: Any, processed_story: Story, login: Login, screenshot: Screenshot
) -> None:
    first = open_the_queues_first_claim(page, live_server, processed_story, login)
    assert page.evaluate("() => typeof window.htmx") == "object"  # served by the app, never a CDN (conftest)
    mark_document(page)

    # c, 3: confirmed as misleading; the next claim replaces this one, with no page load.
    page.keyboard.press("c")
    page.keyboard.press("3")
    page.wait_for_function(f"() => document.querySelector('#claim-page').dataset.claim !== '{first}'")
    second = claim_on_page(page)
    assert same_document(page), "the confirm loaded a new page instead of updating this one"
    assert f"/claims/{second}/" in page.url  # the address bar follows
    assert "Confirmed as misleading." in page.locator("ul.messages").inner_text()
    assert page.title().startswith(f"Claim #{second}")
    confirmed = Claim.objects.get(pk=first)
    assert (confirmed.status, confirmed.verdict) == (Claim.Status.CONFIRMED, "misleading")
    bar = page.locator(".undo-bar")
    assert f"confirm of claim #{first}" in bar.inner_text()
    screenshot(page, "in-place-confirmed-next-claim")

    # The keys work on the new content: n, a note, Ctrl+Enter adds it in place.
    page.keyboard.press("n")
    page.keyboard.type("Wire copy checked.")
    page.keyboard.press("Control+Enter")
    page.get_by_text("Note added.").wait_for()
    assert same_document(page) and claim_on_page(page) == second
    assert Annotation.objects.filter(claim_id=second, note="Wire copy checked.").exists()

    # u takes back the last action (the note), u again the confirm: the first claim is back, undecided.
    page.keyboard.press("u")
    page.get_by_text(f"Undone: your note of claim #{second}.").wait_for()
    assert not Annotation.objects.filter(claim_id=second).exists()
    page.keyboard.press("u")
    page.get_by_text(f"Undone: your confirm of claim #{first}.").wait_for()
    assert same_document(page) and claim_on_page(page) == first
    assert f"/claims/{first}/" in page.url
    undone = Claim.objects.get(pk=first)
    assert (undone.status, undone.verdict, undone.reviewed_by_id) == (Claim.Status.PROPOSED, "", None)
    history = page.locator("ol.history").inner_text()
    assert "rita undid a confirm" in history and "— undone" in history
    assert list(ReviewEvent.objects.filter(actor=reviewer).order_by("id").values_list("action", flat=True)) == [
        "confirm", "annotate", "undo", "undo",
    ]  # fmt: skip
    screenshot(page, "in-place-undone")

    # Reject in place, from the keyboard: x, the reason, Enter; the next claim again, no page load.
    page.keyboard.press("x")
    page.keyboard.type("Not what the embassy said")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelector('#claim-page').dataset.claim !== '{first}'")
    assert same_document(page)
    assert Claim.objects.get(pk=first).status == Claim.Status.REJECTED

    # Back in the browser: the claim before, as the address bar said, loaded afresh: rejected now.
    page.go_back()
    page.wait_for_function(f"() => location.pathname.startsWith('/claims/{first}/')")
    page.wait_for_load_state("load")
    page.locator(".claim-head .decision").wait_for()
    assert "Rejected by rita" in page.locator(".claim-head").inner_text()


def test_a_key_pressed_before_an_update_settles_still_acts_in_place(
    page: Any, live_server: Any, reviewer: Any, processed_story: Story, login: Login
) -> None:
    """htmx binds the forms an update brings in when it settles; a reviewer's next key may come first."""
    first = open_the_queues_first_claim(page, live_server, processed_story, login)
    mark_document(page)
    page.evaluate("() => { htmx.config.defaultSettleDelay = 3000; }")  # the 20 ms window, made wide
    page.keyboard.press("c")
    page.keyboard.press("3")
    page.wait_for_function(f"() => document.querySelector('#claim-page').dataset.claim !== '{first}'")
    second = claim_on_page(page)
    # c, 2 on the claim that just came in, whose forms htmx has not bound yet: the verdict goes too.
    page.keyboard.press("c")
    page.keyboard.press("2")
    page.wait_for_function(f"() => document.querySelector('#claim-page').dataset.claim !== '{second}'")
    assert same_document(page)
    confirmed = Claim.objects.get(pk=second)
    assert (confirmed.status, confirmed.verdict) == (Claim.Status.CONFIRMED, "inaccurate")
    page.keyboard.press("u")
    page.get_by_text(f"Undone: your confirm of claim #{second}.").wait_for()
    assert same_document(page) and claim_on_page(page) == second
    assert Claim.objects.get(pk=second).status == Claim.Status.PROPOSED


def test_without_javascript_the_forms_still_work(
    browser: Any, live_server: Any, reviewer: Any, processed_story: Story, login: Login
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, live_server, "rita", "rita-pw")
        claim = Claim.objects.filter(story=processed_story, status="proposed").order_by("pk").first()
        page.goto(f"{live_server.url}/claims/{claim.pk}/")
        with page.expect_navigation():
            page.locator("form[action$='/take/'] button").click()
        assert "You hold this claim now." in page.locator("ul.messages").inner_text()
        with page.expect_navigation():
            page.locator(".undo-bar button").click()
        assert f"Undone: your take of claim #{claim.pk}." in page.locator("ul.messages").inner_text()
        assert Claim.objects.get(pk=claim.pk).assignee_id is None
    finally:
        context.close()


def test_merge_finds_the_other_claim_by_words_and_shows_it_first(
    page: Any, live_server: Any, reviewer: Any, processed_story: Story, login: Login, screenshot: Screenshot
) -> None:
    login(page, live_server, "rita", "rita-pw")
    claims = Claim.objects.filter(story=processed_story, status="proposed").order_by("pk")
    claim, other = claims[0], claims[1]
    words = " ".join(sorted(other.text.replace(",", " ").replace(".", " ").split(), key=len)[-2:])
    page.goto(f"{live_server.url}/claims/{claim.pk}/", wait_until="load")
    mark_document(page)
    page.keyboard.press("m")
    page.keyboard.type(words)
    preview = page.locator("#merge-preview")
    preview.locator(".merge-candidate").first.wait_for()
    assert f"#{other.pk}" in preview.inner_text()  # the other claim, shown before anything is merged
    assert not ReviewEvent.objects.exists()
    screenshot(page, "merge-preview-by-words")
    position = [int(n) for n in preview.locator("input[name='others']").evaluate_all("els => els.map(e => e.value)")]
    page.keyboard.press("Escape")
    # The digit merges the previewed claim; it does not reach the closed confirm panel's verdicts.
    page.keyboard.press(str(position.index(other.pk) + 1))
    page.get_by_text("Merged.").wait_for()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PROPOSED
    assert same_document(page) and claim_on_page(page) == claim.pk
    other.refresh_from_db()
    assert (other.status, other.merged_into_id) == (Claim.Status.MERGED, claim.pk)
    page.keyboard.press("u")  # and back
    page.get_by_text("Merge undone.").wait_for()
    assert Claim.objects.get(pk=other.pk).status == Claim.Status.PROPOSED
