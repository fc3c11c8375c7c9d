"""Intake, acceptance and conclusion per second through the service layer (each call its own
transaction, with row lock, scope checks, deadlines and the hash-chained event). Prints only."""

import time

from _common import dataset, describe, user
from _record import record

from bianmin.cases.services import case_register, case_transition
from bianmin.catalog.models import CaseClass, ItemVersion

N = 200


def rate(label: str, fn, items) -> list:
    out = []
    t = time.perf_counter()
    for x in items:
        out.append(fn(x))
    took = time.perf_counter() - t
    record(label, took * 1000 / len(out))
    print(f"  {label:<46} {len(out) / took:>8.1f} /s   ({took * 1000 / len(out):.1f} ms each)")
    return out


def main() -> None:
    dataset()
    print(f"bench_services: {describe()}")
    staff = user("t01-staff")
    unit = staff.staff.unit
    version = (
        ItemVersion.objects.filter(
            status="published",
            case_class=CaseClass.IMMEDIATE,
            accept_tier="township",
            decide_tier="township",
        ).first()
        or ItemVersion.objects.filter(
            status="published", accept_tier="township", decide_tier="township"
        ).first()
    )
    materials = {m.pk: "provided" for m in version.materials.all()}
    print(f"\n[{unit.name}] {version.name} ({version.case_class}), {N} cases")

    def register(i):
        return case_register(
            actor=staff,
            item_version=version,
            channel="window",
            applicant_kind="person",
            applicant_name="测试申请人",
            id_number="11010519491231002X",
            phone="13800000001",
            unit=unit,
            materials=materials,
        )

    cases = rate("case_register (intake)", register, range(N))
    cases = rate(
        "case_transition accept",
        lambda c: case_transition(case=c, action="accept", actor=staff),
        cases,
    )
    if version.case_class == CaseClass.IMMEDIATE:
        rate(
            "case_transition conclude (decide + conclude)",
            lambda c: case_transition(
                case=c, action="conclude", actor=staff, approved=True, certificate_number="BENCH-1"
            ),
            cases,
        )


if __name__ == "__main__":
    main()
