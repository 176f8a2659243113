"""The credit reports: the overdue receivables and the aging report with its Excel export.

Both read through the selectors, scoped by the gateway, so no line or total includes a receivable its viewer could
not open; the sums are done by the database and the number of queries does not grow with the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView

from customers import access_log, permissions

from .. import exports, selectors
from ..choices import AgingBasis
from ..forms.reports import AgingForm, OverdueFilterSet
from ..selectors import AgingLine

# Over this many days overdue a receivable is shown in red and bold.
LONG_OVERDUE_DAYS = 90
# The colours of the aging buckets, from young to old; "not yet due" (age counted from the due date) is green.
AGE_COLOURS = ["#5dade2", "#2e86c1", "#f5b041", "#e67e22", "#c0392b"]
NOT_DUE_COLOUR = "#52be80"


class OverdueView(FilterView):
    """逾期应收: receivables still owed past their due date in force, the most overdue first."""

    filterset_class = OverdueFilterSet
    template_name = "credit/overdue.html"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        self.today = timezone.localdate()
        return selectors.overdue_list(user=self.request.user, today=self.today)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = selectors.receivable_totals(self.object_list)
        for receivable in context["object_list"]:
            receivable.days_overdue = (self.today - receivable.due).days
        context.update(today=self.today, long_overdue=LONG_OVERDUE_DAYS)
        customer_id = self.filterset.form.cleaned_data.get("customer") if self.filterset.is_bound else None
        if customer_id:
            context["filter_customer"] = permissions.visible_customers(self.request.user).filter(pk=customer_id).first()
        return context


def bucket_colours(basis: str, count: int) -> list[str]:
    """A colour per bucket; the oldest is always red, however many buckets the settings configure."""
    aged = count - 1 if basis == AgingBasis.DUE else count
    if aged <= len(AGE_COLOURS):
        palette = AGE_COLOURS[len(AGE_COLOURS) - aged :]
    else:
        palette = AGE_COLOURS[:1] * (aged - len(AGE_COLOURS)) + AGE_COLOURS
    return ([NOT_DUE_COLOUR] if basis == AgingBasis.DUE else []) + palette


@dataclass(frozen=True)
class Segment:
    """One bucket of a line as a piece of its stacked bar."""

    label: str
    amount: Decimal
    colour: str
    width: str  # percent of the line's total, with a dot (CSS)


def segments(line: AgingLine, labels: list[str], colours: list[str]) -> list[Segment]:
    total = line.total
    return [
        Segment(label, amount, colour, f"{amount * 100 / total:.2f}" if total > 0 else "0")
        for label, amount, colour in zip(labels, line.buckets, colours, strict=True)
    ]


class AgingView(TemplateView):
    """账龄分析: what is owed on a day, by age, per customer, per manager and in total (``?as_of=&basis=&owner=``)."""

    template_name = "credit/aging.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = AgingForm(self.request.GET, today=timezone.localdate())
        context["form"] = form
        if not form.is_valid():
            return context
        report = selectors.aging(user=self.request.user, **form.report_kwargs())
        colours = bucket_colours(report.basis, len(report.labels))

        def rows(lines):
            return [(line, segments(line, report.labels, colours)) for line in lines]

        # Every customer counts in the totals and the managers' lines; the page shows them a page at a time.
        page_obj = Paginator(report.customers, settings.ARCHIVE_PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            report=report,
            legend=list(zip(report.labels, colours, strict=True)),
            page_obj=page_obj,
            customer_rows=rows(page_obj.object_list),
            manager_rows=rows(report.managers),
            total_segments=segments(report.total, report.labels, colours),
            export_query=self.request.GET.urlencode(),
        )
        return context


class AgingExportView(View):
    """The aging report as Excel, with the page's own question and scope; registered as an export."""

    def get(self, request):
        form = AgingForm(request.GET, today=timezone.localdate())
        if not form.is_valid():
            return HttpResponseBadRequest(_("The filter is not valid."))
        report = selectors.aging(user=request.user, **form.report_kwargs())
        workbook, count = exports.aging_workbook(report)
        access_log.register(
            request,
            access_log.Action.EXPORT,
            what=_("Aging report"),
            query=access_log.list_filter(request, reverse("credit:aging")),
            row_count=count,
        )
        return FileResponse(
            workbook,
            as_attachment=True,
            filename=exports.aging_filename(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
