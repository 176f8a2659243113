"""An account manager's day on the archive card, in a real browser: find, open, edit, audit.

Navigation goes by addresses (DESIGN §7), ids and names, never by button labels: the labels are translated.
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    expect = None

from archive import roles
from customers.models import Customer

from ..factories import PASSWORD, credit_code, make_customer, make_region, make_user
from .conftest import login, snapshot

MANAGER_NAME = "张伟"


@pytest.fixture
def desk(transactional_db):
    """manager1 keeps four customers in two regions and three grades; manager2 keeps a look-alike."""
    east = make_region("华东区", "east")
    north = make_region("华北区", "north")
    manager1 = make_user("manager1", roles.ACCOUNT_MANAGER, first_name=MANAGER_NAME)
    manager2 = make_user("manager2", roles.ACCOUNT_MANAGER, first_name="李娜")
    mine = {
        "shanghai": make_customer(
            manager1,
            name="上海华东机电有限公司",
            short_name="华东机电",
            grade_override="A",
            region=east,
            phone="021-62345678",
            address="上海市浦东新区张江路100号",
        ),
        "yanshan": make_customer(manager1, name="北京燕山贸易有限公司", grade_override="B", region=north),
        "beijing": make_customer(manager1, name="北京华北重工集团", grade_override="A", region=north),
        "tianjin": make_customer(manager1, name="天津滨海物流有限公司", grade_override="C", region=north),
    }
    # Matches every filter below (grade A, "有限公司", 华东区): only the permission gateway keeps it out.
    theirs = make_customer(manager2, name="上海华东竞品有限公司", grade_override="A", region=east)
    return {"manager1": manager1, "manager2": manager2, "mine": mine, "theirs": theirs}


def visible_names(page) -> list[str]:
    return page.locator("table.customer-table tbody tr td:first-child > a").all_inner_texts()


def test_manager_filters_opens_edits_and_audits_a_card(page, live_server, desk):
    mine, theirs = desk["mine"], desk["theirs"]
    card = mine["shanghai"]
    old_phone, new_phone = "021-62345678", "021-58889999"
    old_address, new_address = "上海市浦东新区张江路100号", "上海市浦东新区科苑路88号3楼"

    login(page, live_server, "manager1", PASSWORD)
    page.goto(f"{live_server.url}/customers/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    expect(page.locator("table.customer-table")).to_be_visible()
    assert sorted(visible_names(page)) == sorted(c.name for c in mine.values())
    assert theirs.name not in page.content()
    snapshot(page, "01_list")

    # Grades A and B through the toggle buttons, plus a search; then the Filter button.
    page.locator("label[for='grade-A']").click()
    page.locator("label[for='grade-B']").click()
    expect(page.locator("#grade-A")).to_be_checked()
    expect(page.locator("#grade-B")).to_be_checked()
    expect(page.locator("#grade-C")).not_to_be_checked()
    page.fill("#id_q", "有限公司")
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    assert "q=" in page.url and "grade=A" in page.url and "grade=B" in page.url
    assert sorted(visible_names(page)) == sorted([mine["shanghai"].name, mine["yanshan"].name])
    assert theirs.name not in page.content()
    expect(page.locator("#id_q")).to_have_value("有限公司")
    expect(page.locator("#grade-A")).to_be_checked()
    snapshot(page, "02_filtered")

    # Narrow further to 华东区: only the Shanghai card is left.
    page.select_option("#id_region", str(card.region_id))
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    assert visible_names(page) == [card.name]

    # Open the card by its name.
    with page.expect_navigation():
        page.locator(f"table.customer-table a[href='/customers/{card.pk}/']").click()
    assert page.url == f"{live_server.url}/customers/{card.pk}/"
    expect(page.locator("h1")).to_contain_text(card.name)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    snapshot(page, "03_card")

    # Edit: the phone and the address.
    with page.expect_navigation():
        page.locator(f"a[href='/customers/{card.pk}/edit/']").click()
    expect(page.locator("#id_phone")).to_have_value(old_phone)
    expect(page.locator("#id_address")).to_have_value(old_address)
    page.fill("#id_phone", new_phone)
    page.fill("#id_address", new_address)
    page.locator("#id_phone").evaluate("el => el.scrollIntoView({block: 'center', behavior: 'instant'})")
    snapshot(page, "04_edit", full_page=False)
    with page.expect_navigation():
        page.locator("form:has(#id_phone) button[type=submit]").click()

    # Back on the card, which shows the new values (the address section is the second, collapsed, one).
    assert page.url == f"{live_server.url}/customers/{card.pk}/"
    expect(page.locator(".alert-success")).to_be_visible()
    page.locator("button[data-bs-target='#fs-2']").click()
    expect(page.locator("#fs-2")).to_have_class(re.compile(r"\bshow\b"))  # Bootstrap's opening transition is over
    expect(page.locator("#fs-2 dd", has_text=new_phone)).to_be_visible()
    expect(page.locator("#fs-2 dd", has_text=new_address)).to_be_visible()
    assert old_phone not in page.locator("#card-fields").inner_text()
    snapshot(page, "05_saved")

    card.refresh_from_db()
    assert (card.phone, card.address, card.version) == (new_phone, new_address, 2)

    # The change trail: the newest entry is this edit, by 张伟, with old and new values side by side.
    with page.expect_navigation():
        page.locator(f"a[href='/customers/{card.pk}/history/']").click()
    assert page.url == f"{live_server.url}/customers/{card.pk}/history/"
    newest = page.locator(".trail-entry").first
    expect(newest.locator(".trail-user")).to_have_text(MANAGER_NAME)
    phone_row = newest.locator("table.diff-table tbody tr", has=page.locator("td.diff-old", has_text=old_phone))
    expect(phone_row).to_have_count(1)
    expect(phone_row.locator("td.diff-new")).to_have_text(new_phone)
    address_row = newest.locator("table.diff-table tbody tr", has=page.locator("td.diff-old", has_text=old_address))
    expect(address_row).to_have_count(1)
    expect(address_row.locator("td.diff-new")).to_have_text(new_address)
    expect(newest.locator("table.diff-table tbody tr")).to_have_count(2)  # nothing else changed
    assert theirs.name not in page.content()
    snapshot(page, "06_history")


def test_wrong_credit_code_check_digit_is_refused_and_keeps_the_input(page, live_server, desk):
    card = desk["mine"]["yanshan"]
    before = Customer.objects.get(pk=card.pk)
    trail_before = card.history.count()
    good = credit_code(9001)
    wrong = good[:17] + next(ch for ch in "0123456789ABCDEFGH" if ch != good[17])
    typed_phone = "0571-87654321"

    login(page, live_server, "manager1", PASSWORD)
    page.goto(f"{live_server.url}/customers/{card.pk}/edit/")
    page.fill("#id_credit_code", wrong)
    page.fill("#id_phone", typed_phone)
    with page.expect_navigation():
        page.locator("form:has(#id_phone) button[type=submit]").click()

    # The form comes back with the field marked and explained, and everything typed still there.
    assert page.url == f"{live_server.url}/customers/{card.pk}/edit/"
    field = page.locator("#id_credit_code.is-invalid")
    expect(field).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value(wrong)
    error = page.locator("#id_credit_code ~ .invalid-feedback")
    expect(error).to_have_count(1)
    expect(error).to_be_visible()
    assert error.inner_text().strip()
    expect(page.locator("#id_phone")).to_have_value(typed_phone)
    expect(page.locator("#id_phone")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("main .alert-danger")).to_be_visible()
    assert page.locator(".is-invalid").count() == 1
    snapshot(page, "07_invalid_credit_code")

    # Nothing was saved.
    after = Customer.objects.get(pk=card.pk)
    assert (after.credit_code, after.phone, after.version) == (before.credit_code, before.phone, before.version)
    assert card.history.count() == trail_before
