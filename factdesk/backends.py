"""Permission questions answered with one query; signing in stays Django's ModelBackend.

Every API request and every page asks one permission question (factdesk.roles). Django's
ModelBackend answers the first one with two queries, the user's own permissions and their
groups'; that was about a fifth of the claim queue's Python time in `bin/bench api`.
OneQueryPermissionBackend, listed before ModelBackend in AUTHENTICATION_BACKENDS, reads both in
one query and caches them on the user where ModelBackend caches them (`_perm_cache`), so
ModelBackend, asked next when the answer is no, reads nothing more. It signs nobody in: a
session names the backend that signed it in, so sessions made before this backend existed,
ModelBackend's, stay valid. tests/test_access.py holds the answers to ModelBackend's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class OneQueryPermissionBackend(ModelBackend):
    """ModelBackend's permissions in one query; it finds a session's user as ModelBackend does (a
    session made by `login(user, backend=...)` or a test's force_login may name it), and signs
    nobody in."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        return None  # ModelBackend, next in AUTHENTICATION_BACKENDS, checks the password

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            columns = ("content_type__app_label", "codename")
            if user_obj.is_superuser:
                rows = Permission.objects.values_list(*columns).order_by()
            else:
                # a UNION of the two lookups, each joined by the user's id: one condition over both
                # joins (user OR group's user) would join every group's every member first
                own = Permission.objects.filter(user=user_obj).values_list(*columns).order_by()
                grouped = Permission.objects.filter(group__user=user_obj).values_list(*columns).order_by()
                rows = own.union(grouped)
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        result: set[str] = user_obj._perm_cache
        return result
