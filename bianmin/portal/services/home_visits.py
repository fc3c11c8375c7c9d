"""Home visits (上门服务): a request for the village agent, registered as a proxy case."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.catalog.models import ItemVersion
from bianmin.common.errors import ValidationFailed
from bianmin.common.validators import normalize_id_number
from bianmin.common.workflow import transition
from bianmin.orgs.models import Unit, UnitKind

from ..models import HomeVisitRequest
from ..workflow import HomeVisitMachine
from .base import create_with_code, phone_or_blank


@transaction.atomic
def home_visit_request(
    *,
    station: Unit,
    item_version: ItemVersion,
    reason: str,
    name: str,
    id_number: str,
    phone: str,
    address: str,
    note: str = "",
) -> HomeVisitRequest:
    """上门服务: the elderly, the disabled and pregnant women may ask the village agent to come.

    Only for items the agent can take by proxy; the agent registers the proxy case at the visit,
    when the applicant signs the entrustment (`home_visit_register`).
    """
    if station.kind != UnitKind.VILLAGE_STATION:
        raise ValidationFailed(_("请选择所在村(社区)"), field="station")
    if reason not in HomeVisitRequest.Reason.values:
        raise ValidationFailed(_("上门服务面向老年人、残疾人和孕产妇，请选择原因"), field="reason")
    if not item_version.village_proxy:
        raise ValidationFailed(_("该事项不在村级代办范围内，不能上门代办"), field="item")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写姓名"), field="name")
    try:
        id_number = normalize_id_number(id_number)
    except ValidationError as e:
        raise ValidationFailed(e.messages[0], field="id_number") from None
    address = (address or "").strip()
    if not address:
        raise ValidationFailed(_("请填写上门地址"), field="address")
    return create_with_code(
        HomeVisitRequest,
        station=station,
        item_version=item_version,
        reason=reason,
        name=name[:50],
        id_number=id_number,
        phone=phone_or_blank(phone, required=True),
        address=address[:200],
        note=(note or "").strip()[:300],
    )


def home_visit_register(
    *, request: HomeVisitRequest, actor, entrustment_signed: bool
) -> HomeVisitRequest:
    """The agent visited and the applicant signed the entrustment: the proxy case is opened
    (`workflow.e_register`)."""
    return transition(
        HomeVisitMachine(),
        request,
        action="register",
        actor=actor,
        entrustment_signed=entrustment_signed,
    )
