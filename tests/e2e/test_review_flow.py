"""In a real browser, from the keyboard: a reviewer works the seed story's queue."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from articles.models import Story
from claims.models import Claim, Conflict, Mention, ReviewEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_broker")]

Login = Callable[[Any, Any, str, str], None]
Screenshot = Callable[[Any, str], Path]


def arrived(page: Any, text: str) -> None:
    """Wait for a page's flash message and for its scripts (the shortcuts are attached on load)."""
    page.get_by_text(text).wait_for()
    page.wait_for_load_state("load")


def claim_id_in_url(page: Any) -> int:
    return int(page.url.split("/claims/")[1].split("/")[0])


def test_reviewer_confirms_merges_undoes_and_resolves_from_the_keyboard(
    page: Any, live_server: Any, reviewer: Any, processed_story: Story, login: Login, screenshot: Screenshot
) -> None:
    login(page, live_server, "rita", "rita-pw")
    page.goto(f"{live_server.url}{processed_story.get_absolute_url()}")

    # The queue, from the story page with "q"; open the first claim with Enter.
    page.keyboard.press("q")
    page.wait_for_url("**/claims/")
    page.wait_for_load_state("load")
    rows = page.locator("tr[data-row]")
    assert rows.count() == Claim.objects.filter(story=processed_story, status="proposed").count()
    screenshot(page, "queue")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    page.wait_for_url("**/claims/*/?queue=*")
    page.wait_for_load_state("load")
    first = claim_id_in_url(page)
    assert page.locator("mark").count() == Mention.objects.filter(claim_id=first).count()
    screenshot(page, "claim")

    # "c" then Enter confirms (without a verdict: tests/e2e/test_verdicts.py gives one) and opens the next claim.
    page.keyboard.press("c")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => !location.pathname.startsWith('/claims/{first}/')")
    assert Claim.objects.get(pk=first).status == Claim.Status.CONFIRMED
    second = claim_id_in_url(page)
    assert second != first
    arrived(page, "Confirmed.")

    # "m": merge a third claim into this one by number, then "u" undoes it.
    third = Claim.objects.filter(story=processed_story, status="proposed").exclude(pk=second).order_by("pk").first()
    moved = set(third.mentions.values_list("pk", flat=True))
    page.keyboard.press("m")
    page.keyboard.type(str(third.pk))
    page.keyboard.press("Enter")
    # The page knew only the number: it shows the claim as it is now, and "m" merges that version.
    arrived(page, f"Merge into claim #{second}?")
    assert page.locator(f'input[name="version_{third.pk}"]').get_attribute("value") == str(third.version)
    screenshot(page, "merge-confirm")
    page.keyboard.press("m")
    arrived(page, "Merged.")
    third.refresh_from_db()
    assert (third.status, third.merged_into_id) == (Claim.Status.MERGED, second)
    assert moved <= set(Mention.objects.filter(claim_id=second).values_list("pk", flat=True))
    page.keyboard.press("u")
    arrived(page, "Merge undone.")
    third.refresh_from_db()
    assert third.status == Claim.Status.PROPOSED
    assert set(third.mentions.values_list("pk", flat=True)) == moved
    history = page.locator("ol.history").inner_text()
    assert "undid a merge" in history and "merged" in history
    screenshot(page, "claim-after-undo")

    # The certainty conflict about the fire: pick "Cannot be settled" (5), write a note, resolve (s).
    fire = (
        Conflict.objects.filter(story=processed_story, kind="certainty", sides__mention__text__contains="caused")
        .distinct()
        .get()
    )
    page.goto(f"{live_server.url}/conflicts/{fire.pk}/", wait_until="load")
    assert page.locator("mark").count() == fire.sides.count()
    screenshot(page, "conflict")
    note = "AP says the protesters set it; PA and agencies say the cause is unknown."
    page.keyboard.press("5")
    # "5" chooses the fifth resolution; it does not leave the keyboard in a radio button.
    assert page.locator('input[name="resolution"][value="unsettled"]').is_checked()
    assert page.evaluate("() => document.activeElement.tagName") == "BODY"
    page.keyboard.press("n")
    page.keyboard.type(note)
    assert page.locator('textarea[name="note"]').input_value() == note
    screenshot(page, "conflict-resolving")
    page.keyboard.press("Escape")
    page.keyboard.press("s")
    # Resolved: the story's next open conflict is shown (tests/e2e/test_conflict_queue.py).
    arrived(page, f"Conflict #{fire.pk} resolved.")
    assert f"/conflicts/{fire.pk}/" not in page.url
    fire.refresh_from_db()
    assert (fire.status, fire.resolution, fire.resolution_note) == ("resolved", "unsettled", note)
    page.goto(f"{live_server.url}/conflicts/{fire.pk}/", wait_until="load")
    assert note in page.locator("main").inner_text()  # the resolved conflict's page shows the note
    assert "rita" in page.locator("ol.history").inner_text()

    # The history of each step, on the claims' pages.
    actions = list(ReviewEvent.objects.filter(actor=reviewer).order_by("id").values_list("action", flat=True))
    assert actions == ["confirm", "merge", "unmerge", "resolve"]
    page.goto(f"{live_server.url}/claims/{first}/")
    assert "confirmed" in page.locator("ol.history").inner_text()
    fire_claim = fire.sides.filter(side="b").first().mention.claim_id
    page.goto(f"{live_server.url}/claims/{fire_claim}/")
    assert "resolved a conflict" in page.locator("ol.history").inner_text()


def test_help_overlay_lists_the_shortcuts(
    page: Any, live_server: Any, reviewer: Any, processed_story: Story, login: Login
) -> None:
    login(page, live_server, "rita", "rita-pw")
    claim = Claim.objects.filter(story=processed_story).first()
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    help_box = page.locator("#key-help")
    assert help_box.is_hidden()
    page.keyboard.press("?")
    assert help_box.is_visible() and "confirm" in help_box.inner_text()
    page.keyboard.press("Escape")
    assert help_box.is_hidden()


def test_every_page_that_lists_keys_shows_them_with_the_question_mark(
    page: Any, live_server: Any, reviewer: Any, processed_story: Story, login: Login, screenshot: Screenshot
) -> None:
    login(page, live_server, "rita", "rita-pw")
    conflict = Conflict.objects.filter(story=processed_story).first()
    article = processed_story.articles.first()
    pages = {
        "stories": ("/", "open it"),
        "story": (processed_story.get_absolute_url(), "review the claim queue"),
        "conflict": (f"/conflicts/{conflict.pk}/", "choose a resolution"),
        "article": (article.get_absolute_url(), "back to the story"),
    }
    for name, (path, key_text) in pages.items():
        page.goto(f"{live_server.url}{path}", wait_until="load")
        help_box = page.locator("#key-help")
        assert help_box.is_hidden(), name
        page.keyboard.press("?")
        assert help_box.is_visible(), f"? shows no help on the {name} page"
        assert key_text in help_box.inner_text()
        screenshot(page, f"key-help-{name}")
        page.keyboard.press("Escape")
        assert help_box.is_hidden(), name

    # "b" on the article and conflict pages leads back to the story.
    page.goto(f"{live_server.url}{article.get_absolute_url()}", wait_until="load")
    page.keyboard.press("b")
    page.wait_for_url(f"**{processed_story.get_absolute_url()}")
