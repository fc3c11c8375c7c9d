"""The sign-in backend: Django's ModelBackend, loading with the user what every staff request reads.

Every staff page reads the member of staff, the unit and its region (the access scope, the menu,
the header's name); ModelBackend loads the bare user and each of those with a query of its own,
on every request. `StaffBackend.get_user` joins them into the one query that loads the user,
and marks the user as this request's so its access scope is worked out once (`scope.per_request`).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .scope import per_request

# The chain every staff request follows from request.user (orgs.scope, the workbench menu).
USER_RELATED = ("staff__unit__region",)


class StaffBackend(ModelBackend):
    """ModelBackend whose `get_user` brings the staff profile, its unit and region along.

    A user without a staff profile (a superuser made by `createsuperuser`) loads as before:
    the join is an outer one and `user.staff` then raises as usual."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related(*USER_RELATED).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return per_request(user) if self.user_can_authenticate(user) else None
