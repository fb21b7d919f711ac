from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.models import Story
from claims.selectors import story_export, story_lookup


class Command(BaseCommand):
    help = "Print a story's articles, claims, conflicts and merge suggestions as one JSON document."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("story", help="Story id, slug or name.")
        parser.add_argument("--indent", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            story = story_lookup(options["story"])
        except Story.DoesNotExist as exc:
            raise CommandError(f"No story {options['story']!r}.") from exc
        self.stdout.write(json.dumps(story_export(story), ensure_ascii=False, indent=options["indent"] or None))
