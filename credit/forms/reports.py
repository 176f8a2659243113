"""Forms of the credit reports: the overdue list's filters and the aging report's question (as of, basis, manager).

The aging form is read from the query string, so a report has a stable address that can be bookmarked, sent on
and exported exactly as shown.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledForm
from customers.filtersets import ALL, KeeperFilter, keeper_choices

from ..choices import AgingBasis
from ..models import Receivable


def _manager_label(user) -> str:
    return user.get_full_name() or user.username


class OverdueFilterSet(django_filters.FilterSet):
    """Filters of the overdue list: the customer (searched by name, or from the card's link) and its manager."""

    q = django_filters.CharFilter(label=_("Customer"), method="search")
    customer = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    owner = KeeperFilter("customer__owner")

    class Meta:
        model = Receivable
        fields = ["q", "customer", "owner"]
        form = StyledForm

    def search(self, queryset, name, value):
        """The customer's name, short name or archive number."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(customer__name__icontains=value)
            | Q(customer__short_name__icontains=value)
            | Q(customer__archive_no__icontains=value)
        )


class AgingForm(StyledForm):
    """What the aging report is asked: the day it is taken on, what age counts from, and one manager or all."""

    as_of = forms.DateField(label=_("as of"), required=False, widget=forms.DateInput)
    basis = forms.ChoiceField(label=_("age counted from"), choices=AgingBasis.choices, required=False)
    owner = forms.ModelChoiceField(label=_("account manager"), queryset=None, required=False, empty_label=ALL)

    def __init__(self, data, *, today: datetime.date, **kwargs):
        # The page opens on today's report by issue date: the defaults are filled in, so the form shows them.
        data = data.copy()
        data.setdefault("as_of", today.isoformat())
        data.setdefault("basis", AgingBasis.ISSUED)
        super().__init__(data, **kwargs)
        self.today = today
        self.fields["owner"].queryset = keeper_choices(None)
        self.fields["owner"].label_from_instance = _manager_label

    def report_kwargs(self) -> dict:
        """The selector's arguments (:func:`credit.selectors.aging`), for a valid form."""
        owner = self.cleaned_data.get("owner")
        return {
            "as_of": self.cleaned_data.get("as_of") or self.today,
            "basis": self.cleaned_data.get("basis") or AgingBasis.ISSUED,
            "owner_id": owner.pk if owner else None,
        }
