"""The picture challenge (图片验证码, django-simple-captcha) that public number + phone-tail checks
ask for once a number or an address has failed too often (`bianmin.common.throttle`).

A challenge instead of a lock: whoever guesses tails for a number can make the next visitor solve
a picture, but can never stop the owner, who solves it and types the right tail. Images are drawn
by this server (`/captcha/image/<key>/`, the bundled font), so the challenge works on a closed
network. Kept here, below every app, so the status lookup (portal), the complaint lookup and the
follow-up rating (ratings) share it.
"""

from dataclasses import dataclass

from captcha.models import CaptchaStore
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import DomainError, ErrorCode
from .inputs import nfkc

# Where API clients fetch a challenge; named in every `captcha_required` answer.
API_CHALLENGE_PATH = "/api/v1/public/challenge"


class ChallengeRequired(DomainError):
    """A picture challenge must be solved before the pair is checked (403 `captcha_required`;
    `captcha_invalid` when the answer given was wrong or expired)."""

    status = 403
    code = ErrorCode.CAPTCHA_REQUIRED


REQUIRED = _("该编号或您所在网络近期查询错误较多，请先输入图片中的字符")
INVALID = _("图片验证码不正确或已过期，请看新图片重新输入")


@dataclass(frozen=True)
class Answer:
    """What the visitor typed for a challenge: its key (hidden field or `captcha_key`) and text."""

    key: str = ""
    value: str = ""

    @classmethod
    def from_data(cls, data) -> "Answer":
        return cls(
            key=str(data.get("captcha_key", "") or "")[:40],
            value=str(data.get("captcha_value", "") or "")[:32],
        )


def challenge_new() -> dict[str, str]:
    """A fresh challenge: its key and the URLs of its image (1x and 2x). Expired ones are
    dropped first, so asking for many (the API hands them out without login) cannot grow the
    table past a few minutes' worth."""
    CaptchaStore.remove_expired()
    key = CaptchaStore.generate_key()
    return {
        "key": key,
        "image_url": reverse("captcha-image", kwargs={"key": key}),
        "image_url_2x": reverse("captcha-image-2x", kwargs={"key": key}),
    }


def challenge_passes(answer: Answer | None) -> bool:
    """Whether the answer solves its challenge. A challenge is good for one attempt, right or
    wrong (deleted either way), so its picture cannot be tried against a list of guesses."""
    if answer is None or not answer.key or not answer.value:
        return False
    CaptchaStore.remove_expired()
    store = CaptchaStore.objects.filter(
        hashkey=answer.key.strip().lower(), expiration__gt=timezone.now()
    ).first()
    if store is None:
        return False
    store.delete()
    return store.response == nfkc(answer.value).strip().lower()


def challenge_error(answer: Answer | None) -> ChallengeRequired:
    """The refusal when a challenge is needed: asked for the first time, or answered wrongly."""
    if answer is not None and answer.key:
        return ChallengeRequired(
            str(INVALID),
            code=ErrorCode.CAPTCHA_INVALID,
            extra={"challenge_url": API_CHALLENGE_PATH},
        )
    return ChallengeRequired(str(REQUIRED), extra={"challenge_url": API_CHALLENGE_PATH})


def with_retry_after(response, error: DomainError):
    """Set `Retry-After` (seconds, RFC 9110) on a page's 429 from the error that caused it."""
    if error.status == 429:
        response["Retry-After"] = str(int(error.extra.get("retry_after", 60)))
    return response
