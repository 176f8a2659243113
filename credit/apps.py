from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    """Credit profiles, applications, receivables and collections (应收账款与信用档案)."""

    name = "credit"
    verbose_name = _("Receivables and credit")

    def ready(self):
        from . import sections

        sections.register()
