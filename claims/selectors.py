"""Read paths for claims."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from articles import naming
from articles.models import Story

from . import sources_explained
from .models import Annotation, Claim, Conflict, ConflictMention, Mention, MergeSuggestion, PipelineRun, ReviewEvent


def min_confidence() -> float:
    """Below this a conflict is a "possible discrepancy": kept and reachable, not shown by default."""
    return float(settings.FACTDESK_CONFLICT_MIN_CONFIDENCE)


def parse_confidence(value: Any) -> float | None:
    """A confidence given as text ("0.7"), or None when none is given; ValueError unless it is 0 to 1."""
    if value is None or str(value).strip() == "":
        return None
    number = float(str(value))  # ValueError for words
    if not (math.isfinite(number) and 0.0 <= number <= 1.0):
        raise ValueError(f"{value!r} is not a number from 0 to 1")
    return number


def confidence_factors(factors: Mapping[str, float]) -> dict[str, list[tuple[str, float]]]:
    """A conflict's factors as what pushed its confidence up and what pushed it down, strongest first."""
    ordered = sorted(factors.items(), key=lambda item: (-abs(item[1]), item[0]))
    return {"up": [(n, v) for n, v in ordered if v > 0], "down": [(n, v) for n, v in ordered if v < 0]}


@dataclass(frozen=True)
class ConflictSide:
    """One side of a conflict: its mentions as the caller loaded them (`items`, in the order given),
    their ids sorted, and the claims they belong to, once each, sorted."""

    side: str
    items: list[Any]
    mention_ids: list[int]
    claim_ids: list[int]

    def ids(self) -> dict[str, Any]:
        return {"side": self.side, "mention_ids": self.mention_ids, "claim_ids": self.claim_ids}


def conflict_sides(rows: Iterable[tuple[str, int, int | None, Any]]) -> list[ConflictSide]:
    """The one builder of a conflict's two sides, "a" then "b" (both, even when one is empty), from
    (side, mention id, its claim id, item) rows; the item is whatever the caller shows of the mention.
    The API's documents, the story export and the conflict page all use it."""
    grouped: dict[str, tuple[list[Any], list[int], set[int]]] = {"a": ([], [], set()), "b": ([], [], set())}
    for side, mention_id, claim_id, item in rows:
        items, mention_ids, claim_ids = grouped[side]
        items.append(item)
        mention_ids.append(mention_id)
        if claim_id:
            claim_ids.add(claim_id)
    return [
        ConflictSide(side, items, sorted(mention_ids), sorted(claim_ids))
        for side, (items, mention_ids, claim_ids) in grouped.items()
    ]


def latest_run(story: Story) -> PipelineRun | None:
    """The story's latest pipeline run (the story page shows it, its progress endpoint polls it)."""
    return story.pipeline_runs.order_by("-created_at", "-id").first()


def story_lookup(value: str) -> Story:
    """A story by id, slug or exact name (for the command line)."""
    query = Q(slug=value) | Q(name=value)
    if value.isdigit():
        query |= Q(pk=int(value))
    return Story.objects.get(query)


def story_export(story: Story) -> dict[str, Any]:
    """The story document: articles, claims with mentions and slots, conflicts, merge suggestions.

    Each mention's text is `body[start:end]` of its article, so a consumer can check it.
    """
    articles = list(story.articles.select_related("outlet").order_by("id"))
    bodies = {a.pk: a.body for a in articles}
    claims = (
        Claim.objects.filter(story=story)
        .order_by("id")
        .prefetch_related(Prefetch("mentions", queryset=Mention.objects.order_by("article_id", "start")))
    )
    side_rows: dict[int, list[tuple[str, int, int | None, None]]] = defaultdict(list)
    for row in ConflictMention.objects.filter(conflict__story=story).select_related("mention"):
        side_rows[row.conflict_id].append((row.side, row.mention_id, row.mention.claim_id, None))
    return {
        "story": {"id": story.pk, "name": story.name, "slug": story.slug, "created_at": story.created_at.isoformat()},
        "articles": [
            {
                "id": a.pk,
                "external_id": a.external_id,
                "outlet": a.outlet.name if a.outlet is not None else None,
                "published_on": a.published_on.isoformat() if a.published_on else None,
                "title": a.title,
                "body": a.body,
            }
            for a in articles
        ],
        "claims": [
            {
                "id": c.pk,
                "text": c.text,
                "status": c.status,
                "merged_into": c.merged_into_id,
                "checkworthiness": round(c.checkworthiness, 4),
                "independent_sources": c.independent_sources,
                "sources": c.sources,
                "mentions": [
                    {
                        "id": m.pk,
                        "article_id": m.article_id,
                        "start": m.start,
                        "end": m.end,
                        "text": bodies[m.article_id][m.start : m.end],
                    }
                    for m in c.mentions.all()
                ],
                "slots": c.slots,
            }
            for c in claims
        ],
        "conflicts": [
            {
                "id": k.pk,
                "kind": k.kind,
                "severity": k.severity,
                "status": k.status,
                "confidence": round(k.confidence, 4),
                "factors": k.factors,
                "follows": k.follows_id,
                "explanation": k.explanation,
                "sides": [
                    {"mention_ids": side.mention_ids, "claim_ids": side.claim_ids}
                    for side in conflict_sides(side_rows[k.pk])
                ],
            }
            for k in Conflict.objects.filter(story=story).order_by("id")
        ],
        "merge_suggestions": [
            {
                "id": s.pk,
                "claim_ids": [s.claim_a_id, s.claim_b_id],
                "score": round(s.score, 4),
                "status": s.status,
                "reason": s.reason,
            }
            for s in MergeSuggestion.objects.filter(story=story).order_by("id")
        ],
    }


def story_list() -> Sequence[Story]:
    """Stories with their article count, claims by status, open conflicts and latest run.

    A fixed number of queries whatever the number of stories: counts are grouped in the
    database and attached in Python.
    """
    latest_run = PipelineRun.objects.filter(story=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    stories = list(
        Story.objects.annotate(
            article_count=Count("articles", distinct=True), latest_run_id=Subquery(latest_run)
        ).order_by("-created_at", "name")
    )
    ids = [s.pk for s in stories]
    by_status: dict[int, dict[str, int]] = {}
    for story_id, status, n in (
        Claim.objects.filter(story_id__in=ids).values_list("story_id", "status").annotate(n=Count("id")).order_by()
    ):
        by_status.setdefault(story_id, {})[status] = n
    open_conflicts = dict(  # the ones shown by default: possible discrepancies are not counted
        Conflict.objects.filter(
            story_id__in=ids,
            status=Conflict.Status.OPEN,
            confidence__gte=settings.FACTDESK_CONFLICT_MIN_CONFIDENCE,
        )
        .values_list("story_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    latest_ids = [s.latest_run_id for s in stories if s.latest_run_id]
    latest = {run.story_id: run for run in PipelineRun.objects.filter(pk__in=latest_ids)}
    for story in stories:
        story.claim_counts = by_status.get(story.pk, {})  # type: ignore[attr-defined]
        story.open_conflict_count = open_conflicts.get(story.pk, 0)  # type: ignore[attr-defined]
        story.latest_run = latest.get(story.pk)  # type: ignore[attr-defined]
    return stories


def story_claim_summary(story: Story, limit: int = 100, possible: bool = False) -> dict[str, Any]:
    """What the story page shows: the latest run, top claims, and its conflicts, surest first.

    The conflicts are those at least FACTDESK_CONFLICT_MIN_CONFIDENCE sure, or with `possible`, the
    weaker ones ("possible discrepancies"); both are counted.
    """
    minimum = min_confidence()
    claims = (
        Claim.objects.filter(story=story)
        .exclude(status=Claim.Status.MERGED)
        .annotate(mention_count=Count("mentions"))
        .order_by("-independent_sources", "-checkworthiness", "id")[:limit]
    )
    weak = Q(confidence__lt=minimum)
    conflicts = (
        Conflict.objects.filter(story=story)
        .filter(weak if possible else ~weak)
        .prefetch_related(
            Prefetch(
                "sides",
                queryset=ConflictMention.objects.select_related("mention__article__outlet").order_by(
                    "side", "mention__article_id"
                ),
            )
        )
        .order_by("status", "-confidence", "id")
    )
    counts = dict(Claim.objects.filter(story=story).values_list("status").annotate(n=Count("id")).order_by())
    conflict_counts = Conflict.objects.filter(story=story).aggregate(
        shown=Count("id", filter=~weak), possible=Count("id", filter=weak)
    )
    return {
        "run": latest_run(story),
        "claims": claims,
        "claim_counts": counts,
        "conflicts": conflicts,
        "showing_possible": possible,
        "conflict_counts": conflict_counts,
        "min_confidence": minimum,
    }


# --- the reviewer's workspace --------------------------------------------------------------------

QUEUE_ORDERS: dict[str, tuple[str, ...]] = {
    # Claim.priority is the desk model's score, or the rules' check-worthiness until one exists; the
    # index claim_queue_order (and claim_queue_status_order, with a status) gives this order.
    "priority": ("-open_conflicts", "-priority", "-independent_sources", "id"),
    "checkworthiness": ("-checkworthiness", "-independent_sources", "id"),
    "sources": ("-independent_sources", "-checkworthiness", "id"),
    "newest": ("-id",),
}
QUEUE_FILTERS = ("status", "conflict", "min_confidence", "kind", "assignee", "outlet", "q", "order")
QUEUE_CONFLICT_FILTERS = {
    "open": "has an open conflict",
    "possible": "has a possible discrepancy",
    "none": "no open conflict",
}


def claim_queue(story: Story | None, params: Any, user: Any = None) -> Any:
    """A story's claims (or every story's), filtered and ordered as `params` (a QueryDict) asks.

    Conflicts count when they are open and at least FACTDESK_CONFLICT_MIN_CONFIDENCE sure, or
    `min_confidence` sure when that is given: `conflict=open` (and `kind`) use them; `conflict=possible`
    asks for an open conflict below the setting instead (and at least `min_confidence`). A
    `min_confidence` that is not a number from 0 to 1 is ignored here; the API refuses it.
    """
    qs = Claim.objects.select_related("assignee")
    if story is not None:
        qs = qs.filter(story=story)
    status = params.get("status", "all")
    if status and status != "all":
        qs = qs.filter(status=status)
    conflict = params.get("conflict")
    kind = params.get("kind")
    try:
        low = parse_confidence(params.get("min_confidence"))
    except ValueError:
        low = None
    if conflict == "none":
        qs = qs.filter(open_conflicts=0)
    elif conflict == "open" and not kind and low is None:
        qs = qs.filter(open_conflicts__gt=0)  # the denormalised count of exactly these: no subquery
    if conflict == "possible" or kind or low is not None:
        condition = Q(mention__claim=OuterRef("pk"), conflict__status=Conflict.Status.OPEN)
        if conflict == "possible":
            condition &= Q(conflict__confidence__lt=min_confidence(), conflict__confidence__gte=low or 0.0)
        else:
            condition &= Q(conflict__confidence__gte=min_confidence() if low is None else low)
        if kind:
            condition &= Q(conflict__kind=kind)
        qs = qs.filter(Exists(ConflictMention.objects.filter(condition)))
    assignee = params.get("assignee")
    if assignee == "me" and user is not None:
        qs = qs.filter(assignee=user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee__username=assignee)
    outlet = params.get("outlet")
    if outlet:
        qs = qs.filter(Exists(Mention.objects.filter(claim=OuterRef("pk"), article__outlet__slug=outlet)))
    q = (params.get("q") or "").replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    if q:
        qs = qs.filter(text__icontains=q)
    order = QUEUE_ORDERS.get(params.get("order", "priority"), QUEUE_ORDERS["priority"])
    return qs.order_by(*order)


def queue_neighbours(queue: Any, claim: Claim) -> tuple[int | None, int | None]:
    """The ids before and after `claim` in the queue's order (keyset, so it stays fast on big queues).

    When the claim has just left the queue (confirmed in a queue of proposed claims), its
    neighbours are still found from where it stood.
    """
    order = list(queue.query.order_by)

    def beyond(forward: bool) -> Q:
        condition = Q()
        equal = Q()
        bound = Q()
        for i, field in enumerate(order):
            name = field.lstrip("-")
            descending = field.startswith("-")
            value = getattr(claim, name)
            after = (descending and forward) or (not descending and not forward)
            step = Q(**{f"{name}__{'lt' if after else 'gt'}": value})
            condition |= equal & step
            equal &= Q(**{name: value})
            if i == 0:  # implied by the steps; PostgreSQL takes it as an index condition (as CursorPage)
                bound = Q(**{f"{name}__{'lte' if after else 'gte'}": value})
        return bound & condition

    reverse = [f[1:] if f.startswith("-") else f"-{f}" for f in order]
    nxt = queue.filter(beyond(True)).exclude(pk=claim.pk).values_list("pk", flat=True).first()
    prev = queue.filter(beyond(False)).exclude(pk=claim.pk).order_by(*reverse).values_list("pk", flat=True).first()
    return prev, nxt


# --- why a claim is in the queue: its open conflicts, its outlets, the story's progress ------------

REASONS_SHOWN = 2  # per row; the rest are counted ("+1 more")
OUTLETS_SHOWN = 3
VALUE_CHARS = 60
_QUOTED = re.compile(r"“([^”]*)”")
_QUOTE_DIFFERENCE = re.compile(r"“([^”]*)” ↔ “([^”]*)”")
_DIFFERENCES = re.compile(r"\(differences: (.*?)\) — ")
_CREDITED = re.compile(r"\bcredits? (.+?) \(“")


@dataclass(frozen=True)
class ConflictReason:
    """One open conflict of a queue row's claim, as the row says it: "Number conflict with Associated
    Press: “half a dozen” vs “at least three”" (this claim's side first)."""

    conflict_id: int
    kind: str
    kind_label: str
    severity: str
    confidence: float
    possible: bool  # below min_confidence(): a possible discrepancy
    others: list[str]  # the outlets on the other side
    ours: str  # this claim's side's value; "" when its side has no such words, or the explanation gives none
    theirs: str
    # The claim has mentions on both sides (a quotation worded two ways, aligned as one claim): the
    # row says which of its outlets say `ours`.
    within: list[str] | None = None


@dataclass(frozen=True)
class QueueRow:
    claim: Claim
    reasons: list[ConflictReason]
    more_reasons: int
    outlets: list[str]
    more_outlets: int


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("…", " ").lower().split())


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= VALUE_CHARS else value[:VALUE_CHARS].rsplit(" ", 1)[0] + "…"


def conflict_values(kind: str, explanation: str) -> tuple[str, str, tuple[str, str]] | None:
    """The two values a conflict's explanation sets against each other, in the explanation's order,
    and the two quoted phrases that tell which side each comes from; None when it quotes fewer.

    The explanations (claims/pipeline/conflicts/) quote side A's wording, then side B's: a number's
    phrases, a date's, the negated and the plain sentence, the stated and the "unknown" one; a
    quotation's shortest difference ("“x” ↔ “y”", words on both sides) says more than the two whole
    quotations, and an attribution's values are the sources credited.
    """
    quoted = _QUOTED.findall(explanation)
    if len(quoted) < 2:
        return None
    evidence = (quoted[0], quoted[1])
    listed = _DIFFERENCES.search(explanation)
    if kind == "quote" and listed and (found := _QUOTE_DIFFERENCE.findall(listed.group(1))):
        pairs = [tuple("" if v in ("", "—") else v for v in pair) for pair in found]  # "—": words left out
        # The shortest reads best ("wounding" vs "and injured"); words only one side has ("" vs "armed") least.
        x, y = min(pairs, key=lambda p: (not (p[0] and p[1]), len(p[0].split()) + len(p[1].split())))
        return x, y, evidence
    if kind == "attribution" and len(credited := _CREDITED.findall(explanation)) >= 2:
        return credited[0], credited[1], evidence
    return quoted[0], quoted[1], evidence


def _sides_swapped(evidence: tuple[str, str], texts_a: list[str], texts_b: list[str]) -> bool:
    """Whether the explanation's first value is side B's: a conflict re-raised or extended keeps the
    sides it was saved with, which may be the other way round from the explanation written since."""

    def found(phrase: str, texts: list[str]) -> bool:
        folded = _fold(phrase)
        return bool(folded) and any(folded in _fold(t) for t in texts)

    straight = found(evidence[0], texts_a) + found(evidence[1], texts_b)
    crossed = found(evidence[0], texts_b) + found(evidence[1], texts_a)
    return crossed > straight


def _names(names: Iterable[str], shown: int) -> tuple[list[str], int]:
    unique = sorted(set(names), key=str.casefold)
    return unique[:shown], max(0, len(unique) - shown)


def queue_rows(claims: Sequence[Claim], low: float | None = None) -> list[QueueRow]:
    """A queue page's claims with why each is there: its open conflicts (at least `low` sure, by
    default min_confidence()), surest first, each with the outlets of the other side and the two
    values; and the outlets that state it. Three queries whatever the number of claims.
    """
    ids = [c.pk for c in claims]
    minimum = min_confidence()
    bar = minimum if low is None else low
    touching = ConflictMention.objects.filter(
        mention__claim_id__in=ids, conflict__status=Conflict.Status.OPEN, conflict__confidence__gte=bar
    ).values("conflict_id")
    sides = (
        ConflictMention.objects.filter(conflict_id__in=touching)
        .order_by("conflict_id", "side", "mention_id")
        .values_list(
            "conflict_id", "side", "mention__claim_id", "mention__text", "mention__article__outlet__name",
            "mention__article__external_id", "conflict__kind", "conflict__severity", "conflict__confidence",
            "conflict__explanation",
        )
    )  # fmt: skip
    conflicts: dict[int, dict[str, Any]] = {}
    for conflict_id, side, claim_id, text, outlet, external_id, kind, severity, confidence, explanation in sides:
        c = conflicts.setdefault(
            conflict_id,
            {"kind": kind, "severity": severity, "confidence": confidence, "explanation": explanation,
             "texts": {"a": [], "b": []}, "outlets": {"a": [], "b": []}, "claims": {"a": set(), "b": set()}},
        )  # fmt: skip
        c["texts"][side].append(text)
        c["outlets"][side].append(naming.outlet_label(outlet, external_id))
        c["claims"][side].add(claim_id)
    kinds = dict(Conflict.Kind.choices)
    reasons: dict[int, list[ConflictReason]] = defaultdict(list)
    for conflict_id, c in conflicts.items():
        values = conflict_values(c["kind"], c["explanation"])
        by_side: dict[str, str] = {"a": "", "b": ""}
        if values is not None:
            first, second, evidence = values
            if _sides_swapped(evidence, c["texts"]["a"], c["texts"]["b"]):
                first, second = second, first
            by_side = {"a": _short(first), "b": _short(second)}
        for ours, theirs in (("a", "b"), ("b", "a")):
            both = c["claims"]["a"] & c["claims"]["b"]
            for claim_id in c["claims"][ours] - (both if ours == "b" else set()):
                others, more = _names(c["outlets"][theirs], OUTLETS_SHOWN)
                within = _names(c["outlets"][ours], OUTLETS_SHOWN)[0] if claim_id in both else None
                reasons[claim_id].append(
                    ConflictReason(
                        conflict_id=conflict_id,
                        kind=c["kind"],
                        kind_label=kinds.get(c["kind"], c["kind"]),
                        severity=c["severity"],
                        confidence=c["confidence"],
                        possible=c["confidence"] < minimum,
                        others=others + ([f"{more} more"] if more else []),
                        ours=by_side[ours],
                        theirs=by_side[theirs],
                        within=within,
                    )
                )
    outlets: dict[int, list[str]] = defaultdict(list)
    for claim_id, outlet, external_id in (
        Mention.objects.filter(claim_id__in=ids)
        .order_by()
        .values_list("claim_id", "article__outlet__name", "article__external_id")
        .distinct()
    ):
        outlets[claim_id].append(naming.outlet_label(outlet, external_id))
    rows = []
    for claim in claims:
        mine = sorted(reasons[claim.pk], key=lambda r: (-r.confidence, -SEVERITY_RANK[r.severity], r.conflict_id))
        names, more = _names(outlets[claim.pk], OUTLETS_SHOWN)
        rows.append(QueueRow(claim, mine[:REASONS_SHOWN], max(0, len(mine) - REASONS_SHOWN), names, more))
    return rows


def review_progress(story: Story) -> dict[str, int]:
    """How far the story's review is: its claims decided (confirmed or rejected) of those still
    standing on their own (a claim merged into another is counted with that one)."""
    counts = Claim.objects.filter(story=story).aggregate(
        total=Count("id", filter=~Q(status=Claim.Status.MERGED)),
        decided=Count("id", filter=Q(status__in=[Claim.Status.CONFIRMED, Claim.Status.REJECTED])),
    )
    return {"total": counts["total"], "decided": counts["decided"], "left": counts["total"] - counts["decided"]}


# --- the conflict queue: a story's open conflicts, surest first --------------------------------------

SEVERITY_RANK: dict[str, int] = {Conflict.Severity.HIGH: 3, Conflict.Severity.MEDIUM: 2, Conflict.Severity.LOW: 1}


def _by_sureness(qs: QuerySet[Conflict]) -> QuerySet[Conflict]:
    rank = Case(
        *(When(severity=severity, then=Value(n)) for severity, n in SEVERITY_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    return qs.annotate(severity_rank=rank).order_by("-confidence", "-severity_rank", "id")


def conflict_queue(story: Story, possible: bool = False) -> list[Conflict]:
    """The story's open conflicts, surest first (confidence, then severity), each with the outlets of
    its two sides (`side_outlets`: [("a", names), ("b", names)]); those at least min_confidence() sure,
    or with `possible` only the weaker ones ("possible discrepancies"). Two queries."""
    weak = Q(confidence__lt=min_confidence())
    qs = Conflict.objects.filter(story=story, status=Conflict.Status.OPEN).filter(weak if possible else ~weak)
    conflicts = list(_by_sureness(qs))
    names: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"a": [], "b": []})
    for conflict_id, side, outlet, external_id in ConflictMention.objects.filter(
        conflict_id__in=[c.pk for c in conflicts]
    ).values_list("conflict_id", "side", "mention__article__outlet__name", "mention__article__external_id"):
        names[conflict_id][side].append(naming.outlet_label(outlet, external_id))
    for conflict in conflicts:
        sides = names[conflict.pk]
        conflict.side_outlets = [(side, _names(sides[side], len(sides[side]))[0]) for side in ("a", "b")]  # type: ignore[attr-defined]
    return conflicts


def conflict_queue_counts(story: Story) -> dict[str, int]:
    weak = Q(confidence__lt=min_confidence())
    return Conflict.objects.filter(story=story, status=Conflict.Status.OPEN).aggregate(
        shown=Count("id", filter=~weak), possible=Count("id", filter=weak)
    )


def next_open_conflict(conflict: Conflict) -> int | None:
    """The open conflict after `conflict` in its story's conflict queue (in the same list: the surer
    ones, or the possible discrepancies), found from where it stood even once it is resolved; past
    the end, the first one still open. None when no other is open."""
    weak = Q(confidence__lt=min_confidence())
    queue = _by_sureness(
        Conflict.objects.filter(story_id=conflict.story_id, status=Conflict.Status.OPEN)
        .filter(weak if conflict.confidence < min_confidence() else ~weak)
        .exclude(pk=conflict.pk)
    )
    rank = SEVERITY_RANK.get(conflict.severity, 0)
    after = (
        Q(confidence__lt=conflict.confidence)
        | Q(confidence=conflict.confidence, severity_rank__lt=rank)
        | Q(confidence=conflict.confidence, severity_rank=rank, id__gt=conflict.pk)
    )
    following: int | None = queue.filter(after).values_list("pk", flat=True).first()
    return following if following is not None else queue.values_list("pk", flat=True).first()


def claim_detail(claim_id: int) -> Claim:
    return (
        Claim.objects.select_related("story", "assignee", "merged_into", "reviewed_by")
        .prefetch_related(
            Prefetch(
                "mentions",
                queryset=Mention.objects.select_related("article__outlet").order_by(
                    "article__published_on", "article_id", "start"
                ),
            ),
            Prefetch("annotations", queryset=Annotation.objects.select_related("author")),
        )
        .get(pk=claim_id)
    )


def claim_exists(claim_id: int) -> bool:
    return Claim.objects.filter(pk=claim_id).exists()


# The columns of a claim that the API's claim documents show (the queue's rows and the detail).
CLAIM_COLUMNS = (
    "id", "story_id", "text", "status", "merged_into_id", "checkworthiness", "priority", "independent_sources", "sources",
    "open_conflicts", "assignee__username", "lease_expires_at", "rejection_reason", "version", "verdict",
    "reviewed_by__username", "reviewed_at", "created_at", "updated_at",
)  # fmt: skip


@dataclass(frozen=True)
class ClaimRows:
    """A claim and everything the API's claim document shows of its evidence, as plain rows."""

    claim: Mapping[str, Any]  # CLAIM_COLUMNS, features and slots
    mentions: Sequence[Mapping[str, Any]]
    annotations: Sequence[Mapping[str, Any]]
    conflict_sides: Sequence[Mapping[str, Any]]  # one row per side mention, the conflict's columns repeated
    suggestions: Sequence[Mapping[str, Any]]


def claim_for_api(claim_id: int) -> ClaimRows:
    """What the API's claim document shows, and no more, in five queries of plain rows (its sources
    explained, claims.sources_explained.explain_rows, need none more unless articles copy others).

    Raises Claim.DoesNotExist for an unknown id.

    The page's claim_detail loads model instances with each mention's whole article (for the
    paragraph context); the API reads a few columns, so it asks for those as values: no model
    instances, no prefetch machinery, and a conflict's sides come with the conflict in one query.
    """
    claim = Claim.objects.values(*CLAIM_COLUMNS, "features", "slots").get(pk=claim_id)
    mentions = list(
        Mention.objects.filter(claim_id=claim_id)
        .order_by("article__published_on", "article_id", "start")
        .values(
            "id", "claim_id", "article_id", "article__outlet__name", "article__published_on",
            "start", "end", "text", "certainty", "checkworthiness", "slots",
            *sources_explained.MENTION_ARTICLE_COLUMNS,  # its sources explained need no query for the articles
        )
    )  # fmt: skip
    annotations = list(
        Annotation.objects.filter(claim_id=claim_id)
        .order_by("created_at", "id")
        .values("id", "claim_id", "author__username", "note", "label", "links", "created_at")
    )
    conflict_ids = ConflictMention.objects.filter(mention__claim_id=claim_id).values("conflict_id")
    sides = list(
        ConflictMention.objects.filter(conflict_id__in=conflict_ids)
        .order_by("conflict_id", "side", "mention_id")
        .values(
            "side", "mention_id", "mention__claim_id", "conflict_id", "conflict__story_id", "conflict__kind",
            "conflict__severity", "conflict__status", "conflict__explanation", "conflict__resolution",
            "conflict__resolution_note", "conflict__resolved_by__username", "conflict__resolved_at",
            "conflict__version", "conflict__created_at", "conflict__confidence", "conflict__factors",
            "conflict__follows_id",
        )
    )  # fmt: skip
    suggestions = list(
        MergeSuggestion.objects.filter(Q(claim_a_id=claim_id) | Q(claim_b_id=claim_id), status=MergeSuggestion.Status.OPEN)
        .order_by("-score", "id")
        .values(
            "id", "story_id", "claim_a_id", "claim_b_id", "score", "reason", "status",
            "decided_by__username", "decided_at", "created_at",
        )
    )  # fmt: skip
    return ClaimRows(claim, mentions, annotations, sides, suggestions)


def claim_conflicts(claim: Claim) -> Any:
    return (
        Conflict.objects.filter(sides__mention__claim=claim)
        .distinct()
        .prefetch_related(
            Prefetch(
                "sides", queryset=ConflictMention.objects.select_related("mention__article__outlet", "mention__claim")
            )
        )
        .order_by("status", "-confidence", "id")
    )


def claim_suggestions(claim: Claim) -> Any:
    return (
        MergeSuggestion.objects.filter(Q(claim_a=claim) | Q(claim_b=claim), status=MergeSuggestion.Status.OPEN)
        .select_related("claim_a", "claim_b")
        .order_by("-score")
    )


def claim_history(claim: Claim) -> Any:
    return ReviewEvent.objects.filter(claims=claim).select_related("actor", "undone_by").order_by("-created_at", "-id")


def conflict_page_sides(conflict: Conflict) -> list[ConflictSide]:
    """A conflict's two sides for its page: each mention with its paragraph, by article."""
    rows = conflict.sides.select_related("mention__article__outlet", "mention__claim").order_by("mention__article_id")
    return conflict_sides(
        (
            row.side,
            row.mention_id,
            row.mention.claim_id,
            {
                "mention": row.mention,
                "context": paragraph_context(row.mention.article.body, row.mention.start, row.mention.end),
            },
        )
        for row in rows
    )


def paragraph_context(body: str, start: int, end: int) -> tuple[str, str, str]:
    """The paragraph around a span, split as (before, the span, after), for highlighting."""
    para_start = body.rfind("\n\n", 0, start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = body.find("\n\n", end)
    para_end = len(body) if para_end < 0 else para_end
    return body[para_start:start], body[start:end], body[end:para_end]


def article_segments(article: Any) -> list[list[dict[str, Any]]]:
    """The article's paragraphs as segments, the mentions marked with their claim, for the reader."""
    mentions = list(article.mentions.order_by("start").values("pk", "start", "end", "claim_id"))
    body = article.body
    paragraphs: list[list[dict[str, Any]]] = []
    offset = 0
    for text in body.split("\n\n"):
        start, end = offset, offset + len(text)
        segments: list[dict[str, Any]] = []
        cursor = start
        for m in mentions:
            if m["end"] <= start or m["start"] >= end or m["start"] < cursor:
                continue
            if m["start"] > cursor:
                segments.append({"text": body[cursor : m["start"]]})
            segments.append({"text": body[m["start"] : m["end"]], "mention": m["pk"], "claim": m["claim_id"]})
            cursor = m["end"]
        if cursor < end:
            segments.append({"text": body[cursor:end]})
        paragraphs.append(segments)
        offset = end + 2
    return paragraphs


# --- the API's lists: each takes its list's filters (claims/filters.py), already validated ------------


def claim_queue_rows(filters: Mapping[str, Any], user: Any = None) -> QuerySet[Claim, dict[str, Any]]:
    """The API's claim queue: claim_queue's claims, of the story `filters["story"]` or of every story,
    as rows of CLAIM_COLUMNS and their mention count (rows, not model instances: a third of the cost)."""
    queue = claim_queue(None, filters, user)
    if "story" in filters:
        queue = queue.filter(story_id=filters["story"])
    # Counted for the page's rows only (a correlated subquery): Count("mentions") joined and grouped
    # every claim of the story with its mentions before the LIMIT could apply.
    counts = Mention.objects.filter(claim=OuterRef("pk")).order_by().values("claim").annotate(n=Count("*"))
    return queue.annotate(
        mention_count=Coalesce(Subquery(counts.values("n"), output_field=IntegerField()), Value(0))
    ).values(*CLAIM_COLUMNS, "mention_count")


def conflicts_with_sides() -> QuerySet[Conflict]:
    """Conflicts with what the API's conflict document shows: who resolved it, and its sides' mention
    and claim ids (two more queries for any number of conflicts)."""
    return Conflict.objects.select_related("resolved_by").prefetch_related(
        Prefetch(
            "sides",
            queryset=ConflictMention.objects.select_related("mention").only(
                "id", "conflict_id", "side", "mention_id", "mention__claim_id"
            ),
        )
    )


CONFLICT_ORDERS: dict[str, tuple[str, ...]] = {"newest": ("-id",), "confidence": ("-confidence", "-id")}


def conflict_list(filters: Mapping[str, Any]) -> QuerySet[Conflict]:
    """The API's conflicts, newest first. The possible discrepancies (below min_confidence()) are left
    out, unless `possible` asks for only them or `min_confidence` sets a lower bar."""
    qs = conflicts_with_sides().order_by("-id")
    if "story" in filters:
        qs = qs.filter(story_id=filters["story"])
    if "claim" in filters:
        qs = qs.filter(sides__mention__claim_id=filters["claim"]).distinct()
    for name in ("status", "kind"):
        if name in filters:
            qs = qs.filter(**{name: filters[name]})
    low = filters.get("min_confidence")
    possible = filters.get("possible", False)
    weak = Q(confidence__lt=min_confidence())
    if possible:
        qs = qs.filter(weak)
    if low is not None:
        qs = qs.filter(confidence__gte=low)
    elif not possible:
        qs = qs.exclude(weak)
    return qs


def mention_list(filters: Mapping[str, Any]) -> QuerySet[Mention]:
    qs = Mention.objects.select_related("article__outlet").order_by("id")
    for name, field in (("claim", "claim_id"), ("article", "article_id"), ("story", "article__story_id")):
        if name in filters:
            qs = qs.filter(**{field: filters[name]})
    return qs


SUGGESTION_ORDER = ("-score", "id")


def suggestion_list(filters: Mapping[str, Any]) -> QuerySet[MergeSuggestion]:
    """Merge suggestions, likeliest first; `claim` matches either of a suggestion's claims."""
    qs = MergeSuggestion.objects.select_related("decided_by").order_by(*SUGGESTION_ORDER)
    if "story" in filters:
        qs = qs.filter(story_id=filters["story"])
    if "claim" in filters:
        qs = qs.filter(claim_a_id=filters["claim"]) | qs.filter(claim_b_id=filters["claim"])
    if "status" in filters:
        qs = qs.filter(status=filters["status"])
    return qs


def annotation_list(filters: Mapping[str, Any]) -> QuerySet[Annotation]:
    qs = Annotation.objects.select_related("author").order_by("-id")
    for name, field in (("claim", "claim_id"), ("story", "claim__story_id")):
        if name in filters:
            qs = qs.filter(**{field: filters[name]})
    return qs


def event_list(filters: Mapping[str, Any]) -> QuerySet[ReviewEvent]:
    """The audit trail, newest first, each event with its actor and claims."""
    qs = ReviewEvent.objects.select_related("actor").prefetch_related("claims").order_by("-id")
    for name, field in (("claim", "claims"), ("story", "story_id"), ("conflict", "conflict_id")):
        if name in filters:
            qs = qs.filter(**{field: filters[name]})
    return qs


def pipeline_run_list(filters: Mapping[str, Any]) -> QuerySet[PipelineRun]:
    qs = PipelineRun.objects.order_by("-id")
    return qs.filter(story_id=filters["story"]) if "story" in filters else qs
