"""Bare Django: one view returning a constant, no middleware, no database, no templates.

The HTTP bench serves it through the same nginx and gunicorn as the app (`gunicorn
testing.ceiling:application`) to print what the box can do at most, and the app's share of it.
"""

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        SECRET_KEY="bench-ceiling-not-secret",  # noqa: S106 - serves a constant, signs nothing
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        DATABASES={},
        USE_TZ=True,
    )

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def constant(request):
    return HttpResponse(b'{"ok": true}', content_type="application/json")


# The item list path too: the live server's readiness probe and the bench's drain ask for it.
urlpatterns = [path("", constant), path("api/v1/items", constant)]

application = get_wsgi_application()
