"""The authentication backend: Django's ModelBackend, with a user's permissions read in one query.

Every API request and every page asks one permission question (factdesk.roles). Django's
ModelBackend answers the first one with two queries, the user's own permissions and their
groups'; that was about a fifth of the claim queue's Python time in `bin/bench api`. This backend
reads both in one query and caches them on the user as ModelBackend does (`_perm_cache`), so the
answers are the same: tests/test_access.py checks them against ModelBackend's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class OneQueryModelBackend(ModelBackend):
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
        return user_obj._perm_cache
