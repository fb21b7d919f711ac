"""Check-worthiness learned from labelled sentences (issue 14.4): a logistic regression over the
sentence's words and character n-grams and the rules' own contributions (stage 2, candidates.py).

    python -m claims.pipeline train-checkworthiness LABELLED.tsv --out MODEL
    python -m claims.pipeline extract --model MODEL FILE...

LABELLED.tsv is either `sentence<TAB>1|0` lines, or a benchmark's `id<TAB>text<TAB>Yes|No` with a
header line (the CheckThat! lab's form). The rules stay the first reader: a line they refuse outright
(boilerplate, a caption, mostly symbols) stays refused, and their contributions are features the
model weighs; the model's probability is the score, and its part in it is shown as one more
contribution ("learned_model"), so that what a reviewer reads still adds up to the score.

Pure Python with scikit-learn; nothing is downloaded. A model file is a pickle: load only files
you made (the app stores its own).
"""

from __future__ import annotations

import csv
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from .candidates import score_sentence
from .slots import extract_slots

FORMAT = 1
THRESHOLD = 0.5  # until training says better
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
_LABELS = {"1": 1, "0": 0, "yes": 1, "no": 0}
HARD_REJECTIONS = frozenset({"boilerplate", "caption", "not_prose", "non_latin"})


class LabelledFileError(ValueError):
    """A labelled file that cannot be read: the message says which line and why."""


@dataclass
class WorthinessModel:
    """A trained model and what it was trained on: what an admin needs to trust it."""

    pipeline: Pipeline
    trained_on: int
    positives: int
    f1_cv: float | None
    c: float
    threshold: float = THRESHOLD
    format: int = FORMAT
    notes: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, rows: Sequence[dict[str, Any]]) -> list[float]:
        return [float(p) for p in self.pipeline.predict_proba(list(rows))[:, 1]]

    def predict(self, texts: Sequence[str]) -> list[int]:
        return [int(p >= self.threshold) for p in self.probabilities([row(t) for t in texts])]


def row(text: str, rules: dict[str, float] | None = None) -> dict[str, Any]:
    """One sentence as the model reads it: its text and the rules' contributions."""
    if rules is None:
        rules = score_sentence(text, extract_slots(text))[2]
    return {"text": text, "rules": {k: float(v) for k, v in rules.items()}}


def _texts(rows: Sequence[dict[str, Any]]) -> list[str]:
    return [r["text"] for r in rows]


def _rules(rows: Sequence[dict[str, Any]]) -> list[dict[str, float]]:
    return [r["rules"] for r in rows]


def _pipeline(c: float = 1.0) -> Pipeline:
    features = FeatureUnion(
        [
            (
                "words",
                make_pipeline(
                    FunctionTransformer(_texts), TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
                ),
            ),
            (
                "chars",
                make_pipeline(
                    FunctionTransformer(_texts),
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
                ),
            ),
            ("rules", make_pipeline(FunctionTransformer(_rules), DictVectorizer())),
        ]
    )
    classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    return Pipeline([("features", features), ("classifier", classifier)])


def train_checkworthiness(pairs: Iterable[tuple[str, int]], *, seed: int = 0) -> WorthinessModel:
    """Train on (sentence, 1|0) pairs: C chosen by 5-fold cross-validation (F1), then the F1 those
    folds give with that C is kept on the model, and the model is fitted on everything."""
    data = [(t, int(y)) for t, y in pairs if t and t.strip()]
    labels = [y for _, y in data]
    if len(set(labels)) < 2 or min(labels.count(0), labels.count(1)) < 5:
        raise ValueError("Training needs at least 5 check-worthy and 5 other sentences.")
    rows = [row(t) for t, _ in data]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    search = GridSearchCV(_pipeline(), {"classifier__C": list(C_GRID)}, scoring="f1", cv=folds, n_jobs=1)
    search.fit(rows, labels)
    c = float(search.best_params_["classifier__C"])
    # The decision threshold too is the one the held-out folds' probabilities answer best.
    oof = cross_val_predict(_pipeline(c), rows, labels, cv=folds, method="predict_proba")[:, 1]
    f1, threshold = max((float(f1_score(labels, oof >= t)), t) for t in THRESHOLDS)
    final = _pipeline(c).fit(rows, labels)
    return WorthinessModel(
        final, trained_on=len(data), positives=sum(labels), f1_cv=round(f1, 4), c=c, threshold=threshold
    )


def rescore(
    model: WorthinessModel, scored: Sequence[tuple[str, dict[str, float], str | None]]
) -> list[tuple[bool, float, dict[str, float], str | None]]:
    """The model's verdicts on sentences the rules scored, given as (text, contributions, reason):
    (is_candidate, score, contributions, reason) for each, in one batch.

    A line the rules refuse outright stays refused; otherwise the probability is the score, and
    the model's part is the contribution that makes the rules' own add up to it."""
    asked = [i for i, (_, rules, _) in enumerate(scored) if not HARD_REJECTIONS & set(rules)]
    probabilities = dict(zip(asked, model.probabilities([row(scored[i][0], scored[i][1]) for i in asked]), strict=True))
    out: list[tuple[bool, float, dict[str, float], str | None]] = []
    for i, (_, rules, reason) in enumerate(scored):
        if i not in probabilities:
            out.append((False, 0.0, rules, reason))
            continue
        p = round(probabilities[i], 3)
        contributions = {**rules, "learned_model": round(p - sum(rules.values()), 3)}
        ok = p >= model.threshold
        out.append((ok, p, contributions, None if ok else "low check-worthiness (learned model)"))
    return out


def read_labelled(path: Path) -> list[tuple[str, int]]:
    """`sentence<TAB>1|0` lines, or `id<TAB>text<TAB>Yes|No` after a header; blank lines skipped."""
    pairs: list[tuple[str, int]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        lines = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    for number, cells in enumerate(lines, start=1):
        if not cells or not "".join(cells).strip():
            continue
        if number == 1 and len(cells) >= 3 and cells[-1].strip().lower() not in _LABELS:
            continue  # the benchmark's header ("Sentence_id<TAB>Text<TAB>class_label")
        if len(cells) == 2:
            text, raw = cells
        elif len(cells) >= 3:
            text, raw = cells[1], cells[-1]
        else:
            raise LabelledFileError(f"{path}:{number}: expected 'sentence<TAB>1|0' or 'id<TAB>text<TAB>Yes|No'")
        label = _LABELS.get(raw.strip().lower())
        if label is None:
            raise LabelledFileError(f"{path}:{number}: the label is {raw.strip()!r}, not 1, 0, Yes or No")
        pairs.append((text.strip(), label))
    return pairs


def save(model: WorthinessModel, path: Path) -> None:
    path.write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))


def load(path: Path) -> WorthinessModel:
    model = pickle.loads(path.read_bytes())
    if not isinstance(model, WorthinessModel) or model.format != FORMAT:
        raise ValueError(f"{path} is not a FactDesk check-worthiness model (format {FORMAT}).")
    return model
