"""The review pages' words: what an undo took back, and where mentions differ."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

from claims.differences import Marked
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


@register.simple_tag
def marked_text(marked: Marked) -> str:
    """A mention's text with the words in which it differs marked (<b class="differs">), escaped."""
    return format_html_join(
        "",
        "{}",
        ((format_html('<b class="differs">{}</b>', s.text) if s.differs else s.text,) for s in marked.segments),
    )
