import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import DomainError

from .models import ApiToken, hash_token


class AuthFailed(DomainError):
    status = 401
    code = "auth_failed"


def token_issue(*, request, username: str, password: str) -> str:
    """Check the credentials (counted by django-axes for lockout) and issue a token."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise AuthFailed(_("登录失败次数过多，账号已暂时锁定，请稍后再试"), code="locked_out")
    if user is None or not user.is_active:
        raise AuthFailed(_("用户名或密码错误"))
    raw = ApiToken.new_key()
    ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + dt.timedelta(days=settings.BIANMIN_TOKEN_DAYS),
    )
    return raw


def token_user(raw: str):
    token = (
        ApiToken.objects.select_related("user", "user__staff", "user__staff__unit")
        .filter(key_hash=hash_token(raw), revoked=False, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
