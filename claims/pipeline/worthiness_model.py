"""Check-worthiness learned from labelled sentences (issue 14.4): a logistic regression over the
sentence's words (1-2 grams), its character n-grams and the rules' own contributions (stage 2,
candidates.py), with its regularisation, its probability scale and its decision threshold chosen
by cross-validation on the training file.

    python -m claims.pipeline train-checkworthiness LABELLED.tsv --out MODEL
    python -m claims.pipeline extract --model MODEL FILE...

LABELLED.tsv is either `sentence<TAB>1|0` lines, or a benchmark's tab-separated file with a
header line, the text in the column named like "text" or "sentence" (else the one before the
label) and the label last: Yes|No, 1|0, or -1 (ClaimBuster's "non-factual", read as 0).

The rules stay the first reader: a line they refuse outright (boilerplate, a caption, mostly
symbols) stays refused, and their contributions are features the model weighs; the model's
probability is the score, and its part in it is shown as one more contribution
("learned_model"), so that what a reviewer reads still adds up to the score.

Why these choices (each measured with bench/checkworthiness_eval.py against a bag-of-words
logistic regression on the same folds):
- digits are read as "0" ("in 2013", "4.7 percent" -> "in 0000", "0.0 percent"): the shape of a
  number says more than which number it is, and a test set's numbers are not the training set's;
- classes are weighted to balance, and the decision threshold is the one that maximises F1 on
  the held-out folds' predictions: check-worthy sentences are a minority in most benchmarks
  (a quarter or fewer), where a 0.5 threshold on an unweighted model finds few of them;
- the probability is Platt-scaled on the same held-out folds' decision values, so that the
  score is a probability on the training file's own base rate, not the balanced one.
On larger files (more than 5,000 sentences) the folds are 3, not 5, and C is one of 0.3, 1 or 3
(on 20,000 news sentences with labels made for timing, F1 moved by about 0.01 across
them): training on those 20,000 sentences (25 words on average) takes about 75 s of CPU, a
quarter of it the rules reading each sentence.

Pure Python with scikit-learn; nothing is downloaded. A model file is a pickle: load only files
you made (the app stores its own).
"""

from __future__ import annotations

import csv
import pickle
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from .candidates import score_sentence
from .slots import extract_slots

FORMAT = 2
READABLE_FORMATS = (1, 2)  # format 1: PR 14.4's first model (no scaling), still scored as it was
THRESHOLD = 0.5  # until training says better
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
C_GRID_LARGE = (0.3, 1.0, 3.0)  # above LARGE sentences, where each fit costs seconds
THRESHOLD_GRID = tuple(round(0.05 + 0.01 * i, 2) for i in range(91))  # 0.05 ... 0.95
LARGE = 5000  # sentences: above this, 3 folds instead of 5 and C_GRID_LARGE
_LABELS = {"1": 1, "0": 0, "-1": 0, "yes": 1, "no": 0}
_TEXT_COLUMNS = ("text", "sentence", "tweet_text", "sentence_text", "claim")
HARD_REJECTIONS = frozenset({"boilerplate", "caption", "not_prose", "non_latin"})
_DIGIT = re.compile(r"\d")


class LabelledFileError(ValueError):
    """A labelled file that cannot be read: the message says which line and why."""


class ModelFileError(ValueError):
    """A model file that cannot be used: the message says why and what to do."""


@dataclass
class WorthinessModel:
    """A trained model and what it was trained on: what an admin needs to trust it.

    ``f1_cv`` is the F1 of the held-out folds' predictions at the chosen C and threshold; both
    were chosen on those same folds, so it is a little optimistic."""

    pipeline: Any  # anything with predict_proba(rows): _Scorer (format 2), a Pipeline (format 1)
    trained_on: int
    positives: int
    f1_cv: float | None
    c: float
    threshold: float = THRESHOLD
    format: int = FORMAT
    notes: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, rows: Sequence[dict[str, Any]]) -> list[float]:
        if not rows:
            return []
        return [float(p) for p in self.pipeline.predict_proba(list(rows))[:, 1]]

    def predict(self, texts: Sequence[str]) -> list[int]:
        return [int(p >= self.threshold) for p in self.probabilities([row(t) for t in texts])]


class _Scorer:
    """Fitted features, the logistic regression, and the Platt scale (a, b) of its decision values."""

    def __init__(self, features: FeatureUnion, classifier: LogisticRegression, a: float, b: float) -> None:
        self.features, self.classifier, self.a, self.b = features, classifier, a, b

    def predict_proba(self, rows: Sequence[dict[str, Any]]) -> np.ndarray:
        decision = self.classifier.decision_function(self.features.transform(list(rows)))
        p = _sigmoid(self.a * decision + self.b)
        return np.column_stack([1.0 - p, p])


def row(text: str, rules: dict[str, float] | None = None) -> dict[str, Any]:
    """One sentence as the model reads it: its text and the rules' contributions."""
    if rules is None:
        rules = score_sentence(text, extract_slots(text))[2]
    return {"text": text, "rules": {k: float(v) for k, v in rules.items()}}


def _texts(rows: Sequence[dict[str, Any]]) -> list[str]:
    return [r["text"] for r in rows]


def _rules(rows: Sequence[dict[str, Any]]) -> list[dict[str, float]]:
    return [r["rules"] for r in rows]


def _digits_as_zero(text: str) -> str:
    return _DIGIT.sub("0", text.lower())


def _features() -> FeatureUnion:
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, preprocessor=_digits_as_zero)
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, preprocessor=_digits_as_zero
    )
    return FeatureUnion(
        [
            ("words", make_pipeline(FunctionTransformer(_texts), words)),
            ("chars", make_pipeline(FunctionTransformer(_texts), chars)),
            ("rules", make_pipeline(FunctionTransformer(_rules), DictVectorizer())),
        ]
    )


def _classifier(c: float) -> LogisticRegression:
    # liblinear: on these sparse, wide matrices it converges in a few passes (lbfgs takes 2-3x longer).
    return LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=1000)


def _sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def _platt(decision: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The logistic curve p = sigmoid(a * decision + b) that fits held-out decisions best."""
    fit = LogisticRegression(C=1e6, solver="lbfgs").fit(decision.reshape(-1, 1), labels)
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def _f1(labels: np.ndarray, predicted: np.ndarray) -> float:
    tp = int(np.sum(labels & predicted))
    denominator = int(np.sum(labels)) + int(np.sum(predicted))
    return 2 * tp / denominator if denominator else 0.0


def best_threshold(
    labels: Sequence[int] | np.ndarray, probabilities: Sequence[float] | np.ndarray
) -> tuple[float, float]:
    """(F1, threshold): the threshold of THRESHOLD_GRID at which F1 is highest; of equal ones,
    the nearest to 0.5."""
    y = np.asarray(labels, dtype=bool)
    p = np.asarray(probabilities, dtype=float)
    scored = [(_f1(y, p >= t), -abs(t - 0.5), t) for t in THRESHOLD_GRID]
    f1, _, threshold = max(scored)
    return f1, threshold


def train_checkworthiness(pairs: Iterable[tuple[str, int]], *, seed: int = 0) -> WorthinessModel:
    """Train on (sentence, 1|0) pairs.

    The features (vocabularies, idf) are fitted once on all the sentences: that reads no label.
    Then for each C of C_GRID the held-out folds' decision values are Platt-scaled and the
    threshold with the best F1 found; the C whose best F1 is highest is kept with its scale and
    threshold, and the classifier is fitted on everything."""
    data = [(t.strip(), int(y)) for t, y in pairs if t and t.strip()]
    labels = np.array([y for _, y in data])
    positives = int(labels.sum())
    if min(positives, len(data) - positives) < 5:
        raise ValueError("Training needs at least 5 check-worthy and 5 other sentences.")
    rows = [row(t) for t, _ in data]
    features = _features()
    x = features.fit_transform(rows).tocsr()
    folds = StratifiedKFold(n_splits=3 if len(data) > LARGE else 5, shuffle=True, random_state=seed)
    splits = list(folds.split(np.zeros(len(labels)), labels))
    best: tuple[float, float, float, float, float] | None = None  # f1, -C, threshold, a, b
    tried: dict[str, float] = {}
    for c in C_GRID_LARGE if len(data) > LARGE else C_GRID:
        decision = np.zeros(len(labels))
        for fit_on, held in splits:
            decision[held] = _classifier(c).fit(x[fit_on], labels[fit_on]).decision_function(x[held])
        a, b = _platt(decision, labels)
        f1, threshold = best_threshold(labels, _sigmoid(a * decision + b))
        tried[f"{c:g}"] = round(f1, 4)
        if best is None or (f1, -c) > best[:2]:  # of equal F1, the stronger regularisation
            best = (f1, -c, threshold, a, b)
    assert best is not None
    f1, neg_c, threshold, a, b = best
    classifier = _classifier(-neg_c).fit(x, labels)
    return WorthinessModel(
        _Scorer(features, classifier, a, b),
        trained_on=len(data),
        positives=positives,
        f1_cv=round(f1, 4),
        c=-neg_c,
        threshold=threshold,
        notes={"folds": len(splits), "f1_by_c": tried, "platt": [round(a, 4), round(b, 4)]},
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


def _label(raw: str) -> int | None:
    return _LABELS.get(raw.strip().lower())


def _is_header(cells: Sequence[str]) -> bool:
    """Column names, not a sentence with a bad label: short words and underscores only."""
    return len(cells) >= 2 and _label(cells[-1]) is None and all(re.fullmatch(r"[\w ]{1,40}", c.strip()) for c in cells)


def read_labelled(path: Path) -> list[tuple[str, int]]:
    """`sentence<TAB>1|0` lines, or a tab-separated file with a header line (its text column
    named like "text" or "sentence", else the one before the label; the label last); blank lines
    skipped."""
    pairs: list[tuple[str, int]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            lines = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    except UnicodeDecodeError as exc:
        raise LabelledFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    text_at = -2
    for number, cells in enumerate(lines, start=1):
        if not cells or not "".join(cells).strip():
            continue
        if not pairs and _is_header(cells):
            # a header ("Sentence_id<TAB>Text<TAB>class_label"): where the text is
            names = [c.strip().lower() for c in cells]
            text_at = next((i for i, n in enumerate(names) if n in _TEXT_COLUMNS), len(cells) - 2)
            continue
        if len(cells) < 2:
            raise LabelledFileError(f"{path}:{number}: expected 'sentence<TAB>1|0' or 'id<TAB>text<TAB>Yes|No'")
        text, raw = cells[text_at] if -len(cells) <= text_at < len(cells) else cells[-2], cells[-1]
        label = _label(raw)
        if label is None:
            raise LabelledFileError(f"{path}:{number}: the label is {raw.strip()!r}, not 1, 0, Yes or No")
        pairs.append((text.strip(), label))
    return pairs


def save(model: WorthinessModel, path: Path) -> None:
    path.write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))


def load(path: Path) -> WorthinessModel:
    """A model saved by ``save``; a file that is not one (or of a format this version cannot
    score) is a ModelFileError saying so."""
    return loads(path.read_bytes(), source=str(path))


def loads(data: bytes, *, source: str = "the model") -> WorthinessModel:
    """A model from the bytes ``save`` wrote (the app keeps them in its database): a
    ModelFileError, naming ``source``, when they are not one this version can score."""
    try:
        model = pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError) as exc:
        raise ModelFileError(
            f"{source} cannot be read as a FactDesk check-worthiness model ({exc.__class__.__name__}: {exc}); "
            "train it again with `python -m claims.pipeline train-checkworthiness`."
        ) from None
    if not isinstance(model, WorthinessModel):
        raise ModelFileError(f"{source} is not a FactDesk check-worthiness model.")
    if getattr(model, "format", None) not in READABLE_FORMATS:
        raise ModelFileError(
            f"{source} is a check-worthiness model of format {getattr(model, 'format', '?')}; this version reads "
            f"formats {', '.join(map(str, READABLE_FORMATS))}: train it again with "
            "`python -m claims.pipeline train-checkworthiness`."
        )
    return model
