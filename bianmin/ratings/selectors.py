"""Reads of ratings and rectifications, always through the viewer's access scope."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from bianmin.common.errors import NotFound, PermissionDenied
from bianmin.orgs.scope import scope_for

from .models import BAD_LEVELS, GOOD_LEVELS, Outcome, Rating, RatingKind, Rectification, RectState


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
    """Figures over an iterable of initial, not removed ratings (rectification preloaded)."""
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
