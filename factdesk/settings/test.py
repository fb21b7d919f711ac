"""Test settings: PostgreSQL and Redis come from DATABASE_URL and REDIS_URL, set by bin/test."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False

# Static files come from the finders in tests; no collectstatic run is needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
