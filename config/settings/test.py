"""Settings for the test suite: SQLite in memory unless DATABASE_URL points at PostgreSQL."""

import tempfile

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="taizhang-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="taizhang-test-static-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="taizhang-test-private-")},
    },
}
# Jobs run at enqueue time; tests of the worker path switch to the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# SQLite's test database lives in memory, one per xdist worker process. Said explicitly
# because pytest-django recognises that default only under Django's own ENGINE name and
# would otherwise give each worker a ":memory:_gwN" file name it cannot open.
if DATABASES["default"]["ENGINE"] == "taizhang.core.db.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ":memory:"  # noqa: F405
