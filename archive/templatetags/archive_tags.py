"""Template helpers shared by every archive page."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join

from archive.choices import GRADE_COLOURS, FilingStatus, Grade
from archive.models import FilingRequest
from archive.registry import registry

register = template.Library()

STATUS_STYLES = {
    FilingStatus.DRAFT: "secondary",
    FilingStatus.PENDING: "warning",
    FilingStatus.RETURNED: "danger",
    FilingStatus.FILED: "success",
}


@register.simple_tag
def grade_badge(grade: str):
    """The grade in its colour (颜色管理), the same colour on every page and in every export."""
    if not grade:
        return ""
    label = Grade(grade).label
    return format_html(
        '<span class="badge grade-badge" style="background-color:{}" title="{}">{}</span>',
        GRADE_COLOURS[grade],
        label,
        grade,
    )


@register.simple_tag
def status_badge(status: str):
    if not status:
        return ""
    return format_html('<span class="badge text-bg-{}">{}</span>', STATUS_STYLES[status], FilingStatus(status).label)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for sort links and pagination)."""
    query = context["request"].GET.copy()
    if "page" not in changes:
        query.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def sort_state(current: str, field: str) -> str:
    """'asc', 'desc' or '' for a column header, given the list's ``sort`` parameter."""
    if current == field:
        return "asc"
    if current == f"-{field}":
        return "desc"
    return ""


REQUEST_KIND_STYLES = {
    FilingRequest.Kind.FILING: ("primary", "bi-box-arrow-in-down"),
    FilingRequest.Kind.CHANGE: ("info", "bi-pencil"),
    FilingRequest.Kind.DELETION: ("danger", "bi-trash"),
}
REQUEST_STATE_STYLES = {
    FilingRequest.State.PENDING: "warning",
    FilingRequest.State.APPROVED: "success",
    FilingRequest.State.RETURNED: "danger",
}


@register.simple_tag
def request_kind_badge(kind: str):
    style, icon = REQUEST_KIND_STYLES[kind]
    return format_html(
        '<span class="badge text-bg-{}"><i class="bi {} me-1"></i>{}</span>',
        style,
        icon,
        FilingRequest.Kind(kind).label,
    )


@register.simple_tag
def request_state_badge(state: str):
    return format_html(
        '<span class="badge text-bg-{}">{}</span>', REQUEST_STATE_STYLES[state], FilingRequest.State(state).label
    )


@register.filter
def verbose_name_plural(model) -> str:
    return model._meta.verbose_name_plural


@register.filter
def filable_label(entry) -> str:
    """``app_label.model`` of an entry, as the filing URLs name it."""
    return entry._meta.label_lower


@register.filter
def verbose_name(instance) -> str:
    return instance._meta.verbose_name


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, descending_first: bool = False):
    """A sortable column header: a click sorts by ``key``, a second click reverses the order."""
    current = context["request"].GET.get("sort", "")
    first, second = (f"-{key}", key) if descending_first else (key, f"-{key}")
    target = second if current == first else first
    query = context["request"].GET.copy()
    query.pop("page", None)
    query["sort"] = target
    return format_html('<a class="sort-link {}" href="?{}">{}</a>', sort_state(current, key), query.urlencode(), label)


@register.simple_tag(takes_context=True)
def entry_panels(context, entry):
    """The blocks other categories add to this entry's page (``registry.register_entry_panel``), rendered."""
    user = context["request"].user
    return format_html_join(
        "",
        "{}",
        (
            (render_to_string(panel.template, panel.context(entry, user), request=context["request"]),)
            for panel in registry.entry_panels(type(entry))
        ),
    )
