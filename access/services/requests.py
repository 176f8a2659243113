"""Writes of access requests (调阅申请) and of the director's grants and revocations.

A manager or clerk who knows a customer's exact credit code or full name asks to read it; the director lends it
for some days or refuses. The lent right is written through the permission gateway with its expiry, in the same
transaction as the request's answer, so a request never says "granted" without the right, nor the reverse.
The director also gives and takes rights on one customer, and lends a group a whole set of customers.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.history import save_with_trail, user_display
from archive.roles import ALL_ROLES
from customers import permissions
from customers.models import Customer
from customers.permissions import Action

from ..models import AccessRequest
from ..selectors import requests as selectors

State = AccessRequest.State


def _refusal(field: str, message: str, code: str) -> ValidationError:
    """A refusal next to one field of the form, with a code tests and callers can tell apart."""
    return ValidationError({field: ValidationError(message, code=code)})


def _require_decider(actor) -> None:
    if not selectors.may_decide(actor):
        raise PermissionDenied


def _check_days(days, field: str = "days") -> int:
    maximum = settings.ARCHIVE_ACCESS_GRANT_MAX_DAYS
    if not isinstance(days, int) or not 1 <= days <= maximum:
        raise _refusal(field, _("Between 1 and %(max)d days.") % {"max": maximum}, "days_out_of_range")
    return days


def _locked_request(request_id) -> AccessRequest:
    try:
        return AccessRequest.objects.select_for_update(of=("self",)).select_related("requester").get(pk=request_id)
    except (AccessRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _refuse_if_decided(request: AccessRequest) -> None:
    if request.state != State.PENDING:
        raise ValidationError(
            _("This request was already answered (%(state)s); it cannot be decided again.")
            % {"state": request.get_state_display()},
            code="already_decided",
        )


# ---- Asking ---------------------------------------------------------------------------------------------------


@transaction.atomic
def access_request_create(*, actor, key: str, customer_id, reason: str, days: int) -> AccessRequest:
    """Ask to read the customer that ``key`` (its exact credit code or full name) names.

    The customer is found again from ``key``: an id that the key does not name is refused, so nobody asks for a
    customer whose code or name they do not know by posting another id.
    """
    if not selectors.may_ask(actor):
        raise PermissionDenied
    matches = {c.pk: c for c in selectors.matching_customers(key)}
    try:
        customer = matches[int(customer_id)]
    except (KeyError, ValueError, TypeError):
        raise ValidationError(
            _("No customer with this exact credit code or name was looked up."), code="not_looked_up"
        ) from None
    reason = (reason or "").strip()
    if not reason:
        raise _refusal("reason", _("Say why you need to read this customer."), "reason_required")
    _check_days(days)
    if permissions.can(actor, Action.VIEW, customer):
        raise ValidationError(_("You can already read this customer: open the card."), code="already_readable")
    by_code = bool(customer.credit_code) and customer.credit_code == selectors.normalise_key(key).upper()
    request = AccessRequest(
        customer=customer,
        requester=actor,
        requester_name=user_display(actor),
        key=customer.credit_code if by_code else customer.name,
        reason=reason,
        days=days,
    )
    try:
        with transaction.atomic():
            save_with_trail(request, actor=actor, reason=_("Access requested"))
    except IntegrityError:
        # Two submissions of the same form at once: the partial unique constraint let one through.
        raise ValidationError(
            _("You already asked to read this customer; the director has not answered."), code="already_pending"
        ) from None
    return request


@transaction.atomic
def access_request_withdraw(*, actor, request_id) -> AccessRequest:
    """The requester takes back a request the director has not answered yet."""
    request = _locked_request(request_id)
    if request.requester_id != actor.pk:
        raise PermissionDenied
    _refuse_if_decided(request)
    request.state = State.WITHDRAWN
    request.decided_at = timezone.now()
    return save_with_trail(request, actor=actor, reason=_("Access request withdrawn"))


# ---- Answering ------------------------------------------------------------------------------------------------


@transaction.atomic
def access_request_grant(*, actor, request_id, days: int, comment: str = "") -> AccessRequest:
    """Lend the requester read access for ``days`` days from now, and record the answer with the right."""
    _require_decider(actor)
    request = _locked_request(request_id)
    _refuse_if_decided(request)
    _check_days(days)
    requester = request.requester
    if requester is None or not requester.is_active:
        raise ValidationError(
            _("%(user)s's account is inactive: refuse the request instead.") % {"user": request.requester_name},
            code="requester_inactive",
        )
    try:
        customer = Customer.objects.select_for_update().get(pk=request.customer_id)
    except Customer.DoesNotExist:
        raise ValidationError(
            _("The customer is in the recycle bin: refuse the request instead."), code="customer_in_bin"
        ) from None
    now = timezone.now()
    until = now + datetime.timedelta(days=days)
    permissions.grant(
        customer,
        requester,
        (Action.VIEW,),
        actor=actor,
        until=until,
        reason=_("Access request #%(n)s") % {"n": request.pk},
    )
    request.state = State.GRANTED
    request.decided_by, request.decided_by_name, request.decided_at = actor, user_display(actor), now
    request.comment = (comment or "").strip()
    request.expires_at = until
    return save_with_trail(request, actor=actor, reason=_("Granted for %(days)d days") % {"days": days}, clean=False)


@transaction.atomic
def access_request_refuse(*, actor, request_id, comment: str) -> AccessRequest:
    """Refuse a request; the requester reads the reason."""
    _require_decider(actor)
    request = _locked_request(request_id)
    _refuse_if_decided(request)
    comment = (comment or "").strip()
    if not comment:
        raise _refusal("comment", _("Tell the requester why."), "comment_required")
    request.state = State.REFUSED
    request.decided_by, request.decided_by_name, request.decided_at = actor, user_display(actor), timezone.now()
    request.comment = comment
    return save_with_trail(request, actor=actor, reason=_("Access request refused"), clean=False)


# ---- Rights on one customer -----------------------------------------------------------------------------------


def _check_until(until: datetime.datetime | None) -> None:
    if until is not None and until <= timezone.now():
        raise _refusal("until", _("The end must be in the future."), "until_past")


def _check_group(group: Group) -> None:
    if group.name in ALL_ROLES:
        raise _refusal("group", _("A role's rights come with the role; choose another group."), "role_group")


def _lock_group(group: Group) -> None:
    """Grants to one group wait for each other (a double click on Confirm): each sees what the other added."""
    Group.objects.select_for_update().get(pk=group.pk)


def _customer(actor, customer_id) -> Customer:
    return permissions.get_customer_or_404(
        actor, customer_id, queryset=Customer.objects.select_for_update(of=("self",)).select_related("owner")
    )


@transaction.atomic
def right_grant(
    *, actor, customer_id, user=None, group=None, until: datetime.datetime | None = None, note: str = ""
) -> None:
    """Give one user or one group read access to one customer, standing or until a moment.

    As every grant, it never shortens a right already held.
    """
    _require_decider(actor)
    if (user is None) == (group is None):
        raise ValidationError(_("Choose a user or a group."), code="no_holder")
    if group is not None:
        _check_group(group)
        _lock_group(group)  # before the customer, in the order a group grant takes them
    customer = _customer(actor, customer_id)
    _check_until(until)
    if user is not None and not user.is_active:
        raise _refusal("user", _("This account is inactive."), "user_inactive")
    permissions.grant(
        customer,
        user or group,
        (Action.VIEW,),
        actor=actor,
        until=until,
        reason=(note or "").strip() or _("Read access granted by the director"),
    )


@transaction.atomic
def right_revoke(*, actor, customer_id, kind: str, right_id, note: str = "") -> int:
    """Take one right on a customer away; returns how many access requests this ended (marked revoked).

    The keepers' rights are refused here: they change with the keepers, on the card's keepers page.
    """
    _require_decider(actor)
    customer = _customer(actor, customer_id)
    right = permissions.right_of(customer, kind, right_id)
    if kind == "user" and right.user_id in selectors.keeper_ids(customer):
        raise ValidationError(
            _("This is a keeper's right: change the account managers on the keepers page instead."),
            code="keeper_right",
        )
    reason = (note or "").strip() or _("Right revoked by the director")
    ended = 0
    if kind == "user" and right.permission.codename == permissions.OBJECT_PERMISSION[Action.VIEW]:
        # The requests this right served end with it; those already expired keep saying so themselves.
        for request in selectors.live_requests_of(customer, right.user_id).select_for_update():
            request.state = State.REVOKED
            save_with_trail(request, actor=actor, reason=reason, clean=False)
            ended += 1
    permissions.revoke_right(right, actor=actor, reason=reason)
    return ended


# ---- A group and a set of customers ---------------------------------------------------------------------------


@transaction.atomic
def group_grant(
    *, actor, group: Group, customers: QuerySet[Customer], until: datetime.datetime | None = None, note: str = ""
) -> int:
    """Let a group (a region's clerks) read a set of customers; returns how many rights were added or extended.

    ``customers`` is narrowed to those the director may read, whatever queryset comes in.
    """
    _require_decider(actor)
    _check_group(group)
    _check_until(until)
    _lock_group(group)
    ids = set(permissions.restrict(customers, actor).order_by().values_list("pk", flat=True))
    return permissions.grant_many(
        ids,
        group,
        actor=actor,
        until=until,
        reason=(note or "").strip() or _("Read access granted to the group %(group)s") % {"group": group.name},
    )
