"""Stacked bar charts as inline SVG, drawn on the server: no JavaScript, nothing to download."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = {"green": "#2e7d32", "yellow": "#f0a500", "red": "#c62828"}


def stacked_bars(
    rows: list[dict], *, keys=("green", "yellow", "red"), title: str = ""
) -> SafeString:
    """One horizontal bar per row ({"name": ..., "green": n, ...}), segments in `keys` order."""
    if not rows:
        return mark_safe("")  # noqa: S308 - constant
    label_w, bar_w, row_h = 170, 420, 26
    top = max(max(sum(r.get(k, 0) for k in keys) for r in rows), 1)
    height = row_h * len(rows) + 8
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {label_w + bar_w + 60} {height}" '
        f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, r in enumerate(rows):
        y = 4 + i * row_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" font-size="13">'
            f"{escape(r['name'])}</text>"
        )
        x = label_w
        total = 0
        for k in keys:
            n = int(r.get(k, 0))
            total += n
            w = bar_w * n / top
            if n:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                    f'fill="{COLOURS[k]}"><title>{escape(k)}: {n}</title></rect>'
                )
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 16}" font-size="13">{total}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
