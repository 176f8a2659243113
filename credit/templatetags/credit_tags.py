"""Template tags of the credit archive: credit grade and instalment badges, the ageing of a date."""

from django import template
from django.utils.html import format_html

from ..choices import CREDIT_GRADE_COLOURS, INSTALMENT_COLOURS, CreditGrade, InstalmentState

register = template.Library()


@register.simple_tag
def credit_grade_badge(grade: str):
    if not grade:
        return ""
    return format_html(
        '<span class="badge text-bg-{}" title="{}">{}</span>',
        CREDIT_GRADE_COLOURS[grade],
        CreditGrade(grade).label,
        grade,
    )


@register.simple_tag
def instalment_badge(state: str):
    return format_html(
        '<span class="badge text-bg-{}">{}</span>', INSTALMENT_COLOURS[state], InstalmentState(state).label
    )


@register.filter
def days_since(day, today):
    """Whole days from ``day`` to ``today`` (how long a receivable is overdue)."""
    return (today - day).days if day and today else ""
