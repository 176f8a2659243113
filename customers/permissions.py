"""The permission gateway: the one module that decides who may read or change which customer.

DESIGN §1: a user sees customer C if they hold ``customers.view_all_customers`` (director, archivist), or
guardian's object permission ``view_customer`` on C, directly or through a group. Change works the same way
with ``customers.change_all_customers`` and ``change_customer``. Every sub-record (contact, interaction,
attachment, and in the category apps contract, order, receivable, complaint…) is visible exactly when its
customer is, so it is filtered through its customer and never carries permissions of its own.

This is also the only module that writes or reads guardian's rows. Views, forms, exports and services ask it;
none of them decides rights on its own. A right may be lent until a moment (``expires_at``, 调阅): it counts
only while unexpired, here, at read time, so an expired right never shows even before the rows are purged.

A refused object is simply not in the restricted queryset, so a view that fetches through it answers 404 and
never confirms that the customer exists. Customers in the recycle bin are
not in ``Customer.objects`` at all, so they and their records are refused the same way. The archive core asks
this module through ``archive.registry.registry.gateway``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from archive import bulk
from archive.history import delete_with_trail, historical_row, save_with_trail, user_display

from .models import Customer, CustomerGroupObjectPermission, CustomerRight, CustomerUserObjectPermission


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
    live = CustomerRight.live()
    direct = CustomerUserObjectPermission.objects.filter(live, user=user, permission__codename=codename)
    via_group = CustomerGroupObjectPermission.objects.filter(live, group__user=user, permission__codename=codename)
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


def _rights(to) -> tuple[type[CustomerRight], str]:
    """The rights table of a user or a group, and the name of its holder field."""
    if isinstance(to, Group):
        return CustomerGroupObjectPermission, "group"
    return CustomerUserObjectPermission, "user"


def _permission(action: Action) -> Permission:
    return Permission.objects.get(
        content_type=ContentType.objects.get_for_model(Customer), codename=OBJECT_PERMISSION[Action(action)]
    )


def grant(
    customer: Customer,
    to,
    actions=(Action.VIEW,),
    *,
    actor=None,
    until: datetime.datetime | None = None,
    reason: str = "",
) -> None:
    """Give a user or a group rights on one customer, standing or (``until``) lent until that moment.

    A grant never shortens a right already held: a standing right stays standing, a lent one is extended.
    """
    model, holder = _rights(to)
    now = timezone.now()
    for action in actions:
        permission = _permission(action)
        row = model.objects.filter(**{holder: to}, permission=permission, content_object=customer).first()
        if row is None:
            row = model(**{holder: to}, permission=permission, content_object=customer)
        elif row.expires_at is None or (until is not None and row.is_live(now) and until <= row.expires_at):
            continue
        row.expires_at, row.granted_by, row.granted_at = until, actor, now
        save_with_trail(row, actor=actor, reason=reason or _("Right granted"), clean=False)


def grant_many(customer_ids: Iterable[int], to, *, actor, until: datetime.datetime | None = None, reason: str) -> int:
    """Lend or give ``to`` (a user or a group) read access to many customers at once; returns how many changed.

    As :func:`grant` for each customer, in bulk: missing rights are inserted, shorter ones extended, standing
    ones left alone, each with its row in the change trail.
    """
    model, holder = _rights(to)
    permission = _permission(Action.VIEW)
    now = timezone.now()
    ids = set(customer_ids)
    held = {
        row.content_object_id: row
        for row in model.objects.filter(**{holder: to}, permission=permission, content_object_id__in=ids)
    }
    new = [
        model(**{holder: to}, permission=permission, content_object_id=pk, expires_at=until, granted_by=actor)
        for pk in sorted(ids - set(held))
    ]
    for row in new:
        row.granted_at = now
    longer = [
        row
        for row in held.values()
        if row.expires_at is not None and (until is None or not row.is_live(now) or until > row.expires_at)
    ]
    for row in longer:
        row.expires_at, row.granted_by, row.granted_at = until, actor, now
    trail = {
        "default_user": actor,
        "default_change_reason": str(reason),
        "custom_historical_attrs": {"history_user_name": user_display(actor)},
    }
    bulk_create_with_history(new, model, batch_size=500, **trail)
    bulk_update_with_history(longer, model, ["expires_at", "granted_by", "granted_at"], batch_size=500, **trail)
    return len(new) + len(longer)


def grant_keepers(customers: list[Customer], *, actor, reason: str) -> None:
    """Give each new card's owner view and change on it, as :func:`grant` does (granted by ``actor``, each right
    with its row in the change trail), for all the cards of an import in two statements per batch.

    Only for cards just created: they hold no rights yet, so there is nothing to find first. The rights are made
    from the cards' rows by the database (owner × the two permissions) rather than built as 20,000 objects.
    """
    right, card = CustomerUserObjectPermission._meta, Customer._meta
    values = {"user": "c.{owner}", "permission": "p.{permission}", "content_object": "c.{pk}", "granted_by": "%s"}
    values |= {"granted_at": "%s", "expires_at": "NULL"}
    if {f.name for f in right.concrete_fields if f is not right.pk} != set(values):
        raise NotImplementedError("grant_keepers writes every column of a right: teach it the new ones")
    permission_ids = list(
        Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer),
            codename__in=[OBJECT_PERMISSION[action] for action in KEEPER_ACTIONS],
        ).values_list("pk", flat=True)
    )
    connection = connections[router.db_for_write(CustomerUserObjectPermission)]
    qn = connection.ops.quote_name
    names = {
        "owner": qn(card.get_field("owner").column),
        "pk": qn(card.pk.column),
        "permission": qn(Permission._meta.pk.column),
    }
    granted_at = right.get_field("granted_at").get_db_prep_save(timezone.now(), connection)
    pks = [c.pk for c in customers]
    with connection.cursor() as cursor:
        for start in range(0, len(pks), bulk.BATCH_ROWS):
            batch = pks[start : start + bulk.BATCH_ROWS]
            cursor.execute(
                "INSERT INTO {} ({}) SELECT {} FROM {} c CROSS JOIN {} p WHERE c.{} IN ({}) AND p.{} IN ({}) "
                "ORDER BY c.{}, p.{}".format(
                    qn(right.db_table),
                    ", ".join(qn(right.get_field(name).column) for name in values),
                    ", ".join(expression.format(**names) for expression in values.values()),
                    qn(card.db_table),
                    qn(Permission._meta.db_table),
                    names["pk"],
                    ", ".join(["%s"] * len(batch)),
                    names["permission"],
                    ", ".join(["%s"] * len(permission_ids)),
                    names["pk"],
                    names["permission"],
                ),
                [actor.pk, granted_at, *batch, *permission_ids],
            )
            bulk.copy_to_history(CustomerUserObjectPermission, "content_object", batch, actor=actor, reason=reason)


def revoke(customer: Customer, to, actions=(Action.VIEW, Action.CHANGE), *, actor=None, reason: str = "") -> int:
    """Take a user's or group's rights on one customer away (a missing right is no error); returns how many."""
    model, holder = _rights(to)
    rows = model.objects.filter(
        **{holder: to},
        content_object=customer,
        permission__codename__in=[OBJECT_PERMISSION[Action(action)] for action in actions],
    )
    count = 0
    for row in rows:
        delete_with_trail(row, actor=actor, reason=reason or _("Right revoked"))
        count += 1
    return count


def hand_over_rights(moves: dict[int, object], from_user, *, actor, reasons: dict[int, str]) -> None:
    """For each ``{customer id: receiver}``: every right ``from_user`` holds on the customer goes, and the receiver
    holds the keepers' rights, standing (a lent right of theirs becomes standing).

    A staff handover's rights in a fixed number of queries however many customers move, each change with its trail
    row naming ``reasons[customer id]``.
    """
    if not moves:
        return
    now = timezone.now()
    ids = list(moves)
    trail = []
    leaving = list(CustomerUserObjectPermission.objects.filter(user=from_user, content_object_id__in=ids))
    trail += [
        historical_row(row, when=now, actor=actor, reason=reasons[row.content_object_id], kind="-") for row in leaving
    ]
    CustomerUserObjectPermission.objects.filter(pk__in=[row.pk for row in leaving]).delete()

    permission_ids = list(
        Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer),
            codename__in=[OBJECT_PERMISSION[action] for action in KEEPER_ACTIONS],
        ).values_list("pk", flat=True)
    )
    held = {
        (row.content_object_id, row.user_id, row.permission_id): row
        for row in CustomerUserObjectPermission.objects.filter(
            content_object_id__in=ids, user_id__in={to.pk for to in moves.values()}, permission_id__in=permission_ids
        )
    }
    new, standing = [], []
    for pk, to in moves.items():
        for permission_id in permission_ids:
            row = held.get((pk, to.pk, permission_id))
            if row is None:
                new.append(
                    CustomerUserObjectPermission(
                        user=to, permission_id=permission_id, content_object_id=pk, granted_by=actor, granted_at=now
                    )
                )
            elif row.expires_at is not None:
                row.expires_at, row.granted_by, row.granted_at = None, actor, now
                standing.append(row)
    CustomerUserObjectPermission.objects.bulk_create(new, batch_size=500)
    CustomerUserObjectPermission.objects.bulk_update(standing, ["expires_at", "granted_by", "granted_at"])
    trail += [
        historical_row(row, when=now, actor=actor, reason=reasons[row.content_object_id], kind="+") for row in new
    ]
    trail += [
        historical_row(row, when=now, actor=actor, reason=reasons[row.content_object_id], kind="~") for row in standing
    ]
    CustomerUserObjectPermission.history.model.objects.bulk_create(trail, batch_size=500)


def rights_on(customer: Customer) -> dict[str, list[CustomerRight]]:
    """Every right held on ``customer``, expired ones not yet purged included (``is_live`` tells them apart)."""
    return {
        "users": list(
            CustomerUserObjectPermission.objects.filter(content_object=customer)
            .select_related("user", "permission", "granted_by")
            .order_by("user__username", "permission__codename")
        ),
        "groups": list(
            CustomerGroupObjectPermission.objects.filter(content_object=customer)
            .select_related("group", "permission", "granted_by")
            .order_by("group__name", "permission__codename")
        ),
    }


def right_of(customer: Customer, kind: str, pk: int) -> CustomerRight:
    """One right on ``customer`` by its table (``user``/``group``) and id, for the director to revoke; else 404."""
    model = {"user": CustomerUserObjectPermission, "group": CustomerGroupObjectPermission}.get(kind)
    if model is None:
        raise Http404
    try:
        return model.objects.select_related("permission").get(content_object=customer, pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def revoke_right(right: CustomerRight, *, actor, reason: str = "") -> None:
    delete_with_trail(right, actor=actor, reason=reason or _("Right revoked"))


def purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Remove the lent rights that have expired (they already count for nothing); each leaves its trail row."""
    now = now or timezone.now()
    count = 0
    for model in (CustomerUserObjectPermission, CustomerGroupObjectPermission):
        for row in model.objects.filter(expires_at__lte=now):
            delete_with_trail(row, actor=None, reason=_("Lent right expired"))
            count += 1
    return count


def holders(customer: Customer) -> dict[str, list]:
    """Who holds rights in force on ``customer``: ``{"users": [(user, codename), …], "groups": [...]}``."""
    live = CustomerRight.live()
    users = (
        CustomerUserObjectPermission.objects.filter(live, content_object=customer)
        .select_related("user", "permission")
        .order_by("user__username", "permission__codename")
    )
    groups = (
        CustomerGroupObjectPermission.objects.filter(live, content_object=customer)
        .select_related("group", "permission")
        .order_by("group__name", "permission__codename")
    )
    return {
        "users": [(row.user, row.permission.codename) for row in users],
        "groups": [(row.group, row.permission.codename) for row in groups],
    }


def customers_granted_to_group(group: Group) -> QuerySet[Customer]:
    live = CustomerRight.live()
    rights = CustomerGroupObjectPermission.objects.filter(
        live, group=group, permission__codename=OBJECT_PERMISSION[Action.VIEW]
    )
    return Customer.objects.filter(pk__in=rights.values("content_object"))


def customers_granted_to_user(user) -> QuerySet[Customer]:
    """The customers, the recycle bin's included, on which ``user`` holds a right of their own (standing, lent or
    expired), whether or not the account is active: what closing the account takes back."""
    rights = CustomerUserObjectPermission.objects.filter(user=user)
    return Customer.all_objects.filter(pk__in=rights.values("content_object"))


def customers_kept_by(user) -> QuerySet[Customer]:
    """The customers ``user`` keeps, as owner or co-owner (what a handover moves)."""
    return Customer.objects.filter(Q(owner=user) | Q(co_ownerships__user=user)).distinct()
