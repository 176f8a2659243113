"""The permission gateway: the one module that decides who may read or change which customer.

DESIGN §1: a user sees customer C if they hold ``customers.view_all_customers`` (director, archivist), or
guardian's object permission ``view_customer`` on C, directly or through a group. Change works the same way
with ``customers.change_all_customers`` and ``change_customer``. Every sub-record (contact, interaction,
attachment, and in the category apps contract, order, receivable, complaint…) is visible exactly when its
customer is, so it is filtered through its customer and never carries permissions of its own.

This is also the only module that calls django-guardian. Views, forms, exports and services ask it; none of
them decides rights on its own. A refused object is simply not in the restricted queryset, so a view that
fetches through it answers 404 and never confirms that the customer exists. Customers in the recycle bin are
not in ``Customer.objects`` at all, so they and their records are refused the same way. The archive core asks
this module through ``archive.registry.registry.gateway``.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm

from .models import Customer, CustomerGroupObjectPermission, CustomerUserObjectPermission


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"


GLOBAL_PERMISSION = {
    Action.VIEW: "customers.view_all_customers",
    Action.CHANGE: "customers.change_all_customers",
}
OBJECT_PERMISSION = {
    Action.VIEW: "view_customer",
    Action.CHANGE: "change_customer",
}
# Owners and co-owners keep their customers' cards: they read and change them.
KEEPER_ACTIONS = (Action.VIEW, Action.CHANGE)


def has_global(user, action: Action = Action.VIEW) -> bool:
    """Whether ``user`` may act on every customer (the model permission; ModelBackend caches it per user)."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(GLOBAL_PERMISSION[action]))


def _granted(user, action: Action) -> Q:
    """The customers whose object permission for ``action`` ``user`` holds, directly or through a group.

    Driven from the permission tables (``pk IN (…)``) rather than a correlated ``EXISTS`` per customer row:
    a manager holds a few hundred rights among 100,000 customers, and the database then reads those rights
    through their index instead of probing both tables for every customer. The direct and the group rights are
    one ``UNION``: with an ``OR`` of two ``IN`` lists PostgreSQL scanned every customer to test both.
    """
    codename = OBJECT_PERMISSION[Action(action)]
    direct = CustomerUserObjectPermission.objects.filter(user=user, permission__codename=codename)
    via_group = CustomerGroupObjectPermission.objects.filter(group__user=user, permission__codename=codename)
    return Q(pk__in=direct.values("content_object").union(via_group.values("content_object")))


def restrict(queryset: QuerySet[Customer], user, action: Action = Action.VIEW) -> QuerySet[Customer]:
    """``queryset`` narrowed to the customers ``user`` may ``action``."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if has_global(user, action):
        return queryset
    return queryset.filter(_granted(user, action))


def restrict_related(queryset: QuerySet, user, action: Action = Action.VIEW, *, via: str = "customer") -> QuerySet:
    """A sub-record queryset narrowed through its customer (``via`` is the lookup path to the customer).

    A customer in the recycle bin takes its records with it, for every reader.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if has_global(user, action):
        return queryset.filter(**{f"{via}__deleted_at__isnull": True})
    return queryset.filter(**{f"{via}__in": restrict(Customer.objects.all(), user, action).values("pk")})


def visible_customers(user, action: Action = Action.VIEW) -> QuerySet[Customer]:
    return restrict(Customer.objects.all(), user, action)


def can(user, action: Action, customer: Customer) -> bool:
    """Whether ``user`` may ``action`` this one customer (one query at most); nobody acts on one in the bin."""
    if has_global(user, action):
        return customer.deleted_at is None
    return restrict(Customer.objects.filter(pk=customer.pk), user, action).exists()


def get_customer_or_404(user, pk, action: Action = Action.VIEW, queryset: QuerySet | None = None) -> Customer:
    """The customer ``pk`` if ``user`` may ``action`` it; otherwise 404, exactly as if it did not exist."""
    base = queryset if queryset is not None else Customer.objects.all()
    try:
        return restrict(base, user, action).get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def customer_to_change(user, pk) -> Customer:
    """The customer ``pk``, locked for the write that follows, if ``user`` may change it.

    404 if ``user`` may not even read it; ``PermissionDenied`` if they read it but may not change it.
    """
    customer = get_customer_or_404(user, pk, Action.VIEW, queryset=Customer.objects.select_for_update())
    if not can(user, Action.CHANGE, customer):
        raise PermissionDenied
    return customer


def grant(customer: Customer, to, actions=(Action.VIEW,)) -> None:
    """Give a user or a group object rights on one customer."""
    for action in actions:
        assign_perm(OBJECT_PERMISSION[Action(action)], to, customer)


def grant_keepers(customers: list[Customer]) -> None:
    """Give each new card's owner view and change on it, as :func:`grant` does, in one insert for all (an import).

    Only for cards just created: they hold no rights yet, so there is nothing to find first.
    """
    codenames = {OBJECT_PERMISSION[action]: action for action in KEEPER_ACTIONS}
    permission_ids = dict(
        Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer), codename__in=codenames
        ).values_list("codename", "pk")
    )
    CustomerUserObjectPermission.objects.bulk_create(
        [
            CustomerUserObjectPermission(user_id=c.owner_id, permission_id=permission_ids[codename], content_object=c)
            for c in customers
            for codename in codenames
        ],
        batch_size=1000,
    )


def revoke(customer: Customer, to, actions=(Action.VIEW, Action.CHANGE)) -> None:
    """Take a user's or group's object rights on one customer away (a missing right is no error)."""
    for action in actions:
        remove_perm(OBJECT_PERMISSION[Action(action)], to, customer)


def holders(customer: Customer) -> dict[str, list]:
    """Who holds object rights on ``customer``: ``{"users": [(user, codename), …], "groups": [...]}``."""
    users = (
        CustomerUserObjectPermission.objects.filter(content_object=customer)
        .select_related("user", "permission")
        .order_by("user__username", "permission__codename")
    )
    groups = (
        CustomerGroupObjectPermission.objects.filter(content_object=customer)
        .select_related("group", "permission")
        .order_by("group__name", "permission__codename")
    )
    return {
        "users": [(row.user, row.permission.codename) for row in users],
        "groups": [(row.group, row.permission.codename) for row in groups],
    }


def customers_granted_to_group(group: Group) -> QuerySet[Customer]:
    return Customer.objects.filter(
        group_permissions__group=group, group_permissions__permission__codename=OBJECT_PERMISSION[Action.VIEW]
    ).distinct()
