"""Settings that keep deployments safe and SQLite usable under concurrent writers.

Production and default-settings checks run in subprocesses with a controlled environment,
because settings are read once per process and the suite itself runs on config.settings.test.
"""

import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
PRODUCTION_ENV = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL")


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The process environment minus everything that configures Django or the database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "TAIZHANG_", "PYTEST_", "PG"))
    }
    env["TAIZHANG_VAR_DIR"] = str(tmp_path / "var")
    env.update(extra)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own interpreter and code
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(tmp_path: Path) -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "taizhang.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
    }


@pytest.mark.parametrize("missing", PRODUCTION_ENV)
def test_production_settings_refuse_to_load_without(missing, tmp_path):
    values = production_env(tmp_path)
    del values[missing]
    result = run_python("import config.settings.production", clean_env(tmp_path, **values))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set in production" in result.stderr


def test_production_settings_load_with_the_required_environment(tmp_path):
    result = run_python(
        """
        import config.settings.production as s
        print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES["default"]["ENGINE"])
        """,
        clean_env(tmp_path, **production_env(tmp_path)),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "['taizhang.example.com']",
        # Django's SQLite backend plus the fair write queue (taizhang.core.db.sqlite3).
        "taizhang.core.db.sqlite3",
    ]


def test_production_cookies_and_security_headers(tmp_path):
    """Secure, HttpOnly (session) and SameSite cookies, HTTPS redirect, HSTS, frame and sniff
    protection and the referrer policy, as a browser would receive them."""
    result = run_python(
        """
        import json
        import django
        django.setup()
        from django.conf import settings as s
        from django.test import Client

        client = Client(HTTP_HOST="taizhang.example.com")
        plain = client.get("/accounts/login/")
        page = client.get("/accounts/login/", secure=True)
        csrf = page.cookies["csrftoken"]
        print(json.dumps({
            "settings": {
                name: getattr(s, name)
                for name in (
                    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
                    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT",
                    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "X_FRAME_OPTIONS",
                    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "DEBUG",
                    "SESSION_COOKIE_AGE",
                )
            },
            "cache": s.CACHES["default"]["BACKEND"],
            "redirect": [plain.status_code, plain.get("Location")],
            "status": page.status_code,
            "headers": {k: page.get(k) for k in (
                "Strict-Transport-Security", "X-Frame-Options", "X-Content-Type-Options",
                "Referrer-Policy",
            )},
            "csrf_cookie": {"secure": csrf["secure"], "samesite": csrf["samesite"]},
        }))
        """,
        clean_env(
            tmp_path,
            DJANGO_SETTINGS_MODULE="config.settings.production",
            **production_env(tmp_path),
        ),
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "DEBUG": False,
        "SESSION_COOKIE_AGE": 12 * 3600,
    }
    # Login throttling counts must be shared by every worker: a database cache.
    assert facts["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert facts["redirect"] == [301, "https://taizhang.example.com/accounts/login/"]
    assert facts["status"] == 200
    assert facts["headers"] == {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    assert facts["csrf_cookie"] == {"secure": True, "samesite": "Lax"}


@pytest.mark.django_db
def test_the_production_cache_table_exists_and_works():
    """production.py's DatabaseCache uses the table the ops app's migrations create."""
    from django.core.cache.backends.db import DatabaseCache

    cache = DatabaseCache("taizhang_cache", {})
    cache.set("probe", {"n": 1}, timeout=60)
    assert cache.get("probe") == {"n": 1}
    assert cache.add("counter", 0)
    assert cache.incr("counter") == 1


def test_production_passes_the_deploy_check(tmp_path):
    env = clean_env(
        tmp_path, DJANGO_SETTINGS_MODULE="config.settings.production", **production_env(tmp_path)
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


def test_default_database_is_sqlite_with_wal_and_immediate_transactions(tmp_path):
    """Without DATABASE_URL (what `make run` uses) the app gets a file SQLite database in WAL
    mode whose transactions take the write lock at BEGIN, so concurrent writers queue on
    busy_timeout instead of failing with "database is locked"."""
    result = run_python(
        """
        import json, sqlite3
        import django
        django.setup()
        from django.db import connection, transaction

        with connection.cursor() as cursor:
            pragmas = {}
            for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys"):
                cursor.execute(f"PRAGMA {name}")
                pragmas[name] = cursor.fetchone()[0]
        with transaction.atomic():
            connection.cursor().execute("SELECT 1")  # a read, no write yet
            other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
                write_lock_held = False
            except sqlite3.OperationalError:
                write_lock_held = True
            finally:
                other.close()
        print(json.dumps({
            "vendor": connection.vendor,
            "name": str(connection.settings_dict["NAME"]),
            "pragmas": pragmas,
            "write_lock_held_inside_atomic": write_lock_held,
        }))
        """,
        clean_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.base"),
    )
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["vendor"] == "sqlite"
    assert facts["name"] == str(tmp_path / "var" / "taizhang.sqlite3")
    assert facts["pragmas"] == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "busy_timeout": 5000,
        "foreign_keys": 1,
    }
    assert facts["write_lock_held_inside_atomic"] is True


@pytest.mark.django_db
def test_the_suite_database_uses_the_same_sqlite_options():
    """The suite's own connection: on SQLite it carries the production-like options (its
    in-memory database reports journal_mode "memory", which is why WAL itself is checked on a
    file above); on PostgreSQL there is nothing SQLite-specific to check."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            assert connection.transaction_mode == "IMMEDIATE"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 5000
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
            cursor.execute("PRAGMA journal_mode")
            expected = "memory" if connection.is_in_memory_db() else "wal"
            assert cursor.fetchone()[0] == expected
        else:
            assert connection.vendor == "postgresql"
            cursor.execute("SELECT current_database()")
            assert cursor.fetchone()[0].startswith("test_")
