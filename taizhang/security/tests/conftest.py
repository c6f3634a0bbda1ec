"""The security suite's shared data: one `SecWorld` per test module, rolled back afterwards."""

import pytest
from django.db import transaction

from .world import SecWorld, build


@pytest.fixture(scope="module")
def sec(django_db_setup, django_db_blocker) -> SecWorld:
    """Branch A1's records of every kind, built once per module.

    The rows live in an outer transaction that is rolled back at module end; each test then
    runs in a savepoint of it (the `db` fixture), so a test's own writes vanish as usual.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def sw(sec, db) -> SecWorld:
    """`sec` inside the test's own transaction."""
    return sec
