import json
import random

import pytest

from claims.pipeline import analyse_story, extract_article, to_jsonable
from claims.pipeline.codec import from_jsonable
from claims.pipeline.types import ArticleExtraction, ArticleText, Embed, StoryAnalysis


def assert_handled(ex: ArticleExtraction) -> None:
    """extract_article turns any exception into an "internal error" skip: that is a failure here."""
    internal = [s.reason for s in ex.skipped if s.reason.startswith("internal error")]
    assert not internal, internal


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
    assert_handled(ex)
    assert ex.mentions == () and ex.skipped and reason in ex.skipped[0].reason


def test_two_megabyte_body_does_not_raise_and_is_truncated():
    para = "The council approved 12 new bus routes on Monday, the mayor said. " * 40
    body = "\n\n".join([para] * 800)
    assert len(body) > 2_000_000
    ex = extract_article(ArticleText("big", body))
    assert_handled(ex)
    assert ex.mentions
    assert any("truncated" in s.reason for s in ex.skipped)


def test_unbalanced_quotes_and_embeds_out_of_range_do_not_raise():
    body = "He said “this is never closed. And so on. " * 200
    ex = extract_article(ArticleText("q", body, embeds=(Embed(10**7, 10**7 + 5, "X", "x", None),)))
    assert_handled(ex)
    assert ex.sentences


def test_story_with_nothing_extractable_is_empty_not_an_error():
    arts = [ArticleText(1, ""), ArticleText(2, "1 2 3")]
    extractions = [extract_article(a) for a in arts]
    for ex in extractions:
        assert_handled(ex)
    assert [ex.skipped[0].reason for ex in extractions] == [
        "empty body",
        "no prose (numbers, symbols or quotation marks only)",
    ]
    res = analyse_story(extractions, arts)
    assert res.clusters == () and res.suggestions == () and res.conflicts == ()


def test_output_survives_a_json_round_trip(seed_analysis, seed_extractions):
    """What the services store as JSON reads back as the same objects."""
    analysis = from_jsonable(StoryAnalysis, json.loads(json.dumps(to_jsonable(seed_analysis))))
    assert analysis == seed_analysis
    # Conflict.factors is left out of equality; it must survive too.
    assert [c.factors for c in analysis.conflicts] == [c.factors for c in seed_analysis.conflicts]
    assert seed_analysis.conflicts and seed_analysis.clusters
    for ex in seed_extractions:
        assert_handled(ex)
        assert from_jsonable(ArticleExtraction, json.loads(json.dumps(ex.to_dict()))) == ex


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
