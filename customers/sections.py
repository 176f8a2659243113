"""The card sections and trail sources ``customers`` contributes through the archive registry."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from archive.registry import CardSection, Filable, TrailSource, WorkbookSheet, registry

from . import columns, selectors, services
from .models import (
    Attachment,
    Contact,
    CoOwner,
    Customer,
    CustomerGroupObjectPermission,
    CustomerUserObjectPermission,
    Interaction,
)


def _contacts(customer, user):
    contacts = list(selectors.customer_contacts(customer=customer))
    return {"contacts": contacts}


def _interactions(customer, user):
    return {"interactions": selectors.customer_interactions(customer=customer)[:20]}


def _attachments(customer, user):
    return {"attachments": selectors.customer_attachments(customer=customer)}


def register():
    registry.register_section(
        CardSection("contacts", _("Contacts"), "customers/sections/contacts.html", _contacts, order=10)
    )
    registry.register_section(
        CardSection("interactions", _("Interactions"), "customers/sections/interactions.html", _interactions, order=20)
    )
    registry.register_section(
        CardSection("attachments", _("Attachments"), "customers/sections/attachments.html", _attachments, order=30)
    )
    registry.register_sheet(WorkbookSheet("card", _("Archive card"), columns.CARD_COLUMNS, columns.card_rows, order=0))
    registry.register_sheet(
        WorkbookSheet(
            "contacts", _("Contacts"), columns.CONTACT_COLUMNS, lambda c: selectors.customer_contacts(customer=c), 10
        )
    )
    registry.register_sheet(
        WorkbookSheet(
            "interactions",
            _("Interactions"),
            columns.INTERACTION_COLUMNS,
            lambda c: selectors.customer_interactions(customer=c),
            20,
        )
    )
    registry.register_sheet(
        WorkbookSheet(
            "attachments",
            _("Attachments"),
            columns.ATTACHMENT_COLUMNS,
            lambda c: selectors.customer_attachments(customer=c),
            30,
        )
    )
    registry.register_filable(
        Filable(
            Customer,
            services.CARD_FIELDS,
            customer_field=None,
            edit_url=lambda customer: reverse("customers:edit", args=[customer.pk]),
        )
    )
    registry.register_filable(
        Filable(
            Attachment,
            services.ATTACHMENT_FIELDS,
            edit_url=lambda a: reverse("customers:attachment-edit", args=[a.customer_id, a.pk]),
        )
    )
    registry.register_trail(TrailSource(Customer, customer_field="id"))
    for model in (CoOwner, Contact, Interaction, Attachment):
        registry.register_trail(TrailSource(model))
    # Who was given or lost the right to read and change the card, by whom and why (a lent right's expiry too).
    for model in (CustomerUserObjectPermission, CustomerGroupObjectPermission):
        registry.register_trail(TrailSource(model, customer_field="content_object_id"))
