"""Plain, frozen dataclasses exchanged by the pipeline stages.

Nothing here knows about Django: ``inputs.py`` builds ``ArticleText`` objects (from the
importers' output or an article's stored fields) and the services persist what
``extract_article`` / ``analyse_story`` return.
All offsets are character offsets into ``ArticleText.body``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal, TypeVar

T = TypeVar("T")

ArticleId = int | str
MentionKey = tuple[ArticleId, int, int]  # (article_id, start, end)
ClaimId = int | str

CertaintyLevel = Literal["asserted", "hedged", "unknown"]
Severity = Literal["low", "medium", "high"]
ConflictKind = Literal["number", "quote", "certainty", "negation", "attribution", "date"]


@dataclass(frozen=True)
class Embed:
    """A social-media post kept in the body; start/end delimit the post text."""

    start: int
    end: int
    author: str
    handle: str
    posted_on: date | None
    platform: str = "twitter"


@dataclass(frozen=True)
class ArticleText:
    id: ArticleId
    body: str
    published_on: date | None = None
    outlet: str | None = None
    embeds: tuple[Embed, ...] = ()
    duplicate_of: ArticleId | None = None
    # How to name the article when it has no outlet ("unnamed outlet (002_d3a9...)").
    label: str | None = None
    # What identifies its body and embeds when the caller has one (the stored article's content
    # hash): a kept index compares it instead of the text (incremental.StoryIndex.disagreement).
    digest: str = ""

    @property
    def display_name(self) -> str:
        return self.label or f"article {self.id}"


@dataclass(frozen=True)
class Sentence:
    """A sentence unit; a quotation running over several sentences is one unit."""

    start: int
    end: int
    text: str
    paragraph: int


@dataclass(frozen=True)
class Quantity:
    """A number with its qualifier as an interval, canonical unit and counted thing.

    ``low``/``high`` are in the canonical unit; ``None`` means unbounded.
    ``value`` is the nominal number (None for vague amounts such as "dozens").
    """

    text: str
    start: int
    end: int
    value: float | None
    low: float | None
    high: float | None
    unit: str  # canonical: "count", "m", "kg", "s", "percent", "USD", "EUR", "GBP", "years" (age), ...
    dimension: str  # "count", "length", "mass", "duration", "percent", "money", "area", "speed", "age"
    approximate: bool = False
    qualifier: str | None = None  # e.g. "at least", "about", "dozens"
    thing: str | None = None  # "US soldiers"
    head: str | None = None  # lemma of the head noun: "soldier"
    modifiers: tuple[str, ...] = ()  # capitalised / nationality modifiers: ("us",)
    conversion: str | None = None  # parenthetical restatement kept as the same quantity
    total: float | None = None  # "eight of the ten judges": the whole the part is taken from
    precision: float = 0.0  # half a unit of the last written digit ("2.3 million": 50,000)


@dataclass(frozen=True)
class Quote:
    text: str
    start: int
    end: int
    speaker: str | None
    speaker_key: str | None  # normalised (surname / head noun) for matching across outlets
    fragment: bool  # 1-3 word scare quote
    how: str  # "after", "before", "colon", "subject", "pronoun", "description", "continued", "embed", "none"
    handle: str | None = None
    posted_on: date | None = None
    # The words that named the speaker ("Mr. Fox", "he", "the governor") and their body offsets;
    # None in slots stored before they were recorded.
    evidence: str | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None


@dataclass(frozen=True)
class Attribution:
    text: str
    start: int
    end: int
    source: str  # as written: "an Associated Press reporter"
    normalized: str | None  # canonical named source ("Associated Press") or None if unnamed
    # "outlet", "reporter", "reports", "person", "official", "other"; "channel": an outlet someone
    # spoke to ("told Reuters"), which carried the words but is not where they come from
    kind: str


@dataclass(frozen=True)
class Certainty:
    level: CertaintyLevel
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    wh: str | None = None  # whether / what / who / how / why / when / where
    proposition: str | None = None  # what the hedge or unknown scopes over
    focus: str | None = None  # "cause" when the unknown is what caused something
    # Whose words the cue is: "outlet" (the outlet's own hedge or question), "attributed" (the
    # outlet credits the claim to a report, sources or a claimant: ``holder``), "quoted" (inside a
    # quotation: the speaker's hedge). None in slots stored before it was recorded.
    voice: str | None = None
    holder: str | None = None


@dataclass(frozen=True)
class DateMention:
    text: str
    start: int
    end: int
    low: date | None
    high: date | None
    relative: bool


@dataclass(frozen=True)
class Slots:
    quantities: tuple[Quantity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    attributions: tuple[Attribution, ...] = ()
    certainty: Certainty = field(default_factory=lambda: Certainty("asserted"))
    dates: tuple[DateMention, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A sentence unit with its check-worthiness and slots."""

    article_id: ArticleId
    start: int
    end: int
    text: str
    is_candidate: bool
    checkworthiness: float
    features: Mapping[str, float]
    reason: str | None  # why it is not a candidate (None for candidates)
    slots: Slots
    outlet: str | None = None
    published_on: date | None = None

    @cached_property  # read hundreds of thousands of times a run; kept outside the fields
    def key(self) -> MentionKey:
        return (self.article_id, self.start, self.end)


@dataclass(frozen=True)
class Skipped:
    article_id: ArticleId
    start: int
    end: int
    reason: str
    text: str = ""


@dataclass(frozen=True)
class ArticleExtraction:
    article_id: ArticleId
    outlet: str | None
    published_on: date | None
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]  # check-worthy candidates
    rejected: tuple[Mention, ...]  # sentence units judged not check-worthy, with reason
    skipped: tuple[Skipped, ...]  # article- or span-level problems

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


@dataclass(frozen=True)
class Cluster:
    id: str  # stable: "claim:<fixed id>" when it extends a fixed claim, else "new:<first key>"
    mentions: tuple[MentionKey, ...]
    canonical: MentionKey
    text: str
    extends: ClaimId | None
    independent_sources: int
    sources: tuple[str, ...]


@dataclass(frozen=True)
class MergeSuggestion:
    cluster_a: str
    cluster_b: str
    score: float
    reason: str


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    severity: Severity
    explanation: str
    side_a: tuple[MentionKey, ...]
    side_b: tuple[MentionKey, ...]
    cluster_a: str | None = None
    cluster_b: str | None = None
    # How sure the pipeline is that this is a real disagreement (0..1), and what made it so.
    confidence: float = 1.0
    factors: Mapping[str, float] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple[str, frozenset[frozenset[MentionKey]]]:
        """Stable de-duplication key: kind + the two sides, order-free."""
        return (self.kind, frozenset({frozenset(self.side_a), frozenset(self.side_b)}))


@dataclass(frozen=True)
class StoryAnalysis:
    clusters: tuple[Cluster, ...]
    suggestions: tuple[MergeSuggestion, ...]
    conflicts: tuple[Conflict, ...]

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


def evolve(obj: T, **changes: Any) -> T:
    """A copy of a frozen dataclass instance with some fields changed, like ``dataclasses.replace``
    but without running ``__init__`` (five times as fast: a run renames thousands of conflicts and
    claims). For fields that need no conversion or check."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    new.__dict__.update(changes)
    return new


def to_jsonable(obj: Any) -> Any:
    """dataclasses.asdict plus dates as ISO strings and non-finite floats as None."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, frozenset, set)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
