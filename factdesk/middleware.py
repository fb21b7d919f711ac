"""Request guards: reading needs a role; input the database cannot hold is refused at the door."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render

from .roles import NO_ROLE_MESSAGE, can_read

# Pages anyone signed in may reach: signing out, and the admin, which checks its own permissions.
_OPEN_URL_NAMES = {"logout"}
_OPEN_NAMESPACES = {"admin"}


class RoleRequiredMiddleware:
    """After LoginRequiredMiddleware: the web pages need a role too (the API checks it itself:
    factdesk.api_base.HasRole, so that its refusal has the API's error shape)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not request.user.is_authenticated or can_read(request.user):
            return None
        if not getattr(view_func, "login_required", True) or hasattr(view_func, "cls"):
            return None  # public pages (login, healthz), and the API's views
        match = request.resolver_match
        if match is not None and (match.url_name in _OPEN_URL_NAMES or _OPEN_NAMESPACES & set(match.namespaces)):
            return None
        return render(request, "no_role.html", {"message": NO_ROLE_MESSAGE}, status=403)


# Deeper than this, a JSON body is no article, claim or action of ours: parsing it would only risk
# the parser's recursion limit.
MAX_JSON_DEPTH = 64


class InputGuardMiddleware:
    """Refuses, with a 400, input that no form or endpoint takes and the database cannot store.

    NUL characters (in the query string, a form field, or a JSON body, raw or as "\\u0000"):
    PostgreSQL's text cannot hold them, so without this they would surface as server errors deep
    inside a filter or a save. JSON nested deeper than MAX_JSON_DEPTH. The API gets its error
    shape; a page gets a plain 400. Multipart uploads are left to the importers, which report a
    file with NUL bytes per file.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = self._problem(request)
        if problem is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"code": "invalid", "message": problem}}, status=400)
        return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")

    def _problem(self, request: HttpRequest) -> str | None:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in query or "%00" in query:
            return "The query string has a NUL character; no filter takes one."
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        content_type = request.content_type or ""
        form_nul = False
        try:
            if content_type == "application/json" or content_type.endswith("+json"):
                body = request.body
                if b"\x00" in body or b"\\u0000" in body:
                    return "The JSON body has a NUL character; no field takes one."
                if _json_depth(body) > MAX_JSON_DEPTH:
                    return f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."
            elif content_type == "application/x-www-form-urlencoded":
                form_nul = b"%00" in request.body or b"\x00" in request.body
            elif content_type == "multipart/form-data" and not request.path.startswith("/api/"):
                # A page's form sent as multipart: its text fields (files are the importers' to judge).
                form_nul = any("\x00" in value for _, values in request.POST.lists() for value in values)
        except RequestDataTooBig:
            return None  # the view answers that itself (the API: a 413 in its error shape)
        return "A form field has a NUL character; no field takes one." if form_nul else None


def _json_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest
