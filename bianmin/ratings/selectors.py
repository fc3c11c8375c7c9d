"""Reads of ratings and rectifications, always through the viewer's access scope."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from bianmin.cases.models import ERRAND, Case
from bianmin.cases.selectors import case_get
from bianmin.common.errors import NotFound, PermissionDenied
from bianmin.orgs.scope import scope_for

from .models import (
    BAD_LEVELS,
    GOOD_LEVELS,
    Outcome,
    Rating,
    RatingChannel,
    RatingKind,
    Rectification,
    RectState,
)
from .services import RATEABLE_STATES

# The channels every figure is split by (RULES.md "Ratings": one rating per case per channel).
CHANNELS = (RatingChannel.ONSITE, RatingChannel.ONLINE)


def _scoped(qs: QuerySet, viewer, *, unit: str, intake: str, region: str) -> QuerySet:
    scope = scope_for(viewer)
    if scope.kind == "all":
        return qs
    if scope.is_empty:
        return qs.none()
    units = list(scope.unit_ids)
    q = Q(**{f"{unit}__in": units}) | Q(**{f"{intake}__in": units})
    if scope.sees_region_cases:
        q |= Q(**{f"{region}__startswith": scope.region_prefix})
    return qs.filter(q)


def rectifications_visible(*, viewer) -> QuerySet[Rectification]:
    """Rectifications of the viewer's units (responsible or intake) and, for everyone but
    departments, of the cases of their regions."""
    qs = Rectification.objects.select_related(
        "rating", "case", "unit", "staff_user__staff", "case__item_version"
    )
    return _scoped(qs, viewer, unit="unit", intake="case__intake_unit", region="case__region__code")


def rectification_list(*, viewer, state: str | None = None, overdue_on: dt.date | None = None):
    qs = rectifications_visible(viewer=viewer)
    if state:
        qs = qs.filter(state=state)
    if overdue_on is not None:
        qs = qs.filter(overdue_q(overdue_on))
    return qs


def rectification_get(*, viewer, pk: int) -> Rectification:
    rect = rectifications_visible(viewer=viewer).filter(pk=pk).first()
    if rect is None:
        if Rectification.objects.filter(pk=pk).exists():
            raise PermissionDenied(_("无权查看该整改记录"))
        raise NotFound(_("未找到该整改记录"))
    return rect


def overdue_q(today: dt.date) -> Q:
    """Call-back or fix past its working-day deadline and not yet done."""
    return Q(state=RectState.OPEN, callback_due__lt=today) | Q(
        state=RectState.RECTIFYING, fix_due__lt=today
    )


def rectifications_overdue(*, today: dt.date) -> QuerySet[Rectification]:
    """Every overdue rectification, unscoped: for the supervision sweep (a system reader)."""
    return Rectification.objects.filter(overdue_q(today)).select_related("unit", "case")


def ratings_visible(*, viewer) -> QuerySet[Rating]:
    qs = Rating.objects.select_related("case", "unit", "staff_user__staff")
    return _scoped(qs, viewer, unit="unit", intake="intake_unit", region="case__region__code")


@dataclass
class RatingFigures:
    key: object
    label: str
    total: int = 0
    good: int = 0
    bad: int = 0
    rectified: int = 0
    named_bad: int = 0
    called_on_time: int = 0
    # The same figures per channel (`CHANNELS`), filled by `figures_of`.
    by_channel: dict[str, "RatingFigures"] = field(default_factory=dict)

    @staticmethod
    def _rate(n: int, d: int) -> float | None:
        return round(100.0 * n / d, 1) if d else None

    @property
    def good_rate(self):
        return self._rate(self.good, self.total)

    @property
    def bad_rate(self):
        return self._rate(self.bad, self.total)

    @property
    def rectified_rate(self):
        return self._rate(self.rectified, self.bad)

    @property
    def callback_rate(self):
        return self._rate(self.called_on_time, self.named_bad)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            **self.counts_dict(),
            "by_channel": {ch: f.counts_dict() for ch, f in self.by_channel.items()},
        }

    def counts_dict(self) -> dict:
        return {
            "total": self.total,
            "good": self.good,
            "bad": self.bad,
            "rectified": self.rectified,
            "named_bad": self.named_bad,
            "called_back_on_time": self.called_on_time,
            "good_rate": self.good_rate,
            "bad_rate": self.bad_rate,
            "rectified_rate": self.rectified_rate,
            "callback_on_time_rate": self.callback_rate,
        }


def is_rectified(rect: Rectification | None) -> bool:
    """A bad rating counts as rectified once fixed (at once or by deadline) or explained."""
    if rect is None:
        return False
    return rect.rectified_on is not None or (
        rect.outcome == Outcome.EXPLAIN and rect.state not in (RectState.APPEALED,)
    )


def figures_of(ratings) -> RatingFigures:
    """Figures over an iterable of initial, not removed ratings (rectification preloaded), in all
    and per channel (`by_channel`: on site and online are counted apart, RULES.md "Ratings")."""
    ratings = list(ratings)
    f = _count(ratings)
    f.by_channel = {str(ch): _count(r for r in ratings if r.channel == ch) for ch in CHANNELS}
    return f


def _count(ratings) -> RatingFigures:
    f = RatingFigures(key=None, label="")
    for r in ratings:
        f.total += 1
        if r.level in GOOD_LEVELS:
            f.good += 1
        elif r.level in BAD_LEVELS:
            f.bad += 1
            rect = getattr(r, "rectification", None)
            if is_rectified(rect):
                f.rectified += 1
            if r.named:
                f.named_bad += 1
                if rect is not None and rect.callback_on_time():
                    f.called_on_time += 1
    return f


def counted_ratings(qs: QuerySet[Rating]) -> QuerySet[Rating]:
    """Ratings that count: first ratings, not removed on appeal."""
    return qs.filter(kind=RatingKind.INITIAL, removed=False).select_related("rectification")


def rating_stats(
    *, viewer, group: str = "unit", since: dt.date | None = None, until: dt.date | None = None
) -> list[RatingFigures]:
    """Good-rate, bad-rate, rectified-rate and call-back-on-time rate per unit or staff member.

    Good = levels 5-3, bad = 2-1 (RULES.md); ratings removed on appeal and follow-ups do not count;
    the call-back rate is over named bad ratings (every one must be called back within 1 working
    day). `since`/`until` bound the rating date.
    """
    qs = counted_ratings(ratings_visible(viewer=viewer))
    if since:
        qs = qs.filter(rated_at__date__gte=since)
    if until:
        qs = qs.filter(rated_at__date__lte=until)
    groups: dict = {}
    for r in qs:
        if group == "staff":
            key = r.staff_user_id
            label = getattr(getattr(r.staff_user, "staff", None), "full_name", "") or str(
                r.staff_user or "-"
            )
        else:
            key, label = r.unit_id, r.unit.name
        groups.setdefault(key, (label, []))[1].append(r)
    out = []
    for key, (label, items) in groups.items():
        f = figures_of(items)
        f.key, f.label = key, label
        out.append(f)
    return sorted(out, key=lambda f: (-f.total, f.label))


# -- satisfaction figures of the reports, by channel --------------------------------------------


def _satisfaction(levels: list[int]) -> dict:
    good = sum(1 for v in levels if v in GOOD_LEVELS)
    bad = sum(1 for v in levels if v in BAD_LEVELS)
    rate = round(100.0 * good / len(levels), 1) if levels else None
    return {"ratings": len(levels), "good": good, "bad": bad, "good_rate": rate}


def satisfaction_by_channel(*, cases_q: Q, start: dt.datetime, end: dt.datetime) -> dict[str, dict]:
    """Satisfaction of the ratings given in [start, end) to the cases `cases_q` selects (a Q on
    the rating, reaching the case through "case__"): {"all": {...}, "onsite": {...},
    "online": {...}}, each {"ratings", "good", "good_rate", "bad"}.

    Counted as everywhere (RULES.md "Ratings"): first ratings only (no follow-ups), none removed
    on appeal, errands left out; good = 5-3, bad = 2-1; satisfaction = good / ratings in percent.
    A system reader for the monthly report and the public statistics: the caller scopes through
    `cases_q` (the reported unit's cases), not a viewer. One query, split here.
    """
    rows = list(
        Rating.objects.filter(
            cases_q, kind=RatingKind.INITIAL, removed=False, rated_at__gte=start, rated_at__lt=end
        )
        .exclude(case__case_class=ERRAND)
        .order_by()
        .values_list("channel", "level")
    )
    out = {"all": _satisfaction([level for _ch, level in rows])}
    for ch in CHANNELS:
        out[str(ch)] = _satisfaction([level for c, level in rows if c == ch])
    return out


# -- on-site rating (评价器) ------------------------------------------------------------------


def onsite_case_get(*, viewer, number: str) -> Case:
    """The case a staff member hands over for on-site rating: fetched through the case's scoped
    selector (404 unknown, 403 out of scope), and the viewer must be allowed to act for its
    intake unit, the station or hall that took it in and delivers the result (403 otherwise).
    The rating page shows no personal data, so the fetch is not logged as a personal-data view.
    """
    case = case_get(viewer=viewer, number=number, log=False, channel="page")
    if not scope_for(viewer).can_act_for_unit(case.intake_unit):
        raise PermissionDenied(_("只有办件收件单位的工作人员才能组织现场评价"))
    return case


def onsite_rating_of(case: Case) -> Rating | None:
    """The case's on-site rating (the first one; follow-ups are not on-site ratings), if any."""
    return Rating.objects.filter(
        case=case, channel=RatingChannel.ONSITE, kind=RatingKind.INITIAL
    ).first()


def onsite_rating_open(case: Case, *, viewer=None) -> bool:
    """Whether an on-site rating (评价器) can still be given for `case`: the case has a result
    (`RATEABLE_STATES`: concluded, being handed back or delivered, or declined) and has no
    on-site rating yet (RULES.md "Ratings": one per case per channel; a rating removed on appeal
    still used the case's one). With `viewer`, also whether that staff member may hand the device
    over (acts for the case's intake unit), e.g. to decide whether the case page shows the button.
    """
    if case.state not in RATEABLE_STATES:
        return False
    if viewer is not None and not scope_for(viewer).can_act_for_unit(case.intake_unit):
        return False
    return onsite_rating_of(case) is None


# -- what the applicant sees of a rectification ----------------------------------------------


@dataclass(frozen=True)
class PublicRectification:
    """A rectification as the applicant's status page shows it: its number (the follow-up
    rating asks for it), where it stands, the outcome and what the unit did or explained; not
    the unit's internal call-back findings."""

    number: str
    state_label: str
    outcome_label: str
    measures: str
    fix_due: dt.date | None
    rectified_on: dt.date | None
    follow_up_open: bool
    follow_up_level: str


def case_rectifications_public(case: Case) -> list[PublicRectification]:
    """The rectifications of the case's bad ratings, oldest first, for the public status page of
    an applicant who proved the case's phone digits. `follow_up_open`: the one follow-up rating
    (RULES.md "Ratings") can be given now (rectified or explained, not yet followed up)."""
    from .rectification import find

    rows = Rectification.objects.filter(case=case).select_related("rating__follow_up")
    out = []
    for rect in rows.order_by("pk"):
        follow = getattr(rect.rating, "follow_up", None)
        out.append(
            PublicRectification(
                number=rect.number,
                state_label=rect.get_state_display(),
                outcome_label=rect.get_outcome_display() if rect.outcome else "",
                measures=rect.measures,
                fix_due=rect.fix_due,
                rectified_on=rect.rectified_on,
                follow_up_open=follow is None and find("follow_up", rect.state) is not None,
                follow_up_level=follow.get_level_display() if follow else "",
            )
        )
    return out
