"""Filters of the complaint, return, discount and churn lists (``/complaints/`` and below).

Every list filters by customer, account manager, filing status and a date range; each adds its own category
and state. "Overdue only" is a condition on ``due_at`` and the handling state, evaluated by the database.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archive.forms import StyledForm
from contracts.filtersets import EntryFilterSet
from customers.filtersets import ALL

from . import choices, selectors
from .models import ChurnRecord, Complaint, Discount, Return

DATE = forms.DateInput(attrs={"type": "date"})


def _date_range(field: str, start_label, end_label):
    return (
        django_filters.DateFilter(label=start_label, field_name=field, lookup_expr="gte", widget=DATE),
        django_filters.DateFilter(label=end_label, field_name=field, lookup_expr="lte", widget=DATE),
    )


class ComplaintFilterSet(EntryFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(
        label=_("handling state"), choices=choices.ComplaintState.choices, empty_label=ALL
    )
    category = django_filters.ChoiceFilter(
        label=_("complaint category"), choices=choices.ComplaintCategory.choices, empty_label=ALL
    )
    severity = django_filters.ChoiceFilter(label=_("severity"), choices=choices.Severity.choices, empty_label=ALL)
    overdue = django_filters.BooleanFilter(label=_("overdue only"), method="only_overdue", widget=forms.CheckboxInput)
    received_from, received_to = _date_range(
        "received_at__date", pgettext_lazy("complaint", "received from"), pgettext_lazy("complaint", "received until")
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("received_at", "received"),
            ("due_at", "due"),
            ("customer__name", "customer"),
            ("satisfaction", "satisfaction"),
        )
    )

    class Meta:
        model = Complaint
        fields = ["q", "customer", "owner", "state", "category", "severity", "status", "overdue"]
        form = StyledForm

    def search(self, queryset, name, value):
        """The subject, what the customer said or the customer's name."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(subject__icontains=value) | Q(content__icontains=value) | Q(customer__name__icontains=value)
        )

    def only_overdue(self, queryset, name, value):
        return queryset.filter(selectors.overdue_q(timezone.now())) if value else queryset


class ReturnFilterSet(EntryFilterSet):
    kind = django_filters.ChoiceFilter(label=_("return type"), choices=choices.ReturnKind.choices, empty_label=ALL)
    reason_category = django_filters.ChoiceFilter(
        label=_("reason category"), choices=choices.ReturnReason.choices, empty_label=ALL
    )
    returned_from, returned_to = _date_range("returned_on", _("returned from"), _("returned until"))
    sort = django_filters.OrderingFilter(
        fields=(("returned_on", "date"), ("customer__name", "customer"), ("total", "total"))
    )

    class Meta:
        model = Return
        fields = ["customer", "owner", "kind", "reason_category", "status", "returned_from", "returned_to"]
        form = StyledForm


class DiscountFilterSet(EntryFilterSet):
    on = django_filters.ChoiceFilter(
        label=_("on"),
        choices=[("order", _("Orders")), ("contract", _("Contracts"))],
        method="on_target",
        empty_label=ALL,
    )
    mode = django_filters.ChoiceFilter(label=_("discount as"), choices=choices.DiscountMode.choices, empty_label=ALL)
    asked_from = django_filters.DateFilter(
        label=_("asked for from"), field_name="created_at", lookup_expr="date__gte", widget=DATE
    )
    asked_to = django_filters.DateFilter(
        label=_("asked for until"), field_name="created_at", lookup_expr="date__lte", widget=DATE
    )
    sort = django_filters.OrderingFilter(
        fields=(("created_at", "date"), ("customer__name", "customer"), ("amount", "amount"))
    )

    class Meta:
        model = Discount
        fields = ["customer", "owner", "on", "mode", "status", "asked_from", "asked_to"]
        form = StyledForm

    def on_target(self, queryset, name, value):
        if value == "order":
            return queryset.filter(order__isnull=False)
        if value == "contract":
            return queryset.filter(contract__isnull=False)
        return queryset


class ChurnFilterSet(EntryFilterSet):
    reason_category = django_filters.ChoiceFilter(
        label=_("reason category"), choices=choices.ChurnReason.choices, empty_label=ALL
    )
    win_back = django_filters.ChoiceFilter(
        label=_("win-back"),
        choices=[("none", _("No plan")), *choices.WinBackState.choices],
        method="in_win_back",
        empty_label=ALL,
    )
    lost_from, lost_to = _date_range("churned_on", _("lost from"), _("lost until"))
    sort = django_filters.OrderingFilter(fields=(("churned_on", "date"), ("customer__name", "customer")))

    class Meta:
        model = ChurnRecord
        fields = ["customer", "owner", "reason_category", "status", "win_back", "lost_from", "lost_to"]
        form = StyledForm

    def in_win_back(self, queryset, name, value):
        if value == "none":
            return queryset.filter(win_back__isnull=True)
        return queryset.filter(win_back__state=value) if value else queryset
