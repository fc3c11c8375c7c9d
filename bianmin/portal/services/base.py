"""What the public side's writes share: a phone number that may be blank, a record with a random
code."""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bianmin.common.errors import Conflict, ValidationFailed
from bianmin.common.validators import validate_phone


def phone_or_blank(phone: str, *, field: str = "phone", required: bool = False) -> str:
    phone = (phone or "").strip()
    if not phone:
        if required:
            raise ValidationFailed(_("请填写手机号"), field=field)
        return ""
    try:
        validate_phone(phone)
    except ValidationError as e:
        raise ValidationFailed(e.messages[0], field=field) from None
    return phone


def code_new(length: int = 10) -> str:
    """A random, unguessable, easily read code (Crockford alphabet, no I/L/O/U)."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "".join(secrets.choice(alphabet) for _i in range(length))


def create_with_code(model, *, length: int = 10, **fields):
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return model.objects.create(code=code_new(length), **fields)
        except IntegrityError:
            continue
    raise Conflict(_("编号生成失败，请重试"))  # pragma: no cover - 50 random bits
