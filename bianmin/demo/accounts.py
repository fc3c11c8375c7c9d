"""The demo accounts worth knowing, read back from the database for `bianmin demo-accounts`."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from bianmin.orgs.models import RoleCode

from .builder import DEMO_PASSWORD

MAIN_USERNAMES = [
    "admin",
    "supervisor",
    "c-window",
    "d01-staff",
    "d01-head",
    "d02-staff",
    "t01-staff",
    "t01-head",
    "t02-staff",
    "v0101-agent",
    "v0102-agent",
    "v0201-agent",
]

ROLE_EN = {
    RoleCode.APPLICANT: "applicant",
    RoleCode.AGENT: "village agent",
    RoleCode.WINDOW_STAFF: "window staff",
    RoleCode.CHIEF_REPRESENTATIVE: "chief representative",
    RoleCode.APPROVER: "approver",
    RoleCode.HEAD: "head",
    RoleCode.SUPERVISOR: "supervisor",
    RoleCode.ADMINISTRATOR: "administrator",
}


@dataclass(frozen=True)
class AccountRow:
    username: str
    full_name: str
    unit: str
    roles_zh: str
    roles_en: str


def main_accounts() -> list[AccountRow]:
    """The main demo accounts that exist in this database, in MAIN_USERNAMES order."""
    users = {
        u.username: u
        for u in get_user_model()
        .objects.filter(username__in=MAIN_USERNAMES)
        .select_related("staff__unit__parent")
    }
    rows = []
    for username in MAIN_USERNAMES:
        user = users.get(username)
        staff = getattr(user, "staff", None) if user else None
        if staff is None:
            continue
        unit = staff.unit
        unit_name = ""
        if unit is not None:
            unit_name = f"{unit.parent.name} {unit.name}" if unit.kind == "window" else unit.name
        roles = [RoleCode(r) for r in staff.roles]
        rows.append(
            AccountRow(
                username=username,
                full_name=staff.full_name,
                unit=unit_name,
                roles_zh="、".join(str(r.label) for r in roles),
                roles_en=", ".join(ROLE_EN[r] for r in roles),
            )
        )
    return rows


__all__ = ["DEMO_PASSWORD", "MAIN_USERNAMES", "AccountRow", "main_accounts"]
