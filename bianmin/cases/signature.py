"""The applicant's signature on delivery: a PNG drawn on a tablet or a scanned image."""

import base64
import binascii
import io

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from bianmin.common.errors import ValidationFailed
from bianmin.common.uploads import image_size_checked

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 2 * 1024 * 1024
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
