"""Forms of churn records (客户流失) and their win-back plans (挽回计划).

The customer choices are the customers the user keeps; the person responsible for a plan is an active account
manager or director. The services check the dates against the loss and today.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledForm, StyledFormMixin, formfield_callback
from contracts.forms import CustomerChoiceField, EntryFormMixin
from customers.forms import UserChoiceField
from customers.selectors import keeper_candidates

from .. import services
from ..choices import WinBackState
from ..models import ChurnRecord, WinBackPlan

TEXT = forms.Textarea(attrs={"rows": 4})
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


class ChurnForm(EntryFormMixin, forms.ModelForm):
    """When and why a customer was lost, and to whom. On a filed record, a change proposal with its reason."""

    customer = CustomerChoiceField(label=_("customer"), queryset=None)

    class Meta:
        model = ChurnRecord
        fields = ["customer", "churned_on", "reason_category", "narrative", "competitor"]
        formfield_callback = formfield_callback
        widgets = {"narrative": TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.proposing:
            del self.fields["churned_on"]  # the date of a filed loss is what was filed

    def churn_data(self) -> dict:
        allowed = services.CHURN_FIELDS - {"churned_on"} if self.proposing else services.CHURN_FIELDS
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in allowed and name in self.fields}


class PlanForm(StyledFormMixin, forms.ModelForm):
    """The win-back plan: the next steps, by when, and who sees to them."""

    responsible = UserChoiceField(label=_("responsible"), queryset=keeper_candidates())

    class Meta:
        model = WinBackPlan
        fields = ["next_steps", "target_on", "responsible"]
        formfield_callback = formfield_callback
        widgets = {"next_steps": TEXT}
        help_texts = {"next_steps": _("Who is visited or called, what is offered, what is to be learned.")}

    def plan_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.PLAN_FIELDS}


class PlanConcludeForm(StyledForm):
    """How the plan ended: won back or given up, on which day, and what happened."""

    state = forms.ChoiceField(
        label=_("outcome"),
        choices=[(state.value, state.label) for state in (WinBackState.WON_BACK, WinBackState.ABANDONED)],
        widget=forms.RadioSelect,
    )
    outcome_on = forms.DateField(label=_("outcome on"), widget=forms.DateInput)
    outcome_note = forms.CharField(label=_("what happened"), max_length=4000, widget=TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("outcome_on", timezone.localdate())
