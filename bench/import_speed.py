"""Import speed: 1,000 generated articles through the import service, as the API or upload would.

    python3 bin/bench import [-- --import-articles 1000]

Needs the database and Redis that bin/bench starts. Measures the whole service: parsing and
cleaning, near-duplicate detection, saving, and queueing the processing on Redis (the queued
tasks are purged afterwards, so that later benchmarks start clean).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factdesk.settings.bench")

import django  # noqa: E402

django.setup()

from articles.models import Article  # noqa: E402
from articles.services import articles_import, story_get_or_create  # noqa: E402
from bench.corpus import story_files  # noqa: E402
from factdesk.celery import app  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--import-articles", type=int, default=1000)
    args, _ = ap.parse_known_args()
    n = args.import_articles
    files = story_files(n, seed=7)
    megabytes = sum(len(data) for _, data in files) / 1e6
    story, _ = story_get_or_create(name=f"Import benchmark {time.time_ns()}")

    started = time.perf_counter()
    batch = articles_import(story=story, files=files)
    seconds = time.perf_counter() - started

    purged = app.control.purge()
    imported = batch.imported_count
    linked = Article.objects.filter(story=story, duplicate_of__isnull=False).count()
    rate = imported / seconds
    print("Import through articles.services.articles_import (PostgreSQL, Redis)")
    print(
        f"  files {n}, {megabytes:.2f} MB: {imported} imported, {batch.skipped_count} skipped, {batch.error_count} errors"
    )
    print(
        f"  {seconds:.2f} s = {rate:.1f} articles/s ({megabytes / seconds:.2f} MB/s); {linked} linked as near-duplicates"
    )
    print(f"  (queued {purged} processing tasks, purged so that later benchmarks start clean)")
    out = {
        "articles": n,
        "imported": imported,
        "errors": batch.error_count,
        "megabytes": round(megabytes, 3),
        "seconds": round(seconds, 3),
        "articles_per_s": round(rate, 1),
        "near_duplicates_linked": linked,
        "targets": [
            {
                "figure": "import, articles/s (1,000 articles)",
                "value": round(rate, 1),
                "target": ">= 50",
                "ok": rate >= 50,
            }
        ],
    }
    path = ROOT / "bench" / "results" / "import_speed.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2))
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
