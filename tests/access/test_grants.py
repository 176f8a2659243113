"""The director's rights: one customer's rights page (grant, revoke) and a group's read access to many customers.

``world`` (tests/conftest.py): A kept by ``owner`` with ``co_owner``, B by ``other_manager``; ``granted_manager``
holds a standing grant on A, ``group_clerk`` reads A through the group 华东区内勤; ``clerk`` reads nothing.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access.forms.grants import end_of
from access.models import AccessRequest
from access.services import requests as services
from archive import roles
from customers import permissions
from customers.models import Customer, CustomerGroupObjectPermission, CustomerUserObjectPermission
from customers.permissions import Action

from ..factories import make_customer, make_region, make_user
from ..helpers import LOGIN, assert_matrix, error_codes, shown_messages

GROUP_GRANT = reverse("access:group-grant")
KEEPERS_RIGHT = "This is a keeper's right: change the account managers on the keepers page instead."


def granted_message(group, changed, matching) -> str:
    return ngettext(
        "%(group)s: %(changed)d of %(n)d matching customer granted or extended; the others already had it.",
        "%(group)s: %(changed)d of %(n)d matching customers granted or extended; the others already had it.",
        matching,
    ) % {"group": group.name, "changed": changed, "n": matching}


def last_message(response) -> str:
    """The newest message the user is shown (the redirects are not followed, so earlier ones wait too)."""
    return shown_messages(response)[-1][1]


def rights_url(customer) -> str:
    return reverse("access:rights", args=[customer.pk])


def user_right(user, customer, codename="view_customer"):
    return CustomerUserObjectPermission.objects.get(user=user, content_object=customer, permission__codename=codename)


def group_right(group, customer):
    return CustomerGroupObjectPermission.objects.get(group=group, content_object=customer)


def granted_request(world, customer, user="clerk", days=7):
    access_request = services.access_request_create(
        actor=world[user], key=customer.credit_code, customer_id=customer.pk, reason="核对", days=days
    )
    return services.access_request_grant(actor=world["director"], request_id=access_request.pk, days=days)


DIRECTOR_ONLY = {
    "anonymous": LOGIN,
    "director": 200,
    "archivist": 403,
    "owner": 403,
    "co_owner": 403,
    "other_manager": 403,
    "granted_manager": 403,
    "group_clerk": 403,
    "clerk": 403,
    "admin": 200,
}


# ---- Who opens what -------------------------------------------------------------------------------------------


def test_only_the_director_opens_the_rights_and_group_pages(client, people, world):
    assert_matrix(client, people, rights_url(world["a"]), DIRECTOR_ONLY)
    assert_matrix(client, people, GROUP_GRANT, DIRECTOR_ONLY)


def test_a_missing_or_binned_customer_answers_404(client, world):
    client.force_login(world["director"])
    assert client.get(reverse("access:rights", args=[999999])).status_code == 404
    Customer.objects.filter(pk=world["b"].pk).update(deleted_at=timezone.now())
    assert client.get(rights_url(world["b"])).status_code == 404
    assert client.post(rights_url(world["b"]), {"action": "grant", "user": world["clerk"].pk}).status_code == 404


def test_writes_by_others_are_refused_and_change_nothing(client, world):
    a, clerk = world["a"], world["clerk"]
    right = user_right(world["granted_manager"], a)
    before = CustomerUserObjectPermission.history.count()
    for role in ("owner", "clerk", "archivist"):
        client.force_login(world[role])
        assert client.post(rights_url(a), {"action": "grant", "user": clerk.pk}).status_code == 403
        assert client.post(rights_url(a), {"action": "revoke", "kind": "user", "right": right.pk}).status_code == 403
        assert client.post(GROUP_GRANT, {"group": world["clerk_group"].pk, "expected": 2}).status_code == 403
    assert not permissions.can(clerk, Action.VIEW, a)
    assert CustomerUserObjectPermission.objects.filter(pk=right.pk).exists()
    assert CustomerUserObjectPermission.history.count() == before
    for call in (
        lambda: services.right_grant(actor=world["owner"], customer_id=a.pk, user=clerk),
        lambda: services.right_revoke(actor=world["owner"], customer_id=a.pk, kind="user", right_id=right.pk),
        lambda: services.group_grant(
            actor=world["owner"], group=world["clerk_group"], customers=Customer.objects.all()
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_wrong_methods_are_refused(client, world):
    client.force_login(world["director"])
    assert client.put(rights_url(world["a"])).status_code == 405
    assert client.delete(GROUP_GRANT).status_code == 405


def test_the_card_shows_the_rights_button_to_the_director_only(client, world):
    a = world["a"]
    client.force_login(world["director"])
    assert rights_url(a) in client.get(a.get_absolute_url()).content.decode()
    client.force_login(world["owner"])
    assert rights_url(a) not in client.get(a.get_absolute_url()).content.decode()


# ---- The rights page ------------------------------------------------------------------------------------------


def test_the_page_lists_every_right_with_its_terms(client, world):
    a, director = world["a"], world["director"]
    with_request = granted_request(world, a, user="clerk", days=3)
    client.force_login(director)
    response = client.get(rights_url(a))
    rows = {(row.kind, row.holder, row.action): row for row in response.context["rows"]}
    assert rows[("user", "owner", Action.CHANGE)].keeper and rows[("user", "co_owner", Action.VIEW)].keeper
    lent = rows[("user", "clerk", Action.VIEW)]
    assert lent.lent and lent.live and not lent.keeper
    assert lent.right.expires_at == with_request.expires_at and lent.right.granted_by == director
    standing = rows[("user", "granted_manager", Action.VIEW)]
    assert not standing.lent and not standing.keeper
    assert rows[("group", "华东区内勤", Action.VIEW)].kind == "group"
    body = response.content.decode()
    assert f'id="right-user-{lent.right.pk}"' in body and "revoke-form" in body


def test_an_expired_right_shows_expired_until_it_is_purged(client, world):
    a = world["a"]
    access_request = granted_request(world, a, days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2), tick=False):
        client.force_login(world["director"])
        response = client.get(rights_url(a))
    (row,) = [r for r in response.context["rows"] if r.holder == "clerk"]
    assert not row.live
    assert f'class="right-row text-muted table-light right-expired" id="right-user-{row.right.pk}"' in (
        response.content.decode()
    )
    (listed,) = response.context["access_requests"]
    assert listed == access_request and listed.expired


def test_revoking_a_lent_right_marks_its_request_revoked(client, world):
    a, clerk = world["a"], world["clerk"]
    access_request = granted_request(world, a)
    right = user_right(clerk, a)
    client.force_login(world["director"])
    response = client.post(rights_url(a), {"action": "revoke", "kind": "user", "right": right.pk, "note": "项目结束"})
    assert response.status_code == 302
    assert not CustomerUserObjectPermission.objects.filter(pk=right.pk).exists()
    access_request.refresh_from_db()
    assert access_request.state == AccessRequest.State.REVOKED
    assert access_request.history.first().history_change_reason == "项目结束"
    deleted = CustomerUserObjectPermission.history.filter(id=right.pk, history_type="-").get()
    assert (deleted.history_user, deleted.history_change_reason) == (world["director"], "项目结束")
    assert not permissions.can(clerk, Action.VIEW, a)


def test_revoking_a_standing_or_group_right(client, world):
    a = world["a"]
    client.force_login(world["director"])
    standing = user_right(world["granted_manager"], a)
    client.post(rights_url(a), {"action": "revoke", "kind": "user", "right": standing.pk})
    assert not permissions.can(world["granted_manager"], Action.VIEW, a)
    group = group_right(world["clerk_group"], a)
    client.post(rights_url(a), {"action": "revoke", "kind": "group", "right": group.pk})
    assert not permissions.can(world["group_clerk"], Action.VIEW, a)


def test_a_keepers_right_is_not_revoked_here(client, world):
    a = world["a"]
    client.force_login(world["director"])
    for user in ("owner", "co_owner"):
        for codename in ("view_customer", "change_customer"):
            right = user_right(world[user], a, codename)
            response = client.post(rights_url(a), {"action": "revoke", "kind": "user", "right": right.pk})
            assert last_message(response) == _(KEEPERS_RIGHT)
            assert CustomerUserObjectPermission.objects.filter(pk=right.pk).exists()
    assert permissions.can(world["co_owner"], Action.CHANGE, a)


def test_a_right_of_another_customer_is_not_found(client, world):
    b_right = user_right(world["other_manager"], world["b"])
    client.force_login(world["director"])
    response = client.post(rights_url(world["a"]), {"action": "revoke", "kind": "user", "right": b_right.pk})
    assert response.status_code == 404
    assert client.post(rights_url(world["a"]), {"action": "revoke", "kind": "table", "right": 1}).status_code == 302
    assert CustomerUserObjectPermission.objects.filter(pk=b_right.pk).exists()


def test_the_director_grants_a_user_until_a_day(client, world):
    b, clerk = world["b"], world["clerk"]
    day = timezone.localdate() + datetime.timedelta(days=10)
    client.force_login(world["director"])
    response = client.post(rights_url(b), {"action": "grant", "user": clerk.pk, "until": day.isoformat()})
    assert response.status_code == 302
    right = user_right(clerk, b)
    assert right.expires_at == end_of(day)
    assert timezone.localtime(right.expires_at).date() == day + datetime.timedelta(days=1)
    assert timezone.localtime(right.expires_at).time() == datetime.time(0, 0)
    assert permissions.can(clerk, Action.VIEW, b) and not permissions.can(clerk, Action.CHANGE, b)


def test_the_director_grants_a_group_standing(client, world):
    b = world["b"]
    client.force_login(world["director"])
    client.post(rights_url(b), {"action": "grant", "group": world["clerk_group"].pk, "note": "华东区内勤统一查阅"})
    right = group_right(world["clerk_group"], b)
    assert right.expires_at is None
    assert right.history.get().history_change_reason == "华东区内勤统一查阅"
    assert permissions.can(world["group_clerk"], Action.VIEW, b)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, None),  # neither a user nor a group
        ({"user": "clerk", "group": "clerks"}, None),
        ({"user": "clerk", "until": "yesterday"}, "until"),
        ({"group": "role"}, "group"),  # a role group is not offered
        ({"user": "inactive"}, "user"),  # nor an inactive account
    ],
)
def test_a_bad_grant_comes_back_with_its_error(client, world, data, field):
    inactive = world["granted_manager"]
    inactive.is_active = False
    inactive.save()
    values = {
        "clerk": world["clerk"].pk,
        "clerks": world["clerk_group"].pk,
        "yesterday": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "role": Group.objects.get(name=roles.CLERK).pk,
        "inactive": inactive.pk,
    }
    client.force_login(world["director"])
    response = client.post(rights_url(world["b"]), {"action": "grant", **{k: values[v] for k, v in data.items()}})
    assert response.status_code == 200
    form = response.context["grant_form"]
    assert (field in form.errors) if field else form.non_field_errors()
    assert not permissions.can(world["clerk"], Action.VIEW, world["b"])


def test_the_services_refuse_role_groups_and_past_ends(world):
    b, director = world["b"], world["director"]
    role = Group.objects.get(name=roles.CLERK)
    with pytest.raises(ValidationError) as refused:
        services.right_grant(actor=director, customer_id=b.pk, group=role)
    assert error_codes(refused.value) == {"role_group"}
    with pytest.raises(ValidationError) as refused:
        services.right_grant(
            actor=director, customer_id=b.pk, user=world["clerk"], until=timezone.now() - datetime.timedelta(minutes=1)
        )
    assert error_codes(refused.value) == {"until_past"}


# ---- A group and many customers -------------------------------------------------------------------------------


@pytest.fixture
def west(world):
    """Three customers in the west region (two of grade A), one of them in the recycle bin, and a region group."""
    region = make_region("西南区", "west")
    manager = world["other_manager"]
    customers = [
        make_customer(manager, region=region, grade_override="A"),
        make_customer(manager, region=region, grade_override="A"),
        make_customer(manager, region=region),
    ]
    binned = make_customer(manager, region=region, grade_override="A")
    Customer.objects.filter(pk=binned.pk).update(deleted_at=timezone.now())
    group = Group.objects.create(name="西南区内勤")
    clerk = world["clerk"]
    clerk.groups.add(group)
    return {"region": region, "customers": customers, "binned": binned, "group": group}


def test_the_group_grant_previews_then_grants(client, world, west, django_assert_max_num_queries):
    director, group = world["director"], west["group"]
    query = {"group": group.pk, "region": west["region"].pk, "grade": "A", "until": ""}
    client.force_login(director)
    client.get(GROUP_GRANT, query)
    with django_assert_max_num_queries(16):
        preview = client.get(GROUP_GRANT, query)
    assert preview.context["matching"] == 2
    assert not CustomerGroupObjectPermission.objects.filter(group=group).exists()  # nothing before confirming
    body = preview.content.decode()
    assert 'id="confirm-form"' in body and 'name="expected"' in body
    response = client.post(GROUP_GRANT, {**query, "grade": ["A"], "expected": 2})
    assert response.status_code == 302
    assert last_message(response) == granted_message(group, 2, 2)
    granted = set(CustomerGroupObjectPermission.objects.filter(group=group).values_list("content_object", flat=True))
    assert granted == {c.pk for c in west["customers"][:2]}
    assert all(permissions.can(world["clerk"], Action.VIEW, c) for c in west["customers"][:2])
    assert not permissions.can(world["clerk"], Action.VIEW, west["customers"][2])


def test_the_group_grant_extends_and_reports_it(client, world, west):
    group, director = west["group"], world["director"]
    soon = timezone.now() + datetime.timedelta(days=2)
    services.group_grant(
        actor=director, group=group, customers=Customer.objects.filter(pk=west["customers"][0].pk), until=soon
    )
    later = timezone.localdate() + datetime.timedelta(days=30)
    query = {"group": group.pk, "region": west["region"].pk, "until": later.isoformat(), "expected": 3}
    client.force_login(director)
    response = client.post(GROUP_GRANT, query)
    assert last_message(response) == granted_message(group, 3, 3)
    assert {r.expires_at for r in CustomerGroupObjectPermission.objects.filter(group=group)} == {end_of(later)}
    # Granting again for a shorter time changes nothing: a grant never shortens.
    query.update(until=(timezone.localdate() + datetime.timedelta(days=5)).isoformat())
    response = client.post(GROUP_GRANT, query)
    assert last_message(response) == granted_message(group, 0, 3)


def test_a_changed_count_sends_the_director_back_to_look_again(client, world, west):
    client.force_login(world["director"])
    query = {"group": west["group"].pk, "region": west["region"].pk, "expected": 2}
    response = client.post(GROUP_GRANT, query)
    assert response.status_code == 200 and response.context["matching"] == 3
    assert last_message(response) == _(
        "The number of matching customers changed since you looked: check again and confirm."
    )
    assert not CustomerGroupObjectPermission.objects.filter(group=west["group"]).exists()


def test_role_groups_are_not_offered_or_granted(client, world, west):
    client.force_login(world["director"])
    page = client.get(GROUP_GRANT)
    offered = {g.name for g in page.context["form"].fields["group"].queryset}
    assert offered == {"华东区内勤", "西南区内勤"}
    role = Group.objects.get(name=roles.ACCOUNT_MANAGER)
    response = client.post(GROUP_GRANT, {"group": role.pk, "region": west["region"].pk, "expected": 3})
    assert response.status_code == 200 and "group" in response.context["form"].errors
    with pytest.raises(ValidationError):
        services.group_grant(actor=world["director"], group=role, customers=Customer.objects.all())
    assert not CustomerGroupObjectPermission.objects.filter(group=role).exists()


def test_the_rights_page_costs_the_same_for_few_or_many_rights(client, world, django_assert_max_num_queries):
    a, director = world["a"], world["director"]
    client.force_login(director)
    client.get(rights_url(a))
    with django_assert_max_num_queries(18) as few:
        client.get(rights_url(a))
    until = timezone.now() + datetime.timedelta(days=3)
    for n in range(12):
        user = make_user(f"reader{n}", roles.CLERK)
        services.right_grant(actor=director, customer_id=a.pk, user=user, until=until)
        services.right_grant(actor=director, customer_id=a.pk, group=Group.objects.create(name=f"组{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(rights_url(a))
    assert len(response.context["rows"]) > 24
