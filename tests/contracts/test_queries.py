"""The card, the order list and the contract list cost the same number of queries however many orders there are."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.choices import FilingStatus
from contracts.models import Contract, Order, OrderLine

from ..customers.test_queries import CARD_CEILING, LIST_CEILING
from ..helpers import file_through_approval, queries_text

pytestmark = pytest.mark.django_db


def _count(client, user, url) -> tuple[int, object]:
    client.force_login(user)
    assert client.get(url).status_code == 200  # warm the process-wide caches (content types…)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx), ctx


def _add_orders(customer, products, author, count: int, *, start: int = 0) -> None:
    """``count`` orders over two years with two lines each, a third of them drafts, the rest filed, and a contract
    every ten orders. Written directly: this is bulk test data, the services are tested elsewhere."""
    today = datetime.date(2026, 11, 20)
    for n in range(start, start + count):
        contract = None
        if n % 10 == 0:
            contract = Contract.objects.create(
                customer=customer,
                number=f"HT-Q-{customer.pk}-{n}",
                title="框架合同",
                signed_on=today - datetime.timedelta(days=700),
                starts_on=today - datetime.timedelta(days=700),
                amount=Decimal("100000.00"),
                status=FilingStatus.FILED,
                entry_no=1000 + n,
            )
        filed = n % 3 != 0
        order = Order.objects.create(
            customer=customer,
            contract=contract,
            ordered_on=today - datetime.timedelta(days=(n * 7) % 720),
            status=FilingStatus.FILED if filed else FilingStatus.DRAFT,
            entry_no=2000 + n if filed else None,
            total=Decimal("0.00"),
            created_by=author,
        )
        total = Decimal("0.00")
        for position, code in enumerate(("P-100", "P-300"), start=1):
            amount = OrderLine.line_amount(Decimal(2), products[code].list_price, Decimal(5))
            OrderLine.objects.create(
                order=order,
                position=position,
                product=products[code],
                quantity=Decimal(2),
                unit_price=products[code].list_price,
                discount=Decimal(5),
                amount=amount,
            )
            total += amount
        order.total = total
        order.save(update_fields=["total"])


@pytest.mark.parametrize("role", ["owner", "director"])
def test_the_card_costs_the_same_with_0_and_100_orders(client, world, products, role, record_property):
    customer = file_through_approval(world["a"], author=world["owner"], decider=world["director"])
    url = f"/customers/{customer.pk}/"
    empty, empty_ctx = _count(client, world[role], url)
    _add_orders(customer, products, world["owner"], 100)
    full, full_ctx = _count(client, world[role], url)
    record_property("card_queries", {"orders": {0: empty, 100: full}})
    assert full == empty, queries_text(full_ctx)
    assert full <= CARD_CEILING, queries_text(full_ctx)


@pytest.mark.parametrize(
    "url", ["/orders/", "/contracts/", "/orders/?product={p}&sort=-total", "/contracts/?sort=amount"]
)
@pytest.mark.parametrize("role", ["owner", "director"])
def test_the_lists_cost_the_same_for_few_and_many_orders(client, world, products, role, url):
    url = url.format(p=products["P-100"].pk)
    _add_orders(world["a"], products, world["owner"], 12)
    _add_orders(world["b"], products, world["other_manager"], 3)
    few, _ = _count(client, world[role], url)
    _add_orders(world["a"], products, world["owner"], 60, start=12)
    _add_orders(world["b"], products, world["other_manager"], 60, start=3)
    many, ctx = _count(client, world[role], url)
    assert many == few, queries_text(ctx)
    assert many <= LIST_CEILING, queries_text(ctx)
