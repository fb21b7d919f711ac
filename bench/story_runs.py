"""The story stage as the worker runs it, on the database: a run that adds articles against a full run.

    python3 bin/bench story-runs [-- --articles 3000 --added 10 --rounds 3]

Needs the database and Redis that bin/bench starts, and the Multi-News development file beside the
project (skips without it). Imports ARTICLES real documents into one story through the import
service, extracts them (claims.persist.article_extract) and runs the story stage once; then, each
round, imports ADDED more, extracts them and times `persist.story_analyse` twice on the same story:
as the worker runs it (from the index the last run kept: claims/story_cache.py), then with
``full=True`` (what every run cost before the index was kept). Both times include reading the
story from the database and writing claims and conflicts; the parts are printed. The ratio is
taken within a round; the median over rounds is reported. The kept indexes go to a temporary
directory; the queued processing tasks are purged at the end. ``--worker-rss`` then runs the stage
in a fresh process (from the kept index, then in full) and prints its peak RSS, and each part's
(read, analyse, write, keep): a worker's need.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factdesk.settings.bench")
INDEXES = tempfile.TemporaryDirectory(prefix="factdesk-story-index-")
os.environ["FACTDESK_STORY_INDEX_DIR"] = INDEXES.name

import django  # noqa: E402

django.setup()

from articles.models import Article, Story  # noqa: E402
from articles.services import articles_import, story_get_or_create  # noqa: E402
from bench.corpus import multinews_documents  # noqa: E402
from claims import persist  # noqa: E402
from claims.models import Mention  # noqa: E402
from factdesk.celery import app  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "story_runs.json"
SECONDS_TARGET = 1.0  # issue 15: 10 articles added to a 3,000-document story
RATIO_TARGET = 0.05


def import_documents(story: Story, docs: list) -> int:
    records = [{"external_id": f"mn-{d.id}", "text": d.body} for d in docs]
    batch = articles_import(story=story, files=[("documents.json", json.dumps(records).encode())])
    for article in Article.objects.filter(story=story, processed_at__isnull=True).order_by("pk"):
        persist.article_extract(article=article)
    return batch.imported_count


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=3000)
    ap.add_argument("--added", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument(
        "--profile", action="store_true", help="print cProfile's top functions of a run from the kept index"
    )
    ap.add_argument(
        "--profile-round", type=int, default=0, help="the round --profile profiles (1, 2, ...; 0: the last)"
    )
    ap.add_argument(
        "--worker-rss",
        action="store_true",
        help="then add ADDED documents again and run the stage in a fresh process, from the kept index and in full, "
        "and print each one's peak RSS (what a worker process needs for this story)",
    )
    args, _ = ap.parse_known_args()
    docs = multinews_documents(args.articles + args.added * (args.rounds + args.worker_rss))
    if docs is None:
        print("story-runs: skipped (../shared/dev-stories/multinews_test.jsonl is absent)")
        return 0
    story, _ = story_get_or_create(name=f"Story runs benchmark {time.time_ns()}")
    started = time.perf_counter()
    imported = import_documents(story, docs[: args.articles])
    first = persist.story_analyse(story=story)
    print(
        f"Story of {imported:,} Multi-News documents, {Mention.objects.filter(article__story=story).count():,} mentions: "
        f"imported and extracted, first run {first['seconds']:.2f} s ({first['story_stage']}); "
        f"setup {time.perf_counter() - started:.0f} s"
    )
    rounds = []
    for r in range(args.rounds):
        at = args.articles + r * args.added
        import_documents(story, docs[at : at + args.added])
        profiled = (args.profile_round or args.rounds) - 1
        profile = cProfile.Profile() if args.profile and r == profiled else None
        if profile:
            profile.enable()
        kept = persist.story_analyse(story=story)
        if profile:
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
        full_profile = cProfile.Profile() if profile else None
        if full_profile:
            full_profile.enable()
        full = persist.story_analyse(story=story, full=True)
        if full_profile:
            full_profile.disable()
            print("The full run:")
            pstats.Stats(full_profile).sort_stats("cumulative").print_stats(35)
        ratio = kept["seconds"] / full["seconds"]
        rounds.append({"kept": kept, "full": full, "ratio": round(ratio, 3)})
        print(
            f"  round {r + 1}: +{args.added} documents: {kept['seconds']:.3f} s ({kept['story_stage']}; "
            f"{_parts(kept)}), full {full['seconds']:.3f} s ({_parts(full)}), ratio {ratio:.3f}"
        )
    fresh = []
    if args.worker_rss:
        at = args.articles + args.rounds * args.added
        import_documents(story, docs[at : at + args.added])
        for in_full in (False, True):
            child = _stage_in_a_fresh_process(story, in_full)
            print(
                f"  in a fresh process, {'full' if in_full else 'from the kept index'}: {child['seconds']:.2f} s "
                f"({child['stage']}), peak RSS {child['peak_mb']:.0f} MB (Django and the app loaded: {child['before_mb']:.0f} MB; "
                f"by part: {', '.join(f'{name} {mb:.0f}' for name, mb in child['peak_mb_by_part'].items())})"
            )
            fresh.append({"full": in_full, **child})
    seconds = statistics.median(r["kept"]["seconds"] for r in rounds)
    ratio = statistics.median(r["ratio"] for r in rounds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"Median: {seconds:.3f} s for {args.added} documents added to {args.articles:,} "
        f"(target < {SECONDS_TARGET:g} s); ratio to a full run {ratio:.3f} (target <= {RATIO_TARGET}); "
        f"peak RSS of this process {peak:.0f} MB (extraction included)"
    )
    app.control.purge()  # the import queued processing; nothing here runs a worker
    INDEXES.cleanup()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "articles": args.articles,
                "added": args.added,
                "rounds": rounds,
                "fresh_process": fresh,
                "targets": [
                    {
                        "figure": f"story stage on the database, {args.added} documents added to {args.articles:,} (s)",
                        "value": seconds,
                        "target": f"< {SECONDS_TARGET:g}",
                        "ok": seconds < SECONDS_TARGET,
                    },
                    {
                        "figure": "the same / a full run of the story stage",
                        "value": ratio,
                        "target": f"<= {RATIO_TARGET}",
                        "ok": ratio <= RATIO_TARGET,
                    },
                ],
            },
            indent=2,
        )
    )
    return 0


# The story stage as the worker's task runs it, alone in a process: its peak RSS is the worker's need.
_CHILD = """
import json, os, re, sys
sys.path.insert(0, {root!r})
import django
django.setup()
from articles.models import Story
from claims import persist, tasks  # noqa: F401 (what a worker has loaded)

def peak_mb():  # this process's own high-water mark (ru_maxrss would count the parent's, from the fork)
    with open("/proc/self/status") as fh:
        return int(re.search(r"VmHWM:\\s+(\\d+) kB", fh.read()).group(1)) / 1024

# each part's own peak: the high-water mark when it ends, then started again from the current size
peaks = {{}}
timer = persist._lap
def lap_with_peaks(parts, started):
    lap = timer(parts, started)
    def each(name):
        lap(name)
        peaks[name] = peak_mb()
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    return each
persist._lap = lap_with_peaks

before = peak_mb()
stats = persist.story_analyse(story=Story.objects.get(pk={story}), full={full})
print(json.dumps({{"stage": stats["story_stage"], "seconds": stats["seconds"], "before_mb": before,
                  "peak_mb": max([peak_mb(), *peaks.values()]), "peak_mb_by_part": peaks}}))
"""


def _stage_in_a_fresh_process(story: Story, full: bool) -> dict:
    code = _CHILD.format(root=str(ROOT), story=story.pk, full=full)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _parts(stats: dict) -> str:
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in stats["seconds_by_part"].items())


if __name__ == "__main__":
    sys.exit(main())
