"""Speed of the NLP pipeline (no database).

    python3 bin/bench pipeline [-- --articles 1000 --extract-articles 300 --corpus FOLDER...]
    .venv/bin/python bench/pipeline_speed.py [same options]   (no database needed)

Prints a table and writes bench/results/pipeline_speed.json:
- sentence splitting alone vs full extraction on the same seed-like texts (articles/s, MB/s, ratio);
- analyse_story (alignment + conflicts) on generated stories of growing size.
The generator varies the seed articles (shuffles sentences, perturbs numbers and names, rewords,
drops paragraphs, marks some copies as duplicates) so that stories are seed-like but not identical.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import generate_story, load_folder, load_seeds  # noqa: E402
from claims.pipeline import analyse_story, extract_article  # noqa: E402
from claims.pipeline.sentences import split_sentences  # noqa: E402
from claims.pipeline.types import ArticleText  # noqa: E402


def bench_extraction(n: int, corpus: list[ArticleText] | None = None) -> dict:
    arts = corpus if corpus is not None else generate_story(n, seed=2)
    n = len(arts)
    mb = sum(len(a.body.encode()) for a in arts) / 1e6
    split_sentences("warm up. Please.")
    t0 = time.perf_counter()
    n_sent = sum(len(split_sentences(a.body)) for a in arts)
    t_split = time.perf_counter() - t0
    t0 = time.perf_counter()
    exs = [extract_article(a) for a in arts]
    t_extract = time.perf_counter() - t0
    return {
        "articles": n,
        "sentences": n_sent,
        "megabytes": round(mb, 3),
        "split_seconds": round(t_split, 3),
        "extract_seconds": round(t_extract, 3),
        "split_articles_per_s": round(n / t_split, 1),
        "extract_articles_per_s": round(n / t_extract, 1),
        "split_mb_per_s": round(mb / t_split, 3),
        "extract_mb_per_s": round(mb / t_extract, 3),
        "extract_over_split": round(t_extract / t_split, 2),
        "candidates": sum(len(e.mentions) for e in exs),
    }


def bench_story(n: int) -> dict:
    arts = generate_story(n, seed=3)
    t0 = time.perf_counter()
    exs = [extract_article(a) for a in arts]
    t_extract = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = analyse_story(exs, arts)
    t_story = time.perf_counter() - t0
    return {
        "articles": n,
        "mentions": sum(len(e.mentions) for e in exs),
        "extract_seconds": round(t_extract, 2),
        "analyse_seconds": round(t_story, 2),
        "clusters": len(res.clusters),
        "multi_mention_clusters": sum(1 for c in res.clusters if len(c.mentions) > 1),
        "suggestions": len(res.suggestions),
        "conflicts": len(res.conflicts),
        "conflicts_by_kind": {
            k: sum(1 for c in res.conflicts if c.kind == k)
            for k in ("number", "quote", "certainty", "attribution", "date")
        },
    }


def _row(label: str, ex: dict) -> str:
    return (
        f"  {label:<26}{ex['articles']:>9}{ex['split_articles_per_s']:>12.1f}{ex['extract_articles_per_s']:>13.1f}"
        f"{ex['split_mb_per_s']:>11.3f}{ex['extract_mb_per_s']:>9.3f}{ex['extract_over_split']:>8.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1000, help="largest story size")
    ap.add_argument("--extract-articles", type=int, default=300, help="generated articles for the extraction figures")
    ap.add_argument("--corpus", nargs="*", default=[], help="files or folders of articles in the importers' formats")
    args, _ = ap.parse_known_args()

    corpora = {"seeds (x20)": load_seeds() * 20, f"generated ({args.extract_articles})": None}
    if args.corpus:
        corpora[f"given: {', '.join(args.corpus)}"[:26]] = load_folder(args.corpus)
    print("Extraction per article, one process: the floor (sentence splitting alone) vs full extraction")
    print(
        f"  {'corpus':<26}{'articles':>9}{'split a/s':>12}{'extract a/s':>12}{'split MB/s':>9}{'ex MB/s':>9}{'ratio':>8}"
    )
    extraction = {}
    for label, corpus in corpora.items():
        ex = bench_extraction(args.extract_articles, corpus)
        extraction[label] = ex
        print(_row(label, ex))
    seeds = extraction["seeds (x20)"]
    generated = extraction[f"generated ({args.extract_articles})"]

    print("\nStory analysis (alignment + conflicts) by story size")
    print(f"  {'articles':>8}{'mentions':>10}{'analyse s':>11}{'x previous':>12}{'clusters':>10}{'conflicts':>11}")
    stories: list[dict[str, Any]] = []
    sizes = [n for n in (10, 100, 1000, 10_000) if n <= args.articles] or [args.articles]
    for n in sizes:
        st = bench_story(n)
        st["ratio_to_previous"] = (
            round(st["analyse_seconds"] / stories[-1]["analyse_seconds"], 2)
            if stories and stories[-1]["analyse_seconds"]
            else None
        )
        stories.append(st)
        ratio = f"{st['ratio_to_previous']:.1f}" if st["ratio_to_previous"] else "—"
        print(
            f"  {st['articles']:>8}{st['mentions']:>10}{st['analyse_seconds']:>11.2f}{ratio:>12}{st['clusters']:>10}{st['conflicts']:>11}"
        )

    targets = [
        {
            "figure": "extraction, seed articles/s (one process)",
            "value": seeds["extract_articles_per_s"],
            "target": ">= 40",
            "ok": seeds["extract_articles_per_s"] >= 40,
        },
        {
            "figure": "extraction time / sentence-splitting time (seeds)",
            "value": seeds["extract_over_split"],
            "target": "<= 4",
            "ok": seeds["extract_over_split"] <= 4,
        },
        {
            "figure": "extraction time / splitting time (generated)",
            "value": generated["extract_over_split"],
            "target": "<= 4",
            "ok": generated["extract_over_split"] <= 4,
        },
    ]
    big = next((st for st in stories if st["articles"] == 1000), None)
    if big:
        targets += [
            {
                "figure": "alignment + conflicts, 1,000-article story (s)",
                "value": big["analyse_seconds"],
                "target": "< 20",
                "ok": big["analyse_seconds"] < 20,
            },
            {
                "figure": "1,000-article time / 100-article time",
                "value": big["ratio_to_previous"],
                "target": "<= 15",
                "ok": (big["ratio_to_previous"] or 0) <= 15,
            },
        ]
    out = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "extraction": extraction,
        "stories": stories,
        "targets": targets,
    }
    path = ROOT / "bench" / "results" / "pipeline_speed.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2))
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
