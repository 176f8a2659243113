"""A complaint from the telephone call to the archive, in a real browser.

manager1 records a complaint from the customer's card, logs a handling step, closes it with the customer's
satisfaction and submits it; the director files it from the inbox; the card then shows it closed, filed and
numbered in the fifth category, and the overdue highlight is gone.
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    expect = None

from archive import filing, roles
from archive.choices import FilingStatus
from complaints.models import Complaint

from ..factories import PASSWORD, make_user
from .conftest import login, snapshot
from .test_approval_workflow import approve, filed_card, logout, open_inbox


@pytest.fixture
def people(transactional_db):
    return {
        "manager1": make_user("manager1", roles.ACCOUNT_MANAGER, first_name="张伟"),
        "director": make_user("director", roles.SALES_DIRECTOR, first_name="王芳"),
    }


def test_a_complaint_is_recorded_handled_closed_and_filed(page, live_server, people):
    customer = filed_card(people["manager1"], people["director"], name="无锡恒信泵阀有限公司")
    login(page, live_server, "manager1", PASSWORD)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    with page.expect_navigation():
        page.locator("#new-complaint").click()
    form = page.locator("#complaint-form")
    form.locator("select[name=channel]").select_option("phone")
    form.locator("select[name=category]").select_option("quality")
    form.locator("select[name=severity]").select_option("critical")
    form.locator("input[name=subject]").fill("泵体铸件有砂眼")
    form.locator("textarea[name=content]").fill("到货的两台离心泵泵体有砂眼，试压渗漏。")
    snapshot(page, "complaint_form")
    with page.expect_navigation():
        page.locator("#save-complaint").click()

    complaint = Complaint.objects.get(customer=customer)
    assert (complaint.state, complaint.severity, complaint.status) == ("open", "critical", FilingStatus.DRAFT)
    expect(page.locator("h1")).to_contain_text("泵体铸件有砂眼")
    # An open complaint cannot go to the director yet: the submit button waits for the closing.
    expect(page.locator("#submit-entry")).to_have_count(0)

    page.locator("#step-form textarea").fill("质检部上门取样，确认为铸造缺陷，安排更换泵体。")
    with page.expect_navigation():
        page.locator("#step-form button[type=submit]").click()
    expect(page.locator("#timeline-steps")).to_contain_text("确认为铸造缺陷")
    complaint.refresh_from_db()
    assert complaint.state == "handling" and complaint.steps.count() == 1

    with page.expect_navigation():
        page.locator("#close-complaint").click()
    close = page.locator("#close-form")
    close.locator("textarea[name=result]").fill("更换两台泵体，客户试压合格。")
    close.locator("select[name=responsibility]").select_option("production")
    close.locator("#satisfaction-field label").nth(3).click()  # 4 of 5
    snapshot(page, "complaint_close")
    with page.expect_navigation():
        page.locator("#save-close").click()
    complaint.refresh_from_db()
    assert (complaint.state, complaint.satisfaction) == ("closed", 4)
    expect(page.locator("#complaint-satisfaction")).to_contain_text("★★★★")

    with page.expect_navigation():
        page.locator("#submit-entry").click()
    request = filing.entry_requests(complaint).get()
    logout(page, live_server)

    login(page, live_server, "director", PASSWORD)
    open_inbox(page, live_server)
    expect(page.locator(f"#request-{request.pk}")).to_contain_text(customer.name)
    approve(page, request)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    row = page.locator("#card-complaints tbody tr", has_text="泵体铸件有砂眼")
    expect(row).to_contain_text("5-001")
    expect(row).not_to_have_class(re.compile(r"\bcomplaint-overdue\b"))
    snapshot(page, "complaint_on_card")
    complaint.refresh_from_db()
    assert complaint.status == FilingStatus.FILED and complaint.entry_code == "5-001"
