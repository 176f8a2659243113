"""Reads of access requests (调阅申请) and of the rights the director lends and takes back.

The lookup answers only whether a customer exists and who keeps it: it hands the views the customer's id (for
the request form) and the keeper's name, never anything else of the card. Everything else here reads through
the permission gateway.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from archive.history import user_display
from archive.roles import ALL_ROLES
from customers import permissions
from customers.models import Customer, CustomerRight
from customers.permissions import Action

from ..models import AccessRequest

ASK_PERMISSION = "access.add_accessrequest"
DECIDE_PERMISSION = "access.decide_accessrequest"


def may_ask(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(ASK_PERMISSION)


def may_decide(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(DECIDE_PERMISSION)


# ---- The lookup -----------------------------------------------------------------------------------------------


def normalise_key(key: str) -> str:
    """What was typed, without the spaces around it (a pasted code often brings some)."""
    return (key or "").strip()


def matching_customers(key: str) -> QuerySet[Customer]:
    """The cards whose credit code (any case) or full name is exactly ``key``; the recycle bin does not count.

    Every reader uses the same query whatever their rights: the lookup exists for customers they cannot read.
    """
    key = normalise_key(key)
    if not key:
        return Customer.objects.none()
    return Customer.objects.filter(Q(credit_code=key.upper()) | Q(name=key)).order_by("id")


@dataclass
class Match:
    """One card the key named, as far as its asker may know it: its id, its keeper and what they may do next."""

    customer_id: int
    keeper: str
    by_code: bool
    readable: bool
    pending: AccessRequest | None = None
    # The customer itself, only for a reader who may open it (the page then links the card).
    customer: Customer | None = None
    form: object = field(default=None, repr=False)


def lookup(*, user, key: str) -> list[Match]:
    """What ``user`` may learn of the cards ``key`` names: that they exist, who keeps them, and the next step.

    Three queries whatever the number of matches: the cards with their owners, which of them ``user`` may read,
    and ``user``'s pending requests on them.
    """
    key = normalise_key(key)
    customers = list(matching_customers(key).select_related("owner"))
    if not customers:
        return []
    ids = [c.pk for c in customers]
    readable = readable_ids(user=user, customer_ids=ids)
    pending = {
        r.customer_id: r
        for r in AccessRequest.objects.filter(customer_id__in=ids, requester=user, state=AccessRequest.State.PENDING)
    }
    return [
        Match(
            customer_id=c.pk,
            keeper=user_display(c.owner),
            by_code=bool(c.credit_code) and c.credit_code == key.upper(),
            readable=c.pk in readable,
            pending=pending.get(c.pk),
            customer=c if c.pk in readable else None,
        )
        for c in customers
    ]


# ---- Requests -------------------------------------------------------------------------------------------------


def request_list(*, user, state: str = "") -> QuerySet[AccessRequest]:
    """The requests ``user`` may see: the director all of them, pending first; anyone else their own."""
    requests = AccessRequest.objects.select_related("customer", "customer__owner")
    if not may_decide(user):
        requests = requests.filter(requester=user)
    if state:
        requests = requests.filter(state=state)
    waiting = Case(
        When(state=AccessRequest.State.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return requests.annotate(waiting=waiting).order_by("waiting", "-requested_at", "-id")


def request_detail(*, user, pk) -> AccessRequest:
    """One request: the director sees any, a requester their own; anything else answers 404."""
    try:
        return request_list(user=user).select_related("requester", "decided_by").get(pk=pk)
    except (AccessRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def readable_ids(*, user, customer_ids) -> set[int]:
    """Which of ``customer_ids`` ``user`` may open now (one query, for the links of a list page)."""
    ids = {pk for pk in customer_ids if pk is not None}
    if not ids:
        return set()
    readable = permissions.restrict(Customer.objects.filter(pk__in=ids), user).order_by()
    return set(readable.values_list("pk", flat=True))


# ---- Rights on one customer -----------------------------------------------------------------------------------


@dataclass
class RightRow:
    """One right on a customer as the director's rights page shows it."""

    right: CustomerRight
    kind: str  # "user" or "group"
    holder: str
    action: Action
    keeper: bool
    live: bool

    @property
    def lent(self) -> bool:
        return self.right.expires_at is not None


def customer_for_rights(*, user, pk) -> Customer:
    """The customer of the rights page, through the gateway (unseen or in the recycle bin: 404)."""
    return permissions.get_customer_or_404(user, pk, queryset=Customer.objects.select_related("owner"))


def keeper_ids(customer: Customer) -> set[int]:
    """The owner and co-owners: their rights change through the keepers page, not the rights page."""
    return {customer.owner_id, *customer.co_ownerships.values_list("user_id", flat=True)}


def rights_rows(customer: Customer, *, now: datetime.datetime | None = None) -> list[RightRow]:
    """Every right on ``customer``, users then groups, expired ones not yet purged included and marked."""
    now = now or timezone.now()
    keepers = keeper_ids(customer)
    held = permissions.rights_on(customer)
    actions = {codename: action for action, codename in permissions.OBJECT_PERMISSION.items()}
    rows = [
        RightRow(
            right=right,
            kind="user",
            holder=user_display(right.user),
            action=actions[right.permission.codename],
            keeper=right.user_id in keepers,
            live=right.is_live(now),
        )
        for right in held["users"]
    ]
    rows += [
        RightRow(
            right=right,
            kind="group",
            holder=right.group.name,
            action=actions[right.permission.codename],
            keeper=False,
            live=right.is_live(now),
        )
        for right in held["groups"]
    ]
    # The keepers first, then the other people, then the groups; by name within each.
    rows.sort(key=lambda row: (row.kind != "user", not row.keeper))
    return rows


def grantable_groups() -> QuerySet[Group]:
    """The groups the director may lend to: every group but the four roles (those are granted by role)."""
    return Group.objects.exclude(name__in=ALL_ROLES).order_by("name")


def group_grant_base(*, user) -> QuerySet[Customer]:
    """The customers a group grant may cover: those the director may read, before the filters narrow them."""
    return permissions.visible_customers(user)


def expired_granted_requests(*, now: datetime.datetime | None = None) -> QuerySet[AccessRequest]:
    """Granted requests whose lent access has run out (they stay granted; their expiry says the rest)."""
    return AccessRequest.objects.filter(state=AccessRequest.State.GRANTED, expires_at__lte=now or timezone.now())


def live_requests_of(customer: Customer, user_id: int) -> QuerySet[AccessRequest]:
    """The granted requests of ``user_id`` on ``customer`` whose lent access is still running."""
    return AccessRequest.objects.filter(
        customer=customer, requester_id=user_id, state=AccessRequest.State.GRANTED, expires_at__gt=timezone.now()
    )
