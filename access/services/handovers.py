"""Staff handover (员工调离交接): a departing manager's customers go to other managers in one transaction.

For each customer handed over, the departing manager's place on the card (account manager or co-manager) goes to
the receiver, their rights on it are revoked and the receiver's granted, their filing requests still waiting for
the director and the open work the categories register (``archive.registry.HandoverStep``) go to the receiver,
and the card's trail names the handover. The handover record keeps who, what, to whom and when. Everything is
one transaction: a refusal or an error anywhere leaves every card, right, request and record as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archive.history import delete_with_trail, save_with_trail, user_display
from archive.models import FilingRequest
from archive.registry import registry
from customers import permissions
from customers.models import CoOwner, Customer
from customers.permissions import Action
from customers.services import _check_keeper

from ..models import Handover, HandoverItem
from ..selectors import handovers as selectors

ALL_RIGHTS = (Action.VIEW, Action.CHANGE)


def handover_reason(handover: Handover, to_name: str) -> str:
    """The reason every trail row of the handover carries: its number and both people."""
    return _("Staff handover #%(number)d: %(from)s → %(to)s") % {
        "number": handover.pk,
        "from": handover.from_name,
        "to": to_name,
    }


def _assignments(assignments) -> dict[int, object]:
    """``{customer id: receiver}`` from a mapping or from (customer or id, receiver) pairs."""
    pairs = assignments.items() if isinstance(assignments, Mapping) else assignments
    chosen: dict[int, object] = {}
    for customer, to_user in pairs:
        try:
            pk = int(getattr(customer, "pk", customer))
        except (TypeError, ValueError):
            raise ValidationError(_("Choose the customers from the list."), code="invalid_customer") from None
        if to_user is None:
            raise ValidationError(_("Choose a receiving manager for every customer handed over."), code="no_receiver")
        if chosen.get(pk, to_user) != to_user:
            raise ValidationError(_("A customer can be handed to one manager only."), code="two_receivers")
        chosen[pk] = to_user
    return chosen


def _check_receivers(receivers: Iterable, from_user) -> None:
    for to_user in receivers:
        if to_user.pk == from_user.pk:
            raise ValidationError(
                _("%(user)s is leaving and cannot receive their own customers.") % {"user": user_display(from_user)},
                code="receiver_is_leaving",
            )
        _check_keeper(to_user)


def _check_nothing_left(from_user, *, handed_over: Iterable[int] = ()) -> None:
    """Refuse to deactivate an account that would still keep customers: nobody would look after them."""
    remaining = permissions.customers_kept_by(from_user).exclude(pk__in=list(handed_over)).count()
    if remaining:
        raise ValidationError(
            ngettext(
                "%(user)s would still keep %(count)d customer after this handover: hand every customer over "
                "before deactivating the account.",
                "%(user)s would still keep %(count)d customers after this handover: hand every customer over "
                "before deactivating the account.",
                remaining,
            )
            % {"user": user_display(from_user), "count": remaining},
            code="customers_remain",
        )


def _lock_kept(from_user, ids: list[int]) -> list[Customer]:
    """The chosen customers, locked in a fixed order, once it is sure that ``from_user`` keeps every one."""
    customers = list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    kept = set(permissions.customers_kept_by(from_user).filter(pk__in=ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in kept]
    if missing:
        names = "、".join(c.name for c in customers if c.pk in missing) or ", ".join(map(str, missing))
        raise ValidationError(
            _("%(user)s does not keep these customers (any more): %(names)s. Reload the page and choose again.")
            % {"user": user_display(from_user), "names": names},
            code="not_kept",
        )
    return customers


def _hand_card(customer: Customer, from_user, to_user, co_owners: dict[int, CoOwner], *, actor, reason) -> str:
    """Give the departing user's place on the card to the receiver; return the role that was handed over."""
    was_owner = customer.owner_id == from_user.pk
    leaving = co_owners.pop(from_user.pk, None)
    if leaving is not None:
        delete_with_trail(leaving, actor=actor, reason=reason)
    if was_owner:
        promoted = co_owners.pop(to_user.pk, None)
        if promoted is not None:  # a co-manager who becomes the account manager holds one place, not two
            delete_with_trail(promoted, actor=actor, reason=reason)
        # The version stays: it guards the card's fields, which the handover leaves alone, and a change request
        # the receiver inherits would otherwise be refused as overtaken by the handover.
        customer.owner = to_user
    elif customer.owner_id != to_user.pk and to_user.pk not in co_owners:
        co_owners[to_user.pk] = save_with_trail(CoOwner(customer=customer, user=to_user), actor=actor, reason=reason)
    # Saved even when only a co-manager changed, so that the card's own timeline names the handover. Only the
    # keepers change here; the rest of the card is not the handover's to validate.
    save_with_trail(customer, actor=actor, reason=reason, clean=False)
    return HandoverItem.Role.OWNER if was_owner else HandoverItem.Role.CO_OWNER


def _waiting_requests(from_user, ids: list[int]) -> dict[int, list[int]]:
    """The departing user's filing requests still waiting for the director on these customers, by customer."""
    rows = (
        FilingRequest.objects.select_for_update()
        .filter(state=FilingRequest.State.PENDING, author=from_user, customer_id__in=ids)
        .order_by("pk")
        .values_list("pk", "customer_id")
    )
    waiting = defaultdict(list)
    for pk, customer_id in rows:
        waiting[customer_id].append(pk)
    return waiting


def _revoke_lent_rights(from_user, *, actor, reason) -> None:
    """Take back every right a deactivated account still holds beside the customers it kept (rights lent to it),
    also when the account had already been closed before its handover: re-opened, it must not find them waiting."""
    for customer in permissions.customers_granted_to_user(from_user):
        permissions.revoke(customer, from_user, ALL_RIGHTS, actor=actor, reason=reason)


@transaction.atomic
def handover_execute(*, actor, from_user, assignments, note: str = "", deactivate: bool = False) -> Handover:
    """Hand ``from_user``'s chosen customers to their receivers (``{customer id: user}`` or pairs), at once.

    Refused (``ValidationError``, nothing written) when a customer is not kept by ``from_user``, a receiver is not
    an active account manager or is the departing user, no customer is chosen, or ``deactivate`` is asked while
    ``from_user`` would still keep customers. ``deactivate`` also closes the account in the same transaction.
    """
    if not selectors.may_hand_over(actor):
        raise PermissionDenied
    chosen = _assignments(assignments)
    if not chosen:
        raise ValidationError(_("Choose at least one customer to hand over."), code="no_customer")
    if deactivate and from_user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."), code="deactivate_self")
    _check_receivers({to.pk: to for to in chosen.values()}.values(), from_user)
    ids = sorted(chosen)
    customers = _lock_kept(from_user, ids)
    if deactivate:
        _check_nothing_left(from_user, handed_over=ids)

    handover = Handover(
        from_user=from_user,
        from_name=user_display(from_user),
        performed_by=actor,
        performed_by_name=user_display(actor),
        note=(note or "").strip(),
        deactivated=deactivate,
    )
    handover.save()

    co_owners: dict[int, dict[int, CoOwner]] = defaultdict(dict)
    for row in CoOwner.objects.filter(customer_id__in=ids).order_by("pk"):
        co_owners[row.customer_id][row.user_id] = row
    waiting = _waiting_requests(from_user, ids)
    requests_to: dict[int, list[int]] = defaultdict(list)
    steps = registry.handover_steps
    items = []
    reasons: dict[int, str] = {}
    for customer in customers:
        to_user = chosen[customer.pk]
        to_name = user_display(to_user)
        reason = handover_reason(handover, to_name)
        reasons[customer.pk] = reason
        role = _hand_card(customer, from_user, to_user, co_owners[customer.pk], actor=actor, reason=reason)

        moved: dict[str, int] = {}
        if waiting.get(customer.pk):
            requests_to[to_user.pk].extend(waiting[customer.pk])
            moved[FilingRequest._meta.label_lower] = len(waiting[customer.pk])
        # Each category's step runs per customer, so the item says what moved with this customer.
        for step in steps:
            counts = step.run(
                customer_ids=[customer.pk], from_user=from_user, to_user=to_user, actor=actor, reason=reason
            )
            for kind, count in (counts or {}).items():
                if count:
                    moved[kind] = moved.get(kind, 0) + count
        items.append(
            HandoverItem(
                handover=handover,
                customer=customer,
                customer_name=customer.name,
                archive_no=customer.archive_no,
                role=role,
                to_user=to_user,
                to_name=to_name,
                moved=moved,
            )
        )

    permissions.hand_over_rights(chosen, from_user, actor=actor, reasons=reasons)
    receivers = {to.pk: to for to in chosen.values()}
    for to_pk, request_ids in requests_to.items():
        # Filing requests keep no change trail of their own; the director's decision now reaches the receiver.
        FilingRequest.objects.filter(pk__in=request_ids).update(
            author=receivers[to_pk], author_name=user_display(receivers[to_pk])
        )
    HandoverItem.objects.bulk_create(items)

    if deactivate:
        _check_nothing_left(from_user)  # a customer given to them meanwhile would be left without a keeper
        _revoke_lent_rights(
            from_user,
            actor=actor,
            reason=_("Staff handover #%(number)d: account of %(user)s deactivated")
            % {"number": handover.pk, "user": handover.from_name},
        )
        from_user.is_active = False
        from_user.save(update_fields=["is_active"])
    return handover
