"""Root URLs. The addresses of DESIGN §7 are stable: other tools and tests rely on them."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from archive.views import healthz

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switch works before login too (the login page offers it).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("customers/", include("customers.urls")),
    path("", include("contracts.urls")),
    path("credit/", include("credit.urls")),
    path("complaints/", include("complaints.urls")),
    path("access/", include("access.urls")),
    path("", include("archive.urls")),
]
