import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bianmin.common.errors import ValidationFailed
from bianmin.common.uploads import upload_checked


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
