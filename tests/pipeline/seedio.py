"""The seed articles as the pipeline sees them: read by the real importer (pure Python, no database).

The importer cleans each file and keeps social-media embeds as attributed quotations; the
near-duplicate detector links the reworded copy to its original, as the import service does.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from articles import neardup
from articles.importers import ParsedArticle, parse_file
from claims.pipeline.types import ArticleText, Embed

SEED_DIR = Path(__file__).resolve().parents[2] / "seeds"


def article_text(parsed: ParsedArticle, article_id: int | str, duplicate_of: int | str | None = None) -> ArticleText:
    embeds = tuple(
        Embed(
            start=e["start"],
            end=e["end"],
            author=e["author"],
            handle=e["handle"],
            posted_on=date.fromisoformat(e["posted_on"]) if e.get("posted_on") else None,
            platform=e.get("platform", "twitter"),
        )
        for e in parsed.embeds
    )
    return ArticleText(
        id=article_id,
        body=parsed.body,
        published_on=parsed.published_on,
        outlet=parsed.outlet,
        embeds=embeds,
        duplicate_of=duplicate_of,
        label=f"{parsed.outlet or 'unnamed outlet'} ({parsed.external_id})",
    )


def load_seed(path: Path, article_id: int | str | None = None) -> ArticleText:
    [parsed] = parse_file(path.name, path.read_bytes())
    assert isinstance(parsed, ParsedArticle), parsed
    return article_text(parsed, article_id if article_id is not None else int(path.name[:3]))


def load_seeds() -> list[ArticleText]:
    """The five seeds, with the near-duplicate copy linked to its original as on import."""
    articles = [load_seed(p) for p in sorted(SEED_DIR.glob("*.txt"))]
    docs = [neardup.Doc(int(a.id), a.body, neardup.signature(a.body)) for a in articles]
    copies = {m.other_id: m.id for m in neardup.find_matches(docs, [])}  # the later links to the earlier
    return [ArticleText(**{**a.__dict__, "duplicate_of": copies.get(int(a.id))}) for a in articles]
