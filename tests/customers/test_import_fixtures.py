"""The import against workbooks LibreOffice wrote (``tests/fixtures/imports``, rebuilt by ``make_fixtures.py``).

Each fixture goes through the service as an account manager would take it: the preview (which rows are valid,
every problem by row and column label, the headers ignored, the values read), then the import (drafts kept by
the importer). The refused files must leave the archive exactly as it was. Problem messages are not compared:
the translations change under the suite; the rows, column letters and labels, codes and data values do not.
"""

from __future__ import annotations

import datetime
import decimal
from pathlib import Path

import pytest
from django.apps import apps
from openpyxl import load_workbook

from archive.choices import FilingStatus
from customers import imports
from customers.models import Customer, ImportRecord

from ..factories import make_region
from ..helpers import upload

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
REGIONS = [("华东区", "east"), ("华北区", "north"), ("华南区", "south")]

REGISTER = "libreoffice_register.xlsx"
REGISTER_VALID = {
    2: "苏州恒昌精密机械有限公司",
    4: "天津北辰阀门有限公司",
    6: "广州南粤泵业有限公司",
}
# Row 3: a wrong check character in the credit code (column A); row 5: the region 东北区 (column C).
REGISTER_PROBLEMS = [(3, "A", "统一社会信用代码"), (5, "C", "区域")]


@pytest.fixture
def regions(db):
    return {code: make_region(name, code) for name, code in REGIONS}


@pytest.fixture
def manager(people, regions):
    """An account manager, who keeps the customers he imports."""
    return people["owner"]


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def preview(actor, name: str) -> imports.ImportResult:
    return imports.import_preview(actor=actor, source=FIXTURES / name, file_name=name)


def start(actor, name: str) -> tuple[ImportRecord, imports.ImportResult]:
    return imports.import_start(actor=actor, upload=upload(name, fixture_bytes(name)))


def import_file(actor, name: str) -> tuple[ImportRecord, imports.ImportResult]:
    record, _result = start(actor, name)
    return imports.import_confirm(actor=actor, record_id=record.pk)


def where(result) -> list[tuple[int, str, str]]:
    return [(p.row, p.letter, p.column) for p in result.problems]


def history_models():
    return [model for model in apps.get_models() if model.__name__.startswith("Historical")]


def archive_state(tmp_path) -> dict:
    """Everything an import could leave behind: cards (binned too), import records, stored files, trail rows."""
    stored = tmp_path / "imports"
    return {
        "customers": Customer.all_objects.count(),
        "import records": ImportRecord.objects.count(),
        "stored files": sorted(str(p) for p in stored.rglob("*") if p.is_file()) if stored.exists() else [],
        **{model._meta.label: model.objects.count() for model in history_models()},
    }


def test_the_fixtures_are_what_the_tests_expect():
    """The workbooks are LibreOffice's, not openpyxl's; the text file only pretends to be a workbook."""
    for name in (REGISTER, "formulas_and_errors.xlsx", "merged_header_blank_lines.xlsx", "sixty_thousand_rows.xlsx"):
        assert fixture_bytes(name).startswith(b"PK\x03\x04"), name
    assert not fixture_bytes("renamed_text.xlsx").startswith(b"PK")
    assert len(history_models()) >= 2  # the trail is there to be counted


# ---- libreoffice_register.xlsx ---------------------------------------------------------------------------------


def test_register_preview_rows_problems_and_ignored_column(manager, regions):
    result = preview(manager, REGISTER)
    assert result.rows_total == 5
    assert {row.number: row.data["name"] for row in result.valid} == REGISTER_VALID
    assert where(result) == REGISTER_PROBLEMS
    assert [row.number for row in result.bad_rows] == [3, 5]
    assert "东北区" in result.problems[1].message  # the message names the region it did not find
    assert result.ignored_headers == ["备注（内部）"]
    assert [header for header, _label in result.matched] == [
        "统一社会信用代码",
        "客户名称",
        "区域",
        "电话",
        "成立日期",
        "注册资本（元）",
        "客户层级",
    ]
    assert all(row.owner == manager for row in result.valid)

    rows = {row.number: row.data for row in result.valid}
    assert rows[2] == {
        "credit_code": "9131000000000Y6G93",
        "name": "苏州恒昌精密机械有限公司",
        "region": regions["east"],
        "phone": "0512-66881234",
        "founded_on": datetime.date(2008, 5, 12),
        "registered_capital": decimal.Decimal("5000000.00"),
        "tier": "key",
    }
    assert rows[4]["registered_capital"] == decimal.Decimal("8000000.50")
    assert rows[4]["founded_on"] == datetime.date(2001, 11, 20)
    assert rows[4]["region"] == regions["north"]
    assert rows[6]["region"] == regions["south"]
    assert rows[6]["phone"] == "020-87654321"  # a text cell, not a number: the leading zero stays
    assert Customer.all_objects.count() == 0  # a preview writes nothing


def test_register_import_makes_three_drafts_of_the_importer(manager, regions, tmp_path):
    record, result = import_file(manager, REGISTER)
    # The file is kept where the refusal tests look for it (so their "no stored file" is no empty check).
    assert [Path(p).name for p in archive_state(tmp_path)["stored files"]] == [Path(record.file.name).name]

    assert (record.state, record.user, record.rows_total) == (ImportRecord.State.IMPORTED, manager, 5)
    assert (record.imported_count, record.problem_count) == (3, 2)
    assert [(p["row"], p["letter"], p["column"]) for p in record.problems] == REGISTER_PROBLEMS

    customers = {c.name: c for c in Customer.all_objects.all()}
    assert set(customers) == set(REGISTER_VALID.values())
    for customer in customers.values():
        assert customer.status == FilingStatus.DRAFT
        assert customer.owner == manager
        assert customer.deleted_at is None
        trail = customer.history.get()
        assert f"#{record.pk}" in trail.history_change_reason and REGISTER in trail.history_change_reason

    tianjin = customers["天津北辰阀门有限公司"]
    tianjin.refresh_from_db()
    assert tianjin.registered_capital == decimal.Decimal("8000000.50")
    assert tianjin.founded_on == datetime.date(2001, 11, 20)
    assert tianjin.region == regions["north"]
    assert tianjin.credit_code == "9131000000000Y6GB9"
    assert tianjin.tier == "general"
    suzhou = customers["苏州恒昌精密机械有限公司"]
    assert (suzhou.registered_capital, suzhou.tier) == (decimal.Decimal("5000000.00"), "key")
    assert customers["广州南粤泵业有限公司"].region == regions["south"]


def test_register_imported_twice_the_second_time_its_valid_rows_are_duplicates(manager, regions):
    import_file(manager, REGISTER)
    assert Customer.all_objects.count() == 3

    record, result = start(manager, REGISTER)
    assert result.valid == []
    assert [row.number for row in result.bad_rows] == [2, 3, 4, 5, 6]
    found = where(result)
    for number in REGISTER_VALID:
        # Against the archive: both the credit code (A) and the name (B) are taken.
        assert (number, "A", "统一社会信用代码") in found
        assert (number, "B", "客户名称") in found
    assert set(REGISTER_PROBLEMS) <= set(found)
    assert len(found) == 3 * 2 + 2

    record, result = imports.import_confirm(actor=manager, record_id=record.pk)
    assert (record.state, record.imported_count, record.problem_count) == (ImportRecord.State.IMPORTED, 0, 8)
    assert Customer.all_objects.count() == 3
    assert all(c.history.count() == 1 for c in Customer.all_objects.all())


def test_register_rows_to_fix_workbook_corrected_imports_the_last_two(manager, regions, tmp_path):
    from customers.validators import credit_code_check_character

    record, result = import_file(manager, REGISTER)
    workbook = load_workbook(imports.error_workbook(imports.import_result(actor=manager, record=record)))
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
    assert len(header) == 9  # and the column of problems
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[1].value for row in rows] == ["无锡新宇五金有限公司", "沈阳盛京机电有限公司"]
    code = rows[0][0].value
    rows[0][0].value = code[:17] + credit_code_check_character(code[:17])
    assert rows[1][2].value == "东北区"
    rows[1][2].value = "华北区"
    fixed = tmp_path / "fixed.xlsx"
    workbook.save(fixed)

    result = imports.import_preview(actor=manager, source=fixed, file_name="fixed.xlsx")
    assert result.problems == [] and result.ignored_headers == ["备注（内部）"]  # the problems column is quiet
    assert [row.data["name"] for row in result.valid] == ["无锡新宇五金有限公司", "沈阳盛京机电有限公司"]
    wuxi, shenyang = (row.data for row in result.valid)
    assert wuxi["founded_on"] == datetime.date(2012, 3, 1)
    assert wuxi["registered_capital"] == decimal.Decimal("1200000.00")
    assert shenyang["region"] == regions["north"]


# ---- formulas_and_errors.xlsx ------------------------------------------------------------------------------------


def test_formulas_are_read_by_their_cached_values_and_error_cells_are_problems(manager):
    result = preview(manager, "formulas_and_errors.xlsx")
    assert result.rows_total == 3
    assert [row.number for row in result.valid] == [2]
    data = result.valid[0].data
    assert data["name"] == "重庆两江机械有限公司"
    assert data["registered_capital"] == decimal.Decimal("5000000")  # =1000*5000
    assert data["employees"] == 120  # =40+80
    assert where(result) == [(3, "D", "职工人数"), (4, "C", "注册资本（元）")]
    assert "#DIV/0!" in result.problems[0].message and "#N/A" in result.problems[1].message
    assert result.ignored_headers == []

    record, result = import_file(manager, "formulas_and_errors.xlsx")
    assert record.imported_count == 1
    customer = Customer.all_objects.get()
    assert (customer.name, customer.status, customer.owner) == ("重庆两江机械有限公司", FilingStatus.DRAFT, manager)
    assert (customer.registered_capital, customer.employees) == (decimal.Decimal("5000000.00"), 120)


# ---- merged_header_blank_lines.xlsx ----------------------------------------------------------------------------


def test_english_headers_below_a_merged_title_with_blank_lines_between_rows(manager, regions):
    result = preview(manager, "merged_header_blank_lines.xlsx")
    assert result.sheet == "客户名册"
    assert result.rows_total == 3  # the blank lines are not rows
    assert result.problems == [] and result.ignored_headers == []
    assert [header for header, _label in result.matched] == [
        "Customer name",
        "Unified social credit code",
        "Region",
        "Phone",
    ]
    assert [(row.number, row.data["name"], row.data["region"]) for row in result.valid] == [
        (4, "杭州西湖电器有限公司", regions["east"]),
        (6, "宁波港城物流设备有限公司", regions["east"]),  # given by its code, east
        (8, "温州瓯江阀门有限公司", regions["east"]),
    ]

    record, _result = import_file(manager, "merged_header_blank_lines.xlsx")
    assert record.imported_count == 3
    customers = Customer.all_objects.order_by("name")
    assert {c.name for c in customers} == {"杭州西湖电器有限公司", "宁波港城物流设备有限公司", "温州瓯江阀门有限公司"}
    assert all(c.status == FilingStatus.DRAFT and c.owner == manager and c.region == regions["east"] for c in customers)
    assert Customer.all_objects.get(name="宁波港城物流设备有限公司").credit_code == "9131000000000Y6GY4"


# ---- Refused files ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [("renamed_text.xlsx", "corrupt"), ("sixty_thousand_rows.xlsx", "too_many_rows")],
)
def test_a_refused_fixture_leaves_the_archive_unchanged(manager, client, settings, tmp_path, name, code):
    settings.ARCHIVE_IMPORT_MAX_ROWS = 50_000
    settings.ARCHIVE_IMPORT_MAX_BYTES = 10 * 1024 * 1024
    assert len(fixture_bytes(name)) < settings.ARCHIVE_IMPORT_MAX_BYTES  # refused for what it is, not its size
    before = archive_state(tmp_path)

    with pytest.raises(imports.ImportRefused) as info:
        start(manager, name)  # the preview refuses it before anything is stored
    assert info.value.code == code
    assert archive_state(tmp_path) == before

    # The form shows the refusal on the file field, and keeps nothing either.
    client.force_login(manager)
    response = client.post("/customers/import/", {"file": upload(name, fixture_bytes(name))})
    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["file"]] == [code]
    assert archive_state(tmp_path) == before
    assert before["customers"] == before["import records"] == 0 and before["stored files"] == []
