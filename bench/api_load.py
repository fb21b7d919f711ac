"""The REST API under load, at 100,000 claims in stories of 500, 10,000 and 50,000 claims.

    python3 bin/bench api [-- --shapes 200x500,10x10000,2x50000 --workers 2,3 --duration 10 --refill --profile]
    .venv/bin/python bench/api_load.py [same options]   (needs DATABASE_URL on PostgreSQL, wrk, and
                                                          DJANGO_SETTINGS_MODULE=factdesk.settings.bench)

Each shape (`--shapes`, STORIESxCLAIMS a story; by default 200x500, 10x10000 and 2x50000) is measured
in turn, steps 1 to 3, and has its own figures and targets:

1. Fills PostgreSQL (COPY in one transaction, ~15 s, then VACUUM and ANALYZE) with the shape's stories,
   each of 10 articles (8 outlets) per 500 claims, 3 mentions a claim (in 3 articles of the same 10,
   each a sentence of its article: `text == body[start:end]`) and a conflict per 10 claims (70% open,
   sides a and b on two claims' mentions), and sets each claim's `open_conflicts` (checked against
   claims.review.refresh_open_conflicts). 200x500: 200 stories, 2,000 articles, 100,000 claims,
   300,000 mentions, 10,000 conflicts. Skipped when that shape's data is already there (`--refill`
   forces it); another shape's is replaced. Makes a Reviewer and an API token.
2. Counts the SQL queries of one request to each endpoint in-process (Django's test client), the
   queue at page_size 10 and 50, and measures one request at a time in-process: its time, its Python
   CPU and its PostgreSQL backend's CPU.
3. For each gunicorn worker count in `--workers` (sync workers, one thread), drives the app with wrk
   on loopback: 8 connections, 2 threads, a 2 s warm-up then 10 s measured per endpoint, each
   rotating over many paths (bench/api_load.lua): the floor (`/api/v1/me/`), the claim queue
   filtered (`?story=&status=proposed&conflict=open`) and in priority order (`?story=`), 50 a page,
   over all the shape's stories, and 2,000 claims' detail. Any non-2xx answer or socket error fails the run.
   It also counts the CPU that gunicorn and PostgreSQL spend per request and what other processes
   took meanwhile: a measurement they disturbed (over 10% of the machine) is taken again
   (`--retries`), after waiting for an idle machine (`--quiet-wait`). The worker count reported is
   the one with the lowest worst p95 of the queue and the detail.
4. Prints the table and the ratios to the floor, then each shape's queue side by side, and writes
   bench/results/api_load.json (the figures by shape, and every shape's targets); when a
   target is missed (or with `--profile`) prints where the time goes: each endpoint's cost in
   Python and in PostgreSQL, every query with its planning and execution time, EXPLAIN ANALYZE of
   the slowest, and a cProfile of in-process requests (stored under "profile").
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factdesk.settings.bench")

import django  # noqa: E402

# WhiteNoise warns once per process that collectstatic has not run: the API serves no static files.
warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles.models import Article, Outlet, Story  # noqa: E402
from claims.models import Claim, Conflict, ConflictMention, Mention  # noqa: E402
from factdesk.models import ApiToken  # noqa: E402

MENTIONS_PER_CLAIM = 3
# A story is made of blocks of 10 articles stating 500 claims (150 mentions an article), so a story's
# claims come in multiples of 500; one conflict per 10 claims.
BLOCK_ARTICLES, BLOCK_CLAIMS, CLAIMS_PER_CONFLICT = 10, 500, 10
DEFAULT_SHAPES = "200x500,10x10000,2x50000"  # 100,000 claims each: many small stories, and one big story


@dataclass(frozen=True)
class Shape:
    """The data set's shape: how many stories, and how many claims each (--shapes 200x500,2x50000)."""

    stories: int
    claims_per_story: int

    @classmethod
    def parse(cls, text: str) -> Shape:
        m = re.fullmatch(r"\s*(\d+)\s*x\s*(\d+)\s*", text)
        if not m or int(m.group(1)) < 1 or int(m.group(2)) < BLOCK_CLAIMS or int(m.group(2)) % BLOCK_CLAIMS:
            raise argparse.ArgumentTypeError(
                f"{text!r}: a shape is STORIESxCLAIMS, the claims a story a multiple of {BLOCK_CLAIMS}"
            )
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def label(self) -> str:
        return f"{self.stories}x{self.claims_per_story}"

    @property
    def title(self) -> str:
        return f"{self.stories} {'story' if self.stories == 1 else 'stories'} of {self.claims_per_story:,} claims"

    @property
    def articles_per_story(self) -> int:
        return self.claims_per_story // BLOCK_CLAIMS * BLOCK_ARTICLES

    @property
    def conflicts_per_story(self) -> int:
        return self.claims_per_story // CLAIMS_PER_CONFLICT

    @property
    def marker(self) -> str:
        """Written as each bench story's description: which shape the data in the database has."""
        return f"bench/api_load.py shape {self.label}"

    def expected(self) -> dict[str, int]:
        return {
            "stories": self.stories,
            "articles": self.stories * self.articles_per_story,
            "claims": self.stories * self.claims_per_story,
            "mentions": self.stories * self.claims_per_story * MENTIONS_PER_CLAIM,
            "conflicts": self.stories * self.conflicts_per_story,
            "conflict_sides": self.stories * self.conflicts_per_story * 2,
        }


SLUG_PREFIX = "bench-api-"
USERNAME = "bench-api-reviewer"
HOST = "127.0.0.1"
RESULTS = ROOT / "bench" / "results" / "api_load.json"
LUA = ROOT / "bench" / "api_load.lua"
GUNICORN = Path(sys.executable).parent / "gunicorn"

OUTLETS = [
    ("Reuters", "reuters.com"),
    ("Associated Press", "apnews.com"),
    ("Agence France-Presse", "afp.com"),
    ("BBC News", "bbc.co.uk"),
    ("Al Jazeera", "aljazeera.com"),
    ("The Guardian", "theguardian.com"),
    ("CNN", "cnn.com"),
    ("Business Insider", "businessinsider.com"),
]
PLACES = ["Baghdad", "Mosul", "Basra", "Erbil", "Kirkuk", "Najaf", "Karbala", "Fallujah", "Ramadi", "Tikrit"]
PEOPLE = ["Ali Hassan", "Sarah Miller", "Omar Khalid", "John Reed", "Layla Nasser", "David Park", "Huda Saleh"]
ORGS = ["the interior ministry", "the embassy", "the Pentagon", "the health ministry", "local police", "the UN mission"]
THINGS = ["protesters", "soldiers", "vehicles", "guards", "civilians", "rockets", "staff members"]
OUTCOMES = ["injured", "detained", "evacuated", "killed", "arrested", "wounded"]
FACILITIES = ["airport", "bridge", "border crossing", "main gate", "consulate", "checkpoint"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TEMPLATES = [
    "{org} said {n} {things} were {outcome} in {place}.",
    "{person} said {n} {things} had been {outcome}.",
    "At least {n} {things} were {outcome} by {day}, {org} said.",
    "The {facility} will reopen on {day}, {person} said.",
    "The {facility} in {place} closed after {n} {things} were {outcome}.",
    '"We will not leave {place}," {person} said on {day}.',
    "Officials in {place} said {n} {things} were {outcome} overnight.",
    "{org} may send {n} more {things} to {place}.",
]
FILLER = ["It was not immediately clear who was responsible.", "Roads around the area were closed."]
KINDS = [("number", 40), ("quote", 15), ("certainty", 20), ("attribution", 15), ("date", 10)]
STATUSES = [("proposed", 70), ("confirmed", 15), ("rejected", 10), ("merged", 5)]
MENTION_ARTICLE_OFFSETS = (0, 3, 7)  # claim k's mentions are in articles k, k+3, k+7 (mod 10) of its block


def say(message: str) -> None:
    print(message, flush=True)


# --- the fill ------------------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    return {
        "stories": Story.objects.count(),
        "articles": Article.objects.count(),
        "outlets": Outlet.objects.count(),
        "claims": Claim.objects.count(),
        "mentions": Mention.objects.count(),
        "conflicts": Conflict.objects.count(),
        "conflict_sides": ConflictMention.objects.count(),
        "open_conflicts": Conflict.objects.filter(status=Conflict.Status.OPEN).count(),
        "claims_with_open_conflicts": Claim.objects.filter(open_conflicts__gt=0).count(),
    }


def data_present(shape: Shape) -> bool:
    counts = row_counts()
    bench_stories = Story.objects.filter(slug__startswith=SLUG_PREFIX, description=shape.marker).count()
    return bench_stories == shape.stories and all(counts[k] == v for k, v in shape.expected().items())


def _mention_slots(text: str, things: str) -> str:
    """A mention's slots as the pipeline stores them (claims.pipeline.codec): its number, counted.
    The claim page and the API read them back into the pipeline's types."""
    m = re.search(r"\d+", text)
    assert m is not None, text
    n = int(m.group())
    quantity = {
        "text": text[m.start() : m.end() + 1 + len(things)], "start": m.start(), "end": m.end() + 1 + len(things),
        "value": n, "low": n, "high": n, "unit": "count", "dimension": "count", "thing": things,
    }  # fmt: skip
    return json.dumps({"quantities": [quantity]})


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _copy(cursor: Any, table: str, columns: list[str], rows: Any) -> int:
    n = 0
    quoted = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def fill(reviewer: Any, shape: Shape) -> dict[str, Any]:
    """Write the data set with COPY in one transaction; ids are assigned here, then the sequences set."""
    rng = random.Random(20240101)
    now = datetime.now(UTC)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    with transaction.atomic():
        with connection.cursor() as c:
            c.execute(
                "TRUNCATE articles_outlet, articles_story, articles_article, claims_claim, claims_mention,"
                " claims_conflict, claims_conflictmention RESTART IDENTITY CASCADE"
            )
        raw = connection.connection  # the psycopg connection, inside Django's transaction
        cur = raw.cursor()
        t = time.perf_counter()
        _copy(
            cur,
            "articles_outlet",
            ["id", "name", "slug", "domain", "created_at"],
            ((i + 1, name, name.lower().replace(" ", "-"), domain, now) for i, (name, domain) in enumerate(OUTLETS)),
        )
        _copy(
            cur,
            "articles_story",
            ["id", "name", "slug", "description", "created_at", "created_by_id"],
            (
                (
                    s + 1,
                    f"Bench story {s:03d}: {PLACES[s % len(PLACES)]}",
                    f"{SLUG_PREFIX}{s:03d}",
                    shape.marker,
                    now,
                    None,
                )
                for s in range(shape.stories)
            ),
        )

        articles: list[tuple] = []
        mentions: list[tuple] = []
        claims: list[tuple] = []
        for s in range(shape.stories):
            story_id = s + 1
            first_claim = s * shape.claims_per_story  # global index of the story's claim 0
            # Each claim is one fact: a template and its values. Its three mentions state it in three
            # articles, with the number varied a little by outlet (as real reports do).
            facts: list[tuple[str, dict[str, Any]]] = []
            for _ in range(shape.claims_per_story):
                values: dict[str, Any] = {
                    "org": rng.choice(ORGS),
                    "person": rng.choice(PEOPLE),
                    "place": rng.choice(PLACES),
                    "things": rng.choice(THINGS),
                    "outcome": rng.choice(OUTCOMES),
                    "facility": rng.choice(FACILITIES),
                    "day": rng.choice(DAYS),
                    "n": rng.randint(2, 400),
                }
                facts.append((rng.choice(TEMPLATES), values))
            claim_outlets: dict[int, list[str]] = {k: [] for k in range(shape.claims_per_story)}
            mention_text: dict[tuple[int, int], str] = {}
            for a in range(shape.articles_per_story):
                article_id = s * shape.articles_per_story + a + 1
                block, local = divmod(a, BLOCK_ARTICLES)  # the block's 10 articles state its 500 claims
                outlet = (s + a) % len(OUTLETS)
                parts: list[str] = []
                offset = 0
                paragraph: list[str] = []
                spans: list[tuple[int, int, int, int]] = []  # (k, j, start, end)
                sentence_of: dict[tuple[int, int], str] = {}
                # Position p holds one mention: claim k of role j (which of its three mentions it is).
                for p in range(BLOCK_CLAIMS * MENTIONS_PER_CLAIM // BLOCK_ARTICLES):
                    j = p % MENTIONS_PER_CLAIM
                    k = (
                        block * BLOCK_CLAIMS
                        + BLOCK_ARTICLES * (p // MENTIONS_PER_CLAIM)
                        + (local - MENTION_ARTICLE_OFFSETS[j]) % BLOCK_ARTICLES
                    )
                    template, values = facts[k]
                    varied = {**values, "n": values["n"] + (0 if j == 0 else rng.choice([0, 0, 0, -1, 2, 5]))}
                    sentence = template.format(**varied)
                    sentence = sentence[0].upper() + sentence[1:]
                    if paragraph:
                        offset += 1  # the space between sentences
                    spans.append((k, j, offset, offset + len(sentence)))
                    sentence_of[(k, j)] = sentence
                    paragraph.append(sentence)
                    offset += len(sentence)
                    if rng.random() < 0.05:  # a few sentences are no claim at all
                        filler = rng.choice(FILLER)
                        paragraph.append(filler)
                        offset += 1 + len(filler)
                    if len(paragraph) >= 5:
                        parts.append(" ".join(paragraph))
                        paragraph = []
                        offset += 2  # the paragraph break
                if paragraph:
                    parts.append(" ".join(paragraph))
                body = "\n\n".join(parts)
                headline = facts[(a * 7) % shape.claims_per_story]
                title = headline[0].format(**headline[1])[:200]
                published = date(2024, 1, 1) + timedelta(days=s // 4 + a % 3)
                articles.append(
                    (
                        article_id, story_id, outlet + 1, f"bench-{s:03d}-{a:02d}", f"bench/{s:03d}/{a:02d}.txt",
                        title, PLACES[a % len(PLACES)].upper(), "", published, body, body, "[]", "[]", "",
                        hashlib.sha256(body.encode()).hexdigest(), None, None, None, now, now,
                    )
                )  # fmt: skip
                for k, j, start, end in spans:
                    text = body[start:end]
                    assert text == sentence_of[(k, j)], (article_id, start, end)
                    g = first_claim + k
                    mention_id = g * MENTIONS_PER_CLAIM + j + 1
                    mention_text[(k, j)] = text
                    claim_outlets[k].append(OUTLETS[outlet][0])
                    cw = round(rng.betavariate(2, 2), 4)
                    mentions.append(
                        (
                            mention_id, g + 1, article_id, start, end, text, cw,
                            json.dumps({"number": "{n}" in facts[k][0], "attributed": True, "length": len(text)}),
                            _mention_slots(text, facts[k][1]["things"]) if "{n}" in facts[k][0] else "{}",
                            rng.choice(["asserted", "asserted", "asserted", "hedged"]), now,
                        )
                    )  # fmt: skip

            for k in range(shape.claims_per_story):
                g = first_claim + k
                status = _weighted(rng, STATUSES)
                if status == "merged" and k == 0:
                    status = "proposed"
                merged_into = first_claim + rng.randrange(k) + 1 if status == "merged" else None
                decided = status != "proposed"
                assigned = not decided and rng.random() < 0.03
                template, values = facts[k]
                distinct_outlets = sorted(set(claim_outlets[k]))
                claims.append(
                    (
                        g + 1, story_id, mention_text[(k, 0)], status, merged_into, g * MENTIONS_PER_CLAIM + 1,
                        round(rng.betavariate(2, 3), 4),
                        json.dumps({"number": "{n}" in template, "attributed": True, "hedged": False}),
                        _mention_slots(mention_text[(k, 0)], values["things"]) if "{n}" in template else "{}",  # the canonical mention's
                        rng.choice([1, 1, 2, 2, 2, 3]) if len(distinct_outlets) >= 3 else len(distinct_outlets),
                        json.dumps(distinct_outlets), 1 + decided,
                        now - timedelta(hours=rng.randint(1, 200)) if decided else None,
                        reviewer.pk if decided else None,
                        "Not supported by the wire copy." if status == "rejected" else "",
                        reviewer.pk if assigned else None,
                        now + timedelta(minutes=15) if assigned else None,
                        0, now, now,
                    )
                )  # fmt: skip
        timings["generate_s"] = time.perf_counter() - t

        t = time.perf_counter()
        _copy(
            cur,
            "articles_article",
            [
                "id", "story_id", "outlet_id", "external_id", "source_name", "title", "dateline", "url",
                "published_on", "original_text", "body", "embeds", "removed", "outlet_inferred_from",
                "content_hash", "minhash", "duplicate_of_id", "duplicate_similarity", "processed_at", "created_at",
            ],
            articles,
        )  # fmt: skip
        _copy(
            cur,
            "claims_claim",
            [
                "id", "story_id", "text", "status", "merged_into_id", "canonical_mention_id", "checkworthiness",
                "features", "slots", "independent_sources", "sources", "version", "reviewed_at", "reviewed_by_id",
                "rejection_reason", "assignee_id", "lease_expires_at", "open_conflicts", "created_at", "updated_at",
            ],
            claims,
        )  # fmt: skip
        _copy(
            cur,
            "claims_mention",
            [
                "id", "claim_id", "article_id", "start", "end", "text", "checkworthiness", "features", "slots",
                "certainty", "created_at",
            ],
            mentions,
        )  # fmt: skip
        timings["copy_articles_claims_mentions_s"] = time.perf_counter() - t

        # Conflicts: open ones between proposed claims (a decided claim's conflicts tend to be settled),
        # resolved ones between any two; side a is one claim's mention, side b another's.
        t = time.perf_counter()
        status_of = {row[0]: row[3] for row in claims}
        conflicts, sides = [], []
        for s in range(shape.stories):
            first = s * shape.claims_per_story + 1
            proposed = [cid for cid in range(first, first + shape.claims_per_story) if status_of[cid] == "proposed"]
            anyone = list(range(first, first + shape.claims_per_story))
            for i in range(shape.conflicts_per_story):
                conflict_id = s * shape.conflicts_per_story + i + 1
                is_open = rng.random() < 0.7
                a_claim, b_claim = rng.sample(proposed if is_open else anyone, 2)
                a_mention = (a_claim - 1) * MENTIONS_PER_CLAIM + rng.randrange(MENTIONS_PER_CLAIM) + 1
                b_mention = (b_claim - 1) * MENTIONS_PER_CLAIM + rng.randrange(MENTIONS_PER_CLAIM) + 1
                kind = _weighted(rng, KINDS)
                conflicts.append(
                    (
                        conflict_id, s + 1, kind, rng.choice(["low", "medium", "medium", "high"]),
                        "open" if is_open else "resolved",
                        f"{OUTLETS[a_claim % len(OUTLETS)][0]} and {OUTLETS[b_claim % len(OUTLETS)][0]} disagree on the {kind}.",
                        hashlib.sha256(f"{kind}:{a_mention}:{b_mention}".encode()).hexdigest(),
                        "" if is_open else rng.choice(["side_a", "side_b", "both", "not_a_conflict"]),
                        "" if is_open else "Checked against the wire.",
                        None if is_open else reviewer.pk,
                        None if is_open else now - timedelta(hours=rng.randint(1, 100)),
                        1 if is_open else 2, now, now,
                        # At least FACTDESK_CONFLICT_MIN_CONFIDENCE sure, so every open one counts in
                        # open_conflicts, as refresh_open_conflicts counts them.
                        rng.choice([0.6, 0.75, 0.9, 1.0]), "{}",
                    )
                )  # fmt: skip
                sides.append((2 * conflict_id - 1, conflict_id, a_mention, "a"))
                sides.append((2 * conflict_id, conflict_id, b_mention, "b"))
        _copy(
            cur,
            "claims_conflict",
            [
                "id", "story_id", "kind", "severity", "status", "explanation", "key", "resolution",
                "resolution_note", "resolved_by_id", "resolved_at", "version", "created_at", "updated_at",
                "confidence", "factors",
            ],
            conflicts,
        )  # fmt: skip
        _copy(cur, "claims_conflictmention", ["id", "conflict_id", "mention_id", "side"], sides)
        # Each claim's open_conflicts, as claims.review.refresh_open_conflicts counts it, in one statement.
        cur.execute(
            """
            UPDATE claims_claim c SET open_conflicts = n.n
            FROM (SELECT m.claim_id, COUNT(DISTINCT cm.conflict_id) AS n
                  FROM claims_conflictmention cm
                  JOIN claims_conflict k ON k.id = cm.conflict_id AND k.status = 'open'
                  JOIN claims_mention m ON m.id = cm.mention_id
                  WHERE m.claim_id IS NOT NULL GROUP BY m.claim_id) n
            WHERE c.id = n.claim_id
            """
        )
        for table in (
            "articles_outlet", "articles_story", "articles_article", "claims_claim", "claims_mention",
            "claims_conflict", "claims_conflictmention",
        ):  # fmt: skip
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cur.close()
        timings["conflicts_s"] = time.perf_counter() - t
    # A loaded table as a running system has it: vacuumed (every page all-visible, so index-only scans
    # stay index-only) and analysed. The second pass marks what the first could not yet, and what the
    # check in between touched (it writes, and rolls back).
    t = time.perf_counter()
    tables = ("articles_story", "articles_article", "claims_claim", "claims_mention", "claims_conflict",
              "claims_conflictmention")  # fmt: skip
    with connection.cursor() as c:
        for table in tables:
            c.execute(f"VACUUM (FREEZE, ANALYZE) {table}")
        c.execute("ANALYZE")
    check_open_conflicts()
    with connection.cursor() as c:
        for table in tables:
            c.execute(f"VACUUM (FREEZE) {table}")
    timings["vacuum_analyze_check_s"] = time.perf_counter() - t
    timings = {k: round(v, 2) for k, v in timings.items()}
    timings["total_s"] = round(time.perf_counter() - started, 2)
    return timings


def check_spans() -> None:
    """A sample of what the fill promises: each mention's span inside its article, its text the body's."""
    sample = list(Mention.objects.select_related("article").order_by("?")[:300])
    for m in sample:
        assert 0 <= m.start < m.end <= len(m.article.body), m.pk
        assert m.article.body[m.start : m.end] == m.text, m.pk


def check_open_conflicts() -> None:
    """open_conflicts as the services count it (claims.review.refresh_open_conflicts, rolled back)."""
    from claims.review import refresh_open_conflicts

    stories = Story.objects.filter(slug__startswith=SLUG_PREFIX).order_by("id")
    story = stories[min(7, stories.count() - 1)]
    before = dict(Claim.objects.filter(story=story).values_list("id", "open_conflicts"))
    with transaction.atomic():
        refresh_open_conflicts(list(before))
        after = dict(Claim.objects.filter(story=story).values_list("id", "open_conflicts"))
        transaction.set_rollback(True)
    assert before == after, "open_conflicts differ from claims.review.refresh_open_conflicts"


def reviewer_and_token() -> tuple[Any, str]:
    call_command("setup_roles", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username=USERNAME, defaults={"email": "bench@example.org"})
    user.groups.add(Group.objects.get(name="Reviewer"))
    ApiToken.objects.filter(user=user, name="bench").delete()
    _, plaintext = ApiToken.generate(user=user, name="bench")
    return user, plaintext


# --- the endpoints ----------------------------------------------------------------------------------


def endpoint_paths(rng: random.Random) -> dict[str, list[str]]:
    story_ids = list(Story.objects.filter(slug__startswith=SLUG_PREFIX).order_by("id").values_list("id", flat=True))
    rng.shuffle(story_ids)
    claim_ids = list(Claim.objects.filter(story_id__in=story_ids).values_list("id", flat=True))
    detail_ids = rng.sample(claim_ids, min(2000, len(claim_ids)))
    return {
        "floor /me": ["/api/v1/me/"],
        "queue filtered": [f"/api/v1/claims/?story={s}&status=proposed&conflict=open&page_size=50" for s in story_ids],
        "queue priority": [f"/api/v1/claims/?story={s}&page_size=50" for s in story_ids],
        "claim detail": [f"/api/v1/claims/{c}/" for c in detail_ids],
    }


def _with_page_size(path: str, size: int) -> str:
    return re.sub(r"page_size=\d+", f"page_size={size}", path)


def count_queries(token: str, paths: dict[str, list[str]]) -> dict[str, Any]:
    """Queries of one request, in-process; the queue at page_size 10 and 50 (max over a few stories)."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST=HOST)
    assert client.get("/api/v1/me/").status_code == 200  # sets the token's last_used_at (once a minute)

    def queries(path: str) -> tuple[int, Any]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        return len(ctx.captured_queries), response

    out: dict[str, Any] = {"floor /me": max(queries(p)[0] for p in paths["floor /me"])}
    for name in ("queue filtered", "queue priority"):
        by_size = {}
        rows: dict[int, list[int]] = {}
        for size in (10, 50):
            counts = []
            for p in paths[name][:5]:
                n, response = queries(_with_page_size(p, size))
                counts.append(n)
                rows.setdefault(size, []).append(len(response.json()["results"]))
            by_size[size] = max(counts)
        out[name] = {"page_size_10": by_size[10], "page_size_50": by_size[50], "rows_on_page": rows}
    out["claim detail"] = max(queries(p)[0] for p in paths["claim detail"][:20])
    return out


def inprocess_costs(token: str, paths: dict[str, list[str]], n: int = 60) -> dict[str, dict[str, float | None]]:
    """One request at a time in-process (no network, no concurrency): its time, and the CPU it takes in
    Python and in its PostgreSQL backend (when that runs on this machine)."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST=HOST)
    client.get("/api/v1/me/")
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        backend = c.fetchone()[0]
    local = Path(f"/proc/{backend}/stat").exists()
    out: dict[str, dict[str, float | None]] = {}
    for name, ps in paths.items():
        for p in ps[:3]:
            client.get(p)
        t, cpu, db = time.perf_counter(), time.process_time(), cpu_s([backend]) if local else 0.0
        for i in range(n):
            client.get(ps[i % len(ps)])
        out[name] = {
            "ms": round((time.perf_counter() - t) * 1000 / n, 2),
            "python_cpu_ms": round((time.process_time() - cpu) * 1000 / n, 2),
            "db_cpu_ms": round((cpu_s([backend]) - db) * 1000 / n, 2) if local else None,
        }
    return out


# --- CPU accounting: where the machine's CPU went during a measurement ----------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine_busy_s() -> tuple[float, float]:
    """CPU-seconds the whole machine has been busy, and in all, since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:9]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """CPU-seconds each process has used so far (those that have gone are left out)."""
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return out


def cpu_s(pids: list[int]) -> float:
    return sum(cpu_by_pid(pids).values())


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two samples by the processes alive at the second (a backend that closed in between
    is lost, so this can only undercount; a new one counts from its start)."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def postgres_pid() -> int | None:
    """The PostgreSQL server's own process, when it runs on this machine (it does under bin/bench)."""
    try:
        with connection.cursor() as c:
            c.execute("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
            data = c.fetchone()[0]
        return int((Path(data) / "postmaster.pid").read_text().split()[0])
    except Exception:  # not ours to see: the figures go without the database's share
        return None


def wait_for_quiet(budget_s: float, threshold: float = 0.15) -> float:
    """Wait (up to budget_s) until the machine is nearly idle: other work on it inflates latencies."""
    started = time.monotonic()
    while True:
        busy0, total0 = machine_busy_s()
        time.sleep(0.5)
        busy1, total1 = machine_busy_s()
        share = (busy1 - busy0) / max(total1 - total0, 1e-9)
        if share < threshold or time.monotonic() - started >= budget_s:
            return round(time.monotonic() - started, 1)


class CpuSnapshot:
    def __init__(self, server_pid: int, pg_pid: int | None) -> None:
        import resource

        self.wall = time.monotonic()
        self.busy, self.total = machine_busy_s()
        self.app = cpu_by_pid([server_pid, *children(server_pid)])
        self.db = cpu_by_pid([pg_pid, *children(pg_pid)]) if pg_pid else {}
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.reaped = usage.ru_utime + usage.ru_stime  # wrk, once it has exited

    def since(self, before: CpuSnapshot, requests: int) -> dict[str, float]:
        wall = self.wall - before.wall
        cores = (self.total - before.total) / wall if wall else os.cpu_count() or 1
        app, db = cpu_delta(before.app, self.app), cpu_delta(before.db, self.db)
        load = self.reaped - before.reaped
        other = max(0.0, (self.busy - before.busy) - app - db - load)
        return {
            "app_cpu_ms_per_request": round(1000 * app / requests, 2) if requests else 0.0,
            "db_cpu_ms_per_request": round(1000 * db / requests, 2) if requests else 0.0,
            "wrk_cpu_share": round(load / (wall * cores), 3),
            "machine_busy_share": round((self.busy - before.busy) / (wall * cores), 3),
            "other_processes_cpu_share": round(other / (wall * cores), 3),
        }


# --- gunicorn and wrk ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    def __init__(self, workers: int, token: str, log: Path) -> None:
        self.workers, self.token, self.port, self.log = workers, token, free_port(), log
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        self.logfile = open(self.log, "ab")
        self.process = subprocess.Popen(
            [str(GUNICORN), "factdesk.wsgi", "-b", f"{HOST}:{self.port}", "-w", str(self.workers), "--threads", "1",
             "--worker-class", "sync", "--graceful-timeout", "5", "--log-level", "warning"],
            cwd=ROOT, env=os.environ.copy(), stdout=self.logfile, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                status, _ = self.get("/api/v1/me/")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 30 s; see {self.log}")
            time.sleep(0.2)
        # Every worker imports the app and opens its connection before the clock starts.
        for _ in range(4 * self.workers):
            self.get("/api/v1/me/")
        return self

    def get(self, path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(
            f"http://{HOST}:{self.port}{path}", headers={"Authorization": f"Bearer {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.logfile.close()


def wrk(server: Gunicorn, paths: list[str], seconds: float, args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    paths_file = scratch / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    env = {**os.environ, "API_LOAD_PATHS": str(paths_file), "API_LOAD_TOKEN": server.token}
    command = [
        args.wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s",
        "-s", str(LUA), f"http://{HOST}:{server.port}",
    ]  # fmt: skip
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in run.stdout.splitlines() if x.startswith("API_LOAD_JSON ")), None)
    if run.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    result = json.loads(line.removeprefix("API_LOAD_JSON "))
    result["non_2xx"] = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
    if m:
        result["non_2xx"] = int(m.group(1))
    return result


DISTURBED = 0.1  # other processes' share of the CPU above which a measurement is marked (and retried)


def measure(
    workers: int, token: str, paths: dict[str, list[str]], args: argparse.Namespace, scratch: Path, retries: list[int]
) -> dict:
    """wrk against each endpoint; a measurement that other work on the machine disturbed is taken once
    more (while `retries` holds some: the whole benchmark shares them), and the less disturbed kept."""
    say(f"\ngunicorn with {workers} sync worker(s); wrk -t{args.threads} -c{args.connections}, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per endpoint")  # fmt: skip
    results: dict[str, Any] = {}
    with Gunicorn(workers, token, scratch / "gunicorn.log") as server:
        assert server.process is not None
        # Every path answers 200 (a sample of the many detail paths), or the figures mean nothing.
        for ps in paths.values():
            for p in ps[:25]:
                status, body = server.get(p)
                if status != 200:
                    raise SystemExit(f"FAILED: {p} answered {status}: {body[:300]!r}")
        pg_pid = postgres_pid()
        for name, ps in paths.items():
            attempts = 0
            while True:
                attempts += 1
                waited = wait_for_quiet(args.quiet_wait) if args.quiet_wait else 0.0
                if waited >= 1:
                    say(f"  (waited {waited:.0f} s for the machine to be idle)")
                wrk(server, ps, args.warmup, args, scratch)
                before = CpuSnapshot(server.process.pid, pg_pid)
                r = wrk(server, ps, args.duration, args, scratch)
                r["cpu"] = CpuSnapshot(server.process.pid, pg_pid).since(before, r["requests"])
                bad = r["non_2xx"] + r["errors"]["status"]
                socket_errors = sum(r["errors"][k] for k in ("connect", "read", "write", "timeout"))
                if bad or socket_errors:
                    log_tail = (scratch / "gunicorn.log").read_text()[-2000:]
                    raise SystemExit(
                        f"FAILED: {name}: {bad} non-2xx responses, socket errors {r['errors']} "
                        f"of {r['requests']} requests\n{log_tail}"
                    )
                cpu = r["cpu"]
                say(
                    f"  {name:<16} p50 {r['p50_us'] / 1000:6.1f} ms  p95 {r['p95_us'] / 1000:6.1f} ms  "
                    f"p99 {r['p99_us'] / 1000:6.1f} ms  {r['rps']:7.1f} req/s  ({r['requests']} requests; CPU per "
                    f"request: app {cpu['app_cpu_ms_per_request']} ms, db {cpu['db_cpu_ms_per_request']} ms; "
                    f"wrk {cpu['wrk_cpu_share']:.0%}, other processes {cpu['other_processes_cpu_share']:.0%})"
                )
                previous = results.get(name)
                if previous is None or cpu["other_processes_cpu_share"] < previous["cpu"]["other_processes_cpu_share"]:
                    results[name] = r
                if results[name]["cpu"]["other_processes_cpu_share"] <= DISTURBED:
                    break
                if not retries or attempts >= 2:
                    say(f"  WARNING: other processes used {cpu['other_processes_cpu_share']:.0%} of the CPU during "
                        "this measurement: its latencies are inflated")  # fmt: skip
                    break
                retries.pop()
                say("  (disturbed by other processes: measuring again)")
    return results


# --- when a target is missed: where the time goes ----------------------------------------------------


def explain_queries(token: str, paths: dict[str, list[str]], names: list[str]) -> dict[str, Any]:
    """Every query of one request to each endpoint, with PostgreSQL's planning and execution time, and
    the plan of the slowest."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST=HOST)
    out = {}
    for name in names:
        path = paths[name][len(paths[name]) // 2]
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        listing: list[dict[str, Any]] = []
        for q in ctx.captured_queries:
            with connection.cursor() as c:
                c.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                plan = [r[0] for r in c.fetchall()]
            timing = {
                key: float(m.group(1))
                for line in plan
                for key, label in (("planning_ms", "Planning Time"), ("execution_ms", "Execution Time"))
                if (m := re.match(rf"{label}: ([0-9.]+) ms", line.strip()))
            }
            listing.append({**timing, "sql": q["sql"], "plan": plan})
        slowest = max(listing, key=lambda q: q.get("execution_ms", 0) + q.get("planning_ms", 0))
        out[name] = {"path": path, "queries": listing, "slowest": slowest}
    return out


def cprofile(token: str, paths: dict[str, list[str]], names: list[str], n: int = 60, top: int = 80) -> dict[str, str]:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST=HOST)
    out = {}
    for name in names:
        ps = paths[name]
        for p in ps[:3]:
            client.get(p)
        profile = cProfile.Profile()
        profile.enable()
        for i in range(n):
            client.get(ps[i % len(ps)])
        profile.disable()
        text = io.StringIO()
        stats = pstats.Stats(profile, stream=text)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        out[name] = text.getvalue()
    return out


# The lines of a cumulative profile worth reading: the app's own functions and the big library steps.
PROFILE_LINES = re.compile(
    r"/(claims|factdesk|articles)/|serializers\.py:\d+\((data|to_representation|get_fields)\)|"
    r"compiler\.py:\d+\((execute_sql|as_sql)\)|psycopg/cursor\.py:\d+\(execute\)|"
    r"query\.py:\d+\(prefetch_related_objects\)|base\.py:\d+\(__init__\)|renderers\.py:\d+\(render\)"
)


def profile_summary(text: str, n: int, limit: int = 24) -> list[str]:
    """The cumulative listing's readable lines (ncalls, cumtime per call in ms, function)."""
    lines, cumulative = [], True
    for line in text.splitlines():
        if "Ordered by: internal time" in line:
            cumulative = False
        parts = line.split(None, 5)
        if not cumulative or len(parts) < 6 or not PROFILE_LINES.search(parts[5]):
            continue
        calls = parts[0].split("/")[0]
        per_request_ms = float(parts[3]) * 1000 / n
        calls_per_request = int(calls) / n
        lines.append(
            f"{calls_per_request:7.1f} calls {per_request_ms:8.2f} ms  {parts[5].replace(str(ROOT) + '/', '')}"
        )
    return lines[:limit]


# --- main -------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--shapes",
        default=DEFAULT_SHAPES,
        help="data sets to measure, STORIESxCLAIMS a story, comma-separated; each is filled in turn "
        f"(default {DEFAULT_SHAPES}: 100,000 claims as many small stories, and in stories of 10,000 and 50,000)",
    )
    ap.add_argument("--refill", action="store_true", help="fill again even when the data is there")
    ap.add_argument(
        "--workers",
        default="2,3",
        help="gunicorn worker counts to try (on 2 cores, 4 lost to 2 and 3 in every quiet run)",
    )
    ap.add_argument("--duration", type=float, default=10, help="measured seconds per endpoint")
    ap.add_argument("--warmup", type=float, default=2, help="unmeasured seconds per endpoint first")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quiet-wait", type=float, default=3, help="wait up to this long for an idle machine per endpoint")
    ap.add_argument("--retries", type=int, default=3, help="measurements taken again when others disturbed them")
    ap.add_argument("--profile", action="store_true", help="print the profile even when every target is met")
    ap.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    args, _ = ap.parse_known_args()
    try:
        shapes = [Shape.parse(text) for text in args.shapes.split(",") if text.strip()]
    except argparse.ArgumentTypeError as exc:
        ap.error(str(exc))
    if connection.vendor != "postgresql":
        raise SystemExit("bench/api_load.py measures PostgreSQL: set DATABASE_URL (python3 bin/bench api does)")
    if not Path(args.wrk).exists():
        raise SystemExit(f"wrk not found at {args.wrk} (apt-get install wrk; python3 bin/bench api does)")
    started = time.monotonic()
    by_shape: dict[str, Any] = {}
    targets: list[dict[str, Any]] = []
    for shape in shapes:
        say(f"\n=== {shape.title} ({shape.label}) ===")
        result = bench_shape(shape, args)
        by_shape[shape.label] = result
        targets += result["targets"]
    out = {
        "shapes": by_shape,
        "targets": targets,
        "seconds": round(time.monotonic() - started, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2, default=str))
    if len(shapes) > 1:
        say("\nThe queue by shape (p95 ms; ratio to the floor's p95; queries at page_size 10/50):")
        for label, r in by_shape.items():
            ms = r["latency_ms"]
            q = r["queries_per_request"]
            say(
                f"  {label:<10} floor {ms['floor /me']['p95']:5.1f}   queue priority {ms['queue priority']['p95']:5.1f} "
                f"({ms['queue priority']['p95'] / ms['floor /me']['p95']:.2f}x, "
                f"{q['queue priority']['page_size_10']}/{q['queue priority']['page_size_50']})   "
                f"queue filtered {ms['queue filtered']['p95']:5.1f}   detail {ms['claim detail']['p95']:5.1f}"
            )
    say("\nTargets:")
    for t in targets:
        say(f"  {'OK    ' if t['ok'] else 'MISSED'} {t['figure']:<72} {t['value']:>8} (target {t['target']})")
    say(f"\nwrote {RESULTS.relative_to(ROOT)} in {out['seconds']:.0f} s")
    return 0


def bench_shape(shape: Shape, args: argparse.Namespace) -> dict[str, Any]:
    """Fill (unless this shape's data is there), count queries, measure under load: one shape's figures."""
    started = time.monotonic()
    user, token = reviewer_and_token()
    fill_timings: dict[str, Any] | None = None
    expected = shape.expected()
    if args.refill or not data_present(shape):
        say(f"Filling PostgreSQL: {shape.stories} stories, {expected['articles']:,} articles, "
            f"{expected['claims']:,} claims, {expected['mentions']:,} mentions, {expected['conflicts']:,} conflicts")  # fmt: skip
        fill_timings = fill(user, shape)
        say(f"  filled in {fill_timings['total_s']:.1f} s {fill_timings}")
    else:
        say("Data already there (--refill to fill again)")
    check_spans()
    counts = row_counts()
    say("  " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))

    paths = endpoint_paths(random.Random(7))
    say("\nQueries per request (in-process, Django test client)")
    queries = count_queries(token, paths)
    for name, q in queries.items():
        say(f"  {name:<16} {q}")
    single = inprocess_costs(token, paths)
    say("One request at a time, in-process (ms: time / Python CPU / PostgreSQL CPU):")
    for name, c in single.items():
        say(
            f"  {name:<16} {c['ms']:6.2f} / {c['python_cpu_ms']:6.2f} / {c['db_cpu_ms'] if c['db_cpu_ms'] is not None else '?'}"
        )
    connection.close()  # gunicorn's workers get their own

    scratch = Path(tempfile.mkdtemp(prefix="api-load-"))
    runs: dict[int, dict[str, Any]] = {}
    retries = list(range(args.retries))
    try:
        for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
            runs[workers] = measure(workers, token, paths, args, scratch, retries)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    # The worker count reported: the lowest worst-case p95 of the two endpoints with targets.
    def worst(w: int) -> float:
        return max(
            runs[w]["queue filtered"]["p95_us"], runs[w]["queue priority"]["p95_us"], runs[w]["claim detail"]["p95_us"]
        )

    def disturbed(w: int) -> bool:
        return any(r["cpu"]["other_processes_cpu_share"] > DISTURBED for r in runs[w].values())

    # Measurements that other work on the machine disturbed are chosen only when all of them were.
    chosen = min(runs, key=lambda w: (disturbed(w), worst(w), w))
    load = runs[chosen]
    ms = {name: {p: round(load[name][f"{p}_us"] / 1000, 2) for p in ("p50", "p95", "p99")} for name in load}
    floor95 = ms["floor /me"]["p95"]
    queue95 = max(ms["queue filtered"]["p95"], ms["queue priority"]["p95"])
    detail95 = ms["claim detail"]["p95"]
    queue_queries = {
        size: max(queries[n][f"page_size_{size}"] for n in ("queue filtered", "queue priority")) for size in (10, 50)
    }
    equal_across_sizes = all(
        queries[n]["page_size_10"] == queries[n]["page_size_50"] for n in ("queue filtered", "queue priority")
    )

    say(f"\nAPI at {counts['claims']:,} claims ({shape.title}), gunicorn {chosen} sync workers, "
        f"{args.connections} connections")  # fmt: skip
    say(
        f"  {'endpoint':<16}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}{'queries':>10}"
        f"{'1-client ms':>13}{'app CPU ms':>12}{'db CPU ms':>11}"
    )
    for name in load:
        q = queries[name]
        qtext = f"{q['page_size_10']}/{q['page_size_50']}" if isinstance(q, dict) else str(q)
        cpu = load[name]["cpu"]
        say(
            f"  {name:<16}{ms[name]['p50']:>9.1f}{ms[name]['p95']:>9.1f}{ms[name]['p99']:>9.1f}"
            f"{load[name]['rps']:>9.1f}{qtext:>10}{single[name]['ms']:>13.2f}"
            f"{cpu['app_cpu_ms_per_request']:>12.2f}{cpu['db_cpu_ms_per_request']:>11.2f}"
        )
    say(
        "  (queries: the queue's at page_size 10 / 50; 1-client ms: one request in-process, no network;"
        " app/db CPU ms: gunicorn's and PostgreSQL's CPU per request under load)"
    )
    busiest = max(r["cpu"]["other_processes_cpu_share"] for r in load.values())
    if busiest > DISTURBED:
        say(f"  WARNING: other processes took up to {busiest:.0%} of the CPU during these measurements")
    queue_ratio = round(queue95 / floor95, 2)
    detail_ratio = round(detail95 / floor95, 2)
    say(f"  queue p95 / floor p95 = {queue_ratio}   detail p95 / floor p95 = {detail_ratio}")
    if len(runs) > 1:
        say("  by worker count (p95 ms floor / queue filtered / queue priority / detail; req/s of the queue):")
        for w, r in runs.items():
            p95s = " / ".join(f"{r[n]['p95_us'] / 1000:.1f}" for n in r) + (" (disturbed)" if disturbed(w) else "")
            say(
                f"    {w} workers: {p95s}; {r['queue filtered']['rps']:.0f} req/s{'   <- reported' if w == chosen else ''}"
            )

    at = f"{shape.title}"
    targets = [
        {"figure": f"claim queue p95 (ms), {at}", "value": queue95, "target": "< 60", "ok": queue95 < 60},
        {"figure": f"claim detail p95 (ms), {at}", "value": detail95, "target": "< 60", "ok": detail95 < 60},
        {"figure": f"claim queue p95 / floor endpoint p95, {at}", "value": queue_ratio, "target": "<= 3", "ok": queue_ratio <= 3},
        {"figure": f"claim detail p95 / floor endpoint p95, {at}", "value": detail_ratio, "target": "<= 3", "ok": detail_ratio <= 3},
        {
            "figure": f"claim queue queries per request (page_size 10 and 50), {at}",
            "value": max(queue_queries.values()),
            "target": "<= 10, same for both sizes",
            "ok": max(queue_queries.values()) <= 10 and equal_across_sizes,
        },
        {
            "figure": f"claim detail queries per request, {at}",
            "value": queries["claim detail"],
            "target": "<= 10",
            "ok": queries["claim detail"] <= 10,
        },
    ]  # fmt: skip
    missed = [t for t in targets if not t["ok"]]

    profile: dict[str, Any] = {}
    if missed or args.profile:
        say("\nProfile (a target is missed)" if missed else "\nProfile")
        names = ["queue filtered", "queue priority", "claim detail"]
        say("  Cost of one request, in-process and under load (ms; Python = the app's own CPU):")
        say(
            f"    {'endpoint':<16}{'time':>8}{'Python':>8}{'PG CPU':>8}{'SQL plan+exec':>15}  {'under load: app':>16}{'PG':>7}"
        )
        profile["sql"] = explain_queries(token, paths, ["floor /me", *names])
        for name in ["floor /me", *names]:
            c, cpu = single[name], load[name]["cpu"]
            sql_ms = sum(q.get("planning_ms", 0) + q.get("execution_ms", 0) for q in profile["sql"][name]["queries"])
            say(
                f"    {name:<16}{c['ms']:8.2f}{c['python_cpu_ms']:8.2f}{c['db_cpu_ms'] or 0:8.2f}{sql_ms:15.2f}"
                f"  {cpu['app_cpu_ms_per_request']:16.2f}{cpu['db_cpu_ms_per_request']:7.2f}"
            )
        for name in names:
            info = profile["sql"][name]
            say(f"\n  {name}: {info['path']}: {len(info['queries'])} queries (planning + execution ms, rows of SQL)")
            for q in info["queries"]:
                say(f"    {q.get('planning_ms', 0):6.2f} + {q.get('execution_ms', 0):6.2f}  {q['sql'][:140]}")
            say("    EXPLAIN ANALYZE of the slowest:")
            for line in info["slowest"]["plan"]:
                say(f"      {line}")
        n_profiled = 60
        profile["cprofile"] = cprofile(token, paths, ["floor /me", *names], n=n_profiled)
        for name, text in profile["cprofile"].items():
            say(f"\n  cProfile, {name}: cumulative time per request (under cProfile, 2-3x the real time)")
            for line in profile_summary(text, n_profiled):
                say(f"    {line}")

    return {
        "shape": {"stories": shape.stories, "claims_per_story": shape.claims_per_story},
        "gunicorn": {"worker_class": "sync", "workers": chosen, "threads": 1, "tried": sorted(runs)},
        "load": {
            "tool": "wrk",
            "threads": args.threads,
            "connections": args.connections,
            "warmup_s": args.warmup,
            "duration_s": args.duration,
        },
        "rows": counts,
        "fill": fill_timings or "skipped: data already there",
        "paths": {name: {"count": len(ps), "example": ps[0]} for name, ps in paths.items()},
        "latency_ms": ms,
        "requests_per_s": {name: load[name]["rps"] for name in load},
        "queries_per_request": queries,
        "one_request_inprocess": single,
        "ratios": {"queue_p95_over_floor_p95": queue_ratio, "detail_p95_over_floor_p95": detail_ratio},
        "by_worker_count": {str(w): r for w, r in runs.items()},
        "targets": targets,
        "profile": profile,
        "seconds": round(time.monotonic() - started, 1),
    }


if __name__ == "__main__":
    sys.exit(main())
