"""In-app notifications of bad ratings to the responsible head (单位负责人), through supervision's
notifications: a new bad rating at once, and a call-back or fix past its working-day deadline
(RULES.md "Ratings": every bad rating is called back within 1 working day). Each is keyed, so a
re-run tells nobody twice."""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Level, Rectification, RectState
from .selectors import rectifications_overdue


def _tell_heads(rect: Rectification, *, text: str, key: str) -> int:
    # Supervision owns the notification rows and knows who heads a unit; imported here, as the
    # reports do, so that ratings does not load supervision at start-up.
    from bianmin.supervision.services.notify import heads_responsible, notify_once

    return notify_once(
        users=heads_responsible(rect.unit),
        text=text,
        link=reverse("ratings:detail", args=[rect.pk]),
        key=key,
    )


def rectification_opened_notify(rect: Rectification) -> int:
    """Tell the responsible unit's head of a new bad rating (1 or 2) and its call-back date."""
    rating = rect.rating
    return _tell_heads(
        rect,
        text=_("【差评】%(u)s 办件 %(c)s 获评「%(l)s」，请于 %(d)s 前回访。%(t)s")
        % {
            "u": rect.unit.name,
            "c": rect.case.number,
            "l": Level(rating.level).label,
            "d": rect.callback_due,
            "t": rating.comment[:60],
        },
        key=f"rectification:{rect.pk}:opened",
    )


@dataclass
class OverdueResult:
    today: dt.date
    overdue: int = 0
    notified: int = 0

    def as_dict(self) -> dict:
        return {"today": str(self.today), "overdue": self.overdue, "notified": self.notified}


def rectifications_overdue_notify(*, today: dt.date | None = None) -> OverdueResult:
    """Daily: tell the responsible head of every rectification whose call-back (due 1 working day
    after the bad rating) or fix by deadline is past due and not done. Once per overdue item and
    deadline: a re-run, or the next day's run, tells nobody again; a new deadline (a fix by
    deadline after a late call-back) is a new item. Run by `bianmin rectifications_overdue` or
    the `rectifications_overdue_task` on the task queue."""
    today = today or timezone.localdate()
    result = OverdueResult(today=today)
    for rect in rectifications_overdue(today=today).order_by("pk"):
        result.overdue += 1
        due: dt.date | None
        if rect.state == RectState.OPEN:
            text = _("【差评回访超期】%(u)s 整改 %(n)s：回访期限 %(d)s，尚未回访申请人")
            due, what = rect.callback_due, "callback"
        else:
            text = _("【差评整改超期】%(u)s 整改 %(n)s：整改期限 %(d)s，尚未整改完成")
            due, what = rect.fix_due, "fix"
        result.notified += _tell_heads(
            rect,
            text=text % {"u": rect.unit.name, "n": rect.number, "d": due},
            key=f"rectification:{rect.pk}:overdue:{what}:{due}",
        )
    return result
