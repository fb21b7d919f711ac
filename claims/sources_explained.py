"""Why a claim's mentions make so many independent sources: stage 6's grouping, explained.

The story stage counts a claim's independent sources with claims/pipeline/sources.py and stores the
count and the sources' names (Claim.independent_sources, Claim.sources). This module asks the same
functions (article_roots, mention_origin) which source each mention counts as, and says why: it
credits that source ("an Associated Press reporter"), its article is a copy of another outlet's
(Article.duplicate_of, followed to the original), or it is its outlet's own report. The claim page
and the API's claim detail show it, so "2 independent sources" for 5 mentions reads as its reasons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from articles.models import Article
from articles.naming import outlet_label

from .models import Claim, Mention
from .pipeline import sources
from .pipeline.codec import from_jsonable
from .pipeline.types import ArticleId, ArticleText, Slots
from .pipeline.types import Mention as PipelineMention

CREDITS, COPY, OWN = "credits", "copy", "own"


@dataclass(frozen=True)
class SourceMention:
    mention_id: int
    article_id: int
    outlet: str  # the article's outlet, as the pages name it
    why: str  # CREDITS, COPY or OWN
    credited_as: str | None = None  # CREDITS: the words that credit the source ("an AP reporter")
    copy_of: int | None = None  # COPY: the original article (the end of the duplicate_of chain)
    copy_of_outlet: str | None = None
    similarity: float | None = None  # COPY: how alike the article is to the one it copies

    @property
    def reason(self) -> str:
        """Why it counts as its source, in words after the outlet's name: "credits “an AP reporter”"."""
        if self.why == CREDITS:
            return f"credits “{self.credited_as}”"
        if self.why == COPY:
            alike = f", {self.similarity:.0%} alike" if self.similarity is not None else ""
            return f"a copy of {self.copy_of_outlet}'s article #{self.copy_of}{alike}"
        return "its own report"

    def document(self) -> dict[str, Any]:
        return {
            "mention": self.mention_id,
            "article": self.article_id,
            "outlet": self.outlet,
            "why": self.why,
            "credited_as": self.credited_as,
            "copy_of": self.copy_of,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SourceGroup:
    """One independent source and the mentions that count as it."""

    source: str
    mentions: list[SourceMention] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        return {"name": self.source, "mentions": [m.document() for m in self.mentions]}


# An article's columns stage 6 reads, and the same as a mention row's (`article__...`), which the API's
# claim detail loads with its mentions (claims.selectors.claim_for_api).
ARTICLE_COLUMNS = ("id", "duplicate_of_id", "outlet__name", "external_id", "duplicate_similarity")
MENTION_ARTICLE_COLUMNS = ("article__story_id", *(f"article__{c}" for c in ARTICLE_COLUMNS[1:]))


def _texts(
    story_id: int, article_ids: set[int], known: Mapping[int, dict[str, Any]] | None = None
) -> tuple[dict[ArticleId, ArticleText], dict[int, dict[str, Any]]]:
    """The mentions' articles and the articles they copy, as stage 6 sees them (outlet, duplicate_of,
    label; no body): a query per step along the duplicate_of chains, which are short. `known`: rows of
    ARTICLE_COLUMNS already read (of this story), which are not asked for again."""
    rows: dict[int, dict[str, Any]] = dict(known or {})
    asked: set[int] = set(rows)
    wanted = (set(article_ids) | {r["duplicate_of_id"] for r in rows.values() if r["duplicate_of_id"]}) - asked
    while wanted:
        asked |= wanted
        found = Article.objects.filter(story_id=story_id, pk__in=wanted).values(*ARTICLE_COLUMNS)
        rows.update({r["id"]: dict(r) for r in found})
        wanted = {r["duplicate_of_id"] for r in rows.values() if r["duplicate_of_id"]} - asked
    texts: dict[ArticleId, ArticleText] = {
        aid: ArticleText(
            id=aid,
            body="",
            outlet=r["outlet__name"],
            duplicate_of=r["duplicate_of_id"],
            # claims.persist.article_text's label: how stage 6 names an article without a (named) outlet.
            label=f"{r['outlet__name'] or 'unnamed outlet'} ({r['external_id']})",
        )
        for aid, r in rows.items()
    }
    return texts, rows


def _slots(stored: Any) -> Slots:
    """A mention's stored slots, or none when they do not decode (written by hand or by an older
    pipeline): the mention then counts as its article's, and the page still shows (bench/api_load.py's
    fill once made every claim detail a 500 here)."""
    try:
        return from_jsonable(Slots, stored or {})
    except (TypeError, ValueError, KeyError, AttributeError):
        return Slots()


def explain(story_id: int, mentions: Iterable[Mention]) -> list[SourceGroup]:
    """The independent sources of a claim's mentions, each with its mentions and why they count as it,
    the sources in name order (as Claim.sources), the mentions in the order given."""
    return explain_rows(
        story_id,
        [{"id": m.pk, "article_id": m.article_id, "start": m.start, "end": m.end, "text": m.text, "slots": m.slots}
         for m in mentions],
    )  # fmt: skip


def explain_rows(story_id: int, mentions: Sequence[Mapping[str, Any]]) -> list[SourceGroup]:
    """explain() from mention rows (id, article_id, start, end, text, slots), as the API loads them;
    rows that also have MENTION_ARTICLE_COLUMNS spare the query for their articles."""
    known = {
        m["article_id"]: {"id": m["article_id"], **{c: m[f"article__{c}"] for c in ARTICLE_COLUMNS[1:]}}
        for m in mentions
        if m.get("article__story_id") == story_id
    }
    texts, rows = _texts(story_id, {m["article_id"] for m in mentions}, known)
    roots = sources.article_roots(texts.values())
    groups: dict[str, list[SourceMention]] = {}
    for m in mentions:
        slots = _slots(m["slots"])
        article = rows.get(m["article_id"])
        if article is None:
            continue
        mention = PipelineMention(
            article_id=m["article_id"], start=m["start"], end=m["end"], text=m["text"], is_candidate=True,
            checkworthiness=0.0, features={}, reason=None, slots=slots,
            outlet=article["outlet__name"],
        )  # fmt: skip
        label = sources.mention_origin(mention, texts, roots)
        outlet = outlet_label(article["outlet__name"], article["external_id"])
        credited = [
            a
            for a in slots.attributions
            if a.normalized == label and a.kind in sources._ORIGIN_KINDS  # the branch mention_origin took
        ]
        root = roots.get(m["article_id"], m["article_id"])
        if credited:
            item = SourceMention(m["id"], m["article_id"], outlet, CREDITS, credited_as=credited[0].source)
        elif root != m["article_id"] and root in rows:
            original = rows[root]
            item = SourceMention(
                m["id"], m["article_id"], outlet, COPY, copy_of=root,
                copy_of_outlet=outlet_label(original["outlet__name"], original["external_id"]),
                similarity=article["duplicate_similarity"],
            )  # fmt: skip
        else:
            item = SourceMention(m["id"], m["article_id"], outlet, OWN)
        groups.setdefault(label, []).append(item)
    return [SourceGroup(label, groups[label]) for label in sorted(groups)]


def claim_sources(claim: Claim) -> list[SourceGroup]:
    return explain(claim.story_id, claim.mentions.order_by("article__published_on", "article_id", "start"))


def documents(groups: Sequence[SourceGroup]) -> list[dict[str, Any]]:
    return [g.document() for g in groups]
