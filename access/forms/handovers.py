"""Forms of the staff handover (员工调离交接): who leaves, then which customers go to whom.

The choices are built from lists the view read once (the departing manager's customers, the receivers), so a
manager with a few hundred customers costs no query per row, neither to show the form nor to check it. The
service decides; the form only says what was asked for.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledForm


def person_label(user) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


class DepartingForm(StyledForm):
    """Step 1: the manager who leaves (``?from=``), with how many customers each keeps."""

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")]
        for user in candidates:
            label = _("%(person)s · keeps %(count)d") % {"person": person_label(user), "count": user.kept_count}
            if not user.is_active:
                label = " · ".join([str(label), str(_("deactivated"))])
            choices.append((user.pk, label))
        self.fields["from"] = forms.TypedChoiceField(
            label=_("departing manager"),
            choices=choices,
            coerce=int,
            widget=forms.Select(attrs={"class": "form-select"}),  # added after the mixin styled the fields
        )


class HandoverForm(StyledForm):
    """Step 2: the customers handed over (all ticked at first), a default receiver and one per row, the note.

    A row's receiver left blank takes the default. ``assignments`` is ``{customer id: receiver}`` once valid.
    """

    customers = forms.TypedMultipleChoiceField(
        label=_("customers"),
        coerce=int,
        error_messages={"required": _("Choose at least one customer to hand over.")},
    )
    default_to = forms.TypedChoiceField(
        label=_("default receiver"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Every customer whose row names nobody goes to this manager."),
    )
    note = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)
    deactivate = forms.BooleanField(
        label=_("Deactivate the departing manager's account"),
        required=False,
        help_text=_("Only when every customer they keep is handed over; they can no longer sign in."),
    )

    def __init__(self, *args, customers=(), receivers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.customer_list = list(customers)
        self.receiver_list = list(receivers)
        self.receivers_by_pk = {user.pk: user for user in self.receiver_list}
        receiver_choices = [(user.pk, person_label(user)) for user in self.receiver_list]
        self.fields["customers"].choices = [(c.pk, c.name) for c in self.customer_list]
        self.fields["default_to"].choices = [("", "—"), *receiver_choices]
        for customer in self.customer_list:
            self.fields[self.row_field(customer.pk)] = forms.TypedChoiceField(
                choices=[("", _("the default receiver")), *receiver_choices],
                coerce=int,
                required=False,
                empty_value=None,
            )

    @staticmethod
    def row_field(pk) -> str:
        return f"to_{pk}"

    def rows(self) -> list[dict]:
        """The table's rows with what is ticked and chosen now (as posted, or as first shown)."""
        if self.is_bound:
            ticked = set(self.data.getlist("customers")) if hasattr(self.data, "getlist") else set()
        else:
            ticked = {str(pk) for pk in self.initial.get("customers", ())}
        rows = []
        for customer in self.customer_list:
            name = self.row_field(customer.pk)
            chosen = self.data.get(name, "") if self.is_bound else ""
            rows.append(
                {
                    "customer": customer,
                    "field": name,
                    "checked": str(customer.pk) in ticked,
                    "chosen": str(chosen),
                    "errors": self.errors.get(name, []) if self.is_bound else [],
                }
            )
        return rows

    def clean(self):
        cleaned = super().clean()
        default = cleaned.get("default_to")
        assignments = {}
        missing = []
        for pk in cleaned.get("customers") or ():
            receiver = cleaned.get(self.row_field(pk)) or default
            if receiver is None:
                missing.append(pk)
            else:
                assignments[pk] = self.receivers_by_pk[receiver]
        if missing:
            self.add_error(
                "default_to",
                _("Choose a receiving manager for every customer ticked, or a default receiver."),
            )
        self.assignments = assignments
        return cleaned
