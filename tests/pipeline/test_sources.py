from claims.pipeline import analyse_story, extract_article
from claims.pipeline.sources import article_roots
from claims.pipeline.types import ArticleText
from tests.pipeline.helpers import story


def test_duplicate_chain_resolves_transitively_and_cycles_do_not_hang():
    arts = [
        ArticleText(1, "a"),
        ArticleText(2, "b", duplicate_of=1),
        ArticleText(3, "c", duplicate_of=2),
        ArticleText(4, "d", duplicate_of=5),
        ArticleText(5, "e", duplicate_of=4),
    ]
    roots = article_roots(arts)
    assert roots[3] == roots[2] == 1
    assert roots[4] == roots[5] == 4


def test_near_duplicates_count_once():
    text = "The central bank raised its main rate to 4.5 percent on Thursday, its highest since 2008."
    arts = [
        ArticleText(1, text, outlet="Outlet A"),
        ArticleText(2, text, outlet="Outlet B", duplicate_of=1),
        ArticleText(3, text.replace("Thursday", "Thursday afternoon"), outlet="Outlet C"),
    ]
    res = analyse_story([extract_article(a) for a in arts], arts)
    (cl,) = [c for c in res.clusters if len(c.mentions) == 3]
    assert cl.independent_sources == 2


def test_same_originating_agency_counts_once():
    _, res = story(
        "An Associated Press reporter saw four tanks enter the square in Minsk on Sunday.",
        "An AP reporter saw four tanks enter the square in Minsk on Sunday.",
        outlets=("Daily One", "Daily Two"),
    )
    (cl,) = [c for c in res.clusters if len(c.mentions) == 2]
    assert cl.independent_sources == 1 and cl.sources == ("Associated Press",)
