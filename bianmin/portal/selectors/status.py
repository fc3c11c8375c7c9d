"""A case's status as the applicant reads it (public lookup): the next step in plain words and the
days left."""

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import FINAL_STATES, Case, State

from .disclosure import mask_name

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


# What each timeline action means to the applicant, in plain words.
PLAIN_ACTIONS = {
    "register": _("申请已登记"),
    "entrust": _("代办员已接受您的委托"),
    "forward": _("材料已报送上级单位"),
    "receive": _("经办单位已接收"),
    "notify_missing": _("需要补正材料，已出具一次性告知书"),
    "supplement": _("补正材料已收到"),
    "accept": _("申请已受理，开始计算办理时限"),
    "deem_accept": _("依法视为已受理"),
    "decline": _("不予受理（见理由）"),
    "review": _("审核中"),
    "opine": _("联办部门已提出意见"),
    "decide": _("已作出决定"),
    "conclude": _("已办结"),
    "hand_back": _("办理结果正送回收件单位"),
    "deliver": _("结果已送达，您已签收"),
    "suspend": _("依法中止（特别程序），期间不计时"),
    "resume": _("恢复办理"),
    "extend": _("经批准延长办理期限"),
    "withdraw": _("申请已撤回"),
    "pledge_false": _("承诺不实，办件已终止或撤销"),
    "site_check": _("工作人员已现场核查（计入办理时限）"),
    "upload": _("材料电子件已上传"),
}
# Internal bookkeeping the applicant does not need to see.
HIDDEN_ACTIONS = {"assign", "release", "recompute", "file_review", "ab_cover", "ab_return"}


def _next_step(case: Case) -> "StrOrPromise":
    unit = case.current_unit
    if case.state == State.AWAITING_MATERIALS:
        return _("请按一次性告知书补交所列材料（可在本页上传，或交给代办员/窗口）。")
    if case.state == State.SUBMITTED:
        return _("等待%(u)s受理，您无需操作。") % {"u": unit.name}
    if case.state in (State.CONCLUDED, State.RETURNING):
        return _("已办结，结果将送回%(u)s，请留意领取通知。") % {"u": case.intake_unit.name}
    if case.state == State.TO_DELIVER:
        return _("结果已到%(u)s，请前往领取或等待代办员送达。") % {"u": unit.name}
    if case.state == State.CLOSED:
        return _("已办结送达。欢迎对本次服务进行评价。")
    if case.state == State.DECLINED:
        return _("本申请不予受理，理由见下。如有疑问可拨打咨询或投诉电话。")
    if case.state == State.SUSPENDED:
        return _("依法中止期间不计时，恢复后会继续办理。")
    if case.state in FINAL_STATES:
        return _("办件已结束。")
    return _("正在%(u)s办理，您无需操作。") % {"u": unit.name}


def _clock_until(case: Case, due: dt.date) -> tuple[int, int, bool]:
    """(working days used since take-in, left until `due`, overdue) on today, standing still
    while a pause is open, paused days excluded: `cases.deadlines.clock` measured against the
    proxy deadline instead of the deciding unit's promised date."""
    from bianmin.cases.deadlines import closed_pauses
    from bianmin.workdays.calendar import workdays_between

    open_pause = next((p for p in case.pauses.all() if p.ended_on is None), None)
    today = timezone.localdate()
    ref = min(today, open_pause.started_on) if open_pause else today
    pauses = closed_pauses(case)
    used = workdays_between(case.submitted_on, ref, pauses).workdays
    return used, workdays_between(ref, due, pauses).workdays, ref > due


def status_summary(case: Case) -> dict:
    """Everything the applicant may see about their own case, in plain words; no ID number.

    The due date is the one the applicant was given (`cases.documents.applicant_due`): the proxy
    deadline for a proxied case (代办承诺办结日期), else the promised date, or the promised limit
    in working days while the deciding unit's clock has not started; the days left count to it.
    """
    from bianmin.cases.deadlines import ClockKind, clock
    from bianmin.cases.documents import applicant_due
    from bianmin.cases.workflow import ACTION_LABELS

    events = [
        {
            "at": e.at,
            "text": PLAIN_ACTIONS.get(e.action) or ACTION_LABELS.get(e.action) or e.action,
            "unit": e.unit.name if e.unit else "",
        }
        for e in case.events.select_related("unit").order_by("seq")
        if e.action not in HIDDEN_ACTIONS
    ]
    notice = case.notices.order_by("-issued_at", "-pk").first()
    c = clock(case)
    due = applicant_due(case)
    days_used, days_left, overdue = c.days_used, c.days_left, c.overdue
    if due.kind == "proxy" and due.date is not None and c.kind == ClockKind.CASE:
        # The deciding unit's clock runs, but the applicant counts to the proxy deadline.
        days_used, days_left, overdue = _clock_until(case, due.date)
    rating = None
    try:
        from bianmin.ratings.models import Rating

        rating = Rating.objects.filter(case=case, channel="online").order_by("-pk").first()
    except ImportError:  # pragma: no cover - ratings app absent
        pass
    from bianmin.ratings.selectors import case_rectifications_public
    from bianmin.ratings.services import RATEABLE_STATES

    return {
        "number": case.number,
        "item": case.title,
        "item_code": case.item_version.item.local_code if case.item_version else "",
        "state": case.state,
        "state_label": case.get_state_display(),
        "applicant": mask_name(case.applicant_name),
        "submitted_on": case.submitted_on,
        "accepted_on": case.accepted_on,
        "due": due.as_dict(),
        "due_on": due.date,
        "days_used": days_used,
        "days_left": days_left,
        "overdue": overdue,
        "where": case.current_unit,
        "intake_unit": case.intake_unit,
        "next_step": _next_step(case),
        "reasons": case.reasons
        if case.state in (State.DECLINED,) or case.approved is False
        else "",
        "approved": case.approved,
        "notice": notice if case.state == State.AWAITING_MATERIALS else None,
        "timeline": events,
        "can_rate": case.state in RATEABLE_STATES,
        "rating": rating,
        "rectifications": case_rectifications_public(case),
        "is_online": hasattr(case, "application"),
    }
