"""Uploaded materials are recognised by their content, never by their name or declared type.

A file called `证明.pdf` whose first bytes are not `%PDF-` is refused: the name and the browser's
Content-Type are both chosen by the sender, the magic bytes at least have to match the format the
reviewing staff will open.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from bianmin.common.errors import ValidationFailed

# (magic prefix, MIME type, extension)
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
EXTENSION_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


def max_upload_bytes() -> int:
    return int(getattr(settings, "BIANMIN_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    content_type: str
    extension: str
    original_name: str


def _complete(content: bytes, content_type: str) -> bool:
    """The format's end marker is there: a truncated file is refused, not stored half."""
    if content_type == "application/pdf":
        return b"%%EOF" in content[-2048:]
    if content_type == "image/png":
        return b"IEND" in content[-16:]
    if content_type == "image/jpeg":
        return content.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9")
    return True


def upload_checked(upload, *, field: str) -> CheckedUpload:
    """Read `upload` and return it if it is a PDF, JPEG or PNG by content and within the size
    limit; otherwise raise ValidationFailed naming `field` with a message saying what was wrong."""
    name = (getattr(upload, "name", "") or "file")[-200:]
    size = getattr(upload, "size", None)
    limit = max_upload_bytes()
    if size is not None and size > limit:
        raise ValidationFailed(
            _("“%(n)s”超过 %(mb)s MB，请压缩或分页后再上传")
            % {"n": name, "mb": limit // (1024 * 1024)},
            field=field,
        )
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationFailed(
            _("“%(n)s”超过 %(mb)s MB，请压缩或分页后再上传")
            % {"n": name, "mb": limit // (1024 * 1024)},
            field=field,
        )
    if not content:
        raise ValidationFailed(_("“%(n)s”是空文件") % {"n": name}, field=field)
    for magic, content_type, extension in SIGNATURES:
        if content.startswith(magic):
            claimed = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            if claimed in EXTENSION_TYPES and EXTENSION_TYPES[claimed] != content_type:
                raise ValidationFailed(
                    _("“%(n)s”的文件名与实际内容不符（内容是 %(t)s），请检查后重新上传")
                    % {"n": name, "t": extension.upper()},
                    field=field,
                )
            if not _complete(content, content_type):
                raise ValidationFailed(
                    _("“%(n)s”文件不完整（可能上传中断或已损坏），请重新上传") % {"n": name},
                    field=field,
                )
            return CheckedUpload(content, content_type, extension, name)
    claimed = name.rsplit(".", 1)[-1].upper() if "." in name else ""
    if claimed in ("PDF", "JPG", "JPEG", "PNG"):
        message = _(
            "“%(n)s”不是真正的 %(t)s 文件（文件内容与格式不符），请上传原始的 PDF、JPG 或 PNG 文件"
        ) % {
            "n": name,
            "t": claimed,
        }
    else:
        message = _("“%(n)s”的格式不支持，只能上传 PDF、JPG 或 PNG 文件") % {"n": name}
    raise ValidationFailed(message, field=field)
