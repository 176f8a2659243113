"""Credit from the manager's 5C scores to a refused order, in a real browser.

manager1 scores a customer on the 5C from its card and sees the proposed grade and limit; the director
approves the application in the inbox; the card then shows the granted limit, and an order that would take
the customer above it is refused on the order form with the figures, and nothing is saved.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    expect = None

from django.utils import timezone

from archive import filing, roles
from archive.choices import FilingStatus
from contracts import services as contract_services
from contracts.models import Order
from credit.models import CreditApplication, CreditProfile

from ..factories import PASSWORD, make_user
from .conftest import login, snapshot
from .test_approval_workflow import approve, filed_card, logout, open_inbox, zh

SCORES = {"character": 5, "capacity": 4, "capital": 4, "collateral": 3, "conditions": 4}  # 4.10 → AA, 80 %


@pytest.fixture
def people(transactional_db):
    return {
        "manager1": make_user("manager1", roles.ACCOUNT_MANAGER, first_name="张伟"),
        "director": make_user("director", roles.SALES_DIRECTOR, first_name="王芳"),
    }


def test_credit_is_scored_approved_and_its_limit_refuses_a_larger_order(page, live_server, people):
    customer = filed_card(people["manager1"], people["director"], name="苏州金鼎精密机械有限公司")
    pump = contract_services.product_create(
        actor=people["director"],
        data={"code": "P-100", "name": "离心泵", "unit": "台", "list_price": Decimal("3280.00"), "specification": ""},
    )
    login(page, live_server, "manager1", PASSWORD)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("#no-credit")).to_be_visible()
    with page.expect_navigation():
        page.locator("#new-application").click()
    page.fill("#id_requested_limit", "10000")
    page.fill("#id_terms_days", "45")
    for factor, score in SCORES.items():
        page.locator(f"#factor-{factor} input[value='{score}']").check()
        page.fill(f"#id_note_{factor}", "见财务报表及往来记录")
    snapshot(page, "credit_application_form")
    with page.expect_navigation():
        page.locator("#application-form button[type=submit]").click()

    application = CreditApplication.objects.get(customer=customer)
    assert application.total_score == Decimal("4.10") and application.proposed_limit == Decimal("8000.00")
    expect(page.locator("#proposed-limit")).to_have_text("¥8,000.00")
    expect(page.locator("#proposed-grade")).to_contain_text("AA")
    with page.expect_navigation():
        page.locator("#submit-entry").click()
    request = filing.entry_requests(application).get()
    logout(page, live_server)

    login(page, live_server, "director", PASSWORD)
    open_inbox(page, live_server)
    expect(page.locator(f"#request-{request.pk}")).to_contain_text(customer.name)
    approve(page, request)
    logout(page, live_server)

    application.refresh_from_db()
    assert application.status == FilingStatus.FILED
    profile = CreditProfile.objects.get(customer=customer)
    assert (profile.credit_grade, profile.limit, profile.terms_days) == ("AA", Decimal("8000.00"), 45)

    login(page, live_server, "manager1", PASSWORD)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("#credit-limit")).to_have_text("¥8,000.00")
    with page.expect_navigation():
        page.locator("#new-order").click()
    page.fill("#id_ordered_on", timezone.localdate().isoformat())
    page.select_option("#id_lines-0-product", str(pump.pk))
    page.fill("#id_lines-0-quantity", "3")
    expect(page.locator("#order-total-preview")).to_have_text("¥9,840.00")
    with page.expect_navigation():
        page.locator("#save-order").click()

    # Refused with the figures; nothing saved, the lines still typed.
    alert = page.locator("main .alert-danger")
    expect(alert).to_contain_text(zh("Credit limit"))  # 信用额度, at the head of the refusal
    expect(alert).to_contain_text("¥8,000.00")
    expect(alert).to_contain_text("¥9,840.00")
    expect(page.locator("#id_lines-0-quantity")).to_have_value("3")
    assert not Order.objects.filter(customer=customer).exists()
    snapshot(page, "order_over_credit_limit")
