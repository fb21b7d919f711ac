"""Number conflicts: the same fact (by its frame) stated with amounts that cannot both hold.

Candidates are mentions of one claim, and mention-level neighbours of different claims that
alignment scored as alike; each candidate pair of quantities must then pass
``frames.compare_frames``. Amounts are intervals: when the intervals overlap, both can hold
and there is no conflict, except that clearly different nominal figures whose ranges still
touch ("at least three" / "half a dozen") are kept as a weak, possible discrepancy.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import replace

import numpy as np

from ..confidence import Factors
from ..frames import FrameMatch, QuantityFrame, compare_frames, mention_frames, quantity_block, thing_words
from ..quantities import describe_interval, word_value
from ..text import stem
from ..types import Conflict, Mention, MentionKey, Quantity, Severity
from .context import Ctx

# Mentions of different claims are compared only when alignment found them this alike.
NEIGHBOUR_MIN_SCORE = 0.3
# Overlapping ranges whose nominal figures differ this much are a possible discrepancy.
DIFFERENT_PICTURE_RATIO = 1.5
# A sentence's parts added up meet another outlet's total when within this share of it.
PARTS_TOLERANCE = 0.03
# A counted thing named by at most this many mentions (and 1.5 per article) is "rare".
RARE_BLOCK_MAX = 40


def _slack(q: Quantity) -> float:
    """Rounding of the written digits; and "more than 40" next to "40" is a rounding too."""
    step = 1.0 if q.dimension == "count" and q.qualifier in _STRICT else 0.0
    return q.precision + step


_STRICT = frozenset(
    {
        "more than",
        "over",
        "upwards of",
        "in excess of",
        "just over",
        "well over",
        "above",
        "fewer than",
        "less than",
        "under",
        "just under",
        "below",
    }
)


def _lo(q: Quantity) -> float:
    return (q.low if q.low is not None else -np.inf) - _slack(q)


def _hi(q: Quantity) -> float:
    return (q.high if q.high is not None else np.inf) + _slack(q)


def overlap(a: Quantity, b: Quantity) -> bool:
    """Both can hold: the intervals (widened by the rounding of the written digits) meet."""
    return max(_lo(a), _lo(b)) <= min(_hi(a), _hi(b))


def same_quantity(a: Quantity, b: Quantity) -> bool:
    """The same amount, allowing unit-conversion rounding and vague words that contain the number."""
    if a.unit != b.unit:
        return False
    if a.value is not None and b.value is not None and not (a.qualifier or b.qualifier):
        tolerance = max(0.03 * max(abs(a.value), abs(b.value)), a.precision + b.precision)
        return abs(a.value - b.value) <= tolerance
    if a.value is not None and b.value is not None and a.value == b.value:
        # "nearly eight decades" / "eight decades", "more than 40" / "40": one figure, one of them
        # hedged. Only two opposite hedges on one figure ("almost 48" / "at least 48") disagree.
        return a.qualifier == b.qualifier or not (a.qualifier and b.qualifier)
    if a.value is None or b.value is None:
        return overlap(a, b)
    return False


def _same_count(a: Quantity, b: Quantity) -> bool:
    """'25 fighters' / 'Twenty-five people': the same count under another noun."""
    return (
        a.dimension == b.dimension == "count"
        and a.value is not None
        and a.value == b.value
        and a.value > 1
        and overlap(a, b)  # "at least four dozen" / "almost four dozen" name 48 and disagree
    )


def _qsig(q: Quantity) -> tuple:
    return (
        q.unit,
        -np.inf if q.value is None else q.value,
        -np.inf if q.low is None else q.low,
        np.inf if q.high is None else q.high,
    )


class _Frames(dict[MentionKey, list[QuantityFrame]]):
    """Each mention's fact frames, built once for the run (a mention meets many candidates)
    and let go with it."""

    def of(self, m: Mention) -> list[QuantityFrame]:
        found = self.get(m.key)
        if found is None:
            found = self[m.key] = mention_frames(m)
        return found


def rare_blocks(ctx: Ctx, blocks: Mapping[str, list[Mention]] | None = None) -> dict[str, list[Mention]]:
    """Counted things few mentions name ("questions", "files"), with those mentions.

    A count of something the story rarely counts is likely the same count wherever it appears,
    so these are compared across claims even when alignment did not find the sentences alike.
    ``blocks``: ``counted_blocks(ctx)``, when already made.
    """
    by_block = counted_blocks(ctx) if blocks is None else blocks
    n_articles = len({ctx.roots.get(a, a) for a in ctx.outlets}) or 1  # (outlets: the mentions' articles)
    limit = min(RARE_BLOCK_MAX, max(2, int(1.5 * n_articles)))
    return {b: ms for b, ms in by_block.items() if 1 < len(ms) <= limit}


class CountedBlocks(dict[str, list[Mention]]):
    """Counted things (``count:`` and ``age:`` blocks) with the mentions that count them, in story
    order, and how many of the story's first mentions they cover."""

    mentions = 0


def counted_blocks(ctx: Ctx, kept: CountedBlocks | None = None) -> CountedBlocks:
    """Every counted thing with the mentions that count it; ``kept``: the last run's, extended
    with the mentions added since (they come after every earlier one)."""
    by_block = CountedBlocks() if kept is None else kept
    for m in ctx.mentions[by_block.mentions :]:
        # the blocks of the mention's frames (a frame's block is its quantity's), without building
        # the frames: most mentions never meet a candidate
        for b in sorted({b for b in map(quantity_block, m.slots.quantities) if b is not None}):
            if b.startswith(("count:", "age:")):
                by_block.setdefault(b, []).append(m)
    by_block.mentions = len(ctx.mentions)
    return by_block


def _candidate_pairs(
    ctx: Ctx, rare: dict[str, list[Mention]], only: set[int] | None = None
) -> Iterator[tuple[Mention, Mention, bool, float]]:
    """(a, b, same claim, alignment score): one representative per distinct set of amounts.

    ``only``: the pairs with a mention in one of these clusters, in the order all pairs come.
    """
    seen: set[tuple] = set()
    cluster_of = ctx.al.cluster_of
    for ci in range(len(ctx.al.clusters)) if only is None else sorted(only):
        profiles: dict[tuple, Mention] = {}
        for m in ctx.members(ci):
            sig = tuple(sorted(_qsig(q) for q in m.slots.quantities))
            if sig:
                profiles.setdefault(sig, m)
        reps = [profiles[s] for s in sorted(profiles)]
        for i, a in enumerate(reps):
            for b in reps[i + 1 :]:
                yield a, b, True, 1.0
    if only is None:
        pairs = sorted(ctx.al.pair_scores.items())
    else:
        members = {ctx.index[k] for ci in only for k in ctx.al.clusters[ci] if k in ctx.index}  # their places
        pairs = sorted((ij, score) for ij, score in ctx.al.pair_scores.items() if ij[0] in members or ij[1] in members)
    for (i, j), score in pairs:
        if score < NEIGHBOUR_MIN_SCORE:
            continue
        a, b = ctx.mentions[i], ctx.mentions[j]
        if cluster_of[a.key] == cluster_of[b.key] or not (a.slots.quantities and b.slots.quantities):
            continue
        sig = (tuple(sorted(_qsig(q) for q in a.slots.quantities)), tuple(sorted(_qsig(q) for q in b.slots.quantities)))
        pair = (cluster_of[a.key], cluster_of[b.key], sig)
        if pair in seen:
            continue
        seen.add(pair)
        yield a, b, False, score
    done = {(a.key, b.key) for a, b in ((ctx.mentions[i], ctx.mentions[j]) for (i, j), _ in pairs)}
    for block in sorted(rare):
        ms = rare[block]
        for i, a in enumerate(ms):
            for b in ms[i + 1 :]:
                if only is not None and cluster_of[a.key] not in only and cluster_of[b.key] not in only:
                    continue
                if ctx.root(a.key) == ctx.root(b.key) or (a.key, b.key) in done or (b.key, a.key) in done:
                    continue
                if cluster_of[a.key] == cluster_of[b.key]:
                    continue
                done.add((a.key, b.key))
                yield a, b, False, 0.0


def _frame_pairs(
    ctx: Ctx, frames: _Frames, ma: Mention, mb: Mention, aligned: bool, rare: dict[str, list[Mention]]
) -> list[tuple[QuantityFrame, QuantityFrame, FrameMatch]]:
    """Quantities of two mentions that state the same fact with different amounts."""
    fa_all, fb_all = frames.of(ma), frames.of(mb)
    if not fa_all or not fb_all:
        return []
    used_b: set[int] = set()
    rest_a = []
    for fa in fa_all:  # amounts stated alike on both sides pair off first ("about 5m" ~ "about 5 meters")
        hit = next(
            (
                i
                for i, fb in enumerate(fb_all)
                if i not in used_b and fa.block == fb.block and same_quantity(fa.quantity, fb.quantity)
            ),
            None,
        )
        if hit is None:
            rest_a.append(fa)
        else:
            used_b.add(hit)
    rest_b = [fb for i, fb in enumerate(fb_all) if i not in used_b]
    rest_a = [fa for fa in rest_a if not any(_same_count(fa.quantity, fb.quantity) for fb in fb_all)]
    rest_b = [fb for fb in rest_b if not any(_same_count(fb.quantity, fa.quantity) for fa in fa_all)]
    out = []
    for fa in rest_a:
        for fb in rest_b:
            if fa.block != fb.block:
                continue
            match = compare_frames(
                fa,
                fb,
                weight=ctx.weight,
                aligned=aligned,
                rare=fa.block in rare,
                same_day=ctx.written_same_day(ma.key, mb.key),
            )
            if match.same and not (_adds_up(ma, fa, fb.quantity) or _adds_up(mb, fb, fa.quantity)):
                out.append((fa, fb, match))
    return out


_ALL_BUT = re.compile(r"\ball\s+(?:but|except)\s+(?:for\s+)?([\w-]+)", re.IGNORECASE)


def _adds_up(m: Mention, f: QuantityFrame, other: Quantity) -> bool:
    """The other figure is what this sentence's figures come to: its parts added up ("$2,400 in
    cash, $39,500 in travelers checks" / "worth more than $42,000"), or its whole less the
    ones it leaves out ("19 employees, and all but three were placed on furlough" / "16
    employees were placed on furlough"). Then the two state different parts of one fact."""
    parts = [(x.value, x.precision) for x in m.slots.quantities if x.value is not None and quantity_block(x) == f.block]
    derived: list[tuple[float, float]] = []
    if len(parts) >= 2:
        # a total reported elsewhere is rounded, and may count a little the parts leave out
        total = sum(v for v, _ in parts)
        derived.append((total, max(sum(p for _, p in parts), PARTS_TOLERANCE * abs(total))))
    for hit in _ALL_BUT.finditer(m.text):
        word = hit.group(1).lower()
        left_out = float(word) if word.isdigit() else word_value(word)
        if left_out is None:
            continue
        derived += [(v - left_out, p) for v, p in parts if v > left_out]
    return any(
        overlap(other, replace(f.quantity, value=v, low=v, high=v, qualifier=None, approximate=False, precision=p))
        for v, p in derived
    )


def _relation(a: Quantity, b: Quantity) -> tuple[str, Severity, str] | None:
    """('disjoint' | 'different picture', severity, why) or None when the amounts agree."""
    ia, ib = describe_interval(a), describe_interval(b)
    if overlap(a, b):
        if a.value and b.value and max(a.value, b.value) / min(a.value, b.value) >= DIFFERENT_PICTURE_RATIO:
            return "different picture", "low", f"the ranges overlap ({ia} vs {ib}), so both can hold"
        return None
    if a.approximate or b.approximate or a.value is None or b.value is None:
        return "disjoint", "medium", f"the ranges do not overlap ({ia} vs {ib}), though at least one is approximate"
    return "disjoint", "high", f"these cannot both be true ({ia} vs {ib})"


def number_conflicts(ctx: Ctx) -> list[Conflict]:
    return [c for _, c in number_groups(ctx)]


def number_groups(
    ctx: Ctx, only: set[int] | None = None, rare: dict[str, list[Mention]] | None = None
) -> list[tuple[str, Conflict]]:
    """The number conflicts, each with its group's sort key, in that order.

    A group is one count in two claims (or one), its sides the members of those claims that state
    each version: ``only`` gives the groups of the claim pairs with one of these claims, as a
    run over every claim gives them (``incremental.py`` keeps the others from the last run).
    """
    groups: dict[tuple, dict] = {}
    frames = _Frames()
    rare = rare_blocks(ctx) if rare is None else rare
    for ra, rb, aligned, score in _candidate_pairs(ctx, rare, only):
        for fa, fb, match in _frame_pairs(ctx, frames, ra, rb, aligned, rare):
            rel = _relation(fa.quantity, fb.quantity)
            if rel is None:
                continue
            ma, mb = ra, rb  # this pair's own order: the next pair of these two mentions starts again from ra, rb
            ci, cj = ctx.al.cluster_of[ma.key], ctx.al.cluster_of[mb.key]
            side_a = [m.key for m in ctx.members(ci) if _states(m, fa.quantity)] or [ma.key]
            side_b = [m.key for m in ctx.members(cj) if _states(m, fb.quantity)] or [mb.key]
            sides = ctx.separate(side_a, side_b)
            if sides is None:
                continue
            sa, sb = _qsig(fa.quantity), _qsig(fb.quantity)
            if sa > sb:
                sa, sb, fa, fb, ma, mb, sides = sb, sa, fb, fa, mb, ma, (sides[1], sides[0])
                rel = _relation(fa.quantity, fb.quantity)  # worded in the order the sides are shown
            gk = (fa.block, sa, sb, min(ci, cj), max(ci, cj))
            g = groups.setdefault(
                gk, {"a": set(), "b": set(), "fa": fa, "fb": fb, "ma": ma, "mb": mb, "match": match, "rel": rel}
            )
            g["a"] |= sides[0]
            g["b"] |= sides[1]
            g["aligned"] = g.get("aligned", False) or aligned
            g["score"] = max(g.get("score", 0.0), score)
    groups = _agreeing_versions_joined(groups)
    # With several versions of one count (3, 4, 5, 7 ...), report each minority version against the
    # most widely reported one instead of every pair of versions.
    support: dict[tuple, Counter] = defaultdict(Counter)
    for (block, sa, sb, ci, cj), g in groups.items():
        support[(block, ci, cj)][sa] = max(support[(block, ci, cj)][sa], len(g["a"]))
        support[(block, ci, cj)][sb] = max(support[(block, ci, cj)][sb], len(g["b"]))
    out: list[tuple[str, Conflict]] = []
    for (block, sa, sb, ci, cj), g in sorted(groups.items(), key=lambda t: repr(t[0])):
        counts = support[(block, ci, cj)]
        if len(counts) > 2:
            mode = max(sorted(counts), key=lambda sig: counts[sig])
            if mode not in (sa, sb):
                continue
        sides = ctx.separate(g["a"], g["b"])  # pairs merged into one group may share an article
        if sides is not None:
            g["a"], g["b"] = sides
            out.append((repr((block, sa, sb, ci, cj)), _conflict(ctx, g)))
    return out


def _ratio(a: Quantity, b: Quantity) -> float | None:
    """How far apart two figures are (>= 1), by their nominal values or range midpoints."""
    va, vb = _nominal(a), _nominal(b)
    if not va or not vb or va <= 0 or vb <= 0:
        return None
    return max(va, vb) / min(va, vb)


def _nominal(q: Quantity) -> float | None:
    if q.value is not None:
        return q.value
    if q.low is not None and q.high is not None:
        return (q.low + q.high) / 2
    return q.low


def _states(m: Mention, q: Quantity) -> bool:
    return any(_qsig(x) == _qsig(q) for x in m.slots.quantities)


def _agreeing_versions_joined(groups: dict[tuple, dict]) -> dict[tuple, dict]:
    """One disagreement, one group: groups of one count between the same two claims that share
    a version, and whose other versions agree with each other ("three" against "six", and
    against "half a dozen"), become one, each side the union of theirs (the first group's in
    the groups' order keeps its key and wording, and names the other wordings too)."""
    joined: dict[tuple, dict] = {}
    by_unit: dict[tuple, list[tuple]] = defaultdict(list)  # (block, claim, claim) -> the groups kept
    for gk in sorted(groups, key=repr):
        block, sa, sb, ci, cj = gk
        g = groups[gk]
        into = None
        for tk in by_unit[(block, ci, cj)]:
            t = joined[tk]
            _, ta, tb, _, _ = tk
            # (this group's side holding the shared version, the target's, and the other sides)
            for mine, theirs, other, their_other in (("a", "a", "b", "b"), ("b", "b", "a", "a"),
                                                     ("a", "b", "b", "a"), ("b", "a", "a", "b")):  # fmt: skip
                if {"a": sa, "b": sb}[mine] != {"a": ta, "b": tb}[theirs]:
                    continue
                version = g["f" + other].quantity
                if all(_relation(version, q) is None for q in t["versions_" + their_other]):
                    into = (t, mine, theirs, other, their_other)
                    break
            if into is not None:
                break
        if into is None:
            joined[gk] = {
                **g,
                "versions_a": [g["fa"].quantity],
                "versions_b": [g["fb"].quantity],
                "also": {"a": [], "b": []},
            }
            by_unit[(block, ci, cj)].append(gk)
            continue
        t, mine, theirs, other, their_other = into
        t[theirs] |= g[mine]
        t[their_other] |= g[other]
        t["versions_" + their_other].append(g["f" + other].quantity)
        t["also"][their_other].append((g["m" + other], g["f" + other].quantity))
        t["aligned"] = t["aligned"] or g["aligned"]
        t["score"] = max(t["score"], g["score"])
    return joined


def _conflict(ctx: Ctx, g: dict) -> Conflict:
    fa, fb, match = g["fa"], g["fb"], g["match"]
    qa, qb = fa.quantity, fb.quantity
    how, severity, why = g["rel"]
    exact = not (qa.approximate or qb.approximate or qa.value is None or qb.value is None)
    ratio = _ratio(qa, qb)
    lead = any(ctx.in_lead(k) for k in g["a"]) and any(ctx.in_lead(k) for k in g["b"])
    narrower = bool(thing_words(qa)) != bool(thing_words(qb))
    factors = Factors(0.3, "a number conflict")
    factors.add("the same claim (aligned)", 0.2, when=g["aligned"])
    factors.add("alike sentences in different claims", round(0.2 * min(1.0, g["score"]), 3), when=not g["aligned"])
    factors.add("a rarely counted thing", 0.1, when=any("rarely counted" in r for r in match.reasons))
    factors.add("nothing else links the sentences", -0.2, when=not g["aligned"] and not g["score"])
    factors.add("context in common around the numbers", round(0.2 * match.strength, 3))
    factors.add("the same event verb", 0.05, when=bool(fa.predicate & fb.predicate))
    # Outlets that disagree on one fact usually give close figures; figures of another order
    # are usually of another scope (a part and the whole, a day and a year).
    if ratio is not None and how == "disjoint":
        factors.add("close figures", 0.2, when=ratio <= 1.25)
        factors.add("figures some way apart", -0.05, when=1.25 < ratio < 3)
        factors.add("figures of a different order (another scope?)", -0.4, when=ratio >= 3)
    factors.add("both in their articles’ leads (the main facts)", 0.1, when=lead)
    factors.add("a single one counted", -0.1, when=1 in (qa.value, qb.value))
    factors.add("one side counts a narrower group", -0.1, when=narrower and not g["aligned"])
    factors.add("an approximate figure", -0.05, when=not exact)
    factors.add("both can hold (the ranges overlap)", -0.55, when=how == "different picture")
    words = sorted({_surface(g["ma"].text, t) for t in match.shared})
    about = f" (both about: {', '.join(words[:3])})" if words else ""
    expl = f"{ctx.says(g['a'])} {_wordings(g, 'a')}; {ctx.says(g['b'])} {_wordings(g, 'b')}{about} — {why}"
    return ctx.conflict("number", severity, expl, g["a"], g["b"], factors)


def _surface(text: str, term: str) -> str:
    """The word in ``text`` whose stem is ``term`` ('roof' for 'roof', 'village' for 'villag')."""
    for w in re.findall(r"[A-Za-z][\w'’-]*", text):
        if stem(w) == term:
            return w.lower()
    return term


def _wordings(g: dict, side: str) -> str:
    """How one side words its version: “six” (or “six” / “half a dozen” for a side joined from
    agreeing versions, ``_agreeing_versions_joined``)."""
    first = _qphrase(g["m" + side], g["f" + side].quantity)
    also = [_qphrase(m, q) for m, q in g.get("also", {}).get(side, ())]
    return " / ".join(f"“{w}”" for w in dict.fromkeys([first, *also]))


def _qphrase(m: Mention, q: Quantity) -> str:
    s = q.start - m.start
    e = q.end - m.start
    if q.thing:
        t = m.text.find(q.thing, e)
        if 0 <= t - e <= 12:
            e = t + len(q.thing)
    return m.text[s:e]


__all__ = ["MentionKey", "number_conflicts", "overlap", "same_quantity"]
