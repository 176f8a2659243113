"""Importing customer lists: headers, every problem by row and column, duplicates, refusals, one transaction."""

import datetime
import decimal
import io
import re
import zipfile
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from openpyxl import Workbook, load_workbook

from archive.choices import FilingStatus
from customers import imports, services
from customers.models import Customer, ImportRecord

from ..factories import credit_code, make_customer, make_region, make_user
from ..helpers import upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are compared in English (their msgids); headers are matched in both languages regardless."""
    with translation.override("en"):
        yield


def xlsx(*rows, before=(), merge=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in before:
        ws.append(row)
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def preview(actor, content: bytes, name="客户.xlsx"):
    return imports.import_preview(actor=actor, source=io.BytesIO(content), file_name=name)


def problems(result):
    return {(p.row, p.letter, p.column): p.message for p in result.problems}


def refused(actor, content: bytes, name="客户.xlsx") -> str:
    with pytest.raises(imports.ImportRefused) as info:
        preview(actor, content, name)
    return info.value.code


HEADER = ["客户名称", "统一社会信用代码", "客户等级", "区域", "客户经理", "注册资本（元）", "成立日期", "职工人数"]


# ---- Headers ------------------------------------------------------------------------------------------------


def test_no_two_columns_share_a_header_spelling():
    seen = {}
    for column in imports.IMPORT_COLUMNS:
        names = [*imports._labels(column.label), column.name, *column.aliases]
        for key in {k for name in names for k in imports._keys(name)}:
            assert seen.setdefault(key, column.name) == column.name, key


def test_chinese_headers_in_any_order_with_extra_columns_ignored_and_reported(people):
    owner = people["owner"]
    content = xlsx(
        ["备注栏", "职工人数", "客户名称", "内部编号", "简称"],
        ["随便", 12, "上海甲有限公司", "X-1", "甲"],
    )
    result = preview(owner, content)
    assert result.ignored_headers == ["备注栏", "内部编号"]
    assert result.matched == [("职工人数", "employees"), ("客户名称", "customer name"), ("简称", "short name")]
    assert result.problems == []
    assert result.valid[0].data == {"employees": 12, "name": "上海甲有限公司", "short_name": "甲"}
    assert result.valid[0].owner == owner and result.valid[0].number == 2


def test_english_headers_aliases_and_full_width_brackets_and_asterisks(people):
    content = xlsx(
        ["Customer Name*", "unified social credit code", "Registered capital (CNY)", "注册资本(元)", "邮编", "E-mail"],
        ["上海乙有限公司", credit_code(501), "1,234.50", None, 200001, "a@example.com"],
    )
    result = preview(people["owner"], content)
    assert result.problems == []
    data = result.valid[0].data
    assert data["registered_capital"] == decimal.Decimal("1234.50")
    assert data["postcode"] == "200001" and data["email"] == "a@example.com"
    assert data["credit_code"] == credit_code(501)
    assert any("注册资本(元)" in ignored for ignored in result.ignored_headers)  # a second capital column


def test_the_header_is_found_below_a_merged_title_and_blank_lines_are_skipped(people):
    content = xlsx(
        HEADER[:2],
        ["上海丙有限公司", ""],
        [None, None],
        ["上海丁有限公司", None],
        before=[["2026年客户名单", None], [None, None]],
        merge="A1:B1",
    )
    result = preview(people["owner"], content)
    assert [row.number for row in result.valid] == [4, 6]
    assert result.rows_total == 2


def test_merged_header_cells_read_as_one_header(people):
    content = xlsx(["客户名称", None, "简称"], ["上海戊有限公司", "说明", "戊"], merge="A1:B1")
    result = preview(people["owner"], content)
    assert result.valid[0].data == {"name": "上海戊有限公司", "short_name": "戊"}


def test_a_file_without_the_name_column_or_without_any_header_is_refused(people):
    assert refused(people["owner"], xlsx(["简称", "区域"], ["甲", "华东区"])) == "no_name_column"
    assert refused(people["owner"], xlsx(["甲", "乙"], ["丙", "丁"])) == "no_header"


# ---- Cells and problems -----------------------------------------------------------------------------------


def test_values_are_read_in_every_form_a_company_list_holds_them(people):
    region = make_region()
    wang = make_user("wang", "account_manager", first_name="王芳")
    director = people["director"]
    content = xlsx(
        [
            "客户名称",
            "客户等级",
            "区域",
            "客户经理",
            "注册资本",
            "年销售额",
            "成立日期",
            "首次交易日期",
            "生命周期",
            "Nature",
            "邮政编码",
            "网址",
        ],
        [
            "甲公司",
            "A",
            "east",
            "王芳",
            "¥1,234.50",
            1234.5,
            datetime.datetime(2020, 5, 6),
            "2024年1月2日",
            "未来客户",
            "individual",
            10001,
            "www.example.com",
        ],
        ["乙公司", "D", "华东区", "wang", "500万", "12,345", "2024/1/2", 20240103, "Potential", "", None, None],
    )
    result = preview(director, content)
    assert result.problems == []
    first, second = (row.data for row in result.valid)
    assert first["grade_override"] == "A" and second["grade_override"] == ""
    assert first["region"] == region == second["region"]
    assert result.valid[0].owner == wang == result.valid[1].owner
    assert first["registered_capital"] == decimal.Decimal("1234.50")
    assert second["registered_capital"] == decimal.Decimal("5000000.00")
    assert first["annual_sales"] == decimal.Decimal("1234.50") and second["annual_sales"] == decimal.Decimal("12345.00")
    assert first["founded_on"] == datetime.date(2020, 5, 6) and second["founded_on"] == datetime.date(2024, 1, 2)
    assert first["first_deal_on"] == datetime.date(2024, 1, 2) and second["first_deal_on"] == datetime.date(2024, 1, 3)
    assert first["lifecycle"] == "potential" and second["lifecycle"] == "potential"
    assert first["nature"] == "individual" and "nature" not in second
    assert first["postcode"] == "010001"
    assert first["website"] == "https://www.example.com"


def test_every_problem_is_listed_by_row_and_column(people):
    make_region()
    owner = people["owner"]
    content = xlsx(
        HEADER + ["电子邮箱", "生命周期"],
        ["好公司", credit_code(601), "B", "华东区", "owner", 100, "2024-01-01", 3, "", "现在客户"],
        [None, "91310000ABC", "E", "火星区", "nobody", "很多", "someday", "许多", "not-an-email", "永生"],
        ["坏公司", credit_code(602), "A", None, "other_manager", -5, None, 2.5, None, None],
        ["错公司", "#N/A", None, None, None, "#DIV/0!", None, None, None, None],
    )
    result = preview(owner, content)
    found = problems(result)
    assert [row.number for row in result.valid] == [2]
    assert [row.number for row in result.bad_rows] == [3, 4, 5]
    assert found[(3, "A", "客户名称")]
    assert found[(3, "B", "统一社会信用代码")].startswith("A unified social credit code has 18")
    assert "E" in found[(3, "C", "客户等级")]
    assert "火星区" in found[(3, "D", "区域")]
    assert "nobody" in found[(3, "E", "客户经理")]
    assert found[(3, "F", "注册资本（元）")] == "Enter an amount in yuan, such as 1234.50."
    assert found[(3, "G", "成立日期")] == "Enter a date, such as 2024-01-02."
    assert found[(3, "H", "职工人数")] == "Enter a whole number."
    assert (3, "I", "电子邮箱") in found
    assert "永生" in found[(3, "J", "生命周期")]
    assert found[(4, "E", "客户经理")] == "Only a sales director may import customers for another account manager."
    assert found[(4, "H", "职工人数")] == "Enter a whole number."
    assert "#N/A" in found[(5, "B", "统一社会信用代码")] and "#DIV/0!" in found[(5, "F", "注册资本（元）")]
    assert len(found) == len(result.problems)  # one message per problem, never twice for the same cell


def test_spreadsheet_error_cells_and_cached_formula_values(people):
    wb = Workbook()
    ws = wb.active
    ws.append(["客户名称", "职工人数", "注册资本"])
    ws.append(["公式公司", "=1+1", "#DIV/0!"])  # openpyxl stores "#DIV/0!" as a real error cell
    ws.append(["第二公司", "=2*3", None])
    out = io.BytesIO()
    wb.save(out)
    # Give the formulas the cached values Excel or LibreOffice would have saved with them.
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                assert 't="e"' in text
                text = re.sub(r"<f>1\+1</f><v>\s*</v>|<f>1\+1</f>", "<f>1+1</f><v>2</v>", text)
                text = re.sub(r"<f>2\*3</f><v>\s*</v>|<f>2\*3</f>", "<f>2*3</f><v>6</v>", text)
                data = text.encode()
            target.writestr(item, data)
    result = preview(people["owner"], patched.getvalue())
    assert problems(result) == {(2, "C", "注册资本"): "The cell holds a spreadsheet error (#DIV/0!)."}
    assert result.valid[0].data["employees"] == 6


def test_a_manager_who_keeps_no_customers_must_name_one_and_a_director_may_name_anyone(people):
    admin = people["admin"]  # may add customers (superuser) but looks after nobody
    content = xlsx(["客户名称", "客户经理"], ["甲公司", None], ["乙公司", "owner"])
    result = preview(admin, content)
    assert list(problems(result)) == [(2, "B", "客户经理")]
    assert result.valid[0].owner == people["owner"]


def test_duplicates_inside_the_file_and_against_the_archive_are_caught(people):
    owner = people["owner"]
    existing = make_customer(owner, name="上海老客户（集团）有限公司")
    binned = make_customer(owner)
    Customer.all_objects.filter(pk=binned.pk).update(deleted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    code = credit_code(701)
    content = xlsx(
        ["客户名称", "统一社会信用代码"],
        ["新客户甲", code],
        ["新客户乙", code],
        ["新客户甲 ", None],
        ["上海老客户(集团)有限公司", None],
        ["另一个名字", existing.credit_code],
        ["又一个名字", binned.credit_code.lower()],
    )
    found = problems(preview(owner, content))
    assert found == {
        (3, "B", "统一社会信用代码"): "Same credit code as row 2 of this file.",
        (4, "A", "客户名称"): "Same customer name as row 2 of this file.",
        (5, "A", "客户名称"): "A card with this name is already in the archive.",
        (6, "B", "统一社会信用代码"): "Another card in the archive already has this credit code.",
        (
            7,
            "B",
            "统一社会信用代码",
        ): "A card in the recycle bin has this credit code: ask the archivist to restore it.",
    }


# ---- Refusals ---------------------------------------------------------------------------------------------


def macro_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "a") as package:
        with zipfile.ZipFile(io.BytesIO(xlsx(["客户名称"], ["甲"]))) as source:
            for item in source.infolist():
                package.writestr(item, source.read(item.filename))
        package.writestr("xl/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("客户.txt", b"name\n", "extension"),
        ("客户", b"name\n", "extension"),
        ("客户.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old_format"),
        ("客户.xlsm", b"PK", "macro_extension"),
        ("客户.xlsx", "客户名称,简称\n甲,乙\n".encode(), "corrupt"),  # a text file renamed
        ("客户.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "encrypted"),
        ("客户.xlsx", b"", "empty"),
        ("客户.csv", b"PK\x03\x04rest", "not_text"),
        ("客户.csv", "客户名称\n甲".encode("utf-16-le"), "not_text"),
    ],
)
def test_files_of_the_wrong_kind_are_refused_with_a_reason(people, name, content, code):
    assert refused(people["owner"], content, name) == code


def test_a_macro_workbook_and_a_damaged_zip_are_refused(people):
    assert refused(people["owner"], macro_workbook()) == "macro"
    whole = xlsx(["客户名称"], ["甲"])
    assert refused(people["owner"], whole[: len(whole) // 2]) == "corrupt"
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as package:
        package.writestr("xl/workbook.xml", "<not-a-workbook")
    assert refused(people["owner"], broken.getvalue()) == "corrupt"


def test_size_and_row_limits(people, settings):
    content = xlsx(["客户名称"], *[[f"客户{i}"] for i in range(5)])
    settings.ARCHIVE_IMPORT_MAX_ROWS = 4
    assert refused(people["owner"], content) == "too_many_rows"
    settings.ARCHIVE_IMPORT_MAX_ROWS = 5
    assert preview(people["owner"], content).rows_total == 5
    settings.ARCHIVE_IMPORT_MAX_BYTES = len(content) - 1
    assert refused(people["owner"], content) == "too_large"


def test_a_refused_file_leaves_no_record_no_file_and_no_card(people, settings, tmp_path):
    owner = people["owner"]
    with pytest.raises(imports.ImportRefused):
        imports.import_start(actor=owner, upload=upload("客户.xlsx", macro_workbook()))
    assert ImportRecord.objects.count() == 0 and Customer.all_objects.count() == 0
    assert not any((tmp_path / "imports").glob("*"))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
def test_csv_in_the_encodings_chinese_spreadsheets_save(people, encoding):
    text = '客户名称,注册资本（元）,成立日期\r\n上海己有限公司,"1,000.00",2024/3/4\r\n\r\n上海庚有限公司,,\r\n'
    if encoding == "utf-16":
        text = text.replace(",", "\t").replace('"1\t000.00"', "1000")
    result = preview(people["owner"], text.encode(encoding), "客户.csv")
    assert result.problems == []
    assert [row.number for row in result.valid] == [2, 4]
    assert result.valid[0].data["registered_capital"] == decimal.Decimal("1000.00")
    assert result.valid[0].data["founded_on"] == datetime.date(2024, 3, 4)


def test_only_people_who_may_open_cards_may_import(people):
    with pytest.raises(PermissionDenied):
        preview(people["clerk"], xlsx(["客户名称"], ["甲"]))
    with pytest.raises(PermissionDenied):
        preview(people["archivist"], xlsx(["客户名称"], ["甲"]))


# ---- The import ------------------------------------------------------------------------------------------------


def start(actor, content: bytes, name="客户.xlsx"):
    return imports.import_start(actor=actor, upload=upload(name, content))


def test_the_valid_rows_become_drafts_of_the_importer_with_the_import_in_their_trail(people):
    owner = people["owner"]
    record, result = start(owner, xlsx(["客户名称", "职工人数"], ["甲公司", 5], ["乙公司", "many"], ["丙公司", None]))
    assert Customer.objects.count() == 0  # the preview writes no card
    assert (record.state, record.rows_total, record.problem_count, record.user_name) == ("previewed", 3, 1, "owner")
    assert record.file.read().startswith(b"PK")

    record, result = imports.import_confirm(actor=owner, record_id=record.pk)
    customers = Customer.objects.order_by("name")
    assert {c.name for c in customers} == {"甲公司", "丙公司"}
    assert all(c.status == FilingStatus.DRAFT and c.owner == owner for c in customers)
    assert all(services.permissions.can(owner, "change", c) for c in customers)
    reason = customers[0].history.get().history_change_reason
    assert reason == f"Imported from 客户.xlsx (import #{record.pk})"
    record.refresh_from_db()
    assert (record.state, record.imported_count, record.problem_count) == ("imported", 2, 1)
    assert record.imported_at is not None

    with pytest.raises(ValidationError):
        imports.import_confirm(actor=owner, record_id=record.pk)
    assert Customer.objects.count() == 2


def _register(rows: int, people) -> bytes:
    """A list of ``rows`` new customers for two managers, with a region, a grade and a credit code each."""
    managers = [people["owner"].username, people["other_manager"].username]
    return xlsx(
        ["客户名称", "统一社会信用代码", "客户等级", "区域", "客户经理", "注册资本（元）", "成立日期"],
        *(
            [f"批量公司{n:03d}", credit_code(), "B", "华东区", managers[n % 2], 1000 + n, "2020-01-02"]
            for n in range(rows)
        ),
    )


@pytest.mark.parametrize("rows", [5, 50])
def test_the_confirm_runs_as_many_queries_for_50_rows_as_for_5(people, rows, django_assert_max_num_queries):
    make_region()
    director = people["director"]
    record, result = start(director, _register(rows, people))
    assert result.valid_rows == rows
    with django_assert_max_num_queries(20):
        record, result = imports.import_confirm(actor=director, record_id=record.pk)
    assert record.imported_count == rows


def test_imported_cards_and_their_keepers_rights_have_their_trail(people):
    make_region()
    director, owner = people["director"], people["owner"]
    record, _result = start(director, _register(4, people))
    imports.import_confirm(actor=director, record_id=record.pk)
    customers = list(Customer.objects.order_by("name"))
    assert [c.owner for c in customers] == [owner, people["other_manager"]] * 2
    assert all(c.grade == "B" and c.region.code == "east" and c.created_at for c in customers)
    for customer in customers:
        (row,) = customer.history.all()
        assert (row.history_type, row.history_user, row.history_user_name) == ("+", director, "director")
        assert row.history_change_reason == f"Imported from 客户.xlsx (import #{record.pk})"
        assert (row.name, row.credit_code, row.owner_id, row.grade) == (
            customer.name,
            customer.credit_code,
            customer.owner_id,
            customer.grade,
        )
        rights = list(customer.user_permissions.select_related("permission"))
        assert {r.permission.codename for r in rights} == {"view_customer", "change_customer"}
        assert all(r.user == customer.owner and r.granted_by == director and r.expires_at is None for r in rights)
        for right in rights:
            (trail,) = right.history.all()
            assert (trail.history_user, trail.history_change_reason) == (director, "Account manager")
    assert services.permissions.can(owner, "change", customers[0])
    assert not services.permissions.can(owner, "view", customers[1])


def test_a_failure_in_the_middle_leaves_nothing_imported(people):
    owner = people["owner"]
    record, _result = start(owner, xlsx(["客户名称"], ["甲公司"], ["乙公司"], ["丙公司"]))
    written = []

    def failing(customers, **kwargs):
        # The cards and their trail are written by now; the rights are the last part of the import.
        written.append(Customer.all_objects.count())
        raise RuntimeError("disk full")

    with mock.patch.object(services.permissions, "grant_keepers", failing), pytest.raises(RuntimeError):
        imports.import_confirm(actor=owner, record_id=record.pk)
    assert written == [3]
    assert Customer.all_objects.count() == 0 and Customer.history.count() == 0
    record.refresh_from_db()
    assert record.state == "previewed" and record.imported_count == 0


def test_a_card_opened_since_the_preview_is_still_caught(people):
    owner = people["owner"]
    record, result = start(owner, xlsx(["客户名称"], ["甲公司"], ["乙公司"]))
    assert result.valid_rows == 2
    make_customer(people["other_manager"], name="乙公司")
    record, result = imports.import_confirm(actor=owner, record_id=record.pk)
    assert record.imported_count == 1 and result.problem_rows == 1
    assert Customer.objects.filter(name="甲公司", owner=owner).exists()


def test_nobody_confirms_an_import_of_someone_else(people):
    record, _result = start(people["owner"], xlsx(["客户名称"], ["甲公司"]))
    with pytest.raises(Http404):
        imports.import_confirm(actor=people["other_manager"], record_id=record.pk)
    with pytest.raises(Http404):
        imports.import_record(user=people["director"], pk=record.pk)
    assert Customer.objects.count() == 0


def test_the_error_workbook_holds_the_bad_rows_as_they_were_and_what_to_fix(people):
    owner = people["owner"]
    content = xlsx(
        ["客户名称", "成立日期", "备注"],
        ["好公司", datetime.date(2020, 1, 2), "ok"],
        ["@坏公司", "someday", "x"],
        [None, datetime.date(2021, 3, 4), "y"],
    )
    result = preview(owner, content)
    wb = load_workbook(imports.error_workbook(result))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("客户名称", "成立日期", "备注", "Problems")
    assert rows[1][:3] == ("'@坏公司", "someday", "x")
    assert rows[1][3] == "成立日期: Enter a date, such as 2024-01-02."
    assert rows[2][:3] == (None, "2021-03-04", "y") and rows[2][3].startswith("客户名称: ")
    # Fixed and uploaded again, the problems column is no stranger to report.
    fixed = [list(row) for row in rows]
    fixed[1][1], fixed[2][0] = "2020-01-01", "新公司"
    again = preview(owner, xlsx(*fixed))
    assert again.ignored_headers == ["备注"] and again.problems == []
    assert [row.data["name"] for row in again.valid] == ["@坏公司", "新公司"]


def test_the_template_holds_every_importable_header_and_a_note_for_each(people):
    make_region()
    with translation.override("zh-hans"):
        wb = load_workbook(imports.template_workbook())
        headers = next(wb.worksheets[0].iter_rows(values_only=True))
        assert list(headers) == [str(c.label) for c in imports.IMPORT_COLUMNS]
        assert headers[0] == "客户名称"
    notes = list(wb.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert len(notes) == len(imports.IMPORT_COLUMNS) and all(note[2] for note in notes)
    assert any("华东区" in note[2] for note in notes)
    # The empty template is a valid file with no rows.
    out = io.BytesIO()
    wb.save(out)
    assert preview(people["owner"], out.getvalue()).rows_total == 0


# ---- The round trip ---------------------------------------------------------------------------------------------

REGISTER_FIELDS = [
    "name", "short_name", "credit_code", "grade", "tier", "lifecycle", "nature", "ownership", "channel", "region_id",
    "route", "visit_order", "owner_id", "legal_representative", "registered_capital", "founded_on", "industry",
    "address", "postcode", "phone", "fax", "email", "website", "first_deal_on", "employees", "annual_sales",
]  # fmt: skip


def test_round_trip_export_then_import_into_an_empty_archive_gives_the_same_customers(client, people):
    director, owner = people["director"], people["owner"]
    wang = make_user("wang", "account_manager", first_name="王芳")
    east, west = make_region(), make_region("西南区", "southwest")
    make_customer(
        wang,
        name="上海甲（集团）有限公司",
        short_name="甲集团",
        grade_override="A",
        tier="key",
        lifecycle="past",
        nature="special",
        ownership="state",
        channel="wholesaler",
        region=east,
        route="浦东线",
        visit_order=3,
        legal_representative="张三",
        registered_capital=decimal.Decimal("12345678.90"),
        founded_on=datetime.date(1998, 7, 1),
        industry="机械制造",
        address="=上海市浦东新区1号",
        postcode="010000",
        phone="+86 21 5555 0000",
        fax="021-55550001",
        email="info@example.cn",
        website="https://example.cn/",
        first_deal_on=datetime.date(2019, 3, 15),
        employees=1200,
        annual_sales=decimal.Decimal("98765432.10"),
    )
    make_customer(owner, name="成都乙商贸", credit_code="", region=west, grade_override="C", employees=0)
    make_customer(owner, name="-杭州丙", registered_capital=decimal.Decimal("0.05"), grade_override="B")
    make_customer(owner, name="北京丁", grade_override="D", channel="end_user")
    fields = lambda: {  # noqa: E731
        c.name: tuple(getattr(c, f) for f in REGISTER_FIELDS) for c in Customer.objects.all()
    }
    before = fields()

    client.force_login(director)
    body = b"".join(client.get("/customers/export.xlsx").streaming_content)
    Customer.all_objects.all().delete()
    assert Customer.all_objects.count() == 0

    record, result = imports.import_start(actor=director, upload=upload("customer-register.xlsx", body))
    assert result.problems == [] and len(result.ignored_headers) == 4  # number, contacts, status, updated
    imports.import_confirm(actor=director, record_id=record.pk)
    assert fields() == before
    # The same list exported again is the same file, but for the archive's own bookkeeping columns.
    again = b"".join(client.get("/customers/export.xlsx").streaming_content)

    def register(content):
        rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
        keep = [i for i, c in enumerate(imports.REGISTER_COLUMNS) if c.importable]
        return [[row[i] for i in keep] for row in rows]

    assert register(again) == register(body)
