"""The versioned JSON API (/api/v1/): one NinjaAPI; each app contributes a router."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from bianmin.common.errors import DomainError, ErrorCode
from bianmin.common.schemas import ErrorOut, Text, validation_item
from bianmin.orgs.twofactor import twofactor_token_check

from . import services
from .models import ApiToken, hash_token

api = NinjaAPI(
    title="便民 bianmin API",
    version="1.0.0",
    urls_namespace="api-v1",
    description="基层政务服务与全程代办平台接口。Token: POST /api/v1/auth/token, then `Authorization: Bearer <token>`.",
)


def error_response(request, status: int, detail: str, code: str, field=None, **more):
    """The one error shape (docs/api.md "Errors")."""
    body = {"detail": str(detail), "code": str(code)}
    if field:
        body["field"] = field
    body.update(more)
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    response = error_response(request, exc.status, exc.message, exc.code, exc.field, **exc.extra)
    if exc.status == 429:  # RFC 6585: say when to come back, in seconds
        response["Retry-After"] = str(int(exc.extra.get("retry_after", 60)))
    return response


@api.exception_handler(DjangoValidationError)
def on_django_validation(request, exc: DjangoValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    errors = [
        {"field": None if name == "__all__" else name, "code": ErrorCode.VALIDATION, "detail": m}
        for name, messages in detail.items()
        for m in messages
    ]
    first = errors[0]
    message = f"“{first['field']}”：{first['detail']}" if first["field"] else first["detail"]
    return error_response(
        request, 422, message, ErrorCode.VALIDATION, first["field"], errors=errors
    )


@api.exception_handler(NinjaValidationError)
def on_ninja_validation(request, exc: NinjaValidationError):
    """ninja's own validation errors in the one shape: `detail` names the first bad field in
    Chinese, `errors` lists them all."""
    errors = [validation_item(e) for e in exc.errors]
    first = errors[0] if errors else {"field": None, "code": ErrorCode.VALIDATION, "detail": ""}
    return error_response(
        request, 422, first["detail"], first["code"], first["field"], errors=errors
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(request, 401, _("需要登录或有效的令牌"), ErrorCode.UNAUTHORIZED)


@api.exception_handler(DjangoPermissionDenied)
def on_forbidden(request, exc):
    return error_response(request, 403, str(exc) or _("无权访问"), ErrorCode.FORBIDDEN)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, _("未找到"), ErrorCode.NOT_FOUND)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 400 and exc.__cause__ is not None:
        # ninja could not parse the body (not JSON, or not the form it expected).
        return error_response(
            request, 400, _("请求内容无法解析，应为 JSON 对象"), ErrorCode.MALFORMED_REQUEST
        )
    code = {401: ErrorCode.UNAUTHORIZED, 403: ErrorCode.FORBIDDEN, 404: ErrorCode.NOT_FOUND}
    return error_response(
        request, exc.status_code, str(exc), code.get(exc.status_code, ErrorCode.INVALID)
    )


class TokenIn(Schema):
    username: Text[150]
    password: str = Field(max_length=128)
    otp: str | None = Field(
        None,
        max_length=20,
        description=(
            "Two-factor login: the 6-digit code from the user's authenticator app, or one of "
            "their recovery codes. Required for a user who has enabled two-factor login "
            "(401 `otp_required` / `otp_invalid` without a right one, 429 `otp_throttled` after "
            "repeated wrong codes); an administrator or supervisor who must use it but has not "
            "enrolled gets 403 `twofactor_enrolment_required`."
        ),
    )


class TokenOut(Schema):
    token: str


@api.post(
    "/auth/token",
    response={200: TokenOut, **{s: ErrorOut for s in (400, 401, 403, 422, 429)}},
    tags=["auth"],
    summary="Issue an API token",
)
def issue_token(request, payload: TokenIn):
    raw = services.token_issue(
        request=request, username=payload.username, password=payload.password
    )
    _second_factor(raw, payload.otp)
    return {"token": raw}


def _second_factor(raw: str, otp: str | None) -> None:
    """After the password, the second factor (bianmin/orgs/twofactor.py). A token refused here
    is deleted before the answer, so for the caller it never existed. Checked after the password,
    so a wrong password never tells whether the account uses two-factor login."""
    token = ApiToken.objects.select_related("user__staff").get(key_hash=hash_token(raw))
    try:
        twofactor_token_check(user=token.user, otp=otp)
    except DomainError:
        # on_domain_error answers it, Retry-After included for a throttled code.
        token.delete()
        raise


api.add_router("/auth", "bianmin.api.tokens.router")
api.add_router("/", "bianmin.orgs.api.router")
api.add_router("/workdays/", "bianmin.workdays.api.router")
api.add_router("/items", "bianmin.catalog.api.router")
api.add_router("/cases", "bianmin.cases.api.router")
api.add_router("/public", "bianmin.portal.api.router")
api.add_router("/supervision", "bianmin.supervision.api.router")
api.add_router("/ratings", "bianmin.ratings.api.router")
api.add_router("/reports", "bianmin.reports.api.router")
api.add_router("/staffing", "bianmin.staffing.api.router")
api.add_router("/affairs", "bianmin.affairs.api.router")
