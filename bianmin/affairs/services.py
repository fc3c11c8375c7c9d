"""Writes of village affairs: trusteeship (assets, cash journal, contracts), mediation, deliberation."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import Conflict, ValidationFailed
from bianmin.orgs.models import Region

from .access import require_confidence, require_trustee, require_village_worker
from .models import (
    Asset,
    AssetCategory,
    CashEntry,
    Contract,
    ContractPayment,
    Deliberation,
    Direction,
    Mediation,
    MediationOutcome,
    MeetingKind,
)


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("金额应为数字"), field=field) from None
    if amount <= 0:
        raise ValidationFailed(_("金额须大于0"), field=field)
    return amount


def _text(value, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, field=field)
    return value


@transaction.atomic
def asset_register(
    *,
    actor,
    village: Region,
    category: str,
    name: str,
    quantity,
    measure: str,
    value=0,
    acquired_on: dt.date | None = None,
    location: str = "",
    note: str = "",
) -> Asset:
    """Enter an asset or resource into the village's register (三资托管: the township keeps it)."""
    require_trustee(actor, village)
    if category not in AssetCategory.values:
        raise ValidationFailed(_("类别无效"), field="category")
    try:
        quantity = Decimal(str(quantity))
        value = Decimal(str(value or 0))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("数量和价值应为数字"), field="quantity") from None
    if quantity <= 0 or value < 0:
        raise ValidationFailed(_("数量须大于0，价值不能为负"), field="quantity")
    return Asset.objects.create(
        village=village,
        category=category,
        name=_text(name, "name", _("请填写名称")),
        quantity=quantity,
        measure=_text(measure, "measure", _("请填写计量单位")),
        value=value,
        acquired_on=acquired_on,
        location=location,
        note=note,
        recorded_by=actor,
    )


def _next_seq(village: Region) -> int:
    # Lock the village row so two clerks never take the same number.
    Region.objects.select_for_update(of=("self",)).filter(pk=village.pk).first()
    return (CashEntry.objects.filter(village=village).aggregate(m=Max("seq"))["m"] or 0) + 1


@transaction.atomic
def cash_entry_record(
    *,
    actor,
    village: Region,
    date: dt.date,
    direction: str,
    amount,
    summary: str,
    counterparty: str = "",
    voucher: str = "",
) -> CashEntry:
    """Append a line to the village's cash journal. Lines are never edited (see reverse)."""
    require_trustee(actor, village)
    if direction not in Direction.values:
        raise ValidationFailed(_("收支方向无效"), field="direction")
    if date is None:
        raise ValidationFailed(_("请填写日期"), field="date")
    if date > timezone.localdate():
        raise ValidationFailed(_("不能登记未来日期的收支"), field="date")
    return CashEntry.objects.create(
        village=village,
        seq=_next_seq(village),
        date=date,
        direction=direction,
        amount=_money(amount, "amount"),
        summary=_text(summary, "summary", _("请填写摘要")),
        counterparty=counterparty.strip(),
        voucher=voucher.strip(),
        recorded_by=actor,
    )


@transaction.atomic
def cash_entry_reverse(*, actor, entry: CashEntry, reason: str) -> CashEntry:
    """Reverse a journal line (红字冲销): a new line of the opposite direction and the same
    amount, referencing the original and stating why. The original stays; each line can be
    reversed once, and a reversal is not itself reversed (enter the line again instead)."""
    require_trustee(actor, entry.village)
    reason = _text(reason, "reason", _("冲销须写明理由"))
    entry = CashEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise Conflict(_("冲销分录不能再冲销，请重新登记正确的收支"))
    if CashEntry.objects.filter(reverses=entry).exists():
        raise Conflict(_("该分录已冲销"))
    opposite = Direction.EXPENSE if entry.direction == Direction.INCOME else Direction.INCOME
    return CashEntry.objects.create(
        village=entry.village,
        seq=_next_seq(entry.village),
        date=timezone.localdate(),
        direction=opposite,
        amount=entry.amount,
        summary=_("冲销第 %(n)s 号：%(s)s") % {"n": entry.seq, "s": entry.summary},
        counterparty=entry.counterparty,
        voucher=entry.voucher,
        reverses=entry,
        reason=reason,
        recorded_by=actor,
    )


def _add_years(day: dt.date, n: int) -> dt.date:
    try:
        return day.replace(year=day.year + n)
    except ValueError:  # 29 February
        return day.replace(year=day.year + n, day=28)


@transaction.atomic
def contract_create(
    *,
    actor,
    village: Region,
    number: str,
    title: str,
    counterparty: str,
    subject: str,
    start: dt.date,
    end: dt.date,
    annual_amount,
    area=None,
) -> Contract:
    """Record a land or resource lease; one payment falls due at the start of each lease year."""
    require_trustee(actor, village)
    if start is None or end is None or end <= start:
        raise ValidationFailed(_("合同起止日期无效"), field="end")
    if Contract.objects.filter(village=village, number=(number or "").strip()).exists():
        raise Conflict(_("合同编号已存在"))
    contract = Contract.objects.create(
        village=village,
        number=_text(number, "number", _("请填写合同编号")),
        title=_text(title, "title", _("请填写合同名称")),
        counterparty=_text(counterparty, "counterparty", _("请填写承包/租赁方")),
        subject=_text(subject, "subject", _("请填写标的")),
        start=start,
        end=end,
        area=Decimal(str(area)) if area not in (None, "") else None,
        annual_amount=_money(annual_amount, "annual_amount"),
        recorded_by=actor,
    )
    year, due = 0, start
    while due < end:
        ContractPayment.objects.create(contract=contract, due_on=due, amount=contract.annual_amount)
        year += 1
        due = _add_years(start, year)
    return contract


@transaction.atomic
def contract_payment_receive(
    *, actor, payment: ContractPayment, date: dt.date | None = None, voucher: str = ""
) -> ContractPayment:
    """Receive a lease payment: an income line in the journal, linked to the payment due."""
    payment = (
        ContractPayment.objects.select_for_update(of=("self",))
        .select_related("contract")
        .get(pk=payment.pk)
    )
    if payment.entry_id is not None:
        raise Conflict(_("该期租金已收取"))
    contract = payment.contract
    payment.entry = cash_entry_record(
        actor=actor,
        village=contract.village,
        date=date or timezone.localdate(),
        direction=Direction.INCOME,
        amount=payment.amount,
        summary=_("%(t)s %(d)s 期租金") % {"t": contract.title, "d": payment.due_on},
        counterparty=contract.counterparty,
        voucher=voucher,
    )
    payment.save(update_fields=["entry"])
    return payment


@transaction.atomic
def mediation_record(
    *,
    actor,
    village: Region,
    parties: str,
    matter: str,
    mediator: str,
    mediated_on: dt.date,
    outcome: str,
    agreement: str = "",
) -> Mediation:
    """A dispute mediation record, confidential to the village and its township."""
    require_confidence(actor, village)
    if outcome not in MediationOutcome.values:
        raise ValidationFailed(_("调解结果无效"), field="outcome")
    if mediated_on is None:
        raise ValidationFailed(_("请填写调解日期"), field="mediated_on")
    return Mediation.objects.create(
        village=village,
        parties=_text(parties, "parties", _("请填写当事人")),
        matter=_text(matter, "matter", _("请填写纠纷事项")),
        mediator=_text(mediator, "mediator", _("请填写调解人")),
        mediated_on=mediated_on,
        outcome=outcome,
        agreement=agreement.strip(),
        recorded_by=actor,
    )


@transaction.atomic
def mediation_follow_up(*, actor, mediation: Mediation, text: str, on: dt.date) -> Mediation:
    require_confidence(actor, mediation.village)
    mediation.follow_up = _text(text, "follow_up", _("请填写回访情况"))
    mediation.follow_up_on = on or timezone.localdate()
    mediation.save(update_fields=["follow_up", "follow_up_on", "updated_at"])
    return mediation


@transaction.atomic
def deliberation_record(
    *,
    actor,
    village: Region,
    matter: str,
    meeting_kind: str,
    meeting_on: dt.date,
    eligible: int,
    attended: int,
    votes_for: int,
    votes_against: int,
    abstained: int,
    decision: str,
) -> Deliberation:
    """一事一议: the meeting needs more than half of those entitled present, and the matter passes
    with more than half of those present in favour (村民委员会组织法 art. 22)."""
    require_village_worker(actor, village)
    if meeting_kind not in MeetingKind.values:
        raise ValidationFailed(_("会议形式无效"), field="meeting_kind")
    try:
        eligible, attended = int(eligible), int(attended)
        votes = [int(votes_for), int(votes_against), int(abstained)]
    except (TypeError, ValueError):
        raise ValidationFailed(_("人数和票数应为整数"), field="votes_for") from None
    if min([eligible, attended, *votes]) < 0 or eligible == 0:
        raise ValidationFailed(_("人数和票数不能为负"), field="eligible")
    if attended > eligible:
        raise ValidationFailed(_("实到人数不能多于应到人数"), field="attended")
    if attended * 2 <= eligible:
        raise ValidationFailed(_("到会人数未过半数，会议无效"), field="attended")
    if sum(votes) > attended:
        raise ValidationFailed(_("票数合计不能多于实到人数"), field="votes_for")
    if meeting_on is None:
        raise ValidationFailed(_("请填写会议日期"), field="meeting_on")
    return Deliberation.objects.create(
        village=village,
        matter=_text(matter, "matter", _("请填写议事事项")),
        meeting_kind=meeting_kind,
        meeting_on=meeting_on,
        eligible=eligible,
        attended=attended,
        votes_for=votes[0],
        votes_against=votes[1],
        abstained=votes[2],
        passed=votes[0] * 2 > attended,
        decision=_text(decision, "decision", _("请填写决议内容")),
        recorded_by=actor,
    )


@transaction.atomic
def deliberation_publish(*, actor, deliberation: Deliberation) -> Deliberation:
    """Put the result on the village's public board."""
    require_village_worker(actor, deliberation.village)
    if deliberation.published_on is None:
        deliberation.published_on = timezone.localdate()
        deliberation.save(update_fields=["published_on", "updated_at"])
    return deliberation
