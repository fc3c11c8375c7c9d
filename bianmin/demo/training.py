"""The demo county's training sessions: the approval bureau and the departments that delegate items
train township and village staff (RULES.md "Training (汉台 2023)").

Last year and this year up to today, each organiser's sessions planned over the whole year, so
the year fills as it passes. Most organisers meet their duty; a few of the delegating departments
fall short, so the shortfall page has something to say. Recorded through the training service by
the organiser's own head (the approval bureau's: the administrator), as staff would.
"""

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from bianmin.orgs.models import RoleCode, Staff, Unit, UnitKind

if TYPE_CHECKING:
    from .builder import DemoCounty

# Sessions a year held by the approval bureau (county centre); its duty is 2.
BUREAU_SESSIONS = (2, 3)
BUREAU_TOPICS = (
    "基层便民服务中心（站）标准化建设培训",
    "全程代办业务流程与一次性告知培训",
    "网上传件与高拍仪操作培训",
    "好差评与投诉处理规范培训",
)
# (topic pattern, audience) for the departments; "{d}" is the department's short name.
DEPARTMENT_TOPICS = (
    ("{d}下放事项受理审核要点培训", "township_village"),
    ("{d}下放事项办理流程与时限培训", "township"),
    ("{d}代办事项材料预审培训", "village"),
    ("{d}业务系统操作培训", "township"),
    ("{d}政策解读与常见问题培训", "township_village"),
)
# Departments short of their duty of 4 this year, as a share of the delegating departments.
SHORT_SHARE = 0.3


def _manager(unit: Unit) -> Staff | None:
    for s in Staff.objects.filter(unit=unit, user__is_active=True).order_by("pk"):
        if s.has_role(RoleCode.HEAD, RoleCode.ADMINISTRATOR):
            return s
    return None


def _dates(rng: random.Random, year: int, n: int) -> list[dt.date]:
    """`n` working-week days spread over the year, one in each of `n` equal stretches."""
    stretch = 365 // n
    out = []
    for i in range(n):
        day = dt.date(year, 1, 10) + dt.timedelta(days=i * stretch + rng.randrange(stretch - 20))
        out.append(day - dt.timedelta(days=max(0, day.weekday() - 4)))  # a weekend → Friday
    return out


def _attendees(rng: random.Random, people: list[Staff], audience: str, share: float) -> list[Staff]:
    township = [s for s in people if s.unit.kind != UnitKind.VILLAGE_STATION]
    village = [s for s in people if s.unit.kind == UnitKind.VILLAGE_STATION]
    chosen = []
    if audience in ("township", "township_village"):
        chosen += [s for s in township if rng.random() < 0.8]
    if audience in ("village", "township_village"):
        chosen += [s for s in village if rng.random() < share]
    return chosen or rng.sample(people, min(5, len(people)))


def build_training(seed: int, demo: "DemoCounty", *, today: dt.date | None = None) -> int:
    """Sessions of last year and this year up to `today`; returns how many were recorded."""
    from bianmin.staffing.selectors.training import (
        delegating_department_ids,
        training_candidates,
    )
    from bianmin.staffing.services.training import training_session_create

    today = today or timezone.localdate()
    rng = random.Random(f"{seed}:{demo.place.code}:training")
    delegating = delegating_department_ids()
    departments = [u for u in demo.departments.values() if u.pk in delegating]
    short = set(rng.sample([u.pk for u in departments], round(len(departments) * SHORT_SHARE)))
    people = training_candidates(organiser=demo.centre)
    made = 0
    for year in (today.year - 1, today.year):
        plans: list[tuple[Unit, list[tuple[str, str]]]] = [
            (
                demo.centre,
                [
                    (t, "township_village")
                    for t in rng.sample(BUREAU_TOPICS, rng.choice(BUREAU_SESSIONS))
                ],
            )
        ]
        for unit in departments:
            # This year's short departments hold 1-3 sessions; last year one in four fell short.
            behind = unit.pk in short if year == today.year else rng.random() < 0.25
            n = rng.randint(1, 3) if behind else rng.choice((4, 4, 5))
            name = unit.short_name or unit.name
            topics = rng.sample(DEPARTMENT_TOPICS, n)
            plans.append((unit, [(t.format(d=name), a) for t, a in topics]))
        for unit, sessions in plans:
            manager = _manager(unit)
            if manager is None:
                continue
            for (topic, audience), date in zip(
                sessions, _dates(rng, year, len(sessions)), strict=True
            ):
                if date > today:
                    continue  # planned for later this year
                share = 0.5 if unit.kind == UnitKind.COUNTY_CENTRE else 0.15
                training_session_create(
                    actor=manager.user,
                    topic=topic,
                    organiser=unit,
                    date=date,
                    hours=rng.choice(("2", "3", "4", "6")),
                    audience=audience,
                    attendees=_attendees(rng, people, audience, share),
                    note="",
                )
                made += 1
    return made
