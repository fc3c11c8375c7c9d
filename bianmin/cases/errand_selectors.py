"""Reads of errands (便民服务), through the viewer's access scope like every case read."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from bianmin.common.errors import NotFound, ValidationFailed

from .models import Case, ErrandMoney, MoneyDirection, State
from .selectors import case_get, cases_visible


def errands_visible(*, viewer) -> QuerySet[Case]:
    return cases_visible(viewer=viewer, base=Case.errands.all())


def errand_list(*, viewer, state: str | None = None, limit: int = 100) -> list[Case]:
    qs = errands_visible(viewer=viewer)
    if state:
        if state not in (State.ERRAND_OPEN, State.ERRAND_DONE, State.HANDED_OVER, State.CANCELLED):
            raise ValidationFailed(_("状态无效"), field="state")
        qs = qs.filter(state=state)
    limit = max(1, min(int(limit), 500))
    return list(qs.select_related("agent", "intake_unit").order_by("-created_at", "-pk")[:limit])


def errand_get(*, viewer, number: str, log: bool = True, channel: str = "api") -> Case:
    case = case_get(viewer=viewer, number=number, log=log, channel=channel, errands=True)
    if not case.is_errand:
        raise NotFound(_("便民服务 %(n)s 不存在") % {"n": number})
    return case


ERRAND_QUEUES = {
    "errands_open": Q(state=State.ERRAND_OPEN),
    "errands_to_hand_over": Q(state=State.ERRAND_DONE),
}


def errand_queues(*, viewer, limit: int = 20) -> dict[str, dict]:
    """The viewer's errand queues, counted apart from the approval cases' work queues."""
    base = errands_visible(viewer=viewer).select_related("agent", "intake_unit")
    out = {}
    for name, q in ERRAND_QUEUES.items():
        qs = base.filter(q).order_by("created_at", "pk")
        out[name] = {"count": qs.count(), "items": list(qs[:limit])}
    return out


@dataclass(frozen=True)
class AgentMoney:
    agent_id: int
    agent: str
    unit: str
    entries: int
    money_in: Decimal
    money_out: Decimal

    @property
    def held(self) -> Decimal:
        """What the agent still holds for people: received and not yet paid out or handed over."""
        return self.money_in - self.money_out


def _fen(value) -> Decimal:
    # SQLite sums decimals as floats; money is kept to the fen.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _month_money(*, viewer, month: dt.date) -> QuerySet[ErrandMoney]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return ErrandMoney.objects.filter(
        case__in=errands_visible(viewer=viewer), recorded_on__gte=first, recorded_on__lt=following
    )


def errand_money_by_agent(*, viewer, month: dt.date) -> list[AgentMoney]:
    """Money handled on errands per agent in `month` (entries recorded in it), from the rows."""
    rows = (
        _month_money(viewer=viewer, month=month)
        .values("case__agent", "case__agent__full_name", "case__agent__unit__name")
        .annotate(
            entries=Count("pk"),
            money_in=Sum("amount", filter=Q(direction=MoneyDirection.IN)),
            money_out=Sum("amount", filter=Q(direction=MoneyDirection.OUT)),
        )
        .order_by("case__agent__unit__name", "case__agent")
    )
    return [
        AgentMoney(
            agent_id=r["case__agent"],
            agent=r["case__agent__full_name"],
            unit=r["case__agent__unit__name"] or "",
            entries=r["entries"],
            money_in=_fen(r["money_in"]),
            money_out=_fen(r["money_out"]),
        )
        for r in rows
    ]


def errand_money_entries(*, viewer, month: dt.date) -> list[ErrandMoney]:
    """The money rows behind `errand_money_by_agent`: each entry recorded in `month`, by agent
    and time, with its errand (the paper register of money handled for people)."""
    return list(
        _month_money(viewer=viewer, month=month)
        .select_related("case__agent__unit")
        .order_by("case__agent__unit__name", "case__agent", "recorded_at", "pk")
    )
