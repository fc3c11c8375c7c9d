"""Sheets of the report pages: the same figures, the same columns, for Excel."""

from django.utils.translation import gettext as _

from bianmin.common.sheets import Sheet


def count_headers() -> list[str]:
    return [
        _("收件"),
        _("受理"),
        _("办结"),
        _("按时办结"),
        _("超时办结"),
        _("不予受理"),
        _("超期未办结"),
        _("按时办结率(%)"),
    ]


def proxy_headers() -> list[str]:
    return [
        _("代办收件"),
        _("代办办结"),
        _("代办按时"),
        _("代办超时"),
        _("代办送达"),
        _("代办按时率(%)"),
    ]


COUNT_FIELDS = (
    "received",
    "accepted",
    "concluded",
    "on_time",
    "overdue",
    "declined",
    "open_overdue",
    "on_time_rate",
)
PROXY_FIELDS = ("received", "concluded", "on_time", "overdue", "delivered", "on_time_rate")


def _c(d: dict) -> list:
    return [d.get(k) for k in COUNT_FIELDS]


def _p(d: dict) -> list:
    return [d.get(k) for k in PROXY_FIELDS]


def township_sheets(figures: dict, state_label: str = "") -> list[Sheet]:
    caption = f"{figures['unit']} {figures['month']} {_('月报')} {state_label}".strip()
    return [
        Sheet(
            title=_("汇总"),
            caption=caption,
            headers=[_("项目"), *count_headers(), *proxy_headers()],
            rows=[[_("合计"), *_c(figures["totals"]), *_p(figures["proxy_totals"])]],
        ),
        Sheet(
            title=_("分事项"),
            caption=caption,
            headers=[_("事项"), *count_headers()],
            rows=[[i["item"], *_c(i)] for i in figures["by_item"]],
        ),
        Sheet(
            title=_("分村(社区)"),
            caption=caption,
            headers=[_("村(社区)"), _("区划代码"), *count_headers(), *proxy_headers()],
            rows=[
                [v["name"], v["region_code"], *_c(v), *_p(v["proxy"])]
                for v in figures["by_village"]
            ],
        ),
    ]


def county_sheets(rollup: dict) -> list[Sheet]:
    caption = f"{rollup['month']} {_('全县月报汇总')}"
    rows = [
        [
            r["unit"].name,
            r["report"].get_state_display() if r["report"] else _("未生成"),
            _("是") if r["late"] else "",
            *_c(r["figures"]["totals"]),
            *_p(r["figures"]["proxy_totals"]),
        ]
        for r in rollup["rows"]
    ]
    if own := rollup.get("county_own"):
        rows.append([own["name"], "", "", *_c(own["totals"]), *_p(own["proxy_totals"])])
    rows.append([_("全县合计"), "", "", *_c(rollup["totals"]), *_p(rollup["proxy_totals"])])
    return [
        Sheet(
            title=_("全县汇总"),
            caption=caption,
            headers=[_("乡镇中心"), _("报送状态"), _("逾期"), *count_headers(), *proxy_headers()],
            rows=rows,
        )
    ]


def public_sheets(figures: dict) -> list[Sheet]:
    return [
        Sheet(
            title=_("逐月统计"),
            caption=figures["unit"] or _("全县"),
            headers=[
                _("月份"),
                _("收件"),
                _("办结"),
                _("按时办结率(%)"),
                _("评价数"),
                _("满意率(%)"),
                _("现场评价数"),
                _("现场满意率(%)"),
                _("网上评价数"),
                _("网上满意率(%)"),
            ],
            rows=[
                [
                    m["month"],
                    m["received"],
                    m["concluded"],
                    m["on_time_rate"],
                    m["ratings"],
                    m["satisfaction"],
                    m["ratings_onsite"],
                    m["satisfaction_onsite"],
                    m["ratings_online"],
                    m["satisfaction_online"],
                ]
                for m in figures["months"]
            ],
        ),
        Sheet(
            title=_("事项平均办理时间"),
            headers=[_("事项"), _("办结件数"), _("平均工作日")],
            rows=[[i["item"], i["cases"], i["avg_workdays"]] for i in figures["items"]],
        ),
    ]
