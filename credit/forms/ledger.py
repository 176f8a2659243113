"""Forms of the ledger: receivables entered by hand, payments and their allocation, extensions, repayment plans.

They parse and validate what was typed; the services decide and write. Customer choices offer only the
customers the user may change, and allocation by hand offers one input per receivable still owed by the
payment's customer: an amount posted for any other receivable refuses the whole form.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledForm, StyledFormMixin, formfield_callback
from contracts.forms import CustomerChoiceField
from contracts.models import MONEY
from contracts.selectors import customers_to_change

from .. import selectors, services
from ..choices import Allocation, PaymentMethod
from ..models import Payment, Receivable, RepaymentPlan

ALLOCATION_PREFIX = "alloc-"
INSTALMENTS_PREFIX = "instalments"
NOTE = forms.Textarea(attrs={"rows": 2})


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's refusal on the form: under the field it names if the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def chosen_customer_id(form: forms.BaseForm) -> int | None:
    """The customer picked on a new entry: the posted one, else the one the page was opened for."""
    value = form.data.get("customer") if form.is_bound else form.initial.get("customer")
    return int(value) if str(value or "").isdigit() else None


# ---- Receivables and extensions -----------------------------------------------------------------------------


class ReceivableForm(StyledFormMixin, forms.ModelForm):
    """A receivable entered by hand (an old debt, a service charge …), always with a reason."""

    customer = CustomerChoiceField(label=_("customer"), queryset=None)

    class Meta:
        model = Receivable
        fields = ["customer", "amount", "issued_on", "due_on", "reason"]
        formfield_callback = formfield_callback
        widgets = {"reason": NOTE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers_to_change(user=user)
        self.fields["due_on"].required = False
        self.fields["due_on"].help_text = _("Leave it empty to count the customer's payment terms from the issue date.")
        self.fields["reason"].required = True

    def receivable_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in services.RECEIVABLE_FIELDS}


class ExtensionForm(StyledForm):
    """Ask the director to let the customer pay a receivable later."""

    requested_due_on = forms.DateField(label=_("new due date"))
    reason = forms.CharField(label=_("reason"), max_length=2000, widget=NOTE, help_text=_("The director reads it."))


class AllocationRemoveForm(StyledForm):
    reason = forms.CharField(label=_("reason"), max_length=2000)


# ---- Payments and allocation ----------------------------------------------------------------------------------


class AllocationInputsMixin:
    """Allocation by hand: an amount input ``alloc-<receivable id>`` per receivable the customer still owes.

    The inputs are ordinary form fields, so a re-rendered form keeps what was typed and marks a bad amount
    where it was typed. Whether an amount fits the receivable and the payment is the services' rule.
    """

    def add_allocation_inputs(self, receivables) -> None:
        self.open_receivables = list(receivables)
        for receivable in self.open_receivables:
            self.fields[f"{ALLOCATION_PREFIX}{receivable.pk}"] = forms.DecimalField(
                label=str(receivable),
                required=False,
                min_value=Decimal(0),
                **MONEY,
                widget=forms.NumberInput(
                    attrs={
                        "class": "form-control form-control-sm text-end allocation-input",
                        "step": "0.01",
                        "min": "0",
                        "inputmode": "decimal",
                        "data-outstanding": f"{receivable.outstanding:.2f}",
                    }
                ),
            )

    @property
    def allocation_rows(self) -> list[tuple[Receivable, forms.BoundField]]:
        return [(r, self[f"{ALLOCATION_PREFIX}{r.pk}"]) for r in self.open_receivables]

    @property
    def by_hand(self) -> bool:
        return self.cleaned_data.get("mode") == Allocation.BY_HAND

    def amounts(self) -> dict[int, Decimal]:
        """``{receivable id: amount}`` of the inputs filled in (allocation by hand only)."""
        if not self.by_hand:
            return {}
        return {
            receivable.pk: amount
            for receivable, _bound in self.allocation_rows
            if (amount := self.cleaned_data.get(f"{ALLOCATION_PREFIX}{receivable.pk}"))
        }

    def check_allocation_inputs(self) -> None:
        """By hand, an amount for a receivable that is not offered here (another customer's, or one settled since
        the page was shown) refuses the form rather than being dropped without a word."""
        if not self.by_hand:
            return
        offered = {f"{ALLOCATION_PREFIX}{r.pk}" for r in self.open_receivables}
        for key, value in self.data.items():
            if key.startswith(ALLOCATION_PREFIX) and key not in offered and str(value).strip():
                raise ValidationError(
                    _("An amount was typed for a receivable this customer does not owe now; reload the page."),
                    code="not_offered",
                )


def mode_field():
    return forms.ChoiceField(
        label=_("allocation"),
        choices=Allocation.choices,
        initial=Allocation.OLDEST_FIRST,
        widget=forms.RadioSelect(attrs={"class": "allocation-mode"}),
    )


class PaymentForm(AllocationInputsMixin, StyledFormMixin, forms.ModelForm):
    """Money received, and how to allocate it: oldest due first, or by hand over the customer's open receivables."""

    customer = CustomerChoiceField(label=_("customer"), queryset=None)
    mode = mode_field()

    class Meta:
        model = Payment
        fields = ["customer", "received_on", "amount", "method", "reference", "note"]
        formfield_callback = formfield_callback
        widgets = {"note": NOTE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        customers = customers_to_change(user=user)
        self.fields["customer"].queryset = customers
        self.fields["method"].initial = PaymentMethod.TRANSFER
        customer_id = chosen_customer_id(self)
        if customer_id and customers.filter(pk=customer_id).exists():
            self.customer_id = customer_id
            self.add_allocation_inputs(selectors.open_receivables(customer_id=customer_id))
        else:
            self.customer_id = None
            self.add_allocation_inputs([])

    def clean(self):
        cleaned = super().clean()
        self.check_allocation_inputs()
        return cleaned

    def payment_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in services.PAYMENT_FIELDS}


class AllocateForm(AllocationInputsMixin, StyledForm):
    """Allocate what is left of an earlier payment."""

    mode = mode_field()

    def __init__(self, *args, customer_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_allocation_inputs(selectors.open_receivables(customer_id=customer_id))

    def clean(self):
        cleaned = super().clean()
        self.check_allocation_inputs()
        if self.by_hand and not self.errors and not self.amounts():
            raise ValidationError(_("Type the amount to allocate to at least one receivable."), code="nothing")
        return cleaned


# ---- Repayment plans ------------------------------------------------------------------------------------------


class PlanForm(StyledFormMixin, forms.ModelForm):
    customer = CustomerChoiceField(label=_("customer"), queryset=None)

    class Meta:
        model = RepaymentPlan
        fields = ["customer", "title", "starts_on", "note"]
        formfield_callback = formfield_callback
        widgets = {"note": NOTE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["customer"]  # a plan stays with its customer
        else:
            self.fields["customer"].queryset = customers_to_change(user=user)

    def plan_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in services.PLAN_FIELDS}


class InstalmentForm(StyledForm):
    due_on = forms.DateField(label=_("due on"))
    amount = forms.DecimalField(
        label=_("amount (CNY)"),
        min_value=Decimal("0.01"),
        **MONEY,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )


class BaseInstalmentFormSet(forms.BaseFormSet):
    """The plan's instalments; empty rows are ignored, removed rows dropped, and at least one is required."""

    def instalments(self) -> list[dict]:
        kept = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if data and not data.get("DELETE") and data.get("due_on") and data.get("amount"):
                kept.append({"due_on": data["due_on"], "amount": data["amount"]})
        return kept

    def clean(self):
        super().clean()
        if not any(self.errors) and not self.instalments():
            raise ValidationError(_("A repayment plan needs at least one instalment."), code="no_instalments")


def instalment_formset(*, data=None, plan: RepaymentPlan | None = None) -> BaseInstalmentFormSet:
    """The instalment editor: a new plan starts with three empty rows, an existing one with its instalments."""
    initial = [] if plan is None else [{"due_on": i.due_on, "amount": i.amount} for i in plan.instalments.all()]
    formset = forms.formset_factory(
        InstalmentForm,
        formset=BaseInstalmentFormSet,
        extra=1 if initial else 3,
        can_delete=True,
        max_num=120,
        validate_max=True,
    )
    return formset(data, initial=initial, prefix=INSTALMENTS_PREFIX)
