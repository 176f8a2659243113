"""Review of the staff handover (员工调离交接) and the access log (查阅登记) from the outside.

The handover: every write it makes (the card, the co-managers, the rights, the filing requests, each category's
step, the items, the lent rights, the account) undone by a failure in any one of them; the corner cases of who
keeps what; the pages refusing tampered choices; what the departed and the receiving manager then read and export;
the handover list in Excel. The access log: one row per reading and none for anything else, the address, the
audit page's filters at their limits, escaping.

``world`` (tests/conftest.py): customer A kept by ``owner`` with ``co_owner``, B by ``other_manager``;
``granted_manager`` and the clerks' group read A.
"""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.query import QuerySet
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from access.columns import HANDOVER_COLUMNS
from access.models import Handover, HandoverItem
from access.services import handovers as handover_services
from access.services.handovers import handover_execute
from archive import filing, roles
from archive.models import FilingRequest
from archive.registry import HandoverStep, registry
from complaints import services as complaint_services
from complaints.models import Complaint
from credit import services as credit_services
from credit.models import CreditApplication
from customers import access_log, permissions
from customers import services as customer_services
from customers.models import AccessRecord, CoOwner, Customer, CustomerUserObjectPermission
from customers.permissions import Action

from ..complaints.conftest import complaint_data
from ..contracts.conftest import filed_a, make_contract, products  # noqa: F401 - fixtures shared
from ..credit.conftest import filed_order, scores
from ..factories import PASSWORD, make_customer, make_user
from ..helpers import error_codes, image_bytes, pdf_bytes, upload
from .test_handover_service import named, open_work, receiver, second_receiver, snapshot  # noqa: F401 - shared

pytestmark = pytest.mark.django_db
User = get_user_model()
LOG = "/access/log/"
LOG_EXPORT = "/access/log/export.xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def drain(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def cells(response) -> list:
    """Every non-empty cell of the first sheet of an Excel answer, row by row."""
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(drain(response))).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def flat(rows) -> list[str]:
    return [str(value) for row in rows for value in row if value is not None]


def keepers(customer) -> tuple:
    customer = Customer.all_objects.get(pk=customer.pk)
    return customer.owner_id, set(CoOwner.objects.filter(customer=customer).values_list("user_id", flat=True))


def user_rights(user, customer) -> list[tuple[str, object]]:
    return sorted(
        CustomerUserObjectPermission.objects.filter(user=user, content_object_id=customer.pk).values_list(
            "permission__codename", "expires_at"
        )
    )


STANDING_KEEPER = [("change_customer", None), ("view_customer", None)]


def bin_customer(customer, *, by, decider):
    """Move ``customer`` to the recycle bin the way the archive does: its keeper asks, the director approves."""
    request = filing.deletion_request(actor=by, entry=customer, note="重复建档")
    filing.request_approve(actor=decider, request_id=request.pk)
    return Customer.all_objects.get(pk=customer.pk)


# =====================================================================================================================
# Handover: everything or nothing, whichever step fails
# =====================================================================================================================


@pytest.fixture
def scene(named, receiver, open_work):  # noqa: F811
    """A handover of everything ``owner`` (张三) keeps, with the account closed, touching every kind of write.

    - A (filed, with ``open_work``: drafts, a pending order and a change waiting, complaints, a plan) goes to its
      co-manager ``co_owner``: the co-manager's row is removed as they become the account manager.
    - E, kept by ``other_manager`` with 张三 as co-manager, goes to ``receiver``: 张三's row is removed and one for
      ``receiver`` added.
    - F, 张三's own with an open complaint they handle, goes to ``receiver``; it is the last one handed over.
    - B (``other_manager``'s) is lent to 张三 for a week: taken back as the account closes.
    """
    owner, director = named["owner"], named["director"]
    e = make_customer(named["other_manager"], co_owners=[owner])
    f = make_customer(owner)
    complaint_services.complaint_create(actor=owner, customer_id=f.pk, data=complaint_data(handler=owner))
    permissions.grant(named["b"], owner, actor=director, until=timezone.now() + datetime.timedelta(days=7))
    assert sorted(permissions.customers_kept_by(owner).values_list("pk", flat=True)) == sorted(
        [open_work["a"].pk, e.pk, f.pk]
    )
    return {
        **named,
        "a": open_work["a"],
        "e": e,
        "f": f,
        "assignments": {open_work["a"].pk: named["co_owner"], e.pk: receiver, f.pk: receiver},
    }


def _after(real, should_fail):
    """``real`` that does its write and then raises when ``should_fail(*args, **kwargs)``."""

    def wrapper(*args, **kwargs):
        result = real(*args, **kwargs)
        if should_fail(*args, **kwargs):
            raise RuntimeError("the database went away")
        return result

    return wrapper


def break_card_save(monkeypatch, scene):
    real = handover_services.save_with_trail
    monkeypatch.setattr(
        handover_services,
        "save_with_trail",
        _after(real, lambda instance, **kw: isinstance(instance, Customer) and instance.pk == scene["f"].pk),
    )


def break_promotion(monkeypatch, scene):
    """The co-manager's row removed as they become the account manager (A, the first customer)."""
    real = handover_services.delete_with_trail
    monkeypatch.setattr(
        handover_services,
        "delete_with_trail",
        _after(real, lambda row, **kw: isinstance(row, CoOwner) and row.user_id == scene["co_owner"].pk),
    )


def break_co_owner_removal(monkeypatch, scene):
    real = handover_services.delete_with_trail
    monkeypatch.setattr(
        handover_services,
        "delete_with_trail",
        _after(real, lambda row, **kw: isinstance(row, CoOwner) and row.customer_id == scene["e"].pk),
    )


def break_co_owner_addition(monkeypatch, scene):
    real = handover_services.save_with_trail
    monkeypatch.setattr(
        handover_services, "save_with_trail", _after(real, lambda instance, **kw: isinstance(instance, CoOwner))
    )


def break_rights(monkeypatch, scene):
    """The departing manager's rights taken and the receivers' given (all customers at once, after the cards)."""
    real = permissions.hand_over_rights
    monkeypatch.setattr(permissions, "hand_over_rights", _after(real, lambda *a, **kw: True))


def break_rights_trail(monkeypatch, scene):
    """The rights' trail rows, the last write of the rights."""
    manager = CustomerUserObjectPermission.history.model.objects
    monkeypatch.setattr(manager, "bulk_create", _after(manager.bulk_create, lambda *a, **kw: True))


def break_filing_requests(monkeypatch, scene):
    real = QuerySet.update

    def update(self, **kwargs):
        count = real(self, **kwargs)
        if self.model is FilingRequest:
            raise RuntimeError("the database went away")
        return count

    monkeypatch.setattr(QuerySet, "update", update)


def _break_step(key):
    def breaker(monkeypatch, scene):
        real = registry._handover_steps[key]
        run = _after(real.run, lambda **kw: kw["customer_ids"] == [scene["f"].pk])
        monkeypatch.setitem(registry._handover_steps, key, HandoverStep(key, run, order=real.order))

    breaker.__name__ = f"break_step_{key}"
    return breaker


def break_items(monkeypatch, scene):
    manager = HandoverItem.objects
    monkeypatch.setattr(manager, "bulk_create", _after(manager.bulk_create, lambda *a, **kw: True))


def break_lent_rights(monkeypatch, scene):
    real = permissions.revoke
    monkeypatch.setattr(permissions, "revoke", _after(real, lambda customer, *a, **kw: customer.pk == scene["b"].pk))


def break_deactivation(monkeypatch, scene):
    real = User.save

    def save(self, *args, **kwargs):
        real(self, *args, **kwargs)
        if kwargs.get("update_fields") == ["is_active"]:
            raise RuntimeError("the database went away")

    monkeypatch.setattr(User, "save", save)


BREAKERS = [
    break_card_save,
    break_promotion,
    break_co_owner_removal,
    break_co_owner_addition,
    break_rights,
    break_rights_trail,
    break_filing_requests,
    _break_step("contracts"),
    _break_step("credit"),
    _break_step("complaints"),
    break_items,
    break_lent_rights,
    break_deactivation,
]


def test_the_scene_goes_through_when_nothing_breaks(scene, receiver):  # noqa: F811
    """The baseline of the failures below: every write they interrupt does happen in this handover."""
    owner, co_owner, a, e, f = scene["owner"], scene["co_owner"], scene["a"], scene["e"], scene["f"]
    handover = handover_execute(
        actor=scene["director"], from_user=owner, assignments=scene["assignments"], deactivate=True
    )
    assert keepers(a) == (co_owner.pk, set())
    assert keepers(e) == (scene["other_manager"].pk, {receiver.pk})
    assert keepers(f) == (receiver.pk, set())
    assert not CustomerUserObjectPermission.objects.filter(user=owner).exists()
    assert not FilingRequest.objects.filter(author=owner, state=FilingRequest.State.PENDING).exists()
    assert Complaint.objects.get(customer=f).handler == receiver
    assert handover.items.count() == 3
    owner.refresh_from_db()
    assert not owner.is_active


@pytest.mark.parametrize("breaker", BREAKERS, ids=lambda b: b.__name__.removeprefix("break_"))
def test_a_failure_in_any_step_leaves_everything_as_it_was(scene, monkeypatch, breaker):
    owner = scene["owner"]
    before = snapshot()
    breaker(monkeypatch, scene)

    with pytest.raises(RuntimeError):
        handover_execute(
            actor=scene["director"], from_user=owner, assignments=scene["assignments"], deactivate=True, note="调离"
        )

    monkeypatch.undo()
    assert snapshot() == before
    assert not Handover.objects.exists() and not HandoverItem.objects.exists()
    owner.refresh_from_db()
    assert owner.is_active
    assert keepers(scene["a"]) == (owner.pk, {scene["co_owner"].pk})
    assert keepers(scene["e"]) == (scene["other_manager"].pk, {owner.pk})
    assert permissions.can(owner, Action.VIEW, scene["b"])


def test_a_failure_through_the_page_is_a_500_and_changes_nothing(scene, monkeypatch):
    """The page does not swallow a failure as a refusal: the director sees an error, and nothing moved."""
    owner = scene["owner"]
    before = snapshot()
    _break_step("complaints")(monkeypatch, scene)
    client = Client(raise_request_exception=False)
    client.force_login(scene["director"])
    body = {
        "from": owner.pk,
        "customers": [scene["a"].pk, scene["e"].pk, scene["f"].pk],
        f"to_{scene['a'].pk}": scene["co_owner"].pk,
        f"to_{scene['e'].pk}": scene["other_manager"].pk,
        f"to_{scene['f'].pk}": scene["co_owner"].pk,
        "deactivate": "on",
    }
    response = client.post(f"/access/handovers/new/?from={owner.pk}", body)
    assert response.status_code == 500
    monkeypatch.undo()
    assert snapshot() == before


# =====================================================================================================================
# Handover: who keeps what
# =====================================================================================================================


def test_an_owner_handing_to_their_co_manager_leaves_one_place_and_one_set_of_standing_rights(named):  # noqa: F811
    a, owner, co_owner = named["a"], named["owner"], named["co_owner"]
    handover_execute(actor=named["director"], from_user=owner, assignments={a.pk: co_owner})

    assert keepers(a) == (co_owner.pk, set())
    assert CoOwner.objects.filter(customer=a).count() == 0
    assert user_rights(co_owner, a) == STANDING_KEEPER
    assert user_rights(owner, a) == []
    assert permissions.can(co_owner, Action.CHANGE, a)


def test_a_co_manager_handing_to_another_co_manager_adds_no_second_row_and_keeps_their_rights(named, receiver):  # noqa: F811
    owner, other = named["owner"], named["other_manager"]
    shared = make_customer(other, co_owners=[owner, receiver])
    assert user_rights(receiver, shared) == STANDING_KEEPER

    handover = handover_execute(actor=named["director"], from_user=owner, assignments={shared.pk: receiver})

    assert keepers(shared) == (other.pk, {receiver.pk})
    assert CoOwner.objects.filter(customer=shared, user=receiver).count() == 1
    assert user_rights(receiver, shared) == STANDING_KEEPER
    assert user_rights(owner, shared) == []
    assert permissions.can(other, Action.CHANGE, shared)
    assert handover.items.get().role == HandoverItem.Role.CO_OWNER


def test_the_departing_manager_cannot_receive_in_the_service_or_the_page(client, named):  # noqa: F811
    a, owner = named["a"], named["owner"]
    with pytest.raises(Exception) as refused:
        handover_execute(actor=named["director"], from_user=owner, assignments={a.pk: owner})
    assert error_codes(refused.value) == {"receiver_is_leaving"}

    client.force_login(named["director"])
    response = client.post(
        f"/access/handovers/new/?from={owner.pk}",
        {"from": owner.pk, "customers": [a.pk], "default_to": named["co_owner"].pk, f"to_{a.pk}": owner.pk},
    )
    assert response.status_code == 200 and response.context["form"].errors[f"to_{a.pk}"]
    assert keepers(a) == (owner.pk, {named["co_owner"].pk}) and not Handover.objects.exists()


@pytest.mark.parametrize("who", ["inactive", "clerk", "director"])
def test_a_receiver_posted_by_tampering_is_refused_by_the_form(client, named, who):  # noqa: F811
    """Only the active account managers offered can receive, whatever is posted."""
    a, owner = named["a"], named["owner"]
    target = {
        "inactive": lambda: make_user("gone", roles.ACCOUNT_MANAGER, is_active=False),
        "clerk": lambda: named["clerk"],
        "director": lambda: named["director"],
    }[who]()
    client.force_login(named["director"])
    url = f"/access/handovers/new/?from={owner.pk}"
    for body in (
        {"from": owner.pk, "customers": [a.pk], "default_to": target.pk},
        {"from": owner.pk, "customers": [a.pk], "default_to": named["co_owner"].pk, f"to_{a.pk}": target.pk},
    ):
        response = client.post(url, body)
        assert response.status_code == 200
        assert not response.context["form"].is_valid()
    assert keepers(a) == (owner.pk, {named["co_owner"].pk})
    assert not Handover.objects.exists()


def test_a_customer_in_the_recycle_bin_is_not_offered_and_cannot_be_posted(client, named, receiver):  # noqa: F811
    owner, director = named["owner"], named["director"]
    binned = bin_customer(make_customer(owner, name="回收站里的客户有限公司"), by=owner, decider=director)
    client.force_login(director)
    url = f"/access/handovers/new/?from={owner.pk}"

    page = client.get(url)
    assert binned.pk not in [c.pk for c in page.context["form"].customer_list]
    assert "回收站里的客户有限公司" not in page.content.decode()

    response = client.post(url, {"from": owner.pk, "customers": [named["a"].pk, binned.pk], "default_to": receiver.pk})
    assert response.status_code == 200 and response.context["form"].errors["customers"]
    with pytest.raises(Exception) as refused:
        handover_execute(actor=director, from_user=owner, assignments={binned.pk: receiver})
    assert error_codes(refused.value) == {"not_kept"}
    assert keepers(binned)[0] == owner.pk and keepers(named["a"])[0] == owner.pk
    assert not Handover.objects.exists()


def test_a_customer_restored_after_the_account_closed_can_still_be_handed_over(client, named, receiver):  # noqa: F811
    """The bin is not handed over; what comes back from it later is, by a second handover of the closed account."""
    owner, director = named["owner"], named["director"]
    binned = bin_customer(make_customer(owner), by=owner, decider=director)
    handover_execute(actor=director, from_user=owner, assignments={named["a"].pk: receiver}, deactivate=True)
    filing.entry_restore(actor=director, spec=registry.filable(Customer), pk=binned.pk)

    client.force_login(director)
    first = client.get("/access/handovers/new/")
    assert owner.pk in [value for value, _label in first.context["departing_form"].fields["from"].choices]
    response = client.post(
        f"/access/handovers/new/?from={owner.pk}",
        {"from": owner.pk, "customers": [binned.pk], "default_to": receiver.pk},
    )
    assert response.status_code == 302
    assert keepers(binned)[0] == receiver.pk
    assert permissions.can(receiver, Action.CHANGE, Customer.objects.get(pk=binned.pk))


def test_a_customer_not_kept_by_the_departing_manager_cannot_be_posted(client, named, receiver):  # noqa: F811
    owner, b = named["owner"], named["b"]
    client.force_login(named["director"])
    response = client.post(
        f"/access/handovers/new/?from={owner.pk}",
        {"from": owner.pk, "customers": [b.pk], "default_to": receiver.pk, f"to_{b.pk}": receiver.pk},
    )
    assert response.status_code == 200 and response.context["form"].errors["customers"]
    assert keepers(b) == (named["other_manager"].pk, set())
    assert not Handover.objects.exists()


def test_closing_an_account_already_inactive_still_takes_back_its_lent_rights(named, receiver):  # noqa: F811
    """The departing list offers accounts that left before their customers were handed over (README: "rights
    (including rights lent to the departing manager)" go with the account)."""
    owner, b, director = named["owner"], named["b"], named["director"]
    permissions.grant(b, owner, actor=director, until=timezone.now() + datetime.timedelta(days=30))
    User.objects.filter(pk=owner.pk).update(is_active=False)
    owner.refresh_from_db()

    handover_execute(actor=director, from_user=owner, assignments={named["a"].pk: receiver}, deactivate=True)

    assert not CustomerUserObjectPermission.objects.filter(user=owner).exists()
    # Re-opened later (a returning employee), the account must not find the old loan waiting.
    User.objects.filter(pk=owner.pk).update(is_active=True)
    owner.refresh_from_db()
    assert not permissions.can(owner, Action.VIEW, b)


# =====================================================================================================================
# Handover pages: who, CSRF, the account
# =====================================================================================================================


def test_the_handover_post_needs_the_csrf_token(named, receiver):  # noqa: F811
    owner = named["owner"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(named["director"])
    response = client.post(
        f"/access/handovers/new/?from={owner.pk}",
        {"from": owner.pk, "customers": [named["a"].pk], "default_to": receiver.pk},
    )
    assert response.status_code == 403
    assert keepers(named["a"])[0] == owner.pk and not Handover.objects.exists()
    page = client.get(f"/access/handovers/new/?from={owner.pk}")
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()


@pytest.mark.parametrize("role", ["owner", "co_owner", "other_manager", "archivist", "clerk", "group_clerk"])
def test_nobody_but_the_director_opens_or_posts_a_handover(client, named, receiver, role):  # noqa: F811
    owner = named["owner"]
    client.force_login(named[role])
    url = f"/access/handovers/new/?from={owner.pk}"
    assert client.get(url).status_code == 403
    body = {"from": owner.pk, "customers": [named["a"].pk], "default_to": receiver.pk, "deactivate": "on"}
    assert client.post(url, body).status_code == 403
    assert keepers(named["a"])[0] == owner.pk and not Handover.objects.exists()
    owner.refresh_from_db()
    assert owner.is_active


def test_the_account_closed_by_the_page_cannot_sign_in_and_its_session_ends(named, receiver):  # noqa: F811
    owner = named["owner"]
    departed = Client()
    assert departed.login(username=owner.username, password=PASSWORD)
    assert departed.get(f"/customers/{named['a'].pk}/").status_code == 200
    director = Client()
    director.force_login(named["director"])
    response = director.post(
        f"/access/handovers/new/?from={owner.pk}",
        {"from": owner.pk, "customers": [named["a"].pk], "default_to": receiver.pk, "deactivate": "on"},
    )
    assert response.status_code == 302
    assert Handover.objects.get().deactivated

    after = departed.get(f"/customers/{named['a'].pk}/")
    assert after.status_code == 302 and after["Location"].startswith("/accounts/login/")
    assert not Client().login(username=owner.username, password=PASSWORD)
    response = Client().post("/accounts/login/", {"username": owner.username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in response.wsgi_request.session


# =====================================================================================================================
# After the handover: what each manager reads and exports
# =====================================================================================================================


@pytest.fixture
def handed(world, receiver, products, filed_a):  # noqa: F811
    """Filed A with a receivable, an open complaint and a credit application (draft) of ``owner``, handed over to
    ``receiver``; and a second customer of ``owner``, handed over to ``receiver`` as well."""
    owner = world["owner"]
    receivable = filed_order(world, products, filed_a, amount="2500.00")
    complaint = complaint_services.complaint_create(
        actor=owner, customer_id=filed_a.pk, data=complaint_data(handler=owner)
    )
    application = credit_services.application_create(
        actor=owner,
        customer_id=filed_a.pk,
        data={
            "requested_limit": Decimal("5000.00"),
            "terms_days": 30,
            "payment_method": "transfer",
            "guarantee": "",
            **scores(),
        },
    )
    contract = make_contract(owner, filed_a, "HT-2026-0555", "交接合同", datetime.date(2026, 1, 8), "800.00")
    second = make_customer(owner, name="第二家交接客户有限公司")
    handover = handover_execute(
        actor=world["director"], from_user=owner, assignments={filed_a.pk: receiver, second.pk: receiver}
    )
    return {
        "a": filed_a,
        "second": second,
        "receivable": receivable,
        "complaint": complaint,
        "application": application,
        "contract": contract,
        "handover": handover,
    }


def test_the_departed_managers_register_export_holds_none_of_the_customers(client, world, receiver, handed):  # noqa: F811
    names = [handed["a"].name, handed["second"].name]

    client.force_login(world["owner"])
    exported = flat(cells(client.get("/customers/export.xlsx")))
    assert not any(name in exported for name in names)
    mine = AccessRecord.objects.get(user=world["owner"], action=AccessRecord.Action.EXPORT)
    assert mine.row_count == 0

    client.force_login(receiver)
    rows = cells(client.get("/customers/export.xlsx"))
    assert all(name in flat(rows) for name in names)
    theirs = AccessRecord.objects.get(user=receiver, action=AccessRecord.Action.EXPORT)
    assert theirs.row_count == 2 == len(rows) - 1


def test_the_departed_manager_reads_none_of_the_records_and_the_receiver_all(client, world, receiver, handed):  # noqa: F811
    a = handed["a"]
    pages = [
        f"/customers/{a.pk}/",
        f"/customers/{a.pk}/history/",
        f"/customers/{a.pk}/catalogue/",
        f"/customers/{a.pk}/export.xlsx",
        f"/contracts/{handed['contract'].pk}/",
        f"/orders/{handed['receivable'].order_id}/",
        f"/credit/receivables/{handed['receivable'].pk}/",
        f"/credit/applications/{handed['application'].pk}/",
        f"/complaints/{handed['complaint'].pk}/",
    ]
    lists = {
        "/customers/": f'href="/customers/{a.pk}/"',
        "/contracts/": f'href="/contracts/{handed["contract"].pk}/"',
        "/orders/": f'href="/orders/{handed["receivable"].order_id}/"',
        "/credit/receivables/": f'href="/credit/receivables/{handed["receivable"].pk}/"',
        "/credit/applications/": f'href="/credit/applications/{handed["application"].pk}/"',
        "/complaints/": f'href="/complaints/{handed["complaint"].pk}/"',
    }
    client.force_login(world["owner"])
    assert {url: client.get(url).status_code for url in pages} == dict.fromkeys(pages, 404)
    for url, link in lists.items():
        response = client.get(url)
        assert response.status_code == 200 and link not in response.content.decode(), url

    client.force_login(receiver)
    assert {url: client.get(url).status_code for url in pages} == dict.fromkeys(pages, 200)
    for url, link in lists.items():
        assert link in client.get(url).content.decode(), url
    # The draft application is the receiver's to finish now.
    assert CreditApplication.objects.get(pk=handed["application"].pk).created_by == receiver


# =====================================================================================================================
# The handover list (交接清单) in Excel, and the handover pages' escaping
# =====================================================================================================================


def test_the_excel_list_of_a_handover_that_does_not_exist_is_a_404_and_registers_nothing(client, world):
    client.force_login(world["director"])
    assert client.get("/access/handovers/999999/list.xlsx").status_code == 404
    assert client.get("/access/handovers/999999/").status_code == 404
    assert not AccessRecord.objects.exists()


def test_the_excel_list_rows_and_names_cannot_start_a_formula(client, world, handed):
    owner, director = world["owner"], world["director"]
    owner.first_name = "@SUM(1+1)*cmd|' /C calc'!A0"
    owner.save()
    evil_receiver = make_user("evil", roles.ACCOUNT_MANAGER, first_name='=HYPERLINK("http://x.example","点")')
    c = make_customer(owner, name="-2+3 有限公司")
    handover = handover_execute(actor=director, from_user=owner, assignments={c.pk: evil_receiver})
    client.force_login(director)

    response = client.get(f"/access/handovers/{handover.pk}/list.xlsx")
    assert response["Content-Type"] == XLSX_TYPE and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(drain(response))).worksheets[0]
    assert sheet.max_row == 2
    row = dict(zip([column.name for column in HANDOVER_COLUMNS], [cell.value for cell in sheet[2]], strict=True))
    assert row["customer"] == "'-2+3 有限公司"
    assert row["from"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["to"] == '\'=HYPERLINK("http://x.example","点")'
    assert all(cell.data_type != "f" for cell in sheet[2])
    record = AccessRecord.objects.get(action=AccessRecord.Action.EXPORT)
    assert (record.user, record.row_count, record.customer) == (director, 1, None)


def test_the_excel_list_blanks_the_figures_of_a_customer_since_moved_to_the_bin(client, world, receiver, handed):  # noqa: F811
    director = world["director"]
    bin_customer(handed["second"], by=receiver, decider=director)
    client.force_login(director)
    header, *data = cells(client.get(f"/access/handovers/{handed['handover'].pk}/list.xlsx"))
    assert header == [str(column.label) for column in HANDOVER_COLUMNS]
    names = [column.name for column in HANDOVER_COLUMNS]
    by_name = {row[names.index("customer")]: dict(zip(names, row, strict=True)) for row in data}
    binned, kept = by_name[handed["second"].name], by_name[handed["a"].name]
    figures = ("grade", "contracts", "orders", "outstanding", "open_complaints")
    assert all(binned[name] is None for name in figures), binned
    assert (binned["role"], binned["to"]) == (str(HandoverItem.Role.OWNER.label), "李四")
    assert (kept["contracts"], kept["orders"], kept["open_complaints"]) == (1, 1, 1)
    assert Decimal(str(kept["outstanding"])) == Decimal("2500.00")


def test_the_handover_pages_escape_names_notes_and_customer_names(client, world):
    owner, director = world["owner"], world["director"]
    owner.first_name = '<script>alert("from")</script>'
    owner.save()
    to = make_user("to", roles.ACCOUNT_MANAGER, first_name="<img src=x onerror=alert(1)>")
    c = make_customer(owner, name='"><script>alert(2)</script>公司')
    client.force_login(director)
    form = client.get(f"/access/handovers/new/?from={owner.pk}").content.decode()
    handover = handover_execute(
        actor=director, from_user=owner, assignments={c.pk: to}, note="</textarea><script>alert(3)</script>"
    )
    detail = client.get(f"/access/handovers/{handover.pk}/").content.decode()
    listing = client.get("/access/handovers/").content.decode()
    for html in (form, detail, listing):
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in detail
    assert "&lt;img src=x onerror=alert(1)&gt;" in detail


def test_the_refused_post_costs_the_same_for_3_and_30_customers(client, world, django_assert_max_num_queries):
    manager = make_user("busy", roles.ACCOUNT_MANAGER)
    customers = [make_customer(manager) for _ in range(3)]
    client.force_login(world["director"])
    url = f"/access/handovers/new/?from={manager.pk}"

    def refused():  # every customer ticked, nobody to receive them: re-rendered with the error
        return client.post(url, {"from": manager.pk, "customers": [c.pk for c in customers]})

    refused()
    with CaptureQueriesContext(connection) as few:
        assert refused().status_code == 200
    customers += [make_customer(manager) for _ in range(27)]
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = refused()
    assert response.status_code == 200 and response.context["form"].errors["default_to"]
    assert len(response.context["form"].rows()) == 30


def test_the_handover_record_page_costs_the_same_for_2_and_20_customers(
    client,
    world,
    receiver,  # noqa: F811
    django_assert_max_num_queries,
):
    owner = world["owner"]
    few = handover_execute(
        actor=world["director"],
        from_user=owner,
        assignments={make_customer(owner).pk: receiver for _ in range(2)},
    )
    many = handover_execute(
        actor=world["director"],
        from_user=owner,
        assignments={make_customer(owner).pk: receiver for _ in range(20)},
    )
    client.force_login(world["director"])
    client.get(f"/access/handovers/{few.pk}/")
    with CaptureQueriesContext(connection) as counted:
        assert client.get(f"/access/handovers/{few.pk}/").status_code == 200
    with django_assert_max_num_queries(len(counted.captured_queries)):
        response = client.get(f"/access/handovers/{many.pk}/")
    assert len(response.context["items"]) == 20


# =====================================================================================================================
# Access log: one row per reading, none for anything else
# =====================================================================================================================


@pytest.fixture
def full_card(world, products, filed_a):  # noqa: F811
    """Filed A with something in every section: contacts, an attachment, a contract, an order and its
    receivable, a credit application, a complaint."""
    owner = world["owner"]
    customer_services.contact_create(
        actor=owner, customer_id=filed_a.pk, data={"name": "王经理", "phone": "13800000000"}
    )
    customer_services.attachment_create(
        actor=owner,
        customer_id=filed_a.pk,
        upload=upload("licence.png", image_bytes(), "image/png"),
        kind="licence",
        title="营业执照",
    )
    make_contract(
        owner,
        filed_a,
        "HT-2026-0777",
        "全卡合同",
        datetime.date(2026, 1, 8),
        "900.00",
        upload=upload("合同.pdf", pdf_bytes(), "application/pdf"),
    )
    filed_order(world, products, filed_a, amount="700.00")
    credit_services.application_create(
        actor=owner,
        customer_id=filed_a.pk,
        data={
            "requested_limit": Decimal("5000.00"),
            "terms_days": 30,
            "payment_method": "transfer",
            "guarantee": "",
            **scores(),
        },
    )
    complaint_services.complaint_create(actor=owner, customer_id=filed_a.pk, data=complaint_data(handler=owner))
    return filed_a


def test_a_card_with_every_section_filled_leaves_exactly_one_row(client, world, full_card):
    client.force_login(world["co_owner"])
    response = client.get(f"/customers/{full_card.pk}/")
    assert response.status_code == 200
    assert "HT-2026-0777" in response.content.decode()  # the sections did render
    (record,) = AccessRecord.objects.all()
    assert (record.user, record.customer, record.action) == (world["co_owner"], full_card, AccessRecord.Action.VIEW)


def test_a_head_request_reads_nothing_and_leaves_no_row(client, world):
    attachment = customer_services.attachment_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        upload=upload("licence.png", image_bytes(), "image/png"),
        kind="licence",
        title="营业执照",
    )
    client.force_login(world["owner"])
    assert client.head(f"/customers/{world['a'].pk}/").status_code == 200
    assert client.head(f"/customers/{world['a'].pk}/attachments/{attachment.pk}/").status_code == 200
    assert AccessRecord.objects.count() == 0


def test_an_options_request_leaves_no_row(client, world):
    client.force_login(world["owner"])
    assert client.options(f"/customers/{world['a'].pk}/").status_code == 200
    assert AccessRecord.objects.count() == 0


def test_redirects_missing_cards_and_other_methods_leave_no_row(client, world):
    # Signed out: sent to the login page before the view runs.
    response = client.get(f"/customers/{world['a'].pk}/")
    assert response.status_code == 302
    client.force_login(world["owner"])
    assert client.post(f"/customers/{world['a'].pk}/").status_code == 405
    assert client.post(f"/customers/{world['a'].pk}/history/").status_code == 405
    assert client.get("/customers/99999999/").status_code == 404
    assert client.get("/customers/99999999/history/").status_code == 404
    assert client.get(f"/customers/{world['a'].pk}/attachments/99999999/").status_code == 404
    assert AccessRecord.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "/credit/payments/",
        "/credit/overdue/",
        "/complaints/returns/",
        "/complaints/discounts/",
        "/complaints/churn/",
        "/approvals/",
        "/approvals/mine/",
        "/recycle-bin/",
        "/access/requests/",
        "/access/handovers/",
        "/access/log/",
        "/customers/?q=测试&page=1",
    ],
)
def test_more_lists_register_nothing(client, world, url):
    client.force_login(world["director"])
    assert client.get(url).status_code == 200
    assert AccessRecord.objects.count() == 0


def test_an_attachment_of_another_customer_behind_a_readable_one_is_a_404_and_no_row(client, world):
    owner, other = world["owner"], world["other_manager"]
    of_b = customer_services.attachment_create(
        actor=other,
        customer_id=world["b"].pk,
        upload=upload("b.png", image_bytes(), "image/png"),
        kind="licence",
        title="B 的营业执照",
    )
    # The owner reads A but not B: A's address with B's attachment.
    client.force_login(owner)
    assert client.get(f"/customers/{world['a'].pk}/attachments/{of_b.pk}/").status_code == 404
    # Even the director, who reads both, gets only an attachment through its own customer.
    client.force_login(world["director"])
    assert client.get(f"/customers/{world['a'].pk}/attachments/{of_b.pk}/").status_code == 404
    assert AccessRecord.objects.count() == 0
    response = client.get(f"/customers/{world['b'].pk}/attachments/{of_b.pk}/")
    drain(response)
    assert AccessRecord.objects.get().customer == world["b"]


def _request(address="192.0.2.10", **meta):
    request = RequestFactory().get("/anything/", REMOTE_ADDR=address, **meta)
    return request


def test_a_view_that_raises_writes_nothing_and_the_error_goes_on(world):
    def view(request):
        access_log.register(request, AccessRecord.Action.VIEW, customer=world["a"])
        raise RuntimeError("broken while building the page")

    request = _request()
    request.user = world["owner"]
    with pytest.raises(RuntimeError):
        access_log.AccessLogMiddleware(view)(request)
    assert AccessRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"REMOTE_ADDR": None}, None),
        ({"REMOTE_ADDR": ""}, None),
        ({"REMOTE_ADDR": " 10.1.2.3 "}, "10.1.2.3"),
        ({"REMOTE_ADDR": "10.1.2.3:5555"}, None),
        ({"REMOTE_ADDR": "999.1.1.1"}, None),
        ({"REMOTE_ADDR": "::1"}, "::1"),
        ({"REMOTE_ADDR": "2001:db8::1"}, "2001:db8::1"),
        ({"REMOTE_ADDR": "fe80::1%eth0"}, "fe80::1"),
        ({"REMOTE_ADDR": "<script>"}, None),
    ],
)
def test_the_address_is_stored_when_it_is_one_and_left_out_otherwise(world, meta, expected):
    request = RequestFactory().get("/anything/")
    if meta["REMOTE_ADDR"] is None:
        request.META.pop("REMOTE_ADDR", None)
    else:
        request.META["REMOTE_ADDR"] = meta["REMOTE_ADDR"]
    request.user = world["owner"]

    def view(request):
        access_log.register(request, AccessRecord.Action.VIEW, customer=world["a"])
        return HttpResponse("card")

    assert access_log.AccessLogMiddleware(view)(request).status_code == 200
    record = AccessRecord.objects.get()
    assert record.address == expected


# =====================================================================================================================
# The audit page: filters at their limits, escaping
# =====================================================================================================================


@pytest.fixture
def rows(world):
    make = AccessRecord.objects.create
    return [
        make(user=world["owner"], user_name="owner", action=AccessRecord.Action.VIEW, customer=world["a"]),
        make(user=world["clerk"], user_name="clerk", action=AccessRecord.Action.EXPORT, query="grade=A", row_count=3),
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"user": "99999999999999999999"},
        {"user": "abc"},
        {"user": "-1"},
        {"action": "delete"},
        {"date_from": "2026-13-01"},
        {"date_to": "15/07/2026"},
    ],
)
def test_a_wrong_filter_is_a_form_error_on_the_page_and_a_400_for_the_export(client, world, rows, params):
    client.force_login(world["director"])
    response = client.get(LOG, params)
    assert response.status_code == 200
    (field,) = params
    assert response.context["filter"].errors[field]
    assert list(response.context["object_list"]) == []
    assert client.get(LOG_EXPORT, params).status_code == 400
    assert AccessRecord.objects.count() == len(rows)


@pytest.mark.parametrize(
    "customer", ["999999999999999999", "9999999999999999999999", "0", "  ", "%_", "'; DROP TABLE x; --"]
)
def test_any_customer_text_is_searched_without_error(client, world, rows, customer):
    client.force_login(world["director"])
    response = client.get(LOG, {"customer": customer})
    assert response.status_code == 200
    expected = [] if customer.strip() else [r.pk for r in reversed(rows)]
    assert [r.pk for r in response.context["object_list"]] == expected
    assert client.get(LOG_EXPORT, {"customer": customer}).status_code == 200


@pytest.mark.parametrize("params", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}])
def test_a_date_at_the_calendars_edge_is_a_form_error_not_a_500(world, rows, params):
    client = Client(raise_request_exception=False)
    client.force_login(world["director"])
    response = client.get(LOG, params)
    assert response.status_code == 200
    (field,) = params
    assert response.context["filter"].errors[field]
    assert client.get(LOG_EXPORT, params).status_code == 400
    assert AccessRecord.objects.count() == len(rows)


def test_far_but_real_dates_still_filter(client, world, rows):
    client.force_login(world["director"])
    everything = {"date_from": "1900-01-01", "date_to": "9998-12-31"}
    assert len(client.get(LOG, everything).context["object_list"]) == len(rows)
    assert client.get(LOG, {"date_from": "9998-12-31"}).context["object_list"].__len__() == 0
    assert client.get(LOG, {"date_to": "1900-01-01"}).context["object_list"].__len__() == 0


def test_the_audit_page_escapes_names_contents_and_filters(client, world):
    sly = make_user("sly", roles.CLERK, first_name='<script>alert("u")</script>', last_name="\"'")
    AccessRecord.objects.create(
        user=sly,
        user_name=sly.get_full_name(),
        action=AccessRecord.Action.DOWNLOAD,
        customer=world["a"],
        what='<img src=x onerror=alert("w")> · "q\'',
    )
    client.force_login(sly)
    # A real export whose filter carries markup: stored encoded, shown decoded, escaped.
    AccessRecord.objects.create(
        user=sly,
        user_name=sly.get_full_name(),
        action=AccessRecord.Action.EXPORT,
        query="q=%3Cscript%3Ealert%28%22q%22%29%3C%2Fscript%3E&x=%22%3E%3Cb%3E",
        row_count=0,
    )
    client.force_login(world["director"])
    html = client.get(LOG).content.decode()
    for payload in ('<script>alert("u")', '<img src=x onerror=alert("w")>', '<script>alert("q")', '"><b>'):
        assert payload not in html
    assert "&lt;script&gt;alert(&quot;u&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(&quot;w&quot;)&gt;" in html
    html = client.get(LOG, {"customer": '"><script>alert(9)</script>'}).content.decode()
    assert "<script>alert(9)" not in html


@pytest.mark.parametrize("role", ["owner", "co_owner", "other_manager", "archivist", "clerk", "group_clerk"])
def test_the_audit_page_and_its_export_are_refused_and_register_nothing(client, world, rows, role):
    client.force_login(world[role])
    assert client.get(LOG).status_code == 403
    assert client.get(LOG_EXPORT).status_code == 403
    assert client.get(LOG_EXPORT, {"action": "view"}).status_code == 403
    assert AccessRecord.objects.count() == len(rows)


def test_the_audit_export_registers_itself_once_with_its_rows(client, world, rows):
    client.force_login(world["director"])
    response = client.get(LOG_EXPORT, {"user": world["owner"].pk})
    data = cells(response)
    assert len(data) == 2  # the header and the owner's one row
    own = AccessRecord.objects.filter(user=world["director"])
    assert own.count() == 1
    assert (own.get().action, own.get().row_count) == (AccessRecord.Action.EXPORT, 1)
    assert own.get().query == f"/access/log/?user={world['owner'].pk}"


def test_the_exported_period_is_whole_days_in_shanghai_too(client, world):
    shanghai = ZoneInfo("Asia/Shanghai")
    moments = [
        datetime.datetime(2026, 7, 14, 23, 59, 59, tzinfo=shanghai),
        datetime.datetime(2026, 7, 15, 0, 0, 0, tzinfo=shanghai),
        datetime.datetime(2026, 7, 15, 23, 59, 59, tzinfo=shanghai),
        datetime.datetime(2026, 7, 16, 0, 0, 0, tzinfo=shanghai),
    ]
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            AccessRecord.objects.create(
                user=world["owner"], user_name="owner", action=AccessRecord.Action.VIEW, customer=world["a"]
            )
    client.force_login(world["director"])
    params = {"date_from": "2026-07-15", "date_to": "2026-07-15"}
    header, *data = cells(client.get(LOG_EXPORT, params))
    times = sorted(row[0] for row in data)
    assert times == [datetime.datetime(2026, 7, 15, 0, 0), datetime.datetime(2026, 7, 15, 23, 59, 59)]
    assert AccessRecord.objects.get(user=world["director"]).row_count == 2


# ---- Names longer than the name columns ------------------------------------------------------------------------


@pytest.fixture
def long_named(world):
    """An account whose full name (first 150 + last 150 characters, as the admin allows) is longer than the 150
    characters every name column of the archive keeps."""
    return make_user("long", roles.ACCOUNT_MANAGER, first_name="长" * 150, last_name="名" * 150)


def test_a_reader_with_a_very_long_name_still_opens_a_card_and_is_logged(world, long_named):
    permissions.grant(world["b"], long_named, actor=world["director"])
    client = Client(raise_request_exception=False)
    client.force_login(long_named)
    assert client.get(f"/customers/{world['b'].pk}/").status_code == 200
    record = AccessRecord.objects.get()
    assert record.user == long_named and record.user_name == long_named.get_full_name()[:150]


def test_a_handover_of_a_very_long_named_manager_goes_through(world, long_named):
    customer = make_customer(long_named)
    handover = handover_execute(
        actor=world["director"], from_user=long_named, assignments={customer.pk: world["other_manager"]}
    )
    handover.refresh_from_db()
    assert len(handover.from_name) <= 150
    assert keepers(customer)[0] == world["other_manager"].pk
