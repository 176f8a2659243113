"""Forms of returns (退赔) and discounts (折价). They parse what was typed; the services check the limits and write.

A return's lines are one small form per line of its order, built from the order's own lines: the only keys read
from the request are those lines' prefixes, so a posted id of another order's line is never looked at. The
complaint choices are the complaints of the entry's customer only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledFormMixin, formfield_callback
from contracts.models import MONEY, Order, money

from .. import services
from ..choices import DiscountMode
from ..models import QUANTITY, Complaint, Discount, Return


def unit_price_text(value: Decimal) -> str:
    """``¥9,357.50``, ``¥30.997``: a net unit price to the fen, or finer when the line's discount leaves more."""
    whole, fraction = f"{value.quantize(Decimal('0.0001')):,.4f}".split(".")
    return f"¥{whole}.{fraction.rstrip('0').ljust(2, '0')}"


class ComplaintChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.received_at:%Y-%m-%d} {obj.subject}"


def _customer_complaints(customer_id: int):
    return Complaint.objects.filter(customer_id=customer_id).order_by("-received_at", "-id")


class _EntryForm(StyledFormMixin, forms.ModelForm):
    """A return's or a discount's own fields: the complaint it follows is one of its customer's; the version
    loaded travels with an edit so that a stale save is refused with what changed."""

    def __init__(self, *args, customer_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complaint"].queryset = _customer_complaints(customer_id)
        self.fields["complaint"].empty_label = _("— none —")
        if self.instance.pk:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=self.instance.version
            )


# ---- Returns --------------------------------------------------------------------------------------------------


class ReturnForm(_EntryForm):
    complaint = ComplaintChoiceField(label=_("following complaint"), queryset=Complaint.objects.none(), required=False)

    class Meta:
        model = Return
        fields = ["kind", "returned_on", "reason_category", "complaint", "reason"]
        formfield_callback = formfield_callback
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def return_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in services.RETURN_FIELDS}


class ReturnLineForm(StyledFormMixin, forms.Form):
    """How much of one order line comes back; the amount may be left empty for quantity × net unit price."""

    quantity = forms.DecimalField(
        label=_("quantity returned"),
        required=False,
        min_value=Decimal(0),
        max_digits=QUANTITY["max_digits"],
        decimal_places=QUANTITY["decimal_places"],
        widget=forms.NumberInput(attrs={"step": "0.001", "min": "0", "inputmode": "decimal"}),
    )
    amount = forms.DecimalField(
        label=_("amount (CNY)"),
        required=False,
        min_value=Decimal(0),
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


@dataclass
class ReturnLineRow:
    """One order line as the return form shows it: what was ordered and returned, and the inputs."""

    left: services.Returnable
    form: ReturnLineForm
    problems: list[str] = field(default_factory=list)

    @property
    def line(self):
        return self.left.line

    @property
    def unit_price(self) -> str:
        return unit_price_text(self.left.unit_amount)

    @property
    def unit_fen(self) -> str:
        """The line's amount in fen and its quantity in thousandths: the page's script works out the default."""
        return str(int(self.line.amount * 100))

    @property
    def quantity_milli(self) -> str:
        return str(int(self.line.quantity * 1000))


class ReturnLines:
    """The rows of a return form, one per line of ``order``, with what is still returnable of each."""

    def __init__(self, order: Order, *, data=None, entry: Return | None = None):
        self.order = order
        left = services.returnable(order, exclude=entry)
        initial = {}
        if entry is not None:
            for line in entry.lines.all():
                default = money(line.quantity * left[line.order_line_id].unit_amount)
                initial[line.order_line_id] = {
                    "quantity": line.quantity,
                    # An amount equal to the default stays empty, so a changed quantity moves it along.
                    "amount": None if line.amount == default else line.amount,
                }
        self.rows = [
            ReturnLineRow(
                left=item,
                form=ReturnLineForm(data, prefix=f"line-{line_id}", initial=initial.get(line_id)),
            )
            for line_id, item in left.items()
        ]

    def __iter__(self):
        return iter(self.rows)

    def is_valid(self) -> bool:
        return all(row.form.is_valid() for row in self.rows)

    @property
    def has_errors(self) -> bool:
        return any(row.problems or row.form.errors for row in self.rows)

    def lines(self) -> list[dict]:
        """What the service takes: every line with a quantity or an amount (it ignores the empty ones)."""
        lines = []
        for row in self.rows:
            quantity, amount = row.form.cleaned_data.get("quantity"), row.form.cleaned_data.get("amount")
            if quantity or amount:
                lines.append({"order_line": row.line.pk, "quantity": quantity or Decimal(0), "amount": amount})
        return lines

    def refused(self, errors) -> list:
        """Put each ``over_returned`` refusal next to its line; give back the refusals that name no line."""
        by_position = {row.line.position: row for row in self.rows}
        rest = []
        for error in errors:
            row = by_position.get((error.params or {}).get("position")) if error.code == "over_returned" else None
            if row is None:
                rest.append(error)
            else:
                row.problems.extend(error.messages)
                for bound in (row.form["quantity"], row.form["amount"]):
                    attrs = bound.field.widget.attrs
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
        return rest


# ---- Discounts ------------------------------------------------------------------------------------------------


class DiscountForm(_EntryForm):
    """A share of the total or a sum of money, with the reason the director reads."""

    complaint = ComplaintChoiceField(label=_("following complaint"), queryset=Complaint.objects.none(), required=False)

    class Meta:
        model = Discount
        fields = ["mode", "percent", "amount", "reason", "complaint"]
        formfield_callback = formfield_callback
        widgets = {
            "mode": forms.RadioSelect,
            "percent": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "max": "100", "inputmode": "decimal"}),
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = DiscountMode.choices
        self.fields["mode"].initial = self.instance.mode or DiscountMode.PERCENT
        self.fields["percent"].required = False
        self.fields["amount"].required = False
        self.fields["reason"].help_text = _("The director reads it before deciding.")

    def clean(self):
        cleaned = super().clean()
        mode = cleaned.get("mode")
        needed, other = ("percent", "amount") if mode == DiscountMode.PERCENT else ("amount", "percent")
        if mode and cleaned.get(needed) in (None, "") and needed not in self.errors:
            self.add_error(needed, forms.ValidationError(_("Give the discount for the way it is asked."), "required"))
        if mode:
            cleaned[other] = None  # the hidden input of the other way is not what was asked
            self.errors.pop(other, None)
        return cleaned

    def discount_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self._meta.fields if name in services.DISCOUNT_FIELDS}
