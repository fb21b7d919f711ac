"""`{% load article_names %}`: `{{ article|outlet_name }}`, `{{ article|headline }}` (articles/naming.py)."""

from __future__ import annotations

from django import template

from articles import naming
from articles.models import Article

register = template.Library()


@register.filter
def outlet_name(article: Article | None) -> str:
    if article is None:
        return ""
    return naming.outlet_label(
        article.outlet.name if article.outlet_id and article.outlet else None, article.external_id
    )


@register.filter
def headline(article: Article | None) -> str:
    if article is None:
        return ""
    return naming.headline(article.title, article.body, article.external_id)
