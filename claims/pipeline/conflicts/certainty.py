"""Certainty conflicts: one outlet states as fact what another says is not known.

Each "unknown" mention (``it was not clear whether the staff had been evacuated``) asks a
question about a proposition; asserting mentions that state that proposition (its predicate
and enough of its arguments) answer it. A statement that is only inside a quotation is the
speaker's claim, not the outlet's: it still counts, but the explanation names the speaker
and the confidence is lower.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from ..align import key_order
from ..confidence import Factors
from ..quotes import sentence_subject
from ..similarity import content_terms
from ..text import IRREGULAR, STOPWORDS, stem
from ..types import Conflict, Mention, MentionKey
from ..unionfind import UnionFind
from .context import Ctx, excerpt

_AUX = {"be", "been", "was", "were", "is", "are", "had", "has", "have", "being"}
_EVENT_CAUSATIVES = {
    "fire": r"set(?:ting|s)?\s+(?:\w+\s+){0,3}?(?:on\s+)?(?:fire|ablaze|alight)|set(?:ting|s)?\s+fire\b|torch(?:ed|ing|es)?\b|"
    r"firebomb\w*|ignit\w*|arson\w*",
    "blaze": r"set(?:ting|s)?\s+(?:\w+\s+){0,3}?(?:on\s+)?(?:fire|ablaze|alight)|torch(?:ed|ing|es)?\b",
    "explos": r"detonat\w*|bl[eo]w(?:ing|s)?\s+up|plant\w*\s+(?:a\s+|the\s+)?(?:bomb|device)|bomb(?:ed|ing)\b",
    "blast": r"detonat\w*|bl[eo]w(?:ing|s)?\s+up|plant\w*\s+(?:a\s+|the\s+)?(?:bomb|device)",
    "crash": r"(?:shot|shoot(?:ing|s)?|brought|bring(?:ing|s)?)\s+down|downed",
    "collaps": r"demolish\w*|bl[eo]w(?:ing|s)?\s+up|brought\s+down",
    "outag": r"cut\s+(?:off\s+)?(?:the\s+)?power|sabotag\w*",
    "leak": r"leak(?:ed|ing)\b",
}


@lru_cache(maxsize=256)
def _cause_patterns(event: str) -> re.Pattern[str]:
    specific = _EVENT_CAUSATIVES.get(event, "")
    ev = re.escape(event)
    generic = (
        rf"(?:caus|start|spark|trigger|lit|light|ignit)\w*\s+(?:the\s+|a\s+|an\s+)?(?:\w+\s+)?{ev}\w*"
        rf"|{ev}\w*\s+(?:was|were|had\s+been)\s+(?:\w+\s+)?(?:started|set|caused|lit|triggered|sparked)\s+by"
        rf"|(?:blamed|responsible)\s+(?:\w+\s+){{0,3}}for\s+(?:the\s+)?{ev}\w*"
    )
    return re.compile(f"(?:{specific})|{generic}" if specific else generic, re.IGNORECASE)


def _predicates(prop: str) -> set[str]:
    """Stems of the verbs of a proposition ('had been evacuated' -> {'evacu'})."""
    words = re.findall(r"[A-Za-z’']+", prop)
    out = set()
    for i, w in enumerate(words):
        lw = w.lower()
        prev = words[i - 1].lower() if i else ""
        if lw in _AUX or lw in STOPWORDS:
            continue
        if prev in _AUX or lw.endswith("ed") or (lw in IRREGULAR and IRREGULAR[lw] != lw):
            out.add(stem(w))
    return out


def _asserts(m: Mention) -> bool:
    return m.slots.certainty.level == "asserted" and not m.text.rstrip().endswith("?") and not negated(m.text)


_NEGATED = re.compile(r"\b(?:not|never|n[’']t|no longer|denied|denies|deny)\b", re.IGNORECASE)


def negated(text: str) -> bool:
    """A negated statement answers a "whether" the other way: that is a negation conflict's business."""
    return bool(_NEGATED.search(text))


def quoted_share(m: Mention, terms: set[str]) -> float:
    """How much of ``terms`` (by count) the mention states only inside quotation marks."""
    inside = set()
    for q in m.slots.quotes:
        inside |= set(content_terms(q.text))
    outside = set(content_terms(_QUOTED.sub(" ", m.text)))
    hits = [t for t in terms if t in inside and t not in outside]
    return len(hits) / len(terms) if terms else 0.0


_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


# A people's adjective names its country: "the American ambassador" is "the US ambassador".
_DEMONYMS = {
    "american": "us",
    "iraqi": "iraq",
    "iranian": "iran",
    "british": "uk",
    "briton": "uk",
    "russian": "russia",
    "chines": "china",
    "french": "franc",
    "german": "germani",
    "israeli": "israel",
    "syrian": "syria",
    "ukrainian": "ukrain",
    "mexican": "mexico",
    "canadian": "canada",
    "korean": "korea",
    "japanes": "japan",
    "turkish": "turkey",
    "saudi": "saudi",
    "afghan": "afghanistan",
    "pakistani": "pakistan",
    "indian": "india",
    "european": "eu",
}


_FILLER_PHRASES = re.compile(r"\b(?:at (?:some|any|one) point|at the time|so far|as yet|yet|still|ever)\b", re.I)
_AUX_SPLIT = re.compile(r"\b(?:had|has|have|was|were|is|are|would|will|could|did)\b", re.I)


def _disjuncts(prop: str) -> list[str]:
    """'the staff had remained inside or were evacuated' -> both questions, each with the subject."""
    prop = _FILLER_PHRASES.sub(" ", prop)
    parts = re.split(r"\s+or\s+(?!not\b)", prop)
    if len(parts) == 1:
        return parts
    head = _AUX_SPLIT.split(parts[0], maxsplit=1)
    subject = head[0] if len(head) > 1 else ""
    return [parts[0]] + [p if _AUX_SPLIT.split(p, maxsplit=1)[0].strip() else f"{subject} {p}" for p in parts[1:]]


def _canon(term: str) -> str:
    return _DEMONYMS.get(term, term)


def _speaker_of(m: Mention) -> str | None:
    return next((q.speaker for q in m.slots.quotes if q.speaker and not q.fragment), None)


@dataclass
class AssertionIndex:
    """The story's asserting mentions (by index) under each of their terms, their terms, and the
    mentions that ask a question: what every run reads, kept so that a run that adds mentions
    indexes only those. A mention's
    terms are a sorted tuple (a fifth of a set's memory, in a story's index that a worker holds)."""

    index: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    terms: dict[int, tuple[str, ...]] = field(default_factory=dict)
    mentions: int = 0  # the mentions indexed: the first ones of the story
    unknowns: list[int] = field(default_factory=list)  # the mentions that ask whether something is so

    def extend(self, mentions: list[Mention]) -> None:
        for i in range(self.mentions, len(mentions)):
            m = mentions[i]
            if m.slots.certainty.level == "unknown" and m.slots.certainty.proposition:
                self.unknowns.append(i)
            if _asserts(m):
                ts = tuple(sorted({_canon(t) for t in content_terms(m.text)}))
                self.terms[i] = ts
                for t in ts:
                    self.index[t].append(i)
        self.mentions = len(mentions)

    def index_terms(self) -> None:
        """Make ``index`` again from ``terms`` (what a story's log keeps), in the same order."""
        self.index = defaultdict(list)
        for i, ts in self.terms.items():
            for t in ts:
                self.index[t].append(i)


def certainty_conflicts(ctx: Ctx, asserting: AssertionIndex | None = None) -> list[Conflict]:
    """Certainty conflicts; ``asserting``: the index kept from the story's last run (extended)."""
    asserting = AssertionIndex() if asserting is None else asserting
    asserting.extend(ctx.mentions)
    unknowns = [ctx.mentions[i] for i in asserting.unknowns]
    if not unknowns:
        return []
    index, asserted_terms = asserting.index, asserting.terms
    # Unknowns asking the same question are evaluated once (stories repeat wire copy a lot).
    queries: dict[tuple, list[Mention]] = defaultdict(list)
    for u in unknowns:
        c = u.slots.certainty
        prop = c.proposition or ""
        pterms = {_canon(t) for t in content_terms(prop)}
        if c.focus == "cause":
            event = next((t for t in content_terms(prop) if t.isalpha()), None)
            if event:
                place = frozenset(t for t in pterms - {event} if ctx.informative(t))
                queries[("cause", event, place)].append(u)
        elif c.wh in (None, "whether", "if", "when"):
            # "when X happened" is answered only by a statement that dates X; "why" and "how" by
            # nothing a pattern can check, so they raise no conflict. "Whether A or B" asks two
            # questions, each answered on its own.
            for part in _disjuncts(prop):
                pterms = {_canon(t) for t in content_terms(part)}
                preds = frozenset(_predicates(part) & pterms)
                args = frozenset(t for t in pterms - preds if ctx.informative(t))
                if preds and args:
                    queries[("when" if c.wh == "when" else "whether", preds, args, frozenset(pterms))].append(u)
    hits_cache: dict[tuple[str, int], re.Match[str] | None] = {}
    found: list[tuple[str, list[Mention], list[MentionKey], dict[MentionKey, str], float]] = []
    for q in sorted(queries, key=lambda q: (q[0], q[1] if isinstance(q[1], str) else sorted(q[1]), sorted(q[2]))):
        matched: list[tuple[Mention, str]] = []
        share = 1.0
        if q[0] == "cause":
            _, event, place = q
            rx = _cause_patterns(event)
            for i in sorted({i for t in place for i in index.get(t, ())}):
                if (event, i) not in hits_cache:
                    hits_cache[(event, i)] = rx.search(ctx.mentions[i].text)
                hit = hits_cache[(event, i)]
                if hit:
                    matched.append((ctx.mentions[i], _phrase_at(ctx.mentions[i].text, hit.start())))
        else:
            wh, preds, args, pterms = q
            # fsum: a sum over a set does not depend on the order it is read in
            weight = math.fsum(ctx.weight(t) for t in pterms) or 1.0
            arg_weight = math.fsum(ctx.weight(t) for t in args) or 1.0
            for i in sorted({i for t in preds for i in index.get(t, ())}):
                ts = asserted_terms[i]
                if wh == "when" and not ctx.mentions[i].slots.dates:
                    continue
                # The statement must say what was asked: its predicate and most of its arguments.
                covered = math.fsum(ctx.weight(t) for t in args.intersection(ts)) / arg_weight
                if covered < 0.4 or math.fsum(ctx.weight(t) for t in pterms.intersection(ts)) / weight < 0.4:
                    continue
                share = min(share, covered)
                matched.append((ctx.mentions[i], ctx.mentions[i].text))
        if matched:
            found.append(
                (
                    q[0],
                    [a for a, _ in matched],
                    [u.key for u in queries[q]],
                    {a.key: phrase for a, phrase in matched},
                    share,
                )
            )
    # one conflict per connected group of (asserting, unknown) mentions
    uf: UnionFind[MentionKey] = UnionFind()
    for _, asserted, unknown_keys, _, _ in found:
        first = asserted[0].key
        for a in asserted[1:]:
            uf.union(first, a.key, prefer=key_order)
        for k in unknown_keys:
            uf.union(first, k, prefer=key_order)
    comps: dict[MentionKey, dict] = {}
    for kind, asserted, unknown_keys, phrases, share in found:
        g = comps.setdefault(
            uf.find(asserted[0].key), {"a": set(), "u": set(), "kind": kind, "phrase": {}, "share": 1.0, "terms": set()}
        )
        g["a"].update(a.key for a in asserted)
        g["u"].update(unknown_keys)
        g["share"] = min(g["share"], share)
        for k, ph in phrases.items():
            g["phrase"].setdefault(k, ph)
    out = []
    for root in sorted(comps, key=key_order):
        g = comps[root]
        sides = ctx.separate(g["a"], g["u"])
        if sides is None:
            continue
        g["a"], g["u"] = sides
        out.append(_conflict(ctx, g))
    return out


def _conflict(ctx: Ctx, g: dict) -> Conflict:
    a0 = min(g["a"], key=key_order)
    u0 = min(g["u"], key=key_order)
    am, um = ctx.by_key[a0], ctx.by_key[u0]
    uc = um.slots.certainty
    unknown_text = excerpt(um.text[(uc.cue_start or um.start) - um.start :] if uc.cue_start is not None else um.text)
    prop_terms = set(content_terms(uc.proposition or ""))
    quoted = quoted_share(am, prop_terms) >= 0.5
    speaker = _speaker_of(am) if quoted else None
    factors = Factors(0.4, "a certainty conflict")
    factors.add("the statement answers the question asked", round(0.2 * g["share"], 3))
    factors.add("the cause is named on one side", 0.1, when=g["kind"] == "cause")
    factors.add("a dated statement answers “when”", 0.05, when=g["kind"] == "when")
    factors.add("the assertion is a quoted party’s claim, not the outlet’s", -0.3, when=quoted)
    if quoted:
        who = speaker or "a quoted source"
        stated = f"{ctx.says(g['a'], 'quotes', 'quote')} {who} as saying “{excerpt(am.text)}”"
    else:
        stated = f"{ctx.says(g['a'], 'states', 'state')} as fact “{excerpt(am.text)}”"
    if g["kind"] == "cause":
        actor = sentence_subject(am.text) or "someone"
        event = next((t for t in content_terms(uc.proposition or "") if t.isalpha()), "event")
        expl = (
            f"{ctx.says(g['a'], 'reports', 'report')} who caused it — {actor} (“{g['phrase'][a0]}”); "
            f"{ctx.says(g['u'])} the cause is unknown: “{unknown_text}”. Both agree there "
            f"was a {event}; they disagree on whether its cause is established."
        )
    else:
        expl = (
            f"{stated}; {ctx.says(g['u'])} this was not known: “{unknown_text}” — one side reports as "
            f"settled what the other says was unconfirmed."
        )
    return ctx.conflict("certainty", "medium", expl, g["a"], g["u"], factors)


def _phrase_at(text: str, start: int, words: int = 10) -> str:
    rest = re.split(r"[,;.]|\s+(?:and|but|prompting|while)\s+", text[start:])[0]
    return " ".join(rest.split()[:words])
