"""Pages of the 5C credit applications and their evidence.

An application is found through its customer's rights: unseen is a 404, seen but not changeable a 403. It is
edited only while a draft or returned; a filed application is what was granted and never changes (a new
application changes the credit), so it has no "propose a change".
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from archive import filing
from archive.filing import EditConflict
from contracts.selectors import customers_to_change
from customers import access_log, permissions
from customers.permissions import Action

from .. import scoring, selectors, services
from ..choices import FACTOR_HELP, Factor
from ..forms.applications import ApplicationFilterSet, ApplicationForm, EvidenceForm, percent
from ..models import CreditProfile


def _may_change(user, application) -> bool:
    return permissions.can(user, Action.CHANGE, application.customer)


def _refusal_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# ---- The list ---------------------------------------------------------------------------------------------------


class ApplicationListView(FilterView):
    """信用申请一览: the applications of the customers the user may read, newest first."""

    filterset_class = ApplicationFilterSet
    template_name = "credit/application_list.html"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        return selectors.application_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer_id = self.filterset.form.cleaned_data.get("customer") if self.filterset.is_bound else None
        if customer_id:
            context["filter_customer"] = permissions.visible_customers(self.request.user).filter(pk=customer_id).first()
        context["can_add"] = customers_to_change(user=self.request.user).exists()
        return context


# ---- One application --------------------------------------------------------------------------------------------


class ApplicationDetailView(TemplateView):
    """The application's 5C table with its evidence, the score it adds up to and the grade scale behind it."""

    template_name = "credit/application_detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.entry = selectors.application_detail(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def factor_rows(self) -> list[dict]:
        entry, weights = self.entry, scoring.weights()
        evidence: dict[str, list] = {factor: [] for factor in Factor.values}
        for item in entry.evidence.order_by("factor", "id"):
            evidence[item.factor].append(item)
        rows = []
        for factor in Factor.values:
            score = getattr(entry, f"score_{factor}")
            rows.append(
                {
                    "factor": factor,
                    "label": Factor(factor).label,
                    "help": FACTOR_HELP[factor],
                    "weight": percent(weights[factor]),
                    "score": score,
                    "dots": [n <= score for n in range(1, 6)],
                    "weighted": (Decimal(score) * weights[factor]).quantize(Decimal("0.01")),
                    "note": getattr(entry, f"note_{factor}"),
                    "evidence": evidence[factor],
                }
            )
        return rows

    def grade_scale(self) -> list[dict]:
        """Each grade with the lowest score that earns it and what it grants of the limit asked for."""
        entry = self.entry
        return [
            {
                "grade": grade,
                "lowest": lowest,
                "share": percent(share),
                "limit": (entry.requested_limit * share).quantize(Decimal("0.01")),
                "current": grade == entry.proposed_grade,
            }
            for grade, lowest, share in settings.ARCHIVE_CREDIT_GRADES
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry, user = self.entry, self.request.user
        can_edit = _may_change(user, entry)
        editable = can_edit and entry.is_editable_draft
        context.update(
            entry=entry,
            customer=entry.customer,
            can_edit=can_edit,
            editable=editable,
            filing_requests=filing.entry_requests(entry),
            returned_request=filing.last_returned(entry),
            catalogue_number=filing.catalogue_number(entry.customer, entry),
            factors=self.factor_rows(),
            grade_scale=self.grade_scale(),
            evidence_form=EvidenceForm() if editable else None,
            grants_current=entry.is_filed
            and CreditProfile.objects.filter(customer_id=entry.customer_id, application_id=entry.pk).exists(),
        )
        return context


# ---- Entering and editing ---------------------------------------------------------------------------------------


class ApplicationFormView(FormView):
    """Enter a credit application, or edit a draft or returned one (a pending one waits, a filed one is final)."""

    form_class = ApplicationForm
    template_name = "credit/application_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.entry = None
        if "pk" in kwargs:
            self.entry = selectors.application_detail(user=request.user, pk=kwargs["pk"])
            if not _may_change(request.user, self.entry):
                raise PermissionDenied
            if self.entry.is_filed:
                messages.warning(
                    request,
                    _(
                        "This credit application is filed: it is what was granted. Enter a new application to change "
                        "the customer's credit."
                    ),
                )
                return redirect(self.entry)
            if not self.entry.is_editable_draft:
                messages.warning(
                    request, _("This entry is waiting for approval and cannot be edited until the director decides.")
                )
                return redirect(self.entry)
        elif not customers_to_change(user=request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        if self.entry is None and self.request.GET.get("customer", "").isdigit():
            initial["customer"] = int(self.request.GET["customer"])
        return initial

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        if self.entry is not None:
            kwargs["instance"] = self.entry
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            entry=self.entry,
            customer=self.entry.customer if self.entry else None,
            grade_scale=[
                {"grade": grade, "lowest": lowest, "share": percent(share)}
                for grade, lowest, share in settings.ARCHIVE_CREDIT_GRADES
            ],
        )
        return context

    def refused(self, form, exc, **context):
        """A service said no: the form comes back with its message and everything typed."""
        if isinstance(exc, EditConflict):
            form.add_error(None, str(exc))
            context["conflict"] = exc
        elif hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)
        else:
            form.add_error(None, exc)
        return self.render_to_response(self.get_context_data(form=form, **context))

    def form_valid(self, form):
        user, data = self.request.user, form.application_data()
        try:
            if self.entry is None:
                application = services.application_create(actor=user, customer_id=form.customer.pk, data=data)
                messages.success(
                    self.request,
                    _(
                        "Credit application entered as a draft: weighted score %(score)s, grade %(grade)s, "
                        "limit ¥%(limit)s. Attach the evidence, then submit it for approval."
                    )
                    % {
                        "score": application.total_score,
                        "grade": application.proposed_grade,
                        "limit": f"{application.proposed_limit:,.2f}",
                    },
                )
            else:
                application = services.application_update(
                    actor=user,
                    application_id=self.entry.pk,
                    data=data,
                    expected_version=form.cleaned_data.get("version"),
                )
                messages.success(self.request, _("Credit application saved."))
        except (ValidationError, EditConflict) as exc:
            return self.refused(form, exc)
        return redirect(application)


# ---- Evidence ---------------------------------------------------------------------------------------------------


class EvidenceAddView(View):
    """Attach a document behind a score; a file that is not what it claims is refused and nothing is kept."""

    def post(self, request, pk):
        application = selectors.application_detail(user=request.user, pk=pk)
        if not _may_change(request.user, application):
            raise PermissionDenied
        form = EvidenceForm(request.POST, request.FILES)
        if not form.is_valid():
            problems = [
                f"{form.fields[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
                for name, errors in form.errors.items()
            ]
            messages.error(request, _("The evidence was not attached. %(problems)s") % {"problems": " ".join(problems)})
            return redirect(application)
        try:
            evidence = services.evidence_add(
                actor=request.user,
                application_id=application.pk,
                factor=form.cleaned_data["factor"],
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            messages.error(request, _("The evidence was not attached. %(problems)s") % {"problems": _refusal_text(exc)})
        else:
            messages.success(
                request,
                _("%(name)s attached as evidence for %(factor)s.")
                % {"name": evidence.original_name, "factor": Factor(evidence.factor).label},
            )
        return redirect(application)


class EvidenceFileView(View):
    """The evidence's bytes, after the gateway says the user may read its customer."""

    def get(self, request, pk):
        evidence = selectors.evidence_detail(user=request.user, pk=pk)
        access_log.register(
            request,
            access_log.Action.DOWNLOAD,
            customer=evidence.application.customer_id,
            what=f"{evidence.application} · {evidence.original_name}",
        )
        response = FileResponse(
            evidence.file.open("rb"),
            content_type=evidence.content_type or "application/octet-stream",
            as_attachment=request.GET.get("download") == "1",
            filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
        )
        # The bytes were checked on upload; the sandbox still stops any script a crafted file might carry.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        response["Cache-Control"] = "private, no-store"
        return response


class EvidenceRemoveView(View):
    """Take a document off a draft or returned application (its keepers only)."""

    def post(self, request, pk):
        evidence = selectors.evidence_detail(user=request.user, pk=pk)
        application = evidence.application
        try:
            services.evidence_remove(actor=request.user, evidence_id=evidence.pk)
        except ValidationError as exc:
            messages.error(request, _refusal_text(exc))
        else:
            messages.success(request, _("%(name)s removed from the evidence.") % {"name": evidence.original_name})
        return redirect(application)
