"""Forms of contracts, orders and products. They parse and validate input; the services decide and write.

Customer and contract choices offer only what the user may change: a manager cannot post another manager's
customer (the choice is refused as invalid) and the service checks again inside its transaction.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledFormMixin, formfield_callback
from customers.validators import validate_attachment

from . import selectors, services
from .models import Contract, Order, OrderLine, Product

REASON_HELP = _("The director reads it with the change.")


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.archive_no})" if obj.archive_no else obj.name


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} {obj.title}"


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        spec = f" · {obj.specification}" if obj.specification else ""
        return f"{obj.code} {obj.name}{spec} ({obj.unit})"


class EntryFormMixin(StyledFormMixin):
    """What contract and order forms share: the customer to enter it for, the loaded version, the reason.

    A new entry names its customer among those the user may change; an existing one keeps its customer.
    On a filed entry the form proposes a change, which needs a reason for the director.
    """

    def __init__(self, *args, user, proposing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.proposing = proposing
        if self.instance.pk:
            del self.fields["customer"]
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=self.instance.version
            )
        else:
            self.fields["customer"].queryset = selectors.customers_to_change(user=user)
        if proposing:
            self.fields["reason"] = forms.CharField(
                label=_("reason for the change"),
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                help_text=REASON_HELP,
            )

    @property
    def customer(self):
        return self.instance.customer if self.instance.pk else self.cleaned_data.get("customer")

    def entry_data(self, allowed) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in allowed}


class ContractForm(EntryFormMixin, forms.ModelForm):
    customer = CustomerChoiceField(label=_("customer"), queryset=None)
    upload = forms.FileField(
        label=_("signed file"),
        required=False,
        help_text=_("The scanned, signed contract: PDF, JPEG, PNG, GIF or WebP."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.gif,.webp"}),
    )

    class Meta:
        model = Contract
        fields = ["customer", "number", "title", "signed_on", "starts_on", "ends_on", "amount", "state", "note"]
        formfield_callback = formfield_callback
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.proposing:
            del self.fields["upload"]  # the filed contract's signed file is what was filed

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            validate_attachment(upload)
        return upload

    def contract_data(self) -> dict:
        return self.entry_data(services.CONTRACT_FIELDS)


class OrderForm(EntryFormMixin, forms.ModelForm):
    customer = CustomerChoiceField(label=_("customer"), queryset=None)
    contract = ContractChoiceField(label=_("under contract"), queryset=Contract.objects.none(), required=False)

    class Meta:
        model = Order
        fields = ["customer", "ordered_on", "reference", "contract", "settlement", "note"]
        formfield_callback = formfield_callback
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            customers = [self.instance.customer_id]
        else:
            chosen = self.data.get("customer") or self.initial.get("customer")
            customers = self.fields["customer"].queryset.values("pk")
            if str(chosen or "").isdigit():
                customers = customers.filter(pk=chosen)  # the chosen customer's contracts, if it is one of ours
        self.fields["contract"].queryset = Contract.objects.filter(customer__in=customers).order_by("-signed_on", "-id")
        if not self.proposing and self.user.has_perm(services.OVERRIDE_PERMISSION):
            self.fields["override_reason"] = forms.CharField(
                label=_("reason to let it through"),
                max_length=500,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                help_text=_("Only when a check such as the credit limit refuses the order: say why it may go ahead."),
            )

    def clean(self):
        cleaned = super().clean()
        contract, customer = cleaned.get("contract"), self.customer
        if contract is not None and customer is not None and contract.customer_id != customer.pk:
            self.add_error("contract", _("The contract belongs to another customer."))
        return cleaned

    def order_data(self) -> dict:
        return self.entry_data(services.ORDER_FIELDS)


class OrderLineForm(StyledFormMixin, forms.ModelForm):
    product = ProductChoiceField(label=_("product"), queryset=Product.objects.none())

    class Meta:
        model = OrderLine
        fields = ["product", "specification", "quantity", "unit_price", "discount"]
        widgets = {
            "quantity": forms.NumberInput(attrs={"step": "0.001", "min": "0"}),
            "unit_price": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "discount": forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
        }

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products if products is not None else selectors.products()
        self.fields["discount"].required = False

    def clean_discount(self):
        return self.cleaned_data.get("discount") or Decimal(0)


class BaseLineFormSet(forms.BaseModelFormSet):
    """The order's lines; empty extra rows are ignored and at least one line is required."""

    def __init__(self, *args, products=None, **kwargs):
        self.products = products
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "products": self.products}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), products=self.products)
        self.add_fields(form, None)
        return form

    def lines(self) -> list[dict]:
        kept = []
        for index, form in enumerate(self.forms):
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            if index < self.initial_form_count() or form.has_changed():
                kept.append({name: form.cleaned_data[name] for name in services.LINE_FIELDS})
        return kept

    def clean(self):
        super().clean()
        if not any(self.errors) and not self.lines():
            raise forms.ValidationError(_("An order needs at least one line."), code="no_lines")


LineFormSet = forms.modelformset_factory(
    OrderLine, form=OrderLineForm, formset=BaseLineFormSet, extra=2, can_delete=True, max_num=100, validate_max=True
)


def line_formset(*, data=None, order: Order | None = None) -> BaseLineFormSet:
    """The line editor of a new or draft order; a product no longer on sale stays offered on its old lines."""
    queryset = order.lines.order_by("position", "id") if order is not None else OrderLine.objects.none()
    products = selectors.products()
    if order is not None:
        products = products | Product.objects.filter(order_lines__order=order)
    return LineFormSet(data, queryset=queryset, prefix="lines", products=products.distinct().order_by("code"))


class ProductForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Product
        fields = ["code", "name", "specification", "unit", "category", "list_price", "is_active"]
