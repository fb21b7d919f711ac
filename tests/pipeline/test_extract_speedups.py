"""The sentence splitter's speed-ups change nothing: pysbd as it comes splits the same and the
extraction built on it gives the same sentences, mentions and slots (issue 15.6).

Made-up text only; bench/pipeline_speed.py compares the two on the real dev stories."""

from __future__ import annotations

import random
import re
import sys

import pysbd
import pysbd.abbreviation_replacer
import pytest
from pysbd.lang.english import English

from claims.pipeline import extract_article, sentences
from claims.pipeline.types import ArticleText, to_jsonable

PARAGRAPHS = [
    "Gen. Smith met Sen. Jones and Gov. Brown at 9 a.m. in Washington, D.C. on Jan. 3. "
    "Dr. Lee, Prof. Kahn and Mr. and Mrs. Ortiz of St. Louis, Mo. were there.",
    "The U.S. Dept. of Justice, Inc. and Co. Ltd. filed suit vs. Acme Corp. No. 5 is next, "
    "e.g. the one on Main St. i.e. the old mill. It is what it is. Is it? It is.",
    "“We will rebuild the bridge,” the mayor said. “It is done.” Police said 12 people died "
    "and 40 were injured; officials said the toll could rise to 50. He said: “Never.”",
    "At least 3,000 demonstrators gathered on Jan. 1 outside the embassy, Lt. Col. Ray Baker "
    "told reporters. Rev. Al Sharpton (D-N.Y.) and Rep. Ann Wagner (R-Mo.) disagreed.",
    "The figure is 1.5 per cent, or $2.3 bn. vs. $1.1 bn. a year ago. Shares rose 4 pct. "
    "Mr. Smith?! No. 10 Downing St. declined to comment... The end. The end.",
    "Repeated sentence here. Repeated sentence here. Repeated sentence here.\u00a0Then more.\u2003And more.",
    "{Mr} Smith and {Dr} Who met {st} Mary. Mr. {Smith} is, e.g. {e.g} here. Is {is} it? Yes.",
    "It is. then we met {is} The end. No. we have {no} Doubt and {al} A friend.",
    "İstanbul’s Gov. Ali and the \u212aelvin unit, \u017ft. Ives and ıs it. Mr. Bay is in St. Paul.",
    "1. First item. 2. Second item. a) one b) two. He is Ph.D. at Calif. Univ. in Sept. 2018.",
    # abbreviations ending longer words before a period, at the start, glued, upper case, "∯" already there
    "Est. 1900 by Xmr. Amr and MR. Jones, jr.Jr. Smith; pp.12-14 of Vol. 3∯ Ave. and Aves. st. Dept.",
    "",
    "   ",
    "No sentence end here and Mr",
]


def _stock_segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


@pytest.fixture
def stock_pysbd(monkeypatch):
    """pysbd as it comes: its own segmenter and the plain ``re`` module."""
    monkeypatch.setattr(sentences, "_segmenter", _stock_segmenter)
    with sentences.pysbd_as_it_comes():
        yield


def _fuzz_lines(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    abbreviations = English.Abbreviation.ABBREVIATIONS
    words = ["the", "is", "It", "He", "said", "{", "}", "5", "(a)", "I", "I'm", "I'll", "Smith", "US", "İ", "\u212a"]
    marks = [".", ". ", ", ", ": ", "-", "?", " ", "  ", "\u00a0", "\n", "\r", ": 3", " (", ".."]
    lines = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(3, 25)):
            word = rng.choice(abbreviations) if rng.random() < 0.5 else rng.choice(words)
            if rng.random() < 0.3:
                word = word.capitalize() if rng.random() < 0.5 else word.upper()
            if rng.random() < 0.1:  # pysbd reads the character after "{abbr} "
                word = "{" + rng.choice(abbreviations) + "} " + rng.choice(["The", "a", "I", "x"])
            parts.append(word + rng.choice(marks))
        lines.append("".join(parts))
    return lines


def test_abbreviations_are_replaced_as_pysbd_does():
    lines = [*PARAGRAPHS, *_fuzz_lines(400, seed=15)]
    for line in lines:
        ours = sentences._AbbreviationReplacer(line, English).replace()
        with sentences.pysbd_as_it_comes():
            theirs = English.AbbreviationReplacer(line, English).replace()
        assert ours == theirs, line


def test_sentence_spans_are_found_as_pysbd_finds_them():
    text = "A b. A b. C (d)?  E*f.\u00a0\u3000G [h] $1.  A b.\n\nA b.  "
    candidates = [
        ["A b.", "A b.", "C (d)?", "E*f.", "G [h] $1.", "A b.", "A b."],
        ["A b.", "missing", "A b.", "", "E*f.", "", "A b."],
        ["", "", "A b."],
        ["C (d)?", "A b.", "A b."],
    ]
    ours, theirs = sentences._segmenter(), _stock_segmenter()
    for sents in candidates:
        ours.original_text = theirs.original_text = text
        got = [(s.sent, s.start, s.end) for s in ours.sentences_with_char_spans(sents)]
        want = [(s.sent, s.start, s.end) for s in theirs.sentences_with_char_spans(sents)]
        assert got == want


def test_segments_are_pysbds():
    ours = sentences._segmenter()
    for text in [*PARAGRAPHS, *_fuzz_lines(150, seed=6)]:
        mine = ours.segment(text)
        with sentences.pysbd_as_it_comes():
            assert mine == _stock_segmenter().segment(text), text


def test_extraction_is_the_same_as_with_pysbd_as_it_comes(request, seed_articles):
    made_up = [ArticleText(id=900 + i, body=p, outlet="Daily Courier") for i, p in enumerate(PARAGRAPHS)]
    made_up.append(ArticleText(id=950, body="\n\n".join(PARAGRAPHS), outlet="AP"))
    articles = [*made_up, *seed_articles]
    ours = [to_jsonable(extract_article(a)) for a in articles]
    request.getfixturevalue("stock_pysbd")
    theirs = [to_jsonable(extract_article(a)) for a in articles]
    assert sum(len(x["mentions"]) for x in ours) > 20
    for mine, stock in zip(ours, theirs, strict=True):
        assert mine == stock


def test_characters_that_fold_to_ascii_letters_are_all_known():
    """The letters-only search relies on: re.IGNORECASE matching an ASCII letter only to ASCII
    letters and _FOLDS_TO_ASCII, str.lower keeping lengths but for those, and \\s == isspace."""
    ascii_letter = re.compile("[a-z]", re.IGNORECASE)
    space = re.compile(r"\s")
    folding = set()
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        assert bool(space.fullmatch(ch)) == ch.isspace()
        if cp > 127:
            lower = ch.lower()
            if ascii_letter.fullmatch(ch) or len(lower) != 1 or lower.isascii():
                folding.add(ch)
    assert folding == sentences._FOLDS_TO_ASCII


def test_letters_are_counted_as_one_character_at_a_time_counts_them():
    """letters_ratio counts ASCII text in C; it gives what reading every character gives."""
    from claims.pipeline.text import letters_ratio

    def by_character(text: str) -> tuple[int, int]:
        letters = [ch for ch in text if ch.isalpha()]
        return len(letters), sum(1 for ch in letters if ch < "\u0250")

    rng = random.Random(5)
    ascii_chars = [chr(c) for c in range(128)]
    other = list("éßøΩжب北’“ﬁ") + ascii_chars
    texts = ["", "123 ...", "The U.S. embassy, 3 p.m.", "Ünïcödé and Ελληνικά"]
    texts += ["".join(rng.choices(ascii_chars, k=rng.randint(0, 80))) for _ in range(300)]
    texts += ["".join(rng.choices(other, k=rng.randint(0, 80))) for _ in range(300)]
    for text in texts:
        assert letters_ratio(text) == by_character(text), text
