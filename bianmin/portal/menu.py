"""What each person's menu offers: every page they may use and nothing they may not.

Each entry names the capability that decides it, and each capability is the check the page (or
the service behind it) applies, called here rather than restated, so a page that changes its
rule changes the menu with it. Pages that every signed-in member of staff may open (their lists
read through the viewer's scope) need only a non-empty scope.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bianmin.affairs.access import in_confidence, require_trustee, require_village_worker
from bianmin.cases.pages import may_open_cases
from bianmin.common.errors import DomainError
from bianmin.orgs.models import Region, UnitKind
from bianmin.orgs.scope import Scope, scope_for
from bianmin.orgs.selectors import may_read_admin_log
from bianmin.staffing.access import decides_leave, may_allocate_subsidy


@dataclass(frozen=True)
class Entry:
    label: str
    url: str


@dataclass(frozen=True)
class Group:
    title: str
    entries: list[Entry]


def _passes(check: Callable, *args) -> bool:
    try:
        check(*args)
    except DomainError:
        return False
    return True


def in_scope(user, scope: Scope) -> bool:
    """Lists read through the viewer's scope: any member of staff with a unit may open them."""
    return not scope.is_empty


def runs_errands(user, scope: Scope) -> bool:
    """Errands are village work and never routed to a department (`cases_visible`)."""
    return scope.sees_region_cases


# (label, URL name, capability) in the order people look for them.
MENU: list[tuple[str, list[tuple[str, str, Callable]]]] = [
    (
        _("办件"),
        [
            (_("工作队列"), "cases:queues", in_scope),
            (_("办件查询"), "cases:list", in_scope),
            (_("台账"), "cases:ledger", in_scope),
            (_("新建办件"), "cases:intake", lambda u, s: may_open_cases(u)),
            (_("便民服务（代缴代领代购）"), "cases:errand_list", runs_errands),
            (_("网上申报预审"), "portal:prereview_list", lambda u, s: may_open_cases(u)),
            (_("上门服务"), "portal:home_visit_list", lambda u, s: may_open_cases(u)),
            (_("咨询答复"), "portal:question_list", lambda u, s: may_open_cases(u)),
        ],
    ),
    (
        _("监察与评价"),
        [
            (_("预警通知"), "supervision:notifications", in_scope),
            (_("电子监察"), "supervision:dashboard", in_scope),
            (_("预警与超时"), "supervision:alerts", in_scope),
            (_("督办"), "supervision:queue", in_scope),
            (_("投诉建议"), "supervision:complaints", in_scope),
            (_("差评整改"), "ratings:queue", in_scope),
            (_("好差评统计"), "ratings:stats", in_scope),
            (_("月报"), "reports:monthly_list", in_scope),
        ],
    ),
    (
        _("站所管理"),
        [
            (_("考勤与请假"), "staffing:me", in_scope),
            (_("值班表"), "staffing:roster_index", in_scope),
            (_("培训"), "staffing:training", in_scope),
            (_("请假审批"), "staffing:leaves", lambda u, s: decides_leave(u)),
            (_("绩效考核"), "staffing:assessment", in_scope),
            (_("代办员补助"), "staffing:subsidies", lambda u, s: may_allocate_subsidy(u)),
            (_("值班缺岗"), "staffing:roster_gaps", in_scope),
            (_("培训未达标"), "staffing:training_shortfall", in_scope),
        ],
    ),
    (
        _("账号与安全"),
        [
            # One's own account: every signed-in person, whatever their scope.
            (_("两步验证"), "portal:twofactor", lambda u, s: True),
            (_("修改密码"), "portal:password_change", lambda u, s: True),
            (_("我的令牌"), "portal:tokens", lambda u, s: True),
            (_("管理操作日志"), "portal:admin_log", lambda u, s: may_read_admin_log(u)),
        ],
    ),
]

# A village's affairs pages and who may open them (affairs.access).
VILLAGE_PAGES: list[tuple[str, str, Callable]] = [
    (_("三资"), "affairs:trusteeship", lambda u, v, s: _passes(require_trustee, u, v, s)),
    (_("调解"), "affairs:mediation", in_confidence),
    (
        _("一事一议"),
        "affairs:deliberations",
        lambda u, v, s: _passes(require_village_worker, u, v, s),
    ),
]
VILLAGES_SHOWN = 40


def staff_menu(user, scope: Scope | None = None) -> list[Group]:
    """The groups of the staff home's menu for `user`, each with the entries it may open."""
    scope = scope or scope_for(user)
    groups = []
    for title, entries in MENU:
        shown = [
            Entry(str(label), reverse(name)) for label, name, may in entries if may(user, scope)
        ]
        if shown:
            groups.append(Group(str(title), shown))
    return groups


def village_menu(user, units, scope: Scope | None = None) -> list[tuple[Region, list[Entry]]]:
    """The villages among `units` (the viewer's units) whose affairs `user` keeps or reads,
    each with the pages open to them; village affairs are kept by the village and its township."""
    scope = scope or scope_for(user)
    if scope.kind not in ("village", "township"):
        return []
    out = []
    stations = [u for u in units if u.kind == UnitKind.VILLAGE_STATION]
    for village in [u.region for u in stations][:VILLAGES_SHOWN]:
        pages = [
            Entry(str(label), reverse(name, args=[village.code]))
            for label, name, may in VILLAGE_PAGES
            if may(user, village, scope)
        ]
        if pages:
            out.append((village, pages))
    return out
