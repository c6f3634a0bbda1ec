"""The one error type that services raise for a broken business rule."""

from typing import Any


class DomainError(Exception):
    """A business rule refused the request.

    `message` is already translated (use gettext at the raise site), `code` is a stable
    machine code for the API, `field` names the form field it belongs to, if any.
    """

    def __init__(
        self,
        message: str,
        code: str = "invalid",
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.field = field
        self.extra = extra or {}

    def __str__(self) -> str:
        return self.message
