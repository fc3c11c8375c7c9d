"""Reach case states through the real services (CaseFactory)."""

from bianmin.cases.services import case_transition
from bianmin.cases.tests.conftest import all_provided
from bianmin.tests_factories import CaseFactory


def register(county, version, *, staff=None, materials=None, **kw):
    """A case of `version` registered by `staff` (武乡镇's window by default), no further."""
    staff = staff or county.t1_staff
    return CaseFactory(
        county=county,
        item_version=version,
        actor=staff.user,
        materials=all_provided(version) if materials is None else materials,
        **kw,
    )


def do(case, action, staff, **kw):
    return case_transition(case=case, action=action, actor=staff.user, **kw)


def promised_at(county, items, state: str):
    """A township-accepted, county-decided promised case brought to `state` (taken in at the
    village station when `state` is "forwarded", on its way to the township)."""
    missing = items.promised.materials.get(name="申请表").pk
    return CaseFactory(
        county=county,
        item_version=items.promised,
        state=state,
        proxy=state == "forwarded",
        params={"notify_missing": {"materials": [missing]}},
    )
