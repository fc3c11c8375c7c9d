"""The dashboard's time-limit chart: one bar per region or unit, green, yellow and red segments."""

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from bianmin.common.charts import bar_chart

COLOURS = {"green": "#2e7d32", "yellow": "#f0a500", "red": "#c62828"}


def stacked_bars(
    rows: list[dict], *, keys=("green", "yellow", "red"), title: str = ""
) -> SafeString:
    """One bar per row ({"name": ..., "green": n, ...}), segments in `keys` order."""
    names = {"green": _("正常"), "yellow": _("预警"), "red": _("超时")}
    return bar_chart(
        title,
        [r["name"] for r in rows],
        [(names[k], [int(r.get(k, 0)) for r in rows], COLOURS[k]) for k in keys],
        stacked=True,
    )
