import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from bianmin.common.errors import ValidationFailed
from bianmin.common.uploads import MAX_IMAGE_PIXELS, image_size_checked, upload_checked


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, format="PNG")
    return buf.getvalue()


def test_real_png_and_pdf_pass():
    assert (
        upload_checked(SimpleUploadedFile("a.png", png_bytes()), field="f").content_type
        == "image/png"
    )
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert upload_checked(SimpleUploadedFile("a.pdf", pdf), field="f").extension == "pdf"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("证明.pdf", b"GIF89a not a pdf", "不是真正的 PDF"),
        ("a.png", png_bytes()[:40], "不完整"),
        ("a.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "不完整"),
        ("a.jpg", png_bytes(), "不符"),
        ("a.exe", b"MZ\x90\x00", "格式不支持"),
        ("empty.pdf", b"", "空文件"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(name, content, words):
    with pytest.raises(ValidationFailed) as e:
        upload_checked(SimpleUploadedFile(name, content), field="material_1")
    assert words in e.value.message and e.value.field == "material_1"


def test_size_limit(settings):
    settings.BIANMIN_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationFailed) as e:
        upload_checked(SimpleUploadedFile("a.png", png_bytes() + b"\x00" * 200), field="f")
    assert "MB" in e.value.message


def png_claiming(width: int, height: int) -> bytes:
    """A complete PNG of a few dozen bytes whose header claims `width` x `height` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [7_000, 60_000])
def test_image_too_large_is_refused_from_its_header_without_decoding(monkeypatch, side):
    """7000² passes Pillow's own limit but not ours; 60000² is past Pillow's hard limit too."""

    def no_decoding(self):
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ValidationFailed) as e:
        upload_checked(SimpleUploadedFile("big.png", png_claiming(side, side)), field="f")
    assert "像素过大" in e.value.message and e.value.field == "f"
    assert image_size_checked(png_bytes(), field="f", name="a.png") == (8, 8)
    assert Image.MAX_IMAGE_PIXELS == MAX_IMAGE_PIXELS  # Pillow's own net for any other decode
