"""Corpora for the benchmarks: the seeds, any folder of articles, real news (Multi-News and the
full-length NewsWCL50 articles, when the development data is beside the project) and generated
stories.

Generated stories vary the seed articles (drop and shuffle sentences, swap words, perturb
numbers and names, mark some copies as near-duplicates) so that they are seed-like but not
identical, at any size.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from articles.importers import ParsedArticle  # noqa: E402
from claims.pipeline.inputs import article_text_from_parsed, load_seeds, read_paths  # noqa: E402
from claims.pipeline.sentences import split_sentences  # noqa: E402
from claims.pipeline.types import ArticleText  # noqa: E402

OUTLETS = [
    "Associated Press",
    "Reuters",
    "AFP",
    "PA Media",
    "BBC",
    "CNN",
    "Al Jazeera",
    "Business Insider",
    "The Guardian",
    "agencies",
    "Daily Courier",
    "Morning Herald",
    "Sky News",
    "dpa",
]
NAMES = [
    "Mike Pompeo",
    "Donald Trump",
    "Mark Esper",
    "Adel Abdul Mahdi",
    "Yassine al-Yasseri",
    "Jane Holt",
    "Omar Haddad",
    "Lena Fischer",
]
SWAPS = [
    ("protesters", "demonstrators"),
    ("embassy", "mission"),
    ("smashing", "breaking"),
    ("soldiers", "troops"),
    ("rising", "billowing"),
    ("compound", "complex"),
    ("angry", "furious"),
    ("militia", "paramilitary group"),
    ("Dozens", "Scores"),
    ("reception area", "lobby"),
    ("about", "around"),
    ("set fire to", "torched"),
]
NUMWORDS = ["two", "three", "four", "five", "six", "seven", "eight", "ten", "a dozen", "dozens", "hundreds"]


def _vary(body: str, rng: random.Random) -> str:
    paras = [p for p in body.split("\n\n") if p.strip()]
    out = []
    for p in paras:
        if rng.random() < 0.15:
            continue  # dropped paragraph
        sents = [s.text for s in split_sentences(p)] or [p]
        if len(sents) > 1 and rng.random() < 0.3:
            rng.shuffle(sents)
        p = " ".join(sents)
        for a, b in SWAPS:
            if rng.random() < 0.2:
                p = p.replace(a, b)
        p = re.sub(
            r"\b\d+\b",
            lambda m: str(int(m.group()) + rng.choice([0, 0, 0, 1, -1, 5])) if rng.random() < 0.2 else m.group(),
            p,
        )
        p = re.sub(
            r"\b(?:three|seven|half a dozen|dozens)\b",
            lambda m: rng.choice(NUMWORDS) if rng.random() < 0.15 else m.group(),
            p,
        )
        p = re.sub(
            r"\bMike Pompeo\b|\bDonald Trump\b", lambda m: rng.choice(NAMES) if rng.random() < 0.1 else m.group(), p
        )
        out.append(p)
    return "\n\n".join(out or paras)


def generate_story(n: int, seed: int = 1) -> list[ArticleText]:
    rng = random.Random(seed)
    base = load_seeds()
    arts: list[ArticleText] = []
    for i in range(n):
        src = base[i % len(base)]
        if arts and rng.random() < 0.1:  # near-duplicate of an earlier generated article
            orig = rng.choice(arts)
            arts.append(replace(orig, id=i + 1000, duplicate_of=orig.id, outlet=rng.choice(OUTLETS), embeds=()))
            continue
        pub = src.published_on + timedelta(days=rng.choice([0, 0, 1])) if src.published_on else None
        arts.append(ArticleText(id=i + 1000, body=_vary(src.body, rng), published_on=pub, outlet=rng.choice(OUTLETS)))
    return arts


# Real news for the benchmarks (development data beside the project, never copied into it; see
# its README): Multi-News clusters of 2-10 documents, one JSON object a line.
MULTINEWS = ROOT.parent / "shared" / "dev-stories" / "multinews_test.jsonl"


def multinews_documents(n: int, path: Path = MULTINEWS) -> list[ArticleText] | None:
    """The first ``n`` documents of the Multi-News file, cluster after cluster, as one story: a
    heavy news day of many small stories. None when the file is absent.

    The documents have no outlets or dates; a cluster's documents follow each other, with ids
    1, 2, ... in file order, so any prefix of a larger story is the smaller story.
    """
    if not path.exists():
        return None
    out: list[ArticleText] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            for doc in json.loads(line)["documents"]:
                body = doc.replace(" ||||| ", "\n\n")
                if body.strip():
                    out.append(ArticleText(id=len(out) + 1, body=body))
                if len(out) >= n:
                    return out
    return out


# Full-length real articles (development data beside the project, never copied into it): the
# 50 NewsWCL50 articles, ten events each reported by five US outlets, 1,458-9,845 characters.
NEWSWCL50 = ROOT.parent / "shared" / "dev-stories" / "newswcl50"


def full_length_articles(folder: Path = NEWSWCL50) -> list[ArticleText] | None:
    """The NewsWCL50 articles, event after event, read as an import reads them; None when absent.

    Multi-News documents are real but short (median 885 characters; many were cut off when
    collected), so they do not show what a whole article costs.
    """
    files = sorted(folder.glob("event-*/*.json"))
    return load_folder([str(f) for f in files]) if files else None


def full_length_story_files(per_story: int, seed: int = 1) -> list[tuple[str, list[tuple[str, bytes]]]] | None:
    """The NewsWCL50 events as stories of ``per_story`` full-length articles each, as JSON files for
    the import: an event's five articles as they are, then rewrites of them (``_vary``: paragraphs
    dropped, sentences shuffled, words and numbers changed), as a desk receives rewrites and
    updates of the wire copy. Every text differs (the import keeps one of two identical texts).
    None when the development data is absent."""
    events = sorted(NEWSWCL50.glob("event-*"))
    if not events:
        return None
    rng = random.Random(seed)
    stories = []
    for event in events:
        sources = [json.loads(path.read_text()) for path in sorted(event.glob("*.json"))]
        seen: set[str] = set()
        files = []
        for i in range(per_story):
            record = dict(sources[i % len(sources)])
            text = record["text"]
            for _ in range(20):  # a short article may come out of a rewrite unchanged: again
                if text not in seen:
                    break
                text = _vary(record["text"], rng)
            if text in seen:
                continue
            seen.add(text)
            files.append((f"{event.name}-{i}.json", json.dumps({**record, "text": text}).encode("utf-8")))
        stories.append((f"full-length {event.name}", files))
    return stories


def load_folder(paths: list[str]) -> list[ArticleText]:
    """Articles in the importers' formats (files, folders, .zip) as the pipeline sees them."""
    out: list[ArticleText] = []
    for parsed in read_paths(paths):
        if isinstance(parsed, ParsedArticle):
            out.append(article_text_from_parsed(parsed, len(out) + 1))
    return out


def story_files(n: int, seed: int = 1) -> list[tuple[str, bytes]]:
    """A generated story as JSON article files, for the import benchmark and the workers."""
    files = []
    for a in generate_story(n, seed=seed):
        record = {"text": a.body, "source": a.outlet, "date": a.published_on.isoformat() if a.published_on else None}
        files.append((f"gen-{seed}-{a.id}.json", json.dumps(record).encode("utf-8")))
    return files
