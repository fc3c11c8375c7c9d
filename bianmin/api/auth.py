from ninja.security import APIKeyCookie, HttpBearer

from .services import token_user


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The staff pages' session (CSRF checked by ninja for unsafe methods)."""

    param_name = "sessionid"

    def _get_key(self, request):
        # No session cookie, nothing to forge: a missing or revoked bearer token is then a 401,
        # not ninja's "CSRF check Failed" 403.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


staff_auth = [BearerAuth(), SessionAuth()]
