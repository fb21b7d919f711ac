"""Test settings: PostgreSQL and Redis come from DATABASE_URL and REDIS_URL, set by bin/test."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False

# Static files come from the finders in tests; no collectstatic run is needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The desk model trains on a few decisions, soon after them (tests/claims/test_desk_model.py; the
# Celery worker of the tests reads these settings too).
FACTDESK_DESK_MODEL_MIN_DECISIONS = 20
FACTDESK_DESK_MODEL_RETRAIN_EVERY = 10
FACTDESK_DESK_MODEL_DEBOUNCE_SECONDS = 1.0

# The story stage's kept indexes (claims/story_cache.py): bin/test gives each run its own
# directory, beside its database; without it, apart from the demo's.
FACTDESK_STORY_INDEX_DIR = env.str("FACTDESK_STORY_INDEX_DIR", default=str(BASE_DIR / "var" / "test-story-index"))  # noqa: F405
