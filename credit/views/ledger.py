"""Ledger pages: receivables, payments and their allocation, extension requests and repayment plans.

Views parse the request, call one selector or service, and render. A record is found through its customer's
rights, so one the user may not read is a 404; a write by someone who reads the customer but may not change it
is a 403; a service's refusal comes back on the form with everything typed kept, and nothing is saved.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from archive import filing
from archive.choices import FilingStatus
from contracts.selectors import customers_to_change
from customers import permissions
from customers.permissions import Action

from .. import selectors, services
from ..choices import InstalmentState
from ..filtersets import PaymentFilterSet, ReceivableFilterSet
from ..forms.ledger import (
    AllocateForm,
    ExtensionForm,
    PaymentForm,
    PlanForm,
    ReceivableForm,
    add_service_error,
    instalment_formset,
)
from ..models import PaymentAllocation

ZERO = Decimal("0.00")


def _can_change(user, customer) -> bool:
    return permissions.can(user, Action.CHANGE, customer)


def _totals(queryset: QuerySet, *fields: str) -> dict:
    """Count and sums over every row of a list (all its pages), added up by the database in one query.

    The sums get aliases of their own: an aggregate named like the annotation it adds up (``outstanding``)
    shadows it in Django's outer query, which then sums a column the inner query does not select (SQLite reads
    the quoted name as a string and answers 0; PostgreSQL refuses the query).
    """
    result = queryset.order_by().aggregate(total_count=Count("pk"), **{f"total_{name}": Sum(name) for name in fields})
    return {"count": result["total_count"], **{name: result[f"total_{name}"] or ZERO for name in fields}}


def _yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


# ---- Lists ----------------------------------------------------------------------------------------------------


class LedgerListView(FilterView):
    """A filtered, sorted, paged ledger list with its totals over every page."""

    paginate_by = settings.ARCHIVE_PAGE_SIZE
    total_fields: tuple[str, ...] = ()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["totals"] = _totals(self.object_list, *self.total_fields)
        context["today"] = timezone.localdate()
        customer_id = self.filterset.form.cleaned_data.get("customer") if self.filterset.is_bound else None
        filter_customer = None
        if customer_id:
            filter_customer = permissions.visible_customers(user).filter(pk=customer_id).first()
        context["filter_customer"] = filter_customer
        context["can_add"] = customers_to_change(user=user).exists()
        context["can_change_customer"] = bool(filter_customer and _can_change(user, filter_customer))
        return context


class ReceivableListView(LedgerListView):
    """应收账款: the receivables of the customers the user may read, oldest due first."""

    filterset_class = ReceivableFilterSet
    template_name = "credit/receivable_list.html"
    total_fields = ("amount", "paid", "outstanding")

    def get_queryset(self):
        return selectors.receivable_list(user=self.request.user)


class PaymentListView(LedgerListView):
    """回款: the payments of the customers the user may read, newest first."""

    filterset_class = PaymentFilterSet
    template_name = "credit/payment_list.html"
    total_fields = ("amount", "allocated", "unallocated")

    def get_queryset(self):
        return selectors.payment_list(user=self.request.user)


# ---- New entries ----------------------------------------------------------------------------------------------


class LedgerFormView(FormView):
    """A new ledger entry for one of the customers the user may change; nobody else may open the form (403)."""

    def dispatch(self, request, *args, **kwargs):
        if not customers_to_change(user=request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("customer", "").isdigit():
            initial["customer"] = int(self.request.GET["customer"])
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "today": timezone.localdate()}

    def refused(self, form, error: ValidationError):
        add_service_error(form, error)
        return self.form_invalid(form)


class ReceivableCreateView(LedgerFormView):
    form_class = ReceivableForm
    template_name = "credit/receivable_form.html"

    def get_initial(self):
        return {**super().get_initial(), "issued_on": timezone.localdate()}

    def form_valid(self, form):
        try:
            receivable = services.receivable_create(
                actor=self.request.user, customer_id=form.cleaned_data["customer"].pk, data=form.receivable_data()
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(
            self.request,
            _("Receivable of %(amount)s entered, due %(date)s.")
            % {"amount": _yuan(receivable.amount), "date": receivable.due_on},
        )
        return redirect(receivable)


class PaymentCreateView(LedgerFormView):
    """Record a payment and allocate it.

    "Show the open receivables" posts the form with ``show``: it comes back for the customer chosen, with what
    was typed and nothing saved, so allocation by hand works without JavaScript.
    """

    form_class = PaymentForm
    template_name = "credit/payment_form.html"
    carried = ("customer", "received_on", "amount", "method", "reference", "note", "mode")

    def get_initial(self):
        initial = {**super().get_initial(), "received_on": timezone.localdate()}
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        for name in self.carried:
            if source.get(name):
                initial[name] = source[name]
        return initial

    def post(self, request, *args, **kwargs):
        if "show" in request.POST:
            form = self.form_class(initial=self.get_initial(), user=request.user)
            return self.render_to_response(self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = self.request.user
        try:
            payment = services.payment_record(
                actor=user,
                customer_id=form.cleaned_data["customer"].pk,
                data=form.payment_data(),
                mode=form.cleaned_data["mode"],
                amounts=form.amounts() if form.by_hand else None,
            )
        except ValidationError as error:
            return self.refused(form, error)
        payment = selectors.payment_detail(user=user, pk=payment.pk)
        messages.success(
            self.request,
            _("Payment of %(amount)s recorded: %(allocated)s allocated, %(left)s left to allocate.")
            % {
                "amount": _yuan(payment.amount),
                "allocated": _yuan(payment.allocated),
                "left": _yuan(payment.unallocated),
            },
        )
        return redirect(payment)


# ---- One receivable -------------------------------------------------------------------------------------------


class ReceivableDetailView(TemplateView):
    """The receivable, what paid it, and its extension requests; keepers ask for an extension here."""

    template_name = "credit/receivable_detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.receivable = selectors.receivable_detail(user=request.user, pk=kwargs["pk"])
        self.can_edit = _can_change(request.user, self.receivable.customer)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        receivable = self.receivable
        extensions = list(receivable.extensions.order_by("-created_at", "-id"))
        for extension in extensions:
            # Only a returned request has a director's comment to show (rare: one query each).
            extension.returned = filing.last_returned(extension) if extension.status == FilingStatus.RETURNED else None
        if "extension_form" not in context and self.can_edit and receivable.outstanding > 0:
            context["extension_form"] = ExtensionForm()
        context.update(
            receivable=receivable,
            customer=receivable.customer,
            allocations=selectors.allocations_of_receivable(receivable),
            extensions=extensions,
            extension_pending=any(e.status == FilingStatus.PENDING for e in extensions),
            can_edit=self.can_edit,
            today=timezone.localdate(),
        )
        return context


class ExtensionRequestView(ReceivableDetailView):
    """Ask for an extension: it goes to the director's inbox at once; a refusal re-renders the receivable page."""

    http_method_names = ["post"]

    def post(self, request, pk):
        if not self.can_edit:
            raise PermissionDenied
        form = ExtensionForm(request.POST)
        if form.is_valid():
            try:
                extension = services.extension_request(
                    actor=request.user,
                    receivable_id=self.receivable.pk,
                    requested_due_on=form.cleaned_data["requested_due_on"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Extension to %(date)s sent to the director; the due date moves once it is approved.")
                    % {"date": extension.requested_due_on},
                )
                return redirect(self.receivable)
        return self.render_to_response(self.get_context_data(extension_form=form))


class AllocationRemoveView(View):
    """Undo an allocation made in error (its payment's keepers only), with a reason; back to the receivable."""

    def post(self, request, pk):
        try:
            allocation = permissions.restrict_related(
                PaymentAllocation.objects.select_related("payment"), request.user, via="payment__customer"
            ).get(pk=pk)
        except PaymentAllocation.DoesNotExist:
            raise Http404 from None
        try:
            services.allocation_remove(actor=request.user, allocation_id=pk, reason=request.POST.get("reason", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Allocation of %(amount)s undone; the payment of %(date)s has it free to allocate again.")
                % {"amount": _yuan(allocation.amount), "date": allocation.payment.received_on},
            )
        return redirect("credit:receivable-detail", allocation.receivable_id)


# ---- One payment ----------------------------------------------------------------------------------------------


class PaymentDetailView(TemplateView):
    """The payment and what it settled; keepers allocate what is left."""

    template_name = "credit/payment_detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.payment = selectors.payment_detail(user=request.user, pk=kwargs["pk"])
        self.can_edit = _can_change(request.user, self.payment.customer)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payment = self.payment
        if "allocate_form" not in context and self.can_edit and payment.unallocated > 0:
            context["allocate_form"] = AllocateForm(customer_id=payment.customer_id)
        context.update(
            payment=payment,
            customer=payment.customer,
            allocations=selectors.allocations_of_payment(payment),
            can_edit=self.can_edit,
            today=timezone.localdate(),
        )
        return context


class PaymentAllocateView(PaymentDetailView):
    http_method_names = ["post"]

    def post(self, request, pk):
        if not self.can_edit:
            raise PermissionDenied
        form = AllocateForm(request.POST, customer_id=self.payment.customer_id)
        if form.is_valid():
            try:
                made = services.payment_allocate(
                    actor=request.user,
                    payment_id=self.payment.pk,
                    mode=form.cleaned_data["mode"],
                    amounts=form.amounts() if form.by_hand else None,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if made:
                    messages.success(
                        request,
                        ngettext("Allocated to %(count)s receivable.", "Allocated to %(count)s receivables.", len(made))
                        % {"count": len(made)},
                    )
                else:
                    messages.info(request, _("Nothing was allocated: nothing is left of the payment or owed."))
                return redirect(self.payment)
        return self.render_to_response(self.get_context_data(allocate_form=form))


# ---- Repayment plans ------------------------------------------------------------------------------------------


class PlanFormView(FormView):
    """A new repayment plan for a customer the user may change, or a change to one, with its instalments."""

    form_class = PlanForm
    template_name = "credit/plan_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.plan = None
        if "pk" in kwargs:
            self.plan = selectors.plan_detail(user=request.user, pk=kwargs["pk"])
            if not _can_change(request.user, self.plan.customer):
                raise PermissionDenied
        elif not customers_to_change(user=request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        if self.plan is None:
            initial["starts_on"] = timezone.localdate()
            if self.request.GET.get("customer", "").isdigit():
                initial["customer"] = int(self.request.GET["customer"])
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.plan}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "instalments" not in context:
            data = self.request.POST if self.request.method == "POST" else None
            context["instalments"] = instalment_formset(data=data, plan=self.plan)
        context.update(plan=self.plan, customer=self.plan.customer if self.plan else None)
        return context

    def post(self, request, *args, **kwargs):
        form, instalments = self.get_form(), instalment_formset(data=request.POST, plan=self.plan)
        if form.is_valid() and instalments.is_valid():
            try:
                if self.plan is None:
                    plan = services.plan_create(
                        actor=request.user,
                        customer_id=form.cleaned_data["customer"].pk,
                        data=form.plan_data(),
                        instalments=instalments.instalments(),
                    )
                    messages.success(request, _("Repayment plan agreed."))
                else:
                    plan = services.plan_update(
                        actor=request.user,
                        plan_id=self.plan.pk,
                        data=form.plan_data(),
                        instalments=instalments.instalments(),
                    )
                    messages.success(request, _("Repayment plan saved."))
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return redirect(plan)
        return self.render_to_response(self.get_context_data(form=form, instalments=instalments))


class PlanDetailView(TemplateView):
    """The plan's instalments against the payments received since it started: on time, late, missing."""

    template_name = "credit/plan_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan = selectors.plan_detail(user=user, pk=kwargs["pk"])
        today = timezone.localdate()
        progress = selectors.plan_progress(plan, today=today)
        behind = (InstalmentState.MISSING, InstalmentState.PART_PAID)
        planned = sum((line.amount for line in progress), ZERO)
        paid = sum((line.paid for line in progress), ZERO)
        context.update(
            plan=plan,
            customer=plan.customer,
            progress=progress,
            behind_states=behind,
            planned=planned,
            paid=paid,
            to_pay=planned - paid,
            missing=sum((line.missing for line in progress if line.state in behind), ZERO),
            can_edit=_can_change(user, plan.customer),
            today=today,
        )
        return context
