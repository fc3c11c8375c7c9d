"""Domain errors: services raise them, pages show the message, the API maps them to a status."""

from typing import Any


class DomainError(Exception):
    """A business rule refused the request. `message` is shown to the user as it is."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field = field
        self.extra = extra or {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The state changed under the caller (illegal transition, stale version, held lock)."""

    status = 409
    code = "conflict"
