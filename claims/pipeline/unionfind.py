"""Union-find (disjoint sets) over any hashable items, with a caller-chosen representative.

The pipeline's groupings (claims in `align`, certainty conflicts, quotation wordings) need
the representative to be deterministic, so `union` keeps the root that `prefer` ranks first
(by default the first argument's root). Path halving keeps `find` near constant time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

T = TypeVar("T", bound=Hashable)


class UnionFind(Generic[T]):
    def __init__(self, items: Iterable[T] = ()) -> None:
        self.parent: dict[T, T] = {item: item for item in items}

    def find(self, item: T) -> T:
        """The representative of `item`'s set (a new item is a set of its own)."""
        parent = self.parent
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: T, b: T, prefer: Callable[[T], Any] | None = None) -> T:
        """Join the sets of `a` and `b`; return the representative kept.

        With `prefer`, the root with the smaller `prefer(root)` is kept; without, `a`'s root.
        """
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if prefer is not None and prefer(rb) < prefer(ra):
            ra, rb = rb, ra
        self.parent[rb] = ra
        return ra
