"""Where job results and uploaded ledgers are kept: a storage that is never served as media.

Exported ledgers and uploaded files hold ledger data, so they must not be reachable through
MEDIA_URL by guessing a path; views stream them after checking the owner. With several app
servers and workers, point the "private" storage (settings.STORAGES) at shared storage: the
worker that writes a file is usually not the process that serves it.
"""

from django.core.files.storage import storages
from django.utils.functional import LazyObject


class PrivateStorage(LazyObject):
    """Resolved on first use, so tests that override STORAGES get their own location."""

    def _setup(self) -> None:
        self._wrapped = storages["private"]


_private = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The callable FileFields name (a callable keeps the setting out of migrations)."""
    return _private
