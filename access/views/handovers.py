"""Pages of the staff handover (员工调离交接): past handovers, a new one, one handover and its Excel list.

For directors only: ``access.add_handover`` to hand over, ``access.view_handover`` to read; everybody else gets
403. Views parse the request, call one selector or service and render; a refusal re-renders the form with every
choice kept and the reason on top.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView, TemplateView

from archive import excel
from customers import access_log
from customers.models import AccessRecord

from ..columns import HANDOVER_COLUMNS
from ..forms.handovers import DepartingForm, HandoverForm
from ..selectors import handovers as selectors
from ..services.handovers import handover_execute

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReadHandoversMixin:
    def dispatch(self, request, *args, **kwargs):
        if not selectors.may_view(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class HandoverListView(ReadHandoversMixin, ListView):
    """交接记录: every handover, newest first, with how many customers went and whether the account was closed."""

    template_name = "access/handover_list.html"
    context_object_name = "handovers"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        return selectors.handover_list()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_hand_over": selectors.may_hand_over(self.request.user)}


class HandoverCreateView(TemplateView):
    """A new handover: choose who leaves (``?from=``), then their customers, the receivers, the note; execute."""

    template_name = "access/handover_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not selectors.may_hand_over(request.user):
            raise PermissionDenied
        self.candidates = list(selectors.departing_candidates())
        return super().dispatch(request, *args, **kwargs)

    def _departing(self, value):
        """The departing manager of ``?from=`` (or the posted ``from``) among the candidates; 404 for anyone else."""
        if value in (None, ""):
            return None
        if not str(value).isdigit():
            raise Http404
        found = next((user for user in self.candidates if user.pk == int(value)), None)
        if found is None:
            raise Http404
        return found

    def _form(self, departing, data=None):
        customers = list(selectors.kept_customers(departing))
        return HandoverForm(
            data,
            customers=customers,
            receivers=selectors.receivers(leaving=departing),
            initial={"customers": [c.pk for c in customers]},
        )

    def get(self, request, *args, **kwargs):
        departing = self._departing(request.GET.get("from"))
        form = self._form(departing) if departing is not None else None
        return self.render_to_response(self.get_context_data(departing=departing, form=form))

    def post(self, request, *args, **kwargs):
        departing = self._departing(request.POST.get("from"))
        if departing is None:
            return redirect("access:handover-new")
        form = self._form(departing, request.POST)
        if form.is_valid():
            try:
                handover = handover_execute(
                    actor=request.user,
                    from_user=departing,
                    assignments=form.assignments,
                    note=form.cleaned_data["note"],
                    deactivate=form.cleaned_data["deactivate"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                count = len(form.assignments)
                text = ngettext(
                    "Handover #%(number)d done: %(count)d customer of %(person)s handed over.",
                    "Handover #%(number)d done: %(count)d customers of %(person)s handed over.",
                    count,
                ) % {"number": handover.pk, "count": count, "person": handover.from_name}
                if handover.deactivated:
                    text = " ".join([text, _("The account is deactivated.")])
                messages.success(request, text)
                return redirect("access:handover", pk=handover.pk)
        return self.render_to_response(self.get_context_data(departing=departing, form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        departing = context["departing"]
        context["departing_form"] = DepartingForm(
            initial={"from": departing.pk if departing else None}, candidates=self.candidates
        )
        return context


class HandoverDetailView(ReadHandoversMixin, TemplateView):
    """One handover: who left, who did it and when, the note, and each customer with its receiver and what moved."""

    template_name = "access/handover_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        handover = selectors.handover_detail(kwargs["pk"])
        items = list(selectors.handover_items(handover))
        for item in items:
            item.moved_list = selectors.moved_summary(item.moved)
        context.update(handover=handover, items=items)
        return context


class HandoverExportView(ReadHandoversMixin, View):
    """交接清单 as Excel: each customer, its role and receiver, what the receiver needs to know, what moved."""

    def get(self, request, pk):
        handover = selectors.handover_detail(pk)
        workbook = excel.new_workbook()
        count = excel.add_sheet(
            workbook, _("Handover list"), HANDOVER_COLUMNS, selectors.handover_sheet(handover, user=request.user)
        )
        what = _("Handover list #%(number)d") % {"number": handover.pk}
        access_log.register(
            request,
            AccessRecord.Action.EXPORT,
            what=what,
            query=reverse("access:handover", args=[handover.pk]),
            row_count=count,
        )
        filename = _("handover-list-%(number)d-%(date)s.xlsx") % {
            "number": handover.pk,
            "date": timezone.localdate().strftime("%Y%m%d"),
        }
        return FileResponse(
            excel.save_to_temporary_file(workbook), as_attachment=True, filename=filename, content_type=XLSX_TYPE
        )
