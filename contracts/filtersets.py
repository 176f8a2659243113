"""Filters of the contract and order lists (DESIGN §7: ``/contracts/``, ``/orders/``)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from archive.choices import FilingStatus
from archive.forms import StyledForm
from customers.filtersets import ALL, KeeperFilter

from .choices import ContractState, Settlement
from .models import Contract, Order, OrderLine, Product

DATE = forms.DateInput(attrs={"type": "date"})


class EntryFilterSet(django_filters.FilterSet):
    """What both lists filter by: the customer (from the card's links), its manager, the filing status."""

    customer = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    owner = KeeperFilter("customer__owner")
    status = django_filters.ChoiceFilter(label=_("filing status"), choices=FilingStatus.choices, empty_label=ALL)


class ContractFilterSet(EntryFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("execution state"), choices=ContractState.choices, empty_label=ALL)
    signed_from = django_filters.DateFilter(
        label=_("signed from"), field_name="signed_on", lookup_expr="gte", widget=DATE
    )
    signed_to = django_filters.DateFilter(
        label=_("signed until"), field_name="signed_on", lookup_expr="lte", widget=DATE
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("signed_on", "signed"),
            ("number", "number"),
            ("customer__name", "customer"),
            ("amount", "amount"),
            ("ends_on", "ends"),
        ),
    )

    class Meta:
        model = Contract
        fields = ["q", "customer", "owner", "state", "status", "signed_from", "signed_to"]
        form = StyledForm

    def search(self, queryset, name, value):
        """Contract number, title or the customer's name."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(customer__name__icontains=value)
        )


class OrderFilterSet(EntryFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    settlement = django_filters.ChoiceFilter(label=_("settlement"), choices=Settlement.choices, empty_label=ALL)
    product = django_filters.ModelChoiceFilter(
        label=_("product"), queryset=Product.objects.order_by("code"), method="with_product", empty_label=ALL
    )
    ordered_from = django_filters.DateFilter(
        label=_("ordered from"), field_name="ordered_on", lookup_expr="gte", widget=DATE
    )
    ordered_to = django_filters.DateFilter(
        label=_("ordered until"), field_name="ordered_on", lookup_expr="lte", widget=DATE
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("ordered_on", "date"),
            ("customer__name", "customer"),
            ("total", "total"),
        ),
    )

    class Meta:
        model = Order
        fields = ["q", "customer", "owner", "settlement", "status", "product", "ordered_from", "ordered_to"]
        form = StyledForm

    def search(self, queryset, name, value):
        """The customer's name, the order reference or the contract number."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(customer__name__icontains=value) | Q(reference__icontains=value) | Q(contract__number__icontains=value)
        )

    def with_product(self, queryset, name, value):
        """Orders with at least one line of the product (``EXISTS``, so an order is never listed twice)."""
        if not value:
            return queryset
        return queryset.filter(Exists(OrderLine.objects.filter(order=OuterRef("pk"), product=value)))
