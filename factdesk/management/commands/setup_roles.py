from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from factdesk.roles import ROLE_PERMISSIONS


class Command(BaseCommand):
    help = "Create or update the Editor, Reviewer and Admin groups and their permissions."

    def handle(self, *args: Any, **options: Any) -> None:
        for role, codenames in ROLE_PERMISSIONS.items():
            group, _ = Group.objects.get_or_create(name=role)
            if codenames == ["*"]:
                permissions = list(Permission.objects.all())
            else:
                permissions = [self._permission(name) for name in codenames]
            group.permissions.set(permissions)
            if options["verbosity"]:
                self.stdout.write(f"{role}: {len(permissions)} permissions")

    @staticmethod
    def _permission(dotted: str) -> Permission:
        app_label, codename = dotted.split(".", 1)
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
