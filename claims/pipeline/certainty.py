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
# What every pattern above needs somewhere in the sentence: most sentences have none of it, and
# one search spares them the thirteen (tests/pipeline/test_certainty_cues.py holds the guard to
# the patterns).
_UNKNOWN_GUARD = re.compile(
    r"\b(?:unclear|unknown|uncertain|no\s+word\s+on|to\s+be\s+seen|not\s+been|no\s+immediate|declined\s+to|"
    r"under\s+investigation|being\s+investigated)\b"
    r"|(?:clear|known|certain|confirmed|established)\s+(?:whether|if|what|who|why|how|when|where|which)"
    rf"|\b(?:did|would|could)\s+{_NEG}",
)  # searched in the lower-cased sentence: a third of the time of ignoring case
_HEDGE_RE = re.compile(
    r"\b(?:reportedly|allegedly|purportedly|apparently|possibly|presumably|supposedly|seemingly|"
    r"appear(?:s|ed)? to|seem(?:s|ed)? to|may have|might have|could have|may be|might be|"
    r"(?:is|are|was|were) (?:believed|thought|said|understood|alleged|suspected|rumou?red) to|"
    r"according to (?:unconfirmed |initial |early |media |local )?reports|unconfirmed reports?|"
    r"(?:media|local|initial|unconfirmed) reports (?:said|say|suggested|suggest)|"
    r"claimed to|it is (?:believed|thought|understood)|suspected|likely)\b",
    re.IGNORECASE,
)
# The same, for lower-cased text (the patterns are in lower case): Python's engine ignores case
# slowly, and these three are asked of every sentence.
_HEDGE_LOWER = re.compile(_HEDGE_RE.pattern)
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


_QUOTED = re.compile(r"“[^“”]*(?:”|$)|\"[^\"]*(?:\"|$)")
_MEDIA = (
    r"(?:agency|media|news|times|post|journal|newspaper|tv|television|broadcaster|outlet|tabloid|reuters|ap|afp|"
    r"cnn|nbc|abc|cbs|bbc|fox|msnbc|politico|axios|bloomberg|nyt|wsj|kcna|yonhap|xinhua|tass|report|reports|reporter|"
    r"correspondent|outlets?|newspapers?)"
)
# '..., "NYT" reports.', '..., wpix reports.', '..., the official news agency reported Wednesday.'
_NAMED_REPORT_END = re.compile(
    rf",\s*(?P<holder>[‘'\"]?(?:the\s+)?[^,]{{0,50}}?\b{_MEDIA}\b[’'\"]?|[‘'\"][^,]{{1,30}}[’'\"]|[a-z]{{2,6}})\s+"
    r"(?:reports|reported)(?:\s+(?:on\s+)?\w+day)?\s*[.!]?\s*$",
    re.IGNORECASE,
)
# 'Syrian television reported that ...', 'most outlets are reporting that ...'
_REPORTING_THAT = re.compile(
    rf"\b(?P<holder>(?:[\w'’-]+\s+){{0,3}}{_MEDIA})\s+(?:\w+\s+){{0,2}}(?:reported|reports|reporting)\s+that\b",
    re.IGNORECASE,
)

# Cues by which the outlet reports a claim without asserting it; sought outside quotation marks
# only (a hedge inside a quotation is the speaker's). Each names who holds the claim ("holder").
_ATTRIBUTED_RES = [
    # 'Report: X did Y', 'Reports: ...' (a headline's credit)
    re.compile(r"^\s*(?P<holder>(?:new\s+|media\s+)?reports?)\s*:", re.IGNORECASE),
    # '... : report.', '..., report says', '... : state media.'
    re.compile(
        r"[:,;—–-]\s*(?P<holder>(?:a\s+|new\s+|the\s+)?(?:media\s+|news\s+|state\s+media\s+)?reports?|state\s+media)"
        r"(?:\s+(?:says?|said|claims?))?\s*[.!]?\s*$",
        re.IGNORECASE,
    ),
    # 'a report says', 'media reports claimed', 'one report suggests'
    re.compile(
        r"(?<!\bas\s)\b(?P<holder>(?:a|the|one|new|media|news|press|local|initial|unconfirmed|several|multiple|earlier)\s+"
        r"(?:\w+\s+)?reports?)\s+(?:says?|said|claims?|claimed|suggests?|suggested|alleges?|alleged)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\breport says\b", re.IGNORECASE),
    # 'according to a report', 'according to one report', 'according to media reports'
    re.compile(
        r"\baccording to\s+(?P<holder>(?:a|one|the|several|multiple|media|news|press|unconfirmed)?\s*(?:\w+\s+)?reports?)\b",
        re.IGNORECASE,
    ),
    _NAMED_REPORT_END,
    # 'sources say', 'sources close to the team told ...', 'according to two sources'
    re.compile(
        r"\b(?P<holder>(?:\w+\s+){0,2}sources?)\b(?:\s+[\w-]+){0,5}?\s+(?:say|said|says|tell|told|claim|claimed|"
        r"suggest|suggested|indicate|indicated)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\baccording to\s+(?P<holder>(?:\w+\s+){0,3}sources?)\b", re.IGNORECASE),
    # 'X claims (that) ...', 'Democrats allege a conspiracy': the verb tells the outlet keeps its distance;
    # only as the sentence's own verb, near its start (not 'it does not name him, but alleges that ...')
    re.compile(
        r"^[^,;]{0,40}?(?<!\bas\s)(?P<holder>\b[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}|\b(?:[Tt]he|[Aa]n?)\s+[\w'’-]+"
        r"(?:\s+[\w'’-]+)?|\b(?:he|she|they|it))(?<!['’]s)\s+(?:\w+ly\s+)?"
        r"(?:claims|claimed|alleges|alleged)\b(?!\s+(?:responsibility|credit|victory|the\s+lives|lives|the\s+title|"
        r"a\s+seat|the\s+seat|ownership))"
    ),
    re.compile(
        r"^[^,;]{0,60}?\b(?:claims?|claimed|alleges?|alleged)\s+(?:that\b|to\s+(?:be|have)\b)",
        re.IGNORECASE,
    ),
    # '..., the lawsuit alleges.', '..., the company claimed.'
    re.compile(
        r",\s*(?![\s]|as\b)(?P<holder>[^,]{2,60}?)\s+(?:alleges|alleged|claims|claimed)\s*[.!]?\s*$", re.IGNORECASE
    ),
    _REPORTING_THAT,
    # an unnamed source: 'said on condition of anonymity', 'who asked not to be named'
    re.compile(
        r"\b(?:on (?:the )?condition of anonymity|(?:asked|requested|declined) not to be (?:named|identified)|"
        r"not authori[sz]ed to (?:speak|discuss))\b",
        re.IGNORECASE,
    ),
    # rumours ('rumours that ...', 'is rumoured to'); a rumour that is itself the news ('the rumours
    # started last week') is asserted
    re.compile(
        r"\b(?P<holder>rumou?rs?)\s+(?:that|of|say|said|suggest|suggested|has it|have it|swirl\w*)\b|"
        r"\brumou?red\b|\baccording to rumou?rs?\b",
        re.IGNORECASE,
    ),
    # 'are accused of abusing'
    re.compile(r"\b(?:is|are|was|were|been|being|stands?|stood)\s+accused\s+of\b", re.IGNORECASE),
]
# Which of those credit a report by its name ('..., Reuters reported.'); unnamed ones hedge.
_NAMED_CREDIT_RES = (_NAMED_REPORT_END, _REPORTING_THAT)
_UNNAMED_MEDIA = re.compile(
    r"^(?:(?:the|a|an|most|several|some|other|many|local|state|news|media|foreign|western|official|national)\s+)*"
    r"(?:reports?|media|outlets?|newspapers?|television|tv|press|broadcasters?)$",
    re.IGNORECASE,
)
_SAID_VERB = re.compile(r"\b(?:said|says|told|wrote|announced|confirmed)\b")
_SAID_END = re.compile(r",\s*(?P<holder>[^,]{1,60})\s+(?:said|says|told|wrote|added)\b[^,]{0,40}$")


_TRIGGER = re.compile(
    r"report|source|claim|alleg|rumou?r|accused|anonym|named|authori[sz]ed|could|may|might|expected|probabl|media|"
    r"suggest|indicat|understood",
)  # searched in the lower-cased text


def _said_by(outside: str) -> str | None:
    """Who the outlet says said it: 'Officials said on Monday that ...', '..., the mayor said.'"""
    head = outside[:240]
    v = _SAID_VERB.search(head)
    if v and re.match(r"[^.;]{0,40}?\bthat\b", head[v.end() :]):
        holder = head[: v.start()].split(",")[-1].strip()
        if 0 < len(holder) <= 60:
            return holder
    m = _SAID_END.search(outside[-160:].rstrip(" .!"))
    return m.group("holder").strip() if m else None


# The outlet's own hedges, outside quotations: bare modals of possibility, expectations, 'probably'.
_OWN_HEDGE_RES = [
    re.compile(
        r"\b(?:could|may|might)\s+(?:soon\s+|still\s+|also\s+|now\s+|well\s+|even\s+)?be\s+(?!able\b)"
        r"[a-z]+(?:ing|ed|en)\b"
    ),
    re.compile(r"\bcould\s+(?:well|soon|eventually|potentially|yet)\s+[a-z]+"),
    re.compile(r"\bunderstood to be\b", re.IGNORECASE),
    re.compile(r"\b(?:may|might)\s+(?:soon\s+|still\s+|also\s+|well\s+|even\s+)?(?!not\b|have\b|be\b)[a-z]{3,}\b"),
    re.compile(r"\b(?:is|are|was|were)\s+(?:widely\s+)?expected\s+to\b"),
    re.compile(r"\bprobably\b", re.IGNORECASE),
    re.compile(
        r"\b(?:findings|evidence|data|study|studies|research|analysis|polls?)\s+(?:suggests?|indicates?)\b",
        re.IGNORECASE,
    ),
]


# A modal after "X said/told/suggested (that)" is the person's, reported: the outlet asserts the saying.
_REPORTED_CLAUSE = re.compile(
    r"\b(?:said|says|say|told|tells|suggested|suggests|warned|warns|argued|argues|believes|believe|thinks|think|"
    r"worried|fears?|feared|predicted|predicts|cautioned|added|noted|wrote|writes)\b"
)


_SAID_AT_END = re.compile(r",\s*[^,]{1,60}\s+(?:said|says|told|added)\b[^,]*$")


def assess_certainty(sentence: str, offset: int = 0) -> Certainty:
    """Certainty of ``sentence``; unknown beats hedged beats asserted.

    Hedges in the outlet's own words and claims it credits to a report, sources, a rumour or a
    claimant ("X claims") are "hedged"; so is a question the outlet asks ("Did X happen?"). A
    hedge only inside a quotation is the speaker's: ``voice`` says whose words the cue is.
    """
    lower = sentence.lower()
    for rx in _UNKNOWN_RES if _UNKNOWN_GUARD.search(lower) else ():
        m = rx.search(sentence)
        if m:
            return _unknown(sentence, m, offset)
    outside = _QUOTED.sub(lambda q: " " * len(q.group()), sentence)
    # offsets in the lower-cased text are the sentence's unless lower-casing changed its length
    m = _HEDGE_LOWER.search(lower) if len(lower) == len(sentence) else _HEDGE_RE.search(sentence)
    if m:
        return Certainty(
            level="hedged",
            cue=sentence[m.start() : m.end()],
            cue_start=offset + m.start(),
            cue_end=offset + m.end(),
            proposition=_hedged_clause(sentence, m),
            voice="quoted" if outside[m.start() : m.end()].isspace() else "outlet",
        )
    cued = _TRIGGER.search(outside.lower()) is not None  # one search decides whether the cue patterns can apply
    for rx in _ATTRIBUTED_RES if cued else ():
        m = rx.search(outside)
        if m:
            holder = m.groupdict().get("holder")
            holder = " ".join(holder.split()).strip("‘'\"’") if holder else None
            if holder and rx in _NAMED_CREDIT_RES and not _UNNAMED_MEDIA.match(holder):
                # 'Reuters reported': a named outlet's report is credited, as a named person's words are
                return Certainty(level="asserted", voice="attributed", holder=holder)
            return Certainty(
                level="hedged",
                cue=sentence[m.start() : m.end()].strip(),
                cue_start=offset + m.start(),
                cue_end=offset + m.end(),
                proposition=_hedged_clause(sentence, m),
                voice="attributed",
                holder=holder,
            )
    for rx in _OWN_HEDGE_RES if cued else ():
        m = rx.search(outside)
        if m and not _REPORTED_CLAUSE.search(outside, 0, m.start()) and not _SAID_AT_END.search(outside, m.end()):
            return Certainty(
                level="hedged",
                cue=m.group(),
                cue_start=offset + m.start(),
                cue_end=offset + m.end(),
                proposition=_hedged_clause(sentence, m),
                voice="outlet",
            )
    said = _said_by(outside)
    if said and not re.match(r"^(?:it|this|that|there)$", said, re.IGNORECASE):
        # the outlet asserts that someone said it, not what they said
        return Certainty(level="asserted", voice="attributed", holder=" ".join(said.split()))
    q = re.search(r"\?\s*$", outside.rstrip())
    if q and re.search(r"[A-Za-z]", outside):
        # the outlet asks ('Did the ferry sink?', 'Has Trump been questioned?'): it asserts nothing
        return Certainty(
            level="hedged",
            cue="?",
            cue_start=offset + q.start(),
            cue_end=offset + q.start() + 1,
            proposition=" ".join(sentence.split()).rstrip("?").strip(),
            voice="outlet",
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
