"""How the pages name an article and its outlet: one name for each, wherever it is shown.

An article without an outlet is "unnamed outlet (<its file stem or record id>)", as the pipeline's
explanations and a claim's sources name it (claims/pipeline/inputs.py, claims/persist.py). An
article without a headline (the seeds have none) is named by its opening words, never by a hash.
"""

from __future__ import annotations

import re

HEADLINE_CHARS = 90
_SENTENCE_END = re.compile(r"[.!?][”’\"']?(?=\s)|\n")


def outlet_label(outlet: str | None, external_id: str) -> str:
    """'Associated Press'; 'unnamed outlet (002_d3a917ba29528ce3)' when the outlet is unknown."""
    return outlet or f"unnamed outlet ({external_id})"


def headline(title: str, body: str, external_id: str = "") -> str:
    """The title; without one, the body's first sentence, cut at a word within HEADLINE_CHARS."""
    if title.strip():
        return title.strip()
    text = body.strip()
    match = _SENTENCE_END.search(text)
    first = (text[: match.end()] if match else text).strip()
    if len(first) > HEADLINE_CHARS:
        first = first[:HEADLINE_CHARS].rsplit(" ", 1)[0].rstrip(",;:—–- ") + "…"
    return first or external_id
