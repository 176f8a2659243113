"""Fixtures of the contracts tests: a small product catalogue and entries on customers A and B of ``world``."""

import datetime
from decimal import Decimal

import pytest

from contracts import services
from contracts.models import Product

from ..helpers import file_through_approval


@pytest.fixture
def products(people):
    director = people["director"]
    return {
        code: services.product_create(
            actor=director,
            data={"code": code, "name": name, "unit": unit, "specification": spec, "list_price": Decimal(price)},
        )
        for code, name, unit, spec, price in [
            ("P-100", "离心泵", "台", "IS80-65-160", "3280.00"),
            ("P-200", "不锈钢法兰", "件", "DN50 PN16", "33.33"),
            ("P-300", "机械密封", "套", "M7N-45", "415.50"),
        ]
    }


def order_lines(products, *specs):
    """Line dicts for the order services: ``("P-200", "3", "33.33", "7")`` = code, quantity, price, discount."""
    return [
        {
            "product": products[code],
            "quantity": Decimal(quantity),
            "unit_price": Decimal(price),
            "discount": Decimal(discount),
            "specification": "",
        }
        for code, quantity, price, discount in specs
    ]


@pytest.fixture
def filed_a(world):
    """Customer A, filed (its entries can be filed only inside its archive number)."""
    return file_through_approval(world["a"], author=world["owner"], decider=world["director"])


@pytest.fixture
def filed_b(world):
    return file_through_approval(world["b"], author=world["other_manager"], decider=world["director"])


@pytest.fixture
def order_a(world, products):
    """A draft order of customer A with two lines."""
    return services.order_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        data={"ordered_on": datetime.date(2026, 3, 2)},
        lines=order_lines(products, ("P-200", "3", "33.33", "7"), ("P-100", "1", "3280.00", "0")),
    )


@pytest.fixture
def order_b(world, products):
    return services.order_create(
        actor=world["other_manager"],
        customer_id=world["b"].pk,
        data={"ordered_on": datetime.date(2026, 3, 5)},
        lines=order_lines(products, ("P-300", "2", "415.50", "0")),
    )


def make_contract(author, customer, number, title, signed_on, amount, *, ends_on=None, upload=None):
    """A draft contract through the service, starting the day it is signed unless the test needs more."""
    return services.contract_create(
        actor=author,
        customer_id=customer.pk,
        data={
            "number": number,
            "title": title,
            "signed_on": signed_on,
            "starts_on": signed_on,
            "ends_on": ends_on,
            "amount": Decimal(amount),
        },
        upload=upload,
    )


@pytest.fixture
def contract_a(world):
    return make_contract(
        world["owner"],
        world["a"],
        "HT-2026-0001",
        "年度采购框架合同",
        datetime.date(2026, 1, 8),
        "500000.00",
        ends_on=datetime.date(2026, 12, 31),
    )


@pytest.fixture
def contract_b(world):
    return make_contract(
        world["other_manager"], world["b"], "HT-2026-0002", "设备供货合同", datetime.date(2026, 2, 1), "80000.00"
    )


__all__ = ["Product", "make_contract", "order_lines"]
