from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    """Contracts in signing order, orders and their lines (合同与订单档案)."""

    name = "contracts"
    verbose_name = _("Contracts and orders")
