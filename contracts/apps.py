from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    """Contracts in signing order, orders and their lines (合同与订单档案), and the trading status they drive."""

    name = "contracts"
    verbose_name = _("Contracts and orders")

    def ready(self):
        from . import sections

        sections.register()
