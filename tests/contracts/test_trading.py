"""The trading status panel (交易现状): figures worked out by hand on a small known dataset, and a fixed query count.

The dataset is read "as of" 15 March 2026. The trailing twelve months are (2025-03-15, 2026-03-15]: an order of
2025-03-15, exactly twelve months back, belongs to the previous twelve months (2024-03-15, 2025-03-15].
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from archive.choices import FilingStatus
from contracts import services, trading
from contracts.models import Order, Product
from customers.choices import InteractionKind
from customers.models import Interaction

from ..helpers import file_through_approval, queries_text

TODAY = datetime.date(2026, 3, 15)
D = Decimal


def _order(customer, day, total, status=FilingStatus.FILED, *, binned=False) -> Order:
    """An order row written directly: test data for the figures, not a test of the services."""
    return Order.objects.create(
        customer=customer,
        ordered_on=day,
        total=D(total),
        status=status,
        deleted_at=timezone.now() if binned else None,
    )


def _interaction(customer, day, kind=InteractionKind.VISIT) -> Interaction:
    return Interaction.objects.create(customer=customer, occurred_on=day, kind=kind, subject="拜访")


@pytest.fixture
def customer(world):
    return world["a"]


@pytest.fixture
def dataset(customer):
    """Filed orders across month and window boundaries, plus orders that must not count as sales."""
    for day, total in [
        (datetime.date(2026, 3, 15), "100.00"),  # today: the current month, the last order
        (datetime.date(2026, 3, 1), "49.50"),  # first day of the current month
        (datetime.date(2026, 2, 28), "250.50"),  # last day of the month before
        (datetime.date(2025, 3, 16), "1000.00"),  # first day of the trailing window
        (datetime.date(2025, 3, 15), "2000.00"),  # exactly 12 months back: the previous window's last day
        (datetime.date(2024, 3, 16), "300.00"),  # first day of the previous window (before the chart's months)
        (datetime.date(2024, 3, 15), "5000.00"),  # exactly 24 months back: in neither window
        (datetime.date(2026, 3, 16), "700.00"),  # dated tomorrow: not yet
    ]:
        _order(customer, day, total)
    _order(customer, datetime.date(2026, 3, 10), "999.00", FilingStatus.DRAFT)
    _order(customer, datetime.date(2026, 1, 5), "888.00", FilingStatus.PENDING)
    _order(customer, datetime.date(2025, 12, 5), "777.00", FilingStatus.RETURNED)
    _order(customer, datetime.date(2026, 2, 1), "666.00", binned=True)  # filed, then deleted: in the bin
    _order(customer, datetime.date(2026, 2, 2), "555.00", FilingStatus.DRAFT, binned=True)
    _interaction(customer, datetime.date(2025, 12, 1), InteractionKind.VISIT)
    _interaction(customer, datetime.date(2026, 1, 10), InteractionKind.CALL)
    _interaction(customer, datetime.date(2026, 4, 1), InteractionKind.MEETING)  # planned, not yet happened
    return customer


# ---- Month arithmetic ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 3, 15), 12, datetime.date(2025, 3, 15)),
        (datetime.date(2026, 1, 15), 1, datetime.date(2025, 12, 15)),
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 2, 28)),  # clamped to the month's end
        (datetime.date(2024, 2, 29), 12, datetime.date(2023, 2, 28)),  # a leap day a year back
        (datetime.date(2026, 3, 1), 23, datetime.date(2024, 4, 1)),
        (datetime.date(2025, 12, 1), -1, datetime.date(2026, 1, 1)),  # negative: months later
    ],
)
def test_months_before(day, months, expected):
    assert trading.months_before(day, months) == expected


# ---- The figures -----------------------------------------------------------------------------------------------


def test_figures_of_the_known_dataset(dataset):
    status = trading.trading_status(dataset, today=TODAY)

    # 100.00 + 49.50 + 250.50 + 1000.00: not the boundary order, the draft, the pending, the returned,
    # the binned order, nor tomorrow's.
    assert status.sales_12m == D("1400.00")
    assert status.orders_12m == 4
    # 2000.00 (exactly 12 months back) + 300.00; the order exactly 24 months back is in neither window.
    assert status.sales_previous_12m == D("2300.00")
    assert status.yoy_change == D("-39.1")  # (1400 − 2300) / 2300 = −39.13 %
    assert status.window_start == datetime.date(2025, 3, 16)

    assert status.last_order_on == TODAY
    assert status.last_order_total == D("100.00")
    assert status.last_order_id == Order.objects.get(customer=dataset, ordered_on=TODAY).pk
    assert status.days_since_order == 0
    assert status.has_sales_record

    # The draft, the pending and the returned order; not the binned draft.
    assert status.unfiled_orders == 3


def test_monthly_series_is_24_months_zero_filled_oldest_first(dataset):
    monthly = trading.trading_status(dataset, today=TODAY).monthly

    assert len(monthly) == 24
    assert monthly[0].label == "2024-04"
    assert monthly[-1].label == "2026-03"
    assert [m.month for m in monthly] == sorted({m.month for m in monthly})
    amounts = {m.label: m.amount for m in monthly}
    assert amounts["2026-03"] == D("149.50")  # 100.00 + 49.50, not tomorrow's 700.00
    assert amounts["2026-02"] == D("250.50")  # not the binned 666.00
    assert amounts["2025-03"] == D("3000.00")  # both sides of the 12-month boundary fall in March 2025
    assert amounts["2025-12"] == D("0.00")  # only a returned order that month
    assert sum(amounts.values()) == D("3400.00")
    assert sum(1 for m in monthly if m.amount) == 3


def test_section_context_and_chart_data(dataset, world):
    with time_machine.travel(datetime.datetime(2026, 3, 15, 12, tzinfo=datetime.UTC), tick=False):
        context = trading.section(dataset, world["owner"])
    data = context["chart_data"]

    assert context["trading"].today == TODAY and context["trading"].sales_12m == D("1400.00")
    assert data["labels"] == [m.label for m in context["trading"].monthly]
    assert data["amounts"][-3:] == ["0.00", "250.50", "149.50"]  # strings: json_script never sees a float
    assert data["dataset"] and data["partial"]


@pytest.mark.parametrize(
    ("today", "in_trailing_window"),
    [
        (datetime.date(2026, 3, 14), True),  # the order is 12 months less a day back
        (datetime.date(2026, 3, 15), False),  # exactly 12 months back: the previous window
        (datetime.date(2026, 3, 16), False),
    ],
)
def test_trailing_window_excludes_the_day_exactly_twelve_months_back(customer, today, in_trailing_window):
    _order(customer, datetime.date(2025, 3, 15), "500.00")

    status = trading.trading_status(customer, today=today)

    assert status.sales_12m == (D("500.00") if in_trailing_window else D("0.00"))
    assert status.orders_12m == (1 if in_trailing_window else 0)
    assert status.sales_previous_12m == (D("0.00") if in_trailing_window else D("500.00"))


@pytest.mark.parametrize(
    ("moment", "in_trailing_window"),
    [
        # 00:30 in Shanghai is still the 14th in UTC: the window follows the local date, not the server's UTC.
        ("2026-03-15 00:30:00+08:00", False),
        ("2026-03-14 23:30:00+08:00", True),
    ],
)
def test_today_defaults_to_the_local_date(customer, moment, in_trailing_window):
    _order(customer, datetime.date(2025, 3, 15), "500.00")

    with time_machine.travel(datetime.datetime.fromisoformat(moment), tick=False):
        status = trading.trading_status(customer)

    assert status.today == datetime.date.fromisoformat(moment[:10])
    assert status.sales_12m == (D("500.00") if in_trailing_window else D("0.00"))


def test_yoy_is_none_without_previous_sales(customer):
    _order(customer, datetime.date(2026, 1, 20), "800.00")

    status = trading.trading_status(customer, today=TODAY)

    assert status.sales_previous_12m == D("0.00")
    assert status.yoy_change is None


def test_yoy_growth(customer):
    _order(customer, datetime.date(2026, 1, 20), "1250.00")
    _order(customer, datetime.date(2025, 1, 20), "1000.00")

    assert trading.trading_status(customer, today=TODAY).yoy_change == D("25.0")


def test_last_interaction_and_days_since(dataset):
    status = trading.trading_status(dataset, today=TODAY)

    # The call of 10 January, not the meeting planned for April: 21 + 28 + 15 days.
    assert status.last_interaction_on == datetime.date(2026, 1, 10)
    with translation.override("en"):
        assert trading.trading_status(dataset, today=TODAY).last_interaction_kind == "Phone call"
    assert status.days_since_interaction == 64
    assert not status.interaction_quiet


@pytest.mark.parametrize(("days", "quiet"), [(90, False), (91, True)])
def test_quiet_after_ninety_days(customer, days, quiet):
    _interaction(customer, TODAY - datetime.timedelta(days=days))
    _order(customer, TODAY - datetime.timedelta(days=days), "10.00")

    status = trading.trading_status(customer, today=TODAY)

    assert status.days_since_interaction == status.days_since_order == days
    assert status.interaction_quiet is quiet
    assert status.order_quiet is quiet


def test_customer_without_orders_or_interactions(customer):
    status = trading.trading_status(customer, today=TODAY)

    assert not status.has_sales_record
    assert status.last_order_id is None and status.days_since_order is None
    assert status.sales_12m == status.sales_previous_12m == D("0.00")
    assert status.orders_12m == status.unfiled_orders == 0
    assert status.last_interaction_on is None and status.days_since_interaction is None
    assert len(status.monthly) == 24 and not any(m.amount for m in status.monthly)


def test_another_customers_orders_do_not_count(world):
    _order(world["b"], datetime.date(2026, 1, 20), "800.00")
    _interaction(world["b"], datetime.date(2026, 1, 20))

    status = trading.trading_status(world["a"], today=TODAY)

    assert status.sales_12m == D("0.00") and status.last_interaction_on is None


# ---- Through the services and the approval ----------------------------------------------------------------------


def test_an_order_counts_once_filed_through_approval(world):
    owner, director = world["owner"], world["director"]
    customer = file_through_approval(world["a"], author=owner, decider=director)
    product = Product.objects.create(code="P-001", name="数控机床", unit="台")
    order = services.order_create(
        actor=owner,
        customer_id=customer.pk,
        data={"ordered_on": datetime.date(2026, 2, 10), "reference": "PO-1"},
        lines=[{"product": product, "quantity": D("3"), "unit_price": D("1200.00"), "discount": D("5")}],
    )

    draft = trading.trading_status(customer, today=TODAY)
    assert not draft.has_sales_record
    assert draft.sales_12m == D("0.00") and draft.unfiled_orders == 1

    file_through_approval(order, author=owner, decider=director)
    filed = trading.trading_status(customer, today=TODAY)

    assert filed.sales_12m == D("3420.00")  # 3 × 1200.00 less 5 %
    assert filed.orders_12m == 1 and filed.unfiled_orders == 0
    assert filed.last_order_id == order.pk and filed.last_order_total == D("3420.00")
    assert filed.monthly[-2].label == "2026-02" and filed.monthly[-2].amount == D("3420.00")


# ---- The rendered panel ------------------------------------------------------------------------------------------


def _render(customer, *, today=TODAY):
    status = trading.trading_status(customer, today=today)
    context = {"customer": customer, "can_edit": True, "trading": status, "chart_data": trading.chart_data(status)}
    with translation.override("en"):
        return render_to_string("contracts/sections/trading_status.html", {**context, "quiet_after_days": 90})


def test_panel_shows_the_figures_and_the_chart_data(dataset):
    html = _render(dataset)

    assert "¥1,400.00" in html  # thousands separator and fen, whatever the locale's own number format
    assert "¥2,300.00" in html
    assert "39.1%" in html and "text-danger" in html
    assert "4 orders" in html and "since 2025-03-16" in html
    assert "3 orders not yet filed" in html
    assert 'id="trading-chart-data"' in html and 'id="trading-chart"' in html
    assert "64 days ago" in html
    assert "No filed orders yet" not in html


def test_panel_loads_nothing_from_the_internet(dataset):
    html = _render(dataset)

    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "/static/js/trading-chart.js" in html
    assert "http://" not in html and "https://" not in html and 'src="//' not in html


def test_panel_flags_a_quiet_customer(customer):
    _order(customer, TODAY - datetime.timedelta(days=120), "10.00")
    _interaction(customer, TODAY - datetime.timedelta(days=100))

    html = _render(customer)

    assert html.count("is-quiet") == 2
    assert "120 days ago" in html and "100 days ago" in html


def test_panel_empty_state(customer):
    _order(customer, datetime.date(2026, 3, 1), "10.00", FilingStatus.DRAFT)

    html = _render(customer)

    assert "No filed orders yet" in html
    assert "1 order not yet filed" in html
    assert "trading-chart-data" not in html


# ---- Query count -------------------------------------------------------------------------------------------------


def _queries(customer) -> tuple[int, CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as ctx:
        status = trading.trading_status(customer, today=TODAY)
        trading.chart_data(status)
        _ = [status.yoy_change, status.days_since_order, status.days_since_interaction, status.monthly]
    return len(ctx), ctx


def test_query_count_does_not_grow_with_the_orders(world):
    customer = world["a"]
    empty, _ctx = _queries(customer)

    statuses = [FilingStatus.FILED] * 7 + [FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.RETURNED]
    # Test data in bulk: 100 orders over the last three years, most of them filed (no trail needed here).
    Order.objects.bulk_create(
        Order(
            customer=customer,
            ordered_on=TODAY - datetime.timedelta(days=11 * n),
            total=D(100 + n),
            status=statuses[n % len(statuses)],
        )
        for n in range(100)
    )
    for n in range(30):
        _interaction(customer, TODAY - datetime.timedelta(days=7 * n))
    full, ctx = _queries(customer)

    assert full == empty, queries_text(ctx)
    assert full == 4, queries_text(ctx)
    status = trading.trading_status(customer, today=TODAY)
    assert status.orders_12m > 0 and status.unfiled_orders == 30
