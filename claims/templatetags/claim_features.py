"""What a claim's check-worthiness contributions mean, in words (stage 2's FEATURE_LABELS)."""

from __future__ import annotations

from django import template

from claims.pipeline.candidates import FEATURE_LABELS

register = template.Library()

# Contributions the app adds to the pipeline's: the desk model's part in a claim's score (claims/desk.py).
APP_FEATURE_LABELS = {"desk_model": "the desk model (learned from the desk's own confirms and rejects)"}


@register.filter
def feature_label(name: str) -> str:
    """`quantity` -> "states a number or an amount"; a name the pipeline has no words for stays as it is."""
    return APP_FEATURE_LABELS.get(name) or FEATURE_LABELS.get(name, name.replace("_", " "))
