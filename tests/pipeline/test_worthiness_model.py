"""The learned check-worthiness model (issue 14.4): reading labelled files, training, scoring in
the pipeline with contributions that add up, and the command line. Sentences of our own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from claims.pipeline import worthiness_model
from claims.pipeline.extract import extract_article
from claims.pipeline.types import ArticleText

ROOT = Path(__file__).resolve().parents[2]

PLACES = ["Lyon", "Quito", "Dakar", "Perth", "Osaka", "Tampere", "Cork", "Recife", "Hanoi", "Tromso"]
WORTHY = [
    "Police in {p} arrested {n} people after the protest on Saturday.",
    "The {p} council voted to close the children's clinic last month.",
    "Unemployment in {p} fell to {n} percent in March, the statistics office said.",
    "The mayor of {p} signed a contract worth {n} million euros with the builder.",
    "Floods in {p} destroyed {n} homes and cut power to the old town.",
    "The court in {p} sentenced the former minister to {n} years in prison.",
]
OTHER = [
    "I think {p} is a lovely place to spend a quiet weekend.",
    "What will the people of {p} make of all this?",
    "It would be wonderful if {p} could host the games one day.",
    "We all hope the weather in {p} stays kind this summer.",
    "Honestly, the food in {p} is the best I have ever had.",
    "Maybe the team from {p} will surprise everyone this year.",
]


def labelled(templates: list[str], label: int, places: list[str]) -> list[tuple[str, int]]:
    return [(t.format(p=p, n=12 + i), label) for i, p in enumerate(places) for t in templates]


@pytest.fixture(scope="module")
def model() -> worthiness_model.WorthinessModel:
    train = labelled(WORTHY, 1, PLACES[:7]) + labelled(OTHER, 0, PLACES[:7])
    return worthiness_model.train_checkworthiness(train)


def test_reading_both_labelled_forms(tmp_path: Path) -> None:
    plain = tmp_path / "plain.tsv"
    plain.write_text("The dam burst on Monday.\t1\n\nI love this town.\t0\n", encoding="utf-8")
    assert worthiness_model.read_labelled(plain) == [("The dam burst on Monday.", 1), ("I love this town.", 0)]
    bench = tmp_path / "bench.tsv"
    bench.write_text(
        "Sentence_id\tText\tclass_label\n7\tThe dam burst on Monday.\tYes\n8\tNice!\tNo\n", encoding="utf-8"
    )
    assert worthiness_model.read_labelled(bench) == [("The dam burst on Monday.", 1), ("Nice!", 0)]
    bad = tmp_path / "bad.tsv"
    bad.write_text("The dam burst on Monday.\t1\nI love this town.\tmaybe\n", encoding="utf-8")
    with pytest.raises(worthiness_model.LabelledFileError, match=r"bad.tsv:2: the label is 'maybe'"):
        worthiness_model.read_labelled(bad)


def test_training_needs_both_kinds() -> None:
    with pytest.raises(ValueError, match="at least 5"):
        worthiness_model.train_checkworthiness(labelled(WORTHY, 1, PLACES[:3]))


def test_the_model_tells_the_kinds_apart_on_sentences_it_has_not_seen(
    model: worthiness_model.WorthinessModel,
) -> None:
    assert model.trained_on == 84 and model.positives == 42 and model.f1_cv is not None
    held_out = labelled(WORTHY, 1, PLACES[7:]) + labelled(OTHER, 0, PLACES[7:])
    predicted = model.predict([t for t, _ in held_out])
    right = sum(p == y for p, (_, y) in zip(predicted, held_out, strict=True))
    assert right >= 0.9 * len(held_out), (right, len(held_out))


def test_in_the_pipeline_the_model_decides_and_its_part_is_shown(model: worthiness_model.WorthinessModel) -> None:
    body = (
        "Police in Tromso arrested 31 people after the protest on Saturday.\n\n"
        "I think Tromso is a lovely place to spend a quiet weekend.\n\n"
        "Advertisement"
    )
    ruled = extract_article(ArticleText("a", body))
    learned = extract_article(ArticleText("a", body), model=model)
    by_start = {m.start: m for m in (*learned.mentions, *learned.rejected)}
    assert [m.text for m in learned.mentions] == ["Police in Tromso arrested 31 people after the protest on Saturday."]
    for m in by_start.values():
        if m.reason != "boilerplate":  # refused outright, no score to explain
            assert abs(sum(m.features.values()) - m.checkworthiness) < 0.002, m.features
    worthy = learned.mentions[0]
    assert "learned_model" in worthy.features and worthy.checkworthiness >= model.threshold
    advert = next(m for m in learned.rejected if m.text == "Advertisement")
    assert advert.reason == "boilerplate" and "learned_model" not in advert.features  # the rules' refusal stands
    assert {m.start for m in ruled.mentions} != set() and all("learned_model" not in m.features for m in ruled.mentions)


def test_the_command_line_trains_and_extracts_with_the_model(tmp_path: Path) -> None:
    train = tmp_path / "train.tsv"
    rows = labelled(WORTHY, 1, PLACES[:6]) + labelled(OTHER, 0, PLACES[:6])
    train.write_text("".join(f"{t}\t{y}\n" for t, y in rows), encoding="utf-8")
    out = tmp_path / "model.pkl"
    done = subprocess.run(
        [sys.executable, "-m", "claims.pipeline", "train-checkworthiness", str(train), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "trained on 72 sentences (36 check-worthy)" in done.stdout and out.exists()
    sentences = tmp_path / "s.txt"
    sentences.write_text(
        "The court in Hanoi sentenced the former minister to 9 years in prison.\nWhat will the people of Hanoi make of all this?\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "claims.pipeline", "extract", "--model", str(out), "--sentences", str(sentences)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    units = [json.loads(line) for line in done.stdout.splitlines()]
    assert [u["is_candidate"] for u in units] == [True, False]
    assert all("learned_model" in u["features"] for u in units)


def test_a_bad_labelled_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("only one column\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "claims.pipeline", "train-checkworthiness", str(bad), "--out", str(tmp_path / "m")],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2 and "bad.tsv:1: expected" in done.stderr and not (tmp_path / "m").exists()


def test_benchmark_files_with_other_columns_are_read_by_their_header(tmp_path: Path) -> None:
    debate = tmp_path / "debate.tsv"  # line, speaker, text, label: the text is not the second column
    debate.write_text(
        "line_number\tspeaker\ttext\tlabel\n1\tHOLT\tWelcome to the debate.\t0\n2\tCLINTON\tWe lost 800,000 jobs.\t1\n",
        encoding="utf-8",
    )
    assert worthiness_model.read_labelled(debate) == [("Welcome to the debate.", 0), ("We lost 800,000 jobs.", 1)]
    tweets = tmp_path / "tweets.tsv"
    tweets.write_text(
        "\ufefftopic\ttweet_id\ttweet_url\ttweet_text\tclass_label\n"
        "covid\t12\thttp://t/12\tThe vaccine was tested on 40,000 people.\tYes\n",
        encoding="utf-8",
    )
    assert worthiness_model.read_labelled(tweets) == [("The vaccine was tested on 40,000 people.", 1)]
    claimbuster = tmp_path / "claimbuster.tsv"  # -1 non-factual, 0 unimportant, 1 check-worthy
    claimbuster.write_text("Sentence_id\tText\tVerdict\n1\tThank you.\t-1\n2\tTaxes rose.\t1\n", encoding="utf-8")
    assert worthiness_model.read_labelled(claimbuster) == [("Thank you.", 0), ("Taxes rose.", 1)]


def test_a_bad_label_on_the_first_line_is_not_taken_for_a_header(tmp_path: Path) -> None:
    bad = tmp_path / "first.tsv"
    bad.write_text("I love this town.\tmaybe\nThe dam burst on Monday.\t1\n", encoding="utf-8")
    with pytest.raises(worthiness_model.LabelledFileError, match=r"first.tsv:1: the label is 'maybe'"):
        worthiness_model.read_labelled(bad)


def test_a_labelled_file_that_is_not_text_is_a_clear_error(tmp_path: Path) -> None:
    binary = tmp_path / "model.tsv"
    binary.write_bytes(b"\x80\x04\x95 not text\t1\n")
    with pytest.raises(worthiness_model.LabelledFileError, match="not UTF-8"):
        worthiness_model.read_labelled(binary)


def test_the_best_threshold_is_the_one_with_the_highest_f1() -> None:
    labels = [1, 1, 1, 0, 0, 0, 0, 0]
    probabilities = [0.9, 0.35, 0.32, 0.31, 0.2, 0.1, 0.1, 0.05]  # all three positives only above 0.31
    f1, threshold = worthiness_model.best_threshold(labels, probabilities)
    assert f1 == 1.0 and 0.31 < threshold <= 0.32


def test_the_chosen_threshold_is_kept_in_the_file_and_decides(
    model: worthiness_model.WorthinessModel, tmp_path: Path
) -> None:
    assert model.threshold in worthiness_model.THRESHOLD_GRID and model.c in worthiness_model.C_GRID
    path = tmp_path / "m.pkl"
    worthiness_model.save(model, path)
    again = worthiness_model.load(path)
    assert again.threshold == model.threshold and again.f1_cv == model.f1_cv
    text = "The court in Cork sentenced the former minister to 4 years in prison."
    p = again.probabilities([worthiness_model.row(text)])[0]
    rules = worthiness_model.row(text)["rules"]
    again.threshold = p + 0.01
    assert again.predict([text]) == [0] and worthiness_model.rescore(again, [(text, rules, None)])[0][0] is False
    again.threshold = p - 0.01
    assert again.predict([text]) == [1] and worthiness_model.rescore(again, [(text, rules, None)])[0][0] is True


def test_a_minority_class_is_found_and_the_probability_keeps_its_rate() -> None:
    # One check-worthy sentence in four, as in most benchmarks: a 0.5 threshold on an unweighted
    # model would find few of them; the chosen threshold finds them, and the scaled probability
    # of an ordinary sentence stays low.
    train = labelled(WORTHY[:3], 1, PLACES[:6]) + labelled(OTHER + OTHER[:3], 0, PLACES[:6])
    model = worthiness_model.train_checkworthiness(train)
    held_out = labelled(WORTHY[:3], 1, PLACES[7:]) + labelled(OTHER, 0, PLACES[7:])
    predicted = model.predict([t for t, _ in held_out])
    found = sum(p for p, (_, y) in zip(predicted, held_out, strict=True) if y)
    false_alarms = sum(p for p, (_, y) in zip(predicted, held_out, strict=True) if not y)
    assert found >= 0.8 * sum(y for _, y in held_out) and false_alarms <= 1, (found, false_alarms)
    others = model.probabilities([worthiness_model.row(t) for t, y in held_out if not y])
    assert max(others) < model.threshold


def test_a_model_of_the_first_format_still_scores(tmp_path: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    train = labelled(WORTHY, 1, PLACES[:4]) + labelled(OTHER, 0, PLACES[:4])
    pipeline = make_pipeline(FunctionTransformer(worthiness_model._texts), TfidfVectorizer(), LogisticRegression())
    pipeline.fit([worthiness_model.row(t) for t, _ in train], [y for _, y in train])
    old = worthiness_model.WorthinessModel(pipeline, trained_on=48, positives=24, f1_cv=0.9, c=1.0, format=1)
    path = tmp_path / "old.pkl"
    worthiness_model.save(old, path)
    loaded = worthiness_model.load(path)
    assert loaded.format == 1
    assert loaded.predict(["Floods in Lyon destroyed 40 homes and cut power to the old town."]) == [1]


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pkl"
    junk.write_bytes(b"not a pickle at all")
    with pytest.raises(worthiness_model.ModelFileError, match="train-checkworthiness"):
        worthiness_model.load(junk)
    future = tmp_path / "future.pkl"
    worthiness_model.save(
        worthiness_model.WorthinessModel(None, trained_on=0, positives=0, f1_cv=None, c=1.0, format=99), future
    )
    with pytest.raises(worthiness_model.ModelFileError, match="format 99"):
        worthiness_model.load(future)
    sentences = tmp_path / "s.txt"
    sentences.write_text("The dam burst on Monday.\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "claims.pipeline", "extract", "--model", str(junk), "--sentences", str(sentences)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2 and "junk.pkl cannot be read" in done.stderr


def test_a_long_sentence_list_is_read_to_its_end_with_offsets_of_the_whole_list(tmp_path: Path) -> None:
    from claims.pipeline.__main__ import SENTENCE_PART_CHARS

    line = "The council in Perth voted to close the old library on Monday."
    lines = [line] * (3 * SENTENCE_PART_CHARS // len(line))  # three parts' worth
    sentences = tmp_path / "long.txt"
    sentences.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "claims.pipeline", "extract", "--sentences", str(sentences)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    units = [json.loads(raw) for raw in done.stdout.splitlines()]
    assert not [u for u in units if "skipped" in u]
    starts = [u["start"] for u in units]
    assert starts == [i * (len(line) + 2) for i in range(len(lines))]
