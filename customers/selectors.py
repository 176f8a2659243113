"""Reads of the archive card, always through the permission gateway."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from archive.history import Trail, TrailEntry, describe, display_value, trail
from archive.registry import registry
from archive.roles import ACCOUNT_MANAGER, SALES_DIRECTOR

from . import permissions
from .models import Attachment, Contact, CoOwner, Customer, Interaction
from .permissions import Action


def keeper_candidates():
    """The people who can look after customers: active account managers and directors."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[ACCOUNT_MANAGER, SALES_DIRECTOR])
        .distinct()
        .order_by("username")
    )


def keeper_choices(*, user=None) -> QuerySet:
    """The account managers a list can be filtered by.

    Those who read every card (or no one in particular: ``user`` None) choose among every keeper; anyone else
    among the owners of the cards they may read, so a manager's filter lists the few names that can match,
    not the whole sales force (200 names at full scale, which also cost the list page a fifth of its time).
    """
    candidates = keeper_candidates()
    if user is None or permissions.has_global(user):
        return candidates
    return candidates.filter(pk__in=permissions.visible_customers(user).order_by().values("owner"))


def customer_list(*, user) -> QuerySet[Customer]:
    """The customers ``user`` may read, ready for the list, the export and the filters.

    ``contact_count`` is a correlated subquery rather than a JOIN + GROUP BY: it is evaluated for the rows of
    the page only, so the list costs the same for 10 or 100,000 customers.
    """
    contacts = (
        Contact.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        permissions.visible_customers(user)
        .select_related("owner", "region")
        .annotate(contact_count=Coalesce(Subquery(contacts, output_field=IntegerField()), 0))
    )


def needs_more_contacts(customer: Customer, contact_count: int) -> bool:
    """A key customer with fewer than the required contacts on its side (DESIGN §2.1)."""
    return customer.is_key and contact_count < settings.ARCHIVE_KEY_CUSTOMER_MIN_CONTACTS


def customer_card(*, user, pk) -> Customer:
    return permissions.get_customer_or_404(user, pk, queryset=Customer.objects.select_related("owner", "region"))


def customer_contacts(*, customer: Customer) -> QuerySet[Contact]:
    return customer.contacts.all()


def customer_interactions(*, customer: Customer) -> QuerySet[Interaction]:
    return customer.interactions.select_related("staff")


def customer_attachments(*, customer: Customer) -> QuerySet[Attachment]:
    return customer.attachments.select_related("uploaded_by")


def customer_co_owners(*, customer: Customer) -> QuerySet[CoOwner]:
    return customer.co_ownerships.select_related("user").order_by("user__username")


def attachment_for_download(*, user, customer_id, attachment_id) -> Attachment:
    """The attachment, if ``user`` may read its customer; 404 otherwise."""
    customer = permissions.get_customer_or_404(user, customer_id)
    return Attachment.objects.filter(customer=customer).get(pk=attachment_id)


def customer_trail(*, customer: Customer) -> Trail:
    """The customer's merged change trail: the card and every registered category, newest first.

    A sequence to slice: a page builds the entries it shows, not the whole trail.
    """
    sources = [(source.model, {source.customer_field: customer.pk}) for source in registry.trail_sources]
    return trail(sources)


def describe_trail(entries: list[TrailEntry], *, customer: Customer | None = None) -> list[TrailEntry]:
    """Readable values for ``entries``; the trail's own ``customer``, already read, is not looked up again."""
    describe(entries, known=[customer] if customer is not None else [])
    return entries


def editable_by(user, customer: Customer) -> bool:
    return permissions.can(user, Action.CHANGE, customer)


def staff_choices(*, user, customer: Customer):
    """Who ``user`` may name as our staff on this card's interactions: its keepers and themself (directors: anyone)."""
    candidates = keeper_candidates()
    if permissions.has_global(user, Action.CHANGE):
        return candidates
    keepers = {customer.owner_id, user.pk, *customer.co_ownerships.values_list("user_id", flat=True)}
    return candidates.filter(pk__in=keepers)


def card_values(*, customer: Customer) -> list[tuple[str, list]]:
    """The card's values as a reader sees them, grouped as on the paper card: ``[(section, [(field, text)])]``."""
    from .columns import CARD_FIELDSETS

    groups = []
    for title, names in CARD_FIELDSETS:
        rows = []
        for name in names:
            field = Customer._meta.get_field(name)
            raw = getattr(customer, field.attname)
            related = {field.related_model: {raw: getattr(customer, name)}} if field.is_relation and raw else None
            rows.append((field, display_value(field, raw, related)))
        groups.append((title, rows))
    return groups
