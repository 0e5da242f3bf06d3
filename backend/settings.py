"""Settings from the environment, with an embedded default.

With nothing set, the server runs on SQLite and local media files so the quickstart needs
no other server. `DATABASE_URL` switches to PostgreSQL (production and CI).
`PUBLIC_BASE_URL` decides every absolute URL handed to phones: never the Host header alone.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


DEBUG = env_bool("DEBUG", False)
# The embedded default key is for the quickstart only; production sets SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-quickstart-key-change-me-in-production")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL] + [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Behind a TLS-terminating proxy (docker-compose's Caddy) the scheme and the client address come
# from X-Forwarded-Proto/-For, which decide whether Basic auth is allowed (never over plain HTTP)
# and which address the login throttle and the audit log see. Off by default: any client can send
# those headers. When on, only from TRUSTED_PROXIES (addresses or networks, comma-separated).
# Django's SECURE_PROXY_SSL_HEADER is not used: it would trust the header from anyone.
TRUST_PROXY_HEADERS = env_bool("TRUST_PROXY_HEADERS", False)
TRUSTED_PROXIES = [a.strip() for a in os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1").split(",") if a.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "backend.core",
    "backend.accounts",
    "backend.places",
    "backend.surveys",
    "backend.submissions",
    "backend.audit",
    "backend.review",
    "backend.reports",
    "backend.registers",
    "backend.publication",
    "backend.jobs",
    "backend.webhooks",
    "backend.backups",
    "backend.web",
    "backend.demo",
    "sync",
]

MIDDLEWARE = [
    "backend.core.proxy.TrustedProxyMiddleware",
    "backend.core.middleware.NulBytesRefusedMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "backend.core.security_headers.PermissionsPolicyMiddleware",
    "backend.core.middleware.PrivateResponsesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "backend.core.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "backend.web.language.VietnameseFirstMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backend.accounts.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Submissions from several phones arrive at once; wait for the writer instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password checks are throttled per account and per address (backend/accounts/login_throttle.py).
AUTHENTICATION_BACKENDS = ["backend.accounts.auth_backends.ThrottledModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [d for d in [BASE_DIR / "backend" / "static"] if d.exists()]
# From node_modules only the browser files the pages load (backend/web/assets.py NPM_STATIC_FILES).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "backend.web.finders.NpmAssetsFinder",
    "backend.web.finders.SidecarAssetsFinder",
]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Files go through Django's storage API: local files by default, S3-compatible storage
# (django-storages) when AWS_STORAGE_BUCKET_NAME is set.
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment (boto3's own
    # chain). Blobs are content-addressed, so writing a name twice writes the same bytes:
    # overwrite rather than let storage invent a second name for a concurrent upload.
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,  # MinIO, Garage, …
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,  # "path" for MinIO
            "file_overwrite": True,
            "default_acl": None,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Upload limits. Bodies above the advertised OpenRosa limit are refused with an
# OpenRosaResponse; files above the in-memory threshold are streamed to disk.
OPENROSA_ACCEPT_CONTENT_LENGTH = env_int("OPENROSA_ACCEPT_CONTENT_LENGTH", 100_000_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
# Collect sends up to 101 attachments + the XML in one request.
DATA_UPLOAD_MAX_NUMBER_FILES = 200
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None
XLSFORM_MAX_BYTES = env_int("XLSFORM_MAX_BYTES", 10_000_000)
FORM_MEDIA_MAX_BYTES = env_int("FORM_MEDIA_MAX_BYTES", 50_000_000)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "backend.core.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Phú Lâm survey server API",
    "DESCRIPTION": "Forms, submissions and indicators for xã Phú Lâm's digital transformation surveys.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

# Counters every worker must share (login failures, issue 17): Redis when configured, else the
# database (its table is created by migration core 0002); a per-process cache would give an
# attacker the limit once per worker.
CACHES["shared"] = (
    CACHES["default"]
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "phulam_shared_cache"}
)

# Background work (backend/celery.py, backend/jobs). The broker is Redis; without one (the
# quickstart) tasks run eagerly in the process that enqueues them.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "phulam")
# A task is acknowledged only once it has finished, and a worker that dies mid-task hands it
# back: it runs again elsewhere (every task is idempotent). Prefetch 1: a long task does not
# hold others hostage on a busy worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # states are kept in the jobs table
CELERY_RESULT_EXPIRES = None  # no result backend, so no nightly celery.backend_cleanup either
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5}
# With Redis, a message taken by a worker that was killed (SIGKILL, power cut) is handed out
# again after this many seconds; it must exceed the longest task.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 4)),
    "unacked_restore_throttle": 1 if CELERY_VISIBILITY_TIMEOUT < 60 else 10,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A queued or running job that has not reported for this long is taken as abandoned.
JOBS_STALE_AFTER_S = env_int("JOBS_STALE_AFTER_S", CELERY_VISIBILITY_TIMEOUT + 600)
JOBS_KEEP_DAYS = env_int("JOBS_KEEP_DAYS", 30)  # finished jobs are forgotten after this
# Webhooks (backend/webhooks): the n-th failed try of a delivery waits BASE × 2^(n-1) seconds,
# at most MAX; after MAX_ATTEMPTS tries it is `failed` until retried by hand. Defaults: 1 min,
# 2, 4, … capped at 2 h, 12 tries ≈ 10 h of trying. Outbound requests time out after TIMEOUT_S
# (connect and read each), keep RESPONSE_EXCERPT_BYTES of the answer, follow no redirect and
# refuse private/loopback addresses unless ALLOW_PRIVATE_TARGETS (a receiver on the LAN).
WEBHOOKS_RETRY_BASE_S = env_float("WEBHOOKS_RETRY_BASE_S", 60.0)
WEBHOOKS_RETRY_MAX_S = env_float("WEBHOOKS_RETRY_MAX_S", 7200.0)
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 12)
WEBHOOKS_TIMEOUT_S = env_float("WEBHOOKS_TIMEOUT_S", 10.0)
WEBHOOKS_LEASE_MARGIN_S = env_float("WEBHOOKS_LEASE_MARGIN_S", 30.0)
WEBHOOKS_RESPONSE_EXCERPT_BYTES = env_int("WEBHOOKS_RESPONSE_EXCERPT_BYTES", 2000)
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)
WEBHOOKS_SWEEP_S = env_float("WEBHOOKS_SWEEP_S", 60.0)
# A due delivery whose task was published this long ago without a try is published again.
WEBHOOKS_REQUEUE_AFTER_S = env_float("WEBHOOKS_REQUEUE_AFTER_S", 300.0)
# Delivered deliveries (and their tries) are forgotten this long after, by the nightly purge.
WEBHOOKS_KEEP_DAYS = env_int("WEBHOOKS_KEEP_DAYS", 30)
# `manage.py backup` and the nightly backup write here and keep the newest BACKUP_KEEP archives.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)
# What `celery -A backend beat` enqueues, in TIME_ZONE (each entry is a job kind + params).
CELERY_BEAT_SCHEDULE = {
    "nightly-recompute": {
        "task": "jobs.scheduled",
        "schedule": crontab(hour=2, minute=0),
        "args": ("indicators.recompute", {"force": True}),
    },
    "nightly-purge": {
        "task": "jobs.scheduled",
        "schedule": crontab(hour=3, minute=30),
        "args": ("maintenance.purge", {}),
    },
    "nightly-backup": {
        "task": "jobs.scheduled",
        "schedule": crontab(hour=1, minute=0),
        "args": ("backup.create", {}),
    },
    # Publishes due webhook deliveries (retries, and any whose task message was lost).
    "webhooks-sweep": {"task": "webhooks.sweep", "schedule": float(WEBHOOKS_SWEEP_S)},
    # Offline updates held for an earlier step that never came (backend/registers/backlog.py).
    "nightly-register-backlog": {
        "task": "jobs.scheduled",
        "schedule": crontab(hour=1, minute=30),
        "args": ("register.backlog", {}),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get("CELERY_BEAT_SCHEDULE_FILENAME", str(VAR_DIR / "celerybeat-schedule"))

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
# Signing out (from the pages or the admin) lands on our sign-in page, not Django admin's.
LOGOUT_REDIRECT_URL = "/accounts/login/?signed_out=1"

# Production hardening: on unless DEBUG or explicitly disabled for local HTTP.
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG and PUBLIC_BASE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_HSTS_SECONDS = 31_536_000 if SECURE_COOKIES else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_COOKIES
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page uses are switched off; the volunteer's form needs the location.
PERMISSIONS_POLICY = "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

PROJECT_NAME = os.environ.get("PROJECT_NAME", "Xã Phú Lâm – Chuyển đổi số")
# Map tiles under the pages' maps. Empty (the default): hamlet polygons only, nothing fetched
# from outside. A deployment with a tile server sets e.g. https://tiles.example.org/{z}/{x}/{y}.png
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
# Analytics (issue 5): small-cell suppression for roles without microdata, and which submissions count.
ANALYTICS_MIN_CELL = env_int("ANALYTICS_MIN_CELL", 5)
# A value from fewer households than this is marked too_few ("không đủ mẫu"): analytics/sample.py.
ANALYTICS_MIN_SAMPLE = env_int("ANALYTICS_MIN_SAMPLE", 30)
# An offline entity update waiting for an earlier step of its branch is force-applied after
# this many days (ODK Central's backlog default): backend/registers/backlog.py.
REGISTER_BACKLOG_DAYS = env_int("REGISTER_BACKLOG_DAYS", 5)
ANALYTICS_ONLY_APPROVED = env_bool("ANALYTICS_ONLY_APPROVED", False)
ANALYTICS_OUTSIDE_TOLERANCE_M = env_int("ANALYTICS_OUTSIDE_TOLERANCE_M", 100)
ANALYTICS_MAX_ACCURACY_M = env_int("ANALYTICS_MAX_ACCURACY_M", 50)
# With nothing computed yet, a request computes in the foreground only up to this many
# submissions (~1.5 s); above it the first computation runs in the background and readers
# get 503 with Retry-After until it is stored.
# Split the background recomputation into this many parts (Celery jobs, one per set of whole
# communes, or of hamlets in a one-commune database); their figures combine exactly.
ANALYTICS_PARTS = env_int("ANALYTICS_PARTS", 1)
ANALYTICS_FOREGROUND_MAX_SUBMISSIONS = env_int("ANALYTICS_FOREGROUND_MAX_SUBMISSIONS", 100_000)
