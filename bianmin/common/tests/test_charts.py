"""The server-drawn bar chart: two scalable drawings, named, escaped, with round gridlines."""

import re

from bianmin.common.charts import _scale, _shorten, bar_chart

SVG = re.compile(r"<svg [^>]*class=\"(chart-wide|chart-narrow)\"[^>]*>")


def test_chart_is_a_figure_with_a_wide_and_a_narrow_scalable_drawing():
    html = bar_chart(
        "逐月收件与办结",
        ["26-01", "26-02"],
        [("收件", [97, 73], "#3b6ea5"), ("办结", [104, None], "#4a9a5b")],
    )
    assert html.startswith('<figure class="chart">')
    svgs = SVG.findall(html)
    assert svgs == ["chart-wide", "chart-narrow"]
    for tag in re.findall(r"<svg [^>]*class=\"chart-[a-z]+\"[^>]*>", html):
        assert 'role="img"' in tag and 'aria-label="逐月收件与办结"' in tag
        assert re.search(r'viewBox="0 0 \d+ \d+"', tag)
        # No fixed size: the stylesheet makes it as wide as its container.
        assert " width=" not in tag and " height=" not in tag
    assert "<figcaption><strong>逐月收件与办结</strong>" in html
    assert html.count("<li>") == 2 and "办结</li>" in html  # the legend, as text
    assert "<title>26-02 办结：0</title>" in html  # a missing value draws as 0


def test_chart_escapes_every_text():
    html = bar_chart("<b>标题</b>", ["<i>村</i>"], [("<s>收件</s>", [1], "#000")])
    assert "<b>" not in html and "<i>" not in html and "<s>" not in html
    assert "&lt;i&gt;村&lt;/i&gt;" in html


def test_no_labels_or_no_series_draws_nothing():
    assert bar_chart("空", [], [("收件", [], "#000")]) == ""
    assert bar_chart("空", ["a"], []) == ""


def test_stacked_bars_show_the_total_per_label():
    html = bar_chart(
        "时限", ["北关街道"], [("正常", [2], "g"), ("预警", [1], "y"), ("超时", [3], "r")],
        stacked=True,
    )  # fmt: skip
    wide, narrow = html.split('class="chart-narrow"')
    assert ">6</text>" in wide and ">6</text>" in narrow


def test_gridlines_fall_on_round_numbers_and_whole_numbers_for_counts():
    assert _scale(133, True) == (50, 150)
    assert _scale(12, True) == (5, 15)
    assert _scale(1, True) == (1, 1)  # never a step of 0.25 cases
    assert _scale(0.9, False) == (0.5, 1.0)
    assert _scale(0, True) == (1, 1)


def test_shared_suffix_is_dropped_from_labels():
    names = ["北关街道便民服务中心", "武乡镇便民服务中心"]
    assert _shorten(names) == ["北关街道", "武乡镇"]
    assert _shorten(["新华社区", "东关里社区"]) == ["新华社区", "东关里社区"]  # too short
    assert _shorten(["北关街道便民服务中心"]) == ["北关街道便民服务中心"]
    assert _shorten(["服务中心", "东服务中心"]) == ["服务中心", "东服务中心"]  # nothing left
