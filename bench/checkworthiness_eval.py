"""Check-worthiness on real news: FactDesk's rules and its learned model against a bag-of-words
baseline, on hand judgments, with the same cross-validation folds for all.

    python bench/checkworthiness_eval.py                     # both judged sets (and their 25% view)
    python bench/checkworthiness_eval.py --set news600       # one set: news600, news438
    python bench/checkworthiness_eval.py --folds 5 --seed 14 # the outer folds (default)
    python bench/checkworthiness_eval.py --show-errors 20    # also print 20 sentences the rules misjudge
    python bench/checkworthiness_eval.py --sample 30 --set news438   # units not judged yet, to judge
    python bench/checkworthiness_eval.py --json              # also write bench/results/checkworthiness.json

Reads ``../shared/dev-stories/`` (real articles; never copied into the project): the 50
newswcl50 articles through the real importer, and raw documents of Multi-News clusters 3,150
to 5,621 (the conflict benchmark uses the first 2,574, the speaker and certainty benchmarks
3,000 to 3,149). Skips, saying so, when the folder is absent.

Two judged sets, each a sample of sentence units as the pipeline splits them (``split_sentences``),
drawn with a fixed seed and judged by one annotator with the guideline at the top of
``bench/checkworthiness_judgments.json`` before any model was run on them:
- ``news600`` (``checkworthiness_judgments.json``, ``sample_units``): four units from each newswcl50
  article and one from each of 400 Multi-News documents of distinct clusters;
- ``news438`` (``checkworthiness_judgments_news438.json``, ``sample_units_news438``): one unit from
  each of 460 more Multi-News documents, of clusters the first set did not draw from; the 22 units
  whose text repeats one drawn before (site furniture) are left out, 438 remain.
The judgment files hold no article text: a document id, the unit's offsets in the body, a short
sha1 of its text and the label. An item whose text no longer hashes the same at its offsets (the
importer's cleaning changed) is looked up by its hash among the document's units and counted as
moved; one not found is stale and left out. Both are reported.

Compared on the same outer folds (stratified, ``--folds``, ``--seed``), each trained on the
other folds' items and scored on the fold's:
  (a) bag-of-words logistic regressions as a benchmark's baseline is: word unigrams
      (CountVectorizer; and TfidfVectorizer) and scikit-learn's LogisticRegression with its
      defaults (C=1, no class weights, threshold 0.5);
  (a') a tuned bag-of-words LR, for reference (TF-IDF 1-2 grams, balanced classes, C by an
      inner 5-fold CV): stronger than a benchmark's baseline;
  (b) FactDesk's rules: ``is_candidate`` of the unit's mention from ``extract_article`` on the
      whole document, as in the app (trained on nothing);
  (c) the learned model: ``worthiness_model.train_checkworthiness`` (what the
      ``train-checkworthiness`` command runs) on the other folds' sentences, scoring the unit's
      mention through ``worthiness_model.rescore`` as ``extract_article(..., model=)`` does.
For each: precision, recall and F1 of "check-worthy" over all folds' predictions, and F1 per fold
as mean ± sd; then F1 (c) - (a) per fold and over the pooled predictions with a paired
bootstrap 95% interval. The benchmarks the issue names have a quarter or fewer check-worthy
sentences, these sets about half: each set is also run with its check-worthy items thinned at
random (fixed seed) to 25% (``--no-thinned`` skips that). Last, each method trained on all of
one set is scored on the other (documents of other clusters, judged apart).

``--sample N`` prints N sampled units that are not judged yet (their text, never FactDesk's
output), to judge; ``--show-errors`` prints misjudged sentences to the terminal only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from articles.importers import ParsedArticle, parse_file  # noqa: E402
from claims.pipeline import extract_article, worthiness_model  # noqa: E402
from claims.pipeline.inputs import article_text_from_parsed  # noqa: E402
from claims.pipeline.sentences import split_sentences  # noqa: E402
from claims.pipeline.types import ArticleText, Mention  # noqa: E402

DEV = ROOT.parent / "shared" / "dev-stories"
NEWSWCL = DEV / "newswcl50"
MULTINEWS = DEV / "multinews_test.jsonl"
JUDGMENTS = Path(__file__).with_name("checkworthiness_judgments.json")
JUDGMENTS_438 = Path(__file__).with_name("checkworthiness_judgments_news438.json")
RESULTS = Path(__file__).with_name("results") / "checkworthiness.json"
MULTINEWS_FROM = 3150  # clusters before this are the other benchmarks'
MULTINEWS_TO = 5622
PER_NEWSWCL_ARTICLE = 4
MULTINEWS_DOCUMENTS = 400
SAMPLE_SEED = 1414
SAMPLE_438_SEED = 2414
SAMPLE_438_DOCUMENTS = 460
THIN_TO = 0.25
THIN_SEED = 1425


def digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def documents() -> dict[str, ArticleText]:
    """The documents units are drawn from, by stable id."""
    docs: dict[str, ArticleText] = {}
    for folder in sorted(NEWSWCL.glob("event-*"), key=lambda p: int(p.name.split("-")[1])):
        for path in sorted(folder.glob("*.json")):
            for parsed in parse_file(path.name, path.read_bytes()):
                if isinstance(parsed, ParsedArticle):
                    doc_id = f"newswcl50/{folder.name}/{path.stem}"
                    docs[doc_id] = article_text_from_parsed(parsed, doc_id)
    with MULTINEWS.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n < MULTINEWS_FROM:
                continue
            if n >= MULTINEWS_TO:
                break
            record = json.loads(line)
            for i, doc in enumerate(record["documents"]):
                body = doc.replace(" ||||| ", "\n\n")
                if body.strip():
                    doc_id = f"multinews/{record['idx']}/d{i}"
                    docs[doc_id] = ArticleText(id=doc_id, body=body)
    return docs


def _units(doc: ArticleText) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.text) for s in split_sentences(doc.body) if s.text.strip()]


def _clusters(docs: dict[str, ArticleText]) -> dict[str, list[str]]:
    by_cluster: dict[str, list[str]] = {}
    for doc_id in docs:
        if doc_id.startswith("multinews/"):
            by_cluster.setdefault(doc_id.split("/")[1], []).append(doc_id)
    return by_cluster


def sample_units(docs: dict[str, ArticleText], seed: int = SAMPLE_SEED) -> list[tuple[str, int, int, str]]:
    """(document id, start, end, text): the fixed sample the news600 judgments were made on."""
    rng = random.Random(seed)
    out: list[tuple[str, int, int, str]] = []
    for doc_id in sorted(d for d in docs if d.startswith("newswcl50/")):
        units = _units(docs[doc_id])
        out += [(doc_id, s, e, t) for s, e, t in rng.sample(units, min(PER_NEWSWCL_ARTICLE, len(units)))]
    by_cluster = _clusters(docs)
    clusters = sorted(by_cluster, key=int)
    rng.shuffle(clusters)
    taken = 0
    for cluster in clusters:
        if taken == MULTINEWS_DOCUMENTS:
            break
        doc_id = rng.choice(by_cluster[cluster])
        units = _units(docs[doc_id])
        if not units:
            continue
        s, e, t = rng.choice(units)
        out.append((doc_id, s, e, t))
        taken += 1
    return out


def sample_units_news438(docs: dict[str, ArticleText]) -> list[tuple[str, int, int, str]]:
    """The news438 sample: one unit of one document of each of 460 clusters news600 did not draw
    from (seed 2414); a unit whose text repeats one drawn before is dropped."""
    first = json.loads(JUDGMENTS.read_text(encoding="utf-8"))["items"]
    used = {j["doc"].split("/")[1] for j in first if j["doc"].startswith("multinews/")}
    by_cluster = {c: d for c, d in _clusters(docs).items() if c not in used}
    rng = random.Random(SAMPLE_438_SEED)
    clusters = sorted(by_cluster, key=int)
    rng.shuffle(clusters)
    out: list[tuple[str, int, int, str]] = []
    seen: set[str] = set()
    for cluster in clusters[:SAMPLE_438_DOCUMENTS]:
        doc_id = rng.choice(by_cluster[cluster])
        units = _units(docs[doc_id])
        if not units:
            continue
        s, e, t = rng.choice(units)
        if digest(t) not in seen:
            seen.add(digest(t))
            out.append((doc_id, s, e, t))
    return out


SETS: dict[str, tuple[Path, Callable[[dict[str, ArticleText]], list[tuple[str, int, int, str]]]]] = {
    "news600": (JUDGMENTS, sample_units),
    "news438": (JUDGMENTS_438, sample_units_news438),
}


# --- the judged items ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    doc: str
    start: int
    end: int
    text: str
    label: int
    moved: bool = False


def load_items(
    docs: dict[str, ArticleText], path: Path = JUDGMENTS
) -> tuple[list[Item], list[dict[str, Any]], list[dict[str, Any]]]:
    """(items found, judgments moved, judgments stale): each judgment's text checked against its hash."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items: list[Item] = []
    moved: list[dict[str, Any]] = []
    stale: list[dict[str, Any]] = []
    units_cache: dict[str, list[tuple[int, int, str]]] = {}
    for j in data["items"]:
        doc = docs.get(j["doc"])
        if doc is None:
            stale.append(j)
            continue
        text = doc.body[j["start"] : j["end"]]
        if digest(text) == j["hash"]:
            items.append(Item(j["doc"], j["start"], j["end"], text, int(j["label"])))
            continue
        units = units_cache.setdefault(j["doc"], _units(doc))
        found = next(((s, e, t) for s, e, t in units if digest(t) == j["hash"]), None)
        if found is None:
            stale.append(j)
            continue
        moved.append(j)
        items.append(Item(j["doc"], found[0], found[1], found[2], int(j["label"]), moved=True))
    return items, moved, stale


def thinned(items: Sequence[Item], share: float = THIN_TO, seed: int = THIN_SEED) -> list[Item]:
    """All the items that are not check-worthy and a random part of those that are, so that
    ``share`` of the result is check-worthy (the benchmarks' proportion)."""
    negatives = [it for it in items if not it.label]
    positives = [it for it in items if it.label]
    keep = round(share * len(negatives) / (1 - share))
    return negatives + random.Random(seed).sample(positives, min(keep, len(positives)))


# --- predictions ----------------------------------------------------------------------------------


def rules_mentions(items: Sequence[Item], docs: dict[str, ArticleText]) -> list[Mention | None]:
    """The pipeline's mention for each item, from ``extract_article`` on its whole document (None: no mention)."""
    by_doc: dict[str, dict[tuple[int, int], Mention]] = {}
    out: list[Mention | None] = []
    for it in items:
        if it.doc not in by_doc:
            ex = extract_article(docs[it.doc])
            by_doc[it.doc] = {(m.start, m.end): m for m in (*ex.mentions, *ex.rejected)}
        mentions = by_doc[it.doc]
        m = mentions.get((it.start, it.end))
        if m is None:  # unit boundaries differ: the mention overlapping it most
            best = max(mentions.values(), key=lambda m: min(m.end, it.end) - max(m.start, it.start), default=None)
            m = best if best is not None and min(best.end, it.end) > max(best.start, it.start) else None
        out.append(m)
    return out


def baseline_lr(train: Sequence[Item], test: Sequence[Item], tfidf: bool = False) -> list[int]:
    """A benchmark's bag-of-words baseline: word unigrams, LogisticRegression() as it comes, threshold 0.5."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer() if tfidf else CountVectorizer()
    x = vectorizer.fit_transform([it.text for it in train])
    model = LogisticRegression(max_iter=1000).fit(x, [it.label for it in train])  # max_iter: converge, nothing else
    return [int(p) for p in model.predict(vectorizer.transform([it.text for it in test]))]


def tuned_lr(train: Sequence[Item], test: Sequence[Item], seed: int) -> list[int]:
    """A tuned bag-of-words LR (TF-IDF 1-2 grams, balanced, C by inner 5-fold CV): for reference."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline

    pipe = Pipeline(
        [
            ("bow", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("lr", LogisticRegression(class_weight="balanced", max_iter=5000)),
        ]
    )
    grid = {"lr__C": [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]}
    search = GridSearchCV(pipe, grid, scoring="f1", cv=StratifiedKFold(5, shuffle=True, random_state=seed))
    search.fit([it.text for it in train], [it.label for it in train])
    return [int(p) for p in search.predict([it.text for it in test])]


def learned(train: Sequence[Item], test: Sequence[Item], mentions: dict[Item, Mention | None], seed: int) -> list[int]:
    """The learned model trained on ``train``; a test unit scored through its in-context mention as
    ``extract_article(..., model=)`` scores it (its text alone when the rules gave it none)."""
    model = worthiness_model.train_checkworthiness([(it.text, it.label) for it in train], seed=seed)
    out = []
    for it in test:
        m = mentions[it]
        if m is None:
            out.append(model.predict([it.text])[0])
        else:
            out.append(int(worthiness_model.rescore(model, [(m.text, dict(m.features), m.reason)])[0][0]))
    return out


# --- figures ---------------------------------------------------------------------------------------


def prf(gold: Sequence[int], pred: Sequence[int]) -> dict[str, float]:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if not g and p)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g and not p)
    tn = len(gold) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def bootstrap_f1_difference(
    gold: Sequence[int], a: Sequence[int], b: Sequence[int], seed: int, rounds: int = 10_000
) -> tuple[float, float, float]:
    """F1(a) - F1(b) and its paired bootstrap 95% interval (items resampled with replacement)."""
    import numpy as np

    g, pa, pb = np.asarray(gold, bool), np.asarray(a, bool), np.asarray(b, bool)
    idx = np.random.default_rng(seed).integers(0, len(g), size=(rounds, len(g)))

    def f1(pred: Any) -> Any:
        gs, ps = g[idx], pred[idx]
        tp = (gs & ps).sum(axis=1)
        denominator = ps.sum(axis=1) + gs.sum(axis=1)  # 2tp / (2tp + fp + fn)
        return np.where(denominator > 0, 2 * tp / np.maximum(denominator, 1), 0.0)

    diffs = f1(pa) - f1(pb)
    point = prf(gold, a)["f1"] - prf(gold, b)["f1"]
    return point, float(np.percentile(diffs, 2.5)), float(np.percentile(diffs, 97.5))


def _header() -> str:
    return (
        f"  {'':<52} {'precision':>9} {'recall':>7} {'F1':>6}   {'F1 by fold':>13}"
        f"   {'tp':>4} {'fp':>4} {'fn':>4} {'tn':>4}"
    )


def _row(name: str, m: dict[str, Any]) -> str:
    return (
        f"  {name:<52} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f}"
        f"   {m['f1_folds_mean']:.3f} ± {m['f1_folds_sd']:.3f}"
        f"   {m['tp']:4d} {m['fp']:4d} {m['fn']:4d} {m['tn']:4d}"
    )


METHODS = (
    ("baseline", "(a) bag-of-words LR: word counts, defaults"),
    ("baseline_tfidf", "(a) bag-of-words LR: word TF-IDF, defaults"),
    ("tuned_lr", "(a') tuned LR: TF-IDF 1-2 grams, balanced, C by CV"),
    ("rules", "(b) FactDesk rules (is_candidate)"),
    ("learned", "(c) learned model (train_checkworthiness)"),
)


def evaluate(
    title: str, pool: Sequence[Item], mentions: dict[Item, Mention | None], folds: int, seed: int
) -> dict[str, Any]:
    """Every method on the same outer folds of ``pool``: its figures, printed and returned."""
    from sklearn.model_selection import StratifiedKFold

    gold = [it.label for it in pool]
    preds: dict[str, list[int]] = {k: [0] * len(pool) for k, _ in METHODS}
    by_fold: dict[str, list[float]] = {k: [] for k, _ in METHODS}
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for fit_idx, score_idx in cv.split([it.text for it in pool], gold):
        train, test = [pool[i] for i in fit_idx], [pool[i] for i in score_idx]
        fold = {
            "baseline": baseline_lr(train, test),
            "baseline_tfidf": baseline_lr(train, test, tfidf=True),
            "tuned_lr": tuned_lr(train, test, seed),
            "rules": [int(bool(mentions[it] and mentions[it].is_candidate)) for it in test],  # type: ignore[union-attr]
            "learned": learned(train, test, mentions, seed),
        }
        for key, got in fold.items():
            for i, p in zip(score_idx, got, strict=True):
                preds[key][i] = p
            by_fold[key].append(prf([it.label for it in test], got)["f1"])
    print(f"\n{title}: {len(pool)} units, {sum(gold)} check-worthy ({sum(gold) / len(pool):.0%}); {folds}-fold CV")
    print(_header())
    figures: dict[str, Any] = {"n": len(pool), "check_worthy": sum(gold), "folds": folds, "seed": seed}
    for key, name in METHODS:
        m: dict[str, Any] = prf(gold, preds[key])
        m["f1_folds"] = [round(f, 4) for f in by_fold[key]]
        m["f1_folds_mean"] = statistics.fmean(by_fold[key])
        m["f1_folds_sd"] = statistics.stdev(by_fold[key])
        figures[key] = m
        print(_row(name, m))
    every = prf(gold, [1] * len(pool))
    print(
        f"  {'    (reference: every unit check-worthy)':<52} {every['precision']:9.3f} {every['recall']:7.3f} {every['f1']:6.3f}"
    )
    for key in ("baseline", "baseline_tfidf", "tuned_lr"):
        diffs = [a - b for a, b in zip(by_fold["learned"], by_fold[key], strict=True)]
        point, low, high = bootstrap_f1_difference(gold, preds["learned"], preds[key], seed)
        verdict = "learned better" if low > 0 else "learned worse" if high < 0 else "no significant difference"
        figures[f"learned_minus_{key}"] = {
            "pooled": point,
            "ci95": [low, high],
            "by_fold_mean": statistics.fmean(diffs),
            "by_fold_sd": statistics.stdev(diffs),
        }
        print(
            f"  F1 (c) learned - {key}: {point:+.3f} pooled, 95% bootstrap [{low:+.3f}, {high:+.3f}]; "
            f"by fold {statistics.fmean(diffs):+.3f} ± {statistics.stdev(diffs):.3f}: {verdict}"
        )
    figures["_predictions"] = preds
    return figures


def across(
    train_name: str,
    train: Sequence[Item],
    test_name: str,
    test: Sequence[Item],
    mentions: dict[Item, Mention | None],
    seed: int,
) -> dict[str, Any]:
    """Trained on one judged set, scored on the other: what a model learnt that holds elsewhere."""
    gold = [it.label for it in test]
    preds = {
        "baseline": baseline_lr(train, test),
        "baseline_tfidf": baseline_lr(train, test, tfidf=True),
        "tuned_lr": tuned_lr(train, test, seed),
        "rules": [int(bool(mentions[it] and mentions[it].is_candidate)) for it in test],  # type: ignore[union-attr]
        "learned": learned(train, test, mentions, seed),
    }
    print(f"\ntrained on {train_name} ({len(train)}), scored on {test_name} ({len(test)}, {sum(gold)} check-worthy)")
    print(f"  {'':<52} {'precision':>9} {'recall':>7} {'F1':>6}")
    figures: dict[str, Any] = {}
    for key, name in METHODS:
        m = figures[key] = prf(gold, preds[key])
        print(f"  {name:<52} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f}")
    point, low, high = bootstrap_f1_difference(gold, preds["learned"], preds["baseline"], seed)
    figures["learned_minus_baseline"] = {"pooled": point, "ci95": [low, high]}
    print(f"  F1 (c) learned - baseline: {point:+.3f}, 95% bootstrap [{low:+.3f}, {high:+.3f}]")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=tuple(SETS), help="one judged set only (default: each)")
    parser.add_argument("--folds", type=int, default=5, help="outer cross-validation folds (default 5)")
    parser.add_argument(
        "--seed", type=int, default=14, help="seed of the folds, the models' inner CV and the bootstrap"
    )
    parser.add_argument("--no-thinned", action="store_true", help="skip the sets thinned to 25%% check-worthy")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N", help="print N sentences the rules misjudge")
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="print N sampled units not judged yet")
    parser.add_argument("--json", action="store_true", help="write the figures to bench/results/checkworthiness.json")
    args = parser.parse_args(argv)
    if not NEWSWCL.is_dir() or not MULTINEWS.exists():
        print(f"skipped: {DEV} is absent (development data, not part of the project)")
        return 0
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # BLAS threads on small sparse fits only slow them down (100x on 2 cores)
        return run(args)


def run(args: argparse.Namespace) -> int:
    docs = documents()
    names = [args.set] if args.set else list(SETS)
    if args.sample:
        path, sampler = SETS[names[0]]
        done: set[tuple[str, int]] = set()
        if path.exists():
            done = {(j["doc"], j["start"]) for j in json.loads(path.read_text(encoding="utf-8"))["items"]}
        todo = [u for u in sampler(docs) if (u[0], u[1]) not in done]
        for doc_id, s, e, text in todo[: args.sample]:
            print(json.dumps({"doc": doc_id, "start": s, "end": e, "hash": digest(text)}))
            print(f"  {_clean_line(text)}\n")
        return 0

    results: dict[str, Any] = {}
    judged: dict[str, list[Item]] = {}
    all_mentions: dict[Item, Mention | None] = {}
    for name in names:
        path, _ = SETS[name]
        items, moved, stale = load_items(docs, path)
        positives = sum(it.label for it in items)
        print(
            f"{name} ({path.name}): {len(items) + len(stale)} judged units; check-worthy {positives} of {len(items)} "
            f"({positives / max(1, len(items)):.0%}); hash mismatches: {len(moved)} found elsewhere in their "
            f"document, {len(stale)} stale (left out)"
        )
        for j in stale[:10]:
            print(f"  stale: {j['doc']}:{j['start']}-{j['end']} (hash {j['hash']})")
        mentions = dict(zip(items, rules_mentions(items, docs), strict=True))
        judged[name] = items
        all_mentions.update(mentions)
        figures: dict[str, Any] = {"judged": len(items) + len(stale), "moved": len(moved), "stale": len(stale)}
        figures["all"] = evaluate(name, items, mentions, args.folds, args.seed)
        if not args.no_thinned:
            pool = thinned(items)
            figures["thinned"] = evaluate(
                f"{name}, thinned to {THIN_TO:.0%} check-worthy", pool, mentions, args.folds, args.seed
            )
        for section in ("all", "thinned"):
            figures.get(section, {}).pop("_predictions", None)
        results[name] = figures
        if args.show_errors:
            errors = [(it, m) for it, m in mentions.items() if bool(m and m.is_candidate) != bool(it.label)]
            random.Random(args.seed).shuffle(errors)
            print(
                f"\n{name}: FactDesk rules misjudge {len(errors)} of {len(items)}; {min(args.show_errors, len(errors))} of them:"
            )
            for it, m in errors[: args.show_errors]:
                kind = "missed (judged check-worthy)" if it.label else "false alarm (judged not)"
                score = f"score {m.checkworthiness:.2f}, {m.reason or 'candidate'}" if m else "no mention"
                features = ", ".join(f"{k} {v:+.2f}" for k, v in (m.features.items() if m else ()))
                print(f"- {kind}; {score}; {features}\n  {it.doc}:{it.start}  {_clean_line(it.text)[:400]}")
        print()
    if len(judged) == 2:
        a, b = judged
        results["across"] = {
            f"{a}_to_{b}": across(a, judged[a], b, judged[b], all_mentions, args.seed),
            f"{b}_to_{a}": across(b, judged[b], a, judged[a], all_mentions, args.seed),
        }
    if args.json:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS}")
    return 0


def _clean_line(text: str) -> str:
    return " ".join(text.split())


if __name__ == "__main__":
    raise SystemExit(main())
