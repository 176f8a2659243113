"""Forms of the director's rights: read access for a user or a group on one customer, or for a group on many."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledForm
from customers.forms import UserChoiceField

from ..selectors import requests as selectors

NOTE = forms.Textarea(attrs={"rows": 2})


def end_of(day: datetime.date | None) -> datetime.datetime | None:
    """A right "until" a day lasts through that day: it ends when the next day begins, local time."""
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


class UntilMixin:
    def clean_until(self):
        day = self.cleaned_data.get("until")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("The end must be today or later."), code="until_past")
        return day

    def until_moment(self) -> datetime.datetime | None:
        return end_of(self.cleaned_data.get("until"))


def _until_field() -> forms.DateField:
    return forms.DateField(
        label=_("read access until"),
        required=False,
        widget=forms.DateInput,
        help_text=_("Leave empty for a standing right; otherwise it ends when that day ends."),
    )


class RightGrantForm(UntilMixin, StyledForm):
    """Read access to this customer for one user or one group."""

    user = UserChoiceField(label=_("user"), queryset=None, required=False)
    group = forms.ModelChoiceField(label=_("group"), queryset=None, required=False)
    until = _until_field()
    note = forms.CharField(label=_("reason"), widget=NOTE, max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="id_grant_%s", **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["group"].queryset = selectors.grantable_groups()

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("user")) == bool(cleaned.get("group")):
            raise forms.ValidationError(_("Choose a user or a group, not both."), code="one_holder")
        return cleaned


class RevokeForm(StyledForm):
    """Which right to take away (by its table and id) and, optionally, why."""

    kind = forms.ChoiceField(choices=[("user", "user"), ("group", "group")], widget=forms.HiddenInput)
    right = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("reason"), max_length=500, required=False)


class GroupGrantForm(UntilMixin, StyledForm):
    """The group that is to read the customers the filters select, and for how long."""

    group = forms.ModelChoiceField(label=_("group"), queryset=None)
    until = _until_field()
    note = forms.CharField(label=_("reason"), widget=NOTE, max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="id_grant_%s", **kwargs)
        self.fields["group"].queryset = selectors.grantable_groups()
        self.fields["group"].help_text = _("Any group but the four roles; create groups in the administration.")


class ConfirmForm(StyledForm):
    """The number of customers the director saw before confirming: if it changed since, they look again."""

    expected = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
