"""Who holds work meant for a staff member on a day: a hook the staffing app fills (AB岗).

The engine sits below staffing (staffing builds on it), so it cannot ask staffing; staffing
registers its rule here from its AppConfig.ready. Without one, everyone covers for themselves.
"""

import datetime as dt
from collections.abc import Callable

from bianmin.orgs.models import Staff

CoverRule = Callable[..., Staff]

_rule: CoverRule | None = None


def cover_rule_register(rule: CoverRule) -> None:
    """`rule(staff=, day=)` returns who holds `staff`'s work on `day`."""
    global _rule
    _rule = rule


def cover_for(*, staff: Staff, day: dt.date) -> Staff:
    return staff if _rule is None else _rule(staff=staff, day=day)
