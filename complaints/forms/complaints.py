"""Forms of complaints (客户投诉): recording one, a handling step, closing, reopening, a change to a filed outcome.

They parse and validate what was typed; the services decide and write. The customer choices are the customers
the user keeps; the order and the complainant are offered from the chosen customer only (none before a customer
is chosen), and a pair that does not belong together is refused next to the field.
"""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledForm, StyledFormMixin, formfield_callback
from contracts.forms import CustomerChoiceField, EntryFormMixin
from contracts.models import Order
from customers.forms import UserChoiceField
from customers.models import Contact
from customers.selectors import keeper_candidates

from .. import services
from ..models import Complaint

TEXT = forms.Textarea(attrs={"rows": 3})
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})
SATISFACTION_LABELS = {
    1: _("Very dissatisfied"),
    2: _("Dissatisfied"),
    3: _("Neither satisfied nor dissatisfied"),
    4: _("Satisfied"),
    5: _("Very satisfied"),
}
SATISFACTION_CHOICES = [(score, f"{score} · {label}") for score, label in SATISFACTION_LABELS.items()]
OTHER_CUSTOMER = _("It belongs to another customer.")


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is local time, to the minute."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class OrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        reference = f" {obj.reference}" if obj.reference else ""
        return f"{obj.ordered_on:%Y-%m-%d}{reference} · ¥{obj.total:,.2f} · {obj.get_status_display()}"


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.title}" if obj.title else obj.name


def satisfaction_field(**kwargs) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("customer satisfaction"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("As the customer says when the complaint is closed."),
        **kwargs,
    )


def chosen_customer(form: forms.BaseForm):
    """The customer picked on a new entry: the posted one, else the one the page was opened for."""
    value = form.data.get("customer") if form.is_bound else form.initial.get("customer")
    value = getattr(value, "pk", value)
    return int(value) if str(value or "").isdigit() else None


class ComplaintForm(EntryFormMixin, forms.ModelForm):
    """A complaint as it came in: when, how, about what, how serious, and who is involved on both sides."""

    customer = CustomerChoiceField(label=_("customer"), queryset=None)
    order = OrderChoiceField(label=_("order concerned"), queryset=Order.objects.none(), required=False)
    contact = ContactChoiceField(label=_("complainant"), queryset=Contact.objects.none(), required=False)
    handler = UserChoiceField(
        label=_("handled by"),
        queryset=keeper_candidates(),
        required=False,
        help_text=_("Who on our side is responsible for closing it."),
    )

    class Meta:
        model = Complaint
        fields = [
            "customer",
            "received_at",
            "channel",
            "category",
            "severity",
            "subject",
            "content",
            "order",
            "contact",
            "their_people",
            "handler",
            "our_people",
        ]
        formfield_callback = formfield_callback
        widgets = {"received_at": DateTimeLocalInput, "content": TEXT}
        help_texts = {
            "severity": _("It sets how long there is to close the complaint."),
            "their_people": _("Others on the customer's side, besides the complainant."),
            "our_people": _("Others on our side who take part in the handling."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customers = self._customers()
        scope = customers if customers is not None else []
        self.fields["order"].queryset = Order.objects.filter(customer__in=scope).order_by("-ordered_on", "-id")
        self.fields["contact"].queryset = Contact.objects.filter(customer__in=scope).order_by(
            "-is_key_person", "name", "id"
        )
        for name in ("order", "contact"):
            self.fields[name].empty_label = _("— none —")
            if customers is None:
                self.fields[name].help_text = _("Choose the customer first.")
                self.fields[name].disabled = True
        self.fields["handler"].empty_label = _("— none —")

    def _customers(self) -> QuerySet | list | None:
        """Whose orders and contacts are offered: the complaint's customer or the chosen one (None: not chosen)."""
        if self.instance.pk:
            return [self.instance.customer_id]
        chosen = chosen_customer(self)
        return self.fields["customer"].queryset.filter(pk=chosen).values("pk") if chosen else None

    def clean(self):
        cleaned = super().clean()
        customer = self.customer
        if customer is not None:
            for name in ("order", "contact"):
                record = cleaned.get(name)
                if record is not None and record.customer_id != customer.pk:
                    self.add_error(name, OTHER_CUSTOMER)
        return cleaned

    def complaint_data(self) -> dict:
        return self.entry_data(services.COMPLAINT_FIELDS)


class ComplaintChangeForm(StyledFormMixin, forms.ModelForm):
    """A change to the outcome of a filed complaint, for the director to approve, with the reason for it."""

    satisfaction = satisfaction_field()
    reason = forms.CharField(
        label=_("reason for the change"),
        max_length=2000,
        widget=SHORT_TEXT,
        help_text=_("The director reads it with the change."),
    )

    class Meta:
        model = Complaint
        fields = ["result", "responsibility", "responsibility_note", "satisfaction"]
        formfield_callback = formfield_callback
        widgets = {"result": TEXT, "responsibility_note": SHORT_TEXT}

    def __init__(self, *args, user=None, proposing: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].required = True
        self.fields["responsibility"].required = True

    def change_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class StepForm(StyledForm):
    """One step of the handling: what was done and, if not just now, when."""

    action = forms.CharField(
        label=_("what was done"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A call, a visit, a test, a replacement sent …"),
    )
    taken_at = forms.DateTimeField(
        label=_("when"),
        required=False,
        widget=DateTimeLocalInput,
        help_text=_("Leave it empty for now."),
    )


class CloseForm(StyledFormMixin, forms.ModelForm):
    """Closing a complaint: the result, whose fault it was, the findings, the customer's satisfaction, the date."""

    satisfaction = satisfaction_field()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Complaint
        fields = ["result", "responsibility", "responsibility_note", "satisfaction", "closed_on"]
        formfield_callback = formfield_callback
        widgets = {"result": TEXT, "responsibility_note": TEXT}
        labels = {"responsibility_note": _("findings")}
        help_texts = {
            "result": _("What was done for the customer in the end."),
            "responsibility_note": _("How the cause was established, and what changes so that it does not recur."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("result", "responsibility", "closed_on"):
            self.fields[name].required = True
        self.fields["version"].initial = self.instance.version
        if not self.is_bound and not self.initial.get("closed_on"):
            self.initial["closed_on"] = timezone.localdate()

    def closing_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.CLOSING_FIELDS}


class ReopenForm(StyledForm):
    """Why a closed complaint is taken up again (the customer came back to it)."""

    reason = forms.CharField(label=_("why it is reopened"), max_length=2000, widget=SHORT_TEXT)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
