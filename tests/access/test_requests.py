"""Access requests (调阅申请): the lookup, the request, the list, the director's answer and the withdrawal.

``world`` (tests/conftest.py): A kept by ``owner`` with ``co_owner``, B by ``other_manager``; ``granted_manager``
and ``group_clerk`` read A only; ``clerk`` reads nothing; ``director`` and ``archivist`` read everything.
"""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AccessRequest
from access.services import requests as services
from customers import permissions
from customers.models import Customer, CustomerUserObjectPermission
from customers.permissions import Action

from ..factories import make_customer
from ..helpers import LOGIN, assert_matrix, error_codes, matrix_params, shown_messages

State = AccessRequest.State
# The messages are compared as the archive shows them, translated (the tests run in the default language).
NOT_LOOKED_UP = "No customer with this exact credit code or name was looked up."
ALREADY_ASKED = "You already asked to read this customer; the director has not answered."


def answered(state) -> str:
    return _("This request was already answered (%(state)s); it cannot be decided again.") % {"state": state.label}


LOOKUP = reverse("access:lookup")
LIST = reverse("access:requests")


def detail(access_request) -> str:
    return reverse("access:request", args=[access_request.pk])


def ask(user, customer, *, key=None, reason="拜访前需要了解客户的信用情况", days=7) -> AccessRequest:
    return services.access_request_create(
        actor=user, key=key or customer.credit_code, customer_id=customer.pk, reason=reason, days=days
    )


def card_status(client, user, customer) -> int:
    client.force_login(user)
    return client.get(customer.get_absolute_url()).status_code


@pytest.fixture
def b_details(world):
    """B with the details a lookup must never show."""
    b = world["b"]
    b.phone, b.address, b.legal_representative, b.email = (
        "021-55556666",
        "上海市浦东新区张江路88号",
        "李建国",
        "li@x.cn",
    )
    b.save()
    return b


# ---- The permission matrix ------------------------------------------------------------------------------------

ASKERS_ONLY = {
    "anonymous": LOGIN,
    "director": 403,
    "archivist": 403,
    "owner": 200,
    "co_owner": 200,
    "other_manager": 200,
    "granted_manager": 200,
    "group_clerk": 200,
    "clerk": 200,
    "admin": 200,  # a superuser holds every permission
}
ASKERS_AND_DIRECTOR = {**ASKERS_ONLY, "director": 200}


@pytest.mark.parametrize(("page", "expected"), matrix_params({"lookup": ASKERS_ONLY, "list": ASKERS_AND_DIRECTOR}))
def test_who_opens_the_lookup_and_the_list(client, people, world, page, expected):
    assert_matrix(client, people, {"lookup": LOOKUP, "list": LIST}[page], expected)


def test_who_opens_one_request(client, people, world):
    access_request = ask(world["clerk"], world["b"])
    expected = {
        "anonymous": LOGIN,
        "director": 200,
        "archivist": 403,
        "owner": 404,
        "co_owner": 404,
        "other_manager": 404,  # the keeper of the customer is not the requester
        "granted_manager": 404,
        "group_clerk": 404,
        "clerk": 200,
        "admin": 200,
    }
    assert_matrix(client, people, detail(access_request), expected)


def test_wrong_methods_are_refused(client, world):
    client.force_login(world["clerk"])
    access_request = ask(world["clerk"], world["b"])
    assert client.put(LOOKUP).status_code == 405
    assert client.delete(detail(access_request)).status_code == 405
    assert client.post(detail(access_request), {"action": "explode"}).status_code == 400


# ---- The lookup -----------------------------------------------------------------------------------------------


def test_lookup_by_credit_code_reveals_only_existence_and_keeper(client, world, b_details):
    b, keeper = b_details, world["other_manager"]
    keeper.first_name = "周敏"
    keeper.save()
    client.force_login(world["clerk"])
    response = client.get(LOOKUP, {"key": f"  {b.credit_code.lower()} "})
    assert response.status_code == 200
    body = response.content.decode()
    assert "周敏" in body
    for secret in (b.name, b.phone, b.address, b.legal_representative, b.email, f"/customers/{b.pk}/"):
        assert secret not in body
    assert 'name="customer"' in body and f'value="{b.pk}"' in body  # the request form for it


def test_lookup_by_name_does_not_show_the_credit_code(client, world, b_details):
    b = b_details
    client.force_login(world["owner"])
    body = client.get(LOOKUP, {"key": b.name}).content.decode()
    assert "other_manager" in body  # the keeper, by login when they have no full name
    for secret in (b.credit_code, b.phone, b.address, b.legal_representative, b.email, f"/customers/{b.pk}/"):
        assert secret not in body


def test_lookup_needs_the_exact_code_or_name(client, world):
    b = world["b"]
    client.force_login(world["clerk"])
    for key in (b.name[:-2], b.credit_code[:-1], "随便什么公司"):
        response = client.get(LOOKUP, {"key": key})
        assert response.context["matches"] == []
        assert 'id="no-match"' in response.content.decode()
    body = client.get(LOOKUP, {"key": "<b>客户</b>"}).content.decode()
    assert "<b>客户</b>" not in body and "&lt;b&gt;客户&lt;/b&gt;" in body


def test_a_customer_in_the_recycle_bin_does_not_exist_here(client, world):
    b = world["b"]
    Customer.objects.filter(pk=b.pk).update(deleted_at=timezone.now())
    client.force_login(world["clerk"])
    assert client.get(LOOKUP, {"key": b.credit_code}).context["matches"] == []
    with pytest.raises(ValidationError) as refused:
        ask(world["clerk"], b)
    assert error_codes(refused.value) == {"not_looked_up"}


def test_a_reader_is_told_so_and_gets_the_link(client, world):
    a = world["a"]
    client.force_login(world["granted_manager"])
    response = client.get(LOOKUP, {"key": a.name})
    (match,) = response.context["matches"]
    assert match.readable and match.form is None
    assert f'href="/customers/{a.pk}/"' in response.content.decode()


def test_several_cards_with_one_name_are_listed_with_their_keepers(client, world):
    b = world["b"]
    twin = make_customer(world["owner"], name=b.name)
    client.force_login(world["clerk"])
    response = client.get(LOOKUP, {"key": b.name})
    matches = response.context["matches"]
    assert [m.customer_id for m in matches] == sorted([b.pk, twin.pk])
    assert {m.keeper for m in matches} == {"other_manager", "owner"}
    assert all(m.form is not None for m in matches)
    # Each can be asked for on its own.
    for customer in (b, twin):
        client.post(LOOKUP, {"key": b.name, "customer": customer.pk, "reason": "核对", "days": 3})
    assert AccessRequest.objects.filter(requester=world["clerk"], state=State.PENDING).count() == 2


def test_a_pending_request_shows_instead_of_the_form(client, world):
    access_request = ask(world["clerk"], world["b"])
    client.force_login(world["clerk"])
    response = client.get(LOOKUP, {"key": world["b"].credit_code})
    (match,) = response.context["matches"]
    assert match.pending == access_request and match.form is None
    assert detail(access_request) in response.content.decode()


# ---- Asking ---------------------------------------------------------------------------------------------------


def test_asking_creates_a_pending_request_with_its_trail(client, world):
    b, clerk = world["b"], world["clerk"]
    client.force_login(clerk)
    response = client.post(
        LOOKUP, {"key": b.credit_code.lower(), "customer": b.pk, "reason": "核对应收账款", "days": 5}
    )
    access_request = AccessRequest.objects.get()
    assert response.status_code == 302 and response.url == detail(access_request)
    assert (access_request.customer, access_request.requester, access_request.state) == (b, clerk, State.PENDING)
    assert (access_request.days, access_request.reason, access_request.requester_name) == (5, "核对应收账款", "clerk")
    assert access_request.history.get().history_user_name == "clerk"
    assert client.get(b.get_absolute_url()).status_code == 404  # nothing lent yet


def test_the_form_offers_the_default_days(client, world):
    client.force_login(world["clerk"])
    (match,) = client.get(LOOKUP, {"key": world["b"].credit_code}).context["matches"]
    assert match.form["days"].value() == settings.ARCHIVE_ACCESS_GRANT_DAYS


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"days": 0}, "days"),
        ({"days": settings.ARCHIVE_ACCESS_GRANT_MAX_DAYS + 1}, "days"),
    ],
)
def test_a_bad_request_comes_back_with_its_field_error(client, world, changes, field):
    b = world["b"]
    client.force_login(world["clerk"])
    response = client.post(LOOKUP, {"key": b.credit_code, "customer": b.pk, "reason": "核对", "days": 7, **changes})
    assert response.status_code == 200
    (match,) = response.context["matches"]
    assert field in match.form.errors
    assert not AccessRequest.objects.exists()


def test_posting_another_customer_id_than_the_key_names_is_refused(client, world):
    """The id is found again from the key: knowing B's code does not let anyone ask for A (or any id)."""
    a, b = world["a"], world["b"]
    client.force_login(world["clerk"])
    for key in (b.credit_code, "不存在的公司", ""):
        response = client.post(LOOKUP, {"key": key, "customer": a.pk, "reason": "核对", "days": 7})
        assert response.status_code == 200
        assert not AccessRequest.objects.exists()
    response = client.post(LOOKUP, {"key": b.credit_code, "customer": a.pk, "reason": "核对", "days": 7})
    assert _(NOT_LOOKED_UP) in response.context["stray_errors"]
    assert a.name not in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        services.access_request_create(actor=world["clerk"], key=b.name, customer_id=a.pk, reason="x", days=7)
    assert error_codes(refused.value) == {"not_looked_up"}


def test_one_pending_request_per_customer_and_requester(client, world):
    b = world["b"]
    ask(world["clerk"], b)
    client.force_login(world["clerk"])
    response = client.post(LOOKUP, {"key": b.credit_code, "customer": b.pk, "reason": "再问一次", "days": 7})
    assert response.status_code == 200
    assert AccessRequest.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        ask(world["clerk"], b)
    assert _(ALREADY_ASKED) in refused.value.messages
    assert _(ALREADY_ASKED) in response.context["stray_errors"]
    ask(world["group_clerk"], b)  # someone else may


def test_asking_for_a_customer_one_already_reads_is_refused(world):
    for user in ("owner", "co_owner", "granted_manager", "group_clerk"):
        with pytest.raises(ValidationError) as refused:
            ask(world[user], world["a"])
        assert error_codes(refused.value) == {"already_readable"}
    assert not AccessRequest.objects.exists()


def test_only_managers_and_clerks_ask(client, world):
    for user in ("director", "archivist"):
        with pytest.raises(PermissionDenied):
            ask(world[user], world["b"])
    client.force_login(world["director"])
    b = world["b"]
    response = client.post(LOOKUP, {"key": b.credit_code, "customer": b.pk, "reason": "x", "days": 7})
    assert response.status_code == 403
    assert not AccessRequest.objects.exists()


# ---- The list -------------------------------------------------------------------------------------------------


@pytest.fixture
def several(world):
    """Requests in every state: clerk's on B (granted) and on A (pending), group_clerk's on B (refused)."""
    director = world["director"]
    granted = ask(world["clerk"], world["b"])
    services.access_request_grant(actor=director, request_id=granted.pk, days=7)
    pending = ask(world["clerk"], world["a"])
    refused = ask(world["group_clerk"], world["b"])
    services.access_request_refuse(actor=director, request_id=refused.pk, comment="与工作无关")
    return {"granted": granted, "pending": pending, "refused": refused}


def test_the_requester_sees_their_own_requests_with_a_link_while_granted(client, world, several):
    client.force_login(world["clerk"])
    response = client.get(LIST)
    rows = {r.pk: r for r in response.context["access_requests"]}
    assert set(rows) == {several["granted"].pk, several["pending"].pk}
    assert rows[several["granted"].pk].readable and not rows[several["pending"].pk].readable
    body = response.content.decode()
    assert f'href="{world["b"].get_absolute_url()}"' in body
    assert f'href="{world["a"].get_absolute_url()}"' not in body


def test_the_director_sees_every_request_pending_first_and_filters_by_state(client, world, several):
    client.force_login(world["director"])
    rows = list(client.get(LIST).context["access_requests"])
    assert rows[0] == several["pending"] and {r.pk for r in rows} == {r.pk for r in several.values()}
    refused = client.get(LIST, {"state": "refused"}).context["access_requests"]
    assert [r.pk for r in refused] == [several["refused"].pk]
    # The nav badge counts what waits.
    assert client.get(LIST).context["nav_access_pending"] == 1


def test_the_list_costs_the_same_for_two_or_twenty_requests(client, world, django_assert_max_num_queries):
    customers = [make_customer(world["other_manager"]) for _ in range(20)]
    director = world["director"]
    for i, customer in enumerate(customers):
        access_request = ask(world["clerk"], customer)
        if i % 2:
            services.access_request_grant(actor=director, request_id=access_request.pk, days=3)
    for user in ("clerk", "director"):
        client.force_login(world[user])
        client.get(LIST)  # warm the caches (content types, sessions)
        with django_assert_max_num_queries(10):
            response = client.get(LIST)
        assert len(response.context["access_requests"]) == 20


# ---- Answering ------------------------------------------------------------------------------------------------


def test_the_director_grants_and_the_requester_reads(client, world):
    b, clerk, director = world["b"], world["clerk"], world["director"]
    access_request = ask(clerk, b, days=10)
    client.force_login(director)
    page = client.get(detail(access_request))
    assert page.context["grant_form"]["days"].value() == 10  # the days asked for
    before = timezone.now()
    response = client.post(detail(access_request), {"action": "grant", "days": 7, "comment": "仅限本季度"})
    assert response.status_code == 302
    access_request.refresh_from_db()
    assert access_request.state == State.GRANTED and access_request.decided_by == director
    assert access_request.comment == "仅限本季度"
    assert before + datetime.timedelta(days=7) <= access_request.expires_at
    assert access_request.expires_at <= timezone.now() + datetime.timedelta(days=7)
    right = CustomerUserObjectPermission.objects.get(user=clerk, content_object=b)
    assert (right.expires_at, right.granted_by, right.permission.codename) == (
        access_request.expires_at,
        director,
        "view_customer",
    )
    assert right.history.get().history_change_reason == _("Access request #%(n)s") % {"n": access_request.pk}
    assert not permissions.can(clerk, Action.CHANGE, b)
    assert card_status(client, clerk, b) == 200


def test_a_grant_is_all_or_nothing(world, monkeypatch):
    """If recording the answer fails, the right is not lent either."""
    access_request = ask(world["clerk"], world["b"])

    def fail(sender, instance, **kwargs):
        if sender is AccessRequest and instance.state == State.GRANTED:
            raise RuntimeError("disk full")

    post_save.connect(fail, dispatch_uid="test-fail")
    try:
        with pytest.raises(RuntimeError):
            services.access_request_grant(actor=world["director"], request_id=access_request.pk, days=7)
    finally:
        post_save.disconnect(dispatch_uid="test-fail")
    access_request.refresh_from_db()
    assert access_request.state == State.PENDING
    assert not CustomerUserObjectPermission.objects.filter(user=world["clerk"]).exists()


def test_a_grant_beyond_the_maximum_is_refused(client, world):
    access_request = ask(world["clerk"], world["b"])
    client.force_login(world["director"])
    response = client.post(
        detail(access_request), {"action": "grant", "days": settings.ARCHIVE_ACCESS_GRANT_MAX_DAYS + 1}
    )
    assert response.status_code == 200 and "days" in response.context["grant_form"].errors
    access_request.refresh_from_db()
    assert access_request.state == State.PENDING


def test_a_decided_request_cannot_be_decided_again(client, world):
    access_request = ask(world["clerk"], world["b"])
    services.access_request_refuse(actor=world["director"], request_id=access_request.pk, comment="不需要")
    client.force_login(world["director"])
    response = client.post(detail(access_request), {"action": "grant", "days": 7})
    assert response.status_code == 302
    assert shown_messages(response)[-1][1] == answered(State.REFUSED)
    access_request.refresh_from_db()
    assert access_request.state == State.REFUSED
    assert not CustomerUserObjectPermission.objects.filter(user=world["clerk"]).exists()
    with pytest.raises(ValidationError) as refused:
        services.access_request_refuse(actor=world["director"], request_id=access_request.pk, comment="再说一次")
    assert error_codes(refused.value) == {"already_decided"}


def test_refusing_needs_a_comment_and_lends_nothing(client, world):
    access_request = ask(world["clerk"], world["b"])
    client.force_login(world["director"])
    response = client.post(detail(access_request), {"action": "refuse", "comment": ""})
    assert response.status_code == 200 and "comment" in response.context["refuse_form"].errors
    response = client.post(detail(access_request), {"action": "refuse", "comment": "与工作无关"})
    access_request.refresh_from_db()
    assert (access_request.state, access_request.comment) == (State.REFUSED, "与工作无关")
    assert card_status(client, world["clerk"], world["b"]) == 404
    client.force_login(world["clerk"])
    assert "与工作无关" in client.get(detail(access_request)).content.decode()


def test_an_inactive_requester_is_not_granted(client, world):
    clerk = world["clerk"]
    access_request = ask(clerk, world["b"])
    clerk.is_active = False
    clerk.save()
    client.force_login(world["director"])
    response = client.post(detail(access_request), {"action": "grant", "days": 7})
    assert response.status_code == 200
    inactive = _("%(user)s's account is inactive: refuse the request instead.") % {"user": "clerk"}
    assert response.context["grant_form"].non_field_errors() == [inactive]
    access_request.refresh_from_db()
    assert access_request.state == State.PENDING
    assert not CustomerUserObjectPermission.objects.filter(user=clerk).exists()


def test_only_the_director_answers(client, world):
    access_request = ask(world["clerk"], world["b"])
    for role in ("clerk", "owner"):
        client.force_login(world[role])
        for action in ("grant", "refuse"):
            response = client.post(detail(access_request), {"action": action, "days": 7, "comment": "x"})
            assert response.status_code == (403 if role == "clerk" else 404)
    with pytest.raises(PermissionDenied):
        services.access_request_grant(actor=world["clerk"], request_id=access_request.pk, days=7)
    access_request.refresh_from_db()
    assert access_request.state == State.PENDING
    assert not CustomerUserObjectPermission.objects.filter(user=world["clerk"]).exists()


def test_the_requester_withdraws_a_pending_request(client, world):
    access_request = ask(world["clerk"], world["b"])
    client.force_login(world["director"])
    assert client.post(detail(access_request), {"action": "withdraw"}).status_code == 403
    client.force_login(world["clerk"])
    response = client.post(detail(access_request), {"action": "withdraw"})
    assert response.status_code == 302
    access_request.refresh_from_db()
    assert access_request.state == State.WITHDRAWN
    # Withdrawn, it may be asked again; a withdrawn request cannot be withdrawn or granted any more.
    response = client.post(detail(access_request), {"action": "withdraw"})
    assert shown_messages(response)[-1][1] == answered(State.WITHDRAWN)
    with pytest.raises(ValidationError):
        services.access_request_grant(actor=world["director"], request_id=access_request.pk, days=7)
    ask(world["clerk"], world["b"])


def test_the_director_request_page_links_the_rights_page(client, world):
    access_request = ask(world["clerk"], world["b"])
    client.force_login(world["director"])
    body = client.get(detail(access_request)).content.decode()
    assert reverse("access:rights", args=[world["b"].pk]) in body
