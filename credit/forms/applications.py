"""Forms of the 5C credit applications: the list's filters, the application itself and the evidence upload.

The customer choices offer only the customers the user may change (the service checks again). The forms parse and
validate what was typed; the services score the application, decide and write.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledForm, formfield_callback
from contracts.filtersets import EntryFilterSet
from contracts.forms import CustomerChoiceField, EntryFormMixin

from .. import scoring, services
from ..choices import FACTOR_HELP, Factor, PaymentMethod
from ..models import CreditApplication

SCORE_CHOICES = [(score, str(score)) for score in range(1, 6)]


def percent(share) -> str:
    """``Decimal("0.25")`` → ``"25"``: a share as a whole or decimal percentage, without trailing zeros."""
    text = f"{Decimal(share) * 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class ApplicationFilterSet(EntryFilterSet):
    """The application list's filters: the customer (from the card's link), its manager, the filing status."""

    class Meta:
        model = CreditApplication
        fields = ["customer", "owner", "status"]
        form = StyledForm


def _score_field(factor: Factor) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=factor.label,
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=FACTOR_HELP[factor],
    )


def _grounds_widget() -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 2})


@dataclass(frozen=True)
class FactorRow:
    """One of the 5C as the form shows it: its name, weight, what it asks, the score and its grounds."""

    factor: str
    label: str
    weight: str
    help: str
    score: forms.BoundField
    note: forms.BoundField


class ApplicationForm(EntryFormMixin, forms.ModelForm):
    """A credit application: the limit and terms asked for, and a score of 1 to 5 with its grounds for each C."""

    customer = CustomerChoiceField(label=_("customer"), queryset=None)
    score_character = _score_field(Factor.CHARACTER)
    score_capacity = _score_field(Factor.CAPACITY)
    score_capital = _score_field(Factor.CAPITAL)
    score_collateral = _score_field(Factor.COLLATERAL)
    score_conditions = _score_field(Factor.CONDITIONS)

    class Meta:
        model = CreditApplication
        fields = [
            "customer",
            "requested_limit",
            "terms_days",
            "payment_method",
            "guarantee",
            *(name for factor in Factor.values for name in (f"score_{factor}", f"note_{factor}")),
        ]
        formfield_callback = formfield_callback
        widgets = {
            "guarantee": forms.Textarea(attrs={"rows": 2}),
            "requested_limit": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "terms_days": forms.NumberInput(attrs={"min": "0", "max": "365"}),
            **{f"note_{factor}": _grounds_widget() for factor in Factor.values},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["payment_method"].initial = PaymentMethod.TRANSFER
            self.fields["terms_days"].initial = settings.ARCHIVE_CREDIT_DEFAULT_TERMS_DAYS

    @property
    def head_fields(self) -> list[forms.BoundField]:
        """Everything above the 5C table: customer, limit, terms, payment method, security."""
        names = ["customer", "requested_limit", "terms_days", "payment_method", "guarantee"]
        return [self[name] for name in names if name in self.fields]

    def factor_rows(self) -> list[FactorRow]:
        weights = scoring.weights()
        return [
            FactorRow(
                factor=factor,
                label=str(Factor(factor).label),
                weight=percent(weights[factor]),
                help=str(FACTOR_HELP[factor]),
                score=self[f"score_{factor}"],
                note=self[f"note_{factor}"],
            )
            for factor in Factor.values
        ]

    def application_data(self) -> dict:
        return self.entry_data(services.APPLICATION_FIELDS)


class EvidenceForm(StyledForm):
    """A document behind one of the scores; the service checks the file by its content before keeping it."""

    factor = forms.ChoiceField(label=_("for"), choices=Factor.choices)
    file = forms.FileField(
        label=_("file"),
        help_text=_("PDF, JPEG, PNG, GIF or WebP, checked by its content."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.gif,.webp"}),
    )
    description = forms.CharField(label=_("description"), max_length=200, required=False)
