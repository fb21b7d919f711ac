from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from articles.models import Story
from claims import persist, runs
from claims.selectors import story_lookup


class Command(BaseCommand):
    help = "Run the claim pipeline on a story in the foreground (for debugging and benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("story", help="Story id, slug or name.")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Analyse the whole story afresh (statistics too), not from the index its last run kept.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            story = story_lookup(options["story"])
        except Story.DoesNotExist as exc:
            raise CommandError(f"No story {options['story']!r}.") from exc
        articles = list(story.articles.filter(processed_at__isnull=True).select_related("outlet").order_by("id"))
        # The same run service as an import's, started here instead of queued.
        run = runs.pipeline_start(story=story, article_ids=[a.pk for a in articles])
        runs.run_begin(run_id=run.pk)
        for article in tqdm(articles, desc="extract", unit="article", disable=not articles, file=self.stderr._out):
            started = time.perf_counter()
            try:
                persist.article_extract(article=article, run_id=run.pk)
            except Exception as exc:  # same rule as the worker: one bad article costs only itself
                runs.run_note(run_id=run.pk, article_id=article.pk, stage="extract", reason=repr(exc), fatal=True)
            runs.run_article_done(run_id=run.pk, extract_seconds=time.perf_counter() - started)
        self.stderr.write("analyse: aligning claims and finding conflicts…")
        stats = persist.story_analyse(story=story, run_id=run.pk, progress=self.stderr.write, full=options["full"])
        runs.run_finish(run_id=run.pk, stats=stats)
        run.refresh_from_db()
        for error in run.errors:
            self.stderr.write(f"  skipped: article {error['article_id']} ({error['stage']}): {error['reason']}")
        self.stdout.write(
            f"Run #{run.pk} {run.state}: {len(articles)} articles extracted; "
            + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in stats.items())
        )
