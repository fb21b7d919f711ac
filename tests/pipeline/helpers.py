"""Small builders for synthetic stories used across tests."""

from __future__ import annotations

from datetime import date

from claims.pipeline import analyse_story, extract_article
from claims.pipeline.types import ArticleText, StoryAnalysis


def story(
    *bodies: str, outlets: tuple[str, ...] = (), dates: tuple[date | None, ...] = ()
) -> tuple[list[ArticleText], StoryAnalysis]:
    arts = [
        ArticleText(
            id=i + 1,
            body=b,
            outlet=outlets[i] if i < len(outlets) else f"Outlet {i + 1}",
            published_on=dates[i] if i < len(dates) else None,
        )
        for i, b in enumerate(bodies)
    ]
    return arts, analyse_story([extract_article(a) for a in arts], arts)


def text_of(arts: list[ArticleText], key) -> str:
    art = next(a for a in arts if a.id == key[0])
    return art.body[key[1] : key[2]]


def conflicts_of(analysis: StoryAnalysis, kind: str):
    return [c for c in analysis.conflicts if c.kind == kind]
