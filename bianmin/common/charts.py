"""Bar charts as inline SVG drawn on the server: no JavaScript, nothing fetched (intranet first).

A chart is a <figure> holding two drawings of the same figures, because text inside an SVG scales
with it and no single drawing stays readable from a 390 px phone to a 1280 px screen: columns for
a wide container, and horizontal bars with each label on its own line for a narrow one. Both have
a viewBox and take the container's width (height follows, site.css); a container query shows one.
The legend is HTML in the caption, so it wraps like text; the caption points to the table on the
page that holds the same figures, for screen readers and for anyone who wants the numbers.
"""

import math
from collections.abc import Sequence

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

Series = tuple[str, Sequence[float | int | None], str]  # name, one value per label, colour

FONT = 13  # user units; site.css keeps either drawing at 0.9 to 1.35 times its viewBox
WIDE_W, WIDE_PLOT_H, WIDE_TOP, WIDE_LEFT = 860, 200, 22, 44
NARROW_W, NARROW_BAR_H, NARROW_VALUE_W = 360, 14, 44


def _num(v: float | int | None) -> float:
    return float(v or 0)


def _fmt(v: float) -> str:
    return f"{v:g}"


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(chars - 1, 1)] + "…"


def _scale(top: float, whole: bool) -> tuple[float, float]:
    """Gridline step and axis maximum for values up to `top`: about four steps of 1, 2 or 5
    times a power of ten, whole steps for counts."""
    raw = max(top, 1e-9) / 4
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if step * m >= raw:
            step *= m
            break
    if whole:
        step = max(step, 1)
    return step, step * max(math.ceil(top / step), 1)


def _text_width(text: str, size: float = FONT) -> float:
    """Rough rendered width: a CJK character is a full em, anything else about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in text)


def _shorten(labels: list[str]) -> list[str]:
    """Drop a suffix every label shares ("…便民服务中心"): the title already says what they are."""
    if len(labels) < 2:
        return labels
    suffix = labels[0]
    for label in labels[1:]:
        while suffix and not label.endswith(suffix):
            suffix = suffix[1:]
    if len(suffix) < 3 or any(len(lb) <= len(suffix) for lb in labels):
        return labels
    return [lb[: -len(suffix)] for lb in labels]


def _svg(cls: str, width: float, height: float, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" aria-label="{escape(label)}" '
        f'font-size="{FONT}"><title>{escape(label)}</title>{"".join(body)}</svg>'
    )


def _totals(labels, series, stacked):
    if stacked:
        return [sum(_num(vals[i]) for _n, vals, _c in series) for i in range(len(labels))]
    return [max((_num(vals[i]) for _n, vals, _c in series), default=0) for i in range(len(labels))]


def _wide(title: str, labels: list[str], series: list[Series], stacked: bool) -> str:
    """Columns: one group per label, gridlines at round numbers, labels slanted when crowded."""
    n = max(len(labels), 1)
    values = [_num(v) for _n, vals, _c in series for v in vals]
    step, peak = _scale(
        max(_totals(labels, series, stacked), default=0), all(v == int(v) for v in values)
    )
    shown = [_clip(lb, 10) for lb in labels]
    longest = max((_text_width(lb) for lb in shown), default=0)
    left = WIDE_LEFT
    group_w = (WIDE_W - left - 8) / n
    slanted = longest > group_w - 4
    if slanted:  # the first label leans left past the axis: move the plot right to make room
        left = max(WIDE_LEFT, longest * 0.77 - group_w / 2 + 4)
        group_w = (WIDE_W - left - 8) / n
    bars = 1 if stacked else max(len(series), 1)
    bar_w = min(40.0, (group_w * 0.8) / bars)
    label_room = longest * 0.65 + 16 if slanted else 22
    base = WIDE_TOP + WIDE_PLOT_H
    height = base + label_room + 4
    body = []
    ticks = round(peak / step)
    for k in range(ticks + 1):
        y = base - WIDE_PLOT_H * k / ticks
        body.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{WIDE_W - 4}" y2="{y:.1f}" '
            f'stroke="{"#8a94a3" if k == 0 else "#e3e7ee"}"/>'
            f'<text x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end" fill="#5b6575">'
            f"{_fmt(step * k)}</text>"
        )
    for i, label in enumerate(labels):
        x0 = left + i * group_w + (group_w - bar_w * bars) / 2
        y_stack = base
        for j, (name, vals, colour) in enumerate(series):
            v = _num(vals[i])
            h = WIDE_PLOT_H * v / peak
            x = x0 if stacked else x0 + j * bar_w
            y = (y_stack if stacked else base) - h
            if stacked:
                y_stack = y
            tip = f"{label} {name}：{_fmt(v)}"
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(tip)}</title></rect>'
            )
            if not stacked and bar_w >= 22:
                body.append(
                    f'<text x="{x + bar_w / 2 - 1:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                    f'font-size="11">{_fmt(v)}</text>'
                )
        if stacked:
            total = sum(_num(vals[i]) for _n, vals, _c in series)
            body.append(
                f'<text x="{x0 + bar_w / 2 - 1:.1f}" y="{y_stack - 3:.1f}" text-anchor="middle" '
                f'font-size="11">{_fmt(total)}</text>'
            )
        cx = left + (i + 0.5) * group_w
        if slanted:
            body.append(
                f'<text transform="translate({cx:.1f} {base + 14}) rotate(-40)" '
                f'text-anchor="end">{escape(shown[i])}<title>{escape(label)}</title></text>'
            )
        else:
            body.append(
                f'<text x="{cx:.1f}" y="{base + 17}" text-anchor="middle">{escape(label)}</text>'
            )
    return _svg("chart-wide", WIDE_W, height, title, body)


def _narrow(title: str, labels: list[str], series: list[Series], stacked: bool) -> str:
    """Horizontal bars, each label on its own line above its bars: readable on a phone."""
    peak = max(max(_totals(labels, series, stacked), default=0), 1)
    bar_area = NARROW_W - NARROW_VALUE_W
    bars = 1 if stacked else max(len(series), 1)
    group_h = FONT + 9 + bars * (NARROW_BAR_H + 4) + 10
    body = []
    for i, label in enumerate(labels):
        y0 = i * group_h
        body.append(
            f'<text x="0" y="{y0 + FONT:.0f}">{escape(_clip(label, 28))}'
            f"<title>{escape(label)}</title></text>"
        )
        y = y0 + FONT + 9
        x = 0.0
        for name, values, colour in series:
            v = _num(values[i])
            w = bar_area * v / peak
            tip = f"{label} {name}：{_fmt(v)}"
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{NARROW_BAR_H}" '
                f'fill="{colour}"><title>{escape(tip)}</title></rect>'
            )
            if stacked:
                x += w
            else:
                body.append(
                    f'<text x="{w + 4:.1f}" y="{y + NARROW_BAR_H - 3}" font-size="12">'
                    f"{_fmt(v)}</text>"
                )
                y += NARROW_BAR_H + 4
        if stacked:
            total = sum(_num(vals[i]) for _n, vals, _c in series)
            body.append(
                f'<text x="{x + 4:.1f}" y="{y + NARROW_BAR_H - 3}" font-size="12">'
                f"{_fmt(total)}</text>"
            )
    return _svg("chart-narrow", NARROW_W, max(len(labels), 1) * group_h, title, body)


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    stacked: bool = False,
    data_note: str | None = None,
) -> SafeString:
    """A bar chart of `series` ([(name, values, colour)], one value per label) as a <figure>:
    grouped bars, or segments of one bar per label when `stacked`. `data_note` says where the
    same figures stand as a table (default: the table below)."""
    labels, series = [str(lb) for lb in labels], list(series)
    if not labels or not series:
        return mark_safe("")  # noqa: S308 - constant
    legend = format_html_join(
        "",
        '<li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">'
        '<rect width="10" height="10" fill="{}"/></svg>{}</li>',
        ((colour, name) for name, _v, colour in series),
    )
    short = _shorten(labels)
    drawings = _wide(title, short, series, stacked) + _narrow(title, short, series, stacked)
    return format_html(
        '<figure class="chart"><figcaption><strong>{}</strong><ul class="legend">{}</ul>'
        '<span class="muted">{}</span></figcaption>{}</figure>',
        title,
        legend,
        data_note if data_note is not None else _("图中数据见下表。"),
        mark_safe(drawings),  # noqa: S308 - every text in the drawings is escaped above
    )
