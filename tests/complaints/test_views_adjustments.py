"""The return (退赔) and discount (折价) pages, and the discounts panel of the order and contract pages.

The permission matrix, the list filters and totals, a return at the edge of what was ordered, the default
amounts, what counts against a new return, the approval re-check, discounts by percentage and by amount up to
the approval that shows the net total on the order page, and a constant query count on that page.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from archive import filing
from archive.choices import FilingStatus
from archive.models import FilingRequest
from complaints import services
from complaints.models import Discount, Return, ReturnLine
from contracts import services as contract_services

from ..helpers import LOGIN, SIGNED_IN, assert_matrix, file_through_approval, queries_text, shown_messages
from .conftest import ORDER_DAY, filed_order, order_lines, return_data, return_lines

pytestmark = pytest.mark.django_db

SEES_A = {"director", "archivist", "owner", "co_owner", "granted_manager", "group_clerk", "admin"}
CHANGES_A = {"director", "owner", "co_owner", "admin"}
KEEPS_SOMEONE = {"director", "owner", "co_owner", "other_manager", "admin"}


def _read_a() -> dict:
    """A page of an entry of A: those who see A read it; the rest get a 404 that confirms nothing."""
    return {"anonymous": LOGIN, **{role: 200 if role in SEES_A else 404 for role in SIGNED_IN}}


def _write_a(allowed: int = 200) -> dict:
    """A page that writes on A: its keepers; readers who may not change it 403; the rest 404."""
    return {
        "anonymous": LOGIN,
        **{role: allowed if role in CHANGES_A else 403 if role in SEES_A else 404 for role in SIGNED_IN},
    }


def _row(allowed: set, refused: int) -> dict:
    return {"anonymous": LOGIN, **{role: 200 if role in allowed else refused for role in SIGNED_IN}}


def _return_body(order, *quantities, amounts=(), **fields) -> dict:
    """The return form's POST body: header fields, then the n-th quantity (and amount) for the n-th line."""
    body = {
        "kind": "return",
        "returned_on": (ORDER_DAY + datetime.timedelta(days=10)).isoformat(),
        "reason_category": "defect",
        "reason": "密封面砂眼，退回。",
        "complaint": "",
        **fields,
    }
    for index, line in enumerate(order.lines.order_by("position")):
        body[f"line-{line.pk}-quantity"] = quantities[index] if index < len(quantities) else ""
        body[f"line-{line.pk}-amount"] = amounts[index] if index < len(amounts) else ""
    return body


def _discount_body(**fields) -> dict:
    return {"mode": "percent", "percent": "", "amount": "", "reason": "质量问题补偿", "complaint": "", **fields}


def _create_return(client, order, *quantities, **kwargs):
    return client.post(f"/complaints/returns/new/?order={order.pk}", _return_body(order, *quantities, **kwargs))


def _request_of(entry) -> FilingRequest:
    return FilingRequest.objects.get(
        content_type__model=entry._meta.model_name, object_id=entry.pk, state=FilingRequest.State.PENDING
    )


def _text(response) -> str:
    """The page's text without tags, with runs of blanks made one."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def draft_return(world, order_a):
    return services.return_create(
        actor=world["owner"], order_id=order_a.pk, data=return_data(), lines=return_lines(order_a, "2")
    )


@pytest.fixture
def pending_discount(world, order_a):
    return services.discount_request(
        actor=world["owner"],
        order_id=order_a.pk,
        data={"mode": "amount", "amount": Decimal("100.00"), "reason": "运输破损补偿"},
    )


@pytest.fixture
def returned_discount(world, pending_discount):
    filing.request_return(actor=world["director"], request_id=_request_of(pending_discount).pk, comment="比例过高")
    pending_discount.refresh_from_db()
    return pending_discount


@pytest.fixture
def draft_order_a(world, products, filed_a):
    return contract_services.order_create(
        actor=world["owner"],
        customer_id=filed_a.pk,
        data={"ordered_on": ORDER_DAY},
        lines=order_lines(products, ("P-300", "1", "415.50", "0")),
    )


# ---- Who sees what ----------------------------------------------------------------------------------------------


def test_the_lists_are_open_to_every_signed_in_user(client, people, world):
    for url in ("/complaints/returns/", "/complaints/discounts/"):
        assert_matrix(client, people, url, _row(set(SIGNED_IN), 200))


def test_the_pages_of_a_return_of_A(client, people, world, order_a, draft_return):
    assert_matrix(client, people, f"/complaints/returns/{draft_return.pk}/", _read_a())
    assert_matrix(client, people, f"/complaints/returns/{draft_return.pk}/edit/", _write_a())
    assert_matrix(client, people, f"/complaints/returns/new/?order={order_a.pk}", _write_a())


def test_the_pages_of_a_discount_of_A(client, people, world, order_a, contract_a, returned_discount):
    assert_matrix(client, people, f"/complaints/discounts/{returned_discount.pk}/", _read_a())
    assert_matrix(client, people, f"/complaints/discounts/{returned_discount.pk}/edit/", _write_a())
    assert_matrix(client, people, f"/complaints/discounts/new/?order={order_a.pk}", _write_a())
    assert_matrix(client, people, f"/complaints/discounts/new/?contract={contract_a.pk}", _write_a())


def test_the_choosers_are_for_those_who_keep_a_customer(client, people, world):
    for url in ("/complaints/returns/new/", "/complaints/discounts/new/"):
        assert_matrix(client, people, url, _row(KEEPS_SOMEONE, 403))


def test_the_order_and_contract_pages_render_with_their_panel(client, people, world, order_a, contract_a):
    services.discount_request(
        actor=world["owner"],
        contract_id=contract_a.pk,
        data={"mode": "percent", "percent": Decimal("1"), "reason": "年度返利"},
    )
    assert_matrix(client, people, f"/orders/{order_a.pk}/", _read_a())
    assert_matrix(client, people, f"/contracts/{contract_a.pk}/", _read_a())
    client.force_login(world["owner"])
    page = client.get(f"/contracts/{contract_a.pk}/").content.decode()
    assert 'id="discount-panel"' in page and "−¥5,000.00" in page
    assert f"/complaints/discounts/new/?contract={contract_a.pk}" in page
    client.force_login(world["granted_manager"])
    page = client.get(f"/orders/{order_a.pk}/").content.decode()
    assert 'id="after-sales-actions"' not in page  # a reader is not offered to write


def test_read_only_users_cannot_write(client, world, order_a, draft_return, returned_discount):
    before = (Return.all_objects.count(), Discount.all_objects.count(), ReturnLine.history.count())
    for role in ("granted_manager", "group_clerk"):
        client.force_login(world[role])
        assert _create_return(client, order_a, "1").status_code == 403
        response = client.post(f"/complaints/returns/{draft_return.pk}/edit/", _return_body(order_a, "5"))
        assert response.status_code == 403
        response = client.post(f"/complaints/discounts/new/?order={order_a.pk}", _discount_body(percent="5"))
        assert response.status_code == 403
        response = client.post(
            f"/complaints/discounts/{returned_discount.pk}/edit/", _discount_body(mode="amount", amount="1")
        )
        assert response.status_code == 403
    assert (Return.all_objects.count(), Discount.all_objects.count(), ReturnLine.history.count()) == before
    returned_discount.refresh_from_db()
    assert returned_discount.amount == Decimal("100.00")


@pytest.mark.parametrize("role", ["clerk", "other_manager"])
def test_unseen_users_get_404_everywhere_on_As_entries(client, world, role, order_a, draft_return, returned_discount):
    client.force_login(world[role])
    for url in (
        f"/complaints/returns/{draft_return.pk}/",
        f"/complaints/returns/{draft_return.pk}/edit/",
        f"/complaints/returns/new/?order={order_a.pk}",
        f"/complaints/discounts/{returned_discount.pk}/",
        f"/complaints/discounts/{returned_discount.pk}/edit/",
        f"/complaints/discounts/new/?order={order_a.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert _create_return(client, order_a, "1").status_code == 404
    response = client.post(f"/complaints/discounts/new/?order={order_a.pk}", _discount_body(percent="5"))
    assert response.status_code == 404
    assert Return.all_objects.count() == 1 and Discount.all_objects.count() == 1
    # A's order is not offered in the chooser of a manager who keeps only B.
    if role == "other_manager":
        assert f'value="{order_a.pk}"' not in client.get("/complaints/returns/new/").content.decode()


def test_an_order_that_is_not_filed_is_refused_with_a_message(client, world, draft_order_a):
    client.force_login(world["owner"])
    for url in (
        f"/complaints/returns/new/?order={draft_order_a.pk}",
        f"/complaints/discounts/new/?order={draft_order_a.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == f"/orders/{draft_order_a.pk}/"
    response = _create_return(client, draft_order_a, "1")
    assert response.status_code == 302
    assert (40, _("Only goods of a filed order can be returned: submit the order for approval first.")) in (
        shown_messages(response)
    )
    assert not Return.all_objects.exists() and not Discount.all_objects.exists()


def test_the_chooser_lists_the_users_filed_orders_and_searches_by_customer(client, world, order_a, draft_order_a):
    client.force_login(world["owner"])
    page = client.get("/complaints/returns/new/").content.decode()
    assert f'<option value="{order_a.pk}">' in page and f'<option value="{draft_order_a.pk}">' not in page
    page = client.get("/complaints/returns/new/?q=no-such-customer").content.decode()
    assert f'<option value="{order_a.pk}">' not in page and 'id="chooser-empty"' in page
    page = client.get(f"/complaints/returns/new/?q={world['a'].name[:2]}").content.decode()
    assert f'<option value="{order_a.pk}">' in page


# ---- Returns ----------------------------------------------------------------------------------------------------


def test_a_return_takes_back_at_most_what_is_left_of_the_line(client, world, order_a):
    owner, director = world["owner"], world["director"]
    first = services.return_create(
        actor=owner, order_id=order_a.pk, data=return_data(), lines=return_lines(order_a, "4")
    )
    file_through_approval(first, author=owner, decider=director)
    client.force_login(owner)

    form = client.get(f"/complaints/returns/new/?order={order_a.pk}")
    line_1 = order_a.lines.get(position=1)
    row = form.content.decode().split(f'id="line-row-{line_1.pk}"')[1].split("</tr>")[0]
    assert ">4<" in row.replace(" ", "") and ">6<" in row.replace(" ", "")  # already returned 4, 6 left

    before = (Return.all_objects.count(), ReturnLine.history.count())
    refused = _create_return(client, order_a, "6.001")
    assert refused.status_code == 200
    message = _(
        "Line %(position)s (%(product)s): at most %(left)s can still be returned "
        "(ordered %(ordered)s, already returned %(returned)s)."
    ) % {"position": 1, "product": "不锈钢法兰", "left": "6.000", "ordered": "10.000", "returned": "4.000"}
    page = refused.content.decode()
    assert f'id="line-problem-{line_1.pk}"' in page
    assert message in page.split(f'id="line-problem-{line_1.pk}"')[1].split("</tr>")[0]
    assert 'value="6.001"' in page  # what was typed is kept
    assert (Return.all_objects.count(), ReturnLine.history.count()) == before

    accepted = _create_return(client, order_a, "6")
    entry = Return.objects.latest("pk")
    assert accepted.status_code == 302 and accepted["Location"] == f"/complaints/returns/{entry.pk}/"
    assert entry.status == FilingStatus.DRAFT
    assert [(line.quantity, line.amount) for line in entry.lines.all()] == [(Decimal("6.000"), Decimal("185.98"))]


def test_amounts_default_to_quantity_times_the_net_unit_price(client, world, order_a):
    client.force_login(world["owner"])
    response = _create_return(client, order_a, "3", "1", kind="compensation")
    assert response.status_code == 302
    entry = Return.objects.get()
    # 3 × (¥309.97 / 10) = ¥92.991 → ¥92.99; 1 × (¥6,560.00 / 2) = ¥3,280.00.
    assert [line.amount for line in entry.lines.all()] == [Decimal("92.99"), Decimal("3280.00")]
    assert entry.total == Decimal("3372.99")
    response = _create_return(client, order_a, "3", "", amounts=("50", "120.5"))
    entry = Return.objects.latest("pk")
    # An amount typed wins; a line with only an amount is a compensation without goods.
    assert [(line.quantity, line.amount) for line in entry.lines.all()] == [
        (Decimal("3.000"), Decimal("50.00")),
        (Decimal("0.000"), Decimal("120.50")),
    ]
    page = client.get(f"/complaints/returns/{entry.pk}/").content.decode()
    assert "¥170.50" in page and 'id="return-lines"' in page


def test_nothing_to_return_is_refused(client, world, order_a):
    client.force_login(world["owner"])
    response = _create_return(client, order_a)
    assert response.status_code == 200
    assert _("Say how much of at least one order line comes back.") in response.content.decode()
    response = _create_return(client, order_a, "-1", reason="")
    assert response.status_code == 200 and not Return.all_objects.exists()
    assert "reason" in response.context["form"].errors


def test_a_pending_return_counts_against_a_new_one_and_a_draft_does_not(client, world, order_a):
    client.force_login(world["owner"])
    assert _create_return(client, order_a, "6").status_code == 302
    first = Return.objects.get()
    # A draft reserves nothing: a second draft of 6 is accepted.
    assert _create_return(client, order_a, "6").status_code == 302
    second = Return.objects.exclude(pk=first.pk).get()
    submitted = client.post(f"/entries/complaints.return/{first.pk}/submit/", {"next": first.get_absolute_url()})
    assert submitted.status_code == 302
    first.refresh_from_db()
    assert first.status == FilingStatus.PENDING
    # Pending, the first takes 6 of the 10: a new return of 6 is refused; the draft cannot be submitted.
    refused = _create_return(client, order_a, "6")
    assert refused.status_code == 200 and Return.objects.count() == 2
    assert "4.000" in refused.content.decode()
    response = client.post(f"/entries/complaints.return/{second.pk}/submit/", {"next": second.get_absolute_url()})
    second.refresh_from_db()
    assert second.status == FilingStatus.DRAFT
    assert any("4.000" in text for _level, text in shown_messages(response))
    assert _create_return(client, order_a, "4").status_code == 302


def test_two_drafts_of_6_of_10_cannot_both_be_filed(client, world, order_a):
    client.force_login(world["owner"])
    _create_return(client, order_a, "6")
    _create_return(client, order_a, "6")
    first, second = Return.objects.order_by("pk")
    client.post(f"/entries/complaints.return/{first.pk}/submit/")
    refused = client.post(f"/entries/complaints.return/{second.pk}/submit/")
    assert any("4.000" in text for _level, text in shown_messages(refused))
    client.force_login(world["director"])
    client.post(f"/approvals/{_request_of(first).pk}/approve/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (FilingStatus.FILED, FilingStatus.DRAFT)
    client.force_login(world["owner"])
    client.post(f"/entries/complaints.return/{second.pk}/submit/")
    second.refresh_from_db()
    assert second.status == FilingStatus.DRAFT


def test_approval_checks_the_limit_again(client, world, order_a, monkeypatch):
    """Two submissions that raced past each other's check both reach the inbox: the first approved is filed and
    the second, which no longer fits, is refused and stays waiting."""
    client.force_login(world["owner"])
    _create_return(client, order_a, "6")
    _create_return(client, order_a, "6")
    first, second = Return.objects.order_by("pk")
    from archive.registry import registry

    monkeypatch.setattr(registry, "submit_checks", lambda model: [])
    for entry in (first, second):
        client.post(f"/entries/complaints.return/{entry.pk}/submit/")
    monkeypatch.undo()
    client.force_login(world["director"])
    client.post(f"/approvals/{_request_of(first).pk}/approve/")
    refused = client.post(f"/approvals/{_request_of(second).pk}/approve/")
    texts = [text for _level, text in shown_messages(refused)]
    assert any("4.000" in text for text in texts), texts
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (FilingStatus.FILED, FilingStatus.PENDING)


def test_a_draft_return_is_edited_with_its_version(client, world, order_a, draft_return):
    client.force_login(world["owner"])
    form = client.get(f"/complaints/returns/{draft_return.pk}/edit/")
    assert form.status_code == 200
    line_1 = order_a.lines.get(position=1)
    assert f'name="line-{line_1.pk}-quantity"' in form.content.decode()
    body = _return_body(order_a, "3", "1", version=str(draft_return.version))
    assert client.post(f"/complaints/returns/{draft_return.pk}/edit/", body).status_code == 302
    draft_return.refresh_from_db()
    assert draft_return.total == Decimal("3372.99") and draft_return.lines.count() == 2
    # The same (now stale) version again: refused with what changed, nothing saved.
    stale = client.post(f"/complaints/returns/{draft_return.pk}/edit/", _return_body(order_a, "1", version="1"))
    assert stale.status_code == 200 and 'id="edit-conflict"' in stale.content.decode()
    draft_return.refresh_from_db()
    assert draft_return.total == Decimal("3372.99")


def test_a_filed_return_is_corrected_by_a_new_one(client, world, order_a, draft_return):
    file_through_approval(draft_return, author=world["owner"], decider=world["director"])
    client.force_login(world["owner"])
    page = client.get(f"/complaints/returns/{draft_return.pk}/").content.decode()
    assert 'id="catalogue-number"' in page and 'id="edit-entry"' not in page
    response = client.get(f"/complaints/returns/{draft_return.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/complaints/returns/{draft_return.pk}/"
    message = _(
        "This return is filed and stays as filed. Correct it with a new return of the same order, "
        "or request its deletion."
    )
    assert (20, message) in shown_messages(response)


def test_the_return_page_shows_the_lines_and_what_is_left(client, world, order_a, draft_return, complaint_a):
    services.return_update(
        actor=world["owner"],
        return_id=draft_return.pk,
        data={"complaint": complaint_a},
        lines=return_lines(order_a, "2"),
    )
    client.force_login(world["director"])
    response = client.get(f"/complaints/returns/{draft_return.pk}/")
    text = _text(response)
    assert "不锈钢法兰" in text and "¥61.99" in text  # 2 × ¥30.997
    page = response.content.decode()
    assert f'href="/orders/{order_a.pk}/"' in page and f'href="/complaints/{complaint_a.pk}/"' in page
    still = page.split('class="text-end font-monospace text-nowrap still-returnable">')[1].split("<")[0]
    assert still.strip() == "8"


# ---- Lists ------------------------------------------------------------------------------------------------------


@pytest.fixture
def some_returns(world, products, order_a, order_b):
    owner = world["owner"]
    filed = services.return_create(
        actor=owner, order_id=order_a.pk, data=return_data(kind="exchange"), lines=return_lines(order_a, "1")
    )
    file_through_approval(filed, author=owner, decider=world["director"])
    late = services.return_create(
        actor=owner,
        order_id=order_a.pk,
        data=return_data(reason_category="late", returned_on=datetime.date(2026, 4, 20)),
        lines=return_lines(order_a, "", "1"),
    )
    of_b = services.return_create(
        actor=world["other_manager"], order_id=order_b.pk, data=return_data(), lines=return_lines(order_b, "1")
    )
    return {"filed": filed, "late": late, "b": of_b}


def _listed(response, css="return-row") -> set[int]:
    return {int(pk) for pk in re.findall(rf'class="{css}" data-pk="(\d+)"', response.content.decode())}


def test_the_return_list_filters_and_totals(client, world, some_returns):
    client.force_login(world["director"])
    every = client.get("/complaints/returns/")
    assert _listed(every) == {entry.pk for entry in some_returns.values()}
    assert every.context["totals"]["amount"] == sum(entry.total for entry in some_returns.values())
    cases = {
        "kind=exchange": {"filed"},
        "status=filed": {"filed"},
        "reason_category=late": {"late"},
        f"customer={world['b'].pk}": {"b"},
        f"owner={world['other_manager'].pk}": {"b"},
        "returned_from=2026-04-01": {"late"},
        "returned_to=2026-03-31": {"filed", "b"},
    }
    for query, names in cases.items():
        response = client.get(f"/complaints/returns/?{query}")
        assert _listed(response) == {some_returns[name].pk for name in names}, query
    only_a = client.get(f"/complaints/returns/?customer={world['a'].pk}")
    assert only_a.context["totals"] == {
        "count": 2,
        "amount": some_returns["filed"].total + some_returns["late"].total,
    }
    assert f"{only_a.context['totals']['amount']:,.2f}" in only_a.content.decode()
    # A manager sees only their customers' rows, whatever the filter asks for.
    client.force_login(world["owner"])
    assert _listed(client.get(f"/complaints/returns/?customer={world['b'].pk}")) == set()


def test_the_discount_list_filters_and_totals(client, world, order_a, contract_a, pending_discount):
    owner = world["owner"]
    on_contract = services.discount_request(
        actor=owner, contract_id=contract_a.pk, data={"mode": "percent", "percent": Decimal("2"), "reason": "年度返利"}
    )
    filing.request_approve(actor=world["director"], request_id=_request_of(on_contract).pk)
    client.force_login(world["director"])
    every = client.get("/complaints/discounts/")
    assert _listed(every, "discount-row") == {pending_discount.pk, on_contract.pk}
    assert every.context["totals"] == {"count": 2, "amount": Decimal("10100.00")}
    assert "−¥10,100.00" in every.content.decode()
    for query, expected in {
        "on=order": {pending_discount.pk},
        "on=contract": {on_contract.pk},
        "mode=percent": {on_contract.pk},
        "mode=amount": {pending_discount.pk},
        "status=pending": {pending_discount.pk},
        "status=filed": {on_contract.pk},
        f"customer={world['b'].pk}": set(),
        "asked_from=2999-01-01": set(),
    }.items():
        assert _listed(client.get(f"/complaints/discounts/?{query}"), "discount-row") == expected, query
    row = every.content.decode().split(f'data-pk="{on_contract.pk}"')[1].split("</tr>")[0]
    assert "HT-2026-0101" in row and "¥490,000.00" in row  # the contract, and what is left after it


# ---- Discounts --------------------------------------------------------------------------------------------------


def test_a_discount_by_percentage_goes_to_the_director(client, world, order_a):
    client.force_login(world["owner"])
    form = client.get(f"/complaints/discounts/new/?order={order_a.pk}")
    assert form.status_code == 200 and 'id="summary-left"' in form.content.decode()
    response = client.post(f"/complaints/discounts/new/?order={order_a.pk}", _discount_body(percent="10"))
    discount = Discount.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/complaints/discounts/{discount.pk}/"
    assert (discount.status, discount.base, discount.amount) == (
        FilingStatus.PENDING,
        Decimal("6869.97"),
        Decimal("687.00"),
    )
    assert (
        25,
        _("Discount of ¥%(amount)s asked for: it went to the director for approval.") % {"amount": "687.00"},
    ) in (shown_messages(response))
    page = client.get(discount.get_absolute_url()).content.decode()
    assert 'id="discount-waiting"' in page and "¥6,182.97" in page  # what the order comes to once approved


def test_a_discount_by_amount_and_the_refusals(client, world, order_a, pending_discount):
    client.force_login(world["owner"])
    url = f"/complaints/discounts/new/?order={order_a.pk}"
    missing = client.post(url, _discount_body(mode="amount", percent="10"))
    assert missing.status_code == 200 and "amount" in missing.context["form"].errors
    over = client.post(url, _discount_body(mode="amount", amount="6800.00"))
    assert over.status_code == 200
    message = _("At most ¥%(left)s can still be taken off (¥%(base)s less ¥%(taken)s already discounted).") % {
        "left": "6,769.97",
        "base": "6,869.97",
        "taken": "100.00",
    }
    assert over.context["form"].errors["amount"] == [message]
    assert 'value="6800.00"' in over.content.decode()
    too_much = client.post(url, _discount_body(percent="100"))
    assert too_much.status_code == 200 and "percent" in too_much.context["form"].errors
    assert Discount.objects.count() == 1
    fits = client.post(url, _discount_body(mode="amount", amount="6769.97", percent="50"))
    assert fits.status_code == 302
    last = Discount.objects.latest("pk")
    assert (last.mode, last.percent, last.amount) == ("amount", None, Decimal("6769.97"))


def test_a_discount_on_a_contract(client, world, contract_a):
    client.force_login(world["owner"])
    response = client.post(
        f"/complaints/discounts/new/?contract={contract_a.pk}", _discount_body(mode="amount", amount="25000")
    )
    discount = Discount.objects.get()
    assert response.status_code == 302
    assert (discount.contract_id, discount.order_id, discount.base) == (contract_a.pk, None, Decimal("500000.00"))
    page = client.get(discount.get_absolute_url()).content.decode()
    assert "HT-2026-0101" in page and "¥475,000.00" in page


def test_the_approved_discount_shows_its_net_total_on_the_order(client, world, order_a):
    client.force_login(world["owner"])
    client.post(f"/complaints/discounts/new/?order={order_a.pk}", _discount_body(percent="10"))
    discount = Discount.objects.get()
    waiting = client.get(f"/orders/{order_a.pk}/").content.decode()
    assert 'id="discount-pending"' in waiting and 'id="discount-net"' not in waiting
    client.force_login(world["director"])
    inbox = client.get("/approvals/")
    assert inbox.status_code == 200
    request = _request_of(discount)
    assert client.post(f"/approvals/{request.pk}/approve/").status_code == 302
    discount.refresh_from_db()
    assert discount.status == FilingStatus.FILED
    client.force_login(world["owner"])
    page = client.get(f"/orders/{order_a.pk}/").content.decode()
    net = page.split('id="discount-net">')[1].split("<")[0]
    assert net == "¥6,182.97"
    assert page.split('id="discount-approved-total">')[1].split("<")[0] == "−¥687.00"
    assert page.split('id="discount-base-total">')[1].split("<")[0] == "¥6,869.97"


def test_a_returned_discount_is_corrected_and_submitted_again(client, world, order_a, returned_discount):
    client.force_login(world["owner"])
    page = client.get(returned_discount.get_absolute_url()).content.decode()
    assert 'id="returned-comment"' in page and "比例过高" in page and 'id="edit-entry"' in page
    form = client.get(f"/complaints/discounts/{returned_discount.pk}/edit/")
    assert form.status_code == 200 and 'value="100.00"' in form.content.decode()
    body = _discount_body(mode="percent", percent="1", reason="改为 1%", version=str(returned_discount.version))
    response = client.post(f"/complaints/discounts/{returned_discount.pk}/edit/", body)
    assert response.status_code == 302
    returned_discount.refresh_from_db()
    assert (returned_discount.status, returned_discount.amount, returned_discount.reason) == (
        FilingStatus.RETURNED,
        Decimal("68.70"),
        "改为 1%",
    )
    client.post(f"/entries/complaints.discount/{returned_discount.pk}/submit/")
    returned_discount.refresh_from_db()
    assert returned_discount.status == FilingStatus.PENDING
    waiting = client.get(f"/complaints/discounts/{returned_discount.pk}/edit/")
    assert waiting.status_code == 302 and waiting["Location"] == returned_discount.get_absolute_url()


def test_a_filed_discount_stays_as_approved(client, world, pending_discount):
    filing.request_approve(actor=world["director"], request_id=_request_of(pending_discount).pk)
    client.force_login(world["owner"])
    page = client.get(pending_discount.get_absolute_url()).content.decode()
    assert 'id="discount-approved"' in page and 'id="edit-entry"' not in page
    response = client.get(f"/complaints/discounts/{pending_discount.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == pending_discount.get_absolute_url()


# ---- Query counts -----------------------------------------------------------------------------------------------


def _order_page_queries(client, order) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/orders/{order.pk}/").status_code == 200
    return ctx


def test_the_order_page_costs_the_same_with_0_or_5_discounts(client, world, order_a):
    client.force_login(world["owner"])
    client.get(f"/orders/{order_a.pk}/")
    without = _order_page_queries(client, order_a)
    for amount in ("10", "20", "30", "40", "50"):
        discount = services.discount_request(
            actor=world["owner"],
            order_id=order_a.pk,
            data={"mode": "amount", "amount": Decimal(amount), "reason": "补偿"},
        )
        if amount in ("10", "30", "50"):
            filing.request_approve(actor=world["director"], request_id=_request_of(discount).pk)
    client.get(f"/orders/{order_a.pk}/")
    with_five = _order_page_queries(client, order_a)
    page = client.get(f"/orders/{order_a.pk}/").content.decode()
    assert page.count('class="discount-panel-row') == 5
    assert page.split('id="discount-net">')[1].split("<")[0] == "¥6,779.97"
    assert len(with_five) == len(without), queries_text(with_five)


def test_an_order_filed_with_another_customer_cannot_be_returned_through_a_forged_line(
    client, world, products, order_a, filed_b
):
    order_b = filed_order(world, products, filed_b, ("P-300", "4", "415.50", "0"))
    line_b = order_b.lines.get()
    client.force_login(world["owner"])
    body = _return_body(order_a, "1")
    body[f"line-{line_b.pk}-quantity"] = "4"
    response = client.post(f"/complaints/returns/new/?order={order_a.pk}", body)
    assert response.status_code == 302
    assert not ReturnLine.objects.filter(order_line=line_b).exists()
