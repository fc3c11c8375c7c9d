"""The versioned JSON API (/api/v1/): one NinjaAPI; each app contributes a router."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from bianmin.common.errors import DomainError

from . import services

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
    return api.create_response(request, body, status=exc.status)


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


class TokenOut(Schema):
    token: str


@api.post("/auth/token", response=TokenOut, tags=["auth"], summary="Issue an API token")
def issue_token(request, payload: TokenIn):
    return {
        "token": services.token_issue(
            request=request, username=payload.username, password=payload.password
        )
    }


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
