"""Pages of complaints (客户投诉): the list, one complaint with its handling timeline, and the forms around it.

A complaint is found through its customer's rights: unseen is a 404, seen but not kept a 403 on every write.
Views parse the request, call one selector or service, and render; a service's refusal comes back next to the
field it names, with everything typed kept, and nothing is saved. An open complaint is a draft: it is recorded,
handled step by step, closed with the customer's satisfaction, and only then submitted for filing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from archive.filing import EditConflict
from contracts.views import EntryDetailMixin, EntryFormView
from customers import permissions
from customers.permissions import Action

from .. import selectors, services
from ..choices import ComplaintState
from ..filtersets import ComplaintFilterSet
from ..forms.complaints import SATISFACTION_LABELS, CloseForm, ComplaintChangeForm, ComplaintForm, ReopenForm, StepForm


def refuse(form, exc, *, rename=None) -> None:
    """Put a service's refusal on the form: next to the field it names if the form shows it, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    rename = rename or {}
    for name, errors in exc.error_dict.items():
        name = rename.get(name, name)
        field = name if name in form.fields and name != NON_FIELD_ERRORS else None
        form.add_error(field, errors)
        if field is not None:
            widget = form.fields[field].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def preselected_customer(request):
    """The customer of ``?customer=``, through the gateway: unseen is a 404, seen but not kept a 403."""
    value = request.GET.get("customer", "")
    if not value.isdigit():
        return None
    customer = permissions.get_customer_or_404(request.user, value)
    if not permissions.can(request.user, Action.CHANGE, customer):
        raise PermissionDenied
    return customer


def timeline_url(complaint) -> str:
    return f"{reverse('complaints:complaint-detail', args=[complaint.pk])}#timeline"


def list_context(view, context: dict) -> dict:
    """What every list of this app shows above and below its rows: the query, the customer filtered on, "new"."""
    query = view.request.GET.copy()
    query.pop("page", None)
    context["query_string"] = query.urlencode()
    filters = view.filterset
    customer_id = filters.form.cleaned_data.get("customer") if filters.is_bound and filters.is_valid() else None
    if customer_id:
        context["filter_customer"] = permissions.visible_customers(view.request.user).filter(pk=customer_id).first()
    context["can_add"] = selectors.customers_to_change(user=view.request.user).exists()
    return context


# ---- The list -------------------------------------------------------------------------------------------------


class ComplaintListView(FilterView):
    """投诉一览: the complaints of the customers the user may read, newest first; overdue ones stand out."""

    filterset_class = ComplaintFilterSet
    template_name = "complaints/complaint_list.html"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        return selectors.complaint_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = list_context(self, super().get_context_data(**kwargs))
        totals = self.object_list.order_by().aggregate(
            total_count=Count("pk"),
            total_open=Count("pk", filter=~Q(state=ComplaintState.CLOSED)),
            total_overdue=Count("pk", filter=selectors.overdue_q()),
        )
        context["totals"] = {
            "count": totals["total_count"],
            "open": totals["total_open"],
            "overdue": totals["total_overdue"],
        }
        return context


# ---- One complaint --------------------------------------------------------------------------------------------


class ComplaintDetailView(EntryDetailMixin, TemplateView):
    """The complaint, its handling timeline with the step form, its outcome, and what followed it."""

    template_name = "complaints/complaint_detail.html"

    def get_entry(self, user, pk):
        return selectors.complaint_detail(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        complaint, can_edit = self.entry, context["can_edit"]
        workable = can_edit and complaint.is_editable_draft
        context.update(
            steps=list(selectors.complaint_steps(complaint)),
            can_add_step=workable and complaint.is_open,
            can_close=workable and complaint.is_open,
            can_reopen=workable and not complaint.is_open,
            satisfaction_label=SATISFACTION_LABELS.get(complaint.satisfaction, ""),
            dissatisfied=complaint.is_dissatisfied,
            returns=list(complaint.returns.select_related("order").order_by("-returned_on", "-id")),
            discounts=list(complaint.discounts.select_related("order", "contract").order_by("-created_at", "-id")),
        )
        context.setdefault("step_form", StepForm())
        context.setdefault("reopen_form", ReopenForm(initial={"version": complaint.version}))
        return context


class ComplaintActionView(ComplaintDetailView):
    """A POST on the complaint's page by one of its keepers; a refusal re-renders the page with what was typed."""

    http_method_names = ["post"]

    def get_entry(self, user, pk):
        complaint = super().get_entry(user, pk)
        if not permissions.can(user, Action.CHANGE, complaint.customer):
            raise PermissionDenied
        return complaint


class StepAddView(ComplaintActionView):
    """Add a handling step: what was done and when (now, if not said)."""

    def post(self, request, *args, **kwargs):
        form = StepForm(request.POST)
        if form.is_valid():
            try:
                services.step_add(
                    actor=request.user,
                    complaint_id=self.entry.pk,
                    action=form.cleaned_data["action"],
                    taken_at=form.cleaned_data.get("taken_at"),
                )
            except ValidationError as exc:
                refuse(form, exc)
            else:
                messages.success(request, _("Step added to the handling timeline."))
                return redirect(timeline_url(self.entry))
        return self.render_to_response(self.get_context_data(step_form=form, step_refused=True))


class ComplaintReopenView(ComplaintActionView):
    """Take a closed complaint up again, with the reason; it goes back to being handled."""

    def post(self, request, *args, **kwargs):
        form = ReopenForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_reopen(
                    actor=request.user,
                    complaint_id=self.entry.pk,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data.get("version"),
                )
            except EditConflict as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                refuse(form, exc)
            else:
                messages.success(request, _("The complaint is reopened and back in handling."))
                return redirect(timeline_url(self.entry))
        return self.render_to_response(self.get_context_data(reopen_form=form, reopen_refused=True))


# ---- Forms ----------------------------------------------------------------------------------------------------


class ComplaintFormView(EntryFormView):
    """Record a complaint (``?customer=`` preselects the customer), correct an open one, or, once it is filed,
    propose a change to its outcome for the director to approve."""

    template_name = "complaints/complaint_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.preselected = None if "pk" in kwargs else preselected_customer(request)
        return super().dispatch(request, *args, **kwargs)

    def get_entry(self, user, pk):
        return selectors.complaint_detail(user=user, pk=pk)

    def get_form_class(self):
        return ComplaintChangeForm if self.proposing else ComplaintForm

    def get_initial(self):
        initial = super().get_initial()
        if self.entry is None:
            initial["received_at"] = timezone.now()
            initial["handler"] = self.request.user.pk
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preselected"] = self.preselected
        return context

    def form_valid(self, form):
        user = self.request.user
        try:
            if self.proposing:
                return self.proposed(
                    services.complaint_change_propose(
                        actor=user,
                        complaint_id=self.entry.pk,
                        data=form.change_data(),
                        note=form.cleaned_data["reason"],
                    )
                )
            if self.entry is None:
                complaint = services.complaint_create(
                    actor=user, customer_id=form.customer.pk, data=form.complaint_data()
                )
                messages.success(
                    self.request,
                    _("Complaint recorded: to be closed by %(due)s.")
                    % {"due": timezone.localtime(complaint.due_at).strftime("%Y-%m-%d %H:%M")},
                )
            else:
                complaint = services.complaint_update(
                    actor=user,
                    complaint_id=self.entry.pk,
                    data=form.complaint_data(),
                    expected_version=form.cleaned_data.get("version"),
                )
                messages.success(self.request, _("Complaint saved."))
        except EditConflict as exc:
            return self.refused(form, exc)
        except ValidationError as exc:
            refuse(form, exc, rename={"note": "reason"})
            return self.render_to_response(self.get_context_data(form=form))
        return redirect(complaint)


class ComplaintCloseView(FormView):
    """Close a complaint: result, responsibility, findings, the customer's satisfaction (1–5), the closing date."""

    form_class = CloseForm
    template_name = "complaints/complaint_close.html"

    def dispatch(self, request, *args, **kwargs):
        self.entry = selectors.complaint_detail(user=request.user, pk=kwargs["pk"])
        if not permissions.can(request.user, Action.CHANGE, self.entry.customer):
            raise PermissionDenied
        if not self.entry.is_open:
            messages.info(request, _("The complaint is already closed."))
            return redirect(self.entry)
        if not self.entry.is_editable_draft:
            messages.warning(
                request, _("This entry is waiting for approval and cannot be edited until the director decides.")
            )
            return redirect(self.entry)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.entry}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(entry=self.entry, customer=self.entry.customer, steps_count=self.entry.step_count)
        return context

    def form_valid(self, form):
        try:
            complaint = services.complaint_close(
                actor=self.request.user,
                complaint_id=self.entry.pk,
                data=form.closing_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except EditConflict as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form, conflict=exc))
        except ValidationError as exc:
            refuse(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The complaint is closed. Submit it for approval to file it in the customer's archive."),
        )
        return redirect(complaint)
