"""The claim page marks where mentions differ and explains its independent sources; the conflict page
marks what differs between the sides and groups the cards that say the same thing."""

from __future__ import annotations

import hashlib
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, Outlet, Story
from claims.models import Claim, Conflict, ConflictMention, Mention
from claims.pipeline.types import Attribution, Slots, to_jsonable
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

AP_SAYS = "Seven armored vehicles were seen near the gate, an Associated Press reporter said."
LOCAL_SAYS = "Seven armored vehicles were seen near the gate, a local reporter said."
REUTERS_SAYS = "Seven armored vehicles were seen near the gate on Tuesday."


def article(story: Story, outlet: str, body: str, **fields: Any) -> Article:
    return Article.objects.create(
        story=story,
        outlet=Outlet.objects.get_or_create(name=outlet, defaults={"slug": outlet.lower().replace(" ", "-")})[0],
        external_id=outlet.lower().replace(" ", "_"),
        original_text=body,
        body=body,
        content_hash=hashlib.sha256(f"{outlet}{body}".encode()).hexdigest(),
        **fields,
    )


def mention(claim: Claim | None, art: Article, *, credits: str | None = None) -> Mention:
    attributions = ()
    if credits:
        start = art.body.index(credits)
        attributions = (Attribution(credits, start, start + len(credits), credits, "Associated Press", "reporter"),)
    return Mention.objects.create(
        claim=claim, article=art, start=0, end=len(art.body), text=art.body,
        slots=to_jsonable(Slots(attributions=attributions)),
    )  # fmt: skip


@pytest.fixture
def desk(db: Any) -> dict[str, Any]:
    """A claim stated by four outlets: two credit an AP reporter, CNN's article copies Reuters'."""
    story = Story.objects.create(name="Gate", slug="gate")
    reuters = article(story, "Reuters", REUTERS_SAYS)
    cnn = article(story, "CNN", REUTERS_SAYS + " ", duplicate_of=reuters, duplicate_similarity=0.97)
    al_jazeera = article(story, "Al Jazeera", LOCAL_SAYS)
    sky = article(story, "Sky News", AP_SAYS)
    claim = Claim.objects.create(
        story=story, text=AP_SAYS, independent_sources=2, sources=["Associated Press", "Reuters"]
    )
    mentions = {
        "al_jazeera": mention(claim, al_jazeera, credits="a local reporter"),
        "sky": mention(claim, sky, credits="an Associated Press reporter"),
        "reuters": mention(claim, reuters),
        "cnn": mention(claim, cnn),
    }
    # mention_origin reads a named attribution: Al Jazeera's "a local reporter" names no outlet.
    Mention.objects.filter(pk=mentions["al_jazeera"].pk).update(slots=to_jsonable(Slots()))
    return {"story": story, "claim": claim, **mentions}


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def test_the_words_that_set_one_mention_apart_are_marked(as_reviewer: Client, desk: dict[str, Any]) -> None:
    story = desk["story"]
    claim = Claim.objects.create(story=story, text=AP_SAYS)
    odd = mention(claim, article(story, "Al Jazeera English", LOCAL_SAYS))
    same = [mention(claim, article(story, name, AP_SAYS)) for name in ("BBC", "The Guardian", "NPR")]
    html = as_reviewer.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    # "a local reporter" among three "an Associated Press reporter"s: only "a local" is marked, once.
    assert html.count('<b class="differs">') == 2  # in the text, and in the note under it
    card = html[html.index(f'id="mention-{odd.pk}"') :]
    card = card[: card.index("</article>")]
    assert (
        '<mark>Seven armored vehicles were seen near the gate, <b class="differs">a local</b> reporter said.</mark>'
        in card
    )
    assert "Differs from the others: a local" in text_of(card)
    for m in same:
        card = html[html.index(f'id="mention-{m.pk}"') :]
        assert 'class="differs"' not in card[: card.index("</article>")]


def test_the_claim_page_says_why_four_mentions_are_two_independent_sources(
    as_reviewer: Client, desk: dict[str, Any]
) -> None:
    html = as_reviewer.get(reverse("claims:claim_detail", args=[desk["claim"].pk])).content.decode()
    sources = text_of(html[html.index('id="sources"') : html.index('class="card sources"') + 2000])
    assert "Sources (2 independent for 4 mentions)" in sources
    reuters = Article.objects.get(outlet__name="Reuters")
    assert "Reuters counts once for 2 mentions Reuters: its own report" in sources
    assert f"CNN: a copy of Reuters's article #{reuters.pk}, 97% alike" in sources
    # Al Jazeera's local reporter is no named source: its outlet counts for it.
    assert "Al Jazeera Al Jazeera: its own report" in sources
    assert "Associated Press Sky News: credits “an Associated Press reporter”" in sources


def test_the_api_claim_detail_explains_the_sources(desk: dict[str, Any], reviewer: Any) -> None:
    body = token_client(reviewer).get(f"/api/v1/claims/{desk['claim'].pk}/").json()
    explained = {g["name"]: {m["outlet"]: (m["why"], m["credited_as"], m["copy_of"]) for m in g["mentions"]}
                 for g in body["sources_explained"]}  # fmt: skip
    reuters = Article.objects.get(outlet__name="Reuters")
    assert explained == {
        "Al Jazeera": {"Al Jazeera": ("own", None, None)},
        "Associated Press": {"Sky News": ("credits", "an Associated Press reporter", None)},
        "Reuters": {"Reuters": ("own", None, None), "CNN": ("copy", None, reuters.pk)},
    }


def test_the_conflict_page_marks_the_values_and_groups_cards_that_say_the_same(
    as_reviewer: Client, desk: dict[str, Any]
) -> None:
    story = desk["story"]
    three = "At least three people were killed at the gate."
    side_a = [mention(None, article(story, f"Outlet {i}", three + " " * i)) for i in range(5)]
    side_b = [mention(None, article(story, "Agence France-Presse", "Half a dozen people were killed at the gate."))]
    conflict = Conflict.objects.create(
        story=story, kind="number", severity="high", explanation="three vs half a dozen", key="k", confidence=0.9
    )
    for side, mentions in (("a", side_a), ("b", side_b)):
        ConflictMention.objects.bulk_create(ConflictMention(conflict=conflict, mention=m, side=side) for m in mentions)
    html = as_reviewer.get(reverse("claims:conflict_detail", args=[conflict.pk])).content.decode()
    assert '<b class="differs">At least three</b>' in html and '<b class="differs">Half a dozen</b>' in html
    # Five cards in the same words are one card, the others a click away; the resolve form follows.
    assert html.count('<article class="card mention side-a">') == 1
    assert "Outlet 0 and 4 more, in the same words" in text_of(html)
    assert "The same words in Outlet 1, Outlet 2, Outlet 3, Outlet 4" in text_of(html)
    assert html.count("<mark>") == 6  # every mention is still there
    assert html.index('name="resolution"') > html.index("sides-grid")


def test_slots_that_do_not_decode_do_not_break_the_page_or_the_api(
    as_reviewer: Client, desk: dict[str, Any], reviewer: Any
) -> None:
    Mention.objects.filter(pk=desk["sky"].pk).update(slots={"quantities": [{"value": 7, "unit": "vehicles"}]})
    assert as_reviewer.get(reverse("claims:claim_detail", args=[desk["claim"].pk])).status_code == 200
    body = token_client(reviewer).get(f"/api/v1/claims/{desk['claim'].pk}/").json()
    sky = [m for g in body["sources_explained"] for m in g["mentions"] if m["outlet"] == "Sky News"]
    assert sky[0]["why"] == "own"
