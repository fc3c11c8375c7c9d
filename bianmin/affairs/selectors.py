"""Reads of village affairs: the public board (trusteeship and published deliberations, open to
everyone by law) and the confidential mediation records (village and township only)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from bianmin.common.errors import NotFound
from bianmin.orgs.models import Region

from .access import require_confidence
from .models import Asset, CashEntry, Contract, Deliberation, Direction, Mediation


def village_get(*, code: str) -> Region:
    village = Region.objects.filter(code=code, level="village").select_related("parent").first()
    if village is None:
        raise NotFound("village")
    return village


@dataclass(frozen=True)
class JournalLine:
    entry: CashEntry
    income: Decimal
    expense: Decimal
    balance: Decimal
    reversed_by: int | None


def journal(*, village: Region) -> list[JournalLine]:
    """The cash journal in entry order with the running balance (public: 三资 disclosure)."""
    entries = list(CashEntry.objects.filter(village=village).order_by("seq"))
    reversed_by = {e.reverses_id: e.seq for e in entries if e.reverses_id}
    balance = Decimal(0)
    out = []
    for e in entries:
        inc = e.amount if e.direction == Direction.INCOME else Decimal(0)
        exp = e.amount if e.direction == Direction.EXPENSE else Decimal(0)
        balance += inc - exp
        out.append(JournalLine(e, inc, exp, balance, reversed_by.get(e.pk)))
    return out


def balance_of(*, village: Region) -> Decimal:
    lines = journal(village=village)
    return lines[-1].balance if lines else Decimal(0)


@dataclass
class Board:
    village: Region
    assets: list
    journal: list[JournalLine]
    balance: Decimal
    contracts: list
    deliberations: list


def village_board(*, village: Region) -> Board:
    """Everything the villagers read on the public board."""
    lines = journal(village=village)
    contracts = list(
        Contract.objects.filter(village=village).prefetch_related("payments").order_by("start")
    )
    today = timezone.localdate()
    for c in contracts:
        c.overdue = [  # type: ignore[attr-defined]  # read by the board template
            p for p in c.payments.all() if p.entry_id is None and p.due_on <= today
        ]
    return Board(
        village,
        list(Asset.objects.filter(village=village)),
        lines,
        lines[-1].balance if lines else Decimal(0),
        contracts,
        list(Deliberation.objects.filter(village=village, published_on__isnull=False)),
    )


def mediations(*, viewer, village: Region) -> list[Mediation]:
    require_confidence(viewer, village)
    return list(Mediation.objects.filter(village=village))


def deliberations(*, viewer, village: Region) -> list[Deliberation]:
    require_confidence(viewer, village)
    return list(Deliberation.objects.filter(village=village))
