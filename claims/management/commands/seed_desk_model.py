from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims import desk, tasks
from claims.pipeline.worthiness_model import ModelFileError


class Command(BaseCommand):
    help = (
        "Make a model trained on the desk's own labelled history (python -m claims.pipeline "
        "train-checkworthiness LABELLED.tsv --out MODEL) the desk model, then score the undecided "
        "claims with it on the worker. Training from reviewers' decisions takes over once there are "
        "enough new ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("model", type=Path, help="A model file written by train-checkworthiness.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["model"]
        if not path.is_file():
            raise CommandError(f"No model file {path}.")
        try:
            row = desk.desk_model_seed(path)
        except ModelFileError as exc:
            raise CommandError(str(exc)) from exc
        tasks.queue_desk_scoring(row.pk)
        f1 = "not measured" if row.f1_cv is None else f"{row.f1_cv:.2f}"
        self.stdout.write(
            f"Desk model v{row.version} stored: trained on {row.trained_on} sentences "
            f"({row.positives} check-worthy), cross-validated F1 {f1}. The worker is scoring the undecided claims."
        )
