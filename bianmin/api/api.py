"""The versioned JSON API (/api/v1/): one NinjaAPI; each app contributes a router."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from bianmin.common.errors import DomainError
from bianmin.orgs.twofactor import CodeThrottled, twofactor_token_check

from . import services
from .models import ApiToken, hash_token

api = NinjaAPI(
    title="便民 bianmin API",
    version="1.0.0",
    urls_namespace="api-v1",
    description="基层政务服务与全程代办平台接口。Token: POST /api/v1/auth/token, then `Authorization: Bearer <token>`.",
)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    body = {"detail": exc.message, "code": exc.code}
    if exc.field:
        body["field"] = exc.field
    body.update(exc.extra)
    response = api.create_response(request, body, status=exc.status)
    if exc.status == 429:  # RFC 6585: say when to come back, in seconds
        response["Retry-After"] = str(int(exc.extra.get("retry_after", 60)))
    return response


@api.exception_handler(DjangoValidationError)
def on_django_validation(request, exc: DjangoValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(detail.items()))
    return api.create_response(
        request,
        {
            "detail": f"{first[0]}: {first[1][0]}" if first[0] != "__all__" else first[1][0],
            "errors": detail,
            "code": "validation",
        },
        status=422,
    )


@api.exception_handler(NinjaValidationError)
def on_ninja_validation(request, exc: NinjaValidationError):
    return api.create_response(request, {"detail": exc.errors, "code": "validation"}, status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(request, {"detail": _("需要登录或有效的令牌")}, status=401)


@api.exception_handler(DjangoPermissionDenied)
def on_forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or _("无权访问")}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": _("未找到")}, status=404)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


class TokenIn(Schema):
    username: str
    password: str
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


class TokenError(Schema):
    detail: str
    code: str
    field: str | None = None


@api.post(
    "/auth/token",
    response={200: TokenOut, 401: TokenError, 403: TokenError, 429: TokenError},
    tags=["auth"],
    summary="Issue an API token",
)
def issue_token(request, payload: TokenIn):
    raw = services.token_issue(
        request=request, username=payload.username, password=payload.password
    )
    return _second_factor(request, raw, payload.otp) or {"token": raw}


def _second_factor(request, raw: str, otp: str | None):
    """After the password, the second factor (bianmin/orgs/twofactor.py). A token refused here
    is deleted before the answer, so for the caller it never existed. Checked after the password,
    so a wrong password never tells whether the account uses two-factor login."""
    token = ApiToken.objects.select_related("user__staff").get(key_hash=hash_token(raw))
    try:
        twofactor_token_check(user=token.user, otp=otp)
    except DomainError as e:
        token.delete()
        if not isinstance(e, CodeThrottled):
            raise
        response = api.create_response(request, {"detail": e.message, "code": e.code}, status=429)
        response["Retry-After"] = str(e.extra["retry_after"])
        return response
    return None


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
