from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """The archive card, its people, interactions and attachments, and the permission gateway."""

    name = "customers"
    verbose_name = _("Customer archive")

    def ready(self):
        from archive.registry import registry

        from . import permissions, sections

        registry.gateway = permissions
        sections.register()
