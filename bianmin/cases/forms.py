"""Forms of the case pages: they check input shape and show errors in Chinese; rules stay in services."""

import base64
import binascii
import io
from collections.abc import Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.catalog.models import ItemVersion, Material
from bianmin.common.errors import ErrorCode
from bianmin.common.forms import GateMixin, as_id
from bianmin.common.validators import normalize_credit_code, normalize_id_number, validate_phone

from .models import Channel, MaterialStatus

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_END = b"IEND\xaeB`\x82"
JPEG_END = b"\xff\xd9"
SIGNATURE_MAX_BYTES = 2 * 1024 * 1024


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
    if len(data) > SIGNATURE_MAX_BYTES:
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
    from PIL import Image, UnidentifiedImageError

    from bianmin.common.errors import ValidationFailed

    from .signature import signature_size_checked

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
    from PIL import Image

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


class ApplicantKind:
    PERSON = "person"
    ENTERPRISE = "enterprise"
    CHOICES = [(PERSON, gettext_lazy("自然人")), (ENTERPRISE, gettext_lazy("企业/组织"))]


class IntakeForm(GateMixin, forms.Form):
    """Opening a case (收件登记 / 委托代办) at the viewer's unit.

    Identifier checks here only give an early, field-specific message; the intake service
    validates them again, so the API and the page cannot disagree. `item` is the one item field:
    the id of a published version among `items` (the ones the unit may take in). The chosen
    item's checklist adds, per material, its status (`material_<id>`: 已提交 / 缺少 / 容缺后补 /
    告知承诺) and, where offered, the 容缺 due days and commitment and the 告知承诺 pledge;
    `cleaned_data["materials"]` is the spec `case_register` takes. Which statuses a material
    allows is the rule of `cases.materials` (RULES.md "Deferred acceptance and pledges"): the form
    only offers those and checks the shape, and a refusal from the service is shown on
    `materials`. At a hall, an item outside its own tier (`window_items`) may only be taken as
    a proxy, on the applicant's entrustment.
    """

    identifier_fields = ("id_number", "credit_code", "phone")

    item = forms.IntegerField(
        label=gettext_lazy("办理事项"),
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("请先搜索并选择办理事项"),
            "invalid": gettext_lazy("请先搜索并选择办理事项"),
        },
    )
    channel = forms.ChoiceField(label=gettext_lazy("申请渠道"), required=False)
    applicant_kind = forms.ChoiceField(
        label=gettext_lazy("申请人类型"),
        choices=ApplicantKind.CHOICES,
        initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect,
    )
    applicant_name = forms.CharField(
        label=gettext_lazy("申请人姓名/名称"),
        max_length=100,
        widget=forms.TextInput({"autocomplete": "off"}),
        error_messages={"required": gettext_lazy("请填写申请人姓名或名称")},
    )
    id_number = forms.CharField(
        label=gettext_lazy("居民身份证号"),
        max_length=18,
        required=False,
        # Digits on the phone keypad; the check character X comes from the X key beside it.
        widget=forms.TextInput(
            {"inputmode": "numeric", "autocomplete": "off", "autocapitalize": "characters"}
        ),
    )
    credit_code = forms.CharField(
        label=gettext_lazy("统一社会信用代码"),
        max_length=18,
        required=False,
        widget=forms.TextInput({"autocomplete": "off", "autocapitalize": "characters"}),
    )
    contact_name = forms.CharField(
        label=gettext_lazy("联系人"),
        max_length=50,
        required=False,
        widget=forms.TextInput({"autocomplete": "off"}),
    )
    # 11-digit mobile or 0AAA-NNNNNNNN: 13 characters at most (`validators.PHONE_RE`).
    phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        max_length=13,
        widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "tel", "type": "tel"}),
        error_messages={"required": gettext_lazy("请填写联系电话")},
    )
    address = forms.CharField(
        label=gettext_lazy("住址"),
        max_length=200,
        required=False,
        widget=forms.TextInput({"autocomplete": "street-address"}),
    )
    entrusted = forms.BooleanField(
        label=gettext_lazy("申请人已签署委托书，委托本单位代办"), required=False
    )
    entrustment_text = forms.CharField(
        label=gettext_lazy("委托事项"),
        max_length=500,
        required=False,
        widget=forms.Textarea(
            {"rows": 2, "placeholder": gettext_lazy("如：代为提交申请材料、补正材料、领取办理结果")}
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("备注"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Not an input: where the checklist's errors (the form's and the service's) are shown.
    materials = forms.Field(required=False, widget=forms.HiddenInput)

    STATUS_LABELS: dict[str, str | Promise] = {
        MaterialStatus.PROVIDED: gettext_lazy("已提交"),
        MaterialStatus.MISSING: gettext_lazy("缺少"),
        MaterialStatus.DEFERRED: gettext_lazy("容缺后补"),
        MaterialStatus.PLEDGED: gettext_lazy("告知承诺"),
    }
    DEFAULT_DEFER_DAYS = 5

    def __init__(
        self,
        *args,
        items: QuerySet[ItemVersion] | None = None,
        window_items: QuerySet[ItemVersion] | None = None,
        channels: Sequence[tuple[str, str]] = (),
        version: ItemVersion | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            version = self._posted_version(items)
        self.version = version
        # A hall takes the items of its own tier on any channel, and the items villages may
        # take only as a proxy (`window_items`: its own tier's; None at a village station).
        self.proxy_only = bool(
            version is not None
            and window_items is not None
            and not window_items.filter(pk=version.pk).exists()
        )
        if channels:
            self.fields["channel"].choices = list(channels)  # type: ignore[attr-defined]
            self.fields["channel"].initial = channels[0][0]
        else:
            del self.fields["channel"]
        if version is not None:
            self.initial.setdefault("item", version.pk)
        self.material_rows = self._material_fields(version) if version is not None else []

    def _posted_version(self, items: QuerySet[ItemVersion] | None) -> ItemVersion | None:
        pk = as_id(self.data.get("item"))
        if items is None or pk is None:
            return None
        return items.filter(pk=pk).first()

    @staticmethod
    def defer_commitment(material_name: str) -> str:
        """The standard 容缺 commitment the applicant signs (RULES.md: a signed commitment)."""
        return _(
            "本人承诺在约定期限内补交“%(m)s”，并对所补材料的真实性负责；逾期未补交或材料不符合"
            "要求的，同意终止办理，并承担相应责任。"
        ) % {"m": material_name}

    @staticmethod
    def pledge_commitment(material_name: str) -> str:
        """The standard 告知承诺 text: what is pledged and the liability for a false pledge."""
        return _(
            "本人已知晓告知的条件和要求，承诺“%(m)s”所证明的事项真实、准确，符合办理条件；如有"
            "虚假，同意终止办理或撤销办理结果，记入信用记录，并依法承担相应责任。"
        ) % {"m": material_name}

    @staticmethod
    def offered_statuses(version: ItemVersion, material: Material) -> list[str]:
        """What a row offers: 容缺 only for materials the catalog marks deferrable (and an item
        with a promised limit to defer within), 告知承诺 only for pledgeable materials of items
        that allow pledges and are not high-risk (`cases.materials`)."""
        offered: list[str] = [MaterialStatus.PROVIDED, MaterialStatus.MISSING]
        if material.deferrable and version.promised_limit >= 1:
            offered.append(MaterialStatus.DEFERRED)
        if material.pledgeable and version.pledge_allowed and not version.high_risk:
            offered.append(MaterialStatus.PLEDGED)
        return offered

    def _material_fields(self, version: ItemVersion) -> list[dict]:
        limit = version.promised_limit
        rows = []
        for m in version.materials.all():
            offered = self.offered_statuses(version, m)
            key = f"material_{m.pk}"
            self.fields[key] = forms.ChoiceField(
                label=m.name,
                choices=[(s, self.STATUS_LABELS[s]) for s in MaterialStatus.values],
                widget=forms.RadioSelect,
                error_messages={"required": _("请核对“%(m)s”的情况") % {"m": m.name}},
            )
            row = {"material": m, "key": key, "offered": offered, "days": None, "pledge": None}
            if MaterialStatus.DEFERRED in offered:
                self.fields[f"{key}_days"] = forms.IntegerField(
                    label=_("补交期限（工作日）"),
                    required=False,
                    initial=min(self.DEFAULT_DEFER_DAYS, limit),
                    widget=forms.NumberInput({"min": 1, "max": limit, "inputmode": "numeric"}),
                    error_messages={"invalid": _("补交期限应填写工作日天数")},
                )
                self.fields[f"{key}_deferral"] = forms.CharField(
                    label=_("容缺承诺（申请人签署）"),
                    required=False,
                    max_length=500,
                    initial=self.defer_commitment(m.name),
                    widget=forms.Textarea({"rows": 4}),
                )
                row["days"], row["deferral"] = f"{key}_days", f"{key}_deferral"
            if MaterialStatus.PLEDGED in offered:
                self.fields[f"{key}_pledge"] = forms.CharField(
                    label=_("告知承诺书（申请人签署）"),
                    required=False,
                    max_length=500,
                    initial=self.pledge_commitment(m.name),
                    widget=forms.Textarea({"rows": 4}),
                )
                row["pledge"] = f"{key}_pledge"
            rows.append(row)
        return rows

    def checklist(self) -> list[dict]:
        """The checklist rows with their bound fields, for the template."""
        out = []
        for row in self.material_rows:
            status = self[row["key"]]
            out.append(
                {
                    "material": row["material"],
                    "status": status,
                    "chosen": str(status.value() or ""),
                    "options": [(s, self.STATUS_LABELS[s]) for s in row["offered"]],
                    "days": self[row["days"]] if row["days"] else None,
                    "deferral": self[row["deferral"]] if row["days"] else None,
                    "pledge": self[row["pledge"]] if row["pledge"] else None,
                }
            )
        return out

    def clean_item(self) -> ItemVersion:
        value = self.cleaned_data["item"]
        if self.version is None or self.version.pk != value:
            raise ValidationError(_("所选事项不在本单位可办理的范围内，请重新搜索选择"))
        return self.version

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        validate_phone(value)
        return value

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
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
        if self.proxy_only and "channel" in self.fields and data.get("channel") != Channel.PROXY:
            self.add_error(
                "channel",
                _("本单位不受理该事项，只能受申请人委托以“代办”渠道登记"),
            )
        data["materials"] = self._materials_spec(data)
        return data

    def _materials_spec(self, data: dict) -> dict:
        """{material id: status or a dict with due days and commitment}, as the service takes it."""
        spec: dict[int, str | dict] = {}
        for row in self.material_rows:
            status = data.get(row["key"])
            if not status:
                continue
            pk = row["material"].pk
            if status == MaterialStatus.DEFERRED:
                spec[pk] = {
                    "status": status,
                    "due_days": data.get(f"{row['key']}_days"),
                    "commitment": data.get(f"{row['key']}_deferral") or "",
                }
            elif status == MaterialStatus.PLEDGED:
                spec[pk] = {"status": status, "commitment": data.get(f"{row['key']}_pledge") or ""}
            else:
                spec[pk] = status
        if self.material_rows and len(spec) < len(self.material_rows):
            self.add_error("materials", _("请逐项核对材料，选择每项材料的情况"))
        return spec


class SignatureForm(GateMixin, forms.Form):
    """Delivery against a signature: drawn on a <canvas> (data URL) or an uploaded scan."""

    # A data URL: base64 of at most SIGNATURE_MAX_BYTES plus its header.
    signature_data = forms.CharField(
        required=False, max_length=SIGNATURE_MAX_BYTES * 4 // 3 + 64, widget=forms.HiddenInput
    )
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


class LedgerFilterForm(GateMixin, forms.Form):
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
