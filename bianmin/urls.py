from captcha import views as captcha_views
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from bianmin.api.api import api

admin.site.site_header = _("便民 · 基层政务服务与全程代办平台 管理后台")
admin.site.site_title = _("便民管理后台")
admin.site.index_title = _("系统管理")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The picture challenge's images (django-simple-captcha), drawn here: nothing from outside.
    # Only the two image routes: pages get a new picture by posting "换一张" (no script needed),
    # API clients from /api/v1/public/challenge; the library's audio route needs the `flite`
    # program and its JSON refresh route serves only its own script, so neither is mounted.
    re_path(
        r"^captcha/image/(?P<key>\w+)/$",
        captcha_views.captcha_image,
        {"scale": 1},
        name="captcha-image",
    ),
    re_path(
        r"^captcha/image/(?P<key>\w+)@2/$",
        captcha_views.captcha_image,
        {"scale": 2},
        name="captcha-image-2x",
    ),
    path("cases/", include("bianmin.cases.urls")),
    path("catalog/", include("bianmin.catalog.urls")),
    path("supervision/", include("bianmin.supervision.urls")),
    path("ratings/", include("bianmin.ratings.urls")),
    path("reports/", include("bianmin.reports.urls")),
    path("staffing/", include("bianmin.staffing.urls")),
    path("affairs/", include("bianmin.affairs.urls")),
    path("", include("bianmin.portal.urls")),
]

handler400 = "bianmin.portal.errors.bad_request"
handler403 = "bianmin.portal.errors.permission_denied"
handler404 = "bianmin.portal.errors.page_not_found"
handler500 = "bianmin.portal.errors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
