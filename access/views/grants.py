"""The director's rights pages: every right on one customer (grant, revoke), and a group's read access to many.

Only holders of ``access.decide_accessrequest`` (the directors) see them; anyone else gets 403. The customer of
the rights page comes through the permission gateway, so one in the recycle bin answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from archive.history import user_display
from customers.filtersets import CustomerFilterSet

from ..forms.grants import ConfirmForm, GroupGrantForm, RevokeForm, RightGrantForm
from ..models import AccessRequest
from ..selectors import requests as selectors
from ..services import requests as services
from .requests import decorate, refuse

# How many of the matching customers the group grant lists by name before it is confirmed.
SAMPLE_SIZE = 10


class DirectorView(View):
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        if not selectors.may_decide(request.user):
            raise PermissionDenied
        self.prepare(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def prepare(self, **kwargs) -> None:
        """Fetch what the URL names, once the user is known to be a director."""


class CustomerRightsView(DirectorView):
    """Who may read or change one customer, since when and until when; grant a user or a group, revoke a right."""

    template_name = "access/rights.html"

    def prepare(self, *, pk, **kwargs) -> None:
        self.customer = selectors.customer_for_rights(user=self.request.user, pk=pk)

    def get(self, request, *args, **kwargs):
        return self.render(RightGrantForm())

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "revoke":
            return self.revoke(request)
        form = RightGrantForm(request.POST)
        if action != "grant" or not form.is_valid():
            return self.render(form)
        holder = form.cleaned_data["user"] or form.cleaned_data["group"]
        try:
            services.right_grant(
                actor=request.user,
                customer_id=self.customer.pk,
                user=form.cleaned_data["user"],
                group=form.cleaned_data["group"],
                until=form.until_moment(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            refuse(form, exc)
            return self.render(form)
        name = user_display(holder) if form.cleaned_data["user"] else holder.name
        messages.success(request, _("Read access granted to %(holder)s.") % {"holder": name})
        return redirect("access:rights", self.customer.pk)

    def revoke(self, request):
        form = RevokeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a right to revoke."))
            return redirect("access:rights", self.customer.pk)
        try:
            ended = services.right_revoke(
                actor=request.user,
                customer_id=self.customer.pk,
                kind=form.cleaned_data["kind"],
                right_id=form.cleaned_data["right"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            message = _("Right revoked.")
            if ended:
                message += " " + ngettext(
                    "The access request it served is marked revoked.",
                    "The %(n)d access requests it served are marked revoked.",
                    ended,
                ) % {"n": ended}
            messages.success(request, message)
        return redirect("access:rights", self.customer.pk)

    def render(self, form):
        now = timezone.now()
        requests = AccessRequest.objects.filter(customer=self.customer).order_by("-requested_at", "-id")[:20]
        context = {
            "customer": self.customer,
            "rows": selectors.rights_rows(self.customer, now=now),
            "grant_form": form,
            "access_requests": [decorate(r, now) for r in requests],
            "now": now,
        }
        return render(self.request, self.template_name, context)


class GroupGrantView(DirectorView):
    """Let a group read every customer the filters select: choose, see how many match, confirm.

    The preview is a GET (the filters and the grant in the address); the confirmation posts the same fields with
    the number of customers the director saw, and a different number now sends them back to look again.
    """

    template_name = "access/group_grant.html"

    def get(self, request, *args, **kwargs):
        data = request.GET if "group" in request.GET else None
        return self.render(GroupGrantForm(data), self.filterset(request.GET))

    def post(self, request, *args, **kwargs):
        form, filterset, confirm = GroupGrantForm(request.POST), self.filterset(request.POST), ConfirmForm(request.POST)
        if not (form.is_valid() and filterset.is_valid() and confirm.is_valid()):
            return self.render(form, filterset)
        customers = filterset.qs
        matching = customers.order_by().count()
        if matching != confirm.cleaned_data["expected"]:
            messages.warning(
                request, _("The number of matching customers changed since you looked: check again and confirm.")
            )
            return self.render(form, filterset)
        group = form.cleaned_data["group"]
        try:
            changed = services.group_grant(
                actor=request.user,
                group=group,
                customers=customers,
                until=form.until_moment(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            refuse(form, exc)
            return self.render(form, filterset)
        messages.success(
            request,
            ngettext(
                "%(group)s: %(changed)d of %(n)d matching customer granted or extended; the others already had it.",
                "%(group)s: %(changed)d of %(n)d matching customers granted or extended; the others already had it.",
                matching,
            )
            % {"group": group.name, "changed": changed, "n": matching},
        )
        return redirect(reverse("access:group-grant"))

    def filterset(self, data):
        return CustomerFilterSet(
            data, queryset=selectors.group_grant_base(user=self.request.user), request=self.request
        )

    def render(self, form, filterset):
        preview = form.is_bound and form.is_valid() and filterset.is_valid()
        context = {"form": form, "filter": filterset, "preview": preview}
        if preview:
            customers = filterset.qs
            matching = customers.order_by().count()
            context.update(
                matching=matching,
                sample=list(customers.select_related("owner", "region")[:SAMPLE_SIZE]),
                confirm_form=ConfirmForm(initial={"expected": matching}),
                fields=[
                    (name, value)
                    for name, values in form.data.lists()
                    for value in values
                    if name not in ("expected", "csrfmiddlewaretoken")
                ],
                group=form.cleaned_data["group"],
                until=form.until_moment(),
            )
        return render(self.request, self.template_name, context)
