import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from bianmin.common.errors import DomainError, ErrorCode, NotFound
from bianmin.orgs.scope import per_request

from .models import ApiToken, hash_token, password_stamp


class AuthFailed(DomainError):
    status = 401
    code = ErrorCode.AUTH_FAILED


def token_issue(*, request, username: str, password: str) -> str:
    """Check the credentials (counted by django-axes for lockout) and issue a token."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise AuthFailed(
            _("登录失败次数过多，账号已暂时锁定，请稍后再试"), code=ErrorCode.LOCKED_OUT
        )
    if user is None or not user.is_active:
        raise AuthFailed(_("用户名或密码错误"))
    raw = ApiToken.new_key()
    ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + dt.timedelta(days=settings.BIANMIN_TOKEN_DAYS),
        password_stamp=password_stamp(user),
    )
    return raw


def token_user(raw: str):
    """The user a live token belongs to, or None: revoked, expired, issued before the user's
    last password change (等保 2.0: credentials end with the password), or the user disabled."""
    token = (
        ApiToken.objects.select_related("user__staff__unit__region")
        .filter(key_hash=hash_token(raw), revoked=False, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if not constant_time_compare(token.password_stamp, password_stamp(token.user)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    # Loaded for this request: its scope is worked out once.
    return per_request(token.user)


@transaction.atomic
def token_revoke(*, actor, token_id: int) -> ApiToken:
    """Revoke one of `actor`'s own tokens; another person's token is not found, never touched."""
    token = ApiToken.objects.select_for_update().filter(user=actor, pk=token_id).first()
    if token is None:
        raise NotFound(_("未找到该令牌"))
    if not token.revoked:
        token.revoked = True
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked", "revoked_at"])
    return token


@transaction.atomic
def token_revoke_all(*, actor) -> int:
    """Revoke every token of `actor` not yet revoked; returns how many."""
    return ApiToken.objects.filter(user=actor, revoked=False).update(
        revoked=True, revoked_at=timezone.now()
    )
