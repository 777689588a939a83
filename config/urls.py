from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts.views import healthz, home
from config.views import favicon, offline_page, service_worker, web_manifest

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("households/", include("households.urls")),
    path("assessment/", include("assessment.urls")),
    path("screening/", include("screening.urls")),
    path("", include("core.urls")),
    path("enforcement/", include("enforcement.urls")),
    # The language switch works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz/", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # The installable web app: its service worker must be served from the root to control every page.
    path("sw.js", service_worker, name="service_worker"),
    path("manifest.webmanifest", web_manifest, name="web_manifest"),
    path("offline/", offline_page, name="offline"),
    path("admin/", admin.site.urls),
]
