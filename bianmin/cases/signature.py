"""The applicant's signature on delivery: a PNG drawn on a tablet or a scanned image.

`png_checked` reads it for the services (a domain error); `check_signature_image` and its
helpers for the delivery form (a form error on the field), which also takes a JPEG scan.
"""

import base64
import binascii
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from bianmin.common.errors import ErrorCode, ValidationFailed
from bianmin.common.uploads import image_size_checked

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 2 * 1024 * 1024
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_END = b"IEND\xaeB`\x82"
JPEG_END = b"\xff\xd9"
# A pad or a phone draws a few hundred pixels; a scan of a signed slip at 600 dpi about 5000.
MIN_SIDE, MAX_SIDE = 10, 5000


def signature_size_checked(content: bytes) -> tuple[int, int]:
    """(width, height) of a signature image from its header, each side `MIN_SIDE` to `MAX_SIDE`
    pixels; checked before anything decodes it (`image_size_checked`)."""
    width, height = image_size_checked(
        content, field="signature", name=_("签名图片"), max_pixels=MAX_SIDE * MAX_SIDE
    )
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValidationFailed(_("签名图片尺寸不合理"), field="signature")
    return width, height


def png_checked(value) -> bytes:
    """PNG bytes from raw bytes, base64 text or a `data:image/png;base64,` URL."""
    if hasattr(value, "read"):
        value = value.read(MAX_BYTES + 1)
    if isinstance(value, str):
        text = value.split(",", 1)[1] if value.startswith("data:") else value
        try:
            value = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            value = b""
    if not isinstance(value, bytes | bytearray) or not value.startswith(PNG_MAGIC):
        raise ValidationFailed(_("请由申请人签名（PNG 图片）"), field="signature")
    if len(value) > MAX_BYTES:
        raise ValidationFailed(_("签名图片不能超过2MB"), field="signature")
    value = bytes(value)
    signature_size_checked(value)
    try:
        # A signature is evidence of delivery: it must decode as a whole, not just look like a PNG.
        with Image.open(io.BytesIO(value), formats=("PNG",)) as image:
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed(_("签名图片已损坏，无法识别"), field="signature") from None
    return value


def image_kind(data: bytes) -> str | None:
    """'png' or 'jpeg' judged by the bytes themselves, never by a name or a declared type."""
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    return None


def check_signature_image(data: bytes) -> str:
    """Refuse anything that is not a decodable PNG or JPEG of sane size; return its kind.

    A signature is evidence of delivery (送达回执), so it must be a real picture a person can look
    at later: the magic bytes decide the type, and Pillow must be able to decode the whole image.
    """
    if not data:
        raise ValidationError(_("请签名或上传签名扫描件"), code=ErrorCode.SIGNATURE_MISSING)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("签名图片不能超过2MB"), code=ErrorCode.SIGNATURE_SIZE)
    kind = image_kind(data)
    if kind is None:
        raise ValidationError(_("签名必须是PNG或JPEG图片"), code=ErrorCode.SIGNATURE_TYPE)
    # A cut-off upload must not pass as a signature. The end markers are checked by hand because
    # WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES, which makes decoding forgive them.
    if (kind == "png" and not data.endswith(PNG_END)) or (
        kind == "jpeg" and not data.rstrip(b"\x00").endswith(JPEG_END)
    ):
        raise ValidationError(_("签名图片已损坏，无法识别"), code=ErrorCode.SIGNATURE_CORRUPT)
    try:
        signature_size_checked(data)
    except ValidationFailed as e:
        raise ValidationError(e.message, code=ErrorCode.SIGNATURE_SIZE) from None
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
        with Image.open(io.BytesIO(data)) as img:
            if img.format.lower() != kind:
                raise ValidationError(_("签名图片内容与格式不符"), code=ErrorCode.SIGNATURE_TYPE)
            img.load()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(
            _("签名图片已损坏，无法识别"), code=ErrorCode.SIGNATURE_CORRUPT
        ) from None
    return kind


def to_png(data: bytes) -> bytes:
    """Re-encode a checked scan as PNG: the stored signature has one format, and re-encoding keeps
    only pixels (nothing a crafted file might carry beside them)."""
    with Image.open(io.BytesIO(data)) as img:
        out = io.BytesIO()
        img.convert("RGB").save(out, "PNG")
    return out.getvalue()


def decode_data_url(value: str) -> bytes:
    """The bytes of a `data:image/png;base64,...` URL as a <canvas> posts it."""
    head, sep, payload = (value or "").partition(",")
    if not sep or not head.startswith("data:image/") or not head.endswith(";base64"):
        raise ValidationError(_("签名数据格式不正确"), code=ErrorCode.SIGNATURE_TYPE)
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("签名数据格式不正确"), code=ErrorCode.SIGNATURE_TYPE) from None
