"""Forms of access requests: the lookup, the request itself, the director's answer and the list's filter."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledForm

from ..models import AccessRequest

REASON = forms.Textarea(attrs={"rows": 3})


def _days_field(label, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=settings.ARCHIVE_ACCESS_GRANT_MAX_DAYS,
        widget=forms.NumberInput(attrs={"style": "max-width:8rem"}),
        **kwargs,
    )


class LookupForm(StyledForm):
    """The exact unified social credit code or the exact full name of the customer to read."""

    key = forms.CharField(
        label=_("Credit code or full customer name"),
        max_length=200,
        help_text=_("Type the 18-character unified social credit code, or the customer's full registered name."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )

    def clean_key(self):
        return self.cleaned_data["key"].strip()


class AccessRequestForm(StyledForm):
    """Why and for how long; the key looked up travels with it and the service finds the customer again from it."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=200)
    customer = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), widget=REASON, max_length=2000)
    days = _days_field(_("days asked for"))

    def __init__(self, *args, customer_id=None, **kwargs):
        # Several cards can share a name: each answer has its own form, with ids of its own on the page.
        if customer_id is not None:
            kwargs.setdefault("auto_id", f"id_%s_{customer_id}")
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.ARCHIVE_ACCESS_GRANT_DAYS
        self.fields["days"].help_text = _("At most %(max)d days.") % {"max": settings.ARCHIVE_ACCESS_GRANT_MAX_DAYS}


class GrantForm(StyledForm):
    """The director lends the customer for some days (the days asked for, unless changed)."""

    days = _days_field(_("days granted"))
    comment = forms.CharField(label=_("comment"), widget=REASON, max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="id_grant_%s", **kwargs)
        self.fields["days"].help_text = _("At most %(max)d days.") % {"max": settings.ARCHIVE_ACCESS_GRANT_MAX_DAYS}


class RefuseForm(StyledForm):
    """The director refuses, and says why."""

    comment = forms.CharField(label=_("why the request is refused"), widget=REASON, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="id_refuse_%s", **kwargs)


class RequestFilterForm(StyledForm):
    state = forms.ChoiceField(
        label=_("state"), choices=[("", _("All"))] + list(AccessRequest.State.choices), required=False
    )
