"""Plain server-side SVG charts (no JavaScript, nothing fetched): bar charts for report pages."""

from django.utils.html import escape
from django.utils.safestring import mark_safe


def bar_chart(
    title: str, labels: list[str], series: list[tuple[str, list[float | None], str]], *, height=180
):
    """Grouped bars: `series` is [(name, values, colour)]. Returns safe SVG markup."""
    n = max(len(labels), 1)
    groups = len(series) or 1
    peak = max([v or 0 for _n, vals, _c in series for v in vals] + [1])
    group_w = 48 * groups + 16
    width = max(320, 60 + n * group_w)
    plot_h = height - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="40" y1="{plot_h + 20}" x2="{width - 10}" y2="{plot_h + 20}" stroke="#999"/>',
        f'<text x="4" y="24" font-size="11">{peak:g}</text>',
    ]
    for i, label in enumerate(labels):
        x0 = 48 + i * group_w
        for j, (name, values, colour) in enumerate(series):
            v = values[i] or 0
            h = round(plot_h * v / peak)
            x = x0 + j * 48
            parts.append(
                f'<rect x="{x}" y="{plot_h + 20 - h}" width="40" height="{h}" fill="{colour}">'
                f"<title>{escape(label)} {escape(name)}: {v:g}</title></rect>"
                f'<text x="{x + 20}" y="{plot_h + 16 - h}" font-size="11" text-anchor="middle">'
                f"{v:g}</text>"
            )
        parts.append(
            f'<text x="{x0 + 20 * groups}" y="{plot_h + 36}" font-size="11" '
            f'text-anchor="middle">{escape(label[:10])}</text>'
        )
    for j, (name, _values, colour) in enumerate(series):
        parts.append(
            f'<rect x="{48 + j * 110}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{62 + j * 110}" y="{height - 5}" font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above
