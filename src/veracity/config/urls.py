from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from veracity.api.router import api
from veracity.web.views import language

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    # the customer portal: its own login and session cookie (veracity.portal.sessions)
    path("my/", include("veracity.web.portal_urls")),
    path("", include("veracity.web.urls")),
]
handler404 = "veracity.web.views.errors.not_found"
handler500 = "veracity.web.views.errors.server_error"
handler403 = "veracity.web.views.errors.forbidden"
handler400 = "veracity.web.views.errors.bad_request"
__all__ = ["i18n_patterns", "urlpatterns"]
