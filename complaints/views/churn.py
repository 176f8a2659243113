"""Pages of churn records (客户流失) and their win-back plans (挽回计划).

A churn record is found through its customer's rights: unseen is a 404, seen but not kept a 403 on every write.
Filed through approval, the record moves the customer to the past lifecycle (过去客户); a plan won back returns it
to the current one (现在客户). Both moves are the services' (and the filing hook's), never the views'.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from archive.filing import EditConflict
from contracts.views import EntryDetailMixin, EntryFormView
from customers import permissions
from customers.permissions import Action

from .. import selectors, services
from ..choices import WinBackState
from ..filtersets import ChurnFilterSet
from ..forms.churn import ChurnForm, PlanConcludeForm, PlanForm
from .complaints import list_context, preselected_customer, refuse


def plan_url(churn) -> str:
    return f"{churn.get_absolute_url()}#win-back"


class ChurnListView(FilterView):
    """流失客户: the churn records of the customers the user may read, with where each win-back stands."""

    filterset_class = ChurnFilterSet
    template_name = "complaints/churn_list.html"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        return selectors.churn_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = list_context(self, super().get_context_data(**kwargs))
        context["totals"] = selectors.totals(self.object_list)
        context["today"] = timezone.localdate()
        return context


class ChurnDetailView(EntryDetailMixin, TemplateView):
    """The churn record: what happened and to whom the customer went; the win-back plan and its buttons."""

    template_name = "complaints/churn_detail.html"

    def get_entry(self, user, pk):
        return selectors.churn_detail(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = selectors.plan_of(self.entry)
        active = plan is not None and plan.state == WinBackState.ACTIVE
        context.update(
            plan=plan,
            can_plan=context["can_edit"] and (plan is None or active),
            can_conclude=context["can_edit"] and active,
            plan_late=plan is not None and plan.is_late(),
        )
        return context


class ChurnFormView(EntryFormView):
    """Record a lost customer as a draft (``?customer=`` preselects it), correct it, or propose a change once filed."""

    form_class = ChurnForm
    template_name = "complaints/churn_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.preselected = None if "pk" in kwargs else preselected_customer(request)
        return super().dispatch(request, *args, **kwargs)

    def get_entry(self, user, pk):
        return selectors.churn_detail(user=user, pk=pk)

    def get_initial(self):
        initial = super().get_initial()
        if self.entry is None:
            initial["churned_on"] = timezone.localdate()
        return initial

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "preselected": self.preselected}

    def form_valid(self, form):
        user, data = self.request.user, form.churn_data()
        try:
            if self.proposing:
                return self.proposed(
                    services.churn_change_propose(
                        actor=user, churn_id=self.entry.pk, data=data, note=form.cleaned_data["reason"]
                    )
                )
            if self.entry is None:
                churn = services.churn_create(actor=user, customer_id=form.customer.pk, data=data)
                messages.success(
                    self.request,
                    _(
                        "Churn record entered as a draft. Once it is filed, the customer becomes a past customer; "
                        "make a win-back plan on its page."
                    ),
                )
            else:
                churn = services.churn_update(
                    actor=user, churn_id=self.entry.pk, data=data, expected_version=form.cleaned_data.get("version")
                )
                messages.success(self.request, _("Churn record saved."))
        except EditConflict as exc:
            return self.refused(form, exc)
        except ValidationError as exc:
            refuse(form, exc, rename={"note": "reason"})
            return self.render_to_response(self.get_context_data(form=form))
        return redirect(churn)


class PlanMixin:
    """The churn record of the URL, for one of its keepers, and its plan if it has one."""

    def dispatch(self, request, *args, **kwargs):
        self.churn = selectors.churn_detail(user=request.user, pk=kwargs["pk"])
        if not permissions.can(request.user, Action.CHANGE, self.churn.customer):
            raise PermissionDenied
        self.plan = selectors.plan_of(self.churn)
        if self.plan is not None and self.plan.state != WinBackState.ACTIVE:
            messages.info(request, _("The win-back plan has ended; it can no longer be changed."))
            return redirect(plan_url(self.churn))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(entry=self.churn, customer=self.churn.customer, plan=self.plan)
        return context


class PlanFormView(PlanMixin, FormView):
    """Make or change the win-back plan: the next steps, by when, who is responsible."""

    form_class = PlanForm
    template_name = "complaints/plan_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.plan}

    def get_initial(self):
        initial = super().get_initial()
        if self.plan is None:
            initial["responsible"] = self.request.user.pk
        return initial

    def form_valid(self, form):
        try:
            services.plan_save(actor=self.request.user, churn_id=self.churn.pk, data=form.plan_data())
        except ValidationError as exc:
            refuse(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Win-back plan changed.") if self.plan else _("Win-back plan made."))
        return redirect(plan_url(self.churn))


class PlanConcludeView(PlanMixin, FormView):
    """End the plan: won back (the customer is a current customer again) or given up, with the date and why."""

    form_class = PlanConcludeForm
    template_name = "complaints/plan_form.html"

    def get(self, request, *args, **kwargs):
        if self.plan is None:
            raise Http404
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.plan is None:
            raise Http404
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("state") in (WinBackState.WON_BACK, WinBackState.ABANDONED):
            initial["state"] = self.request.GET["state"]
        return initial

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "concluding": True}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            plan = services.plan_conclude(
                actor=self.request.user,
                churn_id=self.churn.pk,
                state=data["state"],
                outcome_on=data["outcome_on"],
                outcome_note=data["outcome_note"],
            )
        except ValidationError as exc:
            refuse(form, exc)
            return self.form_invalid(form)
        if plan.state == WinBackState.WON_BACK:
            messages.success(self.request, _("Won back: the customer is a current customer again."))
        else:
            messages.info(self.request, _("The win-back plan was given up."))
        return redirect(plan_url(self.churn))
