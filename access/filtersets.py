"""Filters of the access log (``/access/log/``): who, which customer, what kind of reading, and when.

The period is a range of whole days in the archive's time zone (``settings.TIME_ZONE``): "until 2026-07-15"
includes 23:59:59 that day and nothing of the next. The bounds are compared with the stored instants, so the
index on the time serves them.
"""

import datetime

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledForm
from customers.filtersets import ALL
from customers.models import AccessRecord

from .selectors.log import log_users

DATE = forms.DateInput(attrs={"type": "date"})
# The days a period may start or end on: at the calendar's edges (0001-01-01, 9999-12-31) the bounds, turned into
# instants in UTC or moved a day on, fall outside what Python and the database can hold.
PERIOD_LIMITS = [MinValueValidator(datetime.date(1900, 1, 1)), MaxValueValidator(datetime.date(9998, 12, 31))]


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        name = user.get_full_name()
        label = f"{name} ({user.username})" if name else user.username
        return label if user.is_active else gettext("%(name)s (inactive)") % {"name": label}


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


def _customer_pk(value: str) -> int | None:
    """The id in ``?customer=<pk>`` (a link from a card or a row), else ``None``: the value is a name to search."""
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the archive's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())


class AccessRecordFilterSet(django_filters.FilterSet):
    user = UserFilter(label=_("user"), queryset=lambda request: log_users(), empty_label=ALL)
    customer = django_filters.CharFilter(
        label=_("customer"),
        method="of_customer",
        widget=forms.TextInput(attrs={"placeholder": _("Name or archive number")}),
    )
    action = django_filters.ChoiceFilter(label=_("action"), choices=AccessRecord.Action.choices, empty_label=ALL)
    date_from = django_filters.DateFilter(label=_("from date"), method="since", widget=DATE, validators=PERIOD_LIMITS)
    date_to = django_filters.DateFilter(
        label=_("to date (inclusive)"), method="until", widget=DATE, validators=PERIOD_LIMITS
    )

    class Meta:
        model = AccessRecord
        fields = ["user", "customer", "action", "date_from", "date_to"]
        form = StyledForm

    def of_customer(self, queryset, name, value):
        """A customer's id (the card's "who read this" link), else part of its name or archive number."""
        value = value.strip()
        if not value:
            return queryset
        pk = _customer_pk(value)
        if pk is not None:
            return queryset.filter(customer_id=pk)
        return queryset.filter(
            Q(customer__name__icontains=value)
            | Q(customer__short_name__icontains=value)
            | Q(customer__archive_no__icontains=value)
            | Q(customer__credit_code=value.upper())
        )

    def since(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def until(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + datetime.timedelta(days=1)))

    @property
    def customer_id(self) -> int | None:
        """The customer filtered on by id, for the page to name it."""
        if not (self.is_bound and self.is_valid()):
            return None
        return _customer_pk(self.form.cleaned_data.get("customer") or "")

    def qs_of_every_action(self):
        """The filtered rows before the action is chosen: what the counts per action are taken from."""
        queryset = self.queryset.all()
        if self.is_bound and self.is_valid():
            for name, value in self.form.cleaned_data.items():
                if name != "action":
                    queryset = self.filters[name].filter(queryset, value)
        return queryset
