"""Cases and credentials for the HTTP load test, on a database that holds the demo county.

Run by bench/bench_http.py in a process configured by its environment (DATABASE_URL ...):
`python bench/http/prepare.py OUT.json CASES`. Opens CASES cases (if fewer exist) through the real
services at every township centre over the demo's township-accepted items, accepts most and
concludes some, then writes the request mix's inputs: case numbers with their phone tails and
owning township, an API token and a session cookie per township staff account, item codes.
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
from django.test import RequestFactory  # noqa: E402

from bianmin.api.services import token_issue  # noqa: E402
from bianmin.cases import workflow  # noqa: E402
from bianmin.cases.models import Case  # noqa: E402
from bianmin.cases.services import case_register, case_transition  # noqa: E402
from bianmin.catalog.models import ItemVersion  # noqa: E402
from bianmin.common.errors import DomainError  # noqa: E402
from bianmin.orgs.models import Staff  # noqa: E402

DEMO_PASSWORD = "bianmin-demo"  # noqa: S105 - docs/demo.md
ID_NUMBERS = ["11010519491231002X", "440524188001010014"]


def township_staff() -> list[Staff]:
    return list(
        Staff.objects.filter(user__username__regex=r"^t\d\d-staff$")
        .select_related("user", "unit")
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
                if roll < 0.3 and "conclude" in workflow.allowed_actions(
                    state=case.state, case_class=case.case_class
                ):
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


def session_cookie(user) -> str:
    """A signed-in session for `user`, as the login view would store it."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(dt.timedelta(days=1))
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def main() -> None:
    out, target = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(2026)  # noqa: S311
    open_cases(target, rng)
    staff = township_staff()
    rf = RequestFactory()
    accounts = {}
    for s in staff:
        accounts[str(s.unit_id)] = {
            "username": s.user.username,
            "token": token_issue(
                request=rf.post("/api/v1/auth/token"),
                username=s.user.username,
                password=DEMO_PASSWORD,
            ),
            "cookie": session_cookie(s.user),
        }
    cases = list(Case.objects.order_by("?").values_list("number", "phone", "intake_unit_id")[:3000])
    data = {
        "accounts": accounts,
        "cases": [{"number": n, "tail": (p or "")[-4:], "unit": str(u)} for n, p, u in cases if p],
        "items": list(
            ItemVersion.objects.filter(status=ItemVersion.Status.PUBLISHED)
            .values_list("item__local_code", flat=True)
            .order_by("pk")[:200]
        ),
        "total_cases": Case.objects.count(),
    }
    out.write_text(json.dumps(data, ensure_ascii=False))
    print(f"  {data['total_cases']} cases in the database; mix inputs in {out}")


if __name__ == "__main__":
    main()
