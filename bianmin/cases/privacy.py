"""Who sees an applicant's full ID number (DESIGN.md: masked wherever a person without need sees
it; docs/security.md, 等保 2.0 level 3 personal information protection).

The number is needed by whoever decides the application: the deciding unit checks the person
against registers and writes the decision in their name. Everyone else in the case's scope (the
village agent who took it in, relay units, supervisors, administrators) finds and follows the case
by its number and sees the ID masked. Pre-review of an online application (portal) is the other
place a full number is shown. Each full view is logged as a `PersonalDataView`.
"""

from bianmin.common.validators import mask_id_number
from bianmin.orgs.scope import Scope, scope_for

from .models import OPEN_STATES, Case, PersonalDataView

# The channel of a full-number view is the page's or API's own with this suffix, so that the
# audit can list who saw full numbers apart from ordinary views of a case.
FULL_ID_SUFFIX = "_full_id"


def sees_full_id_number(*, viewer, case: Case, scope: Scope | None = None) -> bool:
    """The deciding unit while it decides: the case is open and with its deciding unit, and the
    viewer works at that unit (its own unit, centre or window; a township's villages and a
    jurisdiction's units are watched, not worked at)."""
    if not case.id_number or case.state not in OPEN_STATES:
        return False
    if case.current_unit_id != case.deciding_unit_id:
        return False
    scope = scope or scope_for(viewer)
    return case.deciding_unit_id in scope.home_unit_ids


def id_number_shown(*, viewer, case: Case, channel: str, scope: Scope | None = None) -> str:
    """The applicant's ID number as `viewer` may see it: in full when `sees_full_id_number`, and
    that view logged (channel `<channel>_full_id`), masked otherwise."""
    if sees_full_id_number(viewer=viewer, case=case, scope=scope):
        PersonalDataView.objects.create(case=case, viewer=viewer, channel=channel + FULL_ID_SUFFIX)
        return case.id_number
    return mask_id_number(case.id_number)
