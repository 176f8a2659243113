"""What credit contributes to the card, the trail, the catalogue, the workbook, the filing inbox and orders."""

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
from contracts.models import Order
from contracts.services import register_order_check

from . import columns, handover, selectors, services
from .models import (
    CreditApplication,
    CreditEvidence,
    CreditProfile,
    ExtensionRequest,
    Instalment,
    LimitOverride,
    Payment,
    PaymentAllocation,
    Receivable,
    RepaymentPlan,
)

CARD_OVERDUE_SHOWN = 10


def _credit(customer, user):
    status = selectors.credit_status(customer.pk)
    return {
        "credit": status,
        "overdue_shown": status.overdue_receivables[:CARD_OVERDUE_SHOWN],
        "plans": list(customer.repayment_plans.order_by("-starts_on", "-id")[:5]),
    }


def _demo(**kwargs):
    from .demo import seed_demo_credit

    return seed_demo_credit(**kwargs)


def _dataset(**kwargs):
    from .dataset import generate_ledger

    return generate_ledger(**kwargs)


def register():
    registry.register_section(
        CardSection("credit", _("Receivables and credit"), "credit/sections/credit.html", _credit, 60)
    )
    registry.register_filable(
        Filable(
            CreditApplication,
            frozenset(),  # a filed application is what was granted: a new application changes the credit
            edit_url=lambda application: reverse("credit:application-edit", args=[application.pk]),
        )
    )
    registry.register_filable(
        Filable(
            ExtensionRequest,
            frozenset(),
            edit_url=lambda extension: reverse("credit:receivable-detail", args=[extension.receivable_id]),
        )
    )
    registry.register_filing_hook(Order, services.order_filed)
    registry.register_filing_hook(CreditApplication, services.application_filed)
    registry.register_filing_hook(ExtensionRequest, services.extension_filed)
    register_order_check(services.check_credit_limit)
    registry.register_sheet(
        WorkbookSheet(
            "receivables",
            _("Receivables"),
            columns.RECEIVABLE_COLUMNS,
            lambda c: selectors.with_outstanding(c.receivables.select_related("order")).order_by("issued_on", "id"),
            60,
        )
    )
    registry.register_sheet(
        WorkbookSheet(
            "payments", _("Payments"), columns.PAYMENT_COLUMNS, lambda c: c.payments.order_by("received_on", "id"), 61
        )
    )
    for model in (
        CreditProfile,
        CreditApplication,
        Receivable,
        Payment,
        ExtensionRequest,
        RepaymentPlan,
        LimitOverride,
    ):
        registry.register_trail(TrailSource(model))
    registry.register_trail(TrailSource(CreditEvidence, customer_field="application__customer_id"))
    registry.register_trail(TrailSource(PaymentAllocation, customer_field="payment__customer_id"))
    registry.register_trail(TrailSource(Instalment, customer_field="plan__customer_id"))
    registry.register_demo_step(DemoStep("credit", _demo, order=30))
    registry.register_dataset_step(DatasetStep("credit", _dataset, order=30))
    registry.register_handover_step(HandoverStep("credit", handover.hand_over, order=30))
