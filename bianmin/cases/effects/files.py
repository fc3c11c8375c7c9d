"""网上传件: files of the checklist's materials travel with the case (RULES.md "The route").

Scaffold: the upload and review rules are being built (see `bianmin.cases.files`).
"""

from django.utils.translation import gettext as _

from bianmin.common.errors import ValidationFailed

from .base import Ctx


def g_upload(ctx: Ctx) -> None:
    raise ValidationFailed(_("材料电子件上传尚未开放"), field="files")


def e_upload(ctx: Ctx) -> None:  # pragma: no cover - unreachable while g_upload refuses
    raise NotImplementedError


def g_file_review(ctx: Ctx) -> None:
    raise ValidationFailed(_("材料电子件审核尚未开放"), field="files")


def e_file_review(ctx: Ctx) -> None:  # pragma: no cover - unreachable while g_file_review refuses
    raise NotImplementedError
