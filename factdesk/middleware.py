"""Reading needs a role: a signed-in account without one sees only the page that says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
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
