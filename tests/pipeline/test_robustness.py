import dataclasses
import json
import random

import pytest

from claims.pipeline import analyse_story, extract_article, to_jsonable
from claims.pipeline.types import ArticleText, Embed


@pytest.mark.parametrize(
    "body,reason",
    [
        ("", "empty"),
        ("   \n\n  ", "empty"),
        ("هاجم محتجون السفارة الأمريكية في بغداد وأضرموا النار في منطقة الاستقبال. " * 20, "non-Latin"),
        ("抗议者冲进了美国驻巴格达大使馆，并在接待区纵火。" * 30, "non-Latin"),
        ("1 2 3 4 5 6 7 8 9 10 " * 500, "no prose"),
        ('“”""“”‘’ ' * 2000, "no prose"),
        (
            "Der Bürgermeister sagte, dass die Brücke morgen wieder geöffnet wird und alle Autos fahren können. " * 5,
            "not English",
        ),
    ],
)
def test_bad_bodies_are_skipped_with_a_reason(body, reason):
    ex = extract_article(ArticleText("x", body))
    assert ex.mentions == () and ex.skipped and reason in ex.skipped[0].reason


def test_two_megabyte_body_does_not_raise_and_is_truncated():
    para = "The council approved 12 new bus routes on Monday, the mayor said. " * 40
    body = "\n\n".join([para] * 800)
    assert len(body) > 2_000_000
    ex = extract_article(ArticleText("big", body))
    assert ex.mentions
    assert any("truncated" in s.reason for s in ex.skipped)


def test_unbalanced_quotes_and_embeds_out_of_range_do_not_raise():
    body = "He said “this is never closed. And so on. " * 200
    ex = extract_article(ArticleText("q", body, embeds=(Embed(10**7, 10**7 + 5, "X", "x", None),)))
    assert ex.sentences


def test_story_with_nothing_extractable_is_empty_not_an_error():
    arts = [ArticleText(1, ""), ArticleText(2, "1 2 3")]
    res = analyse_story([extract_article(a) for a in arts], arts)
    assert res.clusters == () and res.conflicts == ()


def test_output_is_json_serialisable(seed_analysis, seed_extractions):
    json.dumps(to_jsonable(seed_analysis))
    json.dumps(seed_extractions[0].to_dict())
    dataclasses.asdict(seed_analysis)


def test_deterministic_and_order_independent(seed_articles, seed_analysis):
    again = analyse_story([extract_article(a) for a in seed_articles], seed_articles)
    assert again == seed_analysis
    shuffled = list(seed_articles)
    random.Random(7).shuffle(shuffled)
    exs = [extract_article(a) for a in shuffled]
    random.Random(3).shuffle(exs)
    assert analyse_story(exs, shuffled) == seed_analysis


def test_conflict_keys_are_stable_and_unique(seed_analysis):
    keys = [c.key for c in seed_analysis.conflicts]
    assert len(keys) == len(set(keys))
