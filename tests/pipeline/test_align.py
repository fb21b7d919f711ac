from claims.pipeline import align, analyse_story, extract_article
from claims.pipeline.types import ArticleText
from tests.pipeline.helpers import story


def test_machine_reworded_copy_aligns():
    _arts, res = story(
        "Dozens of supporters broke into the US embassy in Baghdad after breaking a door and storming in.",
        "Dozens of supporters have broken into the US embassy compound in Baghdad after smashing a door and storming inside.",
        "The weather in Baghdad was mild on the day of the funeral procession.",
    )
    (cl,) = [c for c in res.clusters if len(c.mentions) > 1]
    assert {k[0] for k in cl.mentions} == {1, 2}


def test_mentions_from_one_article_do_not_merge_unless_identical():
    body = (
        "Rescuers pulled 12 survivors from the rubble in Izmir on Sunday. "
        "Rescuers pulled 12 more survivors from the rubble in Izmir on Monday."
    )
    _, res = story(body)
    assert all(len(c.mentions) == 1 for c in res.clusters)
    _arts, res = story(
        "The bridge in Genoa collapsed at noon, killing nine.\n\nThe bridge in Genoa collapsed at noon, killing nine."
    )
    assert len(res.clusters) == 1 and len(res.clusters[0].mentions) == 2


def test_fixed_clusters_keep_their_mentions_and_new_mentions_join_them():
    arts = [
        ArticleText(1, "Floods in Valencia killed 51 people on Tuesday, officials said."),
        ArticleText(2, "The storm damaged the old harbour wall in Valencia overnight."),
        ArticleText(3, "Floods in Valencia killed 51 people on Tuesday, regional officials said."),
    ]
    exs = [extract_article(a) for a in arts]
    k1 = exs[0].mentions[0].key
    k2 = exs[1].mentions[0].key
    # a reviewer put two unrelated mentions into claim 7: they must stay together
    res = analyse_story(exs, arts, fixed={7: [k1, k2]})
    fixed = [c for c in res.clusters if c.extends == 7]
    assert len(fixed) == 1 and {k1, k2} <= set(fixed[0].mentions)
    assert exs[2].mentions[0].key in fixed[0].mentions  # the new copy joins claim 7


def test_two_fixed_clusters_are_never_merged_only_suggested():
    arts = [
        ArticleText(1, "Floods in Valencia killed 51 people on Tuesday, officials said."),
        ArticleText(2, "Floods in Valencia killed 51 people on Tuesday, regional officials said."),
    ]
    exs = [extract_article(a) for a in arts]
    res = analyse_story(exs, arts, fixed={"a": [exs[0].mentions[0].key], "b": [exs[1].mentions[0].key]})
    assert {c.extends for c in res.clusters} == {"a", "b"}
    assert any({s.cluster_a, s.cluster_b} == {"claim:a", "claim:b"} for s in res.suggestions)


def test_fixed_mentions_not_passed_again_are_kept():
    arts = [ArticleText(1, "Floods in Valencia killed 51 people on Tuesday, officials said.")]
    exs = [extract_article(a) for a in arts]
    res = analyse_story(exs, arts, fixed={9: [(99, 0, 10)]})
    assert any(c.extends == 9 and (99, 0, 10) in c.mentions for c in res.clusters)


def test_align_works_on_mentions_directly_and_is_order_independent():
    arts = [
        ArticleText(i, t)
        for i, t in enumerate(
            [
                "A magnitude 6.1 earthquake struck off the coast of Sumatra on Monday.",
                "An earthquake of magnitude 6.1 struck off Sumatra's coast on Monday, the agency said.",
                "Schools in Padang were closed as a precaution.",
            ]
        )
    ]
    ms = [m for a in arts for m in extract_article(a).mentions]
    a1 = align(ms)
    a2 = align(list(reversed(ms)))
    assert a1.clusters == a2.clusters and a1.suggestions == a2.suggestions


def test_unit_length_rows_are_scikit_learns_to_the_bit():
    """``similarity.l2_rows`` stands in for scikit-learn's ``normalize`` (not imported by the
    pipeline); every vector, and so every score and claim, must stay exactly what it was."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    from claims.pipeline.similarity import l2_rows

    rng = np.random.default_rng(7)
    for seed in range(4):
        x = sp.random(300, 2000, density=0.03, format="lil", dtype=np.float32, random_state=seed)
        x[3, :] = 0  # an empty row stays empty
        x = x.tocsr()
        x.data = (x.data * rng.uniform(0.001, 50, size=x.data.shape)).astype(np.float32)
        expected = normalize(x.copy(), norm="l2", copy=False)
        got = l2_rows(x.copy())
        assert got.dtype == np.float32 and got.nnz == x.nnz
        assert np.array_equal(got.indptr, expected.indptr) and np.array_equal(got.indices, expected.indices)
        assert np.array_equal(got.data, expected.data)
