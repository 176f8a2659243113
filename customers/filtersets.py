"""The customer list's filters; the list page and the Excel export share them (DESIGN §7)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from archive.choices import FilingStatus, Grade
from archive.forms import StyledForm
from archive.history import user_display

from . import permissions, selectors
from .choices import Lifecycle, Nature, Tier
from .models import Contact, Customer, Region

ALL = _("All")


def keeper_choices(request):
    """The owner filter's choices for the list's reader (django-filter passes the request; None: everyone)."""
    return selectors.keeper_choices(user=getattr(request, "user", None))


class KeeperChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user_display(user)


class KeeperFilter(django_filters.ModelChoiceFilter):
    """Every list's account-manager filter: the keepers its reader can match (:func:`keeper_choices`), by name.

    The label is the field's own rather than set on the filter set's field after the fact: django-filter makes
    the field anew, asking for the choices again, each time a filter set reads it.
    """

    field_class = KeeperChoiceField

    def __init__(self, field_name: str = "owner", **kwargs):
        kwargs.setdefault("label", _("account manager"))
        super().__init__(field_name=field_name, queryset=keeper_choices, empty_label=ALL, **kwargs)


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    # ``grade`` is a column of the card itself, so several grades cannot repeat a row: no DISTINCT, which made
    # the page count evaluate the whole annotated row of every matching customer.
    grade = django_filters.MultipleChoiceFilter(
        label=_("grade"), choices=Grade.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    region = django_filters.ModelChoiceFilter(label=_("region"), queryset=Region.objects.all(), empty_label=ALL)
    lifecycle = django_filters.ChoiceFilter(label=_("lifecycle"), choices=Lifecycle.choices, empty_label=ALL)
    tier = django_filters.ChoiceFilter(label=_("tier"), choices=Tier.choices, empty_label=ALL)
    nature = django_filters.ChoiceFilter(label=_("nature"), choices=Nature.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(label=_("filing status"), choices=FilingStatus.choices, empty_label=ALL)
    owner = KeeperFilter()
    sort = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("grade", "grade"),
            ("region__sort_order", "region"),
            ("owner__username", "owner"),
            ("lifecycle", "lifecycle"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "name": _("customer name"),
            "grade": _("grade"),
            "region__sort_order": _("region"),
            "owner__username": _("account manager"),
            "updated_at": _("updated at"),
        },
    )

    class Meta:
        model = Customer
        fields = ["q", "grade", "region", "lifecycle", "tier", "nature", "status", "owner"]
        form = StyledForm

    def search(self, queryset, name, value):
        """Name, short name, credit code, or the name of one of the customer's contacts.

        The matches are collected as one ``UNION`` of customer ids rather than an ``OR`` with an ``EXISTS`` per
        customer: each branch can then read its own trigram index on PostgreSQL (migration 0010), where the
        ``OR`` made the planner scan every customer. Both branches search only the rows the reader may see, so
        a manager's search reads their few hundred customers, not the whole archive. Whoever reads every card
        searches every contact directly: narrowing that branch to the readable cards would only test each
        contact against the whole archive (on SQLite it doubled the contacts' part of the search); the list's
        own queryset still leaves out the cards in the recycle bin.
        """
        value = value.strip()
        if not value:
            return queryset
        readable = queryset.order_by().values("pk")
        by_card = readable.filter(
            Q(name__icontains=value) | Q(short_name__icontains=value) | Q(credit_code__icontains=value.upper())
        )
        contacts = Contact.objects.filter(name__icontains=value)
        if not permissions.has_global(getattr(self.request, "user", None)):
            contacts = contacts.filter(customer__in=readable)
        return queryset.filter(pk__in=by_card.union(contacts.order_by().values("customer_id")))
