"""Confidence that a proposed conflict is a real disagreement, explained factor by factor.

A conflict's confidence is the clipped sum of named contributions, like check-worthiness: a
reviewer sees what pushed it up and what pulled it down, and the shown contributions always
add up to the shown score (a clip is itself shown as a contribution).

Conflicts below ``DEFAULT_MIN_CONFIDENCE`` (the default of ``FACTDESK_CONFLICT_MIN_CONFIDENCE``)
are kept but not shown by default: they are the "possible discrepancies".
"""

from __future__ import annotations

DEFAULT_MIN_CONFIDENCE = 0.5


class Factors:
    """Named contributions to a confidence; ``score`` clips to [0, 1] and records the clip."""

    def __init__(self, base: float, label: str) -> None:
        self.items: dict[str, float] = {label: base}

    def add(self, label: str, value: float, when: bool = True) -> Factors:
        if when and value:
            self.items[label] = round(self.items.get(label, 0.0) + value, 3)
        return self

    def score(self) -> tuple[float, dict[str, float]]:
        items = {k: round(v, 3) for k, v in self.items.items() if v}
        total = round(sum(items.values()), 3)
        if total > 1:
            items["capped at 1"] = round(1 - total, 3)
        elif total < 0:
            items["floored at 0"] = round(-total, 3)
        return round(min(1.0, max(0.0, total)), 3), items
