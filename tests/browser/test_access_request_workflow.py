"""An access request (调阅申请) from the lookup to the reading, in a real browser.

manager2 looks up manager1's customer by its credit code, learns only that it exists and who keeps it, and asks
to read it; the card stays a 404 meanwhile. The director sees the waiting request in the navigation bar and
grants it for 7 days; manager2 opens the card from their request list and reads it.
"""

from __future__ import annotations

import datetime

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    expect = None

from django.utils import timezone

from access.models import AccessRequest
from archive import roles
from customers import permissions
from customers.permissions import Action

from ..factories import PASSWORD, make_user
from .conftest import login, snapshot
from .test_approval_workflow import filed_card, logout

REASON = "下周拜访前需要了解该客户的应收账款情况"


@pytest.fixture
def people(transactional_db):
    return {
        "manager1": make_user("manager1", roles.ACCOUNT_MANAGER, first_name="张伟"),
        "manager2": make_user("manager2", roles.ACCOUNT_MANAGER, first_name="李娜"),
        "director": make_user("director", roles.SALES_DIRECTOR, first_name="王芳"),
    }


def test_manager2_asks_the_director_grants_and_manager2_reads(page, live_server, people):
    customer = filed_card(
        people["manager1"],
        people["director"],
        name="苏州工业园区精密机械有限公司",
        phone="0512-62881234",
        address="苏州工业园区星湖街328号",
    )
    card_url = f"{live_server.url}{customer.get_absolute_url()}"

    # manager2 looks the customer up by its credit code, typed in lower case.
    login(page, live_server, "manager2", PASSWORD)
    page.locator("#nav-access").click()
    with page.expect_navigation():
        page.locator("#nav-access-lookup").click()
    page.locator("#id_key").fill(customer.credit_code.lower())
    with page.expect_navigation():
        page.locator("#lookup-submit").click()
    match = page.locator(".lookup-match")
    expect(match).to_have_count(1)
    expect(match.locator(".match-keeper")).to_contain_text("张伟")
    answer = page.locator("main").inner_text()
    for secret in (customer.name, customer.phone, customer.address):
        assert secret not in answer
    expect(page.locator(f"a[href='{customer.get_absolute_url()}']")).to_have_count(0)
    snapshot(page, "access_lookup")

    match.locator("textarea[name=reason]").fill(REASON)
    expect(match.locator("input[name=days]")).to_have_value("7")
    with page.expect_navigation():
        match.locator("button[type=submit]").click()
    access_request = AccessRequest.objects.get()
    assert (access_request.requester, access_request.customer, access_request.state) == (
        people["manager2"],
        customer,
        AccessRequest.State.PENDING,
    )
    expect(page.locator("#request-state")).to_have_text(access_request.get_state_display())

    # Meanwhile the card is not there for manager2.
    response = page.goto(card_url)
    assert response.status == 404
    page.goto(f"{live_server.url}/customers/")
    logout(page, live_server)

    # The director sees the waiting request in the navigation bar and grants 7 days.
    login(page, live_server, "director", PASSWORD)
    expect(page.locator("#nav-access-count")).to_have_text("1")
    page.locator("#nav-access").click()
    with page.expect_navigation():
        page.locator("#nav-access-requests").click()
    row = page.locator(f"#request-{access_request.pk}")
    expect(row).to_contain_text(customer.name)
    expect(row).to_contain_text(REASON)
    with page.expect_navigation():
        row.locator(f"a[href='/access/requests/{access_request.pk}/']").first.click()
    expect(page.locator("#grant-form input[name=days]")).to_have_value("7")
    page.locator("#grant-form textarea[name=comment]").fill("仅限查阅，勿外传")
    snapshot(page, "access_request_detail")
    before = timezone.now()
    with page.expect_navigation():
        page.locator("#grant").click()
    access_request.refresh_from_db()
    assert access_request.state == AccessRequest.State.GRANTED
    assert before + datetime.timedelta(days=7) <= access_request.expires_at
    assert access_request.expires_at <= timezone.now() + datetime.timedelta(days=7)
    assert permissions.can(people["manager2"], Action.VIEW, customer)
    assert not permissions.can(people["manager2"], Action.CHANGE, customer)
    expect(page.locator("#nav-access-count")).to_have_count(0)
    logout(page, live_server)

    # manager2 opens the card from the request list and reads it.
    login(page, live_server, "manager2", PASSWORD)
    page.goto(f"{live_server.url}/access/requests/")
    row = page.locator(f"#request-{access_request.pk}")
    expect(row.locator(".state-badge")).to_have_text(access_request.get_state_display())
    expect(row).to_contain_text(timezone.localtime(access_request.expires_at).strftime("%Y-%m-%d %H:%M"))
    snapshot(page, "access_request_list")
    with page.expect_navigation():
        row.locator("a.open-card").click()
    assert page.url == card_url
    expect(page.locator("h1")).to_contain_text(customer.name)
    # Read, not keep: nothing to edit.
    expect(page.locator(f"a[href='/customers/{customer.pk}/edit/']")).to_have_count(0)
