"""Template tags of contracts and orders: amounts in yuan, execution and settlement badges."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from ..choices import CONTRACT_STATE_COLOURS, SETTLEMENT_COLOURS, ContractState, Settlement

register = template.Library()


@register.filter
def yuan(value) -> str:
    """``¥12,345.60``: an amount in yuan, grouped by thousands, to the fen; empty for no amount."""
    if value is None or value == "":
        return ""
    return f"¥{Decimal(value):,.2f}"


@register.simple_tag
def contract_state_badge(state: str):
    if not state:
        return ""
    return format_html(
        '<span class="badge text-bg-{}">{}</span>', CONTRACT_STATE_COLOURS[state], ContractState(state).label
    )


@register.simple_tag
def settlement_badge(state: str):
    if not state:
        return ""
    return format_html('<span class="badge text-bg-{}">{}</span>', SETTLEMENT_COLOURS[state], Settlement(state).label)
