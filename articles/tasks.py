"""Celery tasks for articles. Thin: they take ids, fetch rows and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from .models import Article

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def process_article(article_id: int) -> None:
    """Process one newly imported article.

    For now this records that the worker ran; the claim pipeline hooks in here.
    Re-running is harmless: the update only stamps articles not yet processed.
    """
    updated = Article.objects.filter(pk=article_id, processed_at__isnull=True).update(processed_at=timezone.now())
    if not updated and not Article.objects.filter(pk=article_id).exists():
        logger.warning("process_article: article %s is gone", article_id)
