"""Cases for rating and report tests, moved through the case engine's real services.

`at(day)` holds the time (time-machine) at 10:00 China time on `day`, so cases can be spread over
past months.
"""

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine

from bianmin.cases.services import case_register, case_transition
from bianmin.catalog.models import ItemType, Tier
from bianmin.tests_factories import ItemFactory

CN = ZoneInfo("Asia/Shanghai")
PHONE = "13912345678"


@contextmanager
def at(day: dt.date, hour: int = 10):
    moment = dt.datetime(day.year, day.month, day.day, hour, tzinfo=CN)
    with time_machine.travel(moment.astimezone(dt.UTC), tick=False):
        yield moment


def township_item(county, *, code="T-001", name="临时救助审批", promised=5, proxy=True, **extra):
    """A promised item taken in and decided by the township centre."""
    fields = {
        "item_type": ItemType.PUBLIC_SERVICE,
        "acceptance_conditions": "本乡镇户籍",
        "statutory_limit": max(promised, 10),
        "materials": [{"name": "居民身份证", "originals": 1, "copies": 1}],
        "steps": [
            {"name": "受理", "tier": Tier.TOWNSHIP, "limit_days": 1},
            {"name": "审批", "tier": Tier.TOWNSHIP, "limit_days": max(promised - 1, 0)},
        ],
    }
    return ItemFactory(
        county=county,
        local_code=code,
        name=name,
        township=True,
        promised_limit=promised,
        village_proxy=proxy,
        **{**fields, **extra},
    )


def _materials(version) -> dict:
    return {m.pk: "provided" for m in version.materials.all()}


def register(county, version, *, day, proxy=False, agent=None, staff=None, name="张三"):
    """Register a case on `day`: at a village station by its agent (proxy) or at the township."""
    with at(day):
        if proxy:
            agent = agent or county.a11
            case = case_register(
                actor=agent.user,
                item_version=version,
                channel="proxy",
                applicant_kind="person",
                applicant_name=name,
                id_number="11010519491231002X",
                phone=PHONE,
                materials=_materials(version),
                entrustment_signed=True,
                entrustment_text="代为申请",
            )
            case = case_transition(case=case, action="forward", actor=agent.user)
            staff = staff or county.t1_staff
            case = case_transition(case=case, action="receive", actor=staff.user)
        else:
            staff = staff or county.t1_staff
            case = case_register(
                actor=staff.user,
                item_version=version,
                channel="window",
                applicant_kind="person",
                applicant_name=name,
                id_number="11010519491231002X",
                phone=PHONE,
                materials=_materials(version),
            )
    return case


def accept(case, staff, *, day):
    with at(day):
        return case_transition(case=case, action="accept", actor=staff.user)


def conclude(case, staff, *, day, approved=True):
    """Review, decide and conclude on `day` (the case must be accepted and at its decider)."""
    with at(day):
        case = case_transition(case=case, action="review", actor=staff.user)
        case = case_transition(
            case=case,
            action="decide",
            actor=staff.user,
            approved=approved,
            reasons="" if approved else "不符合条件",
        )
        return case_transition(case=case, action="conclude", actor=staff.user)


def concluded_case(county, version=None, *, day=None, staff=None, **kw):
    """A township case accepted and concluded on `day` (default today)."""
    from django.utils import timezone

    day = day or timezone.localdate()
    version = version or township_item(county)
    staff = staff or county.t1_staff
    case = register(county, version, day=day, staff=staff, **kw)
    case = accept(case, staff, day=day)
    return conclude(case, staff, day=day)
