"""Access scope: which regions and units a user may see and act for.

One function, `scope_for`, used by every selector, page and API endpoint (DESIGN.md "Access follows
the region tree and the unit"):

- village agent: its own village and station;
- township centre staff: the township, its villages and their stations;
- county department staff: their own department (cases routed to it), regions of the county read-only;
- supervisor, administrator, county centre staff: the whole jurisdiction of their unit;
- superuser: everything.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from .models import RoleCode, Unit, UnitKind


@dataclass(frozen=True)
class Scope:
    kind: str  # "all" | "jurisdiction" | "township" | "village" | "department" | "none"
    region_prefix: str | None = None  # code prefix of the regions it sees; "" = every region
    unit_ids: frozenset[int] = field(default_factory=frozenset)  # units it acts for
    user_id: int | None = None
    # The units it works at (its own, its centre and the centre's windows): its work queues.
    # A township acts for its village stations too, but their work is theirs.
    home_ids: frozenset[int] | None = None

    @property
    def home_unit_ids(self) -> frozenset[int]:
        return self.unit_ids if self.home_ids is None else self.home_ids

    @property
    def is_empty(self) -> bool:
        return self.kind == "none"

    @property
    def signature(self) -> tuple:
        """What the scope lets its holder see, whoever holds it: viewers with equal signatures
        see the same cases (the kept queues and dashboards are shared on it)."""
        return (self.kind, self.region_prefix, tuple(sorted(self.unit_ids)))

    @property
    def sees_region_cases(self) -> bool:
        """Departments see only cases routed to them; everyone else every case of their regions."""
        return self.kind in ("all", "jurisdiction", "township", "village")

    def can_see_region(self, code: str) -> bool:
        if self.region_prefix is None:
            return False
        if self.kind == "department":
            # A department serves the whole county: it may read the tree, not act for villages.
            return code.startswith(self.region_prefix[:6])
        return code.startswith(self.region_prefix)

    def can_act_for_unit(self, unit: Unit) -> bool:
        if self.kind == "all":
            return True
        if unit.pk in self.unit_ids:
            return True
        return self.kind == "jurisdiction" and unit.region.code.startswith(
            self.region_prefix or "\0"
        )

    def region_q(self, path: str = "code") -> Q:
        """Q filtering a region code path to this scope (department: the county)."""
        if self.region_prefix is None:
            return Q(pk__in=[])
        prefix = self.region_prefix[:6] if self.kind == "department" else self.region_prefix
        return Q(**{f"{path}__startswith": prefix}) if prefix else Q()

    def units_q(self, path: str = "") -> Q:
        """Q filtering units (or a unit path) to those this scope may see."""
        pre = f"{path}__" if path else ""
        if self.kind == "all":
            return Q()
        if self.kind == "none":
            return Q(**{f"{pre}pk__in": []})
        if self.kind == "department":
            return Q(**{f"{pre}pk__in": list(self.unit_ids)})
        return Q(**{f"{pre}region__code__startswith": self.region_prefix}) | Q(
            **{f"{pre}pk__in": list(self.unit_ids)}
        )


NO_SCOPE = Scope(kind="none")


def _centre_of(unit: Unit) -> Unit:
    return unit.parent if unit.kind == UnitKind.WINDOW and unit.parent_id else unit


def per_request(user):
    """Mark `user` as loaded for one request (the sign-in backend, the API token): its scope is
    then worked out once however often the request asks. A user object that outlives a request
    (a command's, a test's) is not marked: its scope is worked out afresh each time, so units
    added meanwhile are in it."""
    user._bianmin_scope = None
    return user


def scope_for(user) -> Scope:
    """The access scope of `user`. Anonymous and unknown users get the empty scope.

    For a user loaded for one request (`per_request`) it is kept on the user: the view, the
    selectors, the workflow and the templates all ask, and a township's scope costs a query of
    its units each time."""
    if user is None or not user.is_authenticated:
        return NO_SCOPE
    memo = getattr(user, "_bianmin_scope", False)
    if memo is False:
        return _scope_for(user)
    staff = getattr(user, "staff", None)
    key = (user.pk, user.is_superuser, *((staff.unit_id, tuple(staff.roles)) if staff else ()))
    if memo is not None and memo[0] == key:
        return memo[1]
    scope = _scope_for(user)
    user._bianmin_scope = (key, scope)
    return scope


def _scope_for(user) -> Scope:
    if user.is_superuser:
        return Scope(kind="all", region_prefix="", user_id=user.pk)
    staff = getattr(user, "staff", None)
    if staff is None or staff.unit_id is None:
        return Scope(kind="none", user_id=user.pk)
    unit = staff.unit
    centre = _centre_of(unit)
    acting = {unit.pk, centre.pk}
    region = centre.region
    if (
        staff.has_role(RoleCode.SUPERVISOR, RoleCode.ADMINISTRATOR)
        or centre.kind == UnitKind.COUNTY_CENTRE
    ):
        return Scope(
            kind="jurisdiction",
            region_prefix=region.prefix,
            unit_ids=frozenset(acting),
            user_id=user.pk,
        )
    if centre.kind == UnitKind.DEPARTMENT:
        return Scope(
            kind="department",
            region_prefix=region.prefix,
            unit_ids=frozenset(acting),
            user_id=user.pk,
        )
    if centre.kind == UnitKind.TOWNSHIP_CENTRE:
        units = list(
            Unit.objects.filter(region__code__startswith=region.prefix).values_list(
                "pk", "kind", "parent_id"
            )
        )
        home = acting | {
            pk for pk, kind, parent in units if parent == centre.pk and kind == UnitKind.WINDOW
        }
        return Scope(
            kind="township",
            region_prefix=region.prefix,
            unit_ids=frozenset(acting | {pk for pk, _kind, _parent in units}),
            user_id=user.pk,
            home_ids=frozenset(home),
        )
    if centre.kind == UnitKind.VILLAGE_STATION:
        return Scope(
            kind="village", region_prefix=region.code, unit_ids=frozenset(acting), user_id=user.pk
        )
    return Scope(kind="none", user_id=user.pk)
