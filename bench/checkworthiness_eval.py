"""Check-worthiness on real news: FactDesk's rules against a bag-of-words baseline, on hand judgments.

    python bench/checkworthiness_eval.py                     # held-out, then train, then all 600
    python bench/checkworthiness_eval.py --split train       # one split only: train, heldout or all
    python bench/checkworthiness_eval.py --show-errors 20    # also print 20 sentences the rules misjudge
    python bench/checkworthiness_eval.py --json              # also write bench/results/checkworthiness.json

Reads ``../shared/dev-stories/`` (real articles; never copied into the project): the 50
newswcl50 articles through the real importer, and raw documents of Multi-News clusters 3,150
to 5,621 (the conflict benchmark uses the first 2,574, the speaker and certainty benchmarks
3,000 to 3,149). Skips, saying so, when the folder is absent.

The judged items are sentence units as the pipeline splits them (``split_sentences``), drawn
with a fixed seed (``sample_units``): four from each newswcl50 article and one from each of 400
Multi-News documents of distinct clusters, 600 in all. ``bench/checkworthiness_judgments.json``
holds no article text: each item is a document id, the unit's offsets in the body, a short sha1
of its text and the label (its guideline is at the top of the file), and ``split`` (400
``train``, 200 ``heldout``, by a fixed seed). An item whose text no longer hashes the same at its
offsets (the importer's cleaning changed) is looked up by its hash among the document's units
and counted as moved; one not found is stale and left out. Both are reported.

Compared, as precision / recall / F1 of "check-worthy":
  (a) FactDesk's rules: ``is_candidate`` of the unit's mention from ``extract_article`` run on the
      whole document, as in the app;
  (b) a bag-of-words logistic regression (TF-IDF unigrams and bigrams, balanced classes, C
      chosen by 5-fold cross-validation on train) trained on train;
  (c) the same logistic regression by 5-fold cross-validation over all items;
  (d) a learned FactDesk model, if ``claims.pipeline`` offers one: a function ``train_checkworthiness``,
      ``train_model`` or ``train`` taking (sentence, label) pairs in one of ``LEARNED_MODULES`` (its
      model scored through ``extract_article(..., model=)`` when that exists, else its ``predict``),
      or else the ``train-checkworthiness`` command with ``extract --model``; trained on train.
On the train split and on all items, (b) and (d) are 5-fold cross-validated within that split (an
in-sample figure would mean nothing). Each section also gives the F1 of calling every unit
check-worthy (the floor a classifier has to beat on a balanced set), F1 per source, and the F1
difference rules - LR with a paired bootstrap 95% interval.

``--sample N`` prints N sampled units that are not judged yet (their text, never FactDesk's
output), to judge; ``--show-errors`` prints misjudged sentences to the terminal only.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from articles.importers import ParsedArticle, parse_file  # noqa: E402
from claims.pipeline import extract_article  # noqa: E402
from claims.pipeline.inputs import article_text_from_parsed  # noqa: E402
from claims.pipeline.sentences import split_sentences  # noqa: E402
from claims.pipeline.types import ArticleText, Mention  # noqa: E402

DEV = ROOT.parent / "shared" / "dev-stories"
NEWSWCL = DEV / "newswcl50"
MULTINEWS = DEV / "multinews_test.jsonl"
JUDGMENTS = Path(__file__).with_name("checkworthiness_judgments.json")
RESULTS = Path(__file__).with_name("results") / "checkworthiness.json"
MULTINEWS_FROM = 3150  # clusters before this are the other benchmarks'
MULTINEWS_TO = 5622
PER_NEWSWCL_ARTICLE = 4
MULTINEWS_DOCUMENTS = 400
SAMPLE_SEED = 1414
SPLIT_SEED = 1415
HELDOUT = 200


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


def sample_units(docs: dict[str, ArticleText], seed: int = SAMPLE_SEED) -> list[tuple[str, int, int, str]]:
    """(document id, start, end, text): the fixed sample the judgments were made on."""
    rng = random.Random(seed)
    out: list[tuple[str, int, int, str]] = []
    for doc_id in sorted(d for d in docs if d.startswith("newswcl50/")):
        units = _units(docs[doc_id])
        out += [(doc_id, s, e, t) for s, e, t in rng.sample(units, min(PER_NEWSWCL_ARTICLE, len(units)))]
    by_cluster: dict[str, list[str]] = {}
    for doc_id in docs:
        if doc_id.startswith("multinews/"):
            by_cluster.setdefault(doc_id.split("/")[1], []).append(doc_id)
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


def assign_splits(keys: Sequence[str], seed: int = SPLIT_SEED, heldout: int = HELDOUT) -> dict[str, str]:
    order = sorted(keys)
    random.Random(seed).shuffle(order)
    return {k: ("heldout" if i < heldout else "train") for i, k in enumerate(order)}


# --- the judged items ---------------------------------------------------------------------------


@dataclass
class Item:
    doc: str
    start: int
    end: int
    text: str
    label: int
    split: str
    moved: bool = False


def load_items(docs: dict[str, ArticleText]) -> tuple[list[Item], list[dict[str, Any]], list[dict[str, Any]]]:
    """(items found, judgments moved, judgments stale): each judgment's text checked against its hash."""
    data = json.loads(JUDGMENTS.read_text(encoding="utf-8"))
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
            items.append(Item(j["doc"], j["start"], j["end"], text, int(j["label"]), j["split"]))
            continue
        units = units_cache.setdefault(j["doc"], _units(doc))
        found = next(((s, e, t) for s, e, t in units if digest(t) == j["hash"]), None)
        if found is None:
            stale.append(j)
            continue
        moved.append(j)
        items.append(Item(j["doc"], found[0], found[1], found[2], int(j["label"]), j["split"], moved=True))
    return items, moved, stale


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


def _lr_search(seed: int) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline

    pipe = Pipeline(
        [
            ("bow", TfidfVectorizer(ngram_range=(1, 2), lowercase=True, sublinear_tf=True, min_df=1)),
            ("lr", LogisticRegression(class_weight="balanced", max_iter=5000)),
        ]
    )
    grid = {"lr__C": [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]}
    return GridSearchCV(pipe, grid, scoring="f1", cv=StratifiedKFold(5, shuffle=True, random_state=seed))


def lr_train_predict(train: Sequence[Item], test: Sequence[Item], seed: int) -> tuple[list[int], float]:
    """The bag-of-words LR trained on ``train`` (C by 5-fold CV on it): its predictions on ``test`` and C."""
    search = _lr_search(seed)
    search.fit([it.text for it in train], [it.label for it in train])
    return [int(p) for p in search.predict([it.text for it in test])], float(search.best_params_["lr__C"])


def lr_cross_validated(items: Sequence[Item], seed: int, folds: int = 5) -> list[int]:
    """Out-of-fold predictions of the LR over ``items`` (C chosen inside each fold)."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    preds = cross_val_predict(_lr_search(seed), [it.text for it in items], [it.label for it in items], cv=cv)
    return [int(p) for p in preds]


# --- a learned FactDesk model, if the pipeline offers one -----------------------------------------

LEARNED_MODULES = (
    "claims.pipeline.worthiness_model",
    "claims.pipeline.worthiness",
    "claims.pipeline.checkworthiness",
    "claims.pipeline.learned",
)
LEARNED_TRAINERS = ("train_checkworthiness", "train_model", "train")
CLI_COMMAND = "train-checkworthiness"

Predictor = Callable[[Sequence[Item], dict[str, ArticleText]], list[int]]
Trainer = Callable[[Sequence[tuple[str, int]]], Predictor]


def _clean_line(text: str) -> str:
    return " ".join(text.split())


def _python_trainer() -> tuple[str, Trainer] | None:
    """A function in ``claims.pipeline`` that trains a check-worthiness model from (sentence, label) pairs."""
    import inspect

    found: tuple[str, Any, Any] | None = None
    for name in LEARNED_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        fn_name = next((f for f in LEARNED_TRAINERS if callable(getattr(module, f, None))), None)
        if fn_name:
            found = (f"{name}.{fn_name}", module, getattr(module, fn_name))
            break
    if found is None:
        return None
    label, module, fn = found

    def trainer(pairs: Sequence[tuple[str, int]]) -> Predictor:
        model = fn(list(pairs))

        def predict(items: Sequence[Item], docs: dict[str, ArticleText]) -> list[int]:
            if "model" in inspect.signature(extract_article).parameters:  # in context, as the app would
                out = []
                cache: dict[str, dict[tuple[int, int], bool]] = {}
                for it in items:
                    if it.doc not in cache:
                        ex = extract_article(docs[it.doc], model=model)  # type: ignore[call-arg,unused-ignore]
                        cache[it.doc] = {(m.start, m.end): m.is_candidate for m in (*ex.mentions, *ex.rejected)}
                    out.append(int(cache[it.doc].get((it.start, it.end), False)))
                return out
            texts = [it.text for it in items]
            if hasattr(model, "predict"):
                return [int(bool(p)) for p in model.predict(texts)]
            if callable(getattr(module, "predict", None)):
                return [int(bool(p)) for p in module.predict(model, texts)]
            if callable(model):
                return [int(bool(model(t))) for t in texts]
            raise TypeError(f"{label} returned a model with no predict()")

        return predict

    return label, trainer


def _cli_trainer() -> tuple[str, Trainer] | None:
    """The ``train-checkworthiness`` command, scoring with ``extract --model MODEL --sentences FILE``."""
    main_py = ROOT / "claims" / "pipeline" / "__main__.py"
    if not main_py.exists() or CLI_COMMAND not in main_py.read_text(encoding="utf-8"):
        return None

    def trainer(pairs: Sequence[tuple[str, int]]) -> Predictor:
        tmp = Path(tempfile.mkdtemp(prefix="checkworthiness-"))  # outside the project
        tsv, model = tmp / "train.tsv", tmp / "model"
        tsv.write_text("".join(f"{_clean_line(t)}\t{y}\n" for t, y in pairs), encoding="utf-8")
        cmd = [sys.executable, "-m", "claims.pipeline", CLI_COMMAND, str(tsv), "--out", str(model)]
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True, timeout=1800)

        def predict(items: Sequence[Item], docs: dict[str, ArticleText]) -> list[int]:
            lines = [_clean_line(it.text) for it in items]
            sentences = tmp / "sentences.txt"
            sentences.write_text("\n".join(lines) + "\n", encoding="utf-8")
            cmd = [sys.executable, "-m", "claims.pipeline", "extract", "--model", str(model), "--sentences"]
            done = subprocess.run(
                [*cmd, str(sentences)], cwd=ROOT, check=True, capture_output=True, text=True, timeout=1800
            )
            starts, pos = [], 0  # the reader joins the lines as paragraphs, "\n\n" apart
            for ln in lines:
                starts.append(pos)
                pos += len(ln) + 2
            out = [0] * len(lines)
            for raw in done.stdout.splitlines():
                unit = json.loads(raw)
                if unit.get("is_candidate"):
                    k = max(i for i, s in enumerate(starts) if s <= unit["start"])
                    out[k] = 1
            return out

        return predict

    return f"python -m claims.pipeline {CLI_COMMAND}", trainer


def learned_trainer() -> tuple[str, Trainer] | None:
    return _python_trainer() or _cli_trainer()


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


def _row(name: str, m: dict[str, float]) -> str:
    return (
        f"  {name:<48} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f}"
        f"   {m['tp']:4d} {m['fp']:4d} {m['fn']:4d} {m['tn']:4d}"
    )


def _header() -> str:
    return f"  {'':<48} {'precision':>9} {'recall':>7} {'F1':>6}   {'tp':>4} {'fp':>4} {'fn':>4} {'tn':>4}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("train", "heldout", "all"), help="one split only (default: each)")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N", help="print N sentences the rules misjudge")
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="print N sampled units not judged yet")
    parser.add_argument("--seed", type=int, default=14, help="seed of the cross-validation folds and the bootstrap")
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
    if args.sample:
        judged = set()
        if JUDGMENTS.exists():
            judged = {(j["doc"], j["start"]) for j in json.loads(JUDGMENTS.read_text(encoding="utf-8"))["items"]}
        todo = [u for u in sample_units(docs) if (u[0], u[1]) not in judged]
        for doc_id, s, e, text in todo[: args.sample]:
            print(json.dumps({"doc": doc_id, "start": s, "end": e, "hash": digest(text)}))
            print(f"  {_clean_line(text)}\n")
        return 0

    items, moved, stale = load_items(docs)
    positives = sum(it.label for it in items)
    counts = {s: sum(it.split == s for it in items) for s in ("train", "heldout")}
    print(
        f"judged units: {len(items) + len(stale)} (train {counts['train']}, held-out {counts['heldout']}); "
        f"check-worthy {positives} of {len(items)} ({positives / max(1, len(items)):.0%}); "
        f"hash mismatches: {len(moved)} found elsewhere in their document, {len(stale)} stale (left out)"
    )
    for j in stale[:10]:
        print(f"  stale: {j['doc']}:{j['start']}-{j['end']} (hash {j['hash']})")

    mentions = rules_mentions(items, docs)
    rules = {id(it): int(bool(m and m.is_candidate)) for it, m in zip(items, mentions, strict=True)}
    train = [it for it in items if it.split == "train"]
    heldout = [it for it in items if it.split == "heldout"]
    learned = learned_trainer()
    print(f"learned FactDesk model: {learned[0] if learned else 'no learned model yet'}")

    def learned_predictions(fit_on: Sequence[Item], score: Sequence[Item]) -> list[int] | str:
        if learned is None:
            return "no learned model yet"
        try:
            return learned[1]([(it.text, it.label) for it in fit_on])(score, docs)
        except Exception as exc:  # a model under construction must not take the benchmark down
            return f"failed: {exc!r}"

    def learned_cv(pool: Sequence[Item]) -> list[int] | str:
        from sklearn.model_selection import StratifiedKFold

        out = [0] * len(pool)
        cv = StratifiedKFold(5, shuffle=True, random_state=args.seed)
        for fit_idx, score_idx in cv.split([it.text for it in pool], [it.label for it in pool]):
            got = learned_predictions([pool[i] for i in fit_idx], [pool[i] for i in score_idx])
            if isinstance(got, str):
                return got
            for i, p in zip(score_idx, got, strict=True):
                out[i] = p
        return out

    results: dict[str, Any] = {
        "judged": len(items) + len(stale),
        "check_worthy": positives,
        "moved": len(moved),
        "stale": len(stale),
    }
    sections = [args.split] if args.split else ["heldout", "train", "all"]
    for section in sections:
        pool = {"heldout": heldout, "train": train, "all": items}[section]
        gold = [it.label for it in pool]
        rule_pred = [rules[id(it)] for it in pool]
        title = {"heldout": "held-out", "train": "train", "all": "all"}[section]
        print(f"\n{title}: {len(pool)} units, {sum(gold)} check-worthy, {len(pool) - sum(gold)} not")
        print(_header())
        figures: dict[str, Any] = {"n": len(pool), "check_worthy": sum(gold), "rules": prf(gold, rule_pred)}
        print(_row("(a) FactDesk rules (is_candidate)", figures["rules"]))
        figures["everything"] = prf(gold, [1] * len(pool))
        print(_row("    (reference: every unit check-worthy)", figures["everything"]))
        if section == "heldout":
            lr_pred, c = lr_train_predict(train, heldout, args.seed)
            lr_name = f"(b) bag-of-words LR trained on train (C={c:g})"
            learned_pred = learned_predictions(train, heldout)
        else:
            lr_pred = lr_cross_validated(pool, args.seed)
            lr_name = f"(b) bag-of-words LR, 5-fold CV within {title}"
            learned_pred = learned_cv(pool)
        figures["lr"] = prf(gold, lr_pred)
        print(_row(lr_name, figures["lr"]))
        if section == "heldout":
            cv_all = lr_cross_validated(items, args.seed)
            figures["lr_cv_all"] = prf([it.label for it in items], cv_all)
            figures["rules_all"] = prf([it.label for it in items], [rules[id(it)] for it in items])
            print(_row(f"(c) the same LR, 5-fold CV over all {len(items)}", figures["lr_cv_all"]))
            print(_row(f"    (FactDesk rules over all {len(items)}, to compare)", figures["rules_all"]))
        if isinstance(learned_pred, str):
            print(f"  (d) learned FactDesk model: {learned_pred}")
            figures["learned"] = learned_pred
        else:
            figures["learned"] = prf(gold, learned_pred)
            how = "trained on train" if section == "heldout" else f"5-fold CV within {title}"
            print(_row(f"(d) learned FactDesk model, {how}", figures["learned"]))
        for source in ("newswcl50", "multinews"):
            idx = [i for i, it in enumerate(pool) if it.doc.startswith(source)]
            g = [gold[i] for i in idx]
            r, lr = prf(g, [rule_pred[i] for i in idx]), prf(g, [lr_pred[i] for i in idx])
            print(f"  {source}: {len(idx)} units, {sum(g)} check-worthy; F1 rules {r['f1']:.3f}, LR {lr['f1']:.3f}")
        point, low, high = bootstrap_f1_difference(gold, rule_pred, lr_pred, args.seed)
        figures["f1_rules_minus_lr"] = {"difference": point, "ci95": [low, high]}
        verdict = "rules worse" if high < 0 else "rules better" if low > 0 else "no significant difference"
        print(
            f"  F1 rules - LR: {point:+.3f}, bootstrap 95% interval [{low:+.3f}, {high:+.3f}] "
            f"(10,000 paired resamples of the {len(pool)} units): {verdict}"
        )
        results[section] = figures

    if args.show_errors:
        pool = {"heldout": heldout, "train": train, "all": items}[args.split or "all"]
        errors = [(it, m) for it, m in zip(items, mentions, strict=True) if it in pool and rules[id(it)] != it.label]
        random.Random(args.seed).shuffle(errors)
        print(f"\nFactDesk rules misjudge {len(errors)} of {len(pool)}; {min(args.show_errors, len(errors))} of them:")
        for it, m in errors[: args.show_errors]:
            kind = "missed (judged check-worthy)" if it.label else "false alarm (judged not)"
            score = f"score {m.checkworthiness:.2f}, {m.reason or 'candidate'}" if m else "no mention"
            features = ", ".join(f"{k} {v:+.2f}" for k, v in (m.features.items() if m else ()))
            print(f"- {kind}; {score}; {features}\n  {it.doc}:{it.start}  {_clean_line(it.text)[:400]}")
    if args.json:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
