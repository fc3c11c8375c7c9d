"""The station ledger (台账): every request a unit handled, filtered, on screen and in Excel.

The ledger reads through the case selectors, so it shows exactly the cases the viewer may see.
Exports carry masked identifier numbers: a ledger file is passed around, the full number is not
needed to find a case (the case number is).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.sheets import Sheet
from bianmin.common.validators import mask_id_number, mask_phone

from .models import ApplicantKind, Case


def ledger_filter(qs: QuerySet[Case], *, start=None, end=None, item="", state="", agent=None):
    """Narrow a scoped case queryset by the ledger's filters (dates are intake dates)."""
    if start:
        qs = qs.filter(submitted_on__gte=start)
    if end:
        qs = qs.filter(submitted_on__lte=end)
    if item:
        qs = qs.filter(
            Q(item_version__name__icontains=item) | Q(item_version__item__local_code=item)
        )
    if state:
        qs = qs.filter(state=state)
    if agent:
        qs = qs.filter(agent__user_id=agent)
    return qs.select_related("item_version__item", "intake_unit", "current_unit", "agent").order_by(
        "submitted_on", "pk"
    )


@dataclass
class LedgerRow:
    number: str
    submitted_on: dt.date
    applicant: str
    identifier: str
    phone: str
    item: str
    channel: str
    agent: str
    intake_unit: str
    current_unit: str
    state: str
    promised_due: dt.date | None
    concluded_on: dt.date | None
    closed_on: dt.date | None


def ledger_rows(qs) -> list[LedgerRow]:
    rows = []
    for c in qs:
        ident = (
            c.credit_code
            if c.applicant_kind == ApplicantKind.ENTERPRISE
            else mask_id_number(c.id_number)
        )
        rows.append(
            LedgerRow(
                number=c.number,
                submitted_on=c.submitted_on,
                applicant=c.applicant_name,
                identifier=ident,
                phone=mask_phone(c.phone),
                item=c.item_version.name,
                channel=c.get_channel_display(),
                agent=c.agent.full_name if c.agent else "",
                intake_unit=c.intake_unit.name,
                current_unit=c.current_unit.name,
                state=c.get_state_display(),
                promised_due=c.promised_due,
                concluded_on=c.concluded_on,
                closed_on=c.closed_on,
            )
        )
    return rows


def ledger_columns() -> list[tuple[str, str, int]]:
    return [
        ("number", _("办件编号"), 34),
        ("submitted_on", _("收件日期"), 12),
        ("applicant", _("申请人"), 14),
        ("identifier", _("证件号码"), 22),
        ("phone", _("联系电话"), 14),
        ("item", _("事项"), 30),
        ("channel", _("渠道"), 10),
        ("agent", _("代办员"), 10),
        ("intake_unit", _("收件单位"), 20),
        ("current_unit", _("当前经办单位"), 20),
        ("state", _("状态"), 10),
        ("promised_due", _("承诺办结日期"), 13),
        ("concluded_on", _("办结日期"), 12),
        ("closed_on", _("送达日期"), 12),
    ]


def ledger_sheets(rows: list[LedgerRow], *, title: str) -> list[Sheet]:
    """The ledger as a workbook: a title line, a frozen header, one row per case."""
    cols = ledger_columns()
    return [
        Sheet(
            title=_("台账"),
            caption=title,
            notes=[_("导出时间") + "：" + timezone.localtime().strftime("%Y-%m-%d %H:%M")],
            headers=[label for _key, label, _w in cols],
            rows=[[getattr(row, key) for key, _label, _w in cols] for row in rows],
            widths=[width for _key, _label, width in cols],
        )
    ]
