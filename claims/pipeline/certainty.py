"""Certainty: asserted / hedged / unknown, and the proposition the cue scopes over.

Cues are general English hedging and "unknown" constructions; the proposition is
the wh-clause after the cue ("whether the staff had been evacuated") so that the
conflict stage can test it against other outlets' assertions.
"""

from __future__ import annotations

import re

from .types import Certainty

_NEG = r"(?:not|n[’']t)"
_UNKNOWN_RES = [
    re.compile(
        rf"\b(?:it|this)\s+(?:is|was|remains|remained)(?:\s+still)?\s+(?:{_NEG}\s+)?(?:yet\s+)?(?:immediately\s+)?"
        r"(?:unclear|unknown|uncertain)\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:it|this)\s+(?:is|was|wasn[’']t|isn[’']t)\s*(?:{_NEG}\s+)?(?:yet\s+)?(?:immediately\s+)?"
        r"(?:clear|known|certain|confirmed|established)\b(?=\s+(?:whether|if|what|who|why|how|when|where|which))",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:unclear|unknown|not known|not clear|not immediately (?:clear|known))\b"
        r"(?=\s+(?:whether|if|what|who|why|how|when|where|which))",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\bdid\s+{_NEG}\s+(?:immediately\s+)?(?:respond|reply|comment)\b[^.;]*?(?=\b(?:whether|if)\b)", re.IGNORECASE
    ),
    re.compile(
        rf"\b(?:did|would|could)\s+{_NEG}\s+(?:immediately\s+)?(?:say|confirm|specify|disclose|verify)\s+"
        r"(?=(?:whether|if|what|who|how|why|when|where)\b)",
        re.IGNORECASE,
    ),
    re.compile(r"\bno word on\s+(?=(?:whether|if|what|who|how|why)\b)", re.IGNORECASE),
    re.compile(r"\bremains? to be seen\b", re.IGNORECASE),
    re.compile(
        rf"\bcould\s+{_NEG}\s+(?:be\s+)?(?:immediately\s+)?(?:independently\s+)?(?:confirm|verif)\w*", re.IGNORECASE
    ),
    re.compile(r"\b(?:has|have|had)\s+not\s+been\s+(?:confirmed|verified|established|determined)\b", re.IGNORECASE),
    re.compile(r"\bno\s+immediate\s+(?:comment|confirmation|word|response|information|details)\b", re.IGNORECASE),
    re.compile(rf"\bdid\s+{_NEG}\s+immediately\s+(?:respond|reply|comment)\b", re.IGNORECASE),
    re.compile(r"\bdeclined\s+to\s+(?:comment|confirm|say)\b", re.IGNORECASE),
    re.compile(r"\bunder investigation\b|\bbeing investigated\b", re.IGNORECASE),
]
_HEDGE_RE = re.compile(
    r"\b(?:reportedly|allegedly|purportedly|apparently|possibly|presumably|supposedly|seemingly|"
    r"appear(?:s|ed)? to|seem(?:s|ed)? to|may have|might have|could have|may be|might be|"
    r"(?:is|are|was|were) (?:believed|thought|said|understood|alleged|suspected|rumou?red) to|"
    r"according to (?:unconfirmed |initial |early |media |local )?reports|unconfirmed reports?|"
    r"(?:media|local|initial|unconfirmed) reports (?:said|say|suggested|suggest)|"
    r"claimed to|it is (?:believed|thought|understood)|suspected|likely)\b",
    re.IGNORECASE,
)
_WH_RE = re.compile(r"\b(whether|if|what|who|whom|why|how|when|where|which)\b\s*(.*)", re.IGNORECASE | re.DOTALL)
_CAUSE_RE = re.compile(
    r"^(?:had\s+|has\s+|have\s+)?(?:caused|cause|causes|started|start|sparked|spark|triggered|trigger|set off|"
    r"ignited|was behind|were behind|is behind|are behind|was responsible for|is responsible for|were responsible for|"
    r"carried out|lit|set)\b\s*(.*)",
    re.IGNORECASE | re.DOTALL,
)
_PRONOUN_OBJ = re.compile(r"^(?:it|this|that|them|these|those)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[;]|,\s+(?:but|and|while|although|though)\b|\s+(?:but|although|though)\s+")


def _trim(text: str) -> str:
    text = _CLAUSE_END.split(text, maxsplit=1)[0]
    return text.strip().rstrip(".!?”\"’'),").strip()


def assess_certainty(sentence: str, offset: int = 0) -> Certainty:
    """Certainty of ``sentence``; unknown beats hedged beats asserted."""
    for rx in _UNKNOWN_RES:
        m = rx.search(sentence)
        if m:
            return _unknown(sentence, m, offset)
    m = _HEDGE_RE.search(sentence)
    if m:
        return Certainty(
            level="hedged",
            cue=m.group(),
            cue_start=offset + m.start(),
            cue_end=offset + m.end(),
            proposition=_hedged_clause(sentence, m),
        )
    return Certainty(level="asserted")


def _hedged_clause(sentence: str, m: re.Match[str]) -> str:
    """The clause around a hedge cue, without the cue: what is being hedged."""
    starts = [b.end() for b in _CLAUSE_END.finditer(sentence, 0, m.start())]
    start = starts[-1] if starts else 0
    nxt = _CLAUSE_END.search(sentence, m.end())
    end = nxt.start() if nxt else len(sentence)
    text = sentence[start : m.start()] + sentence[m.end() : end]
    return " ".join(text.split()).strip(" ,.;").strip()


def _unknown(sentence: str, m: re.Match[str], offset: int) -> Certainty:
    rest = sentence[m.end() :]
    wh = prop = focus = None
    wm = _WH_RE.match(rest.lstrip()) or (_WH_RE.search(m.group()) if "whether" in m.group().lower() else None)
    if wm:
        wh = wm.group(1).lower()
        prop = _trim(wm.group(2))
        if wh in ("what", "who", "whom"):
            cm = _CAUSE_RE.match(prop)
            if cm:
                focus = "cause"
                obj = cm.group(1).strip()
                if not obj or _PRONOUN_OBJ.match(obj):
                    # "there was a fire ..., but it was unclear what had caused it": the antecedent
                    # is the clause before the cue.
                    obj = _trim(
                        re.sub(
                            r"\b(?:but|and|though|although)\s*$", "", sentence[: m.start()].strip().rstrip(",")
                        ).strip()
                    )
                    obj = re.sub(r"^(?:there\s+(?:was|were|had\s+been)\s+)", "", obj, flags=re.IGNORECASE)
                prop = obj
    return Certainty(
        level="unknown",
        cue=m.group().strip(),
        cue_start=offset + m.start(),
        cue_end=offset + m.end(),
        wh=wh,
        proposition=prop or None,
        focus=focus,
    )
