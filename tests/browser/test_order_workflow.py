"""An order from the account manager's keyboard to the card's trading status, in a real browser.

manager1 opens the order form from the card, picks two products (the list price fills in), types quantities
and a discount, sees the amounts and the total worked out as they type, saves and submits the order; the
director approves it in the inbox; back on the card the order is filed with its catalogue number and the
trading status panel counts it in the last twelve months' sales.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    expect = None

from django.utils import timezone

from archive import filing, roles
from archive.choices import FilingStatus
from contracts import services
from contracts.models import Order

from ..factories import PASSWORD, make_user
from .conftest import login, snapshot
from .test_approval_workflow import approve, filed_card, logout, open_inbox, zh


@pytest.fixture
def people(transactional_db):
    return {
        "manager1": make_user("manager1", roles.ACCOUNT_MANAGER, first_name="张伟"),
        "director": make_user("director", roles.SALES_DIRECTOR, first_name="王芳"),
    }


@pytest.fixture
def products(people):
    return [
        services.product_create(
            actor=people["director"],
            data={"code": code, "name": name, "unit": unit, "list_price": Decimal(price), "specification": spec},
        )
        for code, name, unit, price, spec in [
            ("P-200", "不锈钢法兰", "件", "33.33", "DN50 PN16"),
            ("P-300", "机械密封", "套", "415.50", "M7N-45"),
        ]
    ]


def test_a_manager_enters_an_order_and_after_approval_it_shows_on_the_card(page, live_server, people, products):
    customer = filed_card(people["manager1"], people["director"], name="宁波港城五金机电有限公司")
    login(page, live_server, "manager1", PASSWORD)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    trading = page.locator("#section-trading")
    expect(trading).to_be_visible()

    with page.expect_navigation():
        page.locator("#new-order").click()
    assert page.url == f"{live_server.url}/orders/new/?customer={customer.pk}"
    expect(page.locator("#id_customer")).to_have_value(str(customer.pk))
    page.fill("#id_ordered_on", timezone.localdate().isoformat())

    # Two lines: choosing a product fills its list price; the amounts and the total follow the typing.
    page.select_option("#id_lines-0-product", str(products[0].pk))
    expect(page.locator("#id_lines-0-unit_price")).to_have_value("33.33")
    expect(page.locator("#id_lines-0-specification")).to_have_value("DN50 PN16")
    page.fill("#id_lines-0-quantity", "3")
    page.fill("#id_lines-0-discount", "7")
    expect(page.locator("#line-rows .line-row").nth(0).locator(".line-amount")).to_have_text("¥92.99")
    page.select_option("#id_lines-1-product", str(products[1].pk))
    page.fill("#id_lines-1-quantity", "2")
    expect(page.locator("#order-total-preview")).to_have_text("¥923.99")
    snapshot(page, "order_form")
    with page.expect_navigation():
        page.locator("#save-order").click()

    order = Order.objects.get(customer=customer)
    assert page.url == f"{live_server.url}/orders/{order.pk}/"
    assert order.total == Decimal("923.99") and order.lines.count() == 2
    expect(page.locator("#order-total")).to_have_text("¥923.99")
    with page.expect_navigation():
        page.locator("#submit-entry").click()
    expect(page.locator(".alert-success")).to_be_visible()
    request = filing.entry_requests(order).get()
    expect(page.locator("#waiting-requests")).to_contain_text(f"#{request.pk}")
    logout(page, live_server)

    # The director reads the order in the inbox and approves it.
    login(page, live_server, "director", PASSWORD)
    open_inbox(page, live_server)
    expect(page.locator(f"#request-{request.pk}")).to_contain_text(customer.name)
    approve(page, request)
    logout(page, live_server)

    # Back on the card: filed, numbered, and counted in the trading status.
    login(page, live_server, "manager1", PASSWORD)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    order.refresh_from_db()
    assert order.status == FilingStatus.FILED and order.entry_code == "2-001"
    orders = page.locator("#section-orders")
    expect(orders).to_contain_text("¥923.99")
    expect(orders).to_contain_text("2-001")
    expect(
        orders.locator(".badge", has_text=re.compile(f"^{re.escape(zh(FilingStatus.FILED.label))}$"))
    ).to_be_visible()
    expect(trading).to_contain_text("¥923.99")
    expect(trading).to_contain_text(timezone.localdate().isoformat())
    snapshot(page, "card_with_order")
