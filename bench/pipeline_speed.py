"""Speed and memory of the NLP pipeline (no database), on real news when it is there.

    python3 bin/bench pipeline [-- --sizes 100 1000 5000 --extract-articles 300 --corpus FOLDER...]
    .venv/bin/python bench/pipeline_speed.py [same options]   (no database needed)

Prints tables and writes bench/results/pipeline_speed.json:
- sentence splitting alone vs full extraction, articles/s and MB/s, on the seeds, generated
  seed-like articles, real news and any --corpus given, with raw pysbd (as it comes, on each
  whole body) as the floor;
- extraction of full-length real articles (the 50 NewsWCL50 articles, 1,458-9,845 characters,
  when ``../shared/dev-stories/newswcl50`` is there), --extract-runs times in this one process:
  documents/s and characters/s per run (the median is the figure), the ratio to raw pysbd on
  the same text within each run, and the same extraction with pysbd as it comes (before
  sentences.py's speed-ups), whose output must be identical, document for document;
- with --profile N, where extraction spends its time on N real documents (cProfile, by module);
- the story stage (alignment, sources, conflicts: ``analyse_story``) by story size, each size in a
  fresh process: wall and CPU seconds and the peak resident memory of each part, and the growth
  exponent from the smallest to the largest story (time ~ size ** exponent);
- incremental runs (``--incremental N K``, default 3,000 and 10 real documents): K documents
  added to an N-document story with ``StoryIndex.add``, against the full re-run of all N + K
  with every earlier claim fixed and the same statistics, whose result must be the same.

The story is real when ``../shared/dev-stories/multinews_test.jsonl`` is beside the project (see
bench/corpus.py; development data, never copied into the project): its first 100, 1,000 and
5,000 documents, cluster after cluster, as one story, a heavy news day of many small stories.
Without it, or with --generated, the stories are generated from the seeds (shuffled sentences,
perturbed numbers and names, reworded, some copies marked as duplicates): 10, 100 and 1,000
articles, seed-like and so far more repetitive than real news.

Each story runs in a child process that has first analysed the seed story (imports loaded,
patterns compiled, as in a worker that has run before) and then reads the extractions from a
file, so that its memory is what a worker's would be: the pipeline's code, the story's
mentions, and what the story stage builds. Peaks are the kernel's high-water mark (VmHWM,
reset between the parts), or ru_maxrss where that cannot be reset.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import pickle
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pysbd
import pysbd.abbreviation_replacer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import full_length_articles, generate_story, load_folder, load_seeds, multinews_documents  # noqa: E402
from claims.pipeline import analyse_story, extract_article, sentences  # noqa: E402
from claims.pipeline.confidence import DEFAULT_MIN_CONFIDENCE  # noqa: E402
from claims.pipeline.incremental import StoryIndex  # noqa: E402
from claims.pipeline.sentences import MAX_BODY_CHARS, split_sentences  # noqa: E402
from claims.pipeline.types import ArticleExtraction, ArticleText, to_jsonable  # noqa: E402

REAL_SIZES = (100, 1000, 5000)
GENERATED_SIZES = (10, 100, 1000)
# Targets of issue 15 (real text) and of the generated benchmark before it.
STORY_SECONDS_TARGET = 10.0  # the largest real story (5,000 documents)
EXPONENT_TARGET = 1.15
PEAK_MB_TARGET = 400
INCREMENTAL_SECONDS_TARGET = 1.0  # 10 documents added to a 3,000-document story
INCREMENTAL_RATIO_TARGET = 0.05  # of the full re-run's time
EXTRACTION_TARGET = 40  # full-length real articles a second, one process (issue 15.6)


@lru_cache(maxsize=1)
def _stock_segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


@contextmanager
def stock_pysbd() -> Iterator[pysbd.Segmenter]:
    """pysbd as it comes (its own segmenter, the plain ``re`` module) inside the pipeline: raw
    pysbd, and the extraction as it was before sentences.py's speed-ups."""
    with sentences.pysbd_as_it_comes():
        saved = sentences._segmenter
        sentences._segmenter = _stock_segmenter
        try:
            yield _stock_segmenter()
        finally:
            sentences._segmenter = saved


def _timed(fn: Any) -> tuple[Any, float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def _raw_pysbd(arts: list[ArticleText]) -> tuple[float, float]:
    """Wall and CPU seconds of raw pysbd (as it comes) on each whole body: the floor."""
    with stock_pysbd() as seg:
        _, wall, cpu = _timed(lambda: [seg.segment(a.body[:MAX_BODY_CHARS]) for a in arts])
    return wall, cpu


def _identical(arts: list[ArticleText], ours: list[ArticleExtraction]) -> tuple[int, float]:
    """How many documents pysbd as it comes extracts exactly as we do (sentences, mentions with
    their slots, rejected sentences, what was skipped), and the seconds it takes."""
    with stock_pysbd():
        before, wall, _ = _timed(lambda: [extract_article(a) for a in arts])
    return sum(to_jsonable(a) == to_jsonable(b) for a, b in zip(ours, before, strict=True)), wall


def bench_extraction(n: int, corpus: list[ArticleText] | None = None, compare: bool = False) -> dict:
    arts = corpus if corpus is not None else generate_story(n, seed=2)
    n = len(arts)
    mb = sum(len(a.body.encode()) for a in arts) / 1e6
    chars = sum(len(a.body) for a in arts)
    split_sentences("warm up. Please.")
    t0 = time.perf_counter()
    n_sent = sum(len(split_sentences(a.body)) for a in arts)
    t_split = time.perf_counter() - t0
    exs, t_extract, _ = _timed(lambda: [extract_article(a) for a in arts])
    t_pysbd, _ = _raw_pysbd(arts)
    out = {
        "articles": n,
        "characters": chars,
        "sentences": n_sent,
        "megabytes": round(mb, 3),
        "split_seconds": round(t_split, 3),
        "extract_seconds": round(t_extract, 3),
        "raw_pysbd_seconds": round(t_pysbd, 3),
        "split_articles_per_s": round(n / t_split, 1),
        "extract_articles_per_s": round(n / t_extract, 1),
        "raw_pysbd_articles_per_s": round(n / t_pysbd, 1),
        "split_mb_per_s": round(mb / t_split, 3),
        "extract_mb_per_s": round(mb / t_extract, 3),
        "extract_chars_per_s": round(chars / t_extract),
        "extract_over_split": round(t_extract / t_split, 2),
        "extract_over_raw_pysbd": round(t_extract / t_pysbd, 2),
        "candidates": sum(len(e.mentions) for e in exs),
    }
    if compare:
        same, t_before = _identical(arts, exs)
        out |= {"identical_to_stock_pysbd": same, "stock_pysbd_extract_articles_per_s": round(n / t_before, 1)}
    return out


def bench_full_length(arts: list[ArticleText], runs: int) -> dict:
    """Extraction of full-length real articles, ``runs`` times in this process (the machine may be
    shared: the median is the figure, the range says how much it moved), each run with raw pysbd
    and the extraction with pysbd as it comes on the same text."""
    chars = sum(len(a.body) for a in arts)
    per_run = []
    identical = None
    for run in range(runs):
        exs, wall, cpu = _timed(lambda: [extract_article(a) for a in arts])
        p_wall, p_cpu = _raw_pysbd(arts)
        same, before = _identical(arts, exs)
        identical = same if identical is None else min(identical, same)
        per_run.append(
            {
                "articles_per_s": round(len(arts) / wall, 1),
                "cpu_articles_per_s": round(len(arts) / cpu, 1),
                "chars_per_s": round(chars / wall),
                "over_raw_pysbd": round(wall / p_wall, 2),
                "over_raw_pysbd_cpu": round(cpu / p_cpu, 2),
                "stock_pysbd_articles_per_s": round(len(arts) / before, 1),
                "speedup_over_stock_pysbd": round(before / wall, 2),
            }
        )
        r = per_run[-1]
        print(
            f"  run {run + 1}: {r['articles_per_s']:>6.1f} articles/s ({r['cpu_articles_per_s']:.1f} by CPU time), "
            f"{r['chars_per_s']:>7,} chars/s, {r['over_raw_pysbd']:.2f}x raw pysbd; with pysbd as it comes "
            f"{r['stock_pysbd_articles_per_s']:.1f} articles/s (ours {r['speedup_over_stock_pysbd']:.2f}x as fast)"
        )

    def spread(key: str) -> dict[str, float]:
        values = [r[key] for r in per_run]
        return {"min": min(values), "median": statistics.median(values), "max": max(values)}

    return {
        "articles": len(arts),
        "characters": chars,
        "median_chars_per_article": statistics.median(len(a.body) for a in arts),
        "runs": per_run,
        "articles_per_s": spread("articles_per_s"),
        "cpu_articles_per_s": spread("cpu_articles_per_s"),
        "chars_per_s": spread("chars_per_s"),
        "over_raw_pysbd": spread("over_raw_pysbd"),
        "speedup_over_stock_pysbd": spread("speedup_over_stock_pysbd"),
        "identical_to_stock_pysbd": identical,
    }


def _module(path: str) -> str | None:
    """The module a profiled function belongs to; None for built-ins and ``re`` itself, whose time
    counts for whoever called them."""
    if path == "~" or ("/lib/python3" in path and "/re/" in path):
        return None
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    if "/claims/pipeline/" in path:
        return "claims.pipeline." + path.split("/claims/pipeline/", 1)[1].removesuffix(".py").replace("/", ".")
    return Path(path).stem


def profile_extraction(arts: list[ArticleText], top: int = 25) -> dict[str, float]:
    """cProfile of extract_article on ``arts``: the busiest functions, and the share of the time
    spent in each module, the regular expressions (matching and compiling) and string methods a
    module calls counted as its own."""
    prof = cProfile.Profile()
    prof.enable()
    for a in arts:
        extract_article(a)
    prof.disable()
    stats = pstats.Stats(prof)
    table = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in table.values())
    by_module: dict[str, float] = {}

    def charge(key: tuple, seconds: float, seen: frozenset = frozenset()) -> None:
        module = _module(key[0])
        callers = table[key][4] if key in table else {}
        if module is not None or not callers or key in seen:
            name = module or "re and built-ins (callers unknown)"
            by_module[name] = by_module.get(name, 0.0) + seconds
            return
        shares = {caller: timing[2] for caller, timing in callers.items()}
        whole = sum(shares.values()) or 1.0
        for caller, part in shares.items():
            charge(caller, seconds * part / whole, seen | {key})

    for key, (_, _, tottime, _, _) in table.items():
        charge(key, tottime)
    shares = {k: round(100 * v / total, 1) for k, v in sorted(by_module.items(), key=lambda kv: -kv[1])}
    print(
        f"\nProfile of extract_article on {len(arts)} real documents ({total:.1f} s under cProfile), by module "
        "(with the re and str work it asks for):"
    )
    for module, share in list(shares.items())[:12]:
        print(f"  {share:>5.1f}%  {module}")
    print()
    stats.sort_stats("tottime").print_stats(top)
    return shares


# --- memory of this process -------------------------------------------------------------------


def _high_water_mb() -> float:
    """Peak resident memory since the last reset (VmHWM), or since the start (ru_maxrss)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_high_water() -> bool:
    """Start a new peak from the current size (Linux: write 5 to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


# --- children: one process per stage and size --------------------------------------------------


def _warm_up() -> None:
    seeds = load_seeds()
    analyse_story([extract_article(a) for a in seeds], seeds)


def child_extract(source: str, n: int, out: str) -> dict:
    """Extract the first n documents (real, or generated seed-like ones) and store them for the
    story children."""
    _warm_up()
    arts = (multinews_documents(n) if source == "real" else generate_story(n, seed=3)) or []
    before = _rss_mb()
    can_reset = _reset_high_water()
    t0, c0 = time.perf_counter(), time.process_time()
    exs = [extract_article(a) for a in arts]
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    with open(out, "wb") as fh:  # one record an article, so that a story child reads only its own
        pickle.dump({"source": source, "articles": len(arts)}, fh)
        for pair in zip(arts, exs, strict=True):
            pickle.dump(pair, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return {
        "articles": len(arts),
        "mentions": sum(len(e.mentions) for e in exs),
        "megabytes": round(sum(len(a.body.encode()) for a in arts) / 1e6, 2),
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "articles_per_s": round(len(arts) / wall, 1) if wall else None,
        "rss_before_mb": round(before),
        "peak_mb": round(_high_water_mb() if can_reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def child_story(path: str, n: int) -> dict:
    """The story stage on the first n articles of the stored extractions, part by part."""
    _warm_up()
    arts: list[ArticleText] = []
    exs: list[ArticleExtraction] = []
    with open(path, "rb") as fh:
        pickle.load(fh)  # the header
        while len(arts) < n:
            try:
                art, ex = pickle.load(fh)
            except EOFError:
                break
            arts.append(art)
            exs.append(ex)
    before = _rss_mb()
    can_reset = _reset_high_water()
    parts: dict[str, dict[str, float]] = {}
    current: list[Any] = [None, 0.0, 0.0]

    def observe(stage: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        if current[0] is not None:
            parts[current[0]] = {
                "wall_seconds": round(now - current[1], 3),
                "cpu_seconds": round(cpu - current[2], 3),
                "peak_mb": round(_high_water_mb()),
            }
            _reset_high_water()
        current[:] = [stage if stage != "done" else None, now, cpu]

    t0, c0 = time.perf_counter(), time.process_time()
    res = analyse_story(exs, arts, observe=observe)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    shown = [c for c in res.conflicts if c.confidence >= DEFAULT_MIN_CONFIDENCE]
    return {
        "articles": len(arts),
        "mentions": sum(len(e.mentions) for e in exs),
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "rss_before_mb": round(before),
        # the process's peak over the whole stage: the highest of its parts' peaks
        "peak_mb": max((p["peak_mb"] for p in parts.values()), default=round(before))
        if can_reset
        else round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "parts": parts,
        "clusters": len(res.clusters),
        "multi_mention_clusters": sum(1 for c in res.clusters if len(c.mentions) > 1),
        "suggestions": len(res.suggestions),
        "conflicts": len(res.conflicts),
        "conflicts_shown": len(shown),
        "conflicts_by_kind": {
            k: sum(1 for c in res.conflicts if c.kind == k)
            for k in ("number", "quote", "negation", "certainty", "attribution", "date")
        },
    }


def child_incremental(path: str, n: int, k: int) -> dict:
    """k articles added to an n-article story (StoryIndex.add) against the full re-run of the
    n + k articles with every earlier claim fixed and the same statistics; the two must agree."""
    _warm_up()
    arts: list[ArticleText] = []
    exs: list[ArticleExtraction] = []
    with open(path, "rb") as fh:
        pickle.load(fh)  # the header
        while len(arts) < n + k:
            try:
                art, ex = pickle.load(fh)
            except EOFError:
                break
            arts.append(art)
            exs.append(ex)
    t0 = time.perf_counter()
    index, _ = StoryIndex.build(exs[:n], arts[:n])
    build = time.perf_counter() - t0
    fixed, stats = index.fixed_claims(), index.stats
    parts: dict[str, float] = {}
    current: list[Any] = [None, 0.0]

    def observe(stage: str) -> None:
        now = time.perf_counter()
        if current[0] is not None:
            parts[current[0]] = round(now - current[1], 3)
        current[:] = [stage if stage != "done" else None, now]

    t0 = time.perf_counter()
    added = index.add(exs[n:], arts[n:], observe=observe)
    add = time.perf_counter() - t0
    t0 = time.perf_counter()
    full = analyse_story(exs, arts, fixed=fixed, stats=stats)
    rerun = time.perf_counter() - t0
    return {
        "articles": n,
        "added": len(arts) - n,
        "build_seconds": round(build, 3),
        "add_seconds": round(add, 3),
        "add_parts": parts,
        "full_rerun_seconds": round(rerun, 3),
        "ratio": round(add / rerun, 3),
        "same_as_full_rerun": added == full,
        "statistics_taken_again": index.stats is not stats,
    }


def _stored(path: str) -> dict | None:
    """The header of stored extractions (--extractions), or None."""
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError):
        return None


def _add_to_header(path: str, extracted: dict) -> None:
    """Keep the extraction's figures with the stored extractions, for a later run that reuses them."""
    with open(path, "rb") as fh:
        header = pickle.load(fh)
        rest = fh.read()
    with open(path, "wb") as fh:
        pickle.dump({**header, "extracted": extracted}, fh)
        fh.write(rest)


def _run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the report --------------------------------------------------------------------------------


def _row(label: str, ex: dict) -> str:
    same = ex.get("identical_to_stock_pysbd")
    return (
        f"  {label:<26}{ex['articles']:>9}{ex['characters'] // ex['articles']:>7}"
        f"{ex['raw_pysbd_articles_per_s']:>10.1f}{ex['split_articles_per_s']:>10.1f}{ex['extract_articles_per_s']:>9.1f}"
        f"{ex['extract_chars_per_s']:>10,}{ex['extract_over_raw_pysbd']:>8.2f}{ex['extract_over_split']:>8.2f}"
        + (f"{same:>6}/{ex['articles']}" if same is not None else "")
    )


def _exponent(stories: list[dict], key: str) -> float | None:
    first, last = stories[0], stories[-1]
    if len(stories) < 2 or not first[key] or last["articles"] == first["articles"]:
        return None
    return round(math.log(last[key] / first[key]) / math.log(last["articles"] / first["articles"]), 2)


def _extraction_targets(extraction: dict[str, dict], full_length: dict | None) -> list[dict]:
    seeds = extraction.get("seeds (x20)")
    generated = next((v for k, v in extraction.items() if k.startswith("generated")), None)
    targets = []
    if seeds and generated:
        targets += [
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
    if full_length:
        rate = full_length["articles_per_s"]
        targets += [
            {
                "figure": f"extraction, full-length real articles/s (median of {len(full_length['runs'])})",
                "value": rate["median"],
                "target": f">= {EXTRACTION_TARGET}",
                "ok": rate["median"] >= EXTRACTION_TARGET,
            },
            {
                "figure": "extraction identical to pysbd as it comes (NewsWCL50)",
                "value": f"{full_length['identical_to_stock_pysbd']}/{full_length['articles']}",
                "target": "all",
                "ok": full_length["identical_to_stock_pysbd"] == full_length["articles"],
            },
        ]
    for label, ex in extraction.items():
        if ex.get("identical_to_stock_pysbd") is not None and not label.startswith("NewsWCL50"):
            targets.append(
                {
                    "figure": f"extraction identical to pysbd as it comes ({label.split(' (')[0]})",
                    "value": f"{ex['identical_to_stock_pysbd']}/{ex['articles']}",
                    "target": "all",
                    "ok": ex["identical_to_stock_pysbd"] == ex["articles"],
                }
            )
    return targets


def _print_targets(targets: list[dict]) -> None:
    print()
    for t in targets:
        print(f"  {'OK    ' if t['ok'] else 'MISSED'} {t['figure']:<58} {t['value']:>10} (target {t['target']})")


def _write(out: dict, name: str = "pipeline_speed") -> None:
    path = ROOT / "bench" / "results" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2))
    print(f"\nwrote {path.relative_to(ROOT)}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, *rest = sys.argv[2:]
        if kind == "extract":
            result = child_extract(rest[0], int(rest[1]), rest[2])
        elif kind == "incremental":
            result = child_incremental(rest[0], int(rest[1]), int(rest[2]))
        else:
            result = child_story(rest[0], int(rest[1]))
        print(json.dumps(result))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--sizes", type=int, nargs="*", help="story sizes (default 100 1000 5000 real, 10 100 1000 generated)"
    )
    ap.add_argument("--articles", type=int, help="largest story size (kept for older command lines)")
    ap.add_argument("--generated", action="store_true", help="generated stories even when real news is there")
    ap.add_argument("--extract-articles", type=int, default=300, help="articles for the extraction figures")
    ap.add_argument("--corpus", nargs="*", default=[], help="files or folders of articles in the importers' formats")
    ap.add_argument(
        "--extractions",
        metavar="FILE",
        help="keep the story's extractions in FILE and reuse them when it holds enough (to compare code changes)",
    )
    ap.add_argument("--skip-extraction", action="store_true", help="no extraction figures, the story stage only")
    ap.add_argument(
        "--extract-runs", type=int, default=5, help="runs over the full-length real articles (the median is the figure)"
    )
    ap.add_argument("--profile", type=int, metavar="N", help="profile extract_article on N real documents first")
    ap.add_argument("--extraction-only", action="store_true", help="the extraction figures only, no story stage")
    ap.add_argument(
        "--incremental",
        type=int,
        nargs=2,
        default=[3000, 10],
        metavar=("N", "K"),
        help="K real documents added to an N-document story, against a full re-run (0 0: skip)",
    )
    args, _ = ap.parse_known_args()

    real = None if args.generated else multinews_documents(args.extract_articles)
    corpora: dict[str, list[ArticleText] | None] = {
        "seeds (x20)": load_seeds() * 20,
        f"generated ({args.extract_articles})": None,
    }
    if real:
        corpora[f"Multi-News ({len(real)})"] = real
    if args.corpus:
        corpora[f"given: {', '.join(args.corpus)}"[:26]] = load_folder(args.corpus)
    full = None if args.generated else full_length_articles()
    if full:
        corpora[f"NewsWCL50 ({len(full)}, full-length)"] = full
    if args.profile and (real or full):
        profiled = [*(full or []), *(multinews_documents(args.profile) or [])][: args.profile]
        for a in load_seeds():  # patterns compiled, as in a worker that has run before
            extract_article(a)
        profile_extraction(profiled)
    extraction: dict[str, dict] = {}
    full_length = None
    if not args.skip_extraction:
        print("Extraction per article, one process: raw pysbd (as it comes, whole bodies), our sentence")
        print("splitting, and full extraction; the last column: documents extracted exactly as with pysbd as it comes")
        print(
            f"  {'corpus':<26}{'articles':>9}{'chars':>7}{'pysbd a/s':>10}{'split a/s':>10}{'ex a/s':>9}"
            f"{'ex chr/s':>10}{'/pysbd':>8}{'/split':>8}{'same':>8}"
        )
        for label, corpus in corpora.items():
            real_text = corpus is not None and corpus is not corpora["seeds (x20)"]
            extraction[label] = bench_extraction(args.extract_articles, corpus, compare=real_text)
            print(_row(label, extraction[label]))
        if full:
            print(
                f"\nFull-length real articles: the {len(full)} NewsWCL50 articles "
                f"({sum(len(a.body) for a in full):,} characters), {args.extract_runs} runs in this process"
            )
            full_length = bench_full_length(full, args.extract_runs)
            rate, ratio = full_length["articles_per_s"], full_length["over_raw_pysbd"]
            print(
                f"  articles/s min {rate['min']}, median {rate['median']}, max {rate['max']}; "
                f"chars/s median {full_length['chars_per_s']['median']:,}; "
                f"{ratio['median']}x raw pysbd (median; {ratio['min']}-{ratio['max']}); "
                f"{full_length['speedup_over_stock_pysbd']['median']}x as fast as with pysbd as it comes; "
                f"output identical to it in {full_length['identical_to_stock_pysbd']} of {len(full)} articles"
            )
    if args.extraction_only:
        targets = _extraction_targets(extraction, full_length)
        _print_targets(targets)
        # its own file, so that a quick run does not replace a whole run's figures
        _write(
            {"extraction": extraction, "full_length_extraction": full_length, "targets": targets}, "pipeline_extraction"
        )
        return

    source = "real" if real else "generated"
    sizes = sorted(args.sizes or (REAL_SIZES if real else GENERATED_SIZES))
    if args.articles:
        sizes = [n for n in sizes if n <= args.articles] or [args.articles]
    with tempfile.TemporaryDirectory(prefix="factdesk-bench-") as tmp:
        store = args.extractions or str(Path(tmp) / "extractions.pickle")
        header = _stored(store)
        if header and header["source"] == source and header["articles"] >= sizes[-1]:
            extracted = header["extracted"]
        else:
            extracted = _run_child("extract", source, str(sizes[-1]), store)
            if args.extractions:
                _add_to_header(store, extracted)
        what = "Multi-News documents, cluster after cluster" if real else "generated seed-like articles"
        print(
            f"\nExtraction of the largest story ({extracted['articles']} {what}), one process: "
            f"{extracted['articles_per_s']} articles/s, {extracted['mentions']} mentions, "
            f"peak {extracted['peak_mb']} MB (holding every extraction)"
        )
        print("\nStory stage (alignment, sources, conflicts) by story size, each in a fresh process")
        print(
            f"  {'articles':>8}{'mentions':>9}{'wall s':>8}{'cpu s':>7}{'x prev':>7}"
            f"{'align':>7}{'sources':>8}{'conflicts':>10}{'MB before':>10}{'peak MB':>8}"
            f"{'align':>6}{'confl.':>7}{'clusters':>9}{'conflicts':>10}{'shown':>6}"
        )
        stories: list[dict[str, Any]] = []
        for n in sizes:
            st = _run_child("story", store, str(n))
            prev = stories[-1] if stories else None
            st["ratio_to_previous"] = round(st["wall_seconds"] / prev["wall_seconds"], 2) if prev else None
            stories.append(st)
            p = st["parts"]
            ratio = f"{st['ratio_to_previous']:.1f}" if st["ratio_to_previous"] else "—"
            print(
                f"  {st['articles']:>8}{st['mentions']:>9}{st['wall_seconds']:>8.2f}{st['cpu_seconds']:>7.2f}{ratio:>7}"
                f"{p['align']['wall_seconds']:>7.2f}{p['sources']['wall_seconds']:>8.2f}"
                f"{p['conflicts']['wall_seconds']:>10.2f}{st['rss_before_mb']:>10}{st['peak_mb']:>8}"
                f"{p['align']['peak_mb']:>6}{p['conflicts']['peak_mb']:>7}"
                f"{st['clusters']:>9}{st['conflicts']:>10}{st['conflicts_shown']:>6}"
            )
        incremental = None
        n_inc, k_inc = args.incremental
        if real and n_inc and n_inc + k_inc <= extracted["articles"]:
            incremental = _run_child("incremental", store, str(n_inc), str(k_inc))
            parts = ", ".join(f"{name} {sec:.3f}" for name, sec in incremental["add_parts"].items())
            print(
                f"\nIncremental: {incremental['added']} documents added to a {n_inc:,}-document story "
                f"{incremental['add_seconds']:.3f} s ({parts}); full re-run {incremental['full_rerun_seconds']:.2f} s; "
                f"ratio {incremental['ratio']}; same result as the full re-run: {incremental['same_as_full_rerun']}"
            )
    exponent = {"wall": _exponent(stories, "wall_seconds"), "cpu": _exponent(stories, "cpu_seconds")}
    print(
        f"\n  growth exponent {stories[0]['articles']} -> {stories[-1]['articles']} articles "
        f"(time ~ size ** e): wall {exponent['wall']}, CPU {exponent['cpu']}"
    )

    targets = _extraction_targets(extraction, full_length)
    big = stories[-1]
    if real:
        targets += [
            {
                "figure": f"story stage, {big['articles']:,} real documents (s)",
                "value": big["wall_seconds"],
                "target": f"< {STORY_SECONDS_TARGET:g}",
                "ok": big["wall_seconds"] < STORY_SECONDS_TARGET,
            },
            {
                "figure": f"growth exponent, {stories[0]['articles']:,} -> {big['articles']:,} real documents",
                "value": exponent["wall"],
                "target": f"<= {EXPONENT_TARGET}",
                "ok": exponent["wall"] is not None and exponent["wall"] <= EXPONENT_TARGET,
            },
            {
                "figure": f"story stage peak memory, {big['articles']:,} real documents (MB)",
                "value": big["peak_mb"],
                "target": f"< {PEAK_MB_TARGET}",
                "ok": big["peak_mb"] < PEAK_MB_TARGET,
            },
        ]
        if incremental:
            label = f"{incremental['added']} documents added to {incremental['articles']:,}"
            targets += [
                {
                    "figure": f"incremental, {label} (s)",
                    "value": incremental["add_seconds"],
                    "target": f"< {INCREMENTAL_SECONDS_TARGET:g}",
                    "ok": incremental["add_seconds"] < INCREMENTAL_SECONDS_TARGET,
                },
                {
                    "figure": f"incremental / full re-run, {label}",
                    "value": incremental["ratio"],
                    "target": f"<= {INCREMENTAL_RATIO_TARGET}",
                    "ok": incremental["ratio"] <= INCREMENTAL_RATIO_TARGET,
                },
                {
                    "figure": "incremental result = full re-run's",
                    "value": incremental["same_as_full_rerun"],
                    "target": "True",
                    "ok": incremental["same_as_full_rerun"],
                },
            ]
    else:
        thousand = next((st for st in stories if st["articles"] == 1000), None)
        if thousand:
            targets += [
                {
                    "figure": "story stage, 1,000 generated articles (s)",
                    "value": thousand["wall_seconds"],
                    "target": "< 20",
                    "ok": thousand["wall_seconds"] < 20,
                },
                {
                    "figure": "1,000-article time / 100-article time (generated)",
                    "value": thousand["ratio_to_previous"],
                    "target": "<= 15",
                    "ok": (thousand["ratio_to_previous"] or 0) <= 15,
                },
            ]
    out = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "extraction": extraction,
        "full_length_extraction": full_length,
        "story_source": source,
        "story_extraction": extracted,
        "stories": stories,
        "growth_exponent": exponent,
        "incremental": incremental,
        "targets": targets,
    }
    _print_targets(targets)
    _write(out)


if __name__ == "__main__":
    main()
