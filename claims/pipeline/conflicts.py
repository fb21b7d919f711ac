"""Stage 5: typed, explained disagreements between outlets.

Candidates are never all pairs: numbers and dates are compared inside a cluster
and between neighbouring clusters (centroid k-NN); quotations are blocked by
speaker; certainty by the predicate of the unknown proposition (inverted index);
attribution inside clusters.  Evidence between single mentions is then grouped
so that one disagreement yields one conflict whose sides list every mention
that takes that side.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from .align import Alignment, key_order
from .attribution import normalise_outlet
from .quantities import describe_interval, head_group
from .quotes import sentence_subject
from .similarity import content_terms, top_k_pairs
from .sources import article_roots
from .text import IRREGULAR, STOPWORDS, normalise_for_compare, stem
from .types import ArticleId, ArticleText, Conflict, Mention, MentionKey, Quantity, Severity

CLUSTER_NEIGHBOURS = 10
CLUSTER_MIN_SIM = 0.15
_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}


@dataclass
class _Ctx:
    al: Alignment
    mentions: list[Mention]
    by_key: dict[MentionKey, Mention]
    index: dict[MentionKey, int]
    cluster_ids: Sequence[str]
    roots: dict[ArticleId, ArticleId]
    outlets: dict[ArticleId, str]
    idf: Mapping[str, float]

    def root(self, key: MentionKey) -> ArticleId:
        return self.roots.get(key[0], key[0])

    def cross(self, a: Iterable[MentionKey], b: Iterable[MentionKey]) -> bool:
        """True when some pair comes from different (non-duplicate) articles."""
        ra = {self.root(k) for k in a}
        rb = {self.root(k) for k in b}
        return bool(ra and rb) and (len(ra | rb) > 1)

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
        return ", ".join(names[:2]) + f" and {len(names) - 2} other(s)"


def _sorted_keys(keys: Iterable[MentionKey]) -> tuple[MentionKey, ...]:
    return tuple(sorted(set(keys), key=key_order))


def _one_cluster(ctx: _Ctx, keys: Iterable[MentionKey]) -> str | None:
    """The id of the one cluster all these mentions belong to, or None when they span several."""
    clusters = {ctx.al.cluster_of.get(k) for k in keys}
    only = clusters.pop() if len(clusters) == 1 else None
    return ctx.cluster_ids[only] if only is not None else None


def _excerpt(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# --------------------------------------------------------------------------- cluster neighbourhood


def cluster_pairs(ctx: _Ctx) -> dict[tuple[int, int], float]:
    """(ci, cj) -> centroid cosine, for ci == cj and for k-NN neighbouring clusters."""
    al = ctx.al
    n_clusters = len(al.clusters)
    pairs: dict[tuple[int, int], float] = {(c, c): 1.0 for c in range(n_clusters)}
    for (i, j), s in al.pair_scores.items():  # mention-level neighbours across clusters
        ci, cj = al.cluster_of[ctx.mentions[i].key], al.cluster_of[ctx.mentions[j].key]
        if ci != cj:
            p = (ci, cj) if ci < cj else (cj, ci)
            pairs[p] = max(pairs.get(p, 0.0), s)
    x = al.vectors
    if x is None or x.shape[0] == 0 or n_clusters < 2:
        return pairs
    rows, cols = [], []
    for i, m in enumerate(ctx.mentions):
        rows.append(al.cluster_of[m.key])
        cols.append(i)
    ind = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_clusters, x.shape[0]))
    cent = ind @ x
    cent = sp.csr_matrix(cent) if sp.issparse(cent) else np.asarray(cent)
    if isinstance(cent, sp.csr_matrix):
        norms = np.sqrt(np.asarray(cent.multiply(cent).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        cent = sp.csr_matrix(sp.diags(1 / norms) @ cent)
    else:
        norms = np.linalg.norm(cent, axis=1)
        norms[norms == 0] = 1
        cent = cent / norms[:, None]
    for i, j, v in top_k_pairs(cent, CLUSTER_NEIGHBOURS, CLUSTER_MIN_SIM):
        pairs[(i, j)] = max(pairs.get((i, j), 0.0), v)
    return pairs


def _members(ctx: _Ctx, ci: int) -> list[Mention]:
    return [ctx.by_key[k] for k in ctx.al.clusters[ci] if k in ctx.by_key]


# --------------------------------------------------------------------------- numbers


def _qsig(q: Quantity) -> tuple:
    """Sortable identity of an amount (None -> ±inf so that tuples always compare)."""
    return (
        q.unit,
        -np.inf if q.value is None else q.value,
        -np.inf if q.low is None else q.low,
        np.inf if q.high is None else q.high,
    )


def _block(q: Quantity) -> str | None:
    if q.dimension == "count":
        group = head_group(q.head)
        return f"count:{group}" if group else None
    return q.dimension + ":" + q.unit


def same_quantity(a: Quantity, b: Quantity) -> bool:
    """Same amount, allowing unit conversion rounding and vague words that contain the number."""
    if a.unit != b.unit:
        return False
    if a.value is not None and b.value is not None:
        return abs(a.value - b.value) <= 0.03 * max(abs(a.value), abs(b.value), 1e-9)
    if a.value is None and b.value is None:
        return _overlap(a, b)
    known, vague = (a, b) if a.value is not None else (b, a)
    return _within(known.value, vague)


def _within(v: float | None, q: Quantity) -> bool:
    return v is not None and (q.low is None or v >= q.low) and (q.high is None or v <= q.high)


def _overlap(a: Quantity, b: Quantity) -> bool:
    lo = max(a.low if a.low is not None else -np.inf, b.low if b.low is not None else -np.inf)
    hi = min(a.high if a.high is not None else np.inf, b.high if b.high is not None else np.inf)
    return lo <= hi


def _compatible_things(a: Quantity, b: Quantity) -> bool:
    if a.dimension == "count" and not (a.head and b.head and head_group(a.head) == head_group(b.head)):
        return False
    # "US soldiers" vs "Iraqi soldiers" are different groups
    return not (a.modifiers and b.modifiers and not set(a.modifiers) & set(b.modifiers))


def _same_count(a: Quantity, b: Quantity) -> bool:
    return a.dimension == b.dimension == "count" and a.value is not None and a.value == b.value and a.value > 1


_CLAUSE_BREAK = re.compile(r"[,;:()—–]|\b(?:after|before|when|while|because|although|but|which|who|that)\b")


def _local_context(m: Mention, q: Quantity, width: int = 5) -> set[str]:
    """Content stems near a quantity, within its clause (so a later clause's verb does not count)."""
    rel_s, rel_e = q.start - m.start, q.end - m.start
    before_text = _CLAUSE_BREAK.split(m.text[:rel_s])[-1]
    tail = m.text[rel_e:]
    if q.thing:
        t = tail.find(q.thing)
        if 0 <= t <= 12:
            tail = tail[t + len(q.thing) :]
    after_text = _CLAUSE_BREAK.split(tail)[0]
    before = content_terms(before_text)[-width:]
    after = content_terms(after_text)[:width]
    skip = {stem(w) for w in (q.thing or "").split()} | set(q.modifiers) | {q.head or ""}
    return {t for t in before + after if not t[0].isdigit() and t not in skip}


def _number_pairs(ctx: _Ctx, ma: Mention, mb: Mention, same_cluster: bool) -> list[tuple[Quantity, Quantity, set[str]]]:
    """Quantities of two mentions about the same thing that state different amounts."""
    out: list[tuple[Quantity, Quantity, set[str]]] = []
    qa_all = [q for q in ma.slots.quantities if _block(q)]
    qb_all = [q for q in mb.slots.quantities if _block(q)]
    if not qa_all or not qb_all:
        return out
    # amounts stated identically on both sides pair off first ("about 5m" ~ "about 5 meters")
    used_b: set[int] = set()
    rest_a = []
    for qa in qa_all:
        hit = next(
            (
                i
                for i, qb in enumerate(qb_all)
                if i not in used_b and _block(qa) == _block(qb) and same_quantity(qa, qb)
            ),
            None,
        )
        if hit is None:
            rest_a.append(qa)
        else:
            used_b.add(hit)
    rest_b = [qb for i, qb in enumerate(qb_all) if i not in used_b]
    # the same count under another noun ("25 fighters" / "Twenty-five people") is the same report
    rest_a = [qa for qa in rest_a if not any(_same_count(qa, qb) for qb in qb_all)]
    rest_b = [qb for qb in rest_b if not any(_same_count(qb, qa) for qa in qa_all)]
    for qa in rest_a:
        for qb in rest_b:
            if _block(qa) != _block(qb) or not _compatible_things(qa, qb):
                continue
            shared = {t for t in _local_context(ma, qa) & _local_context(mb, qb) if ctx.al.informative(t)}
            if not same_cluster and not shared:
                continue
            if qa.dimension != "count" and not shared:
                continue  # a bare measure needs its own context to be the same measure
            out.append((qa, qb, shared))
    return out


def _number_severity(a: Quantity, b: Quantity) -> tuple[Severity, str]:
    ia, ib = describe_interval(a), describe_interval(b)
    if _overlap(a, b):
        return "low", f"the ranges overlap ({ia} vs {ib}), so both can hold"
    if a.approximate or b.approximate or a.value is None or b.value is None:
        return "medium", f"the ranges do not overlap ({ia} vs {ib}), though at least one is approximate"
    return "high", f"these cannot both be true ({ia} vs {ib})"


def number_conflicts(ctx: _Ctx, cpairs: Mapping[tuple[int, int], float]) -> list[Conflict]:
    groups: dict[tuple, dict] = {}
    profiles_cache: dict[int, dict[tuple, list[Mention]]] = {}

    def profiles(ci: int) -> dict[tuple, list[Mention]]:
        if ci not in profiles_cache:
            d: dict[tuple, list[Mention]] = defaultdict(list)
            for m in _members(ctx, ci):
                qs = tuple(sorted((_block(q), _qsig(q)) for q in m.slots.quantities if _block(q)))
                if qs:
                    d[qs].append(m)
            profiles_cache[ci] = d
        return profiles_cache[ci]

    for ci, cj in sorted(cpairs):
        pa, pb = profiles(ci), profiles(cj)
        if not pa or not pb:
            continue
        same = ci == cj
        for sa in sorted(pa):
            for sb in sorted(pb):
                if same and sa >= sb:
                    continue
                ra, rb = pa[sa][0], pb[sb][0]
                for qa, qb, shared in _number_pairs(ctx, ra, rb, same):
                    side_a = [m.key for m in pa[sa]]
                    side_b = [m.key for m in pb[sb]]
                    if not ctx.cross(side_a, side_b):
                        continue
                    gk = (ci, cj, _block(qa), _qsig(qa), _qsig(qb))
                    g = groups.setdefault(
                        gk, {"a": set(), "b": set(), "qa": qa, "qb": qb, "ma": ra, "mb": rb, "shared": set()}
                    )
                    g["a"].update(side_a)
                    g["b"].update(side_b)
                    g["shared"] |= shared
    # With several versions of one count (3, 4, 5, 7 ...), report each minority version against the
    # most widely reported one instead of every pair of versions.
    support: dict[tuple, Counter] = defaultdict(Counter)
    for (ci, cj, block, sa, sb), g in groups.items():
        support[(ci, cj, block)][sa] = max(support[(ci, cj, block)][sa], len(g["a"]))
        support[(ci, cj, block)][sb] = max(support[(ci, cj, block)][sb], len(g["b"]))
    out = []
    for (ci, cj, block, sa, sb), g in sorted(groups.items(), key=lambda t: repr(t[0])):
        counts = support[(ci, cj, block)]
        if len(counts) > 2:
            mode = max(sorted(counts), key=lambda sig: counts[sig])
            if mode not in (sa, sb):
                continue
        qa, qb = g["qa"], g["qb"]
        severity, why = _number_severity(qa, qb)
        words = sorted({_surface(g["ma"].text, t) for t in g["shared"]})
        about = f" (both about: {', '.join(words[:3])})" if words else ""
        expl = (
            f"{ctx.says(g['a'])} “{_qphrase(g['ma'], qa)}”; {ctx.says(g['b'])} “{_qphrase(g['mb'], qb)}”{about} — {why}"
        )
        out.append(
            Conflict(
                "number",
                severity,
                expl,
                _sorted_keys(g["a"]),
                _sorted_keys(g["b"]),
                ctx.cluster_ids[ci],
                ctx.cluster_ids[cj],
            )
        )
    return out


def _surface(text: str, term: str) -> str:
    """The word in ``text`` whose stem is ``term`` ('roof' for 'roof', 'village' for 'villag')."""
    for w in re.findall(r"[A-Za-z][\w'’-]*", text):
        if stem(w) == term:
            return w.lower()
    return term


def _qphrase(m: Mention, q: Quantity) -> str:
    s = q.start - m.start
    e = q.end - m.start
    if q.thing:
        t = m.text.find(q.thing, e)
        if 0 <= t - e <= 12:
            e = t + len(q.thing)
    return m.text[s:e]


# --------------------------------------------------------------------------- quotes


class _KeyUnion:
    """Union-find over mention keys; the representative is the smallest key (deterministic)."""

    def __init__(self) -> None:
        self.parent: dict[MentionKey, MentionKey] = {}

    def find(self, k: MentionKey) -> MentionKey:
        self.parent.setdefault(k, k)
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a: MentionKey, b: MentionKey) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb, key=key_order)] = min(ra, rb, key=key_order)


_QSENT = re.compile(r"(?<=[.!?])(?<![A-Z]\.[A-Z]\.)(?<!\b[A-Z]\.)\s+(?=[A-Z“\"‘'])")
_NEGATION = {"not", "no", "never", "n't", "nobody", "nothing", "none"}


def _quote_sentences(text: str) -> list[str]:
    return [s.strip(" ,") for s in _QSENT.split(text) if len(s.split()) >= 4]


def _differing_words(a: str, b: str) -> tuple[list[str], list[str]]:
    wa = normalise_for_compare(a).split()
    wb = normalise_for_compare(b).split()
    sa = {stem(w) for w in wb}
    sb = {stem(w) for w in wa}
    only_a = [w for w in wa if stem(w) not in sa]
    only_b = [w for w in wb if stem(w) not in sb]
    return only_a, only_b


def _quote_severity(only_a: list[str], only_b: list[str]) -> Severity:
    words = {w.lower() for w in only_a + only_b}
    if words & _NEGATION or any(w.isdigit() for w in words):
        return "high"
    if any(w not in STOPWORDS for w in words):
        return "medium"
    return "low"


def quote_conflicts(ctx: _Ctx) -> list[Conflict]:
    # speaker -> normalised quote sentence -> (original text, mention keys, from an embed?)
    by_speaker: dict[str, dict[str, dict]] = defaultdict(dict)
    display: dict[str, str] = {}
    for m in ctx.mentions:
        for q in m.slots.quotes:
            if q.fragment or not q.speaker_key:
                continue
            display.setdefault(q.speaker_key, q.speaker or q.speaker_key)
            if q.speaker and len(q.speaker) > len(display[q.speaker_key]) and q.how != "embed":
                display[q.speaker_key] = q.speaker
            for s in _quote_sentences(q.text):
                norm = normalise_for_compare(s)
                entry = by_speaker[q.speaker_key].setdefault(norm, {"text": s, "keys": set(), "embed": False})
                entry["keys"].add(m.key)
                entry["embed"] |= q.how == "embed"
    out = []
    for speaker in sorted(by_speaker):
        versions = by_speaker[speaker]
        norms = sorted(versions)[:400]
        stems = {n: set(content_terms(n)) for n in norms}
        # identical sentences put mentions in one wording class
        uf = _KeyUnion()
        find = uf.find
        for n in norms:
            keys = sorted(versions[n]["keys"], key=key_order)
            for k in keys[1:]:
                uf.union(keys[0], k)
        edges = []
        for i, a in enumerate(norms):
            for b in norms[i + 1 :]:
                if a in b or b in a:  # a partial quotation of the same words
                    continue
                sa, sb = stems[a], stems[b]
                if not sa or not sb:
                    continue
                jac = len(sa & sb) / len(sa | sb)
                if jac < 0.34 or len(sa & sb) < 2:
                    continue
                edges.append((a, b, jac))
        grouped: dict[tuple, dict] = {}
        class_of_version = {n: sorted({find(k) for k in versions[n]["keys"]}, key=key_order) for n in norms}
        for a, b, jac in edges:
            for ca in class_of_version[a]:
                for cb in class_of_version[b]:
                    if ca == cb:
                        continue
                    (ca2, a_), (cb2, b_) = sorted([(ca, a), (cb, b)], key=lambda t: key_order(t[0]))
                    g = grouped.setdefault((ca2, cb2), {"pairs": {}})
                    g["pairs"][(a_, b_)] = jac
        # expand sides to every mention in each wording class
        classes: dict[MentionKey, set[MentionKey]] = defaultdict(set)
        for n in norms:
            for k in versions[n]["keys"]:
                classes[find(k)].add(k)
        for (ca, cb), g in sorted(grouped.items(), key=lambda t: (key_order(t[0][0]), key_order(t[0][1]))):
            side_a, side_b = classes[ca], classes[cb]
            if not ctx.cross(side_a, side_b):
                continue
            pairs = sorted(g["pairs"].items(), key=lambda t: (t[1], t[0]))
            (na, nb), _ = pairs[0]  # the most different matching pair explains best
            ta, tb = versions[na]["text"], versions[nb]["text"]
            severity = max(
                (_quote_severity(*_differing_words(versions[x]["text"], versions[y]["text"])) for (x, y), _ in pairs),
                key=_SEVERITY_RANK.__getitem__,
            )
            diffs = []
            for (x, y), _ in pairs[:4]:
                oa, ob = _differing_words(versions[x]["text"], versions[y]["text"])
                if oa or ob:
                    diffs.append(f"{' '.join(oa[:5]) or '—'} ↔ {' '.join(ob[:5]) or '—'}")
            diff = f" (differences: {'; '.join(diffs)})" if diffs else ""
            embed_note = ""
            if any(versions[y]["embed"] for (_, y), _ in pairs) and not any(
                versions[x]["embed"] for (x, _), _ in pairs
            ):
                embed_note = f"; the embedded original post matches {ctx.outlets_of(side_b)}’s wording"
            elif any(versions[x]["embed"] for (x, _), _ in pairs):
                embed_note = f"; the embedded original post matches {ctx.outlets_of(side_a)}’s wording"
            expl = (
                f"{display[speaker]} is quoted in different words: {ctx.says(side_a, 'has', 'have')} “{ta}”; "
                f"{ctx.says(side_b, 'has', 'have')} “{tb}”{diff} — both are presented as the exact words, so at "
                f"least one is a translation or paraphrase ({len(pairs)} differing sentence(s)){embed_note}"
            )
            out.append(
                Conflict(
                    "quote",
                    severity,
                    expl,
                    _sorted_keys(side_a),
                    _sorted_keys(side_b),
                    _one_cluster(ctx, side_a),
                    _one_cluster(ctx, side_b),
                )
            )
    return out


# --------------------------------------------------------------------------- certainty

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
    return m.slots.certainty.level == "asserted" and not m.text.rstrip().endswith("?")


def certainty_conflicts(ctx: _Ctx) -> list[Conflict]:
    unknowns = [m for m in ctx.mentions if m.slots.certainty.level == "unknown" and m.slots.certainty.proposition]
    if not unknowns:
        return []
    index: dict[str, list[int]] = defaultdict(list)
    asserted_terms: dict[int, set[str]] = {}
    for i, m in enumerate(ctx.mentions):
        if _asserts(m):
            ts = set(content_terms(m.text))
            asserted_terms[i] = ts
            for t in ts:
                index[t].append(i)
    # Unknowns asking the same question are evaluated once (stories repeat wire copy a lot).
    queries: dict[tuple, list[Mention]] = defaultdict(list)
    for u in unknowns:
        c = u.slots.certainty
        prop = c.proposition or ""
        pterms = set(content_terms(prop))
        if c.focus == "cause":
            event = next((t for t in content_terms(prop) if t.isalpha()), None)
            if event:
                place = frozenset(t for t in pterms - {event} if ctx.al.informative(t))
                queries[("cause", event, place)].append(u)
        else:
            preds = frozenset(_predicates(prop) & pterms)
            args = frozenset(t for t in pterms - preds if ctx.al.informative(t))
            if preds and args:
                queries[("whether", preds, args, frozenset(pterms))].append(u)
    hits_cache: dict[tuple[str, int], re.Match[str] | None] = {}
    found: list[tuple[str, list[Mention], list[MentionKey], dict[MentionKey, str]]] = []
    for q in sorted(queries, key=lambda q: (q[0], q[1] if isinstance(q[1], str) else sorted(q[1]), sorted(q[2]))):
        matched: list[tuple[Mention, str]] = []
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
            _, preds, args, pterms = q
            weight = sum(ctx.idf.get(t, 1.0) for t in pterms) or 1.0
            for i in sorted({i for t in preds for i in index.get(t, ())}):
                ts = asserted_terms[i]
                if not (ts & args) or sum(ctx.idf.get(t, 1.0) for t in ts & pterms) / weight < 0.25:
                    continue
                matched.append((ctx.mentions[i], ctx.mentions[i].text))
        if matched:
            found.append(
                (q[0], [a for a, _ in matched], [u.key for u in queries[q]], {a.key: phrase for a, phrase in matched})
            )
    # one conflict per connected group of (asserting, unknown) mentions
    uf = _KeyUnion()
    for _, asserted, unknown_keys, _ in found:
        first = asserted[0].key
        for a in asserted[1:]:
            uf.union(first, a.key)
        for k in unknown_keys:
            uf.union(first, k)
    comps: dict[MentionKey, dict] = {}
    for kind, asserted, unknown_keys, phrases in found:
        g = comps.setdefault(uf.find(asserted[0].key), {"a": set(), "u": set(), "kind": kind, "phrase": {}})
        g["a"].update(a.key for a in asserted)
        g["u"].update(unknown_keys)
        for k, ph in phrases.items():
            g["phrase"].setdefault(k, ph)
    out = []
    for root in sorted(comps, key=key_order):
        g = comps[root]
        if not ctx.cross(g["a"], g["u"]):
            continue
        a0 = min(g["a"], key=key_order)
        u0 = min(g["u"], key=key_order)
        um = ctx.by_key[u0]
        uc = um.slots.certainty
        unknown_text = _excerpt(
            um.text[(uc.cue_start or um.start) - um.start :] if uc.cue_start is not None else um.text
        )
        if g["kind"] == "cause":
            actor = sentence_subject(ctx.by_key[a0].text) or "someone"
            event = next((t for t in content_terms(uc.proposition or "") if t.isalpha()), "event")
            expl = (
                f"{ctx.says(g['a'], 'reports', 'report')} who caused it — {actor} (“{g['phrase'][a0]}”); "
                f"{ctx.says(g['u'])} the cause is unknown: “{unknown_text}”. Both agree there "
                f"was a {event}; they disagree on whether its cause is established."
            )
        else:
            expl = (
                f"{ctx.says(g['a'], 'states', 'state')} as fact “{_excerpt(ctx.by_key[a0].text)}”; "
                f"{ctx.says(g['u'])} this was not known: “{unknown_text}” — one side reports as "
                f"settled what the other says was unconfirmed."
            )
        out.append(
            Conflict(
                "certainty",
                "medium",
                expl,
                _sorted_keys(g["a"]),
                _sorted_keys(g["u"]),
                _one_cluster(ctx, g["a"]),
                _one_cluster(ctx, g["u"]),
            )
        )
    return out


def _phrase_at(text: str, start: int, words: int = 10) -> str:
    rest = re.split(r"[,;.]|\s+(?:and|but|prompting|while)\s+", text[start:])[0]
    return " ".join(rest.split()[:words])


# --------------------------------------------------------------------------- attribution & dates


def attribution_conflicts(ctx: _Ctx) -> list[Conflict]:
    out = []
    for ci in range(len(ctx.al.clusters)):
        credited: dict[str, dict[MentionKey, str]] = defaultdict(dict)
        for m in _members(ctx, ci):
            for a in m.slots.attributions:
                if a.normalized and a.kind in ("outlet", "reporter", "reports"):
                    credited[a.normalized].setdefault(m.key, a.source)
        names = sorted(credited)
        for i, x in enumerate(names):
            for y in names[i + 1 :]:
                sa, sb = credited[x], credited[y]
                if not ctx.cross(sa, sb) or set(sa) & set(sb):
                    continue
                ka, kb = min(sa, key=key_order), min(sb, key=key_order)
                expl = (
                    f"The same report is credited to different sources: {ctx.says(sa, 'credits', 'credit')} {x} "
                    f"(“{sa[ka]}”); {ctx.says(sb, 'credits', 'credit')} {y} (“{sb[kb]}”)."
                )
                out.append(
                    Conflict(
                        "attribution",
                        "medium",
                        expl,
                        _sorted_keys(sa),
                        _sorted_keys(sb),
                        ctx.cluster_ids[ci],
                        ctx.cluster_ids[ci],
                    )
                )
    return out


def _date_profiles(ctx: _Ctx, ci: int) -> dict[tuple, list[tuple[Mention, object]]]:
    """Members with exactly one resolved date, grouped by that date range."""
    out: dict[tuple, list[tuple[Mention, object]]] = defaultdict(list)
    for m in _members(ctx, ci):
        if len(m.slots.dates) == 1 and m.slots.dates[0].low:
            d = m.slots.dates[0]
            out[(d.low, d.high)].append((m, d))
    return out


def date_conflicts(ctx: _Ctx, cpairs: Mapping[tuple[int, int], float]) -> list[Conflict]:
    out = []
    cache: dict[int, dict] = {}
    for (ci, cj), sim in sorted(cpairs.items()):
        if ci != cj and sim < 0.6:
            continue
        pa = cache.setdefault(ci, _date_profiles(ctx, ci))
        pb = cache.setdefault(cj, _date_profiles(ctx, cj))
        for ra in sorted(pa):
            for rb in sorted(pb):
                if ra[0] > rb[0] or (ci == cj and ra >= rb):
                    continue
                if ra[0] <= rb[1] and rb[0] <= ra[1]:  # ranges overlap: same day(s) possible
                    continue
                side_a = [m.key for m, _ in pa[ra]]
                side_b = [m.key for m, _ in pb[rb]]
                if not ctx.cross(side_a, side_b):
                    continue
                a, b = pa[ra][0][1], pb[rb][0][1]
                rel = any(d.relative for _, d in pa[ra] + pb[rb])
                expl = (
                    f"{ctx.says(side_a, 'dates', 'date')} it “{a.text}” ({_fmt_range(a.low, a.high)}); "
                    f"{ctx.says(side_b, 'dates', 'date')} it “{b.text}” ({_fmt_range(b.low, b.high)}) — "
                    f"these do not resolve to the same day"
                    + (" (relative dates resolved against each article’s date)" if rel else "")
                )
                out.append(
                    Conflict(
                        "date",
                        "medium" if rel else "high",
                        expl,
                        _sorted_keys(side_a),
                        _sorted_keys(side_b),
                        ctx.cluster_ids[ci],
                        ctx.cluster_ids[cj],
                    )
                )
    return out


def _fmt_range(lo, hi) -> str:
    return lo.isoformat() if lo == hi else f"{lo.isoformat()}–{hi.isoformat()}"


# --------------------------------------------------------------------------- entry point


def find_conflicts(
    al: Alignment,
    cluster_ids: Sequence[str],
    articles: Mapping[ArticleId, ArticleText] | None = None,
) -> list[Conflict]:
    """All conflicts, de-duplicated by their stable key and deterministically ordered."""
    articles = articles or {}
    outlets: dict[ArticleId, str] = {}
    for m in al.mentions:
        art = articles.get(m.article_id)
        raw = art.outlet if art else m.outlet
        fallback = art.display_name if art else f"article {m.article_id}"
        outlets[m.article_id] = normalise_outlet(raw) or (raw.strip() if raw else fallback)
    ctx = _Ctx(
        al=al,
        mentions=al.mentions,
        by_key={m.key: m for m in al.mentions},
        index={m.key: i for i, m in enumerate(al.mentions)},
        cluster_ids=cluster_ids,
        roots=article_roots(articles.values()),
        outlets=outlets,
        idf=al.idf,
    )
    cpairs = cluster_pairs(ctx)
    found = (
        number_conflicts(ctx, cpairs)
        + quote_conflicts(ctx)
        + certainty_conflicts(ctx)
        + attribution_conflicts(ctx)
        + date_conflicts(ctx, cpairs)
    )
    unique: dict = {}
    for c in found:
        prev = unique.get(c.key)
        if prev is None or _SEVERITY_RANK[c.severity] > _SEVERITY_RANK[prev.severity]:
            unique[c.key] = c
    return sorted(
        unique.values(),
        key=lambda c: (c.kind, [key_order(k) for k in c.side_a], [key_order(k) for k in c.side_b], c.explanation),
    )
