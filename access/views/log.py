"""查阅登记: the director's audit of every reading of the archive, and the same rows as Excel.

Only those who hold ``customers.view_accessrecord`` (the director) open these pages; everyone else gets 403.
Reading the log is not itself a reading of the archive, but exporting it is, and is registered as such.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django_filters.views import FilterView

from customers import access_log, permissions

from ..filtersets import AccessRecordFilterSet
from ..selectors import log as selectors

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACTION_BADGES = {
    selectors.Action.VIEW: ("text-bg-primary", "bi-eye"),
    selectors.Action.DOWNLOAD: ("text-bg-info", "bi-paperclip"),
    selectors.Action.EXPORT: ("text-bg-warning", "bi-file-earmark-spreadsheet"),
}


class AuditorRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_audit(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AccessLogView(AuditorRequiredMixin, FilterView):
    """Every reading, newest first, filtered by user, customer, action and period, with the counts per action."""

    filterset_class = AccessRecordFilterSet
    template_name = "access/log.html"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        return selectors.access_log(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = self.filterset
        records = context["object_list"]
        selectors.describe(records)
        for record in records:
            record.badge, record.icon = ACTION_BADGES.get(record.action, ("text-bg-secondary", "bi-dot"))
        valid = not filters.is_bound or filters.is_valid()
        counts = selectors.action_counts(filters.qs_of_every_action()) if valid else {}
        current = filters.form.cleaned_data.get("action", "") if filters.is_bound and valid else ""
        context["action_tabs"] = [
            {"value": "", "label": _("All"), "count": counts.get("all", 0), "active": not current},
            *(
                {"value": value, "label": label, "count": counts.get(value, 0), "active": current == value}
                for value, label in selectors.Action.choices
            ),
        ]
        customer_pk = filters.customer_id
        if customer_pk:
            context["filter_customer"] = permissions.visible_customers(self.request.user).filter(pk=customer_pk).first()
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class AccessLogExportView(AuditorRequiredMixin, View):
    """The filtered log as Excel, written while it is sent; the export is itself registered, with its filter."""

    def get(self, request):
        filters = AccessRecordFilterSet(
            request.GET or None, queryset=selectors.access_log(user=request.user), request=request
        )
        if filters.is_bound and not filters.is_valid():
            return HttpResponseBadRequest(_("The filter is not valid."))
        rows, count = selectors.log_snapshot(filters.qs)
        access_log.register(
            request,
            access_log.Action.EXPORT,
            what=_("Access log"),
            query=access_log.list_filter(request, reverse("access:log")),
            row_count=count,
        )
        response = StreamingHttpResponse(selectors.log_stream(rows), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, selectors.log_filename())
        return response
