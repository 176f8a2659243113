"""Widgets shared by every archive form."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class Select(forms.Select):
    """Django's select, rendered in Python instead of through one template include per option.

    The list pages offer every account manager in their filter bar (200 at full scale); Django renders each
    ``<option>`` through ``select_option.html`` and ``attrs.html``, which cost a third of the customer list's
    time. The markup is the one Django's templates write, and the options, groups and selection come from
    Django's own ``get_context``. The class keeps Django's name, so ``BoundField.widget_type`` still says
    ``select`` to the templates that lay out filter bars by widget type.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((option["value"], flatatt(option["attrs"]), option["label"]) for option in options),
            )
            groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, html) if group_name else html)
        options = format_html_join("", "{}", ((group,) for group in groups))
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


class SelectMultiple(Select, forms.SelectMultiple):
    """The quick :class:`Select` for several values."""


def quick(widget: forms.Widget) -> forms.Widget:
    """The quick twin of a plain Django select, with the same attributes and choices; any other widget as it is."""
    kind = {forms.Select: Select, forms.SelectMultiple: SelectMultiple}.get(type(widget))
    if kind is None:
        return widget
    twin = kind(attrs=widget.attrs, choices=widget.choices)
    twin.is_required, twin.is_localized = widget.is_required, widget.is_localized
    return twin
