"""The customer list's rows, written in Python as the Django admin's change list writes its own.

A page shows 50 cards of nine cells. Through the template language that was about 1,300 variable lookups and
100 tag calls a page, and the rows cost as much as the rest of the page together; here each row is one
``format_html``. The header, the filters and the pagination stay in ``customers/customer_list.html``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from archive.templatetags.archive_tags import grade_badge, status_badge

from . import selectors
from .choices import Tier
from .models import Customer

# What the rows read of each card (the list's selector reads every column, as the export needs them): the page
# fetches and builds 50 cards of 17 columns instead of 64.
FIELDS = (
    "name",
    "short_name",
    "credit_code",
    "archive_no",
    "grade",
    "tier",
    "lifecycle",
    "route",
    "visit_order",
    "status",
    "updated_at",
    "deleted_at",
    "region__name",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)

ROW = (
    '<tr class="grade-row grade-row-{grade}">'
    '<td><a class="fw-semibold text-decoration-none" href="{url}">{name}</a>'
    '<div class="small text-muted">{numbers}</div></td>'
    "<td>{grade_badge}</td><td>{tier}</td><td>{lifecycle}</td><td>{region}</td><td>{owner}</td>"
    "<td>{contacts}</td><td>{status}</td>"
    '<td class="small text-muted text-nowrap">{updated}</td>'
    "</tr>"
)


def customer_rows(customers: Iterable[Customer]) -> SafeString:
    """The ``<tr>`` of each customer of a list page (from :func:`customers.selectors.customer_list`)."""
    too_few = _("Key customer with fewer than two contacts"), _("too few contacts")
    return format_html_join("", "{}", ((_row(customer, too_few),) for customer in customers))


def _row(customer: Customer, too_few: tuple[str, str]) -> SafeString:
    tier = customer.get_tier_display()
    region = format_html(
        "{}{}",
        customer.region or "—",
        format_html(
            '<div class="small text-muted">{}{}</div>',
            customer.route,
            format_html(" · #{}", customer.visit_order) if customer.visit_order else "",
        )
        if customer.route
        else "",
    )
    contacts = format_html("{}", customer.contact_count)
    if selectors.needs_more_contacts(customer, customer.contact_count):
        contacts = format_html(
            '{} <span class="badge text-bg-warning ms-1 key-contact-flag" title="{}">'
            '<i class="bi bi-exclamation-triangle-fill"></i> {}</span>',
            contacts,
            *too_few,
        )
    return format_html(
        ROW,
        grade=customer.grade,
        url=customer.get_absolute_url(),
        name=customer.name,
        numbers=_numbers(customer),
        grade_badge=grade_badge(customer.grade),
        tier=format_html('<span class="badge text-bg-dark">{}</span>', tier) if customer.tier == Tier.KEY else tier,
        lifecycle=customer.get_lifecycle_display(),
        region=region,
        owner=customer.owner.get_full_name() or customer.owner.username,
        contacts=contacts,
        status=status_badge(customer.status),
        updated=timezone.localtime(customer.updated_at).strftime("%Y-%m-%d %H:%M"),
    )


def _numbers(customer: Customer) -> SafeString:
    """The archive number, the short name and the credit code under the customer's name."""
    archive_no = format_html('<span class="font-monospace me-2">{}</span>', customer.archive_no)
    credit_code = format_html('<span class="font-monospace">{}</span>', customer.credit_code)
    return format_html(
        "{}{}{}{}",
        archive_no if customer.archive_no else "",
        customer.short_name,
        " · " if customer.short_name and customer.credit_code else "",
        credit_code if customer.credit_code else "",
    )
