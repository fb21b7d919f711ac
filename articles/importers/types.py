from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class ParsedArticle:
    """An article ready to be saved: metadata, the original text and the cleaned body."""

    source: str  # where it came from: "seeds/000.txt", "feed.jsonl:12", "batch.zip/a.html"
    external_id: str
    original_text: str
    body: str
    title: str = ""
    dateline: str = ""
    published_on: date | None = None
    outlet: str | None = None
    outlet_inferred_from: str = ""  # "given", "dateline", "credit line", "boilerplate"
    url: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)
    content_hash: str = ""
    notes: list[str] = field(default_factory=list)  # e.g. "decoded as cp1252"


@dataclass
class ImportProblem:
    """A file or record that could not be imported, and why, in words an editor understands."""

    source: str
    message: str
