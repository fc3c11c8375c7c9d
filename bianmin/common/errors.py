"""Domain errors: services raise them, pages show the message, the API maps them to a status.

`ErrorCode` lists every `code` the API can answer (docs/api.md explains each); services raise
with a member (a free string is refused, so no code escapes the list), and a test keeps the list
documented.
"""

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    # The request itself
    INVALID = "invalid"
    VALIDATION = "validation"
    MALFORMED_REQUEST = "malformed_request"
    REQUIRED = "required"
    TOO_LONG = "too_long"
    CONTROL_CHARACTER = "control_character"
    OUT_OF_RANGE = "out_of_range"
    INVALID_DATE = "invalid_date"
    INVALID_MONTH = "invalid_month"
    INVALID_INTEGER = "invalid_integer"
    INVALID_NUMBER = "invalid_number"
    INVALID_CHOICE = "invalid_choice"
    INVALID_TYPE = "invalid_type"
    # Who is asking
    UNAUTHORIZED = "unauthorized"
    AUTH_FAILED = "auth_failed"
    LOCKED_OUT = "locked_out"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    CAPTCHA_REQUIRED = "captcha_required"
    CAPTCHA_INVALID = "captcha_invalid"
    OTP_REQUIRED = "otp_required"
    OTP_INVALID = "otp_invalid"
    OTP_THROTTLED = "otp_throttled"
    OTP_NO_PENDING = "otp_no_pending"
    TWOFACTOR_ENROLMENT_REQUIRED = "twofactor_enrolment_required"
    PASSWORD_TOO_SIMPLE = "password_too_simple"  # noqa: S105 - an error code, not a secret
    PASSWORD_TOO_SIMILAR = "password_too_similar"  # noqa: S105 - an error code, not a secret
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    NO_MATCH = "no_match"
    # Identifiers (GB 11643, GB 32100, GB/T 2260, phones)
    ID_FORMAT = "id_format"
    ID_CHECK = "id_check"
    ID_BIRTH = "id_birth"
    USCC_FORMAT = "uscc_format"
    USCC_CHECK = "uscc_check"
    USCC_ORG_CHECK = "uscc_org_check"
    DIVISION_FORMAT = "division_format"
    PHONE = "phone"
    # The state of things
    CONFLICT = "conflict"
    ILLEGAL_TRANSITION = "illegal_transition"
    NOT_NOW = "not_now"
    STALE = "stale"
    LOCKED = "locked"
    VERSION_FROZEN = "version_frozen"
    # Cases
    MATERIALS_MISSING = "materials_missing"
    REPEATED_NOTICE = "repeated_notice"
    NO_HOP = "no_hop"
    NO_JOINT_UNITS = "no_joint_units"
    NO_SUBREVIEW = "no_subreview"
    JOINT_REFUSED = "joint_refused"
    REPLY_ONLY = "reply_only"
    FILE_REVIEWED = "file_reviewed"
    FILE_RETURNED = "file_returned"
    NO_DOCUMENT = "no_document"
    NOT_WAITING = "not_waiting"
    MONEY_EXCEEDS = "money_exceeds"
    MONEY_UNSETTLED = "money_unsettled"
    SIGNATURE_MISSING = "signature_missing"
    SIGNATURE_TYPE = "signature_type"
    SIGNATURE_SIZE = "signature_size"
    SIGNATURE_CORRUPT = "signature_corrupt"
    # Public services, ratings, complaints, reports, staffing, catalog, calendar
    APPLICATION_STATE = "application_state"
    ALREADY_BOOKED = "already_booked"
    SLOT_FULL = "slot_full"
    CANCELLED = "cancelled"
    DONE = "done"
    ALREADY_RATED = "already_rated"
    NOT_CONCLUDED = "not_concluded"
    RATING_WINDOW_CLOSED = "rating_window_closed"
    ALREADY_FOLLOWED_UP = "already_followed_up"
    FOLLOW_UP_WINDOW_OPEN = "follow_up_window_open"
    NOT_READY = "not_ready"
    NOT_RECTIFIED = "not_rectified"
    DECIDED = "decided"
    REPLIED = "replied"
    COMPLAINT_REPLY = "complaint_reply"
    RESOLVED = "resolved"
    ALREADY_SUBMITTED = "already_submitted"
    NOT_SUBMITTED = "not_submitted"
    MONTH_NOT_OVER = "month_not_over"
    ON_LEAVE = "on_leave"
    BAD_FILE = "bad_file"
    IMPORT_FAILED = "import_failed"
    UNCONFIRMED = "unconfirmed"


class DomainError(Exception):
    """A business rule refused the request. `message` is shown to the user as it is."""

    status = 400
    code: ErrorCode = ErrorCode.INVALID

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _check_code(cls.code)

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = _check_code(code)
        self.field = field
        self.extra = extra or {}


def _check_code(code: object) -> ErrorCode:
    if not isinstance(code, ErrorCode):
        raise TypeError(f"error code {code!r} is not an ErrorCode member")
    return code


class ValidationFailed(DomainError):
    status = 422
    code = ErrorCode.VALIDATION


class PermissionDenied(DomainError):
    status = 403
    code = ErrorCode.FORBIDDEN


class NotFound(DomainError):
    status = 404
    code = ErrorCode.NOT_FOUND


class Conflict(DomainError):
    """The state changed under the caller (illegal transition, stale version, held lock)."""

    status = 409
    code = ErrorCode.CONFLICT
