from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Complaints, returns, discounts and churn (退赔、折价与投诉档案)."""

    name = "complaints"
    verbose_name = _("Returns, discounts and complaints")

    def ready(self):
        from . import sections

        sections.register()
