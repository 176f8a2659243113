"""The archive core's pages: the health probe, the director's inbox, the author's submissions, the recycle bin
and the author's requests on one entry. Every write is one call to ``archive.filing``."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import FormView, ListView, TemplateView
from django_filters.views import FilterView

from . import filing
from .filtersets import RequestFilterSet
from .forms import NoteForm, ReturnForm
from .registry import registry


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 ``ok`` when the application and its database answer; 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


# ---- Filing: the director's inbox, the author's submissions, the recycle bin --------------------------------


def _back(request, default: str) -> str:
    """Where to return after a POST: the page it came from, if it is ours."""
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _refusal(refusal: Exception) -> str:
    if isinstance(refusal, ValidationError):
        return " ".join(refusal.messages)
    return str(refusal) or _("You are not allowed to do that.")


class DeciderRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not filing.can_decide(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class InboxView(DeciderRequiredMixin, FilterView):
    """审批: what waits for the director, each request with its field-by-field diff, oldest first."""

    filterset_class = RequestFilterSet
    template_name = "archive/inbox.html"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        return filing.inbox(self.request.user)

    def paginate_queryset(self, queryset, page_size):
        """A page emptied by the director's last decision shows the last page that still exists, not a 404."""
        paginator = self.get_paginator(
            queryset, page_size, orphans=self.get_paginate_orphans(), allow_empty_first_page=self.get_allow_empty()
        )
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["proposals"] = filing.proposals(context["object_list"])
        context["return_form"] = ReturnForm()
        return context


class ApproveView(DeciderRequiredMixin, View):
    def post(self, request, pk):
        try:
            filing.request_approve(actor=request.user, request_id=pk)
        except (ValidationError, PermissionDenied) as refusal:
            messages.error(request, _("Request #%(number)s: %(reason)s") % {"number": pk, "reason": _refusal(refusal)})
        else:
            messages.success(request, _("Request #%(number)s approved.") % {"number": pk})
        return redirect(_back(request, reverse("archive:inbox")))


class ReturnView(DeciderRequiredMixin, View):
    def post(self, request, pk):
        form = ReturnForm(request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        try:
            filing.request_return(actor=request.user, request_id=pk, comment=comment)
        except (ValidationError, PermissionDenied) as refusal:
            messages.error(request, _("Request #%(number)s: %(reason)s") % {"number": pk, "reason": _refusal(refusal)})
        else:
            messages.success(request, _("Request #%(number)s returned to its author.") % {"number": pk})
        return redirect(_back(request, reverse("archive:inbox")))


class BulkApproveView(DeciderRequiredMixin, View):
    """Approve the ticked requests, each on its own, and say what became of every one."""

    def post(self, request):
        ids = [value for value in request.POST.getlist("request") if value.isdigit()]
        if not ids:
            messages.warning(request, _("Tick the requests to approve first."))
        for outcome in filing.requests_approve(actor=request.user, request_ids=ids):
            if outcome.approved:
                messages.success(request, _("Request #%(number)s approved.") % {"number": outcome.request_id})
            else:
                messages.error(
                    request,
                    _("Request #%(number)s: %(reason)s") % {"number": outcome.request_id, "reason": outcome.message},
                )
        return redirect(_back(request, reverse("archive:inbox")))


class MyRequestsView(ListView):
    """我的提交: the author's requests with their states; opening it reads the notifications."""

    template_name = "archive/my_requests.html"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        return filing.my_requests(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["proposals"] = filing.proposals(context["object_list"])
        context["unread"] = set(filing.unread_notifications(self.request.user).values_list("request_id", flat=True))
        filing.notifications_read(user=self.request.user)
        return context


class RestorerRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not filing.can_restore(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RecycleBinView(RestorerRequiredMixin, TemplateView):
    """回收站: deleted entries, kept whole, for the archivist or the director to restore."""

    template_name = "archive/recycle_bin.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "bins": filing.recycle_bin(self.request.user)}


class RestoreView(RestorerRequiredMixin, View):
    def post(self, request, label, pk):
        spec = _filable_or_404(label)
        try:
            entry = filing.entry_restore(actor=request.user, spec=spec, pk=pk)
        except spec.model.DoesNotExist:
            raise Http404 from None
        except (ValidationError, PermissionDenied) as refusal:
            messages.error(request, _refusal(refusal))
        else:
            messages.success(request, _("%(entry)s is back in the archive.") % {"entry": entry})
        return redirect(_back(request, reverse("archive:recycle-bin")))


# ---- Filing: an author's requests on one entry ------------------------------------------------------------


def _filable_or_404(label: str):
    try:
        return registry.filable(label)
    except LookupError:
        raise Http404 from None


class EntryMixin:
    """The entry of the URL (``<app_label>.<model>/<pk>``), if its customer is visible to the user; else 404."""

    def dispatch(self, request, label, pk, *args, **kwargs):
        self.spec = _filable_or_404(label)
        try:
            self.entry = self.spec.model.objects.get(pk=pk)
        except (self.spec.model.DoesNotExist, ValueError):
            raise Http404 from None
        self.customer = self.spec.customer_of(self.entry)
        if not registry.gateway.can(request.user, "view", self.customer):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class SubmitView(EntryMixin, View):
    def post(self, request):
        try:
            filing_request = filing.entry_submit(
                actor=request.user, entry=self.entry, note=request.POST.get("note", "")
            )
        except (ValidationError, PermissionDenied) as refusal:
            messages.error(request, _refusal(refusal))
        else:
            messages.success(
                request,
                _("%(entry)s was sent to the director (request #%(number)s).")
                % {"entry": self.entry, "number": filing_request.pk},
            )
        return redirect(_back(request, self.customer.get_absolute_url()))


class DeletionRequestView(EntryMixin, FormView):
    """Ask for an entry to go to the recycle bin, saying why (its keepers only)."""

    form_class = NoteForm
    template_name = "archive/entry_delete.html"

    def get(self, request, *args, **kwargs):
        if not registry.gateway.can(request.user, "change", self.customer):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "entry": self.entry,
            "customer": self.customer,
            "model_name": self.spec.model._meta.verbose_name,
        }

    def form_valid(self, form):
        try:
            filing_request = filing.deletion_request(
                actor=self.request.user, entry=self.entry, note=form.cleaned_data["note"]
            )
        except PermissionDenied:
            raise
        except ValidationError as refusal:
            form.add_error(None, refusal)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The deletion of %(entry)s waits for the director (request #%(number)s).")
            % {"entry": self.entry, "number": filing_request.pk},
        )
        return redirect(self.customer)


class RevertView(EntryMixin, View):
    """A director puts a filed entry back to an earlier version (from the change trail)."""

    def post(self, request):
        try:
            filing.entry_revert(actor=request.user, entry=self.entry, history_id=request.POST.get("history_id"))
        except (ValidationError, PermissionDenied) as refusal:
            messages.error(request, _refusal(refusal))
        else:
            messages.success(request, _("%(entry)s was reverted; the trail records it.") % {"entry": self.entry})
        return redirect(_back(request, self.customer.get_absolute_url()))
