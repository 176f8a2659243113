"""Lent rights end at their minute, read time decides, before any clean-up; the purge only tidies the rows.

A grant that expires at 10:00 opens the card at 09:59 and answers 404 at 10:00 and 10:01, with no purge run:
the card, the customer list and the customer's contracts, orders and complaints all follow it, for a right lent
to a user through an access request and for a group's right lent until a moment alike.
"""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AccessRequest
from access.services import requests as services
from customers import permissions
from customers.models import Customer, CustomerGroupObjectPermission, CustomerUserObjectPermission
from customers.permissions import Action

from ..complaints.conftest import complaint_a, contract_a, filed_a, order_a, products  # noqa: F401 - fixtures

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def ten_oclock():
    """10:00 local time a week and a day from now (after everything the fixtures made)."""
    day = timezone.localdate() + datetime.timedelta(days=8)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


@pytest.fixture
def pages(world, order_a, contract_a, complaint_a):  # noqa: F811
    """Customer A's card and three of its records, each on its own page."""
    a = world["a"]
    return {
        "card": a.get_absolute_url(),
        "history": reverse("customers:history", args=[a.pk]),
        "order": reverse("contracts:order-detail", args=[order_a.pk]),
        "contract": reverse("contracts:contract-detail", args=[contract_a.pk]),
        "complaint": reverse("complaints:complaint-detail", args=[complaint_a.pk]),
    }


def what_clerk_sees(client, world, pages) -> dict:
    client.force_login(world["clerk"])
    seen = {name: client.get(url).status_code for name, url in pages.items()}
    seen["in the list"] = world["a"].name in client.get(reverse("customers:list")).content.decode()
    seen["in the order list"] = client.get(reverse("contracts:order-list")).context["paginator"].count > 0
    return seen


READING = {
    "card": 200,
    "history": 200,
    "order": 200,
    "contract": 200,
    "complaint": 200,
    "in the list": True,
    "in the order list": True,
}
NOT_READING = {
    name: 404 if isinstance(value, int) and not isinstance(value, bool) else False for name, value in READING.items()
}


def lend_through_a_request(world, ten_oclock) -> AccessRequest:
    """The clerk asks for A a week before 10:00 and the director grants 7 days at once: the loan ends at 10:00."""
    a = world["a"]
    with time_machine.travel(ten_oclock - datetime.timedelta(days=7), tick=False):
        asked = services.access_request_create(
            actor=world["clerk"], key=a.credit_code, customer_id=a.pk, reason="核对合同", days=7
        )
        granted = services.access_request_grant(actor=world["director"], request_id=asked.pk, days=7)
    assert granted.expires_at == ten_oclock
    return granted


def lend_to_a_group(world, ten_oclock) -> Group:
    group = Group.objects.create(name="临时核查组")
    world["clerk"].groups.add(group)
    with time_machine.travel(ten_oclock - datetime.timedelta(days=3), tick=False):
        changed = services.group_grant(
            actor=world["director"],
            group=group,
            customers=Customer.objects.filter(pk=world["a"].pk),
            until=ten_oclock,
        )
    assert changed == 1
    return group


@pytest.mark.parametrize("lend", [lend_through_a_request, lend_to_a_group], ids=["request", "group"])
def test_a_loan_ends_at_its_minute_without_any_purge(client, world, pages, ten_oclock, lend):
    with time_machine.travel(ten_oclock - datetime.timedelta(days=8), tick=False):
        assert what_clerk_sees(client, world, pages) == NOT_READING
    lend(world, ten_oclock)
    rights = CustomerUserObjectPermission.objects.count() + CustomerGroupObjectPermission.objects.count()
    for moment, expected in [
        (ten_oclock - datetime.timedelta(days=2), READING),
        (ten_oclock - MINUTE, READING),
        (ten_oclock, NOT_READING),
        (ten_oclock + MINUTE, NOT_READING),
    ]:
        with time_machine.travel(moment, tick=False):
            assert what_clerk_sees(client, world, pages) == expected, moment
            assert permissions.can(world["clerk"], Action.VIEW, world["a"]) is (expected is READING)
    # Nothing was purged: the expired rows are still there.
    assert CustomerUserObjectPermission.objects.count() + CustomerGroupObjectPermission.objects.count() == rights


def test_after_the_loan_the_request_shows_expired_and_may_be_asked_again(client, world, ten_oclock):
    granted = lend_through_a_request(world, ten_oclock)
    a = world["a"]
    with time_machine.travel(ten_oclock + MINUTE, tick=False):
        client.force_login(world["clerk"])
        listed = client.get(reverse("access:requests")).context["access_requests"]
        (row,) = listed
        assert row == granted and row.expired and not row.readable and row.state == AccessRequest.State.GRANTED
        (match,) = client.get(reverse("access:lookup"), {"key": a.credit_code}).context["matches"]
        assert not match.readable and match.form is not None
        services.access_request_create(actor=world["clerk"], key=a.name, customer_id=a.pk, reason="续借", days=3)


def test_the_purge_removes_only_expired_rights_and_leaves_a_trail(world, ten_oclock):
    granted = lend_through_a_request(world, ten_oclock)
    group = lend_to_a_group(world, ten_oclock)
    b, director = world["b"], world["director"]
    still_lent = services.right_grant(
        actor=director, customer_id=b.pk, user=world["clerk"], until=ten_oclock + datetime.timedelta(hours=1)
    )
    assert still_lent is None
    before_users = set(CustomerUserObjectPermission.objects.values_list("pk", flat=True))
    before_groups = set(CustomerGroupObjectPermission.objects.values_list("pk", flat=True))
    expired_user = CustomerUserObjectPermission.objects.get(user=world["clerk"], content_object=world["a"])
    expired_group = CustomerGroupObjectPermission.objects.get(group=group)

    out = io.StringIO()
    with time_machine.travel(ten_oclock, tick=False):
        call_command("purge_expired_grants", stdout=out)
    assert "Removed 2 expired right(s); 1 granted access request(s) have expired." in out.getvalue()

    assert set(CustomerUserObjectPermission.objects.values_list("pk", flat=True)) == before_users - {expired_user.pk}
    assert set(CustomerGroupObjectPermission.objects.values_list("pk", flat=True)) == before_groups - {expired_group.pk}
    for model, pk in [
        (CustomerUserObjectPermission, expired_user.pk),
        (CustomerGroupObjectPermission, expired_group.pk),
    ]:
        trail = model.history.get(id=pk, history_type="-")
        assert trail.history_change_reason == _("Lent right expired") and trail.history_user is None
    assert permissions.can(world["clerk"], Action.VIEW, b)  # lent until 11:00
    assert permissions.can(world["granted_manager"], Action.VIEW, world["a"])  # standing
    granted.refresh_from_db()
    assert granted.state == AccessRequest.State.GRANTED  # the expiry says it is over

    out = io.StringIO()
    with time_machine.travel(ten_oclock, tick=False):
        call_command("purge_expired_grants", stdout=out)
    assert "Removed 0 expired right(s)" in out.getvalue()
