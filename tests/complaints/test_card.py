"""The fifth category where a reader meets it on the customer: the card, the catalogue, the workbook, the trail.

The card's section shows an overdue complaint highlighted, the returns, the discounts and the churn record with its
win-back plan, for a fixed number of queries however many records there are. The catalogue lists what was filed
with its 5-00n numbers in filing order; the full archive workbook has a sheet for each kind; the merged history
shows the handling steps, the return lines and the lifecycle change. What the director moved to the recycle bin
leaves the card, the lists and the catalogue, and comes back when it is restored.
"""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import load_workbook

from archive import filing
from complaints import selectors, services
from complaints.models import Complaint

from ..customers.test_queries import CARD_CEILING
from ..helpers import file_through_approval, queries_text
from .conftest import churn_data, closed, make_complaint, return_data, return_lines

pytestmark = pytest.mark.django_db


def _card(client, user, customer):
    client.force_login(user)
    response = client.get(f"/customers/{customer.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _table(page: str, table_id: str) -> list[tuple[str, str]]:
    """``(class, text)`` of each body row of the table ``table_id`` (text with tags stripped)."""
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    if not match:
        return []
    body = re.search(r"<tbody>(.*)</tbody>", match.group(0), re.S)
    rows = re.findall(r"<tr([^>]*)>(.*?)</tr>", body.group(1) if body else "", re.S)
    out = []
    for attributes, inner in rows:
        classes = re.search(r'class="([^"]*)"', attributes)
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inner)).strip()
        out.append((classes.group(1) if classes else "", text))
    return out


def _section(page: str) -> str:
    """The card's complaints section (from its title to the end of the page)."""
    start = page.index('id="section-complaints-title"')
    return page[start:]


def _ask_discount(world, order, amount):
    return services.discount_request(
        actor=world["owner"],
        order_id=order.pk,
        data={"mode": "amount", "amount": Decimal(amount), "reason": "质量折让"},
    )


def _approve(world, entry):
    filing.request_approve(actor=world["director"], request_id=filing.entry_requests(entry).get().pk)
    entry.refresh_from_db()
    return entry


def _churn_with_plan(world, customer, *, filed=False):
    churn = services.churn_create(actor=world["owner"], customer_id=customer.pk, data=churn_data())
    services.plan_save(
        actor=world["owner"],
        churn_id=churn.pk,
        data={
            "next_steps": "总经理带队拜访，提出年度返利方案",
            "target_on": timezone.localdate() + datetime.timedelta(days=10),
            "responsible": world["owner"],
        },
    )
    if filed:
        churn = file_through_approval(churn, author=world["owner"], decider=world["director"])
    return churn


# ---- The card section -------------------------------------------------------------------------------------------


def test_the_card_shows_complaints_returns_discounts_and_churn(client, world, order_a, contract_a):
    a = world["a"]
    overdue = make_complaint(
        world, a, severity="critical", subject="泵体裂纹漏水", received_at=timezone.now() - datetime.timedelta(hours=25)
    )
    calm = make_complaint(world, a, severity="minor", subject="外包装破损")
    happy = closed(world, make_complaint(world, a, subject="发票抬头错误"), satisfaction=1)
    services.return_create(
        actor=world["owner"], order_id=order_a.pk, data=return_data(), lines=return_lines(order_a, "4")
    )
    _ask_discount(world, order_a, "300.00")
    services.discount_request(
        actor=world["owner"],
        contract_id=contract_a.pk,
        data={"mode": "percent", "percent": Decimal("1.5"), "reason": "年度返利"},
    )
    _churn_with_plan(world, a)

    page = _section(_card(client, world["co_owner"], a))
    complaints = _table(page, "card-complaints")
    assert [text.split(" ")[2] for _classes, text in complaints] == [overdue.subject, calm.subject, happy.subject]
    highlighted = [text for classes, text in complaints if "complaint-overdue" in classes.split()]
    assert len(highlighted) == 1 and overdue.subject in highlighted[0]
    assert 'id="complaints-overdue-count"' in page and 'id="complaints-open-count"' in page
    assert 'id="complaints-dissatisfied"' in page  # satisfaction 1

    returns = _table(page, "card-returns")
    assert len(returns) == 1 and "123.99" in returns[0][1]
    discounts = {text for _classes, text in _table(page, "card-discounts")}
    assert any("300.00" in text for text in discounts)
    assert any(contract_a.number in text and "7,500.00" in text for text in discounts)  # 1.5 % of ¥500,000

    churn = re.findall(r'class="alert[^"]*churn-record".*?</div>', page, re.S)
    assert len(churn) == 1
    assert "南方泵业" in churn[0]
    assert (timezone.localdate() + datetime.timedelta(days=10)).isoformat() in churn[0]


def test_the_card_of_a_customer_without_after_sales_says_so(client, world):
    page = _section(_card(client, world["owner"], world["a"]))
    assert not _table(page, "card-complaints") and "complaint-overdue" not in page
    assert 'id="complaints-overdue-count"' not in page


def test_a_reader_sees_the_section_without_the_buttons_to_write(client, world, complaint_a):
    keeper_page = _section(_card(client, world["owner"], world["a"]))
    assert 'id="new-complaint"' in keeper_page and 'id="new-churn"' in keeper_page
    reader_page = _section(_card(client, world["granted_manager"], world["a"]))
    assert complaint_a.subject in reader_page
    assert 'id="new-complaint"' not in reader_page and 'id="new-churn"' not in reader_page


def test_the_card_escapes_what_was_typed(client, world, filed_a):
    make_complaint(world, filed_a, subject="<script>alert(1)</script>")
    page = _card(client, world["owner"], filed_a)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---- The card's query count -------------------------------------------------------------------------------------


def _count(client, user, url):
    client.force_login(user)
    assert client.get(url).status_code == 200  # warm the process-wide caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), ctx, response.content.decode()


def _fill(world, customer, order, contract):
    """5 complaints with steps (one overdue, one closed and filed), 3 returns, 3 discounts, 1 churn with a plan."""
    owner = world["owner"]
    for n in range(5):
        complaint = make_complaint(
            world,
            customer,
            subject=f"投诉{n}",
            severity="critical",
            received_at=timezone.now() - datetime.timedelta(hours=30 if n == 0 else 2),
        )
        services.step_add(actor=owner, complaint_id=complaint.pk, action=f"第{n}次回访")
        if n == 4:
            file_through_approval(
                closed(world, Complaint.objects.get(pk=complaint.pk)), author=owner, decider=world["director"]
            )
    for quantity in ("1", "2", "3"):
        services.return_create(
            actor=owner, order_id=order.pk, data=return_data(), lines=return_lines(order, quantity, "0")
        )
    _approve(world, _ask_discount(world, order, "100.00"))
    _ask_discount(world, order, "200.00")
    services.discount_request(
        actor=owner,
        contract_id=contract.pk,
        data={"mode": "amount", "amount": Decimal("1000.00"), "reason": "年度返利"},
    )
    _churn_with_plan(world, customer, filed=True)


@pytest.mark.parametrize("role", ["owner", "director"])
def test_the_card_costs_the_same_with_no_after_sales_and_with_many(client, world, order_a, contract_a, role):
    a, user = world["a"], world[role]
    url = f"/customers/{a.pk}/"
    empty, _ctx, page = _count(client, user, url)
    assert not _table(_section(page), "card-complaints")

    _fill(world, a, order_a, contract_a)
    full, ctx, page = _count(client, user, url)
    section = _section(page)
    assert len(_table(section, "card-complaints")) == 5
    assert len(_table(section, "card-returns")) == 3 and len(_table(section, "card-discounts")) == 3
    assert section.count("churn-record") == 1
    assert empty == full, f"{empty} queries without after-sales records, {full} with them:\n" + queries_text(ctx)
    assert full <= CARD_CEILING, f"{full} queries > {CARD_CEILING}:\n" + queries_text(ctx)


# ---- The catalogue ----------------------------------------------------------------------------------------------


def _catalogue(client, user, customer) -> list[tuple[str, str]]:
    """``(catalogue number, entry)`` of each row of the catalogue's fifth category, in the order shown."""
    client.force_login(user)
    response = client.get(f"/customers/{customer.pk}/catalogue/")
    assert response.status_code == 200
    rows = re.findall(
        r'<td class="font-monospace text-nowrap">([^<]*)</td>\s*<td>(.*?)</td>', response.content.decode(), re.S
    )
    return [(number.strip(), re.sub(r"<[^>]+>", "", entry).strip()) for number, entry in rows if "/ 5-" in number]


def _file_one_of_each(world, order, complaint, churn):
    """Filed in this order: a discount, a return, the churn record, the complaint (5-001 … 5-004)."""
    owner, director = world["owner"], world["director"]
    discount = _approve(world, _ask_discount(world, order, "68.70"))
    entry = services.return_create(actor=owner, order_id=order.pk, data=return_data(), lines=return_lines(order, "2"))
    entry = file_through_approval(entry, author=owner, decider=director)
    churn = file_through_approval(churn, author=owner, decider=director)
    complaint = file_through_approval(closed(world, complaint), author=owner, decider=director)
    return discount, entry, churn, complaint


def test_the_catalogue_lists_the_filed_entries_in_filing_order(client, world, order_a, complaint_a, churn_a):
    a = world["a"]
    discount, entry, churn, complaint = _file_one_of_each(world, order_a, complaint_a, churn_a)
    make_complaint(world, a, subject="仍在处理的投诉")  # a draft is not in the catalogue
    a.refresh_from_db()
    rows = _catalogue(client, world["group_clerk"], a)
    assert [number for number, _entry in rows] == [f"{a.archive_no} / 5-00{n}" for n in (1, 2, 3, 4)]
    assert [text for _number, text in rows] == [str(discount), str(entry), str(churn), complaint.subject]
    assert "仍在处理的投诉" not in str(rows)


# ---- The workbook -----------------------------------------------------------------------------------------------


def _sheets(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


def _rows_by(sheet: list[tuple], column: str) -> dict:
    """The sheet's rows as dicts keyed by header, indexed by the value of ``column``."""
    header = sheet[0]
    return {row[header.index(column)]: dict(zip(header, row, strict=True)) for row in sheet[1:]}


def test_the_archive_workbook_has_a_sheet_for_each_kind(client, world, order_a, complaint_a, churn_a):
    a = world["a"]
    services.step_add(actor=world["owner"], complaint_id=complaint_a.pk, action="回访")
    discount, entry, churn, complaint = _file_one_of_each(
        world, order_a, Complaint.objects.get(pk=complaint_a.pk), churn_a
    )
    services.plan_save(
        actor=world["owner"],
        churn_id=churn.pk,
        data={"next_steps": "报价让利", "target_on": datetime.date(2026, 12, 31), "responsible": world["owner"]},
    )
    draft = make_complaint(world, a, subject='=HYPERLINK("http://evil")', severity="minor")
    a.refresh_from_db()

    client.force_login(world["archivist"])
    sheets = _sheets(client.get(f"/customers/{a.pk}/export.xlsx"))
    titles = [gettext(t) for t in ("Complaints", "Returns and compensation", "Price discounts", "Churn records")]
    assert all(title in sheets for title in titles), list(sheets)
    complaints, returns, discounts, churns = (sheets[title] for title in titles)

    subject = gettext("subject")
    number = gettext("catalogue number")
    by_subject = _rows_by(complaints, subject)
    assert set(by_subject) == {complaint.subject, "'" + draft.subject}  # a formula is neutralised
    filed_row = by_subject[complaint.subject]
    assert filed_row[number] == f"{a.archive_no} / 5-004"
    assert filed_row[gettext("customer satisfaction")] == 4
    assert filed_row[gettext("closed on")].date() == timezone.localdate()
    shown_at = filed_row[gettext("received at")]
    received = timezone.localtime(complaint.received_at).replace(tzinfo=None)
    assert abs((shown_at - received).total_seconds()) < 1
    assert not by_subject["'" + draft.subject][number]

    assert len(returns) == 2
    row = dict(zip(returns[0], returns[1], strict=True))
    assert row[number] == f"{a.archive_no} / 5-002"
    assert Decimal(str(row[gettext("return total (CNY)")])).quantize(Decimal("0.01")) == entry.total == Decimal("61.99")

    assert len(discounts) == 2
    row = dict(zip(discounts[0], discounts[1], strict=True))
    assert row[number] == f"{a.archive_no} / 5-001"
    assert Decimal(str(row[gettext("discount amount (CNY)")])).quantize(Decimal("0.01")) == Decimal("68.70")
    assert Decimal(str(row[gettext("before the discount (CNY)")])).quantize(Decimal("0.01")) == Decimal("6869.97")

    assert len(churns) == 2
    row = dict(zip(churns[0], churns[1], strict=True))
    assert row[number] == f"{a.archive_no} / 5-003"
    assert row[gettext("competitor that won the customer")] == "南方泵业"
    assert row[gettext("next steps")] == "报价让利"
    assert row[gettext("next step by")].date() == datetime.date(2026, 12, 31)


def test_the_workbook_of_another_customer_holds_none_of_a(client, world, complaint_a, complaint_b):
    client.force_login(world["other_manager"])
    sheets = _sheets(client.get(f"/customers/{world['b'].pk}/export.xlsx"))
    complaints = sheets[gettext("Complaints")]
    assert [row[complaints[0].index(gettext("subject"))] for row in complaints[1:]] == [complaint_b.subject]


# ---- The merged history -----------------------------------------------------------------------------------------


def test_the_history_shows_steps_return_lines_and_the_lifecycle_change(client, world, order_a, complaint_a):
    a = world["a"]
    services.step_add(actor=world["owner"], complaint_id=complaint_a.pk, action="派质检员上门查看砂眼")
    entry = services.return_create(
        actor=world["owner"], order_id=order_a.pk, data=return_data(), lines=return_lines(order_a, "4", "1")
    )
    services.return_update(
        actor=world["owner"],
        return_id=entry.pk,
        data={},
        lines=return_lines(order_a, "3"),
        expected_version=entry.version,
    )
    churn = _churn_with_plan(world, a, filed=True)
    a.refresh_from_db()

    client.force_login(world["group_clerk"])
    response = client.get(f"/customers/{a.pk}/history/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "派质检员上门查看砂眼" in page  # the step, with what was done
    step_label = gettext("handling step")
    line_label = gettext("return line")
    assert page.count(f'<span class="fw-semibold ms-1">{step_label}</span>') == 1
    # the return's lines: two created, one changed, one removed
    assert page.count(f'<span class="fw-semibold ms-1">{line_label}</span>') == 4
    number = re.escape(churn.entry_code)
    reason = re.search(rf'<span class="trail-reason">([^<]*{number}[^<]*)</span>', page)
    assert reason and a.archive_no in reason.group(1)
    assert page.count(f'<span class="fw-semibold ms-1">{gettext("win-back plan")}</span>') == 1


# ---- The recycle bin --------------------------------------------------------------------------------------------


def test_a_binned_entry_leaves_the_card_the_lists_and_the_catalogue_until_restored(client, world, order_a, complaint_a):
    a = world["a"]
    complaint = file_through_approval(closed(world, complaint_a), author=world["owner"], decider=world["director"])
    entry = services.return_create(
        actor=world["owner"], order_id=order_a.pk, data=return_data(), lines=return_lines(order_a, "2")
    )
    entry = file_through_approval(entry, author=world["owner"], decider=world["director"])
    a.refresh_from_db()

    def shown():
        page = _section(_card(client, world["owner"], a))
        listed = client.get("/complaints/").content.decode()
        return {
            "card": complaint.subject in page,
            "card returns": bool(_table(page, "card-returns")),
            "list": complaint.subject in listed,
            "selector": selectors.complaint_list(user=world["owner"]).filter(pk=complaint.pk).exists(),
            "return selector": selectors.return_list(user=world["owner"]).filter(pk=entry.pk).exists(),
            "catalogue": [n for n, _t in _catalogue(client, world["owner"], a)],
        }

    assert shown() == {
        "card": True,
        "card returns": True,
        "list": True,
        "selector": True,
        "return selector": True,
        "catalogue": [f"{a.archive_no} / 5-001", f"{a.archive_no} / 5-002"],
    }
    for binned in (complaint, entry):
        request = filing.deletion_request(actor=world["owner"], entry=binned, note="重复录入")
        filing.request_approve(actor=world["director"], request_id=request.pk)
    assert shown() == {
        "card": False,
        "card returns": False,
        "list": False,
        "selector": False,
        "return selector": False,
        "catalogue": [],
    }
    client.force_login(world["owner"])
    assert client.get(f"/complaints/{complaint.pk}/").status_code == 404

    client.force_login(world["archivist"])
    for label, binned in (("complaints.complaint", complaint), ("complaints.return", entry)):
        response = client.post(f"/recycle-bin/{label}/{binned.pk}/restore/")
        assert response.status_code == 302
    assert Complaint.objects.filter(pk=complaint.pk).exists()
    assert shown()["catalogue"] == [f"{a.archive_no} / 5-001", f"{a.archive_no} / 5-002"]
    assert shown()["card"] and shown()["list"] and shown()["card returns"]
