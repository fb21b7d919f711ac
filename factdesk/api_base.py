"""Authentication, throttling and paging for the API.

Kept apart from factdesk/api.py because DRF imports these classes (by the names in
settings.REST_FRAMEWORK) while its own views module is still loading.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.urls import replace_query_param

from .errors import ApplicationError
from .models import ApiToken, hash_token
from .roles import NO_ROLE_MESSAGE, can_read

logger = logging.getLogger(__name__)
# What a cache backed by Redis raises when Redis is away.
CACHE_ERRORS: tuple[type[Exception], ...] = (ConnectionError, TimeoutError, OSError, RedisError)

# --- authentication -------------------------------------------------------------------------------


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer fd_...` (or `Token fd_...`): a personal token that has not been revoked."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
        try:
            plaintext = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("The token has characters no token has.") from exc
        token = ApiToken.objects.select_related("user", "parent").filter(key_hash=hash_token(plaintext)).first()
        if token is None or not token.is_active or (token.parent is not None and not token.parent.is_active):
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This token's user is disabled.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most once a minute
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class HasRole(BasePermission):
    """Signed in, with a role: an account without one reads nothing (factdesk.roles.can_read)."""

    message = NO_ROLE_MESSAGE

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401 (no credentials) rather than 403
        return can_read(request.user)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "factdesk.api_base.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (or per session user): one noisy integration cannot starve the others.

    Counted in the shared cache (Redis, `CACHES["default"]`), so that every gunicorn worker
    counts the same requests. If the cache cannot be reached, requests pass (and it is logged):
    the throttle protects the service, it must not take it down.
    """

    scope = "token"

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            logger.warning("API throttle: the cache is unreachable; request let through", exc_info=True)
            return True

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- paging -----------------------------------------------------------------------------------------


class CursorPage(CursorPagination):
    """Keyset paging: stable under inserts, no COUNT over 100,000 rows, and every row reached.

    The cursor holds the last row's value of every ordering field, not only the first one (DRF's
    CursorPagination keeps the first field and an offset, and loops once more than a page of rows
    share it: the queue's priority order did). Orderings end with the id, so the key is unique.
    Ordering fields must not be null. A cursor that is not one of ours is a 400 in the API's
    error shape.
    """

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("-id",)

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        ordering = getattr(view, "cursor_ordering", None)
        fields = tuple(ordering(request)) if callable(ordering) else tuple(self.ordering)
        if not any(f.lstrip("-") in ("id", "pk") for f in fields):
            fields = (*fields, "-id")  # a unique key: no two rows share a position
        return fields

    def get_page_size(self, request: Request) -> int:
        """`page_size` from 1 up (more than max_page_size gives max_page_size); anything else is a 400."""
        raw = request.query_params.get(self.page_size_query_param or "page_size")
        if raw is None:
            return CursorPage.page_size
        digits = raw.lstrip("0") if raw.isascii() and raw.isdigit() else ""
        if not digits:
            raise ApplicationError("`page_size` must be a whole number from 1 up.", code="invalid")
        return self.max_page_size if len(digits) > 9 else min(int(digits), self.max_page_size)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.fields = self.get_ordering(request, queryset, view)
        encoded = request.query_params.get(self.cursor_query_param)
        values, backwards = self._decode(encoded) if encoded else (None, False)
        order = [(f.lstrip("-"), f.startswith("-") != backwards) for f in self.fields]  # (name, descending)
        rows = queryset.order_by(*[f"-{name}" if desc else name for name, desc in order])
        try:
            if values is not None:
                rows = rows.filter(self._beyond(order, values))
            page = list(rows[: self.page_size + 1])
        except (ValueError, TypeError, DjangoValidationError, DataError) as exc:
            raise ApplicationError("The cursor is not one this API gave out.", code="invalid_cursor") from exc
        more = len(page) > self.page_size
        page = page[: self.page_size]
        if backwards:
            page.reverse()
        self.page = page
        self.has_next = more if not backwards else True
        self.has_previous = values is not None if not backwards else more
        return page

    def _decode(self, encoded: str) -> tuple[list[Any], bool]:
        try:
            data = json.loads(base64.urlsafe_b64decode(encoded.encode("ascii")).decode("utf-8"))
            values, backwards = data["v"], data["b"]
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error) as exc:
            raise ApplicationError("The cursor is not one this API gave out.", code="invalid_cursor") from exc
        if not (isinstance(values, list) and len(values) == len(self.fields) and isinstance(backwards, bool)):
            raise ApplicationError("The cursor is not one this API gave out.", code="invalid_cursor")
        if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
            raise ApplicationError("The cursor is not one this API gave out.", code="invalid_cursor")
        return values, backwards

    @staticmethod
    def _beyond(order: list[tuple[str, bool]], values: list[Any]) -> Q:
        """Rows after `values` in `order`: (a, b, c) > (x, y, z), field by field, each in its direction.

        The first field's bound (a <= x, descending) is implied, and said too: PostgreSQL cannot take
        the OR of the steps as an index condition, but takes the bound, so a later page of an order
        with an index (the claim queue's) is that index scanned from the cursor, not a sort of the rest.
        """
        beyond = Q()
        for i, (name, desc) in enumerate(order):
            step = Q(**{f"{n}": v for (n, _), v in zip(order[:i], values[:i], strict=True)})
            step &= Q(**{f"{name}__{'lt' if desc else 'gt'}": values[i]})
            beyond |= step
        first, desc = order[0]
        return Q(**{f"{first}__{'lte' if desc else 'gte'}": values[0]}) & beyond

    def _key(self, row: Any) -> list[Any]:
        key = []
        for field in self.fields:
            value = row[field.lstrip("-")] if isinstance(row, dict) else getattr(row, field.lstrip("-"))
            key.append(value.isoformat() if isinstance(value, date | datetime) else value)
        return key

    def _link(self, row: Any, backwards: bool) -> str:
        data = json.dumps({"v": self._key(row), "b": backwards}, separators=(",", ":"), default=str)
        return replace_query_param(
            str(self.base_url), self.cursor_query_param, base64.urlsafe_b64encode(data.encode()).decode("ascii")
        )

    def get_next_link(self) -> str | None:
        return self._link(self.page[-1], False) if self.has_next and self.page else None

    def get_previous_link(self) -> str | None:
        return self._link(self.page[0], True) if self.has_previous and self.page else None
