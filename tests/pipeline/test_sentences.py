from claims.pipeline.sentences import MAX_UNIT_CHARS, split_sentences


def test_offsets_are_exact():
    body = "First sentence here. Second one, with Mr. Smith at 3 p.m. on the U.S. side.\n\nA new paragraph."
    sents = split_sentences(body)
    assert [s.text for s in sents] == [
        "First sentence here.",
        "Second one, with Mr. Smith at 3 p.m. on the U.S. side.",
        "A new paragraph.",
    ]
    for s in sents:
        assert body[s.start : s.end] == s.text
    assert [s.paragraph for s in sents] == [0, 0, 1]


def test_multi_sentence_quotation_stays_one_unit():
    body = (
        "“Iran killed an American contractor, wounding many. We strongly responded, and always will. "
        "They will be held fully responsible,” he tweeted. The crowd later left."
    )
    sents = split_sentences(body)
    assert sents[0].text.endswith("he tweeted.")
    assert sents[1].text == "The crowd later left."


def test_dangling_attribution_tail_joins_the_quote():
    body = "“We will rebuild the bridge.” she said. Work starts in May."
    assert split_sentences(body)[0].text == "“We will rebuild the bridge.” she said."


def test_unbalanced_quote_cannot_swallow_the_article():
    body = "He said “this never closes. " + " ".join(f"Sentence number {i} is here." for i in range(300))
    sents = split_sentences(body)
    assert len(sents) > 100
    assert max(len(s.text) for s in sents) <= MAX_UNIT_CHARS


def test_pathological_paragraphs_are_bounded():
    for body in ["1 2 3 " * 50_000, "“" * 100_000, '" ' * 50_000, "x" * 300_000]:
        sents = split_sentences(body)
        for s in sents[:50]:
            assert body[s.start : s.end] == s.text


def test_abbreviation_patterns_are_compiled_once_and_split_the_same(monkeypatch):
    import re

    import pysbd.abbreviation_replacer

    from claims.pipeline import sentences

    body = (
        "Gen. Smith met Sen. Jones and Gov. Brown at 9 a.m. in Washington, D.C. on Jan. 3. "
        "Dr. Lee, Prof. Kahn and Mr. and Mrs. Ortiz of St. Louis, Mo. were there. "
        "The U.S. Dept. of Justice, Inc. and Co. Ltd. filed suit vs. Acme Corp. No. 5 is next."
    )
    cached = [(s.start, s.end) for s in split_sentences(body)]
    assert isinstance(pysbd.abbreviation_replacer.re, sentences._PatternCache)
    compiled = sentences._compiled.cache_info().currsize
    assert compiled > 10 and split_sentences(body) and sentences._compiled.cache_info().currsize == compiled
    monkeypatch.setattr(pysbd.abbreviation_replacer, "re", re)  # pysbd as it comes
    assert [(s.start, s.end) for s in split_sentences(body)] == cached
