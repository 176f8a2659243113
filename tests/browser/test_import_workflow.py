"""The import in a real browser: upload LibreOffice's register, import the valid rows, fix the others, import them.

The page is read by its element ids and structure and by the file's own data (row numbers, headers, names),
never by the interface's wording, which the translations may change.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    expect = None

from archive import roles
from archive.choices import FilingStatus
from customers.models import Customer, ImportRecord
from customers.validators import credit_code_check_character

from ..factories import PASSWORD, make_region, make_user
from .conftest import login

REGISTER = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "libreoffice_register.xlsx"
FIRST_THREE = ["苏州恒昌精密机械有限公司", "天津北辰阀门有限公司", "广州南粤泵业有限公司"]
FIXED_TWO = ["无锡新宇五金有限公司", "沈阳盛京机电有限公司"]
PREVIEW_URL = re.compile(r".*/customers/import/(\d+)/$")


@pytest.fixture
def import_desk(transactional_db):
    regions = {
        code: make_region(name, code) for name, code in [("华东区", "east"), ("华北区", "north"), ("华南区", "south")]
    }
    manager = make_user("manager1", roles.ACCOUNT_MANAGER, first_name="张伟")
    return {"manager": manager, "regions": regions}


def upload_and_check(page, live_server, path: Path) -> int:
    """Upload ``path`` on the import form; return the number of the import whose preview opens."""
    page.goto(f"{live_server.url}/customers/import/")
    page.locator("#import-form input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.locator("#import-form button[type=submit]").click()
    match = PREVIEW_URL.match(page.url)
    assert match, f"no preview after the upload: {page.url}"
    return int(match.group(1))


def confirm(page) -> None:
    with page.expect_navigation():
        page.locator("#confirm-form button[type=submit]").click()
    assert "/customers/?" in page.url and "status=draft" in page.url


def listed_names(page) -> list[str]:
    return sorted(page.locator("table.customer-table tbody tr td:first-child > a").all_inner_texts())


def test_a_manager_imports_a_register_fixes_the_rows_to_fix_and_imports_them(page, live_server, import_desk, tmp_path):
    manager, regions = import_desk["manager"], import_desk["regions"]
    login(page, live_server, "manager1", PASSWORD)

    # 1. The LibreOffice register: three valid rows, two with a problem each; nothing written yet.
    first = upload_and_check(page, live_server, REGISTER)
    expect(page.locator("#valid-count")).to_have_text("3")
    expect(page.locator("#problem-count")).to_have_text("2")
    problems = page.locator("#problems tbody tr")
    expect(problems).to_have_count(2)
    cells = [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in problems.all()]
    assert [row[0] for row in cells] == ["3", "5"]
    assert "统一社会信用代码" in cells[0][1] and "区域" in cells[1][1]
    assert problems.locator("td:nth-child(2) .font-monospace").all_inner_texts() == ["A", "C"]  # column letters
    assert "东北区" in cells[1][2]
    expect(page.locator("#ignored-headers .badge")).to_have_text(["备注（内部）"])
    assert Customer.all_objects.count() == 0

    # 2. Import the valid rows: the list of drafts shows them.
    confirm(page)
    assert listed_names(page) == sorted(FIRST_THREE)
    assert sorted(Customer.objects.values_list("name", flat=True)) == sorted(FIRST_THREE)

    # 3. Download the rows to fix from the import's page, and correct them as the problems say.
    page.goto(f"{live_server.url}/customers/import/{first}/")
    with page.expect_download() as download_info:
        page.click("#errors-link")
    rows_to_fix = tmp_path / "rows-to-fix.xlsx"
    download_info.value.save_as(rows_to_fix)

    workbook = load_workbook(rows_to_fix)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:8] == [
        "统一社会信用代码",
        "客户名称",
        "区域",
        "电话",
        "成立日期",
        "注册资本（元）",
        "客户层级",
        "备注（内部）",
    ]
    assert len(header) == 9 and sheet.cell(2, 9).value  # the problems column, filled in
    code_at, name_at, region_at = (header.index(h) + 1 for h in ("统一社会信用代码", "客户名称", "区域"))
    assert [sheet.cell(row, name_at).value for row in (2, 3)] == FIXED_TWO
    assert sheet.max_row == 3
    wrong = sheet.cell(2, code_at).value
    fixed_code = wrong[:17] + credit_code_check_character(wrong[:17])
    assert fixed_code != wrong
    sheet.cell(2, code_at).value = fixed_code
    assert sheet.cell(3, region_at).value == "东北区"
    sheet.cell(3, region_at).value = "华北区"
    # The problems column stays: the import knows its own column and neither reads nor reports it.
    corrected = tmp_path / "rows-to-fix-corrected.xlsx"
    workbook.save(corrected)

    # 4. Upload the corrected file: no problems; import it.
    second = upload_and_check(page, live_server, corrected)
    assert second != first
    expect(page.locator("#valid-count")).to_have_text("2")
    expect(page.locator("#problem-count")).to_have_text("0")
    expect(page.locator("#problems")).to_have_count(0)
    expect(page.locator("#errors-link")).to_have_count(0)
    expect(page.locator("#ignored-headers .badge")).to_have_text(["备注（内部）"])
    confirm(page)

    # 5. All five customers are drafts, in the list and in the archive.
    page.goto(f"{live_server.url}/customers/?status={FilingStatus.DRAFT}")
    assert listed_names(page) == sorted(FIRST_THREE + FIXED_TWO)
    page.goto(f"{live_server.url}/customers/")
    assert listed_names(page) == sorted(FIRST_THREE + FIXED_TWO)

    customers = {c.name: c for c in Customer.all_objects.select_related("region", "owner")}
    assert set(customers) == set(FIRST_THREE + FIXED_TWO)
    assert all(
        c.status == FilingStatus.DRAFT and c.owner == manager and c.deleted_at is None for c in customers.values()
    )
    assert customers["无锡新宇五金有限公司"].credit_code == fixed_code
    assert customers["无锡新宇五金有限公司"].region == regions["east"]
    assert customers["沈阳盛京机电有限公司"].region == regions["north"]
    assert customers["沈阳盛京机电有限公司"].credit_code == "9131000000000Y6GCC"
    assert str(customers["天津北辰阀门有限公司"].registered_capital) == "8000000.50"
    records = list(ImportRecord.objects.order_by("pk").values_list("pk", "user", "state", "imported_count"))
    assert records == [
        (first, manager.pk, ImportRecord.State.IMPORTED, 3),
        (second, manager.pk, ImportRecord.State.IMPORTED, 2),
    ]
