import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_http_methods

from .models import ApiToken

logger = logging.getLogger(__name__)


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """The icon, for pages without our <link rel="icon"> (the admin's, the API docs'): no 404 on each."""
    return redirect(static("factdesk/favicon.svg"), permanent=True)


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the demo launcher and load balancers: the app answers and the database too.

    With the database away it says so as JSON, 503 (a load balancer's "not now"), not an HTML 500.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("healthz: the database is unreachable: %s", exc)
        return JsonResponse({"ok": False, "database": "unreachable"}, status=503)
    return JsonResponse({"ok": True})


@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Create and revoke your personal API tokens; a new token is shown once, here."""
    new_token = None
    if request.method == "POST":
        if request.POST.get("revoke"):
            token = get_object_or_404(ApiToken, pk=request.POST["revoke"], user=request.user)
            token.revoke(by=request.user)
            messages.success(request, f"Token “{token.name}” revoked: it stops working now.")
            return redirect("api_tokens")
        name = request.POST.get("name", "").strip()[:100]
        if not name:
            messages.error(request, "Give the token a name, e.g. the system that will use it.")
            return redirect("api_tokens")
        _, new_token = ApiToken.generate(user=request.user, name=name)
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")  # type: ignore[misc]  # logged in
    return render(request, "account/tokens.html", {"tokens": tokens, "new_token": new_token})
