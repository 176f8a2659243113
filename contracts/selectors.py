"""Reads of contracts, orders and products, always through the permission gateway.

A contract or an order is visible exactly when its customer is; a customer in the recycle bin takes them along.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from customers import permissions
from customers.models import Customer
from customers.permissions import Action

from .models import Contract, Order, OrderLine, Product


def contract_list(*, user) -> QuerySet[Contract]:
    """The contracts ``user`` may read, ready for the list and its filters, in signing order."""
    return permissions.restrict_related(Contract.objects.select_related("customer", "customer__owner"), user).order_by(
        "signed_on", "id"
    )


def order_list(*, user) -> QuerySet[Order]:
    """The orders ``user`` may read, newest first, ready for the list and its filters."""
    return permissions.restrict_related(
        Order.objects.select_related("customer", "customer__owner", "contract"), user
    ).order_by("-ordered_on", "-id")


def totals(queryset: QuerySet, field: str) -> dict:
    """Count and sum of ``field`` over every row of ``queryset`` (all pages), added up by the database."""
    result = queryset.order_by().aggregate(count=Count("pk"), amount=Sum(field))
    return {"count": result["count"], "amount": result["amount"] or Decimal("0.00")}


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def contract_detail(*, user, pk) -> Contract:
    """The contract if ``user`` may read its customer; 404 otherwise, as if it did not exist."""
    return _get(contract_list(user=user), pk)


def order_detail(*, user, pk) -> Order:
    return _get(order_list(user=user), pk)


def order_lines(*, order: Order) -> QuerySet[OrderLine]:
    return order.lines.select_related("product").order_by("position", "id")


def editable_by(user, entry) -> bool:
    return permissions.can(user, Action.CHANGE, entry.customer)


def customers_to_change(*, user) -> QuerySet[Customer]:
    """The customers ``user`` may enter contracts and orders for (form choices never offer more)."""
    return permissions.restrict(Customer.objects.all(), user, Action.CHANGE).order_by("name", "id")


def customer_contracts(*, customer: Customer) -> QuerySet[Contract]:
    """A customer's contracts in signing order (the card's contract section)."""
    return customer.contracts.order_by("signed_on", "id")


def customer_orders(*, customer: Customer) -> QuerySet[Order]:
    return customer.orders.order_by("-ordered_on", "-id")


def products(*, include_inactive: bool = False) -> QuerySet[Product]:
    queryset = Product.objects.all()
    return queryset if include_inactive else queryset.filter(is_active=True)
