"""Cases registered through `case_register` and walked to a state through `case_transition`."""

import io

import factory

from bianmin.cases.models import Case, State
from bianmin.cases.services import case_register, case_transition
from bianmin.catalog.models import CaseClass, Tier
from bianmin.orgs.models import Staff

from .items import ItemFactory

PERSON = {
    "applicant_kind": "person",
    "applicant_name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13800000001",
}


def signature_png() -> bytes:
    """A small white PNG, enough for the delivery receipt's signature."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buf, format="PNG")
    return buf.getvalue()


# Branches off the main route: the state they leave from and the action taking them there.
BRANCHES = {
    State.AWAITING_MATERIALS: (State.SUBMITTED, "notify_missing"),
    State.DECLINED: (State.SUBMITTED, "decline"),
    State.WITHDRAWN: (State.SUBMITTED, "withdraw"),
    State.SUSPENDED: (State.REVIEWED, "suspend"),
}


def _default_params(version) -> dict:
    """Parameters the engine needs for some actions, unless the caller gives its own."""
    return {
        "decline": {"reasons": "不属于受理范围"},
        "withdraw": {"reason": "申请人撤回"},
        "suspend": {"reason": "expert_review", "told_days": 5},
        "decide": {"approved": True},
        "conclude": {"certificate_number": "Z-1"} if version.result_is_certificate else {},
        "deliver": {"signature": signature_png(), "signed_by_name": "张三"},
    }


def _route(version, *, registrar, staff, decider, proxy: bool) -> list[tuple[str, object]]:
    """(action, actor) from registration to delivery, hop by hop: village agent to the township
    hall (proxy), up to the accepting and then the deciding unit, and back the same way."""
    holders = [registrar]
    plan: list[tuple[str, object]] = []

    def hop(to) -> None:
        plan.extend([("forward", holders[-1]), ("receive", to)])
        holders.append(to)

    if proxy:
        hop(staff)
    if version.accept_tier == Tier.COUNTY and holders[-1] != decider:
        hop(decider)
    plan.append(("accept", holders[-1]))
    if version.case_class == CaseClass.IMMEDIATE:
        plan.append(("conclude", holders[-1]))
    else:
        if holders[-1] != decider:
            hop(decider)
        plan.extend([("review", decider), ("decide", decider), ("conclude", decider)])
    for near, far in reversed(list(zip(holders, holders[1:], strict=False))):
        plan.extend([("hand_back", far), ("receive", near)])
    plan.append(("deliver", registrar))
    return plan


def _decider(version, staff):
    if staff.staff.unit_id == version.implementing_unit_id:
        return staff
    first = Staff.objects.filter(unit=version.implementing_unit).order_by("pk").first()
    return first.user if first else None


class CaseFactory(factory.Factory):
    """A case of `item_version` (a new ItemFactory item by default) brought to `state`.

    The window staff of 武乡镇 (`staff`) registers it, or with the `proxy` trait the 汉王村 agent
    takes it and forwards it to them. The case then goes the way the engine sends it: accepted
    where the item is accepted, referred to the deciding unit (`decider`: its first staff member
    unless given), reviewed, decided, concluded, handed back hop by hop and delivered. The branch
    states (awaiting materials, declined, withdrawn, suspended) leave that route at their place.
    `params` maps an action to the keywords it is called with, over the defaults above.
    `county` (the namespace of `bianmin.conftest.build_county`) names the default people; a case
    only registered needs none when `item_version` and `actor` are given.
    """

    class Meta:
        model = Case

    class Params:
        county = None
        proxy = factory.Trait(
            channel="proxy",
            actor=factory.LazyAttribute(lambda o: o.county.a11.user),
            entrustment_signed=True,
        )

    item_version = factory.LazyAttribute(lambda o: ItemFactory(county=o.county))
    channel = "window"
    actor = factory.SelfAttribute("staff")
    unit = None
    materials = factory.LazyAttribute(
        lambda o: {m.pk: "provided" for m in o.item_version.materials.all()}
    )
    applicant_kind = PERSON["applicant_kind"]
    applicant_name = PERSON["applicant_name"]
    id_number = PERSON["id_number"]
    phone = PERSON["phone"]
    entrustment_signed = False
    # Not case_register's: who moves the case on and how far (popped in `_create`).
    staff = factory.LazyAttribute(lambda o: o.county.t1_staff.user if o.county else None)
    decider = factory.LazyAttribute(lambda o: o.staff and _decider(o.item_version, o.staff))
    state = State.SUBMITTED
    params = factory.LazyFunction(dict)

    @classmethod
    def _create(cls, model_class, *args, staff, decider, state, params, **kwargs) -> Case:
        case = case_register(**kwargs)
        version = kwargs["item_version"]
        origin, branch = BRANCHES.get(state, (state, None))
        route = _route(
            version,
            registrar=kwargs["actor"],
            staff=staff,
            decider=decider,
            proxy=kwargs["channel"] == "proxy",
        )
        given = {**_default_params(version), **params}
        # A branch from "submitted" leaves where the case would be accepted.
        stop_before = "accept" if branch and origin == State.SUBMITTED else None
        branch_actor = decider
        for action, actor in route:
            if action == stop_before:
                branch_actor = actor
                break
            if stop_before is None and case.state == origin:
                break
            case = case_transition(case=case, action=action, actor=actor, **given.get(action, {}))
        if branch:
            case = case_transition(
                case=case, action=branch, actor=branch_actor, **given.get(branch, {})
            )
        if case.state != state:
            raise ValueError(f"{version} does not pass {state} on this route (at {case.state})")
        return case

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("CaseFactory only creates: a case exists once the engine registered it")
