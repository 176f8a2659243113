"""Root URLs. The addresses of DESIGN §7 are stable: other tools and tests rely on them."""

from django.contrib import admin
from django.urls import include, path

from archive.views import healthz

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("customers/", include("customers.urls")),
    path("", include("archive.urls")),
]
