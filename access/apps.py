from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """Reading and handing over: access requests (调阅), lent and group rights, staff handover (交接), the audit log."""

    name = "access"
    verbose_name = _("Access and handover")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import sections

        sections.register()
