"""Uploaded materials are recognised by their content, never by their name or declared type.

A file called `证明.pdf` whose first bytes are not `%PDF-` is refused: the name and the browser's
Content-Type are both chosen by the sender, the magic bytes at least have to match the format the
reviewing staff will open.

Images are measured from their header before anything decodes them (`image_size_checked`, the one
checker every upload and signature path calls): a PNG of a few hundred kilobytes can claim
13000×13000 pixels and take seconds and most of a gigabyte to decode (issue 15).
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

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


# A 600 dpi A4 scan is 35 million pixels; nothing a station photographs or scans needs more.
# Also Pillow's own net for every decode in the process (set in `CommonConfig.ready`).
MAX_IMAGE_PIXELS = 40_000_000


def max_upload_bytes() -> int:
    return int(getattr(settings, "BIANMIN_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))


def image_size_checked(
    content: bytes, *, field: str, name: str, max_pixels: int = MAX_IMAGE_PIXELS
) -> tuple[int, int]:
    """(width, height) of a PNG or JPEG read from its header alone, or ValidationFailed naming
    `field` when it is unreadable or has more than `max_pixels` pixels. Nothing is decoded:
    `Image.open` parses the header and stops (pixels are read only by `load()`), so a caller
    decodes after this check and never before it."""
    too_big = _("“%(n)s”像素过大（超过 %(mp)s 百万像素），请降低分辨率后重新拍摄或扫描") % {
        "n": name,
        "mp": max(1, max_pixels // 1_000_000),
    }
    try:
        with warnings.catch_warnings():
            # Pillow's warning (above its limit) is a refusal here, like its error at twice it.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=("PNG", "JPEG")) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(too_big, field=field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed(
            _("“%(n)s”图片已损坏，无法识别") % {"n": name}, field=field
        ) from None
    if width * height > max_pixels:
        raise ValidationFailed(too_big, field=field)
    return width, height


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
            if content_type != "application/pdf":
                # Whoever opens it later (the reviewing browser, a thumbnail, a PDF) decodes it.
                image_size_checked(content, field=field, name=name)
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


def stored_name(checked: CheckedUpload) -> str:
    """A file name chosen by the server: random, with the extension of the type found in the
    content. The uploader's name is never a path, a type or a download name."""
    return f"{uuid.uuid4().hex}.{checked.extension}"


def file_served(field_file, *, download_name: str) -> FileResponse:
    """A stored upload as a download: the content type of what its first bytes are (PDF, JPEG or
    PNG; anything else, such as a file stored before uploads were checked, as opaque bytes), never
    of its name; not sniffed into another type, not cached; named `download_name` plus the
    extension of that type. Raises Http404 when the file is gone from storage."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("文件已不在存储中，请联系管理员")) from None
    head = handle.read(16)
    handle.seek(0)
    content_type, extension = next(
        ((t, e) for magic, t, e in SIGNATURES if head.startswith(magic)),
        ("application/octet-stream", "bin"),
    )
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=True,
        filename=f"{download_name}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
