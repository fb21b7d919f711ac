"""The story stage attaches new mentions to their claims in a few statements, never moving one a claim has."""

from __future__ import annotations

import pytest
from django.utils import timezone

from articles.models import Article, Story
from claims import persist
from claims.models import Claim, Mention

pytestmark = pytest.mark.django_db


def test_mentions_are_attached_in_batches_and_an_aligned_one_stays(monkeypatch):
    monkeypatch.setattr(persist, "_ATTACH_BATCH", 2)  # several statements, a claim's mentions split across two
    story = Story.objects.create(name="Bridge", slug="bridge")
    body = "One. Two. Three. Four. Five. Six. Seven."
    article = Article.objects.create(
        story=story, external_id="a", original_text=body, body=body, content_hash="a", processed_at=timezone.now()
    )
    claims = [Claim.objects.create(story=story, text=f"claim {n}") for n in range(3)]
    mentions = [Mention.objects.create(article=article, start=n, end=n + 1, text=body[n : n + 1]) for n in range(7)]
    held = mentions[6]
    held.claim = claims[2]
    held.save()  # a reviewer put it in claim 2 since the analysis

    attached = persist._attach(
        [
            (claims[0].pk, [mentions[0].pk, mentions[3].pk, mentions[4].pk]),
            (claims[1].pk, [mentions[1].pk, mentions[2].pk, mentions[6].pk]),
        ]
    )

    assert attached == 5
    now = dict(Mention.objects.values_list("pk", "claim_id"))
    assert [now[m.pk] for m in mentions] == [
        claims[0].pk, claims[1].pk, claims[1].pk, claims[0].pk, claims[0].pk, None, claims[2].pk,
    ]  # fmt: skip
    assert persist._attach([]) == 0
