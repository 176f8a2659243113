"""Form helpers shared by every archive app."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .widgets import quick


def formfield_callback(db_field, **kwargs):
    """Model form fields as the archive wants them: a bare domain typed into a URL field means https."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class StyledFormMixin:
    """Bootstrap classes on every widget, the browser's date picker on date fields, and selects that render quickly
    (:class:`archive.widgets.Select`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget = quick(field.widget)
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class StyledForm(StyledFormMixin, forms.Form):
    """Base form of django-filter filter sets, so filter bars look like every other form."""


class NoteForm(StyledForm):
    """The author's reason for a request (why the entry should be filed, changed or deleted)."""

    note = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = required


class ReturnForm(StyledForm):
    """The director's comment when returning a request: what the author should correct."""

    comment = forms.CharField(
        label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=True
    )


class BulkApproveForm(forms.Form):
    request = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)

    def __init__(self, *args, pending_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].choices = [(pk, pk) for pk in pending_ids]
