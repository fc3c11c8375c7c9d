"""Errands: money handled, done, handed over against a signature, cancelled."""

from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db.models import Sum
from django.utils.translation import gettext as _

from bianmin.common.errors import Conflict, ErrorCode, ValidationFailed

from ..models import Delivery, ErrandMoney, MoneyDirection
from ..signature import png_checked
from .base import Ctx

CENT = Decimal("0.01")


def _amount(ctx: Ctx, name: str = "amount", *, required: bool = True) -> Decimal | None:
    raw = ctx.params.get(name)
    if raw in (None, "") and not required:
        return None
    try:
        value = Decimal(str(raw)).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(_("请填写正确的金额（元）"), field=name) from None
    if value <= 0 or value >= Decimal("100000000"):
        raise ValidationFailed(_("金额应大于0"), field=name)
    return value


def _receipt_photo(ctx: Ctx) -> tuple[bytes, str] | None:
    """A photo or scan of the receipt, checked by its content (PDF, JPEG or PNG)."""
    value = ctx.params.get("receipt_photo")
    if not value:
        return None
    from bianmin.common.uploads import upload_checked

    if isinstance(value, str):  # base64 or a data: URL, from the API
        import base64
        import binascii

        text = value.split(",", 1)[1] if value.startswith("data:") else value
        try:
            value = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(_("票据照片格式不正确"), field="receipt_photo") from None
    if isinstance(value, bytes | bytearray):
        value = ContentFile(bytes(value), name="receipt")
    checked = upload_checked(value, field="receipt_photo")
    return checked.content, checked.extension


def money_balance(case) -> tuple[Decimal, Decimal]:
    """(received, paid) on an errand so far."""
    sums = {
        row["direction"]: row["total"]
        for row in case.money.values("direction").annotate(total=Sum("amount"))
    }
    # SQLite sums decimals as floats; money is kept to the fen.
    received = Decimal(str(sums.get(MoneyDirection.IN) or 0)).quantize(CENT)
    paid = Decimal(str(sums.get(MoneyDirection.OUT) or 0)).quantize(CENT)
    return received, paid


def _record(ctx: Ctx, *, direction: str, amount: Decimal, party: str, receipt=None, note=""):
    entry = ErrandMoney(
        case=ctx.case,
        direction=direction,
        amount=amount,
        party=party[:100],
        receipt_number=ctx.text("receipt_number")[:60],
        recorded_on=ctx.today,
        recorded_at=ctx.now,
        recorded_by=ctx.actor,
        note=note[:200],
    )
    if receipt is not None:
        content, extension = receipt
        entry.receipt_photo.save(
            f"{ctx.case.number}-{ctx.now:%H%M%S}.{extension}", ContentFile(content), save=False
        )
    entry.save()
    ctx.data.setdefault("money", []).append(
        {
            "direction": direction,
            "amount": str(amount),
            "party": entry.party,
            "receipt_number": entry.receipt_number,
        }
    )
    return entry


def g_money(ctx: Ctx) -> None:
    if ctx.params.get("direction") not in MoneyDirection.values:
        raise ValidationFailed(_("请选择收款或付款"), field="direction")
    _amount(ctx)
    ctx.text("party", required=True, message=_("请填写款项的对方（如：本人、电力公司）"))


def e_money(ctx: Ctx) -> None:
    direction = ctx.params["direction"]
    amount = _amount(ctx)
    if direction == MoneyDirection.OUT:
        received, paid = money_balance(ctx.case)
        if paid + amount > received:
            raise Conflict(
                _("付款超过了已收款项（已收 %(r)s 元，已付 %(p)s 元）")
                % {"r": received, "p": paid},
                code=ErrorCode.MONEY_EXCEEDS,
            )
    _record(
        ctx,
        direction=direction,
        amount=amount,
        party=ctx.text("party"),
        receipt=_receipt_photo(ctx),
        note=ctx.text("note"),
    )


def e_errand_done(ctx: Ctx) -> None:
    ctx.data["result"] = ctx.text("note")


def _settle(ctx: Ctx, *, what: str) -> None:
    """Money still held goes back to the person now (`amount`); then nothing may be left."""
    amount = _amount(ctx, required=False)
    if amount is not None:
        received, paid = money_balance(ctx.case)
        if paid + amount > received:
            raise Conflict(
                _("交给本人的金额超过了代管余额 %(b)s 元") % {"b": received - paid},
                code=ErrorCode.MONEY_EXCEEDS,
            )
        _record(
            ctx,
            direction=MoneyDirection.OUT,
            amount=amount,
            party=ctx.case.applicant_name,
            note=what,
        )
    received, paid = money_balance(ctx.case)
    if received != paid:
        raise Conflict(
            _("代管款项未结清：已收 %(r)s 元，已付 %(p)s 元，请把余额 %(b)s 元交给本人并登记")
            % {"r": received, "p": paid, "b": received - paid},
            code=ErrorCode.MONEY_UNSETTLED,
        )
    ctx.data.update(received=str(received), paid=str(paid))


def g_hand_over(ctx: Ctx) -> None:
    ctx.text("signed_by_name", required=True, message=_("请填写签收人姓名"))
    ctx.data["signature"] = png_checked(ctx.params.get("signature"))


def e_hand_over(ctx: Ctx) -> None:
    _settle(ctx, what=_("交付本人"))
    case = ctx.case
    delivery = Delivery(
        case=case,
        delivered_at=ctx.now,
        delivered_by=ctx.actor,
        signed_by_name=ctx.text("signed_by_name"),
        feedback=ctx.text("feedback"),
    )
    delivery.signature.save(
        f"{case.number}.png", ContentFile(ctx.data.pop("signature")), save=False
    )
    delivery.save()
    case.closed_on = case.concluded_on = ctx.today
    ctx.data["signed_by_name"] = delivery.signed_by_name


def g_cancel(ctx: Ctx) -> None:
    ctx.text("reason", required=True, message=_("请说明取消的原因"))


def e_cancel(ctx: Ctx) -> None:
    _settle(ctx, what=_("取消退还"))
    ctx.case.concluded_on = ctx.today
    ctx.data["reason"] = ctx.text("reason")
