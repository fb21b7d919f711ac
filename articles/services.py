"""Write paths for articles: every entry point (command, upload page, API) imports through here."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from factdesk.roles import can_import

from . import neardup
from .importers import ImportLimits, ImportProblem, ParsedArticle, parse_file
from .models import Article, ImportBatch, Outlet, Story
from .signals import articles_imported

logger = logging.getLogger(__name__)

FileInput = tuple[str, bytes] | ImportProblem


def import_limits() -> ImportLimits:
    return ImportLimits(
        max_file_bytes=settings.FACTDESK_MAX_FILE_BYTES,
        max_zip_bytes=settings.FACTDESK_MAX_ZIP_BYTES,
        max_zip_members=settings.FACTDESK_MAX_ZIP_MEMBERS,
    )


UPLOAD_TOO_LARGE = "The upload is over the {limit} limit: send fewer files at a time, or import a folder with `manage.py import_articles`."


def upload_limit_label() -> str:
    return f"{settings.FACTDESK_MAX_UPLOAD_BYTES / 1024 / 1024:.0f} MB"


def upload_too_large(content_length: str | None) -> bool:
    """Whether a request's declared body (Content-Length) is over FACTDESK_MAX_UPLOAD_BYTES.

    Under WSGI a body is read only up to its Content-Length, so the declared size bounds it.
    """
    try:
        return int(content_length or 0) > settings.FACTDESK_MAX_UPLOAD_BYTES
    except ValueError:
        return False


def story_get_or_create(*, name: str, user: Any = None) -> tuple[Story, bool]:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "A story needs a name."})
    story = Story.objects.filter(name=name).first()
    if story:
        return story, False
    if user is not None and not can_import(user):
        raise PermissionDenied("Only editors can create stories.")
    story = Story(name=name, slug=_unique_slug(Story, name), created_by=user)
    story.full_clean()
    story.save()
    return story, True


def outlet_get_or_create(*, name: str) -> Outlet:
    name = " ".join(name.split())[:200]
    outlet = Outlet.objects.filter(name__iexact=name).first()
    if outlet:
        return outlet
    try:
        with transaction.atomic():
            return Outlet.objects.create(name=name, slug=_unique_slug(Outlet, name))
    except IntegrityError:  # created by a concurrent import
        return Outlet.objects.get(name__iexact=name)


def _unique_slug(model: type[Story] | type[Outlet], name: str) -> str:
    base = slugify(name)[:180] or model.__name__.lower()
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@dataclass
class _Saved:
    article: Article
    created: bool


def articles_import(
    *,
    story: Story,
    files: Iterable[FileInput],
    user: Any = None,
    source: str = ImportBatch.Source.COMMAND,
) -> ImportBatch:
    """Import files into a story and report on each one.

    Each article is saved in its own transaction: a bad file or record is reported and
    skipped, the rest of the batch imports, and no article is ever half-saved. An article
    already in the story (same content) is reported as skipped. New articles are linked to
    the near-duplicates they copy, and `articles_imported` is sent for them (claims/ creates a
    pipeline run and queues it once committed).

    `user` is None for trusted callers (management commands); a user must be allowed to import.
    """
    if user is not None and not can_import(user):
        raise PermissionDenied("Only editors can import articles.")
    limits = import_limits()
    batch = ImportBatch.objects.create(story=story, created_by=user, source=source)
    report: list[dict[str, Any]] = []
    created: list[Article] = []
    outlets: dict[str, Outlet] = {}
    failed = False
    try:
        for item in files:
            results = [item] if isinstance(item, ImportProblem) else parse_file(item[0], item[1], limits)
            for result in results:
                entry = _import_one(story, batch, result, outlets)
                report.append(entry.pop("_report"))
                if entry.get("article") is not None:
                    created.append(entry["article"])
        _link_near_duplicates(story, created)
    except BaseException:  # also a time-out's signal or Ctrl-C: what was saved is still reported and processed
        failed = True
        logger.exception("import batch %s failed", batch.pk)
        batch.status = ImportBatch.Status.FAILED
        report.append(
            {
                "source": "",
                "status": "error",
                "message": "the import stopped on an internal error; the articles listed above were saved",
            }
        )
        raise
    finally:
        try:
            _finish_batch(batch, report)
            if created:  # claims/ starts processing them (a run the batch shows, queued on commit)
                articles_imported.send(
                    sender=ImportBatch, story=story, article_ids=[a.pk for a in created], import_batch=batch
                )
        except Exception:
            if not failed:
                raise
            # Already failing: keep that error; the sweep (claims.tasks.sweep) runs what no run covers.
            logger.exception("import batch %s: could not record its end or start its processing", batch.pk)
    batch.refresh_from_db(fields=["report"])  # a receiver may have added to it (processing waits)
    return batch


def _import_one(
    story: Story, batch: ImportBatch, result: ParsedArticle | ImportProblem, outlets: dict[str, Outlet]
) -> dict[str, Any]:
    if isinstance(result, ImportProblem):
        return {"_report": {"source": result.source, "status": "error", "message": result.message}}
    existing = Article.objects.filter(story=story, content_hash=result.content_hash).only("pk").first()
    if existing:
        return {"_report": _skipped(result, existing.pk)}
    try:
        with transaction.atomic():
            article = _save_article(story, batch, result, outlets)
    except IntegrityError:
        existing = Article.objects.filter(story=story, content_hash=result.content_hash).only("pk").first()
        if existing:  # the same article was imported concurrently
            return {"_report": _skipped(result, existing.pk)}
        raise
    except ValidationError as exc:
        return {"_report": {"source": result.source, "status": "error", "message": _validation_message(exc)}}
    message = "; ".join(result.notes)
    return {
        "article": article,
        "_report": {
            "source": result.source,
            "status": "imported",
            "article_id": article.pk,
            "external_id": article.external_id,
            "outlet": result.outlet or "",
            "message": message,
        },
    }


def _skipped(result: ParsedArticle, article_id: int) -> dict[str, Any]:
    return {
        "source": result.source,
        "status": "skipped",
        "article_id": article_id,
        "message": "already in this story",
    }


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _save_article(story: Story, batch: ImportBatch, parsed: ParsedArticle, outlets: dict[str, Outlet]) -> Article:
    article = Article(
        story=story,
        import_batch=batch,
        outlet=_outlet(outlets, parsed.outlet) if parsed.outlet else None,
        outlet_inferred_from=parsed.outlet_inferred_from,
        external_id=parsed.external_id,
        source_name=parsed.source[:500],
        title=parsed.title,
        dateline=parsed.dateline,
        url=parsed.url,
        published_on=parsed.published_on,
        original_text=parsed.original_text,
        body=parsed.body,
        embeds=parsed.embeds,
        removed=parsed.removed,
        content_hash=parsed.content_hash,
        minhash=neardup.signature(parsed.body),
    )
    # The foreign keys point at rows this import just read or made: checking each with a query of its
    # own was 3 of the 8 queries an article cost. The other fields are checked (lengths, dates, URL).
    article.full_clean(exclude=["minhash", "story", "import_batch", "outlet", "duplicate_of"], validate_unique=False)
    article.save()
    return article


def _outlet(outlets: dict[str, Outlet], name: str) -> Outlet:
    """outlet_get_or_create, asked once per outlet name in a batch (a batch has a few outlets)."""
    key = " ".join(name.split()).casefold()
    if key not in outlets:
        outlets[key] = outlet_get_or_create(name=name)
    return outlets[key]


def _order_key(article: Article) -> tuple[bool, date, int]:
    """Earlier-published first; undated last; then import order."""
    return (article.published_on is None, article.published_on or date.max, article.pk)


def _link_near_duplicates(story: Story, created: list[Article]) -> None:
    """Link each copy to the article it copies (the earlier one of a near-duplicate pair)."""
    if not created:
        return
    new_ids = {a.pk for a in created}
    rows = list(Article.objects.filter(story=story).only("pk", "body", "minhash", "published_on", "duplicate_of_id"))
    docs = {a.pk: a for a in rows}
    matches = neardup.find_matches(
        new=[neardup.Doc(a.pk, a.body, bytes(a.minhash)) for a in rows if a.pk in new_ids and a.minhash],
        existing=[neardup.Doc(a.pk, a.body, bytes(a.minhash)) for a in rows if a.pk not in new_ids and a.minhash],
        threshold=settings.FACTDESK_NEAR_DUPLICATE_THRESHOLD,
    )
    for match in matches:  # best first: each copy keeps its closest original
        original, copy = sorted((docs[match.id], docs[match.other_id]), key=_order_key)
        if copy.duplicate_of_id is not None or original.duplicate_of_id == copy.pk:
            continue
        copy.duplicate_of_id = original.pk
        copy.duplicate_similarity = match.similarity
        Article.objects.filter(pk=copy.pk, duplicate_of__isnull=True).update(
            duplicate_of_id=original.pk, duplicate_similarity=match.similarity
        )


def _finish_batch(batch: ImportBatch, report: list[dict[str, Any]]) -> None:
    batch.report = report
    batch.imported_count = sum(1 for r in report if r["status"] == "imported")
    batch.skipped_count = sum(1 for r in report if r["status"] == "skipped")
    batch.error_count = sum(1 for r in report if r["status"] == "error")
    if batch.status != ImportBatch.Status.FAILED:
        batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save()
