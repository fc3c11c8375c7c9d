"""The administrator's form for a year's holiday schedule, typed as the State Council notice reads."""

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common.forms import GateMixin

from .services import MAX_YEAR, MIN_YEAR, NAME_MAX, NOTE_MAX

# A year of holidays and adjusted working days is a few dozen lines.
DAYS_TEXT_MAX = 4000

# A line: a date or a range of dates, then an optional name.
# 2027-01-01 元旦 / 2027-02-06~2027-02-13 春节 (also ～, 至, or " - " between the dates).
LINE = re.compile(
    r"^(?P<start>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:\s*(?:~|～|至|\s-\s)\s*(?P<end>\d{4}-\d{1,2}-\d{1,2}))?"
    r"(?:\s+(?P<name>.+?))?\s*$"
)
MAX_RANGE_DAYS = 31


def _date(text: str, lineno: int) -> dt.date:
    try:
        return dt.date(*map(int, text.split("-")))
    except ValueError:
        raise ValidationError(
            _("第 %(n)s 行：“%(t)s”不是有效日期") % {"n": lineno, "t": text}
        ) from None


def parse_days(
    text: str, year: int | None, *, weekend_only: bool = False
) -> list[tuple[dt.date, str]]:
    """Lines of `YYYY-MM-DD 名称` or `YYYY-MM-DD~YYYY-MM-DD 名称` into (date, name) pairs.

    Every bad line is reported with its number; blank lines and lines starting with # are skipped.
    """
    days: list[tuple[dt.date, str]] = []
    errors: list[str] = []
    first_line: dict[dt.date, int] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("／", "-").replace("/", "-")
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        if not m:
            errors.append(
                _(
                    "第 %(n)s 行：无法识别“%(t)s”，应为“YYYY-MM-DD 名称”或“YYYY-MM-DD~YYYY-MM-DD 名称”"
                )
                % {"n": lineno, "t": raw.strip()}
            )
            continue
        try:
            start = _date(m["start"], lineno)
            end = _date(m["end"], lineno) if m["end"] else start
        except ValidationError as e:
            errors.extend(e.messages)
            continue
        name = (m["name"] or "").strip()
        if end < start:
            errors.append(_("第 %(n)s 行：结束日期早于开始日期") % {"n": lineno})
            continue
        if (end - start).days >= MAX_RANGE_DAYS:
            errors.append(
                _("第 %(n)s 行：区间超过 %(d)s 天，请检查") % {"n": lineno, "d": MAX_RANGE_DAYS}
            )
            continue
        if len(name) > NAME_MAX:
            errors.append(_("第 %(n)s 行：名称最多 %(m)s 个字") % {"n": lineno, "m": NAME_MAX})
            continue
        if year is not None and (start.year != year or end.year != year):
            errors.append(_("第 %(n)s 行：日期不属于 %(y)s 年") % {"n": lineno, "y": year})
            continue
        day = start
        while day <= end:
            if weekend_only and day.weekday() < 5:
                errors.append(
                    _("第 %(n)s 行：%(d)s 是周一至周五，本来就上班，不是调休上班日")
                    % {"n": lineno, "d": day}
                )
            elif day in first_line:
                errors.append(
                    _("第 %(n)s 行：%(d)s 与第 %(m)s 行重复")
                    % {"n": lineno, "d": day, "m": first_line[day]}
                )
            else:
                first_line[day] = lineno
                days.append((day, name))
            day += dt.timedelta(days=1)
    if errors:
        raise ValidationError(errors)
    return days


def format_days(days) -> str:
    """The inverse of `parse_days`: consecutive days with the same name become one range line."""
    lines: list[str] = []
    run: list = []

    def flush() -> None:
        if run:
            a, b, name = run[0][0], run[-1][0], run[0][1]
            span = f"{a.isoformat()}~{b.isoformat()}" if a != b else a.isoformat()
            lines.append(f"{span} {name}".rstrip())

    for day, name in sorted(days):
        if run and (day - run[-1][0]).days == 1 and name == run[-1][1]:
            run.append((day, name))
        else:
            flush()
            run = [(day, name)]
    flush()
    return "\n".join(lines)


class CalendarYearForm(GateMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    holidays = forms.CharField(
        label=gettext_lazy("放假日期"),
        max_length=DAYS_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 60, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "每行一项：“2027-01-01 元旦”或区间“2027-02-06~2027-02-13 春节”，"
            "区间含首尾两天，周末也一并写入。"
        ),
    )
    workdays = forms.CharField(
        label=gettext_lazy("调休上班日期"),
        max_length=DAYS_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60, "spellcheck": "false"}),
        help_text=gettext_lazy("每行一天：“2027-02-20 春节调休”。只填需要上班的周六、周日。"),
    )
    note = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=NOTE_MAX,
        required=False,
        help_text=gettext_lazy(
            "如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）"
        ),
    )

    # Offered once the entered days raised a doubt (`services.calendar_year_doubts`).
    confirm = forms.BooleanField(label=gettext_lazy("已核对，按此保存"), required=False)

    def clean(self):
        data = super().clean()
        year = data.get("year")
        for name in ("holidays", "workdays"):
            if name in data:
                try:
                    data[name] = parse_days(data[name], year, weekend_only=name == "workdays")
                except ValidationError as e:
                    self.add_error(name, e)
        if "holidays" in data and not data["holidays"]:
            self.add_error("holidays", _("请至少填写一天法定节假日"))
        return data
