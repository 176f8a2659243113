"""The customer register in Excel: exactly the reader's rows, typed cells, grade colours, no formulas, logged."""

import decimal
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from archive import filing
from archive.choices import GRADE_COLOURS
from archive.registry import registry
from customers import services
from customers.models import AccessRecord

from ..factories import make_customer, make_user
from ..helpers import LOGIN, Redirect, assert_matrix, image_bytes, upload

pytestmark = pytest.mark.django_db
URL = "/customers/export.xlsx"
HOSTILE = ['=HYPERLINK("http://x","y")', "+86 21 5555", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd"]


def read(response):
    body = b"".join(response.streaming_content)
    wb = load_workbook(io.BytesIO(body))
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return ws, rows[0], rows[1:]


def column(header, rows, label):
    i = header.index(label)
    return [row[i] for row in rows]


def test_export_holds_exactly_the_rows_the_reader_sees_under_the_filter(client, world):
    extra = make_customer(world["owner"], grade_override="A", registered_capital=decimal.Decimal("1234567.89"))
    make_customer(world["other_manager"], grade_override="A")  # grade A, but not the owner's
    client.force_login(world["owner"])

    ws, header, rows = read(client.get(URL, {"grade": "A"}))

    assert column(header, rows, "客户名称") == [extra.name]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}2"
    capital = column(header, rows, "注册资本（元）")[0]
    assert capital == decimal.Decimal("1234567.89") or capital == pytest.approx(1234567.89)
    grade_cell = ws.cell(2, header.index("客户等级") + 1)
    assert grade_cell.value == "A"
    assert grade_cell.fill.fgColor.rgb.endswith(GRADE_COLOURS["A"].lstrip("#").upper())


def test_director_exports_everyone_and_a_clerk_without_grants_nothing(client, world):
    client.force_login(world["director"])
    _ws, header, rows = read(client.get(URL))
    assert set(column(header, rows, "客户名称")) == {world["a"].name, world["b"].name}
    client.force_login(world["clerk"])
    _ws, header, rows = read(client.get(URL))
    assert rows == []


def test_no_cell_starts_a_formula_even_with_hostile_data(client, world):
    owner = world["owner"]
    for text in HOSTILE:
        make_customer(owner, name=f"{text}公司", short_name=text[:10], address=text, industry=text)
    client.force_login(owner)
    ws, header, rows = read(client.get(URL))
    texts = [value for row in [header, *rows] for value in row if isinstance(value, str)]
    assert texts and not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert '\'=HYPERLINK("http://x","y")' in column(header, rows, "地址")
    for row in ws.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)


def test_every_export_is_registered_with_its_filter_and_row_count(client, world):
    client.force_login(world["director"])
    client.get(URL, {"region": world["region"].pk, "q": "测试"})
    record = AccessRecord.objects.get()
    assert record.action == AccessRecord.Action.EXPORT
    assert record.user == world["director"] and record.row_count == 2
    assert "region=" in record.query and "q=" in record.query


def test_the_list_page_links_to_the_export_of_the_same_filter(client, world):
    client.force_login(world["owner"])
    page = client.get("/customers/", {"grade": "D", "q": "测试"}).content.decode()
    assert 'href="/customers/export.xlsx?grade=D&amp;q=' in page
    assert AccessRecord.objects.count() == 0  # reading the list registers nothing


def test_export_needs_a_login_and_answers_every_role_with_its_own_rows(client, people):
    expected = {role: 200 for role in people}
    expected["anonymous"] = LOGIN
    assert_matrix(client, people, URL, expected)


def test_export_query_count_does_not_grow_with_rows(client, world):
    owner = world["owner"]
    client.force_login(owner)
    counts = []
    for batch in (5, 40):
        for _ in range(batch):
            make_customer(owner)
        with CaptureQueriesContext(connection) as ctx:
            read(client.get(URL))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 10


def test_an_invalid_filter_is_refused_not_exported(client, world):
    make_user("m9", "account_manager")
    client.force_login(world["owner"])
    response = client.get(URL, {"region": "not-a-number"})
    assert response.status_code == 400
    assert AccessRecord.objects.count() == 0


def workbook(response):
    body = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(body))


def test_the_full_archive_workbook_holds_the_card_and_every_category(client, world):
    from customers import services

    a = world["a"]
    services.contact_create(actor=world["owner"], customer_id=a.pk, data={"name": "=李雷", "is_key_person": True})
    services.interaction_create(
        actor=world["owner"], customer_id=a.pk, data={"kind": "visit", "occurred_on": "2026-10-01", "subject": "拜访"}
    )
    client.force_login(world["owner"])
    response = client.get(f"/customers/{a.pk}/export.xlsx")
    wb = workbook(response)
    # The card's own sheets first; each category app adds its sheets after them (contracts: 合同, 订单…).
    assert wb.sheetnames[:4] == ["客户档案卡", "联系人", "交往记录", "附件"]
    assert len(wb.sheetnames) == len(registry.sheets)
    card = {row[1]: row[2] for row in wb["客户档案卡"].iter_rows(min_row=2, values_only=True)}
    assert card["客户名称"] == a.name and card["统一社会信用代码"] == a.credit_code
    contacts = list(wb["联系人"].iter_rows(values_only=True))
    assert contacts[1][0] == "'=李雷"  # neutralised, never a formula
    assert "是" in contacts[1]
    assert list(wb["交往记录"].iter_rows(min_row=2, values_only=True))[0][4] == "拜访"
    record = AccessRecord.objects.get()
    assert record.customer == a and record.action == AccessRecord.Action.EXPORT


def test_the_archive_workbook_of_a_hidden_customer_is_not_found(client, world):
    client.force_login(world["other_manager"])
    assert client.get(f"/customers/{world['a'].pk}/export.xlsx").status_code == 404
    client.force_login(world["clerk"])
    assert client.get(f"/customers/{world['a'].pk}/export.xlsx").status_code == 404
    assert AccessRecord.objects.count() == 0


def test_the_archive_workbook_carries_the_catalogue_numbers(client, world):
    """A filed card and its filed document show their places in the archive; a draft document has none yet."""
    a, owner = world["a"], world["owner"]
    director2 = make_user("director2", "sales_director")
    filing.request_approve(actor=director2, request_id=filing.entry_submit(actor=owner, entry=a).pk)
    filed = services.attachment_create(
        actor=owner, customer_id=a.pk, upload=upload("licence.png", image_bytes()), kind="licence", title="营业执照"
    )
    filing.request_approve(actor=director2, request_id=filing.entry_submit(actor=owner, entry=filed).pk)
    services.attachment_create(
        actor=owner, customer_id=a.pk, upload=upload("id.png", image_bytes()), kind="id_copy", title="身份证"
    )
    a.refresh_from_db()

    client.force_login(owner)
    wb = workbook(client.get(f"/customers/{a.pk}/export.xlsx"))
    card = {row[1]: row[2] for row in wb["客户档案卡"].iter_rows(min_row=2, values_only=True)}
    assert card["目录编号"] == f"{a.archive_no} / 1-001"
    header, *rows = wb["附件"].iter_rows(values_only=True)
    documents = {row[header.index("标题")]: row[header.index("目录编号")] for row in rows}
    assert documents == {"营业执照": f"{a.archive_no} / 1-002", "身份证": None}


def test_the_director_reads_the_export_register_and_no_one_else(client, world):
    """Every export is in the access log with its filter and row count; only directors open it. The register's
    old address (``/customers/exports/``, in older bookmarks) leads to the log's exports."""
    client.force_login(world["clerk"])
    client.get(URL, {"grade": "A"})
    client.force_login(world["owner"])
    client.get(f"/customers/{world['a'].pk}/export.xlsx")

    others = ("owner", "other_manager", "archivist", "clerk", "granted_manager")
    exports = "/access/log/?action=export"
    assert_matrix(
        client,
        world,
        "/customers/exports/",
        {"anonymous": LOGIN, **{role: Redirect(exports) for role in ("director", *others)}},
        complete=False,
    )
    assert_matrix(
        client, world, exports, {"anonymous": LOGIN, "director": 200, **dict.fromkeys(others, 403)}, complete=False
    )
    client.force_login(world["director"])
    page = client.get("/customers/exports/", follow=True).content.decode()
    assert page.count('class="log-row"') == 2  # the two exports
    assert "?grade=A" in page and world["a"].name in page
    assert 'id="nav-exports"' in page
    client.force_login(world["owner"])
    assert 'id="nav-exports"' not in client.get("/customers/").content.decode()
