"""In a real browser, from the keyboard: a confirm carries the desk's verdict, and a colleague's note
landing meanwhile does not stop it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from articles.models import Story
from claims import review
from claims.models import Claim, ReviewEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_broker")]

Login = Callable[[Any, Any, str, str], None]
Screenshot = Callable[[Any, str], Path]


def arrived(page: Any, text: str) -> None:
    """Wait for a page's flash message and for its scripts (the shortcuts are attached on load)."""
    page.get_by_text(text).wait_for()
    page.wait_for_load_state("load")


def claim_id_in_url(page: Any) -> int:
    return int(page.url.split("/claims/")[1].split("/")[0])


def open_first_claim(page: Any, live_server: Any, story: Story) -> int:
    page.goto(f"{live_server.url}/stories/{story.slug}/claims/", wait_until="load")
    page.keyboard.press("Enter")
    page.wait_for_url("**/claims/*/?queue=*")
    page.wait_for_load_state("load")
    return claim_id_in_url(page)


def test_confirming_with_a_verdict_from_the_keyboard_lands_in_the_claimreview_export(
    page: Any, live_server: Any, reviewer: Any, processed_story: Story, login: Login, screenshot: Screenshot
) -> None:
    login(page, live_server, "rita", "rita-pw")
    first = open_first_claim(page, live_server, processed_story)
    panel = page.locator("details.confirm-panel")
    verdicts = panel.locator("button[name='verdict']")
    assert verdicts.first.is_hidden()  # 1-4 do nothing until "c" asks for a verdict
    page.keyboard.press("1")
    page.wait_for_timeout(300)
    assert claim_id_in_url(page) == first and Claim.objects.get(pk=first).status == Claim.Status.PROPOSED

    page.keyboard.press("?")
    help_text = page.locator("#key-help").inner_text()
    assert "accurate / inaccurate / misleading / unverifiable" in help_text and "without a verdict" in help_text
    page.keyboard.press("Escape")

    # "c" shows the verdicts, numbered, and the choice to confirm without one (Enter).
    page.keyboard.press("c")
    assert [b.inner_text().split(None, 1)[1] for b in verdicts.all()[:4]] == [
        "Accurate",
        "Inaccurate",
        "Misleading",
        "Unverifiable",
    ]
    assert verdicts.nth(4).is_visible() and "without a verdict" in verdicts.nth(4).inner_text()
    assert page.evaluate("() => document.activeElement.value") == ""  # Enter confirms without one
    screenshot(page, "claim-verdict")
    # Escape leaves it; "c" again, then "3": misleading, and on to the next claim of the queue.
    page.keyboard.press("Escape")
    assert verdicts.first.is_hidden()
    page.keyboard.press("c")
    page.keyboard.press("3")
    page.wait_for_function(f"() => !location.pathname.startsWith('/claims/{first}/')")
    arrived(page, "Confirmed as misleading.")
    claim = Claim.objects.get(pk=first)
    assert (claim.status, claim.verdict, claim.reviewed_by) == ("confirmed", "misleading", reviewer)
    assert ReviewEvent.objects.get(action="confirm", claims=claim).after["verdict"] == "misleading"

    # The next one: "c" then Enter confirms without a verdict (the desk verified only that it was said).
    second = claim_id_in_url(page)
    page.keyboard.press("c")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => !location.pathname.startsWith('/claims/{second}/')")
    arrived(page, "Confirmed.")
    assert Claim.objects.filter(pk=second).values_list("status", "verdict").get() == ("confirmed", "")

    # The story's ClaimReview export has the verdict, and not the claim confirmed without one.
    page.goto(f"{live_server.url}/claims/{first}/", wait_until="load")
    assert "Confirmed by rita" in page.locator(".claim-head").inner_text()
    assert "Misleading" in page.locator(".claim-head .decision").inner_text()
    assert "confirmed: Misleading" in page.locator("ol.history").inner_text()
    screenshot(page, "claim-confirmed-with-verdict")
    reviews = page.request.get(f"{live_server.url}/api/v1/stories/{processed_story.pk}/claimreview/").json()
    assert [(r["url"].rstrip("/").rsplit("/", 1)[1], r["reviewRating"]["alternateName"]) for r in reviews] == [
        (str(first), "Misleading")
    ]
    assert reviews[0]["reviewRating"]["ratingValue"] == 2


def test_a_colleagues_note_between_loading_a_claim_and_confirming_it_does_not_stop_the_confirm(
    page: Any, live_server: Any, reviewer: Any, editor: Any, processed_story: Story, login: Login
) -> None:
    login(page, live_server, "rita", "rita-pw")
    first = open_first_claim(page, live_server, processed_story)
    loaded = Claim.objects.get(pk=first).version
    assert page.locator("form[action$='/confirm/'] input[name='version']").get_attribute("value") == str(loaded)

    # Edith adds a note while the page is open in rita's browser.
    review.claim_annotate(claim_id=first, user=editor, note="AP has the same wording.", label="accurate")

    page.keyboard.press("c")
    page.keyboard.press("1")
    page.wait_for_function(f"() => !location.pathname.startsWith('/claims/{first}/')")
    arrived(page, "Confirmed as accurate.")
    assert "changed since you loaded it" not in page.locator("main").inner_text()
    claim = Claim.objects.get(pk=first)
    assert (claim.status, claim.verdict, claim.reviewed_by, claim.version) == (
        "confirmed",
        "accurate",
        reviewer,
        loaded + 1,
    )
    page.goto(f"{live_server.url}/claims/{first}/", wait_until="load")
    assert "AP has the same wording." in page.locator("main").inner_text()
