"""Settings shared by every environment, driven by environment variables.

Without any environment the app runs on SQLite under ./var/, which is what `make run` uses.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("TAIZHANG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "treebeard",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    # django-ninja serves its Swagger UI files from its own static folder only when it is an
    # installed app; without it the docs page would load them from a CDN (intranets are cut off).
    "ninja",
    "taizhang.core",
    "taizhang.users",
    "taizhang.orgs",
    "taizhang.webhooks",
    "taizhang.campaigns",
    "taizhang.checkins",
    "taizhang.assessment",
    "taizhang.analysis",
    "taizhang.exports",
    "taizhang.jobs",
    "taizhang.imports",
    "taizhang.demo",
    "taizhang.ops",
    "taizhang.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "taizhang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "taizhang.orgs.context_processors.org_navigation",
                "taizhang.checkins.context_processors.inbox",
            ],
        },
    }
]

SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on busy_timeout instead
    # of one failing with "database is locked" when it upgrades a read lock (Django >= 5.1).
    "transaction_mode": "IMMEDIATE",
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
        "PRAGMA foreign_keys=ON;"
    ),
}


def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
    else:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "taizhang.sqlite3")}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Django's SQLite backend plus a fair queue for write transactions: without it a
        # writer can starve past busy_timeout under sustained concurrent writes (see the
        # module's docstring and taizhang/ops/tests/test_load.py).
        config["ENGINE"] = "taizhang.core.db.sqlite3"
        config.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "taizhang" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# The project-wide stylesheet and the vendored htmx live outside any app's static/ folder.
STATICFILES_DIRS = [BASE_DIR / "taizhang" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("TAIZHANG_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Exported ledgers and uploaded ledgers: never under MEDIA_URL, streamed by views that
    # check the owner (taizhang.jobs.storage). Several servers need this on shared storage.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(Path(os.environ.get("TAIZHANG_PRIVATE_ROOT", VAR_DIR / "private")))
        },
    },
}
# Without collectstatic (make run, tests) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = True

# Uploads: plans and evidence are small office files; anything larger is refused early.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
TAIZHANG_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("TAIZHANG_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
)
TAIZHANG_ATTACHMENT_EXTENSIONS = [
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "jpg", "jpeg", "png", "zip",
]  # fmt: skip

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# SMTP for reminders (`taizhang remind`), from the environment like everything else.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "taizhang@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Login throttling (taizhang.core.login): this many failures for one username from one
# address within the window lock that pair out for the lockout time (seconds).
TAIZHANG_LOGIN_MAX_FAILURES = int(os.environ.get("TAIZHANG_LOGIN_MAX_FAILURES", "5"))
TAIZHANG_LOGIN_FAILURE_WINDOW = int(os.environ.get("TAIZHANG_LOGIN_FAILURE_WINDOW", "900"))
TAIZHANG_LOGIN_LOCKOUT = int(os.environ.get("TAIZHANG_LOGIN_LOCKOUT", "900"))
# Behind a reverse proxy: the META key of the header carrying the client address (e.g.
# HTTP_X_FORWARDED_FOR). Only set it when the proxy always sets that header itself.
TAIZHANG_CLIENT_IP_HEADER = os.environ.get("TAIZHANG_CLIENT_IP_HEADER") or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

TAIZHANG_SITE_NAME = _("台账")

# Background jobs (django-tasks). The database backend needs no broker: run
# `taizhang db_worker` beside the web server. A real broker is a change of BACKEND here; the
# task code passes only ids and keeps its state in the database and the private storage.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TAIZHANG_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# Work that would keep a request waiting more than a few seconds goes to a background job;
# below these sizes it runs in the request (an export of ~1,000 projects takes about a second).
TAIZHANG_EXPORT_INLINE_MAX_PROJECTS = int(
    os.environ.get("TAIZHANG_EXPORT_INLINE_MAX_PROJECTS", 1000)
)
TAIZHANG_IMPORT_INLINE_MAX_ROWS = int(os.environ.get("TAIZHANG_IMPORT_INLINE_MAX_ROWS", 200))
# Days a background job's file (an exported ledger) is kept; `taizhang prune-files` (run it
# daily, e.g. from cron) removes older ones. The job itself stays in the list.
TAIZHANG_JOB_FILE_DAYS = int(os.environ.get("TAIZHANG_JOB_FILE_DAYS", 7))
# Ledger imports: checked before anything is unpacked (taizhang.imports.safety).
TAIZHANG_IMPORT_MAX_BYTES = 20 * 1024 * 1024
TAIZHANG_IMPORT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
TAIZHANG_IMPORT_MAX_RATIO = 100
TAIZHANG_IMPORT_MAX_ROWS = 60_000
