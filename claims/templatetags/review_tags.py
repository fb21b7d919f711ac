"""The review pages' words for the audit trail: what an undo took back."""

from __future__ import annotations

from django import template

from claims.models import ReviewEvent
from claims.review import UNDO_NAMES

register = template.Library()


@register.filter
def undone_name(action: str) -> str:
    """An undone event's action as the history names it: "a confirm", "a note", "an edit of the wording"."""
    try:
        name = UNDO_NAMES.get(ReviewEvent.Action(action), action)
    except ValueError:
        name = action or "action"
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"
