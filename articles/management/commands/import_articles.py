from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.importers import ImportProblem, ParsedArticle, iter_path_files, parse_file
from articles.models import Article
from articles.services import articles_import, import_limits, story_get_or_create


class Command(BaseCommand):
    help = "Import article files (.txt, .json, .jsonl, .html, folders and .zip of these) into a story."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Files or folders to import.")
        parser.add_argument("--story", required=True, help="Story name; created if it does not exist.")
        parser.add_argument(
            "--only-new",
            action="store_true",
            help="Leave out the files whose articles the story already holds; if that is all of them, "
            "import nothing and record no import (the demo, restarted).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        story, created = story_get_or_create(name=options["story"])
        if created:
            self.stdout.write(f"Created story “{story.name}”.")
        limits = import_limits()
        files = iter_path_files(options["paths"], limits)
        if options["only_new"]:
            held = set(Article.objects.filter(story=story).values_list("content_hash", flat=True))

            def is_new(item: tuple[str, bytes] | ImportProblem) -> bool:
                if isinstance(item, ImportProblem):
                    return True  # reported as the import's error, as without --only-new
                results = parse_file(item[0], item[1], limits)
                return any(not isinstance(r, ParsedArticle) or r.content_hash not in held for r in results)

            new = [item for item in files if is_new(item)]
            if not new:
                self.stdout.write(f"“{story.name}” already holds every article of these files: nothing to import.")
                return
            files = iter(new)
        batch = articles_import(story=story, files=files)
        waiting = [entry["message"] for entry in batch.report if entry["status"] == "waiting"]
        for entry in batch.report:
            if entry["status"] == "waiting":
                continue
            line = f"{entry['status']:>8}  {entry['source']}"
            if entry.get("article_id"):
                line += f"  (article #{entry['article_id']})"
            if entry.get("message"):
                line += f"  {entry['message']}"
            self.stdout.write(self.style.ERROR(line) if entry["status"] == "error" else line)
        self.stdout.write(
            f"Import #{batch.pk} into “{story.name}”: {batch.imported_count} imported, "
            f"{batch.skipped_count} skipped, {batch.error_count} errors."
        )
        if waiting:  # the broker is away: the sweep starts the processing once it is back
            self.stdout.write(self.style.WARNING(f"Saved {batch.imported_count} articles; {waiting[0]}."))
        if batch.error_count:
            n = batch.error_count
            raise CommandError(
                f"{n} file{'' if n == 1 else 's'} or record{'' if n == 1 else 's'} could not be imported."
            )
