"""Excel in a real browser: a region's clerk filters the register and downloads exactly what the list shows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    expect = None

from archive import roles
from customers import permissions
from customers.models import AccessRecord

from ..factories import PASSWORD, make_customer, make_region, make_user
from .conftest import login


@pytest.fixture
def region_desk(transactional_db):
    """The East region's clerk reads its cards through a group; a North card and an ungranted East card exist too."""
    east, north = make_region("华东区", "east"), make_region("华北区", "north")
    manager = make_user("manager1", roles.ACCOUNT_MANAGER, first_name="张伟")
    clerk = make_user("clerk", roles.CLERK, first_name="赵敏")
    group = Group.objects.create(name="华东区内勤")
    clerk.groups.add(group)
    granted = {
        "a1": make_customer(manager, name="上海申江机电有限公司", grade_override="A", region=east),
        "a2": make_customer(manager, name="杭州钱塘阀门有限公司", grade_override="A", region=east),
        "b": make_customer(manager, name="南京金陵五金有限公司", grade_override="B", region=east),
        "north": make_customer(manager, name="北京燕山贸易有限公司", grade_override="A", region=north),
    }
    for customer in granted.values():
        permissions.grant(customer, group)
    # Grade A and in the East like the others, but never granted to the clerk's group.
    make_customer(manager, name="苏州未授权机械有限公司", grade_override="A", region=east)
    return {"clerk": clerk, "east": east, "granted": granted}


def test_a_clerk_exports_the_filtered_register(page, live_server, region_desk, tmp_path):
    login(page, live_server, "clerk", PASSWORD)
    page.goto(f"{live_server.url}/customers/")
    page.locator("label[for=grade-A]").click()
    page.select_option("#id_region", str(region_desk["east"].pk))
    page.locator("form:has(#id_q) button[type=submit]").first.click()
    rows = page.locator("table.customer-table tbody tr td:first-child > a")
    expect(rows).to_have_count(2)
    shown = sorted(rows.all_inner_texts())
    assert shown == ["上海申江机电有限公司", "杭州钱塘阀门有限公司"]

    with page.expect_download() as download_info:
        page.click("#export-link")
    path = tmp_path / "register.xlsx"
    download_info.value.save_as(path)

    workbook = load_workbook(path, read_only=True)
    sheet = workbook.worksheets[0]
    header, *data = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
    workbook.close()
    names = sorted(row[header.index("客户名称")] for row in data)
    assert names == shown
    assert all(row[header.index("客户等级")] == "A" for row in data)

    logged = AccessRecord.objects.get(user=region_desk["clerk"], action=AccessRecord.Action.EXPORT)
    assert logged.row_count == 2
    assert "grade=A" in logged.query
