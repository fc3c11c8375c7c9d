"""Rating statistics (好差评统计) per unit or per person over a date range: the page with its
chart, the Excel workbook and the print view, all from the same rows of `rating_stats`."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from bianmin.common.dbrouting import replica_reads
from bianmin.common.errors import ValidationFailed
from bianmin.common.inputs import parse_date
from bianmin.common.paper import Paper, paper_for, render_paper
from bianmin.common.sheets import Sheet, xlsx_response
from bianmin.orgs.scope import scope_for

from . import selectors
from .charts import good_bad_chart
from .models import RatingChannel


def date_range(params) -> tuple[dt.date | None, dt.date | None, dict[str, str]]:
    """The rating dates asked for (`from`, `to`, both included, either may be left open) and
    the error of each bound that cannot be used, in Chinese."""
    bounds: dict[str, dt.date | None] = {}
    errors = {}
    for key, label in (("from", _("开始日期")), ("to", _("结束日期"))):
        text = (params.get(key) or "").strip()
        bounds[key] = None
        if text:
            try:
                bounds[key] = parse_date(text, field=label)
            except ValidationFailed as e:
                errors[key] = e.message
    since, until = bounds["from"], bounds["to"]
    if since and until and since > until:
        errors["to"] = _("结束日期不能早于开始日期")
    return since, until, errors


def _period(since: dt.date | None, until: dt.date | None) -> str:
    if not since and not until:
        return _("全部")
    return _("%(a)s 至 %(b)s") % {
        "a": f"{since:%Y-%m-%d}" if since else _("不限"),
        "b": f"{until:%Y-%m-%d}" if until else _("不限"),
    }


def _title(group: str) -> str:
    return _("人员好差评统计") if group == "staff" else _("单位好差评统计")


def stats_paper(request, group: str, since, until) -> Paper:
    staff = getattr(request.user, "staff", None)
    unit = staff.unit.name if staff is not None and staff.unit_id else _("全县")
    query = request.GET.copy()
    query.pop("format", None)
    return paper_for(
        request,
        title=_title(group),
        unit=unit,
        period=_period(since, until),
        signatures=(_("统计人"), _("审核人")),
        back_url=reverse("ratings:stats") + ("?" + query.urlencode() if query else ""),
        wide=True,
    )


@login_required
@replica_reads
def stats(request):
    group = "staff" if request.GET.get("group") == "staff" else "unit"
    since, until, errors = date_range(request.GET)
    fmt = request.GET.get("format")
    may_export = not scope_for(request.user).is_empty
    if fmt in ("xlsx", "print") and not may_export:
        raise DjangoPermissionDenied(_("只有工作人员可以导出好差评统计"))
    if errors and fmt in ("xlsx", "print"):
        return HttpResponseBadRequest(
            "；".join(errors.values()), content_type="text/plain; charset=utf-8"
        )
    if errors:
        # Nothing filtered on a bound that cannot be read: the page says so and keeps the input.
        since = until = None
    rows = selectors.rating_stats(viewer=request.user, group=group, since=since, until=until)
    chart = good_bad_chart(_title(group) + " · " + _period(since, until), rows)
    if fmt in ("xlsx", "print"):
        paper = stats_paper(request, group, since, until)
        sheet = stats_sheet(rows, group, paper)
        if fmt == "xlsx":
            return xlsx_response(f"ratings-{group}.xlsx", [sheet])
        return render_paper(request, paper, [sheet], chart=chart)
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "ratings/stats.html",
        {
            "rows": rows,
            "group": group,
            "chart": chart,
            "errors": errors,
            "since": request.GET.get("from", ""),
            "until": request.GET.get("to", ""),
            "query": query.urlencode(),
            "may_export": may_export,
        },
        status=422 if errors else 200,
    )


def stats_sheet(rows, group: str, paper: Paper) -> Sheet:
    return Sheet(
        title=_("好差评统计"),
        caption=paper.caption,
        notes=paper.notes(),
        headers=[
            _("单位") if group == "unit" else _("工作人员"),
            _("评价数"),
            _("好评数"),
            _("差评数"),
            _("已整改"),
            _("实名差评"),
            _("按时回访"),
            _("好评率(%)"),
            _("差评率(%)"),
            _("整改率(%)"),
            _("按时回访率(%)"),
            _("现场评价数"),
            _("现场好评率(%)"),
            _("网上评价数"),
            _("网上好评率(%)"),
        ],
        rows=[
            [
                f.label,
                f.total,
                f.good,
                f.bad,
                f.rectified,
                f.named_bad,
                f.called_on_time,
                f.good_rate,
                f.bad_rate,
                f.rectified_rate,
                f.callback_rate,
                *_channel_cells(f),
            ]
            for f in rows
        ],
    )


def _channel_cells(f: selectors.RatingFigures) -> list:
    onsite = f.by_channel.get(RatingChannel.ONSITE)
    online = f.by_channel.get(RatingChannel.ONLINE)
    return [
        onsite.total if onsite else 0,
        onsite.good_rate if onsite else None,
        online.total if online else 0,
        online.good_rate if online else None,
    ]
