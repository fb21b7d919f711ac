"""Stage 2: check-worthiness of a sentence unit, explained feature by feature.

The score is a clipped sum of named contributions, so a reviewer sees exactly
why a sentence was (or was not) kept: numbers, named actors doing things,
quotations, attributions and dates push it up; questions, opinion,
captions, boilerplate and fragments push it down or reject it outright.
"""

from __future__ import annotations

import re

from .text import IRREGULAR
from .types import Slots

CANDIDATE_THRESHOLD = 0.35

_BOILERPLATE = re.compile(
    r"^\s*(?:advertisement|advert|sponsored|related(?: articles?| stories)?:?|read more\b|click here\b|sign up\b|"
    r"subscribe\b|follow us\b|share this\b|all rights reserved|copyright\b|©|watch:|listen:|visit\b.*\bhomepage\b|"
    r"(?:photo|image|video|picture)s?:|getty images|this article (?:was|has been)|agencies\s*$|pa media\s*$|"
    r"(?:additional )?reporting by\b|editing by\b|writing by\b|by [A-Z][a-z]+ [A-Z][a-z]+\s*$)",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"\((?:[A-Z][\w.'’ -]+/)+[A-Z][\w.'’ -]+\)\s*$|\b(?:Photograph|Photo|Image|Picture):\s|"
    r"\b(?:Getty Images|AFP via Getty|Shutterstock|EPA-EFE)\b"
)
_OPINION = re.compile(
    r"\b(?:I|we)\s+(?:think|believe|feel|hope|fear|suspect)\b|\bin (?:my|our) (?:view|opinion)\b|\bshould\b|"
    r"\bmust\b|\bought to\b|\barguably\b|\bit is time\b|\b(?:shameful|disgraceful|outrageous|absurd|ridiculous|"
    r"appalling|wonderful|terrible|brilliant)\b",
    re.IGNORECASE,
)
_SPECULATIVE = re.compile(r"\b(?:could|might|would)\s+(?:further\s+|also\s+)?[a-z]+", re.IGNORECASE)
_EVENT_VERB = re.compile(
    r"\b(?:[a-z]{3,}ed|" + "|".join(sorted(k for k, v in IRREGULAR.items() if k != v and k.isalpha())) + r")\b"
)
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+|\b[A-Z]{2,}\b")
_REPORTED_SPEECH = re.compile(
    r"\b(?:he|she|they|it)\s+(?:said|told|added|says|announced|confirmed|warned)\b", re.IGNORECASE
)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


def score_sentence(text: str, slots: Slots) -> tuple[bool, float, dict[str, float], str | None]:
    """(is_candidate, score in [0,1], feature -> contribution, reason when not a candidate)."""
    features: dict[str, float] = {"base": 0.1}
    stripped = text.strip()
    words = stripped.split()
    outside = _QUOTED.sub(" ", stripped)  # opinion/question cues inside a quotation are the speaker's

    if _BOILERPLATE.search(stripped):
        return False, 0.0, {"boilerplate": -1.0}, "boilerplate"
    if _CAPTION.search(stripped) and len(words) < 40:
        return False, 0.0, {"caption": -1.0}, "caption"
    if sum(c.isalpha() for c in stripped) < 0.5 * max(1, len(stripped.replace(" ", ""))):
        return False, 0.0, {"not_prose": -1.0}, "mostly non-letters"

    qs = [q for q in slots.quantities if q.dimension != "count" or q.value is None or q.value != 1]
    if qs:
        features["quantity"] = 0.3
    full_quotes = [q for q in slots.quotes if not q.fragment]
    if full_quotes:
        features["quotation"] = 0.25 if any(q.speaker for q in full_quotes) else 0.15
    elif slots.quotes:
        features["fragment_quote"] = 0.05
    if slots.attributions:
        features["attribution"] = (
            0.2 if any(a.normalized or a.kind in ("person", "official") for a in slots.attributions) else 0.1
        )
    elif _REPORTED_SPEECH.search(outside):
        features["reported_speech"] = 0.15
    if slots.dates:
        features["date"] = 0.1
    if _PROPER.search(outside):
        features["named_actor"] = 0.15
    if _EVENT_VERB.search(outside.lower()):
        features["event_verb"] = 0.15
    if slots.certainty.level == "unknown":
        features["unknown_status"] = 0.15 if slots.certainty.proposition else 0.05
    elif slots.certainty.level == "hedged":
        features["hedged"] = 0.05

    reason = None
    if len(words) < 6:
        features["too_short"] = -0.4
        reason = "too short"
    if outside.rstrip(' ”"’)').endswith("?"):
        features["question"] = -0.5
        reason = "question"
    if _OPINION.search(outside):
        features["opinion"] = -0.3
        reason = reason or "opinion"
    elif _SPECULATIVE.search(outside):
        features["speculative"] = -0.1

    score = max(0.0, min(1.0, sum(features.values())))
    score = round(score, 3)
    is_candidate = score >= CANDIDATE_THRESHOLD and reason not in ("question", "too short")
    if not is_candidate and reason is None:
        reason = "low check-worthiness"
    return is_candidate, score, features, (None if is_candidate else reason)
