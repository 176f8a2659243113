"""The overdue list and the aging report with its Excel export: scope, figures, as-of days, and fixed query counts.

The story of the figures (``ledger`` fixture), in 2026, terms of 30 days:
- A: ¥1,000.00 issued 03-01 (due 03-31), ¥300.00 paid on 04-10; ¥500.00 issued 07-01 (due 07-31);
  after 07-15: ¥200.00 issued 07-20 and a payment of ¥100.00 on 07-20.
- B: ¥2,000.00 issued 03-01 (due 03-31), unpaid.
"""

import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext
from openpyxl import load_workbook

from archive import filing
from credit import services
from credit.choices import AgingBasis
from credit.models import Payment, PaymentAllocation, Receivable
from credit.selectors import bucket_labels
from customers.models import AccessRecord

from ..factories import make_customer
from ..helpers import LOGIN, SIGNED_IN, assert_matrix, queries_text
from .conftest import filed_order

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 7, 15)
NOON_AS_OF = datetime.datetime(2026, 7, 15, 4, tzinfo=datetime.UTC)  # noon in Shanghai
# The overdue list is the ledger now: "now" is after every event of the story.
NOW = datetime.datetime(2026, 8, 1, 4, tzinfo=datetime.UTC)
ZERO = Decimal("0.00")


def _pay(world, customer, on, amount):
    keeper = world["owner"] if customer.pk == world["a"].pk else world["other_manager"]
    return services.payment_record(
        actor=keeper,
        customer_id=customer.pk,
        data={"received_on": on, "amount": Decimal(amount), "method": "transfer"},
    )


@pytest.fixture
def ledger(world, products, filed_a, filed_b):
    a_old = filed_order(world, products, filed_a, on=datetime.date(2026, 3, 1), amount="1000.00")
    _pay(world, filed_a, datetime.date(2026, 4, 10), "300.00")
    a_new = filed_order(world, products, filed_a, on=datetime.date(2026, 7, 1), amount="500.00")
    a_late = filed_order(world, products, filed_a, on=datetime.date(2026, 7, 20), amount="200.00")
    _pay(world, filed_a, datetime.date(2026, 7, 20), "100.00")
    b_old = filed_order(world, products, filed_b, on=datetime.date(2026, 3, 1), amount="2000.00")
    return {"a_old": a_old, "a_new": a_new, "a_late": a_late, "b_old": b_old}


def _aging(client, user, **params):
    client.force_login(user)
    response = client.get("/credit/aging/", params)
    assert response.status_code == 200
    return response


def _lines_by_customer(report) -> dict:
    return {line.customer_id: line for line in report.customers}


def _read_workbook(response):
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheets = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        sheets[ws.title] = (ws, rows[0], rows[1:])
    return sheets


# ---- The permission matrix ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/credit/overdue/", "/credit/aging/", "/credit/aging/export.xlsx"])
def test_the_reports_are_open_to_every_signed_in_user(client, people, world, url):
    assert_matrix(client, people, url, {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 200)})


# ---- Overdue ---------------------------------------------------------------------------------------------------


def _overdue(client, user, **params):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/credit/overdue/", params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", {"a_old": Decimal("600.00"), "a_new": Decimal("500.00")}),
        ("group_clerk", {"a_old": Decimal("600.00"), "a_new": Decimal("500.00")}),
        ("other_manager", {"b_old": Decimal("2000.00")}),
        ("director", {"a_old": Decimal("600.00"), "a_new": Decimal("500.00"), "b_old": Decimal("2000.00")}),
        ("clerk", {}),
    ],
)
def test_the_overdue_list_holds_what_the_reader_may_see_with_database_totals(client, world, ledger, role, expected):
    response = _overdue(client, world[role])
    rows = list(response.context["object_list"])
    assert {r.pk: r.outstanding for r in rows} == {ledger[key].pk: amount for key, amount in expected.items()}
    total = sum(expected.values(), ZERO)
    totals = response.context["totals"]
    assert (totals["count"], totals["outstanding"]) == (len(expected), total)
    assert f'id="totals-outstanding">¥{total:,.2f}<' in response.content.decode()


def test_the_overdue_list_shows_days_overdue_and_the_original_due_date_of_an_extension(client, world, ledger):
    with time_machine.travel(datetime.datetime(2026, 5, 2, 9, tzinfo=datetime.UTC), tick=False):
        extension = services.extension_request(
            actor=world["other_manager"],
            receivable_id=ledger["b_old"].pk,
            requested_due_on=datetime.date(2026, 6, 30),
            reason="资金周转",
        )
        filing.request_approve(actor=world["director"], request_id=filing.entry_requests(extension).get().pk)
    response = _overdue(client, world["director"])
    rows = {r.pk: r for r in response.context["object_list"]}
    assert rows[ledger["a_old"].pk].days_overdue == 123  # 03-31 → 08-01
    assert rows[ledger["b_old"].pk].days_overdue == 32  # extended from 03-31 to 06-30
    assert rows[ledger["a_new"].pk].days_overdue == 1
    assert ledger["a_late"].pk not in rows  # due 08-19
    order = [ledger[key].pk for key in ("a_old", "b_old", "a_new")]
    assert [r.pk for r in response.context["object_list"]] == order
    content = response.content.decode()
    assert content.count("long-overdue") == 1  # only the one over 90 days is bold
    assert gettext("originally %(day)s") % {"day": "2026-03-31"} in content
    assert "2026-06-30" in content
    assert f'href="/credit/receivables/{ledger["b_old"].pk}/"' in content
    assert f'href="/customers/{world["b"].pk}/"' in content


def test_the_overdue_filters(client, world, ledger):
    by_owner = _overdue(client, world["director"], owner=world["other_manager"].pk)
    assert [r.pk for r in by_owner.context["object_list"]] == [ledger["b_old"].pk]
    by_customer = _overdue(client, world["director"], customer=world["a"].pk)
    assert [r.pk for r in by_customer.context["object_list"]] == [ledger["a_old"].pk, ledger["a_new"].pk]
    totals = by_customer.context["totals"]
    assert (totals["count"], totals["outstanding"]) == (2, Decimal("1100.00"))
    assert by_customer.context["filter_customer"] == world["a"]
    by_name = _overdue(client, world["director"], q=world["b"].name[-6:])
    assert [r.pk for r in by_name.context["object_list"]] == [ledger["b_old"].pk]
    # A manager who asks for another manager's customer gets nothing, not even the banner.
    forged = _overdue(client, world["other_manager"], customer=world["a"].pk)
    assert list(forged.context["object_list"]) == [] and forged.context["totals"]["outstanding"] == ZERO
    assert "filter_customer" not in forged.context or forged.context["filter_customer"] is None


# ---- Aging: the figures ------------------------------------------------------------------------------------------


def test_aging_by_issue_puts_each_receivable_in_its_bucket_as_of_the_day(client, world, ledger):
    report = _aging(client, world["director"], as_of=AS_OF.isoformat()).context["report"]
    assert report.labels == bucket_labels(AgingBasis.ISSUED)
    lines = _lines_by_customer(report)
    # A: 700 of 03-01 is 136 days old (91–180); 500 of 07-01 is 14 (0–30); the 07-20 ones come later.
    assert lines[world["a"].pk].buckets == [Decimal("500.00"), ZERO, ZERO, Decimal("700.00"), ZERO]
    assert lines[world["b"].pk].buckets == [ZERO, ZERO, ZERO, Decimal("2000.00"), ZERO]
    assert report.total.buckets == [Decimal("500.00"), ZERO, ZERO, Decimal("2700.00"), ZERO]


def test_aging_in_the_past_ignores_later_payments_and_later_receivables(client, world, ledger):
    report = _aging(client, world["director"], as_of="2026-04-05").context["report"]
    lines = _lines_by_customer(report)
    # On 04-05 the payment of 04-10 had not come and the July orders did not exist: 1,000 aged 35 days.
    assert lines[world["a"].pk].buckets == [ZERO, Decimal("1000.00"), ZERO, ZERO, ZERO]
    assert report.total.total == Decimal("3000.00")
    # Today everything issued and paid counts.
    with time_machine.travel(datetime.datetime(2026, 8, 1, 4, tzinfo=datetime.UTC), tick=False):
        today = _aging(client, world["director"]).context["report"]
    assert today.as_of == datetime.date(2026, 8, 1)
    assert _lines_by_customer(today)[world["a"].pk].total == Decimal("1300.00")  # 700 + 500 + 200 − 100


def test_aging_by_due_date_puts_what_is_not_yet_due_in_its_own_column(client, world, ledger):
    report = _aging(client, world["director"], as_of=AS_OF.isoformat(), basis="due").context["report"]
    assert report.labels[0] == gettext("not yet due") and len(report.labels) == 6
    a = _lines_by_customer(report)[world["a"].pk]
    # 500 due 07-31 is not yet due; 700 due 03-31 is 106 days past due (91–180).
    assert a.buckets == [Decimal("500.00"), ZERO, ZERO, ZERO, Decimal("700.00"), ZERO]
    content = _aging(client, world["director"], as_of=AS_OF.isoformat(), basis="due").content.decode()
    assert gettext("not yet due") in content


def test_the_lines_add_up_customers_to_managers_to_the_total(client, world, products, ledger):
    extra = make_customer(world["owner"])
    Receivable.objects.create(
        customer=extra, amount=Decimal("123.45"), issued_on=datetime.date(2025, 12, 1), due_on=datetime.date(2026, 1, 1)
    )
    report = _aging(client, world["director"], as_of=AS_OF.isoformat()).context["report"]
    for line in report.customers:
        owed = Receivable.objects.filter(customer_id=line.customer_id, issued_on__lte=AS_OF)
        paid = PaymentAllocation.objects.filter(receivable__in=owed, payment__received_on__lte=AS_OF).values_list(
            "amount", flat=True
        )
        assert line.total == sum(owed.values_list("amount", flat=True), ZERO) - sum(paid, ZERO)
    for manager in report.managers:
        mine = [line for line in report.customers if line.manager == manager.label]
        assert manager.customers == len(mine)
        assert manager.buckets == [sum(col, ZERO) for col in zip(*(line.buckets for line in mine), strict=True)]
    assert report.total.buckets == [
        sum(col, ZERO) for col in zip(*(line.buckets for line in report.managers), strict=True)
    ]
    assert report.total.total == sum((line.total for line in report.customers), ZERO)
    owner_line = next(line for line in report.managers if line.label == world["owner"].username)
    assert owner_line.customers == 2 and owner_line.total == Decimal("1323.45")


# ---- Aging: scope -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("owner", {"a"}),
        ("granted_manager", {"a"}),
        ("other_manager", {"b"}),
        ("clerk", set()),
        ("director", {"a", "b"}),
    ],
)
def test_a_reader_sees_only_their_customers_in_the_report_and_the_export(client, world, ledger, role, sees):
    response = _aging(client, world[role], as_of=AS_OF.isoformat())
    report = response.context["report"]
    expected = {world[key].pk for key in sees}
    assert {line.customer_id for line in report.customers} == expected
    amounts = {"a": Decimal("1200.00"), "b": Decimal("2000.00")}
    assert report.total.total == sum((amounts[key] for key in sees), ZERO)
    content = response.content.decode()
    for key in {"a", "b"} - sees:
        assert world[key].name not in content
    sheets = _read_workbook(client.get("/credit/aging/export.xlsx", {"as_of": AS_OF.isoformat()}))
    _ws, header, rows = sheets[gettext("By customer")]
    names = [row[0] for row in rows[:-1]]
    assert set(names) == {world[key].name for key in sees}
    total_row = rows[-1]
    assert Decimal(str(total_row[-1])).quantize(Decimal("0.01")) == report.total.total


def test_the_manager_filter_narrows_the_report(client, world, ledger):
    report = _aging(client, world["director"], as_of=AS_OF.isoformat(), owner=world["other_manager"].pk).context[
        "report"
    ]
    assert [line.customer_id for line in report.customers] == [world["b"].pk]
    assert report.total.total == Decimal("2000.00")
    # A manager asking for a colleague's customers gets an empty report, not their amounts.
    report = _aging(client, world["owner"], as_of=AS_OF.isoformat(), owner=world["other_manager"].pk).context["report"]
    assert report.customers == [] and report.total.total == ZERO


def test_an_invalid_day_shows_the_error_and_no_report(client, world, ledger):
    response = _aging(client, world["director"], as_of="2026-02-30")
    assert "report" not in response.context
    assert response.context["form"].errors["as_of"]
    content = response.content.decode()
    assert 'id="aging-customers"' not in content and 'id="aging-export"' not in content
    assert 'value="2026-02-30"' in content
    assert client.get("/credit/aging/export.xlsx", {"as_of": "yesterday"}).status_code == 400
    assert not AccessRecord.objects.filter(action=AccessRecord.Action.EXPORT).exists()


def test_the_page_opens_on_today_by_issue_date_and_links_the_export_with_its_question(client, world, ledger):
    with time_machine.travel(NOON_AS_OF, tick=False):
        response = _aging(client, world["owner"])
    form = response.context["form"]
    assert form["as_of"].value() == "2026-07-15" and form["basis"].value() == AgingBasis.ISSUED
    assert response.context["report"].as_of == AS_OF
    response = _aging(client, world["owner"], as_of="2026-04-05", basis="due")
    assert 'href="/credit/aging/export.xlsx?as_of=2026-04-05&amp;basis=due"' in response.content.decode()


# ---- Aging: the export ------------------------------------------------------------------------------------------


def test_the_export_holds_the_pages_figures_as_numbers(client, world, ledger):
    params = {"as_of": AS_OF.isoformat(), "basis": "due"}
    report = _aging(client, world["director"], **params).context["report"]
    response = client.get("/credit/aging/export.xlsx", params)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "20260715" in response["Content-Disposition"]
    sheets = _read_workbook(response)
    assert list(sheets) == [gettext("By customer"), gettext("By manager")]

    ws, header, rows = sheets[gettext("By customer")]
    assert list(header) == [
        gettext("Customer"),
        gettext("Archive number"),
        gettext("Account manager"),
        *report.labels,
        gettext("Total outstanding (CNY)"),
    ]
    assert (
        ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{len(rows) + 1}"
    )
    expected = [*report.customers, report.total]
    assert len(rows) == len(expected)
    for row, line in zip(rows, expected, strict=True):
        assert row[0] == line.label
        amounts = row[3:]
        assert all(isinstance(value, (int, float)) for value in amounts), row
        assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in amounts] == [*line.buckets, line.total]
    money_cell = ws.cell(2, 4)
    assert money_cell.number_format == "#,##0.00"

    _ws, header, rows = sheets[gettext("By manager")]
    assert list(header[:2]) == [gettext("Account manager"), gettext("Customers")]
    expected = [*report.managers, report.total]
    for row, line in zip(rows, expected, strict=True):
        assert row[0] == line.label and row[1] == line.customers
        assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in row[2:]] == [*line.buckets, line.total]

    record = AccessRecord.objects.get(action=AccessRecord.Action.EXPORT)
    assert record.user == world["director"] and record.row_count == 2 and "basis=due" in record.query


def test_no_cell_of_the_export_starts_a_formula(client, world):
    hostile = make_customer(world["owner"], name='=HYPERLINK("http://x","y")公司')
    Receivable.objects.create(
        customer=hostile,
        amount=Decimal("10.00"),
        issued_on=datetime.date(2026, 7, 1),
        due_on=datetime.date(2026, 7, 31),
    )
    client.force_login(world["owner"])
    sheets = _read_workbook(client.get("/credit/aging/export.xlsx", {"as_of": AS_OF.isoformat()}))
    ws, _header, rows = sheets[gettext("By customer")]
    assert rows[0][0] == '\'=HYPERLINK("http://x","y")公司'
    for row in ws.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)


# ---- Query counts -------------------------------------------------------------------------------------------------


def _bulk_ledger(customers, as_of: datetime.date) -> None:
    """Five receivables per customer over every age, and one payment each allocated to the oldest.

    Written directly (this is bulk data for counting queries; the services are tested elsewhere) but with
    realistic amounts, dates and allocations that never exceed either side.
    """
    receivables = []
    for n, customer in enumerate(customers):
        for k, days in enumerate((400, 120, 75, 40, 5)):
            issued = as_of - datetime.timedelta(days=days + n % 7)
            receivables.append(
                Receivable(
                    customer=customer,
                    amount=Decimal(1000 + 37 * n + 100 * k) + Decimal("0.45"),
                    issued_on=issued,
                    due_on=issued + datetime.timedelta(days=30),
                )
            )
    Receivable.objects.bulk_create(receivables)
    payments = Payment.objects.bulk_create(
        Payment(customer=c, received_on=as_of - datetime.timedelta(days=3), amount=Decimal("800.00"), method="transfer")
        for c in customers
    )
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(payment=payment, receivable=receivables[5 * n], amount=Decimal("800.00"))
        for n, payment in enumerate(payments)
    )


def _customers(world, count: int) -> list:
    return [make_customer(world["owner"] if n % 2 == 0 else world["other_manager"]) for n in range(count)]


def _count(client, user, url, params) -> tuple[int, object]:
    client.force_login(user)
    with time_machine.travel(NOON_AS_OF, tick=False):
        first = client.get(url, params)  # warm the process-wide caches (content types…)
        if first.streaming:
            b"".join(first.streaming_content)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
            assert response.status_code == 200
            if response.streaming:
                b"".join(response.streaming_content)
    return len(ctx), ctx


PAGES = [
    ("/credit/aging/", {"as_of": AS_OF.isoformat()}),
    ("/credit/aging/", {"as_of": AS_OF.isoformat(), "basis": "due"}),
    ("/credit/aging/export.xlsx", {"as_of": AS_OF.isoformat(), "basis": "due"}),
    ("/credit/overdue/", {}),
]


# Session, user, rights, the navigation's counts, the owner choices and the report's own two or three queries.
REPORT_CEILING = 12


def test_the_reports_cost_the_same_for_10_and_200_customers(
    client, world, record_property, django_assert_max_num_queries
):
    _bulk_ledger(_customers(world, 10), AS_OF)
    readers = ("owner", "director")
    few = {
        (url, str(params), role): _count(client, world[role], url, params) for url, params in PAGES for role in readers
    }
    _bulk_ledger(_customers(world, 190), AS_OF)
    assert Receivable.objects.count() == 1000
    many = {
        (url, str(params), role): _count(client, world[role], url, params) for url, params in PAGES for role in readers
    }
    record_property("report_queries", {str(key): (few[key][0], many[key][0]) for key in few})
    for key, (count, ctx) in many.items():
        assert count == few[key][0], f"{key}: {few[key][0]} → {count}\n{queries_text(ctx)}"
        assert count <= REPORT_CEILING, queries_text(ctx)
    # The director's report really holds the 200 customers (and the owner's the 100 they keep).
    client.force_login(world["director"])
    with time_machine.travel(NOON_AS_OF, tick=False), django_assert_max_num_queries(REPORT_CEILING):
        report = client.get("/credit/aging/", {"as_of": AS_OF.isoformat()}).context["report"]
    assert len(report.customers) == 200 and report.total.customers == 200


def test_the_aging_page_shows_its_customers_a_page_at_a_time_with_the_totals_of_all(client, world, settings):
    _bulk_ledger(_customers(world, 120), AS_OF)
    settings.ARCHIVE_PAGE_SIZE = 50
    client.force_login(world["director"])
    shown, pages = [], []
    with time_machine.travel(NOON_AS_OF, tick=False):
        for page in (1, 2, 3):
            response = client.get("/credit/aging/", {"as_of": AS_OF.isoformat(), "page": page})
            rows = re.findall(r'data-customer="(\d+)"', response.content.decode())
            shown += rows
            pages.append(len(rows))
        report = response.context["report"]
    assert pages == [50, 50, 20]
    assert len(set(shown)) == 120 == len(report.customers) == report.total.customers
    assert [int(pk) for pk in shown] == [line.customer_id for line in report.customers]  # largest debts first
    assert "120" in response.content.decode().split('id="aging-customer-count"')[1][:80]
