"""Badges of the fifth category: severity, handling state, win-back state and satisfaction."""

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _

from complaints import choices

register = template.Library()


def _badge(colours: dict, choice_class, value: str):
    if not value:
        return ""
    return format_html('<span class="badge text-bg-{}">{}</span>', colours[value], choice_class(value).label)


@register.simple_tag
def severity_badge(severity: str):
    return _badge(choices.SEVERITY_COLOURS, choices.Severity, severity)


@register.simple_tag
def complaint_state_badge(state: str):
    return _badge(choices.STATE_COLOURS, choices.ComplaintState, state)


@register.simple_tag
def win_back_badge(state: str):
    return _badge(choices.WIN_BACK_COLOURS, choices.WinBackState, state)


@register.simple_tag
def satisfaction_badge(score):
    """The customer's satisfaction as filled stars, red when dissatisfied (≤ ARCHIVE_COMPLAINT_DISSATISFIED)."""
    if score in (None, ""):
        return ""
    colour = "text-danger" if score <= settings.ARCHIVE_COMPLAINT_DISSATISFIED else "text-warning"
    return format_html(
        '<span class="satisfaction {}" title="{}">{}<span class="text-body-tertiary">{}</span></span>',
        colour,
        _("Satisfaction %(score)s of 5") % {"score": score},
        "★" * score,
        "☆" * (5 - score),
    )
