"""Reach case states through the real services."""

from bianmin.cases.services import case_register, case_transition
from bianmin.cases.tests.conftest import PERSON, all_provided, signature_png


def register(county, version, *, staff=None, materials=None, **kw):
    staff = staff or county.t1_staff
    return case_register(
        actor=staff.user,
        item_version=version,
        channel=kw.pop("channel", "window"),
        materials=all_provided(version) if materials is None else materials,
        **{**PERSON, **kw},
    )


def do(case, action, staff, **kw):
    return case_transition(case=case, action=action, actor=staff.user, **kw)


def promised_at(county, items, state: str):
    """A township-accepted, county-decided promised case brought to `state`."""
    c = county
    if state == "forwarded":  # taken in at the village station, on its way to the township
        case = register(c, items.promised, staff=c.a11, channel="proxy", entrustment_signed=True)
        return do(case, "forward", c.a11)
    case = register(c, items.promised)
    path = {
        "submitted": [],
        "awaiting_materials": [
            ("notify_missing", c.t1_staff, {"materials": [_m(items, "申请表")]})
        ],
        "declined": [("decline", c.t1_staff, {"reasons": "不属于受理范围"})],
        "withdrawn": [("withdraw", c.t1_staff, {"reason": "申请人撤回"})],
        "accepted": [("accept", c.t1_staff, {})],
    }
    later = [
        ("accept", c.t1_staff, {}),
        ("forward", c.t1_staff, {}),
        ("receive", c.civil, {}),
        ("review", c.civil, {}),
    ]
    path["referred"] = later[:2]
    path["reviewed"] = later
    path["suspended"] = [*later, ("suspend", c.civil, {"reason": "expert_review", "told_days": 5})]
    path["decided"] = [*later, ("decide", c.civil, {"approved": True})]
    path["concluded"] = [*path["decided"], ("conclude", c.civil, {"certificate_number": "Z-1"})]
    path["returning"] = [*path["concluded"], ("hand_back", c.civil, {})]
    path["to_deliver"] = [*path["returning"], ("receive", c.t1_staff, {})]
    path["closed"] = [
        *path["to_deliver"],
        ("deliver", c.t1_staff, {"signature": signature_png(), "signed_by_name": "张三"}),
    ]
    for action, staff, kw in path[state]:
        case = do(case, action, staff, **kw)
    assert case.state == state
    return case


def _m(items, name):
    return items.promised.materials.get(name=name).pk
