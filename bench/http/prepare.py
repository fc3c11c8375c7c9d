"""Credentials and real request targets for the HTTP load test.

Run by bench/bench_http.py in a process configured by its environment (DATABASE_URL ...):
`python bench/http/prepare.py OUT.json CASES`.

On the county data set (`bianmin seed-demo --scale county`, 200,000 cases) nothing is opened: the
cases are there. On a smaller database (the fallback when that file does not exist) CASES cases
are opened first through the real services at every township centre (most accepted, some
concluded).

Then it writes the mix's inputs:
- accounts: every township centre's window staff and, per township, the agents of the three
  village stations holding the most unfinished cases; each with an API token and a signed-in
  session cookie (made directly: hashing a password per account would cost minutes at this size,
  and login throttling is not what is measured);
- cases: real case numbers owned (intake unit) by those accounts' units, with the phone tail the
  public status lookup needs; two thirds unfinished, one third finished, newest first;
- items: published item codes for the guide pages and the item API.
"""

import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from bianmin.api.models import ApiToken, hash_token, password_stamp  # noqa: E402
from bianmin.cases.models import FINAL_STATES, Case  # noqa: E402
from bianmin.cases.services import (  # noqa: E402
    case_actions_for,
    case_register,
    case_transition,
)
from bianmin.catalog.models import ItemVersion  # noqa: E402
from bianmin.common.errors import DomainError  # noqa: E402
from bianmin.orgs.models import RoleCode, Staff, UnitKind  # noqa: E402

ID_NUMBERS = ["11010519491231002X", "440524188001010014"]
STATIONS_PER_TOWNSHIP = 3
CASES_PER_UNIT = 60


def township_staff() -> list[Staff]:
    return list(
        Staff.objects.filter(user__username__regex=r"^t\d\d-staff$")
        .select_related("user", "unit__region")
        .order_by("user__username")
    )


def township_items() -> list[ItemVersion]:
    return list(
        ItemVersion.objects.filter(
            status=ItemVersion.Status.PUBLISHED,
            accept_tier="township",
            decide_tier="township",
        )
        .prefetch_related("materials")
        .order_by("pk")
    )


def open_cases(target: int, rng: random.Random) -> None:
    """The fallback data set: `target` cases opened through the services (slow, small scale)."""
    have = Case.objects.count()
    staff, items = township_staff(), township_items()
    if not staff or not items:
        raise SystemExit("the demo county is missing: run `bianmin seed-demo` first")
    usable: dict[int, list[ItemVersion]] = {}
    started, made, failed = time.monotonic(), 0, 0
    while have + made < target:
        s = staff[(have + made) % len(staff)]
        choices = usable.get(s.pk, items)
        version = rng.choice(choices)
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        try:
            with transaction.atomic():
                case = case_register(
                    actor=s.user,
                    item_version=version,
                    channel="window",
                    applicant_kind="person",
                    applicant_name=rng.choice("张王李赵刘陈杨黄")
                    + rng.choice(["伟", "芳", "娜", "强"]),
                    id_number=rng.choice(ID_NUMBERS),
                    phone=phone,
                    materials={m.pk: "provided" for m in version.materials.all()},
                )
                roll = rng.random()
                if roll < 0.8:
                    case = case_transition(case=case, action="accept", actor=s.user)
                if roll < 0.3 and "conclude" in case_actions_for(case, s.user):
                    case_transition(case=case, action="conclude", actor=s.user)
        except DomainError:
            failed += 1
            # This item is not taken at this township (routing): do not try it here again.
            usable[s.pk] = [v for v in choices if v.pk != version.pk] or items
            if failed > 2000:
                raise
            continue
        made += 1
        if made % 500 == 0:
            rate = made / (time.monotonic() - started)
            print(f"  {have + made} cases ({rate:.0f}/s)", flush=True)


def busiest_station_agents() -> list[Staff]:
    """Per township, the agents of the stations holding the most unfinished cases."""
    open_by_unit = dict(
        Case.objects.exclude(state__in=FINAL_STATES)
        .values_list("intake_unit_id")
        .annotate(n=Count("pk"))
        .values_list("intake_unit_id", "n")
    )
    agents = Staff.objects.filter(
        unit__kind=UnitKind.VILLAGE_STATION, user__is_active=True
    ).select_related("user", "unit__region")
    by_township: dict[str, list[Staff]] = {}
    for s in (s for s in agents if s.has_role(RoleCode.AGENT)):
        by_township.setdefault(s.unit.region.code[:9], []).append(s)
    chosen = []
    for _township, staff in sorted(by_township.items()):
        staff.sort(key=lambda s: (-open_by_unit.get(s.unit_id, 0), s.user.username))
        chosen += [s for s in staff[:STATIONS_PER_TOWNSHIP] if open_by_unit.get(s.unit_id)]
    return chosen


def session_cookie(user) -> str:
    """A signed-in session for `user`, as the login view would store it."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # The backend the login view would record: the last one (axes' comes first and only counts).
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(dt.timedelta(days=1))
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def api_token(user) -> str:
    """A bearer token as `token_issue` stores it (only the hash is kept, with the password stamp
    without which `token_user` refuses it as issued before a password change)."""
    raw = ApiToken.new_key()
    ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + dt.timedelta(days=1),
        password_stamp=password_stamp(user),
    )
    return raw


def owned_cases(unit_ids: list[int], rng: random.Random) -> list[dict]:
    """Per unit, its newest cases with a phone: two thirds unfinished, one third finished."""
    out = []
    fields = ("number", "phone", "intake_unit_id", "state")
    for unit in unit_ids:
        mine = Case.objects.filter(intake_unit_id=unit).exclude(phone="").order_by("-created_at")
        running = list(mine.exclude(state__in=FINAL_STATES).values_list(*fields)[:40])
        done = list(mine.filter(state__in=FINAL_STATES).values_list(*fields)[:20])
        out += running + done
    rng.shuffle(out)
    return [
        {"number": n, "tail": p[-4:], "unit": str(u), "open": s not in FINAL_STATES}
        for n, p, u, s in out
    ]


def main() -> None:
    out, target = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(2026)  # noqa: S311
    if Case.objects.count() < target:
        open_cases(target, rng)
    staff = township_staff() + busiest_station_agents()
    accounts = {}
    for s in staff:
        accounts[str(s.unit_id)] = {
            "username": s.user.username,
            "kind": s.unit.kind,
            "token": api_token(s.user),
            "cookie": session_cookie(s.user),
        }
    cases = owned_cases([int(u) for u in accounts], rng)
    data = {
        "accounts": accounts,
        "cases": cases,
        "items": list(
            ItemVersion.objects.filter(
                status=ItemVersion.Status.PUBLISHED, item__published_version__isnull=False
            )
            .values_list("item__local_code", flat=True)
            .order_by("pk")[:200]
        ),
        "total_cases": Case.objects.count(),
    }
    out.write_text(json.dumps(data, ensure_ascii=False))
    kinds = [a["kind"] for a in accounts.values()]
    print(
        f"  {data['total_cases']:,} cases in the database; {len(accounts)} accounts "
        f"({kinds.count(UnitKind.TOWNSHIP_CENTRE)} township centres, "
        f"{kinds.count(UnitKind.VILLAGE_STATION)} village stations); {len(cases)} case targets; "
        f"mix inputs in {out}",
        flush=True,
    )


if __name__ == "__main__":
    main()
