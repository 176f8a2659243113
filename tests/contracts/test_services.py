"""Contracts, orders and products through their services: money to the fen, rights, filing, the trail."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext

from archive import filing
from archive.choices import FilingStatus
from archive.filing import EditConflict
from contracts import services
from contracts.choices import ContractState, Settlement
from contracts.models import Contract, Order, OrderLine, Product

from ..helpers import error_codes, file_through_approval, pdf_bytes, upload
from .conftest import order_lines

pytestmark = pytest.mark.django_db


# ---- Money ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "amount"),
    [
        ("3", "33.33", "7", "92.99"),  # 99.99 × 0.93 = 92.9907
        ("1", "1.005", "0", "1.01"),  # half up; a float rounds 1.005 down to 1.00
        ("1", "0.05", "50", "0.03"),  # 0.025: half up, not to even (banker's rounding gives 0.02)
        ("0.333", "3.00", "0", "1.00"),  # 0.999
        ("7", "0.10", "0", "0.70"),  # 0.1 × 7 is 0.7000000000000001 in floats
        ("2.5", "19.99", "12.5", "43.73"),  # 49.975 × 0.875 = 43.728125
        ("1", "99.99", "100", "0.00"),  # given away
    ],
)
def test_a_line_amount_is_exact_to_the_fen(quantity, price, discount, amount):
    result = OrderLine.line_amount(Decimal(quantity), Decimal(price), Decimal(discount))
    assert result == Decimal(amount)
    assert str(result) == amount  # two places, never a float's tail


def test_the_order_total_is_the_sum_of_the_rounded_lines(world, products):
    order = services.order_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        data={"ordered_on": datetime.date(2026, 3, 2)},
        lines=order_lines(
            products, ("P-200", "3", "33.33", "7"), ("P-200", "3", "33.33", "7"), ("P-300", "1", "0.10", "0")
        ),
    )
    order.refresh_from_db()
    assert [line.amount for line in order.lines.all()] == [Decimal("92.99"), Decimal("92.99"), Decimal("0.10")]
    assert order.total == Decimal("186.08")
    assert isinstance(order.total, Decimal)


def test_an_order_needs_a_line_and_refuses_bad_lines(world, products):
    with pytest.raises(ValidationError) as empty:
        services.order_create(
            actor=world["owner"], customer_id=world["a"].pk, data={"ordered_on": datetime.date(2026, 3, 2)}, lines=[]
        )
    assert "no_lines" in error_codes(empty.value)
    with pytest.raises(ValidationError) as bad:
        services.order_create(
            actor=world["owner"],
            customer_id=world["a"].pk,
            data={"ordered_on": datetime.date(2026, 3, 2)},
            lines=order_lines(products, ("P-100", "1", "10", "0"), ("P-200", "0", "10", "120")),
        )
    text = " ".join(bad.value.messages)
    assert "2" in text  # the message names the line
    assert not Order.all_objects.exists()
    assert not OrderLine.objects.exists()


def test_editing_a_draft_rewrites_only_the_changed_lines(world, products, order_a):
    first, second = order_a.lines.order_by("position")
    services.order_update(
        actor=world["owner"],
        order_id=order_a.pk,
        data={"settlement": Settlement.PARTIAL},
        lines=order_lines(products, ("P-200", "3", "33.33", "7")),
        expected_version=order_a.version,
    )
    order_a.refresh_from_db()
    assert order_a.total == Decimal("92.99")
    assert list(order_a.lines.values_list("pk", flat=True)) == [first.pk]
    assert OrderLine.history.filter(id=first.pk).count() == 1  # unchanged: created once, never saved again
    assert OrderLine.history.filter(id=second.pk, history_type="-").count() == 1  # the removed line is in the trail
    assert order_a.history.first().history_change_reason == gettext("Order edited")


def test_a_stale_edit_is_refused_with_what_changed(world, products, order_a):
    loaded = order_a.version
    services.order_update(
        actor=world["co_owner"],
        order_id=order_a.pk,
        data={"reference": "PO-778"},
        lines=order_lines(products, ("P-100", "2", "3280", "0")),
    )
    with pytest.raises(EditConflict) as conflict:
        services.order_update(
            actor=world["owner"],
            order_id=order_a.pk,
            data={"reference": "PO-779"},
            lines=order_lines(products, ("P-100", "1", "3280", "0")),
            expected_version=loaded,
        )
    assert {str(change.label) for change in conflict.value.changes} >= {gettext("order reference")}
    order_a.refresh_from_db()
    assert order_a.reference == "PO-778"


def test_an_order_cannot_run_under_another_customers_contract(world, products, contract_b):
    with pytest.raises(ValidationError) as refused:
        services.order_create(
            actor=world["director"],
            customer_id=world["a"].pk,
            data={"ordered_on": datetime.date(2026, 3, 2), "contract": contract_b},
            lines=order_lines(products, ("P-100", "1", "3280", "0")),
        )
    assert "contract" in refused.value.message_dict
    assert not Order.all_objects.exists()


# ---- Rights -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "refusal"),
    [
        ("other_manager", Http404),
        ("clerk", Http404),
        ("granted_manager", PermissionDenied),
        ("group_clerk", PermissionDenied),
    ],
)
def test_only_keepers_enter_orders_and_contracts(world, products, role, refusal):
    with pytest.raises(refusal):
        services.order_create(
            actor=world[role],
            customer_id=world["a"].pk,
            data={"ordered_on": datetime.date(2026, 3, 2)},
            lines=order_lines(products, ("P-100", "1", "3280", "0")),
        )
    with pytest.raises(refusal):
        services.contract_create(
            actor=world[role],
            customer_id=world["a"].pk,
            data={
                "number": "X-1",
                "title": "t",
                "signed_on": datetime.date(2026, 1, 1),
                "starts_on": datetime.date(2026, 1, 1),
                "amount": Decimal(1),
            },
        )
    assert not Order.all_objects.exists() and not Order.history.exists()
    assert not Contract.all_objects.exists() and not Contract.history.exists()


@pytest.mark.parametrize("role", ["owner", "co_owner", "director"])
def test_keepers_and_directors_enter_orders(world, products, role):
    order = services.order_create(
        actor=world[role],
        customer_id=world["a"].pk,
        data={"ordered_on": datetime.date(2026, 3, 2)},
        lines=order_lines(products, ("P-100", "1", "3280", "0")),
    )
    assert order.status == FilingStatus.DRAFT
    assert order.created_by == world[role]


def test_another_manager_cannot_touch_an_order_by_its_id(world, products, order_a):
    with pytest.raises(Http404):
        services.order_update(
            actor=world["other_manager"],
            order_id=order_a.pk,
            data={"reference": "forged"},
            lines=order_lines(products, ("P-100", "9", "1", "0")),
        )
    with pytest.raises(Http404):
        services.order_change_propose(
            actor=world["other_manager"], order_id=order_a.pk, data={"reference": "x"}, note="x"
        )
    order_a.refresh_from_db()
    assert order_a.reference == ""
    assert order_a.history.count() == 2  # created, total written


def test_products_are_kept_by_the_director_and_the_archivist(world):
    data = {"code": "Q-1", "name": "阀门", "unit": "个"}
    with pytest.raises(PermissionDenied):
        services.product_create(actor=world["owner"], data=data)
    product = services.product_create(actor=world["archivist"], data=data)
    services.product_update(actor=world["director"], product_id=product.pk, data={"is_active": False})
    product.refresh_from_db()
    assert not product.is_active
    assert product.history.count() == 2
    with pytest.raises(ValidationError):
        services.product_create(actor=world["director"], data=data)  # the code is taken
    assert Product.objects.count() == 1


# ---- Filing -----------------------------------------------------------------------------------------------------


def test_orders_and_contracts_file_only_inside_a_filed_archive(world, order_a):
    request = filing.entry_submit(actor=world["owner"], entry=order_a)
    with pytest.raises(ValidationError) as refused:
        filing.request_approve(actor=world["director"], request_id=request.pk)
    assert "root_unfiled" in error_codes(refused.value)


def test_contracts_and_orders_share_the_second_category_numbers(world, filed_a, contract_a, order_a):
    contract = file_through_approval(contract_a, author=world["owner"], decider=world["director"])
    order = file_through_approval(order_a, author=world["owner"], decider=world["director"])
    assert contract.entry_code == "2-001"
    assert order.entry_code == "2-002"
    assert filing.catalogue_number(filed_a, order) == f"{filed_a.archive_no} / 2-002"
    assert [[e.pk for e in entries] for _category, entries in filing.catalogue(filed_a)][1] == [contract.pk, order.pk]


def test_a_filed_order_changes_only_through_an_approved_request(world, products, filed_a, order_a):
    order = file_through_approval(order_a, author=world["owner"], decider=world["director"])
    with pytest.raises(ValidationError) as refused:
        services.order_update(
            actor=world["owner"], order_id=order.pk, data={}, lines=order_lines(products, ("P-100", "1", "1", "0"))
        )
    assert "filed" in error_codes(refused.value)
    request = services.order_change_propose(
        actor=world["owner"], order_id=order.pk, data={"settlement": Settlement.SETTLED}, note="客户已全额付款"
    )
    order.refresh_from_db()
    assert order.settlement == Settlement.UNSETTLED  # the filed order stays as it is until approved
    filing.request_approve(actor=world["director"], request_id=request.pk)
    order.refresh_from_db()
    assert order.settlement == Settlement.SETTLED
    assert order.total == Decimal("3372.99")
    assert order.history.first().history_change_reason == gettext("Approved change request #%(number)s") % {
        "number": request.pk
    }


def test_a_contract_change_request_is_validated_when_made(world, filed_a, contract_a, contract_b):
    contract = file_through_approval(contract_a, author=world["owner"], decider=world["director"])
    with pytest.raises(ValidationError):
        services.contract_change_propose(
            actor=world["owner"], contract_id=contract.pk, data={"ends_on": datetime.date(2025, 1, 1)}, note="提前"
        )
    with pytest.raises(ValidationError):
        services.contract_change_propose(
            actor=world["owner"], contract_id=contract.pk, data={"number": contract_b.number}, note="改号"
        )
    request = services.contract_change_propose(
        actor=world["owner"], contract_id=contract.pk, data={"state": ContractState.COMPLETED}, note="已履行完毕"
    )
    assert request.proposed == {"state": "completed"}


# ---- Contracts --------------------------------------------------------------------------------------------------


def test_contract_rules_come_with_clear_messages(world, contract_a):
    base = {
        "title": "t",
        "signed_on": datetime.date(2026, 1, 1),
        "starts_on": datetime.date(2026, 2, 1),
        "amount": Decimal(1),
    }
    with pytest.raises(ValidationError) as taken:
        services.contract_create(
            actor=world["owner"], customer_id=world["a"].pk, data={**base, "number": contract_a.number}
        )
    assert gettext("Another contract in the archive already has this number.") in taken.value.messages
    with pytest.raises(ValidationError) as backwards:
        services.contract_create(
            actor=world["owner"],
            customer_id=world["a"].pk,
            data={**base, "number": "HT-9", "ends_on": datetime.date(2026, 1, 31)},
        )
    assert gettext("A contract cannot end before it starts.") in backwards.value.messages
    with pytest.raises(ValidationError):
        services.contract_create(
            actor=world["owner"], customer_id=world["a"].pk, data={**base, "number": "HT-10", "amount": Decimal("-1")}
        )


def test_the_signed_file_is_checked_and_replaced_cleanly(world, django_capture_on_commit_callbacks):
    data = {
        "number": "HT-F1",
        "title": "t",
        "signed_on": datetime.date(2026, 1, 1),
        "starts_on": datetime.date(2026, 1, 1),
        "amount": Decimal(1),
    }
    with pytest.raises(ValidationError):
        services.contract_create(
            actor=world["owner"],
            customer_id=world["a"].pk,
            data=data,
            upload=upload("合同.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        )
    assert not Contract.all_objects.exists()
    contract = services.contract_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        data=data,
        upload=upload("合同.pdf", pdf_bytes("contract"), "application/pdf"),
    )
    first = contract.file.name
    assert contract.content_type == "application/pdf" and contract.original_name == "合同.pdf"
    storage = contract.file.storage
    assert storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_update(
            actor=world["owner"],
            contract_id=contract.pk,
            data={},
            upload=upload("合同-盖章.pdf", pdf_bytes("signed"), "application/pdf"),
        )
    contract.refresh_from_db()
    assert contract.original_name == "合同-盖章.pdf"
    assert storage.exists(contract.file.name)
    assert not storage.exists(first)
