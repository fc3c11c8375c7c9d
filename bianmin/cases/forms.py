"""Forms of the case pages: they check input shape and show errors in Chinese; rules stay in services."""

import base64
import binascii
import io

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common.validators import normalize_credit_code, normalize_id_number, validate_phone

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_END = b"IEND\xaeB`\x82"
JPEG_END = b"\xff\xd9"
SIGNATURE_MAX_BYTES = 2 * 1024 * 1024
SIGNATURE_MAX_PIXELS = 4000 * 4000


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
        raise ValidationError(_("请签名或上传签名扫描件"), code="signature_missing")
    if len(data) > SIGNATURE_MAX_BYTES:
        raise ValidationError(_("签名图片不能超过2MB"), code="signature_size")
    kind = image_kind(data)
    if kind is None:
        raise ValidationError(_("签名必须是PNG或JPEG图片"), code="signature_type")
    # A cut-off upload must not pass as a signature. The end markers are checked by hand because
    # WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES, which makes decoding forgive them.
    if (kind == "png" and not data.endswith(PNG_END)) or (
        kind == "jpeg" and not data.rstrip(b"\x00").endswith(JPEG_END)
    ):
        raise ValidationError(_("签名图片已损坏，无法识别"), code="signature_corrupt")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
        with Image.open(io.BytesIO(data)) as img:
            if img.format.lower() != kind:
                raise ValidationError(_("签名图片内容与格式不符"), code="signature_type")
            if img.width * img.height > SIGNATURE_MAX_PIXELS or min(img.size) < 10:
                raise ValidationError(_("签名图片尺寸不合理"), code="signature_size")
            img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(_("签名图片已损坏，无法识别"), code="signature_corrupt") from None
    return kind


def to_png(data: bytes) -> bytes:
    """Re-encode a checked scan as PNG: the stored signature has one format, and re-encoding keeps
    only pixels (nothing a crafted file might carry beside them)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        out = io.BytesIO()
        img.convert("RGB").save(out, "PNG")
    return out.getvalue()


def decode_data_url(value: str) -> bytes:
    """The bytes of a `data:image/png;base64,...` URL as a <canvas> posts it."""
    head, sep, payload = (value or "").partition(",")
    if not sep or not head.startswith("data:image/") or not head.endswith(";base64"):
        raise ValidationError(_("签名数据格式不正确"), code="signature_type")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("签名数据格式不正确"), code="signature_type") from None


class ApplicantKind:
    PERSON = "person"
    ENTERPRISE = "enterprise"
    CHOICES = [(PERSON, gettext_lazy("自然人")), (ENTERPRISE, gettext_lazy("企业/组织"))]


class IntakeForm(forms.Form):
    """Opening a case. Identifier checks here only give an early, field-specific message; the
    intake service validates them again, so the API and the page cannot disagree."""

    item = forms.ChoiceField(label=gettext_lazy("办理事项"))
    channel = forms.ChoiceField(label=gettext_lazy("申请渠道"), required=False)
    applicant_kind = forms.ChoiceField(
        label=gettext_lazy("申请人类型"),
        choices=ApplicantKind.CHOICES,
        initial=ApplicantKind.PERSON,
    )
    applicant_name = forms.CharField(label=gettext_lazy("申请人姓名/名称"), max_length=100)
    id_number = forms.CharField(label=gettext_lazy("居民身份证号"), max_length=18, required=False)
    credit_code = forms.CharField(
        label=gettext_lazy("统一社会信用代码"), max_length=18, required=False
    )
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=50, required=False)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20)
    address = forms.CharField(label=gettext_lazy("住址"), max_length=200, required=False)
    entrusted = forms.BooleanField(
        label=gettext_lazy("申请人已签署委托书，委托本站代办"), required=False, initial=True
    )
    note = forms.CharField(
        label=gettext_lazy("备注"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, items=(), channels=(), materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("请选择事项"))] + [
            (str(v.pk), f"{v.name}（{v.item.local_code}）") for v in items
        ]
        if channels:
            self.fields["channel"].choices = list(channels)
        else:
            del self.fields["channel"]
        self.materials = list(materials)

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        validate_phone(value)
        return value

    def clean(self):
        data = super().clean()
        kind = data.get("applicant_kind")
        if kind == ApplicantKind.PERSON:
            try:
                data["id_number"] = normalize_id_number(data.get("id_number") or "")
            except ValidationError as e:
                self.add_error("id_number", e)
        elif kind == ApplicantKind.ENTERPRISE:
            try:
                data["credit_code"] = normalize_credit_code(data.get("credit_code") or "")
            except ValidationError as e:
                self.add_error("credit_code", e)
            if not data.get("contact_name"):
                self.add_error("contact_name", _("企业申请须填写联系人"))
        return data


class SignatureForm(forms.Form):
    """Delivery against a signature: drawn on a <canvas> (data URL) or an uploaded scan."""

    signature_data = forms.CharField(required=False, widget=forms.HiddenInput)
    signature_file = forms.FileField(
        label=gettext_lazy("或上传签名扫描件（PNG/JPEG）"), required=False
    )
    signed_by_name = forms.CharField(label=gettext_lazy("签收人"), max_length=100)
    feedback = forms.CharField(
        label=gettext_lazy("申请人意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    note = forms.CharField(label=gettext_lazy("备注"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("signature_file")
        try:
            if upload:
                raw = upload.read(SIGNATURE_MAX_BYTES + 1)
            else:
                drawn = data.get("signature_data") or ""
                raw = decode_data_url(drawn) if drawn else b""
            kind = check_signature_image(raw)
        except ValidationError as e:
            self.add_error("signature_file" if upload else "signature_data", e)
            return data
        data["signature_bytes"] = raw
        data["signature_kind"] = kind
        data["signature_png"] = raw if kind == "png" else to_png(raw)
        data["signature_data_url"] = f"data:image/{kind};base64," + base64.b64encode(raw).decode(
            "ascii"
        )
        return data


class LedgerFilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("起始日期"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("截止日期"), required=False, widget=forms.DateInput({"type": "date"})
    )
    item = forms.CharField(label=gettext_lazy("事项"), required=False, max_length=100)
    state = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    agent = forms.ChoiceField(label=gettext_lazy("代办员"), required=False)

    def __init__(self, *args, states=(), agents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("全部"))] + list(states)
        self.fields["agent"].choices = [("", _("全部"))] + [
            (str(a.pk), a.staff.full_name if hasattr(a, "staff") else a.get_username())
            for a in agents
        ]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("截止日期不能早于起始日期"))
        return data
