"""The rating statistics chart: plain server-side SVG (no JavaScript, nothing fetched) that
scales to its container (a viewBox, width 100%), like the report charts."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .selectors import RatingFigures

GOOD, BAD = "#4a9a5b", "#c0392b"
# Narrow enough that the labels stay readable when the chart shrinks to a 390 px phone.
WIDTH, LABEL_W, ROW_H, TOP, BOTTOM = 480, 120, 26, 30, 26


def good_bad_chart(title: str, rows: list[RatingFigures]) -> SafeString:
    """One horizontal bar per unit or person: good ratings (levels 5-3) and bad ones (2-1) side
    by side on one scale, the good-rate at the end of the bar."""
    plot_w = WIDTH - LABEL_W - 80
    peak = max([f.good + f.bad for f in rows] + [1])
    height = TOP + ROW_H * max(len(rows), 1) + BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="13" font-weight="600">{escape(title)}</text>',
    ]
    for i, f in enumerate(rows):
        y = TOP + i * ROW_H
        good_w = round(plot_w * f.good / peak)
        bad_w = round(plot_w * f.bad / peak)
        rate = "—" if f.good_rate is None else f"{f.good_rate:g}%"
        label = f.label if len(f.label) <= 8 else f.label[:7] + "…"
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 16}" font-size="12" text-anchor="end">'
            f"<title>{escape(f.label)}</title>{escape(label)}</text>"
            f'<rect x="{LABEL_W}" y="{y + 4}" width="{good_w}" height="16" fill="{GOOD}">'
            f"<title>{escape(f.label)} {escape(_('好评'))}: {f.good}</title></rect>"
            f'<rect x="{LABEL_W + good_w}" y="{y + 4}" width="{bad_w}" height="16" fill="{BAD}">'
            f"<title>{escape(f.label)} {escape(_('差评'))}: {f.bad}</title></rect>"
            f'<text x="{LABEL_W + good_w + bad_w + 6}" y="{y + 16}" font-size="12">'
            f"{f.good}/{f.bad} · {escape(rate)}</text>"
        )
    if not rows:
        parts.append(
            f'<text x="{LABEL_W}" y="{TOP + 16}" font-size="12">{escape(_("暂无评价"))}</text>'
        )
    legend_y = height - 8
    for j, (name, colour) in enumerate(((_("好评"), GOOD), (_("差评"), BAD))):
        x = LABEL_W + j * 90
        parts.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{legend_y}" font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above
