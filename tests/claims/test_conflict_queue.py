"""The conflict queue, and the claim queue saying why a claim is there (issue 13, "What a reviewer
needs next"): a story's open conflicts surest first, resolving one opens the next; each claim row
names its open conflicts with the other side's outlets and the two values, its outlets, and the
story's review progress, in a number of queries that does not grow with the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Story
from articles.naming import outlet_label
from claims import review, selectors, views
from claims.models import Claim, Conflict, Mention

pytestmark = pytest.mark.django_db


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def shown_open(story: Story) -> Any:
    return Conflict.objects.filter(story=story, status=Conflict.Status.OPEN, confidence__gte=selectors.min_confidence())


def row_of(page: Any, claim_id: int) -> str:
    """A claim's row of the queue page, as text."""
    html = page.content.decode()
    start = html.index(f'<td class="muted">{claim_id}</td>')
    return " ".join(html[start : html.index("</tr>", start)].split())


# --- the conflict queue --------------------------------------------------------------------------------


def test_conflict_queue_lists_open_conflicts_surest_first_then_by_severity(
    as_reviewer: Client, processed_story: Story
) -> None:
    shown = list(shown_open(processed_story).order_by("-confidence", "id"))
    assert len(shown) >= 3
    # Two equally sure: the more severe first.
    tie, other = shown[1], shown[2]
    Conflict.objects.filter(pk=tie.pk).update(severity="low")
    Conflict.objects.filter(pk=other.pk).update(severity="high", confidence=tie.confidence)
    resolved = shown[0]
    review.conflict_resolve(
        conflict_id=resolved.pk, user=User.objects.get(username="rita"), version=resolved.version, resolution="both"
    )

    url = reverse("claims:conflict_queue", args=[processed_story.slug])
    page = as_reviewer.get(url)
    listed = [k.pk for k in page.context["conflicts"]]
    assert listed[:2] == [other.pk, tie.pk]
    assert resolved.pk not in listed
    assert set(listed) == set(shown_open(processed_story).values_list("pk", flat=True))
    html = page.content.decode()
    weak = Conflict.objects.filter(story=processed_story, confidence__lt=selectors.min_confidence())
    assert f"{weak.count()} possible discrepancies" in html  # a link away, as on the story page

    possible = as_reviewer.get(url, {"possible": "1"})
    assert {k.pk for k in possible.context["conflicts"]} == set(weak.values_list("pk", flat=True))
    assert "Possible discrepancies" in possible.content.decode()


def test_story_page_and_its_keys_lead_to_the_conflict_queue(as_reviewer: Client, processed_story: Story) -> None:
    html = as_reviewer.get(processed_story.get_absolute_url()).content.decode()
    url = reverse("claims:conflict_queue", args=[processed_story.slug])
    assert f'href="{url}" data-key="c"' in html
    assert "work through the open conflicts" in html  # the ? help


def test_resolving_opens_the_next_open_conflict_then_the_queue_when_none_is_left(
    as_reviewer: Client, processed_story: Story
) -> None:
    order = [k.pk for k in selectors.conflict_queue(processed_story)]
    assert len(order) >= 2
    # Resolve the second first: the next is the third (after where it stood), then, past the end, the first.
    for pk, expected in zip(order[1:], [*order[2:], order[0]], strict=True):
        conflict = Conflict.objects.get(pk=pk)
        response = as_reviewer.post(
            reverse("claims:conflict_action", args=[pk, "resolve"]),
            {"version": conflict.version, "resolution": "both", "note": "checked"},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("claims:conflict_detail", args=[expected])
    last = Conflict.objects.get(pk=order[0])
    response = as_reviewer.post(
        reverse("claims:conflict_action", args=[last.pk, "resolve"]),
        {"version": last.version, "resolution": "side_a"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("claims:conflict_queue", args=[processed_story.slug])
    assert messages_of(response)[-2:] == [f"Conflict #{last.pk} resolved.", "No open conflicts are left in this list."]
    assert not shown_open(processed_story).exists()
    # A possible discrepancy leads to the next possible one, not to the surer list.
    weak = list(selectors.conflict_queue(processed_story, possible=True))
    if len(weak) >= 2:
        response = as_reviewer.post(
            reverse("claims:conflict_action", args=[weak[0].pk, "resolve"]),
            {"version": weak[0].version, "resolution": "not_a_conflict"},
        )
        assert response["Location"] == reverse("claims:conflict_detail", args=[weak[1].pk])


def test_a_refused_resolve_stays_on_the_conflict(as_reviewer: Client, processed_story: Story) -> None:
    conflict = shown_open(processed_story).first()
    response = as_reviewer.post(
        reverse("claims:conflict_action", args=[conflict.pk, "resolve"]), {"version": conflict.version}
    )
    assert response["Location"] == reverse("claims:conflict_detail", args=[conflict.pk])
    assert Conflict.objects.get(pk=conflict.pk).status == Conflict.Status.OPEN


def test_conflict_page_links_its_queue(as_reviewer: Client, processed_story: Story) -> None:
    conflict = shown_open(processed_story).first()
    html = as_reviewer.get(reverse("claims:conflict_detail", args=[conflict.pk])).content.decode()
    assert f'href="{reverse("claims:conflict_queue", args=[processed_story.slug])}" data-key="q"' in html


# --- the claim queue says why -----------------------------------------------------------------------------


def test_conflict_values_are_read_from_each_kind_of_explanation() -> None:
    values = selectors.conflict_values
    number = (
        "Associated Press says “Dozens of protesters”; Agencies and PA Media say “Hundreds of angry protesters” — x"
    )
    assert values("number", number)[:2] == ("Dozens of protesters", "Hundreds of angry protesters")
    quote = (
        "Donald J. Trump is quoted in different words: BI has “Iran killed, wounding many”; Agencies has “Iran "
        "killed and injured many” (differences: “addition” ↔ “iraq you will be held fully responsible”; "
        "“wounding” ↔ “and injured”; “so” ↔ “—”) — both are presented as the exact words"
    )
    assert values("quote", quote) == (
        "wounding",
        "and injured",
        ("Iran killed, wounding many", "Iran killed and injured many"),
    )
    one_sided = quote.replace(
        "“addition” ↔ “iraq you will be held fully responsible”; “wounding” ↔ “and injured”; ", ""
    )
    assert values("quote", one_sided)[:2] == ("so", "")
    attribution = (
        "The same report is credited to different sources: AP credits Reuters (“Reuters reported”); "
        "CNN credits AFP (“AFP said”)."
    )
    assert values("attribution", attribution) == ("Reuters", "AFP", ("Reuters reported", "AFP said"))
    assert values("negation", "no quotation here") is None


def test_each_queue_row_says_why_the_claim_is_there(as_reviewer: Client, processed_story: Story) -> None:
    url = reverse("claims:queue", args=[processed_story.slug])

    def row(claim: Claim, **params: str) -> str:
        return row_of(as_reviewer.get(url, {"status": "all", "q": claim.text[:40], **params}), claim.pk)

    fire = Mention.objects.filter(article__story=processed_story, text__startswith="There was a fire").first().claim
    shown = row(fire)
    # Its side first, the other side's outlets named.
    assert "certainty conflict</span></a> with Associated Press, Business Insider, unnamed outlet (002_" in shown
    assert (
        "<q>It is not clear what caused a fire in the reception area…</q> vs <q>setting fire to a reception area</q>"
        in shown
    )
    outlets = sorted(
        {outlet_label(m.article.outlet and m.article.outlet.name, m.article.external_id) for m in fire.mentions.all()},
        key=str.casefold,
    )
    assert len(outlets) == 4 and "PA Media" in outlets
    assert f'<td class="outlets">{", ".join(outlets[:3])} <span class="muted">+1 more</span></td>' in shown

    # The possible discrepancies, when the queue asks for them: "number ... with AP: hundreds vs dozens".
    crowd = Mention.objects.filter(article__story=processed_story, text__startswith="Hundreds of angry").first().claim
    assert (
        "possible number discrepancy</span></a> with Associated Press: <q>Hundreds of angry protesters</q> vs "
        "<q>Dozens of protesters</q>" in row(crowd, conflict="possible")
    )

    # A claim with mentions on both sides (as a quotation worded two ways can be aligned): which of its
    # outlets say which.
    conflict = Conflict.objects.filter(sides__mention__claim=fire, kind="certainty").distinct().get()
    caused = Mention.objects.filter(conflict_sides__conflict=conflict, conflict_sides__side="a").first().claim
    Mention.objects.filter(conflict_sides__conflict=conflict, conflict_sides__side="b").update(claim=caused)
    assert (
        "between its mentions: Associated Press, Business Insider, unnamed outlet (002_d3a917ba29528ce3) "
        "<q>setting fire to a reception area</q> vs Agencies, PA Media "
        "<q>It is not clear what caused a fire in the reception area…</q>" in row(caused)
    )


def test_the_queue_shows_the_storys_review_progress(
    as_reviewer: Client, processed_story: Story, reviewer: User
) -> None:
    url = reverse("claims:queue", args=[processed_story.slug])
    standing = Claim.objects.filter(story=processed_story).exclude(status="merged").count()
    assert f"0 of {standing} decided" in as_reviewer.get(url).content.decode()
    first, second = Claim.objects.filter(story=processed_story).order_by("pk")[:2]
    review.claim_confirm(claim_id=first.pk, user=reviewer, version=first.version, verdict="accurate")
    review.claim_reject(claim_id=second.pk, user=reviewer, version=second.version, reason="opinion")
    assert f"2 of {standing} decided" in as_reviewer.get(url).content.decode()


def test_the_queue_page_makes_as_many_queries_for_two_rows_as_for_fifty(
    as_reviewer: Client, processed_story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = reverse("claims:queue", args=[processed_story.slug])
    counts = {}
    for size in (2, 50):
        monkeypatch.setattr(views, "PAGE_SIZE", size)
        with CaptureQueriesContext(connection) as queries:
            page = as_reviewer.get(url, {"status": "all"})
        assert len(page.context["rows"]) == min(size, page.context["page"].paginator.count)
        counts[size] = len(queries)
    assert counts[2] == counts[50], counts
