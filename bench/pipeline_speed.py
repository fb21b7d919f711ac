"""Speed of the NLP pipeline (no database).

    .venv/bin/python bench/pipeline_speed.py [--articles 1000] [--extract-articles 300]

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
import random
import re
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.pipeline import analyse_story, extract_article  # noqa: E402
from claims.pipeline.sentences import split_sentences  # noqa: E402
from claims.pipeline.types import ArticleText  # noqa: E402
from tests.pipeline.seedio import load_seeds  # noqa: E402

OUTLETS = [
    "Associated Press",
    "Reuters",
    "AFP",
    "PA Media",
    "BBC",
    "CNN",
    "Al Jazeera",
    "Business Insider",
    "The Guardian",
    "agencies",
    "Daily Courier",
    "Morning Herald",
    "Sky News",
    "dpa",
]
NAMES = [
    "Mike Pompeo",
    "Donald Trump",
    "Mark Esper",
    "Adel Abdul Mahdi",
    "Yassine al-Yasseri",
    "Jane Holt",
    "Omar Haddad",
    "Lena Fischer",
]
SWAPS = [
    ("protesters", "demonstrators"),
    ("embassy", "mission"),
    ("smashing", "breaking"),
    ("soldiers", "troops"),
    ("rising", "billowing"),
    ("compound", "complex"),
    ("angry", "furious"),
    ("militia", "paramilitary group"),
    ("Dozens", "Scores"),
    ("reception area", "lobby"),
    ("about", "around"),
    ("set fire to", "torched"),
]
NUMWORDS = ["two", "three", "four", "five", "six", "seven", "eight", "ten", "a dozen", "dozens", "hundreds"]


def _vary(body: str, rng: random.Random) -> str:
    paras = [p for p in body.split("\n\n") if p.strip()]
    out = []
    for p in paras:
        if rng.random() < 0.15:
            continue  # dropped paragraph
        sents = [s.text for s in split_sentences(p)] or [p]
        if len(sents) > 1 and rng.random() < 0.3:
            rng.shuffle(sents)
        p = " ".join(sents)
        for a, b in SWAPS:
            if rng.random() < 0.2:
                p = p.replace(a, b)
        p = re.sub(
            r"\b\d+\b",
            lambda m: str(int(m.group()) + rng.choice([0, 0, 0, 1, -1, 5])) if rng.random() < 0.2 else m.group(),
            p,
        )
        p = re.sub(
            r"\b(?:three|seven|half a dozen|dozens)\b",
            lambda m: rng.choice(NUMWORDS) if rng.random() < 0.15 else m.group(),
            p,
        )
        p = re.sub(
            r"\bMike Pompeo\b|\bDonald Trump\b", lambda m: rng.choice(NAMES) if rng.random() < 0.1 else m.group(), p
        )
        out.append(p)
    return "\n\n".join(out or paras)


def generate_story(n: int, seed: int = 1) -> list[ArticleText]:
    rng = random.Random(seed)
    base = load_seeds()
    arts: list[ArticleText] = []
    for i in range(n):
        src = base[i % len(base)]
        if arts and rng.random() < 0.1:  # near-duplicate of an earlier generated article
            orig = rng.choice(arts)
            arts.append(replace(orig, id=i + 1000, duplicate_of=orig.id, outlet=rng.choice(OUTLETS), embeds=()))
            continue
        pub = src.published_on + timedelta(days=rng.choice([0, 0, 1])) if src.published_on else None
        arts.append(ArticleText(id=i + 1000, body=_vary(src.body, rng), published_on=pub, outlet=rng.choice(OUTLETS)))
    return arts


def bench_extraction(n: int) -> dict:
    arts = generate_story(n, seed=2)
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1000, help="largest story size")
    ap.add_argument("--extract-articles", type=int, default=300)
    args = ap.parse_args()
    ex = bench_extraction(args.extract_articles)
    print("Extraction (one process)")
    print(f"  {'stage':<22}{'seconds':>9}{'articles/s':>12}{'MB/s':>9}")
    print(
        f"  {'sentence split only':<22}{ex['split_seconds']:>9.2f}{ex['split_articles_per_s']:>12.1f}"
        f"{ex['split_mb_per_s']:>9.3f}"
    )
    print(
        f"  {'full extraction':<22}{ex['extract_seconds']:>9.2f}{ex['extract_articles_per_s']:>12.1f}"
        f"{ex['extract_mb_per_s']:>9.3f}"
    )
    print(
        f"  extraction / split time ratio: {ex['extract_over_split']:.2f} (target <= 4); "
        f"target >= 40 articles/s: {'OK' if ex['extract_articles_per_s'] >= 40 else 'MISSED'}"
    )
    stories = []
    sizes = sorted({s for s in (50, 200, 500, args.articles) if s <= args.articles})
    print("\nStory analysis (alignment + conflicts)")
    print(f"  {'articles':>8}{'mentions':>10}{'analyse s':>11}{'clusters':>10}{'multi':>7}{'conflicts':>11}")
    for n in sizes:
        st = bench_story(n)
        stories.append(st)
        print(
            f"  {st['articles']:>8}{st['mentions']:>10}{st['analyse_seconds']:>11.2f}{st['clusters']:>10}"
            f"{st['multi_mention_clusters']:>7}{st['conflicts']:>11}"
        )
    big = stories[-1]
    print(
        f"  {big['articles']}-article story analysed in {big['analyse_seconds']:.1f} s (target < 20 s): "
        f"{'OK' if big['analyse_seconds'] < 20 else 'MISSED'}"
    )
    out = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "extraction": ex,
        "stories": stories,
    }
    path = ROOT / "bench" / "results" / "pipeline_speed.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2))
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
