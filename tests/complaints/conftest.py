"""Fixtures of the fifth category: filed customers A and B, a filed order of each, complaints, churn records.

``world`` (tests/conftest.py): A kept by ``owner`` with ``co_owner``, B by ``other_manager``; ``granted_manager``
and ``group_clerk`` read A only; ``clerk`` reads nothing; ``director`` and ``archivist`` read everything.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from complaints import services
from contracts import services as contract_services

from ..contracts.conftest import filed_a, filed_b, make_contract, order_lines, products  # noqa: F401 - shared
from ..helpers import file_through_approval

ORDER_DAY = datetime.date(2026, 3, 2)
# A fixed "now" for the tests that travel in time: complaints are received before it.
NOW = datetime.datetime(2026, 4, 1, 10, 0, tzinfo=datetime.UTC)


def keeper(world, customer):
    return world["owner"] if customer.pk == world["a"].pk else world["other_manager"]


def filed_order(world, products, customer, *specs, on=ORDER_DAY):  # noqa: F811
    """A filed order of ``customer``; default lines: 10 × P-200 at ¥33.33 less 7 %, 2 × P-100 at ¥3,280.00."""
    author = keeper(world, customer)
    order = contract_services.order_create(
        actor=author,
        customer_id=customer.pk,
        data={"ordered_on": on},
        lines=order_lines(products, *(specs or (("P-200", "10", "33.33", "7"), ("P-100", "2", "3280.00", "0")))),
    )
    return file_through_approval(order, author=author, decider=world["director"])


@pytest.fixture
def order_a(world, products, filed_a):  # noqa: F811
    """A filed order of A: line 1 is 10 × 不锈钢法兰 (¥309.97), line 2 is 2 × 离心泵 (¥6,560.00); ¥6,869.97."""
    return filed_order(world, products, filed_a)


@pytest.fixture
def order_b(world, products, filed_b):  # noqa: F811
    return filed_order(world, products, filed_b, ("P-300", "4", "415.50", "0"))


@pytest.fixture
def contract_a(world, filed_a):  # noqa: F811
    contract = make_contract(
        world["owner"], filed_a, "HT-2026-0101", "年度供货合同", datetime.date(2026, 1, 8), "500000.00"
    )
    return file_through_approval(contract, author=world["owner"], decider=world["director"])


def complaint_data(**changes) -> dict:
    data = {
        "received_at": timezone.now() - datetime.timedelta(hours=2),
        "channel": "phone",
        "category": "quality",
        "severity": "major",
        "subject": "法兰密封面有砂眼",
        "content": "第二批法兰中有三件密封面有砂眼，安装后渗漏。",
        "their_people": "",
        "our_people": "",
    }
    return {**data, **changes}


def make_complaint(world, customer, **changes):
    return services.complaint_create(
        actor=keeper(world, customer), customer_id=customer.pk, data=complaint_data(**changes)
    )


@pytest.fixture
def complaint_a(world, filed_a):  # noqa: F811
    """An open complaint of A, received two hours ago, major (72 hours to close)."""
    return make_complaint(world, filed_a)


@pytest.fixture
def complaint_b(world, filed_b):  # noqa: F811
    return make_complaint(world, filed_b, subject="交货延迟两周")


def closing_data(**changes) -> dict:
    data = {
        "result": "更换三件法兰，补发到货。",
        "responsibility": "production",
        "responsibility_note": "铸造批次 0312 质量问题。",
        "satisfaction": 4,
        "closed_on": timezone.localdate(),
    }
    return {**data, **changes}


def closed(world, complaint, **changes):
    return services.complaint_close(
        actor=keeper(world, complaint.customer), complaint_id=complaint.pk, data=closing_data(**changes)
    )


def return_lines(order, *quantities):
    """Return line dicts: the n-th quantity for the order's n-th line (None or "0" leaves the line out)."""
    lines = list(order.lines.order_by("position"))
    return [{"order_line": line, "quantity": Decimal(q)} for line, q in zip(lines, quantities, strict=False) if q]


def return_data(**changes) -> dict:
    data = {
        "kind": "return",
        "returned_on": ORDER_DAY + datetime.timedelta(days=10),
        "reason_category": "defect",
        "reason": "密封面砂眼，退回三件。",
    }
    return {**data, **changes}


def churn_data(**changes) -> dict:
    data = {
        "churned_on": timezone.localdate() - datetime.timedelta(days=20),
        "reason_category": "competitor",
        "narrative": "对方采购经理更换后转向竞争对手，价格低 8%。",
        "competitor": "南方泵业",
    }
    return {**data, **changes}


@pytest.fixture
def churn_a(world, filed_a):  # noqa: F811
    """A draft churn record of A."""
    return services.churn_create(actor=world["owner"], customer_id=filed_a.pk, data=churn_data())


__all__ = ["Decimal", "file_through_approval"]
