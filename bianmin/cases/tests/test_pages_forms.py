"""Form-level checks of the case pages that need no case: signatures and applicant identifiers."""

import base64
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bianmin.cases.forms import IntakeForm, SignatureForm


def image_bytes(fmt: str, size=(200, 80)) -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGB", size, "white")
    for x in range(20, 180):
        img.putpixel((x, 40), (0, 0, 0))
    img.save(buf, fmt)
    return buf.getvalue()


def data_url(raw: bytes, mime="image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode()


def test_drawn_png_signature_is_accepted():
    form = SignatureForm({"signature_data": data_url(image_bytes("PNG")), "signed_by_name": "张三"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["signature_kind"] == "png"
    assert form.cleaned_data["signature_bytes"].startswith(b"\x89PNG")


def test_uploaded_jpeg_scan_is_accepted():
    upload = SimpleUploadedFile("scan.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    form = SignatureForm({"signed_by_name": "张三"}, {"signature_file": upload})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["signature_kind"] == "jpeg"
    assert form.cleaned_data["signature_png"].startswith(b"\x89PNG\r\n\x1a\n")


def test_signature_type_is_judged_by_content_not_name():
    fake = SimpleUploadedFile("scan.png", b"<svg onload=alert(1)>", content_type="image/png")
    form = SignatureForm({"signed_by_name": "张三"}, {"signature_file": fake})
    assert not form.is_valid()
    assert form.errors["signature_file"] == ["签名必须是PNG或JPEG图片"]


def test_truncated_png_is_refused_even_after_weasyprint_loosened_pillow():
    import weasyprint  # noqa: F401 - sets PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True globally

    raw = image_bytes("PNG")[:-20]
    form = SignatureForm({"signature_data": data_url(raw), "signed_by_name": "张三"})
    assert not form.is_valid()
    assert form.errors["signature_data"] == ["签名图片已损坏，无法识别"]


def test_gif_posted_as_png_data_url_is_refused():
    form = SignatureForm({"signature_data": data_url(image_bytes("GIF")), "signed_by_name": "张三"})
    assert not form.is_valid()
    assert "signature_data" in form.errors


def test_missing_signature_is_refused():
    form = SignatureForm({"signed_by_name": "张三"})
    assert not form.is_valid()
    assert form.errors["signature_data"] == ["请签名或上传签名扫描件"]


def test_intake_form_names_the_bad_id_number_field_and_keeps_input():
    data = {
        "item": "1",
        "applicant_kind": "person",
        "applicant_name": "王五",
        "id_number": "110105194912310021",
        "phone": "13900000000",
    }
    form = IntakeForm(data)  # no item found: only the applicant's fields are judged here
    assert not form.is_valid()
    assert form.errors["id_number"] == ["居民身份证号校验位错误"]
    assert form["id_number"].value() == "110105194912310021"


def test_intake_form_checks_credit_code_for_enterprises():
    data = {
        "item": "1",
        "applicant_kind": "enterprise",
        "applicant_name": "某某公司",
        "credit_code": "91350100M000100Y44",
        "contact_name": "赵六",
        "phone": "13900000000",
    }
    form = IntakeForm(data)
    assert not form.is_valid()
    assert form.errors["credit_code"] == ["统一社会信用代码校验位错误"]
    data["credit_code"] = "91350100m000100y43"
    form = IntakeForm(data)
    form.is_valid()
    assert "credit_code" not in form.errors and "contact_name" not in form.errors
    assert form.cleaned_data["credit_code"] == "91350100M000100Y43"


def test_truncated_jpeg_scan_is_refused():
    upload = SimpleUploadedFile("scan.jpg", image_bytes("JPEG")[:-40], content_type="image/jpeg")
    form = SignatureForm({"signed_by_name": "张三"}, {"signature_file": upload})
    assert not form.is_valid()
    assert form.errors["signature_file"] == ["签名图片已损坏，无法识别"]
