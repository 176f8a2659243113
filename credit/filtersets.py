"""Filters of the ledger lists (``/credit/receivables/``, ``/credit/payments/``).

They filter the selectors' querysets, already narrowed by the gateway and annotated with what is owed or
allocated, so a filter on the state or on "unallocated only" is a condition on those annotations in SQL.
"""

import django_filters
from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledForm
from customers.filtersets import ALL, KeeperFilter

from .models import Payment, Receivable

DATE = forms.DateInput(attrs={"type": "date"})


class ReceivableState(models.TextChoices):
    """Where a receivable stands today (the list's state filter)."""

    OPEN = "open", _("Still owed")
    OVERDUE = "overdue", _("Overdue")
    SETTLED = "settled", _("Settled")


class StableOrderingFilter(django_filters.OrderingFilter):
    """Sorting by a column that repeats (a date, a customer) with the id last, so that pages never overlap."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "id")
        return qs


class LedgerFilterSet(django_filters.FilterSet):
    """What both ledger lists filter by: the customer (from the card's links) and its account manager."""

    customer = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    owner = KeeperFilter("customer__owner")


class ReceivableFilterSet(LedgerFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("state"), choices=ReceivableState.choices, method="in_state", empty_label=ALL
    )
    issued_from = django_filters.DateFilter(
        label=_("issued from"), field_name="issued_on", lookup_expr="gte", widget=DATE
    )
    issued_to = django_filters.DateFilter(
        label=_("issued until"), field_name="issued_on", lookup_expr="lte", widget=DATE
    )
    sort = StableOrderingFilter(
        fields=(
            ("issued_on", "issued"),
            ("due", "due"),
            ("customer__name", "customer"),
            ("amount", "amount"),
            ("outstanding", "outstanding"),
        ),
    )

    class Meta:
        model = Receivable
        fields = ["customer", "owner", "state", "issued_from", "issued_to"]
        form = StyledForm

    def in_state(self, queryset, name, value):
        """Still owed (anything outstanding), overdue (owed past the due date in force) or settled."""
        if value == ReceivableState.OPEN:
            return queryset.filter(outstanding__gt=0)
        if value == ReceivableState.OVERDUE:
            return queryset.filter(outstanding__gt=0, due__lt=timezone.localdate())
        if value == ReceivableState.SETTLED:
            return queryset.filter(outstanding__lte=0)
        return queryset


class PaymentFilterSet(LedgerFilterSet):
    received_from = django_filters.DateFilter(
        label=_("received from"), field_name="received_on", lookup_expr="gte", widget=DATE
    )
    received_to = django_filters.DateFilter(
        label=_("received until"), field_name="received_on", lookup_expr="lte", widget=DATE
    )
    unallocated = django_filters.BooleanFilter(
        label=_("unallocated only"), method="with_unallocated", widget=forms.CheckboxInput
    )
    sort = StableOrderingFilter(
        fields=(
            ("received_on", "received"),
            ("customer__name", "customer"),
            ("amount", "amount"),
            ("unallocated", "unallocated"),
        ),
    )

    class Meta:
        model = Payment
        fields = ["customer", "owner", "received_from", "received_to", "unallocated"]
        form = StyledForm

    def with_unallocated(self, queryset, name, value):
        """Only payments with money left to allocate (an unticked box filters nothing)."""
        return queryset.filter(unallocated__gt=0) if value else queryset
