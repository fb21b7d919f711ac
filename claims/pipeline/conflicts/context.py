"""What every conflict detector shares: the story's mentions, outlets and article roots, and
the rules every conflict obeys (two sides from different articles, named outlets)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from ..align import Alignment, key_order
from ..confidence import Factors
from ..types import ArticleId, ArticleText, Conflict, ConflictKind, Mention, MentionKey, Severity

LEAD_SHARE = 0.2


@dataclass
class Ctx:
    al: Alignment
    mentions: list[Mention]
    by_key: dict[MentionKey, Mention]
    index: dict[MentionKey, int]
    cluster_ids: Sequence[str]
    roots: dict[ArticleId, ArticleId]
    outlets: dict[ArticleId, str]
    idf: Mapping[str, float]
    # the articles, for their bodies' lengths and publication days (asked of a few of them)
    articles: Mapping[ArticleId, ArticleText] = field(default_factory=dict)

    def in_lead(self, key: MentionKey) -> bool:
        """The mention is in the first fifth of its article: where the story's main facts are."""
        article = self.articles.get(key[0])
        n = len(article.body) if article is not None else 0
        return n > 0 and key[1] <= LEAD_SHARE * n

    def written_same_day(self, a: MentionKey, b: MentionKey) -> bool:
        """Both articles carry a publication day, and it is the same one."""
        da, db = (self.published_on(k[0]) for k in (a, b))
        return da is not None and da == db

    def published_on(self, article_id: ArticleId) -> date | None:
        article = self.articles.get(article_id)
        return article.published_on if article is not None else None

    def root(self, key: MentionKey) -> ArticleId:
        return self.roots.get(key[0], key[0])

    def cross(self, a: Iterable[MentionKey], b: Iterable[MentionKey]) -> bool:
        """True when the two sides come from different articles (copies count as their original)."""
        ra = {self.root(k) for k in a}
        rb = {self.root(k) for k in b}
        return bool(ra and rb) and not ra & rb

    def separate(
        self, a: Iterable[MentionKey], b: Iterable[MentionKey]
    ) -> tuple[set[MentionKey], set[MentionKey]] | None:
        """The two sides with every article (or copy of one) on one side only; None if a side empties.

        An article that says both things is kept on the side where it says it more often (side
        A on a tie) and its other mentions are left out: a conflict is between outlets, never
        between an article and itself.
        """
        a, b = set(a), set(b)
        count_a = Counter(self.root(k) for k in a)
        count_b = Counter(self.root(k) for k in b)
        both = set(count_a) & set(count_b)
        a = {k for k in a if self.root(k) not in both or count_a[self.root(k)] >= count_b[self.root(k)]}
        b = {k for k in b if self.root(k) not in both or count_b[self.root(k)] > count_a[self.root(k)]}
        return (a, b) if a and b else None

    def outlet(self, key: MentionKey) -> str:
        return self.outlets.get(key[0]) or f"article {key[0]}"

    def says(self, keys: Iterable[MentionKey], singular: str = "says", plural: str = "say") -> str:
        """'PA Media says' / 'Associated Press and PA Media say'."""
        keys = list(keys)
        n = len({self.outlet(k) for k in keys})
        return f"{self.outlets_of(keys)} {singular if n == 1 else plural}"

    def outlets_of(self, keys: Iterable[MentionKey]) -> str:
        names = sorted({self.outlet(k) for k in keys})
        if len(names) <= 2:
            return " and ".join(names)
        return ", ".join(names[:2]) + f" and {len(names) - 2} other{'' if len(names) == 3 else 's'}"

    def n_sources(self, keys: Iterable[MentionKey]) -> int:
        return len({self.root(k) for k in keys})

    def informative(self, term: str) -> bool:
        return self.al.informative(term)

    def weight(self, term: str) -> float:
        """How much sharing a term says: 1 plus its IDF, so that in a story of two articles a
        word both share still counts (its IDF there is near 0)."""
        return 1.0 + self.idf.get(term, 1.0)

    def members(self, ci: int) -> list[Mention]:
        return [self.by_key[k] for k in self.al.clusters[ci] if k in self.by_key]

    def one_cluster(self, keys: Iterable[MentionKey]) -> str | None:
        """The id of the one cluster all these mentions belong to, or None when they span several."""
        clusters = {self.al.cluster_of.get(k) for k in keys}
        only = clusters.pop() if len(clusters) == 1 else None
        return self.cluster_ids[only] if only is not None else None

    def conflict(
        self,
        kind: ConflictKind,
        severity: Severity,
        explanation: str,
        side_a: Iterable[MentionKey],
        side_b: Iterable[MentionKey],
        factors: Factors,
    ) -> Conflict:
        side_a, side_b = sorted_keys(side_a), sorted_keys(side_b)
        factors.add("several sources on a side", 0.05, when=max(self.n_sources(side_a), self.n_sources(side_b)) > 1)
        confidence, items = factors.score()
        return Conflict(
            kind,
            severity,
            explanation,
            side_a,
            side_b,
            self.one_cluster(side_a),
            self.one_cluster(side_b),
            confidence=confidence,
            factors=items,
        )


def sorted_keys(keys: Iterable[MentionKey]) -> tuple[MentionKey, ...]:
    return tuple(sorted(set(keys), key=key_order))


def excerpt(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
