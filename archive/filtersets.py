"""The director's inbox filters: request type, who submitted it, and when."""

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .forms import StyledForm
from .models import FilingRequest

ALL = _("All")


def _authors(request):
    """The people with a request waiting (the inbox's "manager" filter offers no one else)."""
    return (
        get_user_model()
        .objects.filter(filing_requests__state=FilingRequest.State.PENDING)
        .distinct()
        .order_by("username")
    )


class RequestFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("request type"), choices=FilingRequest.Kind.choices, empty_label=ALL)
    author = django_filters.ModelChoiceFilter(label=_("submitted by"), queryset=_authors, empty_label=ALL)
    submitted_from = django_filters.DateFilter(
        label=_("submitted from"), field_name="submitted_at", lookup_expr="date__gte"
    )
    submitted_to = django_filters.DateFilter(
        label=_("submitted to"), field_name="submitted_at", lookup_expr="date__lte"
    )

    class Meta:
        model = FilingRequest
        fields = ["kind", "author", "submitted_from", "submitted_to"]
        form = StyledForm
