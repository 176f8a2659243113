"""Pages of access requests (调阅申请): the lookup and the request, the list, one request and its answer.

Managers and clerks ask; the director answers. A customer the asker cannot read is never shown to them here
beyond its existence and its keeper; the card itself stays a 404 until the director lends it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from customers import permissions
from customers.permissions import Action

from ..forms.requests import AccessRequestForm, GrantForm, LookupForm, RefuseForm, RequestFilterForm
from ..models import AccessRequest
from ..selectors import requests as selectors
from ..services import requests as services

State = AccessRequest.State
STATE_STYLES = {
    State.PENDING: "warning",
    State.GRANTED: "success",
    State.REFUSED: "danger",
    State.WITHDRAWN: "secondary",
    State.REVOKED: "dark",
}


def refuse(form, exc: ValidationError) -> None:
    """A service's refusal on the form: next to the field it names if the form shows it, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        shown = name in form.fields and name != NON_FIELD_ERRORS and not form.fields[name].widget.is_hidden
        form.add_error(name if shown else None, errors)


def decorate(access_request: AccessRequest, now) -> AccessRequest:
    """What the pages show of a request beside its fields: its badge colour and whether its loan has run out."""
    access_request.badge = STATE_STYLES[access_request.state]
    access_request.expired = (
        access_request.state == State.GRANTED
        and access_request.expires_at is not None
        and access_request.expires_at <= now
    )
    return access_request


def require_asker_or_decider(user) -> None:
    """The request pages are for the people who ask (managers, clerks) and the director who answers."""
    if not (selectors.may_ask(user) or selectors.may_decide(user)):
        raise PermissionDenied


def answered_already(exc: ValidationError) -> bool:
    return not hasattr(exc, "error_dict") and getattr(exc, "code", None) == "already_decided"


# ---- The lookup and the request -------------------------------------------------------------------------------


class LookupView(View):
    """Find a customer by its exact credit code or full name, and ask to read it.

    The answer says only that the card exists and who keeps it, unless the user may already read it.
    """

    template_name = "access/lookup.html"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        if not selectors.may_ask(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        form = LookupForm(request.GET if "key" in request.GET else None)
        key = form.cleaned_data["key"] if form.is_valid() else None
        return self.render(form, key)

    def post(self, request, *args, **kwargs):
        customer = request.POST.get("customer", "")
        posted = AccessRequestForm(request.POST, customer_id=customer if customer.isdigit() else None)
        if posted.is_valid():
            data = posted.cleaned_data
            try:
                access_request = services.access_request_create(
                    actor=request.user,
                    key=data["key"],
                    customer_id=data["customer"],
                    reason=data["reason"],
                    days=data["days"],
                )
            except ValidationError as exc:
                refuse(posted, exc)
            else:
                messages.success(
                    request,
                    _("Your request #%(n)s went to the director. You will see the answer in your access requests.")
                    % {"n": access_request.pk},
                )
                return redirect("access:request", access_request.pk)
        key = (request.POST.get("key") or "").strip()
        return self.render(LookupForm(initial={"key": key}), key or None, posted=posted)

    def render(self, form, key, posted=None):
        matches = selectors.lookup(user=self.request.user, key=key) if key else []
        stray = posted is not None
        for match in matches:
            if match.readable or match.pending:
                continue
            if posted is not None and str(posted.data.get("customer")) == str(match.customer_id):
                match.form, stray = posted, False
            else:
                match.form = AccessRequestForm(
                    initial={"key": key, "customer": match.customer_id}, customer_id=match.customer_id
                )
        context = {
            "form": form,
            "key": key,
            "matches": matches,
            "several": len(matches) > 1,
            # A refused request whose customer the key does not name (a changed key or id): its message on top.
            "stray_errors": [e for errors in posted.errors.values() for e in errors] if stray else [],
            "max_days": settings.ARCHIVE_ACCESS_GRANT_MAX_DAYS,
        }
        return render(self.request, self.template_name, context)


# ---- The list -------------------------------------------------------------------------------------------------


class RequestListView(ListView):
    """The requester's own requests, or, for the director, every request with the waiting ones first."""

    template_name = "access/request_list.html"
    paginate_by = settings.ARCHIVE_PAGE_SIZE
    context_object_name = "access_requests"

    def dispatch(self, request, *args, **kwargs):
        require_asker_or_decider(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        self.filter_form = RequestFilterForm(self.request.GET or None)
        state = self.filter_form.cleaned_data["state"] if self.filter_form.is_valid() else ""
        return selectors.request_list(user=self.request.user, state=state)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, now = self.request.user, timezone.now()
        page = [decorate(r, now) for r in context["access_requests"]]
        readable = selectors.readable_ids(user=user, customer_ids=[r.customer_id for r in page])
        for access_request in page:
            access_request.readable = access_request.customer_id in readable
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            access_requests=page,
            filter_form=self.filter_form,
            deciding=selectors.may_decide(user),
            asking=selectors.may_ask(user),
            query_string=query.urlencode(),
        )
        return context


# ---- One request ----------------------------------------------------------------------------------------------


class RequestDetailView(TemplateView):
    """One request; the director grants or refuses it here, the requester may withdraw it while it waits."""

    template_name = "access/request_detail.html"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        require_asker_or_decider(request.user)
        self.access_request = selectors.request_detail(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, access_request = self.request.user, decorate(self.access_request, timezone.now())
        pending = access_request.state == State.PENDING
        deciding = selectors.may_decide(user) and pending
        readable = permissions.can(user, Action.VIEW, access_request.customer)
        days = min(access_request.days, settings.ARCHIVE_ACCESS_GRANT_MAX_DAYS)
        context.setdefault("grant_form", GrantForm(initial={"days": days}) if deciding else None)
        context.setdefault("refuse_form", RefuseForm() if deciding else None)
        context.update(
            access_request=access_request,
            customer=access_request.customer,
            deciding=deciding,
            can_withdraw=pending and access_request.requester_id == user.pk,
            readable=readable,
            # Someone who may not read the customer is shown only what they typed to find it.
            named=readable or selectors.may_decide(user),
            keeper=access_request.customer.owner,
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        user, pk = request.user, self.access_request.pk
        if action == "withdraw":
            if self.access_request.requester_id != user.pk:
                raise PermissionDenied
            try:
                services.access_request_withdraw(actor=user, request_id=pk)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Request withdrawn."))
            return redirect("access:request", pk)
        if action not in ("grant", "refuse"):
            return HttpResponseBadRequest(_("Unknown action."))
        if not selectors.may_decide(user):
            raise PermissionDenied
        if action == "grant":
            form = GrantForm(request.POST)
            if form.is_valid():
                try:
                    services.access_request_grant(
                        actor=user, request_id=pk, days=form.cleaned_data["days"], comment=form.cleaned_data["comment"]
                    )
                except ValidationError as exc:
                    if answered_already(exc):
                        messages.error(request, exc.messages[0])
                        return redirect("access:request", pk)
                    refuse(form, exc)
                else:
                    messages.success(
                        request,
                        _("Read access granted to %(user)s for %(days)d days.")
                        % {"user": self.access_request.requester_name, "days": form.cleaned_data["days"]},
                    )
                    return redirect(f"{reverse('access:requests')}?state=pending")
            return self.render_to_response(self.get_context_data(grant_form=form, refused_by="grant"))
        form = RefuseForm(request.POST)
        if form.is_valid():
            try:
                services.access_request_refuse(actor=user, request_id=pk, comment=form.cleaned_data["comment"])
            except ValidationError as exc:
                if answered_already(exc):
                    messages.error(request, exc.messages[0])
                    return redirect("access:request", pk)
                refuse(form, exc)
            else:
                messages.success(request, _("Request refused."))
                return redirect(f"{reverse('access:requests')}?state=pending")
        return self.render_to_response(self.get_context_data(refuse_form=form, refused_by="refuse"))
