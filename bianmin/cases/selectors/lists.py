"""The case list (办件查询): the staff search, the dashboard's filters and the queues, one page at a
time, newest first."""

import base64
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from bianmin.catalog.models import ItemVersion
from bianmin.common.errors import ValidationFailed
from bianmin.orgs.models import Region
from bianmin.orgs.scope import Scope, scope_for

from ..models import Case, Channel, State
from .access import cases_visible, open_cases_visible
from .queues import QUEUE_STATES, queue_case_ids
from .rows import CaseRow, case_rows


def _encode_cursor(case: CaseRow) -> str:
    raw = f"{case.created_at.isoformat()}|{case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return dt.datetime.fromisoformat(at), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(_("分页游标无效"), field="cursor") from None


@dataclass(frozen=True)
class Page:
    items: list[CaseRow]
    next_cursor: str | None


# Case search (办件查询): what one box may hold, and how each reading is matched.
SEARCH_MAX = 50
ID_NUMBER_RE = re.compile(r"\d{17}[\dX]")
CREDIT_CODE_RE = re.compile(r"[0-9A-HJ-NP-RTUWXY]{18}")
PHONE_TYPED_RE = re.compile(r"\d[\d-]*\d")
PHONE_TAIL_MIN = 4


def _search_text(q: str) -> str:
    """The box's text with full-width forms folded (NFKC: `１３９` -> `139`, `ｘ` -> `x`) and
    spaces removed (`139 1234 5678`, a name typed with a space)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", q or ""))
    if len(text) > SEARCH_MAX:
        raise ValidationFailed(_("查询内容不能超过%(n)s个字符") % {"n": SEARCH_MAX}, field="q")
    return text


def _search_arms(text: str) -> Q:
    """The ways one search text can name cases (any of them matches):

    - a case number: exact or a prefix, any case (numbers are stored upper case);
    - an applicant's name: contains the text;
    - a 居民身份证号: exact, a lowercase x read as X (GB 11643);
    - a 统一社会信用代码: exact;
    - a phone number: exact, or its last 4 or more digits.
    """
    upper = text.upper()
    arms = Q(applicant_name__icontains=text)
    if upper[:1].isalpha():
        # The range lets the unique index on the number answer it (LIKE alone cannot use it on
        # SQLite); the prefix test keeps it exact under any collation.
        arms |= Q(number__gte=upper, number__lt=upper + "\uffff", number__startswith=upper)
    if ID_NUMBER_RE.fullmatch(upper):
        arms |= Q(id_number=upper)
    if CREDIT_CODE_RE.fullmatch(upper):
        arms |= Q(credit_code=upper)
    if PHONE_TYPED_RE.fullmatch(text):
        digits = text.replace("-", "")
        arms |= Q(phone=text)
        if len(digits) >= PHONE_TAIL_MIN:
            arms |= Q(phone__endswith=digits)
    return arms


def _as_date(value: dt.date | str | None, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(
            _("日期格式不正确：%(v)s（应为 YYYY-MM-DD）") % {"v": value}, field=field
        ) from None


CASE_COLOURS = ("green", "yellow", "red")


def case_colours(*, viewer, cases: QuerySet[Case], today: dt.date) -> dict[int, str]:
    """{pk: colour} of the unfinished cases among `cases` on `today`, by the rule named in
    `settings.BIANMIN_CASE_COLOURS` (supervision's worst running clock, RULES.md "Supervision"):
    the supervision dashboard counts with the same function, so its counts and these lists agree.
    """
    rule = import_string(settings.BIANMIN_CASE_COLOURS)
    return rule(viewer=viewer, cases=cases, today=today)


def case_list(
    *,
    viewer,
    state: str | None = None,
    unit: int | None = None,
    overdue: bool | None = None,
    queue: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    today: dt.date | None = None,
    scope: Scope | None = None,
    q: str | None = None,
    item: str | None = None,
    channel: str | None = None,
    submitted_from: dt.date | str | None = None,
    submitted_to: dt.date | str | None = None,
    region: str | None = None,
    own_region: bool = False,
    colour: str | None = None,
    unfinished: bool = False,
) -> Page:
    """Newest first, keyset-paginated on (created_at, id), within the viewer's scope.

    Staff search (办件查询) narrows it further: `q` is one search box matched as a case number
    (exact or prefix), an applicant name (contains), an ID number or credit code (exact) or a
    phone (exact or its last 4+ digits), see `_search_arms`; `item` an item name (contains);
    `channel` one of `Channel`; `submitted_from` / `submitted_to` the intake date range
    (inclusive; dates or YYYY-MM-DD). Unknown states, queues, channels or dates are refused with
    the field named (422), never ignored.

    The counts of the supervision dashboard link here: `region` narrows to a region's subtree
    (`own_region`: to cases of that region itself, held at its own hall, not of its children),
    `unit` to the cases a unit holds, `unfinished` to the unfinished cases and `colour` (green,
    yellow, red) to those whose worst running clock has that colour on `today`, by the rule
    `settings.BIANMIN_CASE_COLOURS` names (supervision's: cases may not import it).

    A queue, the overdue filter or an unfinished state confines the list to unfinished cases:
    those are read through `open_cases_visible` (index searches, a few hundred rows to sort)
    rather than by walking the whole history newest first until the page fills, which took
    hundreds of milliseconds for the overdue queue, whose cases are old (issue 8)."""
    today = today or timezone.localdate()
    scope = scope or scope_for(viewer)
    start, end, region_row = _checked_filters(
        state=state,
        channel=channel,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        colour=colour,
        region=region,
    )
    text = _search_text(q or "")
    item = (item or "").strip()
    unfinished_only = (
        state in QUEUE_STATES or bool(queue) or overdue is True or unfinished or bool(colour)
    )
    states = [state] if state else QUEUE_STATES
    if queue or overdue is not None:
        # Queue membership and lateness come from the queue table over the viewer's open cases
        # (a few thousand rows at most), never from a second SQL definition of either.
        queue_ids = queue_case_ids(
            viewer=viewer, queue=queue or "overdue", scope=scope, today=today
        )
    # How the unfinished cases are read (bench/bench_queries.py measures each against SQL):
    if queue:
        # The queue table read them through the viewer's scope already.
        qs = Case.objects.filter(state__in=states, pk__in=queue_ids)
    elif unfinished_only:
        qs = open_cases_visible(viewer=viewer, states=states, scope=scope)
    else:
        qs = cases_visible(viewer=viewer, scope=scope)
    if state:
        qs = qs.filter(state=state)
    if unit:
        qs = qs.filter(current_unit_id=unit)
    if region_row is not None:
        qs = qs.filter(
            Q(region=region_row) if own_region else Q(region__code__startswith=region_row.prefix)
        )
    if colour:
        coloured = case_colours(viewer=viewer, cases=qs, today=today)
        qs = Case.objects.filter(pk__in=[pk for pk, c in coloured.items() if c == colour])
    if overdue is not None and queue != "overdue":
        overdue_ids = (
            queue_ids
            if not queue
            else queue_case_ids(viewer=viewer, queue="overdue", scope=scope, today=today)
        )
        qs = qs.filter(pk__in=overdue_ids) if overdue else qs.exclude(pk__in=overdue_ids)
    qs = _searched(qs, text=text, item=item, channel=channel, start=start, end=end)
    # The page is taken from the matching ids as a subquery when the matches are few: with ORDER
    # BY ... LIMIT on the filtered query itself, SQLite walks the created_at index backwards and
    # tests the scope on every case it passes (a list of ids would also hit SQLite's parameter
    # limit at city scale). A search text matches few cases, so the same holds for it; the other
    # filters match many and keep the walk, which stops when the page is full.
    return _page(qs, cursor=cursor, limit=limit, by_ids=unfinished_only or bool(text))


def _checked_filters(
    *,
    state: str | None,
    channel: str | None,
    submitted_from: dt.date | str | None,
    submitted_to: dt.date | str | None,
    colour: str | None,
    region: str | None,
) -> tuple[dt.date | None, dt.date | None, Region | None]:
    """The list's filter values checked (an unknown value is refused with its field named): the
    intake date range as dates and the region row."""
    if state and state not in State.values:
        raise ValidationFailed(_("状态无效"), field="state")
    if channel and channel not in Channel.values:
        raise ValidationFailed(_("办理渠道无效：%(c)s") % {"c": channel}, field="channel")
    start = _as_date(submitted_from, "submitted_from")
    end = _as_date(submitted_to, "submitted_to")
    if start and end and start > end:
        raise ValidationFailed(_("截止日期不能早于起始日期"), field="submitted_to")
    if colour and colour not in CASE_COLOURS:
        raise ValidationFailed(_("时限颜色无效：%(c)s") % {"c": colour}, field="colour")
    region_row = None
    if region:
        region_row = Region.objects.filter(code=region.strip()).first()
        if region_row is None:
            raise ValidationFailed(_("区划 %(c)s 不存在") % {"c": region}, field="region")
    return start, end, region_row


def _searched(
    qs: QuerySet[Case],
    *,
    text: str,
    item: str,
    channel: str | None,
    start: dt.date | None,
    end: dt.date | None,
) -> QuerySet[Case]:
    """`qs` narrowed by the staff search (办件查询): the box, the item name, the channel, the
    intake date range."""
    if text:
        qs = qs.filter(_search_arms(text))
    if item:
        qs = qs.filter(
            item_version__in=ItemVersion.objects.filter(name__icontains=item).values("pk")
        )
    if channel:
        qs = qs.filter(channel=channel)
    if start:
        qs = qs.filter(submitted_on__gte=start)
    if end:
        qs = qs.filter(submitted_on__lte=end)
    return qs


def _page(qs: QuerySet[Case], *, cursor: str | None, limit: int, by_ids: bool) -> Page:
    """One page of `qs`, newest first, after `cursor` (keyset on created_at, id); `by_ids`: read
    the page from the matching ids as a subquery."""
    if cursor:
        at, pk = _decode_cursor(cursor)
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    limit = max(1, min(int(limit), 200))
    if by_ids:
        qs = Case.objects.filter(pk__in=qs.order_by().values("pk"))
    items = case_rows(qs.order_by("-created_at", "-pk")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return Page(items, _encode_cursor(items[-1]) if more and items else None)
