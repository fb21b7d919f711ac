"""Write paths for articles: every entry point (command, upload page, API) imports through here."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from factdesk.roles import can_edit_articles, can_import

from . import neardup
from .importers import ImportLimits, ImportProblem, ParsedArticle, is_archive, parse_file, zip_members
from .importers.outlets import canonical_outlet
from .models import Article, ArticleEvent, ImportBatch, ImportUpload, Outlet, Story
from .signals import articles_changed, articles_imported

logger = logging.getLogger(__name__)

FileInput = tuple[str, bytes] | ImportProblem

IMPORT_UPLOAD_TASK = "articles.tasks.import_upload"
IMPORT_QUEUE_UNREACHABLE = (
    "the import is waiting: the task queue is unreachable; a worker will import it when the queue is back"
)
# Results (articles or problems) imported between two saves of a background import's progress.
_CHECKPOINT_EVERY = 50


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


class _Unchanged:
    """An argument not given: the field keeps its value (None is a value: "no outlet")."""


UNCHANGED: Any = _Unchanged()
OUTLET_NAME_CHARS = 200  # Outlet.name's max_length
EDITED_BY_EDITOR = "editor"  # Article.outlet_inferred_from once an editor has set the outlet


@transaction.atomic
def article_update(*, article_id: int, user: Any, outlet: str | None = UNCHANGED, title: str = UNCHANGED) -> Article:
    """Set an article's outlet and headline, as an editor: audited, and the story re-analysed.

    `outlet` is a name ("fox" is saved as "Fox News", the name every other spelling of it gets:
    articles/importers/outlets.py), or "" or None for no outlet; `title` is the headline ("" to
    name the article by its first sentence, articles/naming.py). Only what changes is written, and
    recorded as an ArticleEvent with its values before and after. A changed outlet changes what the
    pipeline counts (independent sources, the outlets a conflict names): `articles_changed` is
    sent, and claims/ queues a run of the story stage once this commits; a reviewer's decisions
    stay as they are (claims/persist.py). `user` None is a trusted caller (a management command).
    """
    if user is not None and not can_edit_articles(user):
        raise PermissionDenied("Only editors can change an article's outlet and headline.")
    # Locked, so that two editors' changes are audited one after the other, each with its true "before".
    article = Article.objects.select_for_update().get(pk=article_id)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if not isinstance(outlet, _Unchanged):
        name = canonical_outlet(" ".join((outlet or "").split())) or None
        if name is not None and len(name) > OUTLET_NAME_CHARS:
            raise ValidationError({"outlet": f"An outlet's name has at most {OUTLET_NAME_CHARS} characters."})
        current = article.outlet.name if article.outlet is not None else None
        if name != current:
            before["outlet"], after["outlet"] = current, name
            article.outlet = outlet_get_or_create(name=name) if name else None
            article.outlet_inferred_from = EDITED_BY_EDITOR if name else ""
    if not isinstance(title, _Unchanged):
        headline = " ".join((title or "").split())
        if headline != article.title:
            before["title"], after["title"] = article.title, headline
            article.title = headline
    if not after:
        return article
    article.full_clean(exclude=["minhash", "story", "import_batch", "outlet", "duplicate_of"], validate_unique=False)
    article.save(update_fields=["outlet", "outlet_inferred_from", "title"])
    ArticleEvent.objects.create(
        article=article,
        actor=user if user is not None and user.is_authenticated else None,
        action=ArticleEvent.Action.EDIT,
        before=before,
        after=after,
    )
    if "outlet" in after:
        articles_changed.send(sender=Article, story=article.story, article_ids=[article.pk])
    return article


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
    story: Story,
    batch: ImportBatch,
    result: ParsedArticle | ImportProblem,
    outlets: dict[str, Outlet],
    *,
    reported: set[int] | None = None,
) -> dict[str, Any]:
    """Save one parsed article and say what became of it. `reported`: the articles a background
    import has reported; an article this batch saved but did not report (its worker was lost
    before it could) is reported now, as imported, rather than as a duplicate."""
    if isinstance(result, ImportProblem):
        return {"_report": {"source": result.source, "status": "error", "message": result.message}}
    # by id, not by Article's ordering (which joins the story), and not its body and original text
    existing = (
        Article.objects.filter(story=story, content_hash=result.content_hash)
        .order_by("pk")
        .only("pk", "import_batch_id")
        .first()
    )
    if existing and reported is not None and existing.import_batch_id == batch.pk and existing.pk not in reported:
        return {"article": existing, "_report": _imported(result, existing)}
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
    return {"article": article, "_report": _imported(result, article)}


def _imported(result: ParsedArticle, article: Article) -> dict[str, Any]:
    return {
        "source": result.source,
        "status": "imported",
        "article_id": article.pk,
        "external_id": article.external_id,
        "outlet": result.outlet or "",
        "message": "; ".join(result.notes),
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


def _count_report(batch: ImportBatch, report: list[dict[str, Any]]) -> None:
    batch.report = report
    batch.imported_count = sum(1 for r in report if r["status"] == "imported")
    batch.skipped_count = sum(1 for r in report if r["status"] == "skipped")
    batch.error_count = sum(1 for r in report if r["status"] == "error")


def _finish_batch(batch: ImportBatch, report: list[dict[str, Any]]) -> None:
    _count_report(batch, report)
    if batch.status != ImportBatch.Status.FAILED:
        batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save()


# --- large uploads, imported by a worker ---------------------------------------------------------


def articles_upload(*, story: Story, files: Sequence[tuple[str, bytes]], user: Any, source: str) -> ImportBatch:
    """An upload from the page or the API: imported in the request when small, by a worker when
    large (`import_in_background`); either way the batch's report says what became of each file."""
    if import_in_background(files):
        return articles_import_later(story=story, files=files, user=user, source=source)
    return articles_import(story=story, files=files, user=user, source=source)


def import_in_background(files: Sequence[tuple[str, bytes]]) -> bool:
    """Whether an upload is too big to import inside the request: over FACTDESK_INLINE_IMPORT_BYTES
    in all, or more than FACTDESK_INLINE_IMPORT_FILES files (a zip's members counted)."""
    if sum(len(data) for _, data in files) > settings.FACTDESK_INLINE_IMPORT_BYTES:
        return True
    limit = settings.FACTDESK_INLINE_IMPORT_FILES
    count = 0
    for name, data in files:
        count += sum(1 for _ in zip_members(name, data, import_limits())) if is_archive(name) else 1
        if count > limit:
            return True
    return False


def articles_import_later(
    *, story: Story, files: Sequence[tuple[str, bytes]], user: Any = None, source: str = ImportBatch.Source.UPLOAD
) -> ImportBatch:
    """Store an upload and let a worker import it (`import_upload_step`): the batch is returned
    at once, `queued`, and its report fills as the worker goes. Nothing is read here."""
    if user is not None and not can_import(user):
        raise PermissionDenied("Only editors can import articles.")
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            story=story, created_by=user, source=source, status=ImportBatch.Status.QUEUED
        )
        ImportUpload.objects.bulk_create(
            ImportUpload(batch=batch, position=position, name=name[:1000], content=data)
            for position, (name, data) in enumerate(files)
        )
        transaction.on_commit(lambda: queue_import(batch.pk))
    return batch


def queue_import(batch_id: int) -> bool:
    """Send a background import to the workers; with the broker away, say so on the batch (the
    sweep, claims.tasks.sweep, sends it again once the queue is back)."""
    try:
        current_app.send_task(IMPORT_UPLOAD_TASK, args=(batch_id,))
        return True
    except Exception as exc:
        logger.warning("could not queue import batch %s: %s", batch_id, exc)
        batch = ImportBatch.objects.get(pk=batch_id)
        if not any(r.get("status") == "waiting" for r in batch.report):
            batch.report = [*batch.report, {"source": "", "status": "waiting", "message": IMPORT_QUEUE_UNREACHABLE}]
            batch.save(update_fields=["report"])
        return False


def imports_waiting(*, stale_after: timedelta) -> list[int]:
    """Background imports that have not moved for `stale_after` (their task was lost, or could
    not be sent): the sweep sends them again. Their progress is saved, so nothing is done twice."""
    old = timezone.now() - stale_after
    return list(
        ImportBatch.objects.filter(
            Q(progress_at__lt=old) | Q(progress_at__isnull=True, created_at__lt=old),
            status__in=[ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING],
            uploads__isnull=False,
        )
        .distinct()
        .values_list("pk", flat=True)
    )


def import_upload_step(*, batch_id: int, seconds: float) -> bool:
    """Import the next part of a background upload, for about `seconds`; True when more is left
    (the task sends itself again, so that no task runs long).

    Archives are first replaced by their members. Progress (the report, the files done, how far
    into the current one) is saved every few articles in one transaction, so a worker lost
    mid-way costs nothing: the import goes on from the last save, and an article it had saved
    since is reported as this batch's import (not as a duplicate) and processed. The articles of
    each part are linked to their near-duplicates and sent on to processing (`articles_imported`),
    as an import in the request does."""
    batch = ImportBatch.objects.select_related("story").filter(pk=batch_id).first()
    if batch is None or not batch.in_background:
        return False
    limits = import_limits()
    _unpack_archives(batch, limits)
    if batch.status == ImportBatch.Status.QUEUED:
        batch.status = ImportBatch.Status.RUNNING
        batch.save(update_fields=["status"])
    progress = _Progress(batch)
    try:
        more = _import_uploads(progress, limits, deadline=time.monotonic() + seconds)
    except BaseException:
        _hand_on(batch, progress.created, quietly=True)
        raise
    _hand_on(batch, progress.created)
    return more


class _Progress:
    """Where a background import is: its report, the files it finished and how far into the
    current one it is, saved together (`save`)."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        self.report = [r for r in batch.report if r.get("status") != "waiting"]
        self.reported = {r["article_id"] for r in self.report if r.get("status") == "imported"}
        self.created: list[Article] = []
        self.outlets: dict[str, Outlet] = {}
        self.finished: list[int] = []
        self.since_save = 0

    def add(self, entry: dict[str, Any]) -> None:
        report = entry.pop("_report")
        self.report.append(report)
        if entry.get("article") is not None:
            self.created.append(entry["article"])
            self.reported.add(report["article_id"])
        self.since_save += 1

    def save(self, current: ImportUpload | None = None) -> None:
        with transaction.atomic():
            _count_report(self.batch, self.report)
            self.batch.progress_at = timezone.now()
            self.batch.save(update_fields=["report", "imported_count", "skipped_count", "error_count", "progress_at"])
            ImportUpload.objects.filter(pk__in=self.finished).delete()
            if current is not None:
                ImportUpload.objects.filter(pk=current.pk).update(done=current.done)
        self.finished.clear()
        self.since_save = 0


def _import_uploads(progress: _Progress, limits: ImportLimits, *, deadline: float) -> bool:
    batch = progress.batch
    for upload_id in list(batch.uploads.values_list("pk", flat=True)):
        upload = ImportUpload.objects.get(pk=upload_id)
        results = parse_file(upload.name, bytes(upload.content), limits)
        while upload.done < len(results):
            progress.add(
                _import_one(batch.story, batch, results[upload.done], progress.outlets, reported=progress.reported)
            )
            upload.done += 1
            if progress.since_save >= _CHECKPOINT_EVERY and upload.done < len(results):
                progress.save(current=upload)
                if time.monotonic() > deadline:
                    return True
        progress.finished.append(upload.pk)
        if progress.since_save >= _CHECKPOINT_EVERY:
            progress.save()
            if time.monotonic() > deadline:
                return batch.uploads.exists()
    progress.save()
    _finish_batch(batch, progress.report)
    return False


def _hand_on(batch: ImportBatch, created: list[Article], *, quietly: bool = False) -> None:
    """Link a part's new articles to their near-duplicates and send them on to processing."""
    try:
        _link_near_duplicates(batch.story, created)
        if created:
            articles_imported.send(
                sender=ImportBatch, story=batch.story, article_ids=[a.pk for a in created], import_batch=batch
            )
    except Exception:
        if not quietly:
            raise
        # Already failing: the sweep (claims.tasks.sweep) runs what no run covers.
        logger.exception("import batch %s: could not start processing its new articles", batch.pk)


def import_upload_failed(*, batch_id: int, reason: str) -> None:
    """A background import that cannot go on (an error that is not the database's or the queue's):
    the batch says so, keeps what it saved (already sent on to processing), and drops the rest."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or not batch.in_background:
            return
        batch.status = ImportBatch.Status.FAILED
        message = f"the import stopped on an internal error ({reason}); the articles listed above were saved"
        _finish_batch(batch, [*batch.report, {"source": "", "status": "error", "message": message}])
        batch.uploads.all().delete()


def _unpack_archives(batch: ImportBatch, limits: ImportLimits) -> None:
    """Replace each stored zip archive of the batch by its members (and its problems by report lines)."""
    for archive in batch.uploads.filter(member=0):
        if not is_archive(archive.name):
            continue
        members: list[ImportUpload] = []
        problems: list[dict[str, Any]] = []
        for number, member in enumerate(zip_members(archive.name, bytes(archive.content), limits), start=1):
            if isinstance(member, ImportProblem):
                problems.append({"source": member.source, "status": "error", "message": member.message})
            else:
                members.append(
                    ImportUpload(
                        batch=batch, position=archive.position, member=number, name=member[0][:1000], content=member[1]
                    )
                )
        with transaction.atomic():
            ImportUpload.objects.bulk_create(members)
            archive.delete()
            if problems:
                batch.report = [*batch.report, *problems]
                _count_report(batch, batch.report)
                batch.save(update_fields=["report", "imported_count", "skipped_count", "error_count"])
