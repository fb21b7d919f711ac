from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "fd_"


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the token itself is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The token the request that created this one authenticated with: revoking it revokes this one.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.user}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def generate(cls, *, user: object, name: str, parent: ApiToken | None = None) -> tuple[ApiToken, str]:
        plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=plaintext[:10], key_hash=hash_token(plaintext), parent=parent
        )
        return token, plaintext

    def revoke(self, *, by: object) -> None:
        """Revoke this token and every token made with it (and with those), at once."""
        now = timezone.now()
        family, generation = {self.pk}, {self.pk}
        while generation:
            generation = set(ApiToken.objects.filter(parent__in=generation).values_list("pk", flat=True)) - family
            family |= generation
        ApiToken.objects.filter(pk__in=family, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)
        self.refresh_from_db(fields=["revoked_at", "revoked_by"])
