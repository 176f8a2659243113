"""Forms of the archive card. They parse and validate input; the services decide and write."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from archive.forms import StyledFormMixin, formfield_callback

from . import services
from .choices import AttachmentKind
from .columns import CARD_FIELDSETS
from .models import Attachment, Contact, Customer, Interaction
from .selectors import keeper_candidates
from .validators import validate_attachment

User = get_user_model()

CARD_TEXT_AREAS = {
    name for name in services.CARD_FIELDS if Customer._meta.get_field(name).get_internal_type() == "TextField"
}
CARD_FORM_FIELDS = [name for _title, names in CARD_FIELDSETS for name in names]
assert set(CARD_FORM_FIELDS) == services.CARD_FIELDS, set(CARD_FORM_FIELDS) ^ services.CARD_FIELDS


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else obj.username


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else obj.username


class CustomerForm(StyledFormMixin, forms.ModelForm):
    """The archive card. ``version`` carries the version the editor loaded, to refuse lost updates."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label=_("reason for the change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The director reads it with the change."),
    )

    class Meta:
        model = Customer
        fields = CARD_FORM_FIELDS
        formfield_callback = formfield_callback
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in CARD_TEXT_AREAS}

    fieldsets = CARD_FIELDSETS

    def __init__(self, *args, proposing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = proposing
        if self.instance.pk:
            # Editing: the version the editor loaded is how a lost update is detected, so it must come back.
            self.fields["version"].required = True
            if not self.is_bound:
                self.initial["version"] = self.instance.version

    def clean_credit_code(self):
        code = (self.cleaned_data.get("credit_code") or "").strip().upper()
        if code:
            clash = Customer.all_objects.filter(credit_code=code).exclude(pk=self.instance.pk).first()
            if clash is not None and clash.deleted_at is not None:
                raise forms.ValidationError(
                    _("A card in the recycle bin has this credit code: ask the archivist to restore it."),
                    code="credit_code_in_bin",
                )
            if clash is not None:
                raise forms.ValidationError(
                    _("Another card in the archive already has this credit code."), code="duplicate_credit_code"
                )
        return code

    def card_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in CARD_FORM_FIELDS}


class KeepersForm(StyledFormMixin, forms.Form):
    owner = UserChoiceField(label=_("account manager"), queryset=User.objects.none())
    co_owners = UserMultipleChoiceField(
        label=_("co-managers"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Important customers should have two or more people on our side in contact with them."),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = keeper_candidates()
        self.fields["co_owners"].queryset = keeper_candidates()


class ContactForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = sorted(services.CONTACT_FIELDS, key=[f.name for f in Contact._meta.fields].index)
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("personality", "hobbies", "family", "background", "notes")
        }


class InteractionForm(StyledFormMixin, forms.ModelForm):
    staff = UserChoiceField(label=_("our staff"), queryset=User.objects.none(), required=False)

    class Meta:
        model = Interaction
        fields = ["kind", "occurred_on", "staff", "their_people", "subject", "content", "next_step", "next_step_on"]
        widgets = {"content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, staff_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_choices if staff_choices is not None else keeper_candidates()


class AttachmentEditForm(StyledFormMixin, forms.ModelForm):
    """A document's kind and title; for a filed document, with the reason the change is asked for."""

    note = forms.CharField(
        label=_("reason for the change"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Attachment
        fields = ["kind", "title"]

    def __init__(self, *args, proposing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = proposing
        if not proposing:
            del self.fields["note"]

    def entry_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ImportForm(StyledFormMixin, forms.Form):
    """A customer list to preview; what the file may be is checked by the import service, not here."""

    file = forms.FileField(
        label=_("customer list"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file, with one customer per row under a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class AttachmentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=AttachmentKind.choices)
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("file"),
        help_text=_("PDF, JPEG, PNG, GIF or WebP."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.gif,.webp"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_attachment(upload)
        return upload
