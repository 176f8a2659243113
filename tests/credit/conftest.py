"""Fixtures of the credit tests: filed customers A and B, filed orders that open receivables, granted credit.

``world`` (tests/conftest.py): A kept by ``owner`` with ``co_owner``, B by ``other_manager``; ``granted_manager``
and ``group_clerk`` read A only; ``clerk`` reads nothing; ``director`` and ``archivist`` read everything.
"""

import datetime
from decimal import Decimal

import pytest

from contracts import services as contract_services
from credit import services
from credit.models import Receivable

from ..contracts.conftest import filed_a, filed_b, order_lines, products  # noqa: F401 - fixtures shared
from ..helpers import file_through_approval

DAY = datetime.date(2026, 3, 1)


def filed_order(world, products, customer, *, on=DAY, amount="1000.00", author=None) -> Receivable:  # noqa: F811
    """File an order of ``amount`` (one line, quantity 1) for ``customer``; return the receivable it opened."""
    author = author or (world["owner"] if customer.pk == world["a"].pk else world["other_manager"])
    order = contract_services.order_create(
        actor=author,
        customer_id=customer.pk,
        data={"ordered_on": on},
        lines=order_lines(products, ("P-100", "1", amount, "0")),
    )
    file_through_approval(order, author=author, decider=world["director"])
    return Receivable.objects.get(order=order)


def scores(character=4, capacity=4, capital=4, collateral=4, conditions=4) -> dict:
    return {
        "score_character": character,
        "score_capacity": capacity,
        "score_capital": capital,
        "score_collateral": collateral,
        "score_conditions": conditions,
    }


def grant_credit(world, customer, *, limit="10000.00", terms_days=30, author=None, **score_kwargs):
    """A credit application scored all 4 (grade AA: 80 % of the asked-for limit unless scores say otherwise),
    submitted by the keeper and approved by the director. Returns the filed application."""
    author = author or (world["owner"] if customer.pk == world["a"].pk else world["other_manager"])
    application = services.application_create(
        actor=author,
        customer_id=customer.pk,
        data={
            "requested_limit": Decimal(limit),
            "terms_days": terms_days,
            "payment_method": "transfer",
            "guarantee": "",
            **scores(**score_kwargs),
        },
    )
    return file_through_approval(application, author=author, decider=world["director"])


@pytest.fixture
def receivable_a(world, products, filed_a):  # noqa: F811
    """A filed order of ¥1,000.00 on 2026-03-01 for customer A, and the receivable it opened (due 2026-03-31)."""
    return filed_order(world, products, filed_a)


@pytest.fixture
def receivable_b(world, products, filed_b):  # noqa: F811
    return filed_order(world, products, filed_b, amount="2000.00")
