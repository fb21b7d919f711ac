"""One name for an article and one for its outlet, on every page (issue 13.10)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.test import Client

from articles.models import Article, Story
from articles.naming import headline, outlet_label
from claims.models import Conflict

pytestmark = pytest.mark.django_db

UNNAMED = "unnamed outlet (002_d3a917ba29528ce3)"
OTHER_NAMES = ["Unknown outlet", "unknown outlet", 'unnamed outlet <span class="muted">']


def text_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.content.decode())


def test_names_without_a_title_or_an_outlet() -> None:
    assert outlet_label(None, "002_d3a9") == "unnamed outlet (002_d3a9)"
    assert outlet_label("PA Media", "004") == "PA Media"
    assert headline("Embassy stormed", "Body.") == "Embassy stormed"
    assert headline("", "Dozens broke in. Then more came.") == "Dozens broke in."
    long = headline("", "word " * 40)
    assert long.endswith("…") and len(long) <= 91 and "  " not in long
    assert headline("", "", "002_d3a9") == "002_d3a9"


def test_an_article_without_an_outlet_has_one_name_on_every_page(
    client: Client, reviewer: User, processed_story: Story
) -> None:
    client.force_login(reviewer)
    article = Article.objects.get(story=processed_story, external_id="002_d3a917ba29528ce3")
    assert article.outlet is None and not article.title
    mention = article.mentions.filter(conflict_sides__isnull=False).first()
    conflict = Conflict.objects.filter(sides__mention=mention).first()
    pages = {
        "story": processed_story.get_absolute_url(),
        "article": article.get_absolute_url(),
        "conflict": f"/conflicts/{conflict.pk}/",
        "claim": f"/claims/{mention.claim_id}/",
    }
    for name, url in pages.items():
        page = text_of(client, url)
        assert UNNAMED in page, name
        for other in OTHER_NAMES:
            assert other not in page, (name, other)

    assert f"<td>{UNNAMED}</td>" in text_of(client, pages["story"])  # the outlet column, not "—"
    page = text_of(client, article.get_absolute_url())
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "002_d3a917ba29528ce3" not in title
    assert title.startswith("US President Donald Trump on Tuesday blamed Iran")
    assert f"<h1>{headline('', article.body)}</h1>" in page
