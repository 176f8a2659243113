"""The administrators' commands: export the register and import a list, through the same services."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from customers.models import AccessRecord, Customer, ImportRecord

from ..factories import make_customer

pytestmark = pytest.mark.django_db


def write_xlsx(path, *rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_export_writes_the_rows_the_user_may_read_under_the_filter_and_registers_it(tmp_path, world):
    make_customer(world["owner"], grade_override="A", name="甲级客户")
    target = tmp_path / "register.xlsx"
    output = run("export_customers", str(target), "--user", "owner", "--grade", "A")
    assert "1 customers" in output
    rows = list(load_workbook(target).worksheets[0].values)
    assert [row[1] for row in rows[1:]] == ["甲级客户"]
    record = AccessRecord.objects.get()
    assert record.user == world["owner"] and record.row_count == 1 and "grade=A" in record.query

    run("export_customers", str(target), "--user", "director", "--owner", "other_manager")
    assert [row[1] for row in list(load_workbook(target).worksheets[0].values)[1:]] == [world["b"].name]


def test_export_refuses_an_unknown_user_or_a_bad_filter(tmp_path, world):
    with pytest.raises(CommandError):
        run("export_customers", str(tmp_path / "x.xlsx"), "--user", "nobody")
    with pytest.raises(CommandError):
        run("export_customers", str(tmp_path / "x.xlsx"), "--user", "owner", "--grade", "Z")
    assert AccessRecord.objects.count() == 0


def test_import_lists_problems_and_imports_the_valid_rows(tmp_path, people):
    path = write_xlsx(
        tmp_path / "客户.xlsx", ["客户名称", "职工人数", "备注"], ["甲公司", 3, ""], ["乙公司", "many", ""]
    )
    output = run("import_customers", str(path), "--user", "owner", "--dry-run")
    assert "row 3, column B 职工人数" in output and "备注" in output
    assert Customer.objects.count() == 0 and ImportRecord.objects.count() == 0

    output = run("import_customers", str(path), "--user", "owner")
    assert "1 of 2 rows imported" in output
    customer = Customer.objects.get()
    assert customer.name == "甲公司" and customer.owner == people["owner"]
    record = ImportRecord.objects.get()
    assert record.state == "imported" and record.file_name == "客户.xlsx"
    assert f"#{record.pk}" in customer.history.get().history_change_reason


def test_import_exits_with_an_error_on_a_refused_file_or_a_user_who_may_not_import(tmp_path, people):
    bad = tmp_path / "客户.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(CommandError):
        run("import_customers", str(bad), "--user", "owner")
    good = write_xlsx(tmp_path / "ok.xlsx", ["客户名称"], ["甲公司"])
    with pytest.raises(CommandError):
        run("import_customers", str(good), "--user", "clerk")
    with pytest.raises(CommandError):
        run("import_customers", str(tmp_path / "missing.xlsx"), "--user", "owner")
    assert Customer.objects.count() == 0 and ImportRecord.objects.count() == 0
