"""Articles as the pipeline sees them: the one bridge from an imported article to ``ArticleText``.

Pure Python (no Django). The importers (``articles.importers``) read and clean files; this
module turns their output, or an article's stored fields, into ``ArticleText``. The services
(from an ``Article`` row), the CLI, the pipeline tests and the benchmarks all build it here,
so the pipeline sees the same text whichever way an article came in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from articles import neardup
from articles.importers import ImportLimits, ImportProblem, ParsedArticle, iter_path_files, parse_file

from .types import ArticleId, ArticleText, Embed

SEED_DIR = Path(__file__).resolve().parents[2] / "seeds"


def embeds_from_records(records: Iterable[Mapping[str, Any]]) -> tuple[Embed, ...]:
    """The importer's embed records (as stored in ``Article.embeds``) as ``Embed`` objects."""
    return tuple(
        Embed(
            start=e["start"],
            end=e["end"],
            author=e.get("author", ""),
            handle=e.get("handle", ""),
            posted_on=date.fromisoformat(e["posted_on"]) if e.get("posted_on") else None,
            platform=e.get("platform", "twitter"),
        )
        for e in records
    )


def article_text(
    *,
    article_id: ArticleId,
    body: str,
    published_on: date | None,
    outlet: str | None,
    embeds: Iterable[Mapping[str, Any]],
    external_id: str,
    duplicate_of: ArticleId | None = None,
) -> ArticleText:
    """An article's stored fields as the pipeline's input."""
    return ArticleText(
        id=article_id,
        body=body,
        published_on=published_on,
        outlet=outlet,
        embeds=embeds_from_records(embeds),
        duplicate_of=duplicate_of,
        # Names the article where the outlet is missing or generic ("agencies") in explanations.
        label=f"{outlet or 'unnamed outlet'} ({external_id})",
    )


def article_text_from_parsed(
    parsed: ParsedArticle, article_id: ArticleId, duplicate_of: ArticleId | None = None
) -> ArticleText:
    """A parsed (cleaned, not yet saved) article as the pipeline's input."""
    return article_text(
        article_id=article_id,
        body=parsed.body,
        published_on=parsed.published_on,
        outlet=parsed.outlet,
        embeds=parsed.embeds,
        external_id=parsed.external_id,
        duplicate_of=duplicate_of,
    )


def read_paths(
    paths: Iterable[Path | str], limits: ImportLimits | None = None
) -> Iterator[ParsedArticle | ImportProblem]:
    """Every article in files, folders or .zip archives, read and cleaned by the importers."""
    limits = limits or ImportLimits()
    for item in iter_path_files(paths, limits):
        if isinstance(item, ImportProblem):
            yield item
        else:
            yield from parse_file(item[0], item[1], limits)


def load_seed(path: Path, article_id: ArticleId | None = None) -> ArticleText:
    [parsed] = parse_file(path.name, path.read_bytes())
    assert isinstance(parsed, ParsedArticle), parsed
    return article_text_from_parsed(parsed, article_id if article_id is not None else int(path.name[:3]))


def load_seeds(seed_dir: Path = SEED_DIR) -> list[ArticleText]:
    """The demo seeds, with the near-duplicate copy linked to its original as on import."""
    articles = [load_seed(p) for p in sorted(seed_dir.glob("*.txt"))]
    docs = [neardup.Doc(int(a.id), a.body, neardup.signature(a.body)) for a in articles]
    copies = {m.other_id: m.id for m in neardup.find_matches(docs, [])}  # the later links to the earlier
    return [ArticleText(**{**a.__dict__, "duplicate_of": copies.get(int(a.id))}) for a in articles]
