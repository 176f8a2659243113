"""The contract, order and product pages: the permission matrix, forged posts, list totals, the forms."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils.translation import gettext

from archive.choices import FilingStatus
from contracts import services
from contracts.forms import ContractForm
from contracts.models import Contract, Order, OrderLine
from customers.models import Customer

from ..helpers import LOGIN, SIGNED_IN, assert_matrix, file_through_approval, form_data, pdf_bytes, upload
from .conftest import make_contract, order_lines

pytestmark = pytest.mark.django_db

SEES_A = {"director", "archivist", "owner", "co_owner", "granted_manager", "group_clerk", "admin"}
CHANGES_A = {"director", "owner", "co_owner", "admin"}
KEEPS_SOMEONE = {"director", "owner", "co_owner", "other_manager", "admin"}
KEEPS_PRODUCTS = {"director", "archivist", "admin"}


def _row(allowed: set, refused: int) -> dict:
    return {"anonymous": LOGIN, **{role: 200 if role in allowed else refused for role in SIGNED_IN}}


def _read_a(seen=200):
    """Pages of an entry of A: those who see A read it; the rest get a 404 that confirms nothing."""
    return {"anonymous": LOGIN, **{role: seen if role in SEES_A else 404 for role in SIGNED_IN}}


def _edit_a():
    """Edit pages of an entry of A: keepers edit; readers who may not change get 403; the rest 404."""
    cells = {"anonymous": LOGIN}
    for role in SIGNED_IN:
        cells[role] = 200 if role in CHANGES_A else 403 if role in SEES_A else 404
    return cells


@pytest.fixture
def contract_with_file(world):
    scan = upload("合同.pdf", pdf_bytes("signed contract"), "application/pdf")
    return make_contract(
        world["owner"], world["a"], "HT-2026-0100", "带扫描件的合同", datetime.date(2026, 1, 8), "1000.00", upload=scan
    )


def test_the_lists_and_catalogue_are_open_to_every_signed_in_user(client, people, world):
    for url in ("/contracts/", "/orders/", "/products/"):
        assert_matrix(client, people, url, _row(set(SIGNED_IN), 200))


def test_the_permission_matrix_of_one_contract_and_one_order(client, people, world, contract_with_file, order_a):
    assert_matrix(client, people, f"/contracts/{contract_with_file.pk}/", _read_a())
    assert_matrix(client, people, f"/contracts/{contract_with_file.pk}/file/", _read_a())
    assert_matrix(client, people, f"/orders/{order_a.pk}/", _read_a())
    assert_matrix(client, people, f"/contracts/{contract_with_file.pk}/edit/", _edit_a())
    assert_matrix(client, people, f"/orders/{order_a.pk}/edit/", _edit_a())


def test_new_entries_are_open_to_those_who_keep_a_customer(client, people, world):
    for url in ("/contracts/new/", "/orders/new/"):
        assert_matrix(client, people, url, _row(KEEPS_SOMEONE, 403))
    assert_matrix(client, people, "/products/new/", _row(KEEPS_PRODUCTS, 403))


def test_only_a_director_grades_customers(client, people, world):
    cells = {"anonymous": LOGIN}
    for role in SIGNED_IN:
        cells[role] = 302 if role in {"director", "admin"} else 403
    assert_matrix(client, people, "/grading/", cells, method="post")


def test_an_entry_in_the_recycle_bin_or_of_a_binned_customer_is_a_404(client, world, order_a):
    Order.all_objects.filter(pk=order_a.pk).update(deleted_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC))
    client.force_login(world["director"])
    assert client.get(f"/orders/{order_a.pk}/").status_code == 404
    assert "HT-" not in client.get("/orders/").content.decode()


def test_the_signed_file_is_served_only_through_the_rights_check(client, world, contract_with_file, contract_a):
    client.force_login(world["group_clerk"])
    response = client.get(f"/contracts/{contract_with_file.pk}/file/?download=1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert client.get(f"/contracts/{contract_a.pk}/file/").status_code == 404  # no file on record
    client.force_login(world["other_manager"])
    assert client.get(f"/contracts/{contract_with_file.pk}/file/").status_code == 404


# ---- Forged posts -----------------------------------------------------------------------------------------------


def _order_body(customer, products, *lines, **fields):
    body = {
        "customer": customer.pk if customer else "",
        "ordered_on": "2026-04-01",
        "reference": "",
        "contract": "",
        "settlement": "unsettled",
        "note": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
        **fields,
    }
    for index, (code, quantity, price, discount) in enumerate(lines):
        body.update(
            {
                f"lines-{index}-product": products[code].pk,
                f"lines-{index}-specification": "",
                f"lines-{index}-quantity": quantity,
                f"lines-{index}-unit_price": price,
                f"lines-{index}-discount": discount,
            }
        )
    return body


def test_a_forged_post_against_another_managers_order_changes_nothing(client, world, products, order_a):
    client.force_login(world["other_manager"])
    before = (Order.history.count(), OrderLine.history.count())
    body = _order_body(None, products, ("P-100", "99", "1.00", "0"), reference="forged")
    body.pop("customer")
    response = client.post(f"/orders/{order_a.pk}/edit/", body)
    assert response.status_code == 404
    response = client.post(f"/entries/contracts.order/{order_a.pk}/submit/")
    assert response.status_code == 404
    response = client.post(f"/entries/contracts.order/{order_a.pk}/delete/", {"note": "forged"})
    assert response.status_code == 404
    order_a.refresh_from_db()
    assert order_a.reference == "" and order_a.status == FilingStatus.DRAFT and order_a.total == Decimal("3372.99")
    assert (Order.history.count(), OrderLine.history.count()) == before


def test_a_manager_cannot_enter_an_order_for_another_managers_customer(client, world, products):
    client.force_login(world["other_manager"])
    response = client.post("/orders/new/", _order_body(world["a"], products, ("P-100", "1", "3280", "0")))
    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert not Order.all_objects.filter(customer=world["a"]).exists()
    # The customer is not even among the choices offered.
    assert str(world["a"].pk) not in [
        str(value) for value, _label in response.context["form"].fields["customer"].choices
    ]


def test_a_reader_who_may_not_change_gets_403_on_post(client, world, products, order_a):
    client.force_login(world["granted_manager"])
    response = client.post(f"/orders/{order_a.pk}/edit/", _order_body(None, products, ("P-100", "1", "1", "0")))
    assert response.status_code == 403
    order_a.refresh_from_db()
    assert order_a.total == Decimal("3372.99")


# ---- Lists ------------------------------------------------------------------------------------------------------


@pytest.fixture
def orders_on_both(world, products, order_a, order_b):
    extra = services.order_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        data={"ordered_on": datetime.date(2025, 12, 30)},
        lines=order_lines(products, ("P-300", "1.5", "415.50", "10")),
    )
    return [order_a, order_b, extra]


def _totals(response):
    content = response.content.decode()
    amount = re.search(r'id="totals-amount">([^<]*)<', content).group(1)
    return amount


@pytest.mark.parametrize("role", ["owner", "other_manager", "director", "group_clerk", "clerk"])
def test_list_totals_are_the_sum_of_the_rows_the_user_may_see(client, world, orders_on_both, role):
    client.force_login(world[role])
    response = client.get("/orders/")
    visible = list(response.context["filter"].qs)
    expected = sum((order.total for order in visible), Decimal("0.00"))
    assert response.context["totals"] == {"count": len(visible), "amount": expected}
    assert _totals(response) == f"¥{expected:,.2f}"
    readable = {c.pk for c in Customer.objects.all() if world[role].has_perm("customers.view_all_customers")}
    readable |= {world["a"].pk} if role in SEES_A else set()
    readable |= {world["b"].pk} if role in {"other_manager", "director"} else set()
    assert {order.customer_id for order in visible} <= readable
    assert len(visible) == sum(1 for order in orders_on_both if order.customer_id in readable)


def test_the_order_filters(client, world, products, orders_on_both):
    client.force_login(world["director"])
    by_product = client.get("/orders/", {"product": products["P-300"].pk}).context["filter"].qs
    assert {o.pk for o in by_product} == {orders_on_both[1].pk, orders_on_both[2].pk}
    by_date = client.get("/orders/", {"ordered_from": "2026-01-01", "ordered_to": "2026-03-03"}).context["filter"].qs
    assert [o.pk for o in by_date] == [orders_on_both[0].pk]
    by_owner = client.get("/orders/", {"owner": world["other_manager"].pk}).context["filter"].qs
    assert [o.pk for o in by_owner] == [orders_on_both[1].pk]
    by_customer = client.get("/orders/", {"customer": world["a"].pk, "sort": "total"})
    assert [o.total for o in by_customer.context["filter"].qs] == [Decimal("560.93"), Decimal("3372.99")]
    assert by_customer.context["totals"]["amount"] == Decimal("3933.92")
    assert world["a"].name in by_customer.content.decode()  # "only the customer …" banner


def test_the_contract_list_filters_and_totals(client, world, contract_a, contract_b):
    client.force_login(world["owner"])
    response = client.get("/contracts/")
    assert [c.pk for c in response.context["filter"].qs] == [contract_a.pk]
    assert response.context["totals"]["amount"] == Decimal("500000.00")
    client.force_login(world["director"])
    assert [c.pk for c in client.get("/contracts/").context["filter"].qs] == [contract_a.pk, contract_b.pk]
    assert [c.pk for c in client.get("/contracts/", {"q": "设备"}).context["filter"].qs] == [contract_b.pk]
    assert [c.pk for c in client.get("/contracts/", {"signed_from": "2026-01-20"}).context["filter"].qs] == [
        contract_b.pk
    ]
    bad = client.get("/contracts/", {"signed_from": "not-a-date"})
    assert bad.status_code == 200 and bad.context["form"].errors if "form" in bad.context else True


# ---- Forms ------------------------------------------------------------------------------------------------------


def test_an_order_with_two_lines_is_entered_through_the_form(client, world, products):
    client.force_login(world["owner"])
    response = client.post(
        "/orders/new/",
        _order_body(world["a"], products, ("P-200", "3", "33.33", "7"), ("P-300", "2", "415.50", "")),
    )
    order = Order.objects.get(customer=world["a"])
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    assert order.total == Decimal("923.99")
    assert [(line.position, line.amount) for line in order.lines.all()] == [
        (1, Decimal("92.99")),
        (2, Decimal("831.00")),
    ]
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "¥923.99" in page and "¥92.99" in page


def test_a_bad_order_form_keeps_what_was_typed_and_says_what_is_wrong(client, world, products):
    client.force_login(world["owner"])
    response = client.post(
        "/orders/new/", _order_body(world["a"], products, ("P-200", "-3", "33.33", "7"), ("P-100", "1", "abc", "0"))
    )
    assert response.status_code == 200
    lines = response.context["lines"]
    assert lines.forms[0].errors["quantity"] and lines.forms[1].errors["unit_price"]
    content = response.content.decode()
    assert 'value="-3"' in content and 'value="abc"' in content  # nothing typed is lost
    assert not Order.all_objects.exists()
    empty = client.post("/orders/new/", _order_body(world["a"], products))
    assert gettext("An order needs at least one line.") in empty.content.decode()


def test_a_filed_order_form_proposes_a_change_and_shows_the_lines_as_filed(client, world, filed_a, order_a):
    order = file_through_approval(order_a, author=world["owner"], decider=world["director"])
    client.force_login(world["owner"])
    page = client.get(f"/orders/{order.pk}/edit/")
    assert page.context["lines"] is None and "reason" in page.context["form"].fields
    response = client.post(
        f"/orders/{order.pk}/edit/",
        {
            "ordered_on": "2026-03-02",
            "settlement": "settled",
            "reference": "",
            "contract": "",
            "note": "",
            "reason": "",
        },
    )
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(
        f"/orders/{order.pk}/edit/",
        {
            "ordered_on": "2026-03-02",
            "settlement": "settled",
            "reference": "",
            "contract": "",
            "note": "",
            "reason": "已回款",
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.settlement == "unsettled"
    assert order.pk in [r.object_id for r in __import__("archive.filing", fromlist=["x"]).entry_requests(order)]


def test_a_conflicting_contract_edit_is_refused_with_what_changed(client, world, contract_a):
    client.force_login(world["owner"])
    form = client.get(f"/contracts/{contract_a.pk}/edit/").context["form"]
    body = form_data(form, title="我的标题")
    services.contract_update(actor=world["co_owner"], contract_id=contract_a.pk, data={"title": "同事改过的标题"})
    response = client.post(f"/contracts/{contract_a.pk}/edit/", body)
    assert response.status_code == 200
    assert response.context["conflict"].by
    assert "同事改过的标题" in response.content.decode()
    contract_a.refresh_from_db()
    assert contract_a.title == "同事改过的标题"


def test_the_contract_form_reports_a_bad_file_by_field(client, world):
    client.force_login(world["owner"])
    body = form_data(ContractForm(user=world["owner"]), customer=world["a"].pk, number="HT-X", title="t")
    body.update(signed_on="2026-01-01", starts_on="2026-01-01", amount="10", state="in_force")
    body["upload"] = upload("合同.pdf", b"not a pdf at all", "application/pdf")
    response = client.post("/contracts/new/", body)
    assert response.status_code == 200
    assert response.context["form"].errors["upload"]
    assert not Contract.all_objects.exists()
