"""Who may act on a case besides staff: the applicant, online, proven by number and phone digits.

Staff act as their `User`; the system (deemed acceptance, sweeps) acts as `None`. An applicant has
no account: the portal proves them by the case number and the last four digits of the phone on
the case (throttled there), and the engine lets an `ApplicantActor` take only the rows of the
workflow table whose roles include `APPLICANT`, on that one case.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

APPLICANT = "applicant"
ONLINE_APPLICANT_NAME = _("申请人(网上)")


@dataclass(frozen=True)
class ApplicantActor:
    """The applicant of case `case_id`, acting online."""

    case_id: int
    name: str = ""

    # Enough of the `User` interface for code that asks who is acting.
    pk = None
    is_superuser = False
    is_authenticated = False

    @property
    def label(self) -> str:
        return self.name or str(ONLINE_APPLICANT_NAME)


def is_applicant(actor) -> bool:
    return isinstance(actor, ApplicantActor)


def user_of(actor):
    """The `User` to store in foreign keys (None for the system and for applicants)."""
    return None if actor is None or is_applicant(actor) else actor
