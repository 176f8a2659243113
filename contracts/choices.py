from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractState(models.TextChoices):
    """Where a contract stands in its execution (执行情况)."""

    IN_FORCE = "in_force", _("In force")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")


class Settlement(models.TextChoices):
    """Whether an order has been paid for (结算状态)."""

    UNSETTLED = "unsettled", _("Unsettled")
    PARTIAL = "partial", _("Partly settled")
    SETTLED = "settled", _("Settled")


# Bootstrap colour per state, for the badges of lists and the card.
CONTRACT_STATE_COLOURS = {
    ContractState.IN_FORCE: "success",
    ContractState.COMPLETED: "secondary",
    ContractState.TERMINATED: "danger",
}
SETTLEMENT_COLOURS = {
    Settlement.UNSETTLED: "warning",
    Settlement.PARTIAL: "info",
    Settlement.SETTLED: "success",
}
