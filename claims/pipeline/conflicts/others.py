"""Attribution and date conflicts.

Attribution: within one claim, the same report credited to different named sources.
Dates: the same fact (one claim, or alike mentions whose dates attach to the same event verb
and context) dated to days that cannot overlap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..align import key_order
from ..confidence import Factors
from ..frames import clause_around, predicates_in
from ..types import Conflict, DateMention, Mention, MentionKey
from .context import Ctx

# Mentions of different claims are compared only when alignment found them this alike.
DATE_NEIGHBOUR_MIN_SCORE = 0.5


def attribution_conflicts(ctx: Ctx) -> list[Conflict]:
    return [c for _, c in attribution_groups(ctx)]


def attribution_groups(ctx: Ctx, only: set[int] | None = None) -> list[tuple[tuple, Conflict]]:
    """The attribution conflicts, each with its sort key; ``only``: those of these claims."""
    out = []
    for ci in range(len(ctx.al.clusters)) if only is None else sorted(only):
        credited: dict[str, dict[MentionKey, str]] = defaultdict(dict)
        for m in ctx.members(ci):
            for a in m.slots.attributions:
                if a.normalized and a.kind in ("outlet", "reporter", "reports"):
                    credited[a.normalized].setdefault(m.key, a.source)
        names = sorted(credited)
        for i, x in enumerate(names):
            for y in names[i + 1 :]:
                sides = ctx.separate(credited[x], credited[y])
                if sides is None:
                    continue
                sa = {k: credited[x][k] for k in sides[0]}
                sb = {k: credited[y][k] for k in sides[1]}
                ka, kb = min(sa, key=key_order), min(sb, key=key_order)
                expl = (
                    f"The same report is credited to different sources: {ctx.says(sa, 'credits', 'credit')} {x} "
                    f"(“{sa[ka]}”); {ctx.says(sb, 'credits', 'credit')} {y} (“{sb[kb]}”)."
                )
                factors = Factors(0.35, "an attribution conflict").add("the same claim (aligned)", 0.2)
                out.append(((ci, x, y), ctx.conflict("attribution", "medium", expl, sa, sb, factors)))
    return out


def _date_of(m: Mention) -> DateMention | None:
    """The mention's one resolved date (mentions with several dates are ambiguous)."""
    if len(m.slots.dates) == 1 and m.slots.dates[0].low:
        return m.slots.dates[0]
    return None


def _date_pairs(ctx: Ctx, only: set[int] | None = None) -> Iterator[tuple[Mention, Mention, bool, float]]:
    cluster_of = ctx.al.cluster_of
    for ci in range(len(ctx.al.clusters)) if only is None else sorted(only):
        dated = [m for m in ctx.members(ci) if _date_of(m)]
        by_range: dict[tuple, Mention] = {}
        for m in dated:
            d = _date_of(m)
            assert d is not None
            by_range.setdefault((d.low, d.high), m)
        reps = [by_range[r] for r in sorted(by_range)]
        for i, a in enumerate(reps):
            for b in reps[i + 1 :]:
                yield a, b, True, 1.0
    for (i, j), score in sorted(ctx.al.pair_scores.items()):
        if score < DATE_NEIGHBOUR_MIN_SCORE:
            continue
        a, b = ctx.mentions[i], ctx.mentions[j]
        ca, cb = cluster_of[a.key], cluster_of[b.key]
        if only is not None and ca not in only and cb not in only:
            continue
        if ca != cb and _date_of(a) and _date_of(b):
            yield a, b, False, score


def _date_frame(m: Mention, d: DateMention) -> tuple[frozenset[str], frozenset[str]]:
    """(event verbs, content stems) of the date's clause: what the date is the date of."""
    words, terms = clause_around(m.text, d.start - m.start, d.end - m.start)
    return frozenset(predicates_in(words)), terms


def date_conflicts(ctx: Ctx) -> list[Conflict]:
    return [c for _, c in date_groups(ctx)]


def date_groups(ctx: Ctx, only: set[int] | None = None) -> list[tuple[str, Conflict]]:
    """The date conflicts, each with its sort key; ``only``: those of the pairs of claims with one
    of these (a group is one pair of claims and its two date ranges)."""
    groups: dict[tuple, dict] = {}
    for ma, mb, aligned, score in _date_pairs(ctx, only):
        a, b = _date_of(ma), _date_of(mb)
        assert a is not None and b is not None and a.low and b.low and a.high and b.high
        if a.low <= b.high and b.low <= a.high:  # ranges overlap: the same day(s) possible
            continue
        pa, ta = _date_frame(ma, a)
        pb, tb = _date_frame(mb, b)
        if pa and pb and not pa & pb:
            continue  # dates of different events: "will visit on July 13" / "confirmed on Thursday"
        union = ta | tb
        strength = sum(ctx.weight(t) for t in ta & tb) / (sum(ctx.weight(t) for t in union) or 1.0)
        if not aligned and strength < 0.3:
            continue
        ci, cj = ctx.al.cluster_of[ma.key], ctx.al.cluster_of[mb.key]
        if (a.low, a.high) > (b.low, b.high):
            ma, mb, a, b, ci, cj = mb, ma, b, a, cj, ci
        gk = (ci, cj, (a.low, a.high), (b.low, b.high))
        g = groups.setdefault(gk, {"a": set(), "b": set(), "da": a, "db": b, "strength": 0.0, "aligned": aligned})
        g["a"] |= {m.key for m in ctx.members(ci) if (d := _date_of(m)) and (d.low, d.high) == (a.low, a.high)}
        g["b"] |= {m.key for m in ctx.members(cj) if (d := _date_of(m)) and (d.low, d.high) == (b.low, b.high)}
        g["a"].add(ma.key)
        g["b"].add(mb.key)
        g["strength"] = max(g["strength"], strength)
        g["score"] = max(g.get("score", 0.0), score)
        g["same_verb"] = g.get("same_verb", False) or bool(pa & pb)
    out = []
    for gk, g in sorted(groups.items(), key=lambda t: repr(t[0])):
        sides = ctx.separate(g["a"], g["b"])
        if sides is None:
            continue
        a, b = g["da"], g["db"]
        rel = a.relative or b.relative
        factors = Factors(0.3, "a date conflict")
        factors.add("the same claim (aligned)", 0.2, when=g["aligned"])
        factors.add("alike sentences in different claims", round(0.1 * g["score"], 3), when=not g["aligned"])
        factors.add("context in common around the dates", round(0.2 * g["strength"], 3))
        factors.add("the same event verb", 0.1, when=g["same_verb"])
        factors.add("a relative date (resolved against the article’s date)", -0.1, when=rel)
        expl = (
            f"{ctx.says(sides[0], 'dates', 'date')} it “{a.text}” ({_fmt_range(a.low, a.high)}); "
            f"{ctx.says(sides[1], 'dates', 'date')} it “{b.text}” ({_fmt_range(b.low, b.high)}) — "
            f"these do not resolve to the same day"
            + (" (relative dates resolved against each article’s date)" if rel else "")
        )
        out.append((repr(gk), ctx.conflict("date", "medium" if rel else "high", expl, sides[0], sides[1], factors)))
    return out


def _fmt_range(lo, hi) -> str:
    return lo.isoformat() if lo == hi else f"{lo.isoformat()}–{hi.isoformat()}"


__all__ = ["attribution_conflicts", "attribution_groups", "date_conflicts", "date_groups"]
