"""What the fifth category contributes to the card, the trail, the catalogue, the workbook and the inbox."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from archive.registry import (
    CardSection,
    DatasetStep,
    DemoStep,
    EntryPanel,
    Filable,
    HandoverStep,
    TrailSource,
    WorkbookSheet,
    registry,
)
from contracts.models import Contract, Order

from . import columns, handover, selectors, services
from .models import ChurnRecord, Complaint, ComplaintStep, Discount, Return, ReturnLine, WinBackPlan


def _section(customer, user):
    return {"after_sales": selectors.card(customer)}


def _discounts_panel(entry, user):
    return {"discounted": selectors.discounts_of(entry), "target": entry}


def _demo(**kwargs):
    from .demo import seed_demo_complaints

    return seed_demo_complaints(**kwargs)


def _dataset(**kwargs):
    from .dataset import generate_complaints

    return generate_complaints(**kwargs)


def register():
    registry.register_section(
        CardSection(
            "complaints", _("Returns, discounts and complaints"), "complaints/sections/complaints.html", _section, 70
        )
    )
    registry.register_filable(
        Filable(
            Complaint,
            services.CLOSING_FIELDS - {"closed_on"},
            edit_url=lambda complaint: reverse("complaints:complaint-edit", args=[complaint.pk]),
        )
    )
    registry.register_filable(
        Filable(Return, frozenset(), edit_url=lambda entry: reverse("complaints:return-edit", args=[entry.pk]))
    )
    registry.register_filable(
        Filable(Discount, frozenset(), edit_url=lambda entry: reverse("complaints:discount-edit", args=[entry.pk]))
    )
    registry.register_filable(
        Filable(
            ChurnRecord,
            services.CHURN_FIELDS - {"churned_on"},
            edit_url=lambda churn: reverse("complaints:churn-edit", args=[churn.pk]),
        )
    )
    registry.register_submit_check(Complaint, services.complaint_submittable)
    registry.register_submit_check(Return, services.check_return_limits)
    registry.register_submit_check(Discount, services.discount_submittable)
    registry.register_filing_hook(Return, services.return_filed)
    registry.register_restore_check(Return, services.check_return_limits)
    registry.register_filing_hook(Discount, services.discount_filed)
    registry.register_filing_hook(ChurnRecord, services.churn_filed)
    for model in (Order, Contract):
        registry.register_entry_panel(
            model, EntryPanel("discounts", "complaints/panels/discounts.html", _discounts_panel, 50)
        )
    for key, title, cols, rows, order in (
        (
            "complaints",
            _("Complaints"),
            columns.COMPLAINT_COLUMNS,
            lambda c: c.complaints.select_related("handler"),
            70,
        ),
        (
            "returns",
            _("Returns and compensation"),
            columns.RETURN_COLUMNS,
            lambda c: c.returns.select_related("order"),
            71,
        ),
        (
            "discounts",
            _("Price discounts"),
            columns.DISCOUNT_COLUMNS,
            lambda c: c.discounts.select_related("order", "contract"),
            72,
        ),
        ("churn", _("Churn records"), columns.CHURN_COLUMNS, lambda c: c.churn_records.select_related("win_back"), 73),
    ):
        registry.register_sheet(WorkbookSheet(key, title, cols, rows, order))
    for model in (Complaint, Return, Discount, ChurnRecord, WinBackPlan):
        registry.register_trail(TrailSource(model))
    registry.register_trail(TrailSource(ComplaintStep, customer_field="complaint__customer_id"))
    registry.register_trail(TrailSource(ReturnLine, customer_field="return_entry__customer_id"))
    registry.register_demo_step(DemoStep("complaints", _demo, order=40))
    registry.register_handover_step(HandoverStep("complaints", handover.hand_over, order=40))
    registry.register_dataset_step(DatasetStep("complaints", _dataset, order=40))
