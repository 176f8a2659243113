"""Review of access requests, lent rights, the director's rights page and group grants: the paths a user hits.

``world`` (tests/conftest.py): A kept by ``owner`` with ``co_owner``, B by ``other_manager``; ``granted_manager``
holds a standing grant on A, ``group_clerk`` reads A through the group 华东区内勤; ``clerk`` reads nothing;
``director`` and ``archivist`` read everything.
"""

from __future__ import annotations

import datetime
import io
import threading

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from access.models import AccessRequest
from access.services import requests as services
from archive import roles
from customers import permissions
from customers import services as customer_services
from customers.models import Customer, CustomerGroupObjectPermission, CustomerUserObjectPermission
from customers.permissions import Action

from ..complaints.conftest import make_complaint
from ..contracts.conftest import filed_a, filed_b, make_contract, products  # noqa: F401 - fixtures shared
from ..credit.conftest import filed_order
from ..factories import make_customer, make_user
from ..helpers import error_codes, file_through_approval, image_bytes, pdf_bytes, shown_messages, upload

State = AccessRequest.State
MINUTE = datetime.timedelta(minutes=1)
LOOKUP = reverse("access:lookup")
LIST = reverse("access:requests")
GROUP_GRANT = reverse("access:group-grant")
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def detail(access_request) -> str:
    return reverse("access:request", args=[access_request.pk])


def rights_url(customer) -> str:
    return reverse("access:rights", args=[customer.pk])


def history_url(customer) -> str:
    return reverse("customers:history", args=[customer.pk])


def ask(user, customer, *, key=None, reason="拜访前需要了解客户的信用情况", days=7) -> AccessRequest:
    return services.access_request_create(
        actor=user, key=key or customer.credit_code, customer_id=customer.pk, reason=reason, days=days
    )


def lend(world, customer, user="clerk", days=7) -> AccessRequest:
    asked = ask(world[user], customer, days=days)
    return services.access_request_grant(actor=world["director"], request_id=asked.pk, days=days)


def drain(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def status(client, url) -> int:
    response = client.get(url)
    drain(response)
    return response.status_code


def user_right(user, customer, codename="view_customer"):
    return CustomerUserObjectPermission.objects.get(user=user, content_object=customer, permission__codename=codename)


# ---- What the lookup and the request pages tell someone who cannot read the customer -------------------------


@pytest.fixture
def b_secrets(world):
    """B with card fields a lookup by code must never show (its name included: the asker typed only the code)."""
    b = world["b"]
    b.phone, b.address, b.legal_representative, b.email = (
        "021-55556666",
        "上海市浦东新区张江路88号",
        "李建国",
        "li@x.cn",
    )
    b.save()
    return b


def secrets_of(customer) -> list[str]:
    return [customer.name, customer.phone, customer.address, customer.legal_representative, customer.email]


@pytest.mark.parametrize("answer", ["pending", "refused"])
def test_asking_by_code_never_reveals_the_card_on_the_request_pages(client, world, b_secrets, answer):
    b, clerk = b_secrets, world["clerk"]
    client.force_login(clerk)
    response = client.post(LOOKUP, {"key": b.credit_code, "customer": b.pk, "reason": "核对", "days": 7})
    access_request = AccessRequest.objects.get()
    assert response.status_code == 302
    if answer == "refused":
        services.access_request_refuse(actor=world["director"], request_id=access_request.pk, comment="不需要")
    for url in (detail(access_request), LIST, f"{LOOKUP}?key={b.credit_code}"):
        body = client.get(url).content.decode()
        assert "other_manager" in body  # who keeps it may be known
        for secret in secrets_of(b):
            assert secret not in body, (url, secret)


def test_asking_by_name_never_reveals_the_credit_code_or_the_card(client, world, b_secrets):
    b = b_secrets
    client.force_login(world["clerk"])
    client.post(LOOKUP, {"key": b.name, "customer": b.pk, "reason": "核对", "days": 7})
    access_request = AccessRequest.objects.get()
    for url in (detail(access_request), LIST):
        body = client.get(url).content.decode()
        for secret in [b.credit_code, *secrets_of(b)[1:], b.get_absolute_url()]:
            assert secret not in body, (url, secret)


def test_the_id_the_lookup_hands_out_opens_nothing(client, world, products, filed_b):  # noqa: F811
    """The request form carries the customer's id; with it every page of the customer still answers 404."""
    b, clerk = filed_b, world["other_manager"]
    order = filed_order(world, products, b).order
    attachment = customer_services.attachment_create(
        actor=clerk, customer_id=b.pk, upload=upload("licence.png", image_bytes(), "image/png"), kind="licence"
    )
    client.force_login(world["owner"])
    body = client.get(LOOKUP, {"key": b.credit_code}).content.decode()
    assert f'value="{b.pk}"' in body
    for url in (
        b.get_absolute_url(),
        history_url(b),
        reverse("customers:catalogue", args=[b.pk]),
        reverse("customers:workbook", args=[b.pk]),
        reverse("customers:edit", args=[b.pk]),
        reverse("customers:attachment-download", args=[b.pk, attachment.pk]),
        reverse("contracts:order-detail", args=[order.pk]),
    ):
        assert status(client, url) == 404, url
    assert status(client, rights_url(b)) == 403
    # A list filtered by the id does not name it either.
    for url in ("/contracts/", "/orders/", "/credit/receivables/", "/complaints/", "/contracts/new/"):
        response = client.get(url, {"customer": b.pk})
        assert response.status_code == 200, url
        assert b.name not in response.content.decode(), url


def test_the_lookup_does_not_see_the_recycle_bin_even_by_name(client, world):
    b = world["b"]
    ask(world["clerk"], b)
    Customer.objects.filter(pk=b.pk).update(deleted_at=timezone.now())
    client.force_login(world["group_clerk"])
    for key in (b.name, b.credit_code, b.credit_code.lower()):
        response = client.get(LOOKUP, {"key": key})
        assert response.context["matches"] == [] and 'id="no-match"' in response.content.decode()
    response = client.post(LOOKUP, {"key": b.name, "customer": b.pk, "reason": "核对", "days": 7})
    assert response.status_code == 200 and not AccessRequest.objects.filter(requester=world["group_clerk"]).exists()
    assert _("No customer with this exact credit code or name was looked up.") in response.context["stray_errors"]
    # The clerk's own pending request no longer links anything.
    client.force_login(world["clerk"])
    (row,) = client.get(LIST).context["access_requests"]
    assert not row.readable


# ---- Director's pages and actions: nobody else reaches them ---------------------------------------------------


def director_posts(world, access_request) -> dict[str, tuple[str, dict]]:
    a, clerk = world["a"], world["clerk"]
    standing = user_right(world["granted_manager"], a)
    return {
        "grant": (detail(access_request), {"action": "grant", "days": 7, "comment": "x"}),
        "refuse": (detail(access_request), {"action": "refuse", "comment": "x"}),
        "rights-grant": (rights_url(a), {"action": "grant", "user": clerk.pk}),
        "rights-revoke": (rights_url(a), {"action": "revoke", "kind": "user", "right": standing.pk}),
        "group-grant": (GROUP_GRANT, {"group": world["clerk_group"].pk, "expected": 2}),
    }


def nothing_changed(world, access_request, trail_before) -> None:
    access_request.refresh_from_db()
    assert access_request.state == State.PENDING
    assert not permissions.can(world["clerk"], Action.VIEW, world["a"])
    assert not permissions.can(world["clerk"], Action.VIEW, world["b"])
    assert permissions.can(world["granted_manager"], Action.VIEW, world["a"])
    trail_now = CustomerUserObjectPermission.history.count() + CustomerGroupObjectPermission.history.count()
    assert trail_now == trail_before


@pytest.mark.parametrize("role", ["archivist", "owner", "co_owner", "other_manager", "granted_manager", "group_clerk"])
def test_nobody_but_the_director_posts_a_director_action(client, world, role):
    access_request = ask(world["clerk"], world["b"])
    trail_before = CustomerUserObjectPermission.history.count() + CustomerGroupObjectPermission.history.count()
    client.force_login(world[role])
    for name, (url, data) in director_posts(world, access_request).items():
        response = client.post(url, data)
        # The request is another person's: the keeper of B (and everyone but its requester) does not find it.
        expected = 404 if name in ("grant", "refuse") and role != "archivist" else 403
        assert response.status_code == expected, (role, name, response.status_code)
    nothing_changed(world, access_request, trail_before)


def test_the_requester_cannot_answer_their_own_request(client, world):
    access_request = ask(world["clerk"], world["b"])
    trail_before = CustomerUserObjectPermission.history.count() + CustomerGroupObjectPermission.history.count()
    client.force_login(world["clerk"])
    for name, (url, data) in director_posts(world, access_request).items():
        assert client.post(url, data).status_code == 403, name
    nothing_changed(world, access_request, trail_before)


def test_an_anonymous_post_goes_to_the_login_and_changes_nothing(client, world):
    access_request = ask(world["clerk"], world["b"])
    trail_before = CustomerUserObjectPermission.history.count() + CustomerGroupObjectPermission.history.count()
    for name, (url, data) in director_posts(world, access_request).items():
        response = client.post(url, data)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name
    response = client.post(LOOKUP, {"key": world["b"].credit_code, "customer": world["b"].pk, "reason": "x", "days": 7})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    nothing_changed(world, access_request, trail_before)
    assert AccessRequest.objects.count() == 1


def test_an_inactive_director_decides_nothing(world):
    access_request = ask(world["clerk"], world["b"])
    director = world["director"]
    director.is_active = False
    director.save()
    for call in (
        lambda: services.access_request_grant(actor=director, request_id=access_request.pk, days=7),
        lambda: services.access_request_refuse(actor=director, request_id=access_request.pk, comment="x"),
        lambda: services.right_grant(actor=director, customer_id=world["b"].pk, user=world["clerk"]),
        lambda: services.group_grant(actor=director, group=world["clerk_group"], customers=Customer.objects.all()),
    ):
        with pytest.raises(PermissionDenied):
            call()
    access_request.refresh_from_db()
    assert access_request.state == State.PENDING


# ---- One requester does not act on another's request ----------------------------------------------------------


def test_another_asker_neither_sees_nor_withdraws_a_request(client, world):
    access_request = ask(world["clerk"], world["b"])
    for role in ("group_clerk", "owner", "other_manager"):
        client.force_login(world[role])
        assert client.get(detail(access_request)).status_code == 404
        assert client.post(detail(access_request), {"action": "withdraw"}).status_code == 404
        assert access_request.pk not in [r.pk for r in client.get(LIST).context["access_requests"]]
        with pytest.raises(PermissionDenied):
            services.access_request_withdraw(actor=world[role], request_id=access_request.pk)
    access_request.refresh_from_db()
    assert access_request.state == State.PENDING


def test_a_withdrawn_request_cannot_be_granted_through_the_page(client, world):
    access_request = ask(world["clerk"], world["b"])
    services.access_request_withdraw(actor=world["clerk"], request_id=access_request.pk)
    client.force_login(world["director"])
    response = client.post(detail(access_request), {"action": "grant", "days": 7})
    assert response.status_code == 302
    assert not CustomerUserObjectPermission.objects.filter(user=world["clerk"]).exists()
    body = client.get(detail(access_request)).content.decode()
    assert 'id="grant-form"' not in body and 'id="refuse-form"' not in body


# ---- CSRF on every POST -------------------------------------------------------------------------------------


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def token_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["csrf_token"]


def test_every_access_post_needs_the_csrf_token(world):
    b = world["b"]
    clerk, director = csrf_client(world["clerk"]), csrf_client(world["director"])
    response = clerk.post(LOOKUP, {"key": b.credit_code, "customer": b.pk, "reason": "x", "days": 7})
    assert response.status_code == 403 and not AccessRequest.objects.exists()
    access_request = ask(world["clerk"], b)
    assert clerk.post(detail(access_request), {"action": "withdraw"}).status_code == 403
    trail_before = CustomerUserObjectPermission.history.count() + CustomerGroupObjectPermission.history.count()
    for name, (url, data) in director_posts(world, access_request).items():
        assert director.post(url, data).status_code == 403, name
    nothing_changed(world, access_request, trail_before)
    # With the page's token the same posts go through.
    token = token_of(clerk, LOOKUP)
    response = clerk.post(detail(access_request), {"action": "withdraw", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    access_request = ask(world["clerk"], b)
    token = token_of(director, detail(access_request))
    response = director.post(detail(access_request), {"action": "grant", "days": 7, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and permissions.can(world["clerk"], Action.VIEW, b)


def test_the_pages_render_their_forms_with_a_token(world):
    access_request = ask(world["clerk"], world["b"])
    clerk, director = csrf_client(world["clerk"]), csrf_client(world["director"])
    pages = [
        (clerk, f"{LOOKUP}?key={world['a'].name}", 1),
        (clerk, detail(access_request), 1),
        (director, detail(access_request), 2),
        (director, rights_url(world["a"]), 3),  # the grant form and the revoke forms of two non-keepers
    ]
    for client, url, forms in pages:
        body = client.get(url).content.decode()
        assert body.count('name="csrfmiddlewaretoken"') >= forms, url
        assert body.count('method="post"') == body.count('name="csrfmiddlewaretoken"'), url


# ---- A loan ends at its minute everywhere: card, trail, catalogue, documents, exports and every record ---------


@pytest.fixture
def ten_oclock():
    """10:00 local time nine days from now (after everything the fixtures made)."""
    day = timezone.localdate() + datetime.timedelta(days=9)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


@pytest.fixture
def records(world, products, filed_a):  # noqa: F811
    """Customer A filed, with a filed contract carrying a scan, a filed order, its receivable, a complaint, a photo."""
    owner, director = world["owner"], world["director"]
    contract = file_through_approval(
        make_contract(
            owner,
            filed_a,
            "HT-2026-0900",
            "年度供货合同",
            datetime.date(2026, 1, 8),
            "200000.00",
            upload=upload("合同.pdf", pdf_bytes("signed"), "application/pdf"),
        ),
        author=owner,
        decider=director,
    )
    receivable = filed_order(world, products, filed_a, amount="3000.00")
    complaint = make_complaint(world, filed_a, handler=owner)
    attachment = customer_services.attachment_create(
        actor=owner, customer_id=filed_a.pk, upload=upload("licence.png", image_bytes(), "image/png"), kind="licence"
    )
    a = filed_a.pk
    pages = {
        "card": f"/customers/{a}/",
        "history": f"/customers/{a}/history/",
        "catalogue": f"/customers/{a}/catalogue/",
        "workbook": f"/customers/{a}/export.xlsx",
        "attachment": f"/customers/{a}/attachments/{attachment.pk}/",
        "contract": f"/contracts/{contract.pk}/",
        "contract file": f"/contracts/{contract.pk}/file/",
        "order": f"/orders/{receivable.order.pk}/",
        "receivable": f"/credit/receivables/{receivable.pk}/",
        "complaint": f"/complaints/{complaint.pk}/",
    }
    lists = {
        "customers": ("/customers/", pages["card"]),
        "contracts": ("/contracts/", pages["contract"]),
        "orders": ("/orders/", pages["order"]),
        "receivables": ("/credit/receivables/", pages["receivable"]),
        "complaints": ("/complaints/", pages["complaint"]),
    }
    return {"customer": filed_a, "pages": pages, "lists": lists}


def exported_names(client, url, **params) -> list[str]:
    response = client.get(url, params)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(drain(response)), read_only=True).worksheets[0]
    return [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]


def what_the_clerk_reads(client, world, records) -> dict:
    client.force_login(world["clerk"])
    seen = {name: status(client, url) == 200 for name, url in records["pages"].items()}
    for name, (url, link) in records["lists"].items():
        response = client.get(url)
        assert response.status_code == 200, url
        seen[f"list {name}"] = f'href="{link}"' in response.content.decode()
    seen["export"] = records["customer"].name in exported_names(client, reverse("customers:export"))
    seen["aging export"] = records["customer"].name in exported_names(client, reverse("credit:aging-export"))
    seen["may change"] = permissions.can(world["clerk"], Action.CHANGE, records["customer"])
    return seen


def reading(records, value: bool) -> dict:
    names = [*records["pages"], *(f"list {n}" for n in records["lists"]), "export", "aging export"]
    return {**dict.fromkeys(names, value), "may change": False}


def lend_by_request(world, customer, until):
    with time_machine.travel(until - datetime.timedelta(days=7), tick=False):
        granted = lend(world, customer, days=7)
    assert granted.expires_at == until


def lend_on_the_rights_page(world, customer, until):
    """The director lends until a moment (the page sends a day; the service takes any moment)."""
    with time_machine.travel(until - datetime.timedelta(days=2), tick=False):
        services.right_grant(actor=world["director"], customer_id=customer.pk, user=world["clerk"], until=until)


def lend_to_a_group(world, customer, until):
    group = Group.objects.create(name="临时核查组")
    world["clerk"].groups.add(group)
    with time_machine.travel(until - datetime.timedelta(days=3), tick=False):
        services.group_grant(
            actor=world["director"], group=group, customers=Customer.objects.filter(pk=customer.pk), until=until
        )


@pytest.mark.parametrize(
    "lender", [lend_by_request, lend_on_the_rights_page, lend_to_a_group], ids=["request", "rights-page", "group"]
)
def test_a_loan_opens_every_page_and_export_until_its_minute(client, world, records, ten_oclock, lender):
    lender(world, records["customer"], ten_oclock)
    for moment, expected in [
        (ten_oclock - MINUTE, reading(records, True)),
        (ten_oclock, reading(records, False)),
        (ten_oclock + datetime.timedelta(days=1), reading(records, False)),
    ]:
        with time_machine.travel(moment, tick=False):
            assert what_the_clerk_reads(client, world, records) == expected, moment


def test_a_day_granted_on_the_rights_page_lasts_to_midnight(client, world):
    b, clerk = world["b"], world["clerk"]
    day = timezone.localdate() + datetime.timedelta(days=3)
    client.force_login(world["director"])
    client.post(rights_url(b), {"action": "grant", "user": clerk.pk, "until": day.isoformat()})
    last_minute = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))
    with time_machine.travel(last_minute, tick=False):
        assert permissions.can(clerk, Action.VIEW, b)
    with time_machine.travel(last_minute + MINUTE, tick=False):
        assert not permissions.can(clerk, Action.VIEW, b)


def test_a_loan_expired_before_the_export_began_exports_nothing(client, world, ten_oclock):
    a = world["a"]
    lend_by_request(world, world["b"], ten_oclock)
    client.force_login(world["clerk"])
    with time_machine.travel(ten_oclock - MINUTE, tick=False):
        assert world["b"].name in exported_names(client, reverse("customers:export"))
    with time_machine.travel(ten_oclock, tick=False):
        names = exported_names(client, reverse("customers:export"))
    assert world["b"].name not in names and a.name not in names


# ---- A lent right reads; it never changes -------------------------------------------------------------------


def test_a_lent_right_never_changes_the_customer(client, world, records):
    from complaints import selectors as complaint_selectors
    from contracts import selectors as contract_selectors
    from contracts import services as contract_services

    a, reader = records["customer"], world["other_manager"]  # an account manager, who may change their own cards
    access_request = ask(reader, a)
    services.access_request_grant(actor=world["director"], request_id=access_request.pk, days=7)
    assert permissions.can(reader, Action.VIEW, a) and not permissions.can(reader, Action.CHANGE, a)
    client.force_login(reader)
    card = client.get(a.get_absolute_url())
    assert card.status_code == 200 and card.context["can_edit"] is False
    for url in (
        reverse("customers:edit", args=[a.pk]),
        reverse("customers:keepers", args=[a.pk]),
        reverse("customers:contact-create", args=[a.pk]),
        reverse("customers:interaction-create", args=[a.pk]),
        reverse("customers:attachment-create", args=[a.pk]),
        reverse("archive:request-deletion", args=["customers.customer", a.pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "改名", "note": "x"}).status_code == 403, url
    assert client.post(reverse("archive:submit", args=["customers.customer", a.pk])).status_code in (302, 403)
    a.refresh_from_db()
    assert a.name == records["customer"].name and not a.filing_requests.filter(author=reader).exists()
    # Nor is it offered where records are entered.
    assert a not in contract_selectors.customers_to_change(user=reader)
    assert a not in complaint_selectors.customers_to_change(user=reader)
    with pytest.raises(PermissionDenied):
        customer_services.contact_create(actor=reader, customer_id=a.pk, data={"name": "张三"})
    with pytest.raises((PermissionDenied, ValidationError)):
        contract_services.contract_create(
            actor=reader, customer_id=a.pk, data={"number": "HT-X", "title": "x", "signed_on": datetime.date.today()}
        )
    # The rights page lends reading only, to a user or a group.
    services.right_grant(actor=world["director"], customer_id=a.pk, user=world["clerk"])
    services.right_grant(actor=world["director"], customer_id=a.pk, group=world["clerk_group"])
    assert not permissions.can(world["clerk"], Action.CHANGE, a)
    assert not permissions.can(world["group_clerk"], Action.CHANGE, a)
    assert not CustomerUserObjectPermission.objects.filter(
        content_object=a, user__in=[reader, world["clerk"]], permission__codename="change_customer"
    ).exists()


# ---- A grant never shortens; after expiry it lends again ---------------------------------------------------


def test_granting_a_standing_reader_for_a_while_leaves_them_standing(client, world):
    a, standing_reader, director = world["a"], world["granted_manager"], world["director"]
    right = user_right(standing_reader, a)
    day = timezone.localdate() + datetime.timedelta(days=2)
    client.force_login(director)
    response = client.post(rights_url(a), {"action": "grant", "user": standing_reader.pk, "until": day.isoformat()})
    assert response.status_code == 302
    services.group_grant(
        actor=director,
        group=world["clerk_group"],
        customers=Customer.objects.filter(pk=a.pk),
        until=timezone.now() + datetime.timedelta(days=1),
    )
    right.refresh_from_db()
    assert right.expires_at is None
    assert CustomerGroupObjectPermission.objects.get(group=world["clerk_group"], content_object=a).expires_at is None
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30), tick=False):
        assert permissions.can(standing_reader, Action.VIEW, a)
        assert permissions.can(world["group_clerk"], Action.VIEW, a)
    # Nor does a keeper lose anything to a short grant.
    services.right_grant(
        actor=director, customer_id=a.pk, user=world["co_owner"], until=timezone.now() + datetime.timedelta(days=1)
    )
    assert user_right(world["co_owner"], a).expires_at is None


def test_a_short_request_does_not_shorten_a_longer_loan(world):
    b, clerk, director = world["b"], world["clerk"], world["director"]
    long_end = timezone.now() + datetime.timedelta(days=30)
    services.right_grant(actor=director, customer_id=b.pk, user=clerk, until=long_end)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1), tick=False):
        assert permissions.can(clerk, Action.VIEW, b)
    right = user_right(clerk, b)
    assert right.expires_at == long_end
    # A request then lent for 3 days leaves the 30 in place.
    permissions.grant(b, clerk, actor=director, until=timezone.now() + datetime.timedelta(days=3), reason="x")
    right.refresh_from_db()
    assert right.expires_at == long_end
    with time_machine.travel(long_end - MINUTE, tick=False):
        assert permissions.can(clerk, Action.VIEW, b)


def test_after_expiry_a_new_request_lends_again_on_the_same_row(client, world):
    b, clerk, director = world["b"], world["clerk"], world["director"]
    first = lend(world, b, days=2)
    right = user_right(clerk, b)
    later = first.expires_at + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        assert not permissions.can(clerk, Action.VIEW, b)
        client.force_login(clerk)
        (match,) = client.get(LOOKUP, {"key": b.credit_code}).context["matches"]
        assert not match.readable and match.form is not None
        second = ask(clerk, b, days=5)
        services.access_request_grant(actor=director, request_id=second.pk, days=5)
        second.refresh_from_db()
        assert permissions.can(clerk, Action.VIEW, b)
        assert client.get(b.get_absolute_url()).status_code == 200
    right.refresh_from_db()
    assert right.expires_at == second.expires_at == later + datetime.timedelta(days=5)
    assert right.granted_at == later
    assert list(right.history.values_list("history_type", flat=True)) == ["~", "+"]
    assert right.history.first().history_change_reason == _("Access request #%(n)s") % {"n": second.pk}


def test_after_a_purge_a_new_grant_makes_a_new_row(world):
    b, clerk = world["b"], world["clerk"]
    first = lend(world, b, days=1)
    old = user_right(clerk, b)
    with time_machine.travel(first.expires_at, tick=False):
        assert permissions.purge_expired() == 1
        lend(world, b, days=3)
        assert permissions.can(clerk, Action.VIEW, b)
    assert user_right(clerk, b).pk != old.pk
    assert CustomerUserObjectPermission.history.filter(id=old.pk, history_type="-").exists()


def test_a_group_loan_expired_is_lent_again_by_a_later_group_grant(world):
    b, director, group = world["b"], world["director"], world["clerk_group"]
    until = timezone.now() + datetime.timedelta(days=1)
    assert services.group_grant(actor=director, group=group, customers=Customer.objects.filter(pk=b.pk), until=until)
    with time_machine.travel(until + datetime.timedelta(days=1), tick=False):
        assert not permissions.can(world["group_clerk"], Action.VIEW, b)
        new_end = timezone.now() + datetime.timedelta(hours=2)
        # Even a loan shorter than the old expired one would have been: the old one counts for nothing now.
        changed = services.group_grant(
            actor=director, group=group, customers=Customer.objects.filter(pk=b.pk), until=new_end
        )
        assert changed == 1 and permissions.can(world["group_clerk"], Action.VIEW, b)
    assert CustomerGroupObjectPermission.objects.get(group=group, content_object=b).expires_at == new_end


# ---- Keepers' rights are not revoked here -------------------------------------------------------------------


def test_a_keepers_right_is_refused_by_the_service_too(world):
    a, director = world["a"], world["director"]
    for user in ("owner", "co_owner"):
        for codename in ("view_customer", "change_customer"):
            right = user_right(world[user], a, codename)
            with pytest.raises(ValidationError) as refused:
                services.right_revoke(actor=director, customer_id=a.pk, kind="user", right_id=right.pk)
            assert error_codes(refused.value) == {"keeper_right"}
    assert permissions.can(world["owner"], Action.CHANGE, a) and permissions.can(world["co_owner"], Action.CHANGE, a)


def test_the_rights_page_offers_no_revoke_button_for_a_keeper(client, world):
    a = world["a"]
    client.force_login(world["director"])
    body = client.get(rights_url(a)).content.decode()
    for user in ("owner", "co_owner"):
        for codename in ("view_customer", "change_customer"):
            right = user_right(world[user], a, codename)
            row = body.split(f'id="right-user-{right.pk}"')[1].split("</tr>")[0]
            assert "revoke-form" not in row
    standing = user_right(world["granted_manager"], a)
    assert "revoke-form" in body.split(f'id="right-user-{standing.pk}"')[1].split("</tr>")[0]


# ---- Deactivated accounts ------------------------------------------------------------------------------------


def test_a_deactivated_reader_reads_nothing_lent_directly_or_through_a_group(client, world):
    a, b = world["a"], world["b"]
    lend(world, b)
    clerk, group_clerk = world["clerk"], world["group_clerk"]
    for user in (clerk, group_clerk):
        user.is_active = False
        user.save()
    assert not permissions.can(clerk, Action.VIEW, b)
    assert not permissions.can(group_clerk, Action.VIEW, a)
    assert not permissions.visible_customers(group_clerk).exists()
    client.force_login(clerk)  # a session opened before the deactivation
    assert client.get(b.get_absolute_url()).status_code in (302, 404)
    assert client.get(LIST).status_code in (302, 403)


def test_a_deactivated_requester_is_not_lent_anything_by_a_page(client, world):
    clerk = world["clerk"]
    access_request = ask(clerk, world["b"])
    clerk.is_active = False
    clerk.save()
    client.force_login(world["director"])
    # Not among the users the rights page offers, and refused by the service if posted anyway.
    page = client.get(rights_url(world["b"]))
    assert clerk not in page.context["grant_form"].fields["user"].queryset
    with pytest.raises(ValidationError) as refused:
        services.right_grant(actor=world["director"], customer_id=world["b"].pk, user=clerk)
    assert error_codes(refused.value) == {"user_inactive"}
    # The director can still refuse the waiting request.
    response = client.post(detail(access_request), {"action": "refuse", "comment": "已离职"})
    assert response.status_code == 302
    access_request.refresh_from_db()
    assert access_request.state == State.REFUSED
    assert not CustomerUserObjectPermission.objects.filter(user=clerk, content_object=world["b"]).exists()


# ---- A customer moved to the recycle bin while a request waits ---------------------------------------------


def test_a_request_waiting_when_the_customer_goes_to_the_bin(client, world):
    b, clerk, director = world["b"], world["clerk"], world["director"]
    access_request = ask(clerk, b)
    Customer.objects.filter(pk=b.pk).update(deleted_at=timezone.now())
    client.force_login(director)
    page = client.get(detail(access_request))
    assert page.status_code == 200 and page.context["readable"] is False
    assert rights_url(b) not in page.content.decode()  # the rights page would answer 404
    response = client.post(detail(access_request), {"action": "grant", "days": 7})
    assert response.status_code == 200
    assert response.context["grant_form"].non_field_errors() == [
        _("The customer is in the recycle bin: refuse the request instead.")
    ]
    assert not CustomerUserObjectPermission.objects.filter(user=clerk, content_object_id=b.pk).exists()
    access_request.refresh_from_db()
    assert access_request.state == State.PENDING
    assert client.get(rights_url(b)).status_code == 404
    response = client.post(detail(access_request), {"action": "refuse", "comment": "客户已删除"})
    assert response.status_code == 302
    access_request.refresh_from_db()
    assert access_request.state == State.REFUSED
    # The requester sees the answer, and no link to a card.
    client.force_login(clerk)
    page = client.get(detail(access_request))
    assert page.status_code == 200 and page.context["readable"] is False
    assert b.get_absolute_url() not in page.content.decode()
    # Back from the bin, it may be asked for and lent again.
    Customer.all_objects.filter(pk=b.pk).update(deleted_at=None)
    lend(world, b)
    assert client.get(b.get_absolute_url()).status_code == 200


def test_a_loan_on_a_customer_in_the_bin_reads_nothing_and_returns_with_it(client, world):
    b, clerk = world["b"], world["clerk"]
    lend(world, b)
    Customer.objects.filter(pk=b.pk).update(deleted_at=timezone.now())
    assert not permissions.can(clerk, Action.VIEW, Customer.all_objects.get(pk=b.pk))
    client.force_login(clerk)
    assert client.get(b.get_absolute_url()).status_code == 404
    (row,) = client.get(LIST).context["access_requests"]
    assert not row.readable
    assert b.name not in exported_names(client, reverse("customers:export"))
    Customer.all_objects.filter(pk=b.pk).update(deleted_at=None)
    assert client.get(b.get_absolute_url()).status_code == 200


# ---- Double decisions and double submissions ------------------------------------------------------------------


def test_a_second_grant_of_the_same_request_changes_nothing(client, world):
    access_request = ask(world["clerk"], world["b"], days=3)
    client.force_login(world["director"])
    assert client.post(detail(access_request), {"action": "grant", "days": 3}).status_code == 302
    right = user_right(world["clerk"], world["b"])
    first_end = right.expires_at
    response = client.post(detail(access_request), {"action": "grant", "days": 30})  # a second tab, or a resubmission
    assert response.status_code == 302
    assert shown_messages(response)[-1][1] == _(
        "This request was already answered (%(state)s); it cannot be decided again."
    ) % {"state": State.GRANTED.label}
    response = client.post(detail(access_request), {"action": "refuse", "comment": "改主意了"})
    assert response.status_code == 302
    right.refresh_from_db()
    access_request.refresh_from_db()
    assert right.expires_at == first_end and access_request.state == State.GRANTED
    assert right.history.count() == 1
    # Nor can the requester withdraw it now.
    client.force_login(world["clerk"])
    client.post(detail(access_request), {"action": "withdraw"})
    access_request.refresh_from_db()
    assert access_request.state == State.GRANTED


def test_a_second_grant_on_the_rights_page_adds_no_row(client, world):
    b, clerk = world["b"], world["clerk"]
    client.force_login(world["director"])
    for _i in range(2):
        assert client.post(rights_url(b), {"action": "grant", "user": clerk.pk}).status_code == 302
    assert CustomerUserObjectPermission.objects.filter(user=clerk, content_object=b).count() == 1
    assert user_right(clerk, b).history.count() == 1


def test_confirming_a_group_grant_twice_adds_nothing_the_second_time(client, world):
    b, group = world["b"], world["clerk_group"]
    client.force_login(world["director"])
    query = {"group": group.pk, "q": b.credit_code, "expected": 1}
    for _i in range(2):
        assert client.post(GROUP_GRANT, query).status_code == 302
    assert CustomerGroupObjectPermission.objects.filter(group=group, content_object=b).count() == 1
    assert CustomerGroupObjectPermission.history.filter(content_object_id=b.pk).count() == 1


# ---- Two directors (or one double click) at the same moment: PostgreSQL, real transactions --------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent transactions need PostgreSQL"
)


def at_once(*calls) -> list:
    """Run each call in its own thread and database connection, together; what each returned or raised."""
    results = [None] * len(calls)

    def run(i, call):
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what came out
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def meeting_point(monkeypatch, module, name, parties=2, timeout=3):
    """Make ``module.name`` wait until ``parties`` callers reached it (or ``timeout`` passed): the race window."""
    original = getattr(module, name)
    barrier = threading.Barrier(parties, timeout=timeout)

    def waiting(*args, **kwargs):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass  # the other caller is held elsewhere (a lock): go on alone
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, waiting)


@on_postgresql
def test_two_directors_granting_one_request_lend_once(
    transactional_db, django_db_serialized_rollback, world, monkeypatch
):
    access_request = ask(world["clerk"], world["b"])
    director2 = make_user("director2", roles.SALES_DIRECTOR)
    meeting_point(monkeypatch, services, "_refuse_if_decided")
    results = at_once(
        lambda: services.access_request_grant(actor=world["director"], request_id=access_request.pk, days=3),
        lambda: services.access_request_grant(actor=director2, request_id=access_request.pk, days=30),
    )
    granted = [r for r in results if isinstance(r, AccessRequest)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(granted) == 1 and len(refused) == 1, results
    assert error_codes(refused[0]) == {"already_decided"}
    right = user_right(world["clerk"], world["b"])
    assert right.expires_at == granted[0].expires_at and right.history.count() == 1


@on_postgresql
def test_two_grants_of_one_user_on_the_rights_page_at_once(
    transactional_db, django_db_serialized_rollback, world, monkeypatch
):
    b, clerk = world["b"], world["clerk"]
    meeting_point(monkeypatch, permissions, "_permission")
    results = at_once(
        *[lambda: services.right_grant(actor=world["director"], customer_id=b.pk, user=clerk) for _i in range(2)]
    )
    assert results == [None, None]
    assert CustomerUserObjectPermission.objects.filter(user=clerk, content_object=b).count() == 1


@on_postgresql
def test_a_double_click_on_confirm_grants_the_group_once(
    transactional_db, django_db_serialized_rollback, world, monkeypatch
):
    customers = [make_customer(world["other_manager"]) for _i in range(3)]
    group = world["clerk_group"]
    meeting_point(monkeypatch, permissions, "bulk_create_with_history")

    def confirm():
        return services.group_grant(
            actor=world["director"], group=group, customers=Customer.objects.filter(pk__in=[c.pk for c in customers])
        )

    results = at_once(confirm, confirm)
    assert sorted(results, key=str) == [0, 3], results
    assert CustomerGroupObjectPermission.objects.filter(group=group).count() == 4  # A's and the three new


@on_postgresql
def test_the_rights_page_and_a_group_grant_of_one_group_at_once(
    transactional_db, django_db_serialized_rollback, world, monkeypatch
):
    b, group = world["b"], world["clerk_group"]
    meeting_point(monkeypatch, permissions, "_rights")
    results = at_once(
        lambda: services.right_grant(actor=world["director"], customer_id=b.pk, group=group),
        lambda: services.group_grant(actor=world["director"], group=group, customers=Customer.objects.filter(pk=b.pk)),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert CustomerGroupObjectPermission.objects.filter(group=group, content_object=b).count() == 1


# ---- The purge: only what has expired, each with its trail row ------------------------------------------------


def test_the_purge_at_one_minute_before_removes_nothing_and_at_the_minute_removes_it(world, ten_oclock):
    lend_by_request(world, world["b"], ten_oclock)
    lend_to_a_group(world, world["a"], ten_oclock)
    rights = CustomerUserObjectPermission.objects.count() + CustomerGroupObjectPermission.objects.count()
    out = io.StringIO()
    with time_machine.travel(ten_oclock - MINUTE, tick=False):
        call_command("purge_expired_grants", stdout=out)
    assert "Removed 0 expired right(s)" in out.getvalue()
    assert CustomerUserObjectPermission.objects.count() + CustomerGroupObjectPermission.objects.count() == rights
    with time_machine.travel(ten_oclock, tick=False):
        call_command("purge_expired_grants", stdout=out)
    assert CustomerUserObjectPermission.objects.count() + CustomerGroupObjectPermission.objects.count() == rights - 2
    # Standing rights and keepers' rights stay.
    assert permissions.can(world["granted_manager"], Action.VIEW, world["a"])
    assert permissions.can(world["group_clerk"], Action.VIEW, world["a"])
    assert permissions.can(world["owner"], Action.CHANGE, world["a"])


def test_the_purge_shows_in_the_customers_history(client, world, ten_oclock):
    lend_by_request(world, world["b"], ten_oclock)
    with time_machine.travel(ten_oclock + MINUTE, tick=False):
        call_command("purge_expired_grants", stdout=io.StringIO())
    client.force_login(world["director"])
    entries = client.get(history_url(world["b"])).context["entries"]
    (removed,) = [e for e in entries if e.model is CustomerUserObjectPermission and e.kind == "-"]
    assert removed.reason == _("Lent right expired") and removed.user_name == _("system")
    assert removed.object_label == "clerk"


# ---- Grants and revocations in the customer's history: who, what and why ------------------------------------


def trail_of(client, customer, model):
    entries = client.get(history_url(customer)).context["entries"]
    return [e for e in entries if e.model is model]


def test_every_grant_and_revocation_shows_in_the_history_with_who_and_why(client, world):
    b, director, clerk, group = world["b"], world["director"], world["clerk"], world["clerk_group"]
    director.first_name = "王总"
    director.save()
    access_request = lend(world, b)
    client.force_login(director)
    client.post(rights_url(b), {"action": "grant", "group": group.pk, "note": "华东区内勤统一查阅"})
    right = user_right(clerk, b)
    client.post(rights_url(b), {"action": "revoke", "kind": "user", "right": right.pk, "note": "项目结束"})
    users = trail_of(client, b, CustomerUserObjectPermission)
    groups = trail_of(client, b, CustomerGroupObjectPermission)
    lent = [e for e in users if e.record.id == right.pk]
    assert [(e.kind, e.user_name, e.reason, e.object_label) for e in lent] == [
        ("-", "王总", "项目结束", "clerk"),
        ("+", "王总", _("Access request #%(n)s") % {"n": access_request.pk}, "clerk"),
    ]
    assert "expires_at" in {c.field.name for c in lent[1].changes}
    assert [(e.kind, e.user_name, e.reason, e.object_label) for e in groups] == [
        ("+", "王总", "华东区内勤统一查阅", "华东区内勤")
    ]
    body = client.get(history_url(b)).content.decode()
    for text in ("项目结束", "华东区内勤统一查阅", _("Access request #%(n)s") % {"n": access_request.pk}):
        assert text in body
    # The request itself and its answer are on the timeline too.
    requests = trail_of(client, b, AccessRequest)
    assert {e.user_name for e in requests} >= {"clerk", "王总"}


def test_a_group_grant_and_its_extension_show_in_each_customers_history(client, world):
    director, group = world["director"], world["clerk_group"]
    customers = [make_customer(world["other_manager"]) for _i in range(2)]
    chosen = Customer.objects.filter(pk__in=[c.pk for c in customers])
    soon = timezone.now() + datetime.timedelta(days=2)
    services.group_grant(actor=director, group=group, customers=chosen, until=soon, note="季度核对")
    services.group_grant(actor=director, group=group, customers=chosen, until=soon + datetime.timedelta(days=5))
    client.force_login(world["director"])
    for customer in customers:
        entries = trail_of(client, customer, CustomerGroupObjectPermission)
        assert [(e.kind, e.user_name, e.object_label) for e in entries] == [
            ("~", "director", "华东区内勤"),
            ("+", "director", "华东区内勤"),
        ]
        assert entries[1].reason == "季度核对"
        assert entries[0].reason == _("Read access granted to the group %(group)s") % {"group": group.name}
        assert [c.field.name for c in entries[0].changes if c.field.name == "expires_at"] == ["expires_at"]


def test_the_history_still_names_a_right_whose_holder_was_deleted(client, world):
    b, clerk = world["b"], world["clerk"]
    lend(world, b)
    right, clerk_id = user_right(clerk, b), clerk.pk
    clerk.delete()  # an administrator removes the account; the trail keeps the grant and the removal
    client.force_login(world["director"])
    response = client.get(history_url(b))
    assert response.status_code == 200
    entries = [
        e for e in response.context["entries"] if e.model is CustomerUserObjectPermission and e.record.id == right.pk
    ]
    assert [e.kind for e in entries] == ["-", "+"]  # lent, then removed with the account
    for entry in entries:
        assert entry.object_label == f"#{clerk_id}"
    assert f"「#{clerk_id}」" in response.content.decode()


def test_the_history_page_costs_the_same_for_few_or_many_grants(client, world):
    b, director = world["b"], world["director"]
    until = timezone.now() + datetime.timedelta(days=3)
    # One grant of each kind first: the trail reads only the tracked models the card has history in, so the
    # first group right on a card adds its query; the tenth must add none.
    services.right_grant(actor=director, customer_id=b.pk, user=make_user("reader", roles.CLERK), until=until)
    services.right_grant(actor=director, customer_id=b.pk, group=Group.objects.create(name="组"))
    client.force_login(director)
    client.get(history_url(b))
    with CaptureQueriesContext(connection) as few:
        client.get(history_url(b))
    for n in range(10):
        services.right_grant(actor=director, customer_id=b.pk, user=make_user(f"reader{n}", roles.CLERK), until=until)
        services.right_grant(actor=director, customer_id=b.pk, group=Group.objects.create(name=f"组{n}"))
    with CaptureQueriesContext(connection) as many:
        response = client.get(history_url(b))
    assert len(response.context["entries"]) > 20
    assert len(many.captured_queries) <= len(few.captured_queries) + 2


# ---- What the pages cost does not grow with their rows -----------------------------------------------------


def many_requests(world, n: int) -> None:
    """``n`` requests by ``n`` different clerks on ``n`` customers of different keepers, in every state."""
    director = world["director"]
    for i in range(n):
        keeper = make_user(f"keeper{i}", roles.ACCOUNT_MANAGER, first_name=f"经理{i}")
        customer = make_customer(keeper)
        asker = make_user(f"asker{i}", roles.CLERK)
        access_request = ask(asker, customer)
        if i % 3 == 1:
            services.access_request_grant(actor=director, request_id=access_request.pk, days=3)
        elif i % 3 == 2:
            services.access_request_refuse(actor=director, request_id=access_request.pk, comment="否")


def queries_for(client, url, **params) -> int:
    client.get(url, params)  # warm the caches (content types, the session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_directors_request_list_costs_the_same_for_3_or_30_requests(client, world):
    client.force_login(world["director"])
    many_requests(world, 3)
    few = queries_for(client, LIST)
    many_requests_more = 27
    director = world["director"]
    for i in range(many_requests_more):
        keeper = make_user(f"k{i}", roles.ACCOUNT_MANAGER)
        access_request = ask(make_user(f"a{i}", roles.CLERK), make_customer(keeper))
        if i % 2:
            services.access_request_grant(actor=director, request_id=access_request.pk, days=3)
    assert queries_for(client, LIST) == few
    assert queries_for(client, LIST, state="granted") <= few


def test_the_rights_page_costs_the_same_with_many_granters_and_requests(client, world):
    a = world["a"]
    client.force_login(world["director"])
    few = queries_for(client, rights_url(a))
    until = timezone.now() + datetime.timedelta(days=3)
    for n in range(8):
        director = make_user(f"director{n}", roles.SALES_DIRECTOR, first_name=f"总监{n}")
        reader = make_user(f"reader{n}", roles.CLERK)
        services.right_grant(actor=director, customer_id=a.pk, user=reader, until=until)
        services.right_grant(actor=director, customer_id=a.pk, group=Group.objects.create(name=f"组{n}"))
        access_request = ask(make_user(f"asker{n}", roles.CLERK), a)
        services.access_request_grant(actor=director, request_id=access_request.pk, days=2)
    assert queries_for(client, rights_url(a)) <= few
    assert len(client.get(rights_url(a)).context["rows"]) >= 30


def test_the_lookup_costs_the_same_for_one_or_many_cards_of_one_name(client, world):
    b = world["b"]
    client.force_login(world["clerk"])
    few = queries_for(client, LOOKUP, key=b.name)
    for i in range(6):
        make_customer(make_user(f"keeper{i}", roles.ACCOUNT_MANAGER), name=b.name)
    ask(world["clerk"], b, key=b.name)
    assert queries_for(client, LOOKUP, key=b.name) <= few


# ---- Escaped output ----------------------------------------------------------------------------------------


def test_a_hostile_customer_name_reason_and_comment_are_escaped_everywhere(client, world):
    b, clerk, director = world["b"], world["clerk"], world["director"]
    Customer.objects.filter(pk=b.pk).update(name=f"{SCRIPT}有限公司", short_name=SCRIPT)
    b.refresh_from_db()
    for user in (director, clerk, world["other_manager"]):  # the one who answers, the one who asks, the keeper
        user.first_name = SCRIPT
        user.save()
    access_request = ask(clerk, b, key=b.name, reason=f"核对 {SCRIPT}")
    services.access_request_grant(actor=director, request_id=access_request.pk, days=3, comment=f"仅限 {SCRIPT}")
    services.right_grant(actor=director, customer_id=b.pk, group=world["clerk_group"], note=f"备注 {SCRIPT}")
    pages = {
        "requester list": (clerk, LIST, {}),
        "requester detail": (clerk, detail(access_request), {}),
        "director list": (director, LIST, {}),
        "director detail": (director, detail(access_request), {}),
        "rights": (director, rights_url(b), {}),
        "history": (director, history_url(b), {}),
        "group preview": (director, GROUP_GRANT, {"group": world["clerk_group"].pk, "q": b.credit_code}),
        "lookup": (clerk, LOOKUP, {"key": b.name}),
    }
    for name, (user, url, params) in pages.items():
        client.force_login(user)
        response = client.get(url, params)
        assert response.status_code == 200, name
        body = response.content.decode()
        assert SCRIPT not in body, name
        assert ESCAPED in body, name


def test_a_hostile_group_or_user_name_is_escaped_in_the_messages(client, world):
    b = world["b"]
    group = Group.objects.create(name=SCRIPT)
    reader = make_user("reader", roles.CLERK, first_name=SCRIPT)
    client.force_login(world["director"])
    client.post(rights_url(b), {"action": "grant", "group": group.pk})
    client.post(rights_url(b), {"action": "grant", "user": reader.pk})
    body = client.get(rights_url(b)).content.decode()  # shows the two messages and the two rows
    assert SCRIPT not in body and body.count(ESCAPED) >= 4
    response = client.post(GROUP_GRANT, {"group": group.pk, "q": world["a"].credit_code, "expected": 1})
    assert response.status_code == 302
    body = client.get(GROUP_GRANT).content.decode()
    assert SCRIPT not in body and ESCAPED in body


@on_postgresql
def test_a_double_submitted_request_makes_one_request(
    transactional_db, django_db_serialized_rollback, world, monkeypatch
):
    b, clerk = world["b"], world["clerk"]
    meeting_point(monkeypatch, services, "save_with_trail")
    results = at_once(*[lambda: ask(clerk, b) for _i in range(2)])
    made = [r for r in results if isinstance(r, AccessRequest)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert error_codes(refused[0]) & {"already_pending", "unique", "accessrequest_one_pending"}
    assert AccessRequest.objects.filter(requester=clerk, customer=b).count() == 1


# ---- Rights of one reader from several sources ----------------------------------------------------------------


def test_an_expired_personal_loan_does_not_hide_a_live_group_right_nor_the_reverse(world):
    a, b, group_clerk, director = world["a"], world["b"], world["group_clerk"], world["director"]
    # group_clerk reads A through the group (standing); lend them A personally for a day, and B through the group.
    services.right_grant(
        actor=director, customer_id=a.pk, user=group_clerk, until=timezone.now() + datetime.timedelta(days=1)
    )
    services.group_grant(
        actor=director,
        group=world["clerk_group"],
        customers=Customer.objects.filter(pk=b.pk),
        until=timezone.now() + datetime.timedelta(days=1),
    )
    services.right_grant(actor=director, customer_id=b.pk, user=group_clerk)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2), tick=False):
        assert permissions.can(group_clerk, Action.VIEW, a)  # the group's standing right
        assert permissions.can(group_clerk, Action.VIEW, b)  # the personal standing right
        assert set(permissions.visible_customers(group_clerk)) == {a, b}
