"""Reads of staff handovers (员工调离交接): who can leave, what they keep, who can receive, what was handed over.

Handovers are the director's: the pages ask :func:`may_hand_over` / :func:`may_view` and answer 403 otherwise.
Every list here is one query however many customers a manager keeps, so a manager with a few hundred customers
costs the page what one with three does.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.http import Http404

from archive.roles import ACCOUNT_MANAGER
from complaints.choices import ComplaintState
from complaints.models import Complaint
from contracts.models import Contract, Order
from credit.models import PaymentAllocation, Receivable
from customers import permissions
from customers.models import MONEY, CoOwner, Customer

from ..models import Handover, HandoverItem

HAND_OVER_PERMISSION = "access.add_handover"
VIEW_PERMISSION = "access.view_handover"

User = get_user_model()


def may_hand_over(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(HAND_OVER_PERMISSION)


def may_view(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(VIEW_PERMISSION)


# ---- Preparing a handover ---------------------------------------------------------------------------------------


def _count(queryset: QuerySet, field: str):
    """A correlated count of ``queryset`` rows whose ``field`` is the outer row (0 when there are none)."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def departing_candidates() -> QuerySet:
    """Who may leave: every account manager, and anyone else who keeps a customer, with how many they keep.

    Deactivated accounts stay in the list: a manager who left before their customers were handed over still has
    them to hand over.
    """
    kept = _count(Customer.objects.all(), "owner") + _count(
        CoOwner.objects.filter(customer__deleted_at__isnull=True), "user"
    )
    return (
        User.objects.annotate(kept_count=kept)
        # Membership as a subquery: a join on the groups would repeat a user who holds several roles.
        .filter(Q(pk__in=User.objects.filter(groups__name=ACCOUNT_MANAGER).values("pk")) | Q(kept_count__gt=0))
        .order_by("-is_active", "username")
    )


def kept_customers(user) -> QuerySet[Customer]:
    """The customers ``user`` keeps, by name, with ``role`` (owner or co-owner) and their region, in one query."""
    return (
        permissions.customers_kept_by(user)
        .select_related("region")
        .annotate(
            role=Case(
                When(owner=user, then=Value(HandoverItem.Role.OWNER)),
                default=Value(HandoverItem.Role.CO_OWNER),
                output_field=CharField(),
            )
        )
        .order_by("name", "pk")
    )


def receivers(*, leaving) -> QuerySet:
    """Who can receive customers: the active account managers, the departing one excepted."""
    return (
        User.objects.filter(is_active=True, groups__name=ACCOUNT_MANAGER)
        .exclude(pk=getattr(leaving, "pk", leaving))
        .order_by("username")
    )


# ---- Handovers done ---------------------------------------------------------------------------------------------


def handover_list() -> QuerySet[Handover]:
    return Handover.objects.annotate(customer_count=Count("items")).order_by("-performed_at", "-id")


def handover_detail(pk) -> Handover:
    try:
        return handover_list().get(pk=pk)
    except (Handover.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def handover_items(handover: Handover) -> QuerySet[HandoverItem]:
    return handover.items.order_by("customer_name", "id")


def _money(subquery):
    return Coalesce(
        Subquery(subquery, output_field=DecimalField(**MONEY)), Value(0), output_field=DecimalField(**MONEY)
    )


def _per_customer(queryset: QuerySet, path: str, total):
    """A correlated aggregate of ``queryset`` rows whose customer (``path``) is the item's customer."""
    return (
        queryset.filter(**{path: OuterRef("customer_id")}).order_by().values(path).annotate(total=total).values("total")
    )


def handover_sheet(handover: Handover, *, user) -> QuerySet[HandoverItem]:
    """The items of the handover list (交接清单) with what a receiver needs to know of each customer, in one query.

    The figures (contracts, orders, what is still owed, complaints still open) are read for the customers ``user``
    may read (``readable``); an item whose customer is out of their sight, or in the recycle bin, shows none.
    """
    readable = permissions.visible_customers(user).filter(pk=OuterRef("customer_id"))
    owed = _money(_per_customer(Receivable.objects.all(), "customer", Sum("amount")))
    allocated = _money(
        _per_customer(
            PaymentAllocation.objects.filter(receivable__order__deleted_at__isnull=True),
            "receivable__customer",
            Sum("amount"),
        )
    )
    return handover_items(handover).annotate(
        readable=Exists(readable),
        grade=F("customer__grade"),
        contract_count=Coalesce(Subquery(_per_customer(Contract.objects.all(), "customer", Count("pk"))), 0),
        order_count=Coalesce(Subquery(_per_customer(Order.objects.all(), "customer", Count("pk"))), 0),
        # Rounded in SQL: SQLite subtracts decimals as floating point.
        outstanding=Round(owed - allocated, 2, output_field=DecimalField(**MONEY)),
        open_complaints=Coalesce(
            Subquery(_per_customer(Complaint.objects.exclude(state=ComplaintState.CLOSED), "customer", Count("pk"))),
            0,
        ),
    )


def moved_summary(moved: dict) -> list[tuple[str, int]]:
    """What moved with a customer, as (what, how many): the kinds are model labels, named by their model."""
    summary = []
    for label, count in (moved or {}).items():
        try:
            name = str(apps.get_model(label)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            name = label
        summary.append((name, count))
    return summary
