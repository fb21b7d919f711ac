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
# _SPECULATIVE, _COMPARISON and _REPORTED_SPEECH are searched in the lower-cased text: ignoring
# case costs Python's engine two to four times as much (tests/pipeline/test_candidates.py).
_SPECULATIVE = re.compile(r"\b(?:could|might|would)\s+(?:further\s+|also\s+)?[a-z]+")
# Words in -ed that are not a verb's past ("a hundred", "armed men", "indeed"), and the nouns the
# irregular-form table holds for its own reasons (text.IRREGULAR also folds plurals).
_ED_NOT_VERBS = frozenset(
    "hundred red bed shed wed armed tired married naked wicked sacred beloved aged skilled talented "
    "interested concerned supposed alleged so-called unidentified unnamed unexpected detailed limited "
    "assorted crooked rugged ragged jagged learned".split()
)
_IRREGULAR_NOUNS = frozenset("dead death deaths men women children people persons feet troops militiamen".split())
_PAST = re.compile(r"\b([a-z]{2,}ed)\b")
_MORE_IRREGULAR_PAST = (
    "withdrew withdrawn overthrew overthrown forgave hid hidden bitten bled chose chosen dug drew drawn "
    "drank ate eaten fed forbade forgot forgotten got gotten grew grown laid lent meant overcame overtook "
    "rode sank sunk shook shaken shut slept slid sped spun sprang stung swore sworn swam swung taught "
    "woke woken wore worn wept withheld upheld struck undertook understood arose arisen beat beaten "
    "became bent bet cast cost dealt flew flown hurt put quit rang split spread stuck sung thrust"
).split()
_PAST_FORMS = {k for k, v in IRREGULAR.items() if k != v and k.isalpha() and k not in _IRREGULAR_NOUNS}
_IRREGULAR_PAST = re.compile(r"\b(?:" + "|".join(sorted(_PAST_FORMS | set(_MORE_IRREGULAR_PAST))) + r")\b")
# A change or a comparison states a fact without a digit: "doubled the number of loans", "fewer
# jobs than before", "cut crime by more than any other state", "the deadliest attack".
_COMPARISON = re.compile(
    r"\b(?:doubled|tripled|quadrupled|halved|slashed|cut|reduced|increased|decreased|raised|lowered|rose|fell|"
    r"grew|shrank|dropped|climbed|surged|soared|plunged|plummeted|jumped|declined)\b.*\b(?:by|to|from|than|since|"
    r"number|share|rate|price|cost|amount)\b|"
    r"\b(?:more|fewer|less|higher|lower|larger|smaller|bigger|greater|faster|slower|better|worse|cheaper)\b"
    r"[^.;]*?\bthan\b|"
    r"\b(?:largest|biggest|highest|lowest|smallest|worst|fastest|slowest|deadliest|richest|poorest)\b|"
    r"\b(?:a|an|the|its|their) record\b|\bfor the first time\b|\b(?:doubled|tripled|halved)\b",
)
_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
# Capitalised words that name nobody: the start of a sentence or clause is excluded by position;
# these by what they are.
_NOT_ACTORS = frozenset(
    "I Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December The A An This That These Those It He She They We You His "
    "Her Their Our My Your But And Or So If When While After Before In On At For From By With "
    # A title alone names nobody ("Your visit, Mr. President, ..."); with a name, the name counts.
    "Mr Mrs Ms Dr Sir Madam President Senator Governor Minister Secretary Speaker Chairman Judge General".split()
)
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)(?<![“\"‘(])\b([A-Z][a-z]+|[A-Z]{2,})\b")
# A form of address closing a sentence ("Thank you, Senator.", "..., Mr. President") names nobody.
_ADDRESS = re.compile(r",\s+(?:(?:Mr|Mrs|Ms|Dr|Madam|Mister)\.?\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s*[.!?]*\s*$")
_REPORTED_SPEECH = re.compile(r"\b(?:he|she|they|it)\s+(?:said|told|added|says|announced|confirmed|warned)\b")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


def score_sentence(text: str, slots: Slots) -> tuple[bool, float, dict[str, float], str | None]:
    """(is_candidate, score in [0,1], feature -> contribution, reason when not a candidate)."""
    features: dict[str, float] = {"base": 0.1}
    stripped = text.strip()
    words = stripped.split()
    outside = _QUOTED.sub(" ", stripped)  # opinion/question cues inside a quotation are the speaker's
    if len(outside.split()) < 2:
        # A quotation that is the whole line: nothing outside it to read, so read what it says.
        outside = stripped.strip(' “”"‘’')
    lower = outside.lower()

    if _BOILERPLATE.search(stripped):
        return False, 0.0, {"boilerplate": -1.0}, "boilerplate"
    if _CAPTION.search(stripped) and len(words) < 40:
        return False, 0.0, {"caption": -1.0}, "caption"
    if sum(map(str.isalnum, stripped)) < 0.5 * max(1, len(stripped.replace(" ", ""))):
        return False, 0.0, {"not_prose": -1.0}, "mostly symbols"

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
    elif _REPORTED_SPEECH.search(lower):
        features["reported_speech"] = 0.15
    if slots.dates or (not qs and _YEAR.search(outside)):
        features["date"] = 0.1
    if _named_actor(outside):
        features["named_actor"] = 0.15
    if _event_verb(outside):
        features["event_verb"] = 0.15
    if "quantity" not in features and _COMPARISON.search(lower):
        features["comparison"] = 0.25
    if slots.certainty.level == "unknown":
        features["unknown_status"] = 0.15 if slots.certainty.proposition else 0.05
    elif slots.certainty.level == "hedged":
        features["hedged"] = 0.05

    reason = None
    if len(words) < 3 or (len(words) < 6 and not ("quantity" in features and "event_verb" in features)):
        # Short, unless it says how many and what happened ("9,000 people died, not 90,000.").
        features["too_short"] = -0.4
        reason = "too short"
    if outside.rstrip(' ”"’)').endswith("?"):
        features["question"] = -0.5
        reason = "question"
    if _OPINION.search(outside):
        features["opinion"] = -0.3
        reason = reason or "opinion"
    elif _SPECULATIVE.search(lower):
        features["speculative"] = -0.1

    total = sum(features.values())
    if total > 1.0:
        features["capped"] = round(1.0 - total, 3)  # the contributions shown add up to the score
    elif total < 0.0:
        features["floored"] = round(-total, 3)
    score = round(max(0.0, min(1.0, total)), 3)
    is_candidate = score >= CANDIDATE_THRESHOLD and reason not in ("question", "too short")
    if not is_candidate and reason is None:
        reason = "low check-worthiness"
    return is_candidate, score, features, (None if is_candidate else reason)


def _named_actor(text: str) -> bool:
    """A capitalised name that is not the sentence's first word, a weekday, a month, a pronoun or
    a form of address closing the sentence."""
    text = _ADDRESS.sub(".", text)
    return any(m.group(1) not in _NOT_ACTORS for m in _PROPER.finditer(text))


def _event_verb(text: str) -> bool:
    """A verb in the past: a regular one in -ed (not "-eed", not an adjective), or an irregular one."""
    lowered = text.lower()
    if _IRREGULAR_PAST.search(lowered):
        return True
    return any(not w.endswith("eed") and w not in _ED_NOT_VERBS for w in _PAST.findall(lowered))


# What each contribution means, for the people who read it (the claim page's "Why it is worth checking").
FEATURE_LABELS = {
    "base": "every sentence starts with",
    "quantity": "states a number or an amount",
    "comparison": "states a change or a comparison",
    "quotation": "quotes someone, named",
    "fragment_quote": "quotes a few words",
    "attribution": "says who stated it",
    "reported_speech": "reports what someone said",
    "date": "says when",
    "named_actor": "names a person, a place or an organisation",
    "event_verb": "says what happened",
    "unknown_status": "says that something is not known",
    "hedged": "reports without asserting",
    "too_short": "too short to be a claim",
    "question": "a question, not a claim",
    "opinion": "an opinion",
    "speculative": "speculates (could, might, would)",
    "capped": "the score stops at 1",
    "learned_model": "the desk's learned model (trained on labelled sentences)",
    "floored": "the score stops at 0",
    "boilerplate": "boilerplate, not the story",
    "caption": "a photo caption",
    "not_prose": "mostly symbols, not prose",
}
