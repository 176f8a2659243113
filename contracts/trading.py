"""The trading status panel (交易现状, DESIGN §2 category 4): what the orders and interactions say over time.

Only **filed** orders count as sales: the filed order is the sales record, approved by a director, and the same
rule holds for ABC grading and every analysis. Drafts, orders waiting for approval and returned orders are
counted apart, so the panel can say that some orders are not in the figures yet; orders in the recycle bin count
nowhere. Every figure is "as of" ``today`` (the local date in ``TIME_ZONE``): orders and interactions dated later
are left out.

The windows are half-open and end today, as ABC grading's do (:mod:`contracts.grading`): the trailing twelve
months are ``(today − 12 months, today]``, so an order dated exactly twelve months ago belongs to the previous
twelve months ``(today − 24 months, today − 12 months]``, against which the year-on-year change is computed. The
two windows never overlap and never leave a gap.

:func:`trading_status` runs four queries however many orders and interactions the customer has: one aggregate
over the orders, the last filed order, the monthly sums grouped by the database, and the last interaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.choices import FilingStatus
from customers.choices import InteractionKind
from customers.models import Customer

from .grading import months_before
from .models import Order, money

CHART_MONTHS = 24
# A customer without an order or an interaction for longer than this is flagged on the panel (流失风险).
QUIET_AFTER_DAYS = 90
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class MonthSales:
    """The filed sales of one calendar month (the current month only up to today)."""

    month: datetime.date  # the first day of the month
    amount: Decimal

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass(frozen=True)
class TradingStatus:
    """A customer's trading figures as of ``today``; see the module's docstring for what counts and when."""

    today: datetime.date
    last_order_id: int | None
    last_order_on: datetime.date | None
    last_order_total: Decimal | None
    sales_12m: Decimal
    orders_12m: int
    sales_previous_12m: Decimal
    monthly: list[MonthSales]
    last_interaction_on: datetime.date | None
    last_interaction_kind: str
    unfiled_orders: int

    @property
    def has_sales_record(self) -> bool:
        """Whether the customer has any filed order at all (else the panel shows its empty state)."""
        return self.last_order_id is not None

    @property
    def window_start(self) -> datetime.date:
        """The first day of the trailing twelve months."""
        return months_before(self.today, 12) + datetime.timedelta(days=1)

    @property
    def yoy_change(self) -> Decimal | None:
        """Change of the trailing twelve months' sales on the twelve before, in per cent to one decimal.

        ``None`` when the previous twelve months sold nothing: there is no base to compare with.
        """
        if not self.sales_previous_12m:
            return None
        change = (self.sales_12m - self.sales_previous_12m) * 100 / self.sales_previous_12m
        return change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def yoy_change_abs(self) -> Decimal | None:
        return None if self.yoy_change is None else abs(self.yoy_change)

    @property
    def days_since_order(self) -> int | None:
        return None if self.last_order_on is None else (self.today - self.last_order_on).days

    @property
    def days_since_interaction(self) -> int | None:
        return None if self.last_interaction_on is None else (self.today - self.last_interaction_on).days

    @property
    def order_quiet(self) -> bool:
        return self.days_since_order is not None and self.days_since_order > QUIET_AFTER_DAYS

    @property
    def interaction_quiet(self) -> bool:
        return self.days_since_interaction is not None and self.days_since_interaction > QUIET_AFTER_DAYS


def trading_status(customer: Customer, *, today: datetime.date | None = None) -> TradingStatus:
    """The customer's trading status as of ``today`` (default: the local date), in four queries."""
    today = today or timezone.localdate()
    year_ago = months_before(today, 12)
    two_years_ago = months_before(today, 24)
    first_month = months_before(today.replace(day=1), CHART_MONTHS - 1)

    # Order.objects leaves out the recycle bin; ordering is dropped so the grouping below groups by month only.
    orders = Order.objects.filter(customer=customer).order_by()
    filed = orders.filter(status=FilingStatus.FILED, ordered_on__lte=today)

    in_year = Q(status=FilingStatus.FILED, ordered_on__gt=year_ago, ordered_on__lte=today)
    in_previous_year = Q(status=FilingStatus.FILED, ordered_on__gt=two_years_ago, ordered_on__lte=year_ago)
    figures = orders.aggregate(
        sales_12m=Sum("total", filter=in_year),
        orders_12m=Count("pk", filter=in_year),
        sales_previous_12m=Sum("total", filter=in_previous_year),
        unfiled=Count("pk", filter=~Q(status=FilingStatus.FILED)),
    )
    last_order = filed.order_by("-ordered_on", "-id").values("pk", "ordered_on", "total").first()

    by_month = {
        row["month"]: row["amount"]
        for row in filed.filter(ordered_on__gte=first_month)
        .annotate(month=TruncMonth("ordered_on"))
        .values("month")
        .annotate(amount=Sum("total"))
        .values("month", "amount")
    }
    months = [months_before(first_month, -n) for n in range(CHART_MONTHS)]
    # SQLite hands grouped sums back unscaled (250.5): every amount leaves here to the fen.
    monthly = [MonthSales(month=month, amount=money(by_month.get(month) or ZERO)) for month in months]

    last_interaction = (
        customer.interactions.filter(occurred_on__lte=today)
        .order_by("-occurred_on", "-id")
        .values("occurred_on", "kind")
        .first()
    )

    return TradingStatus(
        today=today,
        last_order_id=last_order["pk"] if last_order else None,
        last_order_on=last_order["ordered_on"] if last_order else None,
        last_order_total=money(last_order["total"]) if last_order else None,
        sales_12m=money(figures["sales_12m"] or ZERO),
        orders_12m=figures["orders_12m"],
        sales_previous_12m=money(figures["sales_previous_12m"] or ZERO),
        monthly=monthly,
        last_interaction_on=last_interaction["occurred_on"] if last_interaction else None,
        last_interaction_kind=_kind_label(last_interaction["kind"]) if last_interaction else "",
        unfiled_orders=figures["unfiled"],
    )


def _kind_label(kind: str) -> str:
    try:
        return str(InteractionKind(kind).label)
    except ValueError:  # a kind retired from the choices still shows, as it was stored
        return kind


def chart_data(status: TradingStatus) -> dict:
    """What ``static/js/trading-chart.js`` draws, for ``json_script``: amounts as strings, never floats."""
    return {
        "labels": [m.label for m in status.monthly],
        "amounts": [str(m.amount) for m in status.monthly],
        "dataset": _("Filed sales"),
        "partial": _("month to date"),
    }


def section(customer, user):
    """The card section's context. Orders are visible exactly when their customer is, so ``user`` adds nothing."""
    status = trading_status(customer)
    return {"trading": status, "chart_data": chart_data(status), "quiet_after_days": QUIET_AFTER_DAYS}
