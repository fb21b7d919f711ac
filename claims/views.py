"""The reviewer's workspace: queue, claim, conflict and article pages, and the action endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url, replace_url

from articles.models import Article, Outlet, Story
from factdesk.errors import ApplicationError, PreconditionRequiredError

from . import differences, review, selectors, sources_explained
from .models import Claim, Conflict, Mention, MergeSuggestion, ReviewEvent, Verdict

PAGE_SIZE = 50
QUEUE_KEYS = [
    ("j / k", "next / previous claim"),
    ("Enter or o", "open it"),
    ("/", "search"),
    ("n / p", "next / previous page"),
]
CLAIM_KEYS = [
    ("c", "confirm, then open the next claim: choose the verdict next"),
    ("c 1 – 4", "confirm as accurate / inaccurate / misleading / unverifiable"),
    ("c Enter", "confirm without a verdict: only that it was said (or c 0)"),
    ("x", "reject: type the reason, Enter"),
    ("e", "edit the wording"),
    ("m", "merge: type claim numbers or words, see each claim; Esc, then 1 – 9 merges that one"),
    ("n", "add a note"),
    ("t / r", "take / release"),
    ("a / d", "accept / decline the first merge suggestion"),
    ("u", "undo your last action (confirm, reject, note, take, merge, ...) for a few minutes"),
    ("j / k", "next / previous claim in the queue"),
    ("q", "back to the queue"),
]
CONFLICT_KEYS = [
    ("1 – 5", "choose a resolution"),
    ("n", "write a note (Esc to leave it, Ctrl+Enter to resolve)"),
    ("s", "resolve, then open the next open conflict"),
    ("o", "reopen a resolved conflict"),
    ("u", "undo your last resolution or reopening (for a few minutes)"),
    ("q", "the story's conflict queue"),
    ("b", "back to the story"),
]
CONFLICT_QUEUE_KEYS = [
    ("j / k", "next / previous conflict"),
    ("Enter or o", "open it"),
    ("q", "the claim queue"),
    ("b", "back to the story"),
]


def _queue_params(request: HttpRequest) -> QueryDict:
    """The queue a page was opened from, carried along as `?queue=<its query string>`."""
    return QueryDict(request.GET.get("queue") or request.POST.get("queue") or "status=proposed")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _version(post: QueryDict, name: str = "version") -> int:
    """The version a form was loaded at. Every form that changes a claim or a conflict sends it; a
    post without it is refused (called inside the action, so _act shows the message)."""
    version = _int(post.get(name))
    if version is None:
        raise PreconditionRequiredError(
            "The form did not say which version it was loaded at; reload the page and try again. Nothing was changed."
        )
    return version


def _other_versions(post: QueryDict, claim_ids: Any) -> dict[int, int]:
    """The versions a form names of other claims, as `version_<id>` fields (merges, suggestions)."""
    versions = {cid: _int(post.get(f"version_{cid}")) for cid in claim_ids}
    return {cid: v for cid, v in versions.items() if v is not None}


def claim_queue(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    params = request.GET.copy()
    params.setdefault("status", "proposed")
    queue = selectors.claim_queue(story, params, request.user)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = {k: params[k] for k in selectors.QUEUE_FILTERS if params.get(k)}
    # A row's reasons: the conflicts the queue's filter counts (the possible ones when it asks for them).
    try:
        low = selectors.parse_confidence(params.get("min_confidence"))
    except ValueError:
        low = None
    if low is None and params.get("conflict") == "possible":
        low = 0.0
    return render(
        request,
        "claims/queue.html",
        {
            "story": story,
            "page": page,
            "rows": selectors.queue_rows(list(page), low),
            "progress": selectors.review_progress(story),
            "params": keep,
            "queue_string": urlencode(keep),
            "statuses": Claim.Status.choices,
            "kinds": Conflict.Kind.choices,
            "conflict_filters": selectors.QUEUE_CONFLICT_FILTERS,
            "min_confidence": selectors.min_confidence(),
            "orders": list(selectors.QUEUE_ORDERS),
            "outlets": Outlet.objects.filter(articles__story=story).distinct().order_by("name"),
            "queue_keys": QUEUE_KEYS,
        },
    )


def _claim_context(request: HttpRequest, claim_id: int, queue_params: QueryDict) -> dict[str, Any]:
    """Everything the claim page shows; the page and its in-place answers (htmx) render it alike."""
    try:
        claim = selectors.claim_detail(claim_id)
    except Claim.DoesNotExist as exc:
        raise Http404("No such claim.") from exc
    queue = selectors.claim_queue(claim.story, queue_params, request.user)
    prev_id, next_id = selectors.queue_neighbours(queue, claim)
    evidence = [(m, selectors.paragraph_context(m.article.body, m.start, m.end)) for m in claim.mentions.all()]
    marks = differences.mark_among([context[1] for _, context in evidence])
    mentions = [
        {"mention": m, "context": context, "marked": marked}
        for (m, context), marked in zip(evidence, marks, strict=True)
    ]
    history = list(selectors.claim_history(claim))
    source_groups = sources_explained.explain(claim.story_id, [m for m, _ in evidence])
    queue_string = queue_params.urlencode()
    last = review.last_undoable(story_id=claim.story_id, user=request.user)
    return {
        "claim": claim,
        "story": claim.story,
        "mentions": mentions,
        "source_groups": source_groups,
        # The count is the last run's (Claim.independent_sources); an outlet set since counts at the next.
        "sources_recounted": [g.source for g in source_groups] != list(claim.sources),
        "conflicts": selectors.claim_conflicts(claim),
        "min_confidence": selectors.min_confidence(),
        "suggestions": selectors.claim_suggestions(claim),
        "history": history,
        "undoable": review.undoable_events(history, request.user),
        "last_action": last,
        "last_action_subject": review.undo_subject(last) if last else "",
        "undo_minutes": max(1, round(settings.FACTDESK_UNDO_SECONDS / 60)),
        "holder": claim.lease_holder(),
        "verdicts": Verdict.choices,
        "queue_string": queue_string,
        "here": _claim_url(claim.pk, queue_string),
        "prev_id": prev_id,
        "next_id": next_id,
        "claim_keys": CLAIM_KEYS,
    }


def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "claims/claim_detail.html", _claim_context(request, pk, _queue_params(request)))


def _htmx(request: HttpRequest) -> bool:
    """The request came from htmx (HX-Request, django_htmx's middleware): it wants a part of a page."""
    return bool(getattr(request, "htmx", False))


def _claim_url(claim_id: int, queue: str) -> str:
    return f"{reverse('claims:claim_detail', args=[claim_id])}?{urlencode({'queue': queue})}"


def _show_claim(request: HttpRequest, claim_id: int, queue: str, *, moved: bool = False) -> HttpResponse:
    """After an action: the claim's page. A form posted by htmx (HX-Request) gets the page's content
    in place (claims/_claim_page.html, swapped into <main>, the messages with it) and the address bar
    follows (a new history entry when it shows another claim: confirm and go on); a plain form post
    gets a redirect to the page, as without JavaScript."""
    url = _claim_url(claim_id, queue)
    if not _htmx(request):
        return redirect(url)
    context = _claim_context(request, claim_id, QueryDict(queue))
    response = render(request, "claims/_claim_page.html", {**context, "in_place": True})
    return push_url(response, url) if moved else replace_url(response, url)


def _act(request: HttpRequest, action: Callable[[], Any], success: str, back: str) -> Any:
    """Run a service; on an application error show its message and change nothing."""
    try:
        result = action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return None, redirect(back)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, success)
    return result, None


CLAIM_ACTIONS = {"confirm", "reject", "edit", "annotate", "take", "release", "merge", "split", "undo_merge", "undo"}


@require_POST
def claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in CLAIM_ACTIONS:
        raise Http404("No such action.")
    claim = get_object_or_404(Claim.objects.select_related("story"), pk=pk)
    user, post = request.user, request.POST
    queue = _queue_params(request).urlencode()
    here = _claim_url(claim.pk, queue)
    if action == "merge":
        return _merge(request, claim, here)
    # Take, release and undo name no version (claims/review.py says why); a note's is optional.
    verdict = post.get("verdict", "")
    calls: dict[str, tuple[Callable[[], Any], str]] = {
        "confirm": (
            lambda: review.claim_confirm(claim_id=claim.pk, user=user, version=_version(post), verdict=verdict),
            f"Confirmed as {verdict}." if verdict in Verdict.values else "Confirmed.",
        ),
        "reject": (
            lambda: review.claim_reject(
                claim_id=claim.pk, user=user, version=_version(post), reason=post.get("reason", "")
            ),
            "Rejected.",
        ),
        "edit": (
            lambda: review.claim_edit(claim_id=claim.pk, user=user, version=_version(post), text=post.get("text", "")),
            "Wording saved.",
        ),
        "annotate": (
            lambda: review.claim_annotate(
                claim_id=claim.pk,
                user=user,
                version=_int(post.get("version")),
                note=post.get("note", ""),
                label=post.get("label", ""),
                links=post.get("links", "").split(),
            ),
            "Note added.",
        ),
        "take": (lambda: review.claim_take(claim_id=claim.pk, user=user), "You hold this claim now."),
        "release": (lambda: review.claim_release(claim_id=claim.pk, user=user), "Released."),
        "split": (
            lambda: review.mention_split(
                claim_id=claim.pk, mention_id=_int(post.get("mention")) or 0, user=user, version=_version(post)
            ),
            "Mention split out into a new claim.",
        ),
        "undo_merge": (lambda: review.merge_undo(event_id=_int(post.get("event")) or 0, user=user), "Merge undone."),
        "undo": (lambda: review.event_undo(event_id=_int(post.get("event")) or 0, user=user), ""),
    }
    call, success = calls[action]
    if action == "undo":
        return _undo(request, claim, queue, call)
    try:
        _, failed = _act(request, call, success, here)
    except (Claim.DoesNotExist, ReviewEvent.DoesNotExist, Article.DoesNotExist):
        messages.error(request, "That claim or event does not exist; nothing was changed.")
        return _show_claim(request, claim.pk, queue)
    if failed is not None:
        return _show_claim(request, claim.pk, queue)
    if post.get("next") and action in {"confirm", "reject"}:
        _, next_id = selectors.queue_neighbours(selectors.claim_queue(claim.story, _queue_params(request), user), claim)
        if next_id:
            return _show_claim(request, next_id, queue, moved=True)
        messages.info(request, "That was the last claim in this queue.")
        queue_url = f"{reverse('claims:queue', args=[claim.story.slug])}?{queue}"
        return HttpResponseClientRedirect(queue_url) if _htmx(request) else redirect(queue_url)
    return _show_claim(request, claim.pk, queue)


def _undo(request: HttpRequest, claim: Claim, queue: str, call: Callable[[], Any]) -> HttpResponse:
    """Undo an event (the history's buttons, `u`), then show the claim it was about: the one just
    confirmed comes back to be decided again, even from the next claim's page."""
    event = ReviewEvent.objects.filter(pk=_int(request.POST.get("event")) or 0).first()
    if event is None:
        messages.error(request, "That event does not exist; nothing was undone.")
        return _show_claim(request, claim.pk, queue)
    subject = review.undo_subject(event)
    try:
        call()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _show_claim(request, claim.pk, queue)
    except (Claim.DoesNotExist, Conflict.DoesNotExist, MergeSuggestion.DoesNotExist):
        messages.error(request, "What that action changed no longer exists; nothing was undone.")
        return _show_claim(request, claim.pk, queue)
    messages.success(request, "Merge undone." if event.is_merge else f"Undone: your {subject}.")
    shown = review.undo_claim_id(event) or claim.pk
    return _show_claim(request, shown, queue, moved=shown != claim.pk)


MERGE_CANDIDATES = 9  # the preview's choices, 1-9 on the keyboard


def _merge_candidates(claim: Claim, query: str) -> tuple[list[Claim], bool]:
    """The claims a merge form names: by number ("12 15"), or found by words in the claim's story
    (every word in the claim's wording or one of its mentions; not merged ones), surest first.
    Returns them and whether they were named by number."""
    terms = query.replace(",", " ").split()
    numbers = [int(t.lstrip("#")) for t in terms if t.lstrip("#").isdigit()]
    others = Claim.objects.filter(story_id=claim.story_id).exclude(pk=claim.pk)
    by_number = bool(terms) and len(numbers) == len(terms)
    if by_number:
        found = others.filter(pk__in=numbers)
    else:
        words = [t for t in terms if len(t) > 1] or terms
        found = others.exclude(status=Claim.Status.MERGED)
        for word in words:
            found = found.filter(Q(text__icontains=word) | Q(mentions__text__icontains=word))
        found = found.distinct().order_by("-checkworthiness", "pk")
    mentions = Prefetch("mentions", queryset=Mention.objects.select_related("article__outlet").order_by("pk"))
    claims = list(found.select_related("assignee").prefetch_related(mentions)[:MERGE_CANDIDATES])
    return (sorted(claims, key=lambda c: c.pk) if by_number else claims), by_number


def merge_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The claims a merge would take in, as the reviewer types their numbers or words (`m` on the claim
    page): each with its wording and evidence, and a button that merges that one as shown."""
    claim = get_object_or_404(Claim.objects.select_related("story"), pk=pk)
    query = request.GET.get("others", "").replace("\x00", "").strip()[:200]
    candidates, by_number = _merge_candidates(claim, query) if query else ([], False)
    return render(
        request,
        "claims/_merge_candidates.html",
        {
            "claim": claim,
            "query": query,
            "candidates": candidates,
            "by_number": by_number,
            "queue_string": _queue_params(request).urlencode(),
        },
    )


def _merge(request: HttpRequest, claim: Claim, here: str) -> HttpResponse:
    """Merge the claims named by number, or found by words, into this one. The claim page knows only
    what was typed, not the versions the reviewer has seen of those claims, so a post without them
    (`version_<id>`) merges nothing: it shows the claims as they are now (merge_confirm.html), and the
    reviewer merges what they see. The preview's buttons (merge_preview) send the versions shown."""
    post = request.POST
    queue = _queue_params(request).urlencode()
    query = post.get("others", "").replace("\x00", "").strip()[:200]
    candidates, by_number = _merge_candidates(claim, query) if query else ([], False)
    # By number: the numbers as typed (the service refuses one that does not exist or is another story's).
    typed = [_int(t.lstrip("#")) for t in query.replace(",", " ").split()]
    other_ids = [i for i in (typed if by_number else [_int(post.get("others"))]) if i]
    versions = _other_versions(post, other_ids)
    try:
        versions[claim.pk] = _version(post)
        if not by_number and not (len(other_ids) == 1 and other_ids[0] in versions):
            # Words: nothing is merged until the reviewer picks one of the claims they find.
            raise PreconditionRequiredError("Choose the claim to merge.")
        review.claims_merge(survivor_id=claim.pk, other_ids=other_ids, user=request.user, versions=versions)
    except PreconditionRequiredError as exc:
        if claim.pk not in versions:  # this claim's own form sent no version: refused
            messages.error(request, exc.message)
            return _show_claim(request, claim.pk, queue)
        return render(
            request,
            "claims/merge_confirm.html",
            {
                "claim": claim,
                "story": claim.story,
                "version": versions[claim.pk],
                "query": query,
                "by_number": by_number,
                "candidates": candidates,
                "others": candidates if by_number else [],
                "others_string": " ".join(str(c.pk) for c in candidates),
                "queue_string": queue,
            },
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _show_claim(request, claim.pk, queue)
    except Claim.DoesNotExist:
        messages.error(request, "That claim does not exist; nothing was changed.")
        return _show_claim(request, claim.pk, queue)
    messages.success(request, "Merged.")
    return _show_claim(request, claim.pk, queue)


@require_POST
def suggestion_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    suggestion = get_object_or_404(MergeSuggestion, pk=pk)
    back = request.POST.get("back") or _claim_url(suggestion.claim_a_id, _queue_params(request).urlencode())
    if not url_has_allowed_host_and_scheme(back, allowed_hosts=None, require_https=request.is_secure()):
        back = "/"  # only a path on this site: "//elsewhere.example" is another site
    if action == "accept":
        # Both claims' versions, as the page showed them (`version_<id>`); the service refuses a merge without them.
        versions = _other_versions(request.POST, [suggestion.claim_a_id, suggestion.claim_b_id])
        call: Callable[[], Any] = lambda: review.suggestion_accept(  # noqa: E731
            suggestion_id=pk, user=request.user, versions=versions
        )
        success = "Suggestion accepted: the claims are merged."
    elif action == "reject":
        call = lambda: review.suggestion_reject(suggestion_id=pk, user=request.user)  # noqa: E731
        success = "Suggestion rejected."
    else:
        raise Http404("No such action.")
    _, failed = _act(request, call, success, back)
    shown = _int(request.POST.get("claim"))
    if _htmx(request) and shown and Claim.objects.filter(pk=shown).exists():
        return _show_claim(request, shown, _queue_params(request).urlencode())
    return failed or redirect(back)


def conflict_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(Conflict.objects.select_related("story", "resolved_by", "follows__resolved_by"), pk=pk)
    side_a, side_b = selectors.conflict_page_sides(conflict)
    # A resolution just made (then on to this, the next conflict) can be taken back from here.
    last = review.last_undoable(story_id=conflict.story_id, user=request.user, actions=review.CONFLICT_ACTIONS)
    return render(
        request,
        "claims/conflict_detail.html",
        {
            "conflict": conflict,
            "story": conflict.story,
            "sides": [
                ("A", _conflict_side(side_a.items, side_b.items)),
                ("B", _conflict_side(side_b.items, side_a.items)),
            ],
            "resolutions": Conflict.Resolution.choices,
            "min_confidence": selectors.min_confidence(),
            "factors": selectors.confidence_factors(conflict.factors),
            "followed_by": conflict.followed_by.order_by("id"),
            "history": conflict.review_events.select_related("actor").order_by("-created_at"),
            "last_action": last,
            "last_action_subject": review.undo_subject(last) if last else "",
            "undo_minutes": max(1, round(settings.FACTDESK_UNDO_SECONDS / 60)),
            "conflict_keys": CONFLICT_KEYS,
            "queue_url": _conflict_queue_url(conflict),
        },
    )


def _conflict_side(items: list[Any], others: list[Any]) -> list[dict[str, Any]]:
    """One side of a conflict for its page: each mention with the words in which it differs from the
    other side marked, and the mentions that say the same thing in the same words as one card (the
    first, `alike` the rest), so the resolve form is not five near-identical cards away."""
    texts = [item["context"][1] for item in items]
    marks = differences.mark_against(texts, [item["context"][1] for item in others])
    cards = [{**item, "marked": marked} for item, marked in zip(items, marks, strict=True)]
    return [{**cards[group[0]], "alike": [cards[i] for i in group[1:]]} for group in differences.group_alike(texts)]


def conflict_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """A story's open conflicts, surest first; ?possible=1 lists the possible discrepancies instead."""
    story = get_object_or_404(Story, slug=slug)
    possible = request.GET.get("possible") in ("1", "true")
    return render(
        request,
        "claims/conflict_queue.html",
        {
            "story": story,
            "conflicts": selectors.conflict_queue(story, possible=possible),
            "counts": selectors.conflict_queue_counts(story),
            "showing_possible": possible,
            "min_confidence": selectors.min_confidence(),
            "conflict_queue_keys": CONFLICT_QUEUE_KEYS,
        },
    )


def _conflict_queue_url(conflict: Conflict) -> str:
    """The list the conflict is in: the story's conflict queue, or its possible discrepancies."""
    url = reverse("claims:conflict_queue", args=[conflict.story.slug])
    return f"{url}?possible=1" if conflict.confidence < selectors.min_confidence() else url


@require_POST
def conflict_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    conflict = get_object_or_404(Conflict.objects.select_related("story"), pk=pk)
    post = request.POST
    here = reverse("claims:conflict_detail", args=[pk])
    if action == "resolve":
        call: Callable[[], Any] = lambda: review.conflict_resolve(  # noqa: E731
            conflict_id=pk,
            user=request.user,
            version=_version(post),
            resolution=post.get("resolution", ""),
            note=post.get("note", ""),
        )
        success = f"Conflict #{pk} resolved."
    elif action == "reopen":
        call = lambda: review.conflict_reopen(conflict_id=pk, user=request.user, version=_version(post))  # noqa: E731
        success = "Conflict reopened."
    elif action == "undo":
        event = ReviewEvent.objects.filter(pk=_int(post.get("event")) or 0, action__in=review.CONFLICT_ACTIONS).first()
        if event is None:
            messages.error(request, "That is not a resolution or reopening; nothing was undone.")
            return redirect(here)
        call = lambda: review.event_undo(event_id=event.pk, user=request.user)  # noqa: E731
        success = f"Undone: your {review.undo_subject(event)}."
        here = reverse("claims:conflict_detail", args=[event.conflict_id or pk])
    else:
        raise Http404("No such action.")
    _, failed = _act(request, call, success, here)
    if failed is not None:
        return failed
    if action == "resolve":
        # On to the next open conflict of the story, as the conflict queue orders them.
        following = selectors.next_open_conflict(conflict)
        if following is not None:
            messages.info(request, "Here is the next open conflict of this story.")
            return redirect("claims:conflict_detail", following)
        messages.info(request, "No open conflicts are left in this list.")
        return redirect(_conflict_queue_url(conflict))
    return redirect(here)


def story_progress(request: HttpRequest, slug: str) -> JsonResponse:
    """The latest pipeline run's progress, polled by the story pages while the worker runs."""
    story = get_object_or_404(Story, slug=slug)
    run = selectors.latest_run(story)
    if run is None:
        return JsonResponse({"run": None})
    return JsonResponse(
        {
            "run": run.pk,
            "state": run.state,
            "label": run.get_state_display(),
            "done": run.progress_done,
            "total": run.progress_total,
            "articles_done": run.articles_done,
            "articles_total": run.articles_total,
            "errors": len(run.errors),
            "finished": run.state in (run.State.SUCCEEDED, run.State.FAILED),
        }
    )
