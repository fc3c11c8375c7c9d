import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def password_stamp(user) -> str:
    """A keyed fingerprint of the user's password hash: a token carries the one of its issue, so
    any change of password (our page, the admin, `set_password`, `changepassword`) ends it."""
    return salted_hmac("bianmin.api.password_stamp", user.password, algorithm="sha256").hexdigest()


class TokenState(models.TextChoices):
    ACTIVE = "active", _("有效")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已过期")
    PASSWORD_CHANGED = "password_changed", _("密码已修改，已失效")


class ApiToken(models.Model):
    """A bearer token; only its hash is stored, the caller sees it once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    password_stamp = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    @property
    def state(self) -> TokenState:
        if self.revoked:
            return TokenState.REVOKED
        if not constant_time_compare(self.password_stamp, password_stamp(self.user)):
            return TokenState.PASSWORD_CHANGED
        if self.expires_at <= timezone.now():
            return TokenState.EXPIRED
        return TokenState.ACTIVE
