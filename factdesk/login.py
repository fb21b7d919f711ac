"""Sign-in with a limit: after too many wrong passwords for one account from one address, that
pair waits before it may try again (counted in the shared cache, so every web worker counts)."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpResponse
from redis.exceptions import RedisError

from .api_base import CACHE_ERRORS

logger = logging.getLogger(__name__)


def _key(username: str, address: str) -> str:
    ident = hashlib.sha256(f"{username.strip().casefold()}|{address}".encode()).hexdigest()
    return f"login-failures:{ident}"


class RateLimitedLoginView(LoginView):
    def _failures_key(self) -> str:
        return _key(self.request.POST.get("username", ""), self.request.META.get("REMOTE_ADDR", ""))

    def _failures(self) -> int:
        try:
            return int(cache.get(self._failures_key(), 0))
        except CACHE_ERRORS:
            logger.warning("sign-in limit: the cache is unreachable; not counted", exc_info=True)
            return 0

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        if self._failures() >= settings.FACTDESK_LOGIN_FAILURES:
            minutes = max(1, round(settings.FACTDESK_LOGIN_LOCKOUT_SECONDS / 60))
            message = f"Too many wrong passwords for this account from here: wait {minutes} minutes, then try again."
            # An unbound form: the password is not even checked.
            form = self.get_form_class()(request)
            response = self.render_to_response(self.get_context_data(form=form, locked_out=message))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        key = self._failures_key()
        try:
            cache.add(key, 0, timeout=settings.FACTDESK_LOGIN_LOCKOUT_SECONDS)
            cache.incr(key)
            cache.touch(key, timeout=settings.FACTDESK_LOGIN_LOCKOUT_SECONDS)
        except (ValueError, ConnectionError, TimeoutError, OSError, RedisError):
            logger.warning("sign-in limit: could not count a failure", exc_info=True)
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        with contextlib.suppress(*CACHE_ERRORS):
            cache.delete(self._failures_key())
        return super().form_valid(form)
