from django.db.models import QuerySet

from .models import ApiToken


def token_list(*, viewer) -> QuerySet[ApiToken]:
    """The viewer's own tokens, newest first: nobody lists another person's tokens."""
    return ApiToken.objects.filter(user=viewer).select_related("user").order_by("-created_at")
