"""Pipeline tests are pure Python: no Django settings, no database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from claims.pipeline import analyse_story, extract_article  # noqa: E402
from claims.pipeline.inputs import load_seeds  # noqa: E402
from claims.pipeline.types import ArticleText, StoryAnalysis  # noqa: E402


@pytest.fixture(scope="session")
def seed_articles() -> list[ArticleText]:
    return load_seeds()


@pytest.fixture(scope="session")
def seed_extractions(seed_articles):
    return [extract_article(a) for a in seed_articles]


@pytest.fixture(scope="session")
def seed_analysis(seed_articles, seed_extractions) -> StoryAnalysis:
    return analyse_story(seed_extractions, seed_articles)


@pytest.fixture(scope="session")
def seed_mentions(seed_extractions):
    return {m.key: m for ex in seed_extractions for m in ex.mentions}
