"""Stage 3: fill the slots of one sentence (quantities, quotes, attribution, certainty, dates)."""

from __future__ import annotations

from datetime import date

from .attribution import extract_attributions
from .certainty import assess_certainty
from .dates import extract_dates
from .quantities import extract_quantities
from .quotes import SpeakerContext, extract_quotes
from .types import Embed, Slots


def extract_slots(
    text: str,
    offset: int = 0,
    published_on: date | None = None,
    ctx: SpeakerContext | None = None,
    embeds: tuple[Embed, ...] = (),
) -> Slots:
    """Slots for one sentence unit; ``offset`` is its start in the body (slot offsets are body offsets).

    ``ctx`` carries named persons across the sentences of one article so that "he tweeted"
    resolves; pass a fresh one for a stand-alone sentence.
    """
    ctx = ctx if ctx is not None else SpeakerContext()
    quotes = extract_quotes(text, offset, ctx, embeds)
    ctx.observe(text)  # after the quotes: a sentence's own names must not resolve its own pronoun
    return Slots(
        quantities=tuple(extract_quantities(text, offset)),
        quotes=tuple(quotes),
        attributions=tuple(extract_attributions(text, offset)),
        certainty=assess_certainty(text, offset),
        dates=tuple(extract_dates(text, published_on, offset)),
    )
