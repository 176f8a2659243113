"""What contracts and orders contribute to the customer's card, trail, catalogue and workbook."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from archive.registry import (
    CardSection,
    DatasetStep,
    DemoStep,
    Filable,
    HandoverStep,
    TrailSource,
    WorkbookSheet,
    registry,
)

from . import columns, handover, selectors, services, trading
from .models import Contract, Order, OrderLine

CARD_ORDERS_SHOWN = 10


def _contracts(customer, user):
    return {"contracts": list(selectors.customer_contracts(customer=customer))}


def _orders(customer, user):
    orders = selectors.customer_orders(customer=customer)
    return {
        "orders": list(orders.select_related("contract")[:CARD_ORDERS_SHOWN]),
        "orders_shown": CARD_ORDERS_SHOWN,
    }


def _lines(customer):
    return (
        OrderLine.objects.filter(order__customer=customer, order__deleted_at__isnull=True)
        .select_related("order", "product")
        .order_by("-order__ordered_on", "order_id", "position")
    )


def _demo(**kwargs):
    from .demo import seed_demo_orders

    return seed_demo_orders(**kwargs)


def _dataset(**kwargs):
    from .dataset import generate_orders

    return generate_orders(**kwargs)


def register():
    registry.register_section(
        CardSection("trading", _("Trading status"), "contracts/sections/trading_status.html", trading.section, order=5)
    )
    registry.register_section(
        CardSection("contracts", _("Contracts"), "contracts/sections/contracts.html", _contracts, order=40)
    )
    registry.register_section(CardSection("orders", _("Orders"), "contracts/sections/orders.html", _orders, order=50))
    registry.register_sheet(
        WorkbookSheet(
            "contracts",
            _("Contracts"),
            columns.CONTRACT_COLUMNS,
            lambda c: selectors.customer_contracts(customer=c),
            40,
        )
    )
    registry.register_sheet(
        WorkbookSheet(
            "orders",
            _("Orders"),
            columns.ORDER_COLUMNS,
            lambda c: selectors.customer_orders(customer=c).select_related("contract"),
            50,
        )
    )
    registry.register_sheet(WorkbookSheet("order_lines", _("Order lines"), columns.ORDER_LINE_COLUMNS, _lines, 51))
    registry.register_filable(
        Filable(
            Contract,
            services.CONTRACT_FIELDS,
            edit_url=lambda contract: reverse("contracts:contract-edit", args=[contract.pk]),
        )
    )
    registry.register_filable(
        Filable(Order, services.ORDER_FIELDS, edit_url=lambda order: reverse("contracts:order-edit", args=[order.pk]))
    )
    registry.register_trail(TrailSource(Contract))
    registry.register_trail(TrailSource(Order))
    registry.register_trail(TrailSource(OrderLine, customer_field="order__customer_id"))
    registry.register_demo_step(DemoStep("contracts", _demo, order=20))
    registry.register_dataset_step(DatasetStep("contracts", _dataset, order=20))
    registry.register_handover_step(HandoverStep("contracts", handover.hand_over, order=20))
