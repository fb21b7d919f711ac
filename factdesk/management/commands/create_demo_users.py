from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from factdesk.roles import ADMIN, EDITOR, REVIEWER, STAFF_ROLES

DEMO_USERS = [("editor", EDITOR), ("reviewer", REVIEWER), ("admin", ADMIN)]


class Command(BaseCommand):
    help = "DEMO ONLY: create an editor, a reviewer and an admin whose password is their role name plus '-demo'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG mode.")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo accounts have known passwords; refusing outside DEBUG (use --force).")
        call_command("setup_roles", verbosity=0)
        user_model = get_user_model()
        self.stdout.write("Demo accounts (DEMO ONLY, known passwords, never use in production):")
        for username, role in DEMO_USERS:
            password = f"{username}-demo"
            user, _ = user_model.objects.get_or_create(username=username)
            # Only when it differs: a new hash (a new salt) would sign out everyone using the account,
            # at every restart of the demo (Django checks a session against the password hash).
            if not user.check_password(password):
                user.set_password(password)
            user.is_staff = role in STAFF_ROLES
            user.is_superuser = role == ADMIN
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {role:<9} username: {username:<9} password: {password}")
