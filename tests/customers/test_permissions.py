"""The permission gateway (customers.permissions), role by role on the two customers of the ``world`` fixture.

A is kept by ``owner`` with ``co_owner``; B by ``other_manager``. ``granted_manager`` was granted view on A,
``group_clerk`` reads A through a group, ``clerk`` was granted nothing. Director and archivist hold the
global read permission; only the director (and the superuser) the global change permission.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.http import Http404

from archive import roles
from customers import permissions, services
from customers.models import Contact, Customer
from customers.permissions import Action

from ..factories import make_customer, make_user
from ..helpers import SIGNED_IN

ROLES = SIGNED_IN
# Which of the customers A and B each role may read and change.
VIEW = {
    "director": {"a", "b"},
    "archivist": {"a", "b"},
    "owner": {"a"},
    "co_owner": {"a"},
    "other_manager": {"b"},
    "granted_manager": {"a"},
    "group_clerk": {"a"},
    "clerk": set(),
    "admin": {"a", "b"},
}
CHANGE = {
    "director": {"a", "b"},
    "archivist": set(),
    "owner": {"a"},
    "co_owner": {"a"},
    "other_manager": {"b"},
    "granted_manager": set(),
    "group_clerk": set(),
    "clerk": set(),
    "admin": {"a", "b"},
}
TABLE = {Action.VIEW: VIEW, Action.CHANGE: CHANGE}


def _names(world, customers) -> set[str]:
    by_pk = {world["a"].pk: "a", world["b"].pk: "b"}
    return {by_pk[c.pk] for c in customers}


@pytest.mark.parametrize("action", [Action.VIEW, Action.CHANGE])
@pytest.mark.parametrize("role", ROLES)
def test_restrict_and_visible_customers(world, role, action):
    user = world[role]
    expected = TABLE[action][role]
    assert _names(world, permissions.restrict(Customer.objects.all(), user, action)) == expected
    assert _names(world, permissions.visible_customers(user, action)) == expected


@pytest.mark.parametrize("action", [Action.VIEW, Action.CHANGE])
@pytest.mark.parametrize("role", ROLES)
def test_can(world, role, action):
    user = world[role]
    assert {name for name in ("a", "b") if permissions.can(user, action, world[name])} == TABLE[action][role]


@pytest.mark.parametrize("action", [Action.VIEW, Action.CHANGE])
@pytest.mark.parametrize("role", ROLES)
def test_get_customer_or_404(world, role, action):
    user = world[role]
    for name in ("a", "b"):
        customer = world[name]
        if name in TABLE[action][role]:
            assert permissions.get_customer_or_404(user, customer.pk, action) == customer
        else:
            with pytest.raises(Http404):
                permissions.get_customer_or_404(user, customer.pk, action)


@pytest.mark.parametrize("pk", [0, 10**12, "abc", None, "1 OR 1=1"])
def test_get_customer_or_404_on_a_missing_or_malformed_pk(world, pk):
    with pytest.raises(Http404):
        permissions.get_customer_or_404(world["director"], pk)


def test_restrict_keeps_the_callers_filters(world):
    only_b = Customer.objects.filter(pk=world["b"].pk)
    assert list(permissions.restrict(only_b, world["owner"])) == []
    assert list(permissions.restrict(only_b, world["director"])) == [world["b"]]


def test_restrict_lists_a_customer_once_even_with_several_grants(world):
    # granted_manager gets A directly and through a group as well; A must not appear twice.
    group = Group.objects.create(name="双重授权")
    world["granted_manager"].groups.add(group)
    permissions.grant(world["a"], group)
    assert list(permissions.visible_customers(world["granted_manager"])) == [world["a"]]


def test_anonymous_sees_nothing(world):
    anonymous = AnonymousUser()
    assert not permissions.visible_customers(anonymous).exists()
    assert not permissions.restrict_related(Contact.objects.all(), anonymous).exists()
    assert not permissions.can(anonymous, Action.VIEW, world["a"])
    assert not permissions.has_global(anonymous)
    with pytest.raises(Http404):
        permissions.get_customer_or_404(anonymous, world["a"].pk)


@pytest.mark.parametrize("role", ["director", "owner", "group_clerk", "admin"])
def test_an_inactive_user_sees_nothing(world, role):
    user = world[role]
    user.is_active = False
    user.save()
    user = type(user).objects.get(pk=user.pk)  # fresh: no permission cache from before
    for action in (Action.VIEW, Action.CHANGE):
        assert not permissions.visible_customers(user, action).exists()
        assert not permissions.can(user, action, world["a"])
        with pytest.raises(Http404):
            permissions.get_customer_or_404(user, world["a"].pk, action)
    assert not permissions.restrict_related(Contact.objects.all(), user).exists()


def test_a_user_who_joins_the_director_role_sees_everything(world):
    newcomer = make_user("new_director", roles.SALES_DIRECTOR)
    assert set(permissions.visible_customers(newcomer)) == {world["a"], world["b"]}
    assert permissions.can(newcomer, Action.CHANGE, world["b"])


def test_revoking_a_users_grant(world):
    manager = world["granted_manager"]
    permissions.revoke(world["a"], manager)
    manager = type(manager).objects.get(pk=manager.pk)
    assert not permissions.visible_customers(manager).exists()
    with pytest.raises(Http404):
        permissions.get_customer_or_404(manager, world["a"].pk)
    # Revoking a right that is not there is no error.
    permissions.revoke(world["a"], manager)


def test_revoking_a_groups_grant(world):
    permissions.revoke(world["a"], world["clerk_group"])
    assert not permissions.visible_customers(world["group_clerk"]).exists()


def test_leaving_the_group_takes_the_right_away(world):
    world["group_clerk"].groups.remove(world["clerk_group"])
    assert not permissions.visible_customers(world["group_clerk"]).exists()


def test_granting_change_lets_a_manager_change(world):
    manager = world["granted_manager"]
    assert not permissions.can(manager, Action.CHANGE, world["a"])
    permissions.grant(world["a"], manager, [Action.CHANGE])
    assert permissions.can(manager, Action.CHANGE, world["a"])
    assert not permissions.can(manager, Action.CHANGE, world["b"])


def test_a_grant_on_one_customer_does_not_open_another(world):
    c = make_customer(world["other_manager"])
    permissions.grant(c, world["clerk"])
    assert list(permissions.visible_customers(world["clerk"])) == [c]
    assert set(permissions.visible_customers(world["other_manager"])) == {world["b"], c}


@pytest.fixture
def contacts(world):
    made = {}
    for name, keeper in (("a", "owner"), ("b", "other_manager")):
        made[name] = [
            services.contact_create(actor=world[keeper], customer_id=world[name].pk, data={"name": f"{name}联系人{i}"})
            for i in range(2)
        ]
    return made


@pytest.mark.parametrize("action", [Action.VIEW, Action.CHANGE])
@pytest.mark.parametrize("role", ROLES)
def test_restrict_related_filters_contacts_through_their_customer(world, contacts, role, action):
    expected = {c.pk for name in TABLE[action][role] for c in contacts[name]}
    got = permissions.restrict_related(Contact.objects.all(), world[role], action)
    assert {c.pk for c in got} == expected
    assert got.count() == len(expected)


def test_restrict_related_follows_a_revocation(world, contacts):
    permissions.revoke(world["a"], world["clerk_group"])
    assert not permissions.restrict_related(Contact.objects.all(), world["group_clerk"]).exists()


def test_restrict_related_with_a_longer_path(world, contacts):
    from customers.models import CustomerUserObjectPermission

    # ``via`` names the lookup path to the customer, here through the guardian table's content_object.
    rows = permissions.restrict_related(
        CustomerUserObjectPermission.objects.all(), world["other_manager"], via="content_object"
    )
    assert {row.content_object_id for row in rows} == {world["b"].pk}


def test_holders_lists_keepers_and_groups(world):
    held = permissions.holders(world["a"])
    users = {(user.username, codename) for user, codename in held["users"]}
    assert users == {
        ("owner", "change_customer"),
        ("owner", "view_customer"),
        ("co_owner", "change_customer"),
        ("co_owner", "view_customer"),
        ("granted_manager", "view_customer"),
    }
    assert [(group.name, codename) for group, codename in held["groups"]] == [("华东区内勤", "view_customer")]


def test_customers_granted_to_group(world):
    assert list(permissions.customers_granted_to_group(world["clerk_group"])) == [world["a"]]
