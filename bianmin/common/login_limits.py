"""Failed-login limits (django-axes, AXES_HANDLER in settings): one per username from an address,
and a higher one per address across all usernames, so one password tried against many accounts
(password spraying) is stopped too. Covers every login that goes through `authenticate`: the
login page, the admin's and POST /api/v1/auth/token.

Axes compares the largest failure count of its lockout parameters with one limit; here the
address-only count is scaled so that it reaches that limit exactly at
BIANMIN_LOGIN_ADDRESS_FAILURE_LIMIT.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

ADDRESS = "ip_address"


class AddressLimitHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        limit = get_failure_limit(request, credentials)
        address_limit = settings.BIANMIN_LOGIN_ADDRESS_FAILURE_LIMIT
        parameters = get_lockout_parameters(request, credentials)
        counts = []
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            n = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            counts.append(n * limit // address_limit if parameter == ADDRESS else n)
        return max(counts, default=0)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful login clears that username's failures from that address only: logging
        into one's own account must not wipe the address's count of failures on others."""
        username = get_client_username(request, credentials)
        deleted, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return deleted
