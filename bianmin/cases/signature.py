"""The applicant's signature on delivery: a PNG drawn on a tablet or a scanned image."""

import base64
import binascii
import io

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from bianmin.common.errors import ValidationFailed

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 2 * 1024 * 1024


def png_checked(value) -> bytes:
    """PNG bytes from raw bytes, base64 text or a `data:image/png;base64,` URL."""
    if hasattr(value, "read"):
        value = value.read()
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
    try:
        # A signature is evidence of delivery: it must decode as a whole, not just look like a PNG.
        with Image.open(io.BytesIO(value)) as image:
            image.load()
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed(_("签名图片已损坏，无法识别"), field="signature") from None
    if not (10 <= width <= 5000 and 10 <= height <= 5000):
        raise ValidationFailed(_("签名图片尺寸不合理"), field="signature")
    return bytes(value)
