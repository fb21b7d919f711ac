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
from django.db.models import Q


class OneQueryModelBackend(ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = Permission.objects.all()
            else:
                perms = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            rows = perms.values_list("content_type__app_label", "codename").order_by()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
