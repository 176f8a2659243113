"""ABC grading (客户分级) of the customers by their sales in the trailing window (DESIGN §2.1).

The sales of a customer are the totals of its filed orders (not drafts, not those waiting for approval or returned,
not those in the recycle bin) dated inside the window ``(as_of − ARCHIVE_ABC_WINDOW_MONTHS months, as_of]``.
:func:`abc_grades` turns them into grades by the Pareto rule; :func:`customers_grade` stores what the analysis says
in ``Customer.sales_grade`` and makes ``grade`` (what everybody sees) the hand-set override or else that grade.

Grading is not an edit of the card: the card's ``version`` and ``updated_at`` stay as they are, so a change request
waiting for the director does not become stale because the nightly grading ran, and the list sorted by "updated"
still shows when people last edited a card. Every customer whose grade changes gets its own historical row that
says why (the date, the sales, the grade by sales) and who ran the grading ("system" for the scheduled command).
"""

from __future__ import annotations

import calendar
import datetime
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from archive.choices import FilingStatus, Grade
from archive.history import user_display
from customers.models import Customer

from .models import Order

PERMISSION = "contracts.grade_customers"
ZERO = Decimal("0.00")
# Customers written per locked batch: one SELECT … FOR UPDATE, one UPDATE and one INSERT of history rows each.
BATCH_SIZE = 500


@dataclass(frozen=True)
class GradingResult:
    """What one grading run found and did.

    ``by_sales_grade`` counts what the analysis says (``sales_grade``), ``by_grade`` what everybody now sees
    (``grade``: the override where there is one). ``overrides_differing`` counts the customers whose hand-set
    grade is not the one their sales would give: the director may want to look at those.
    """

    as_of: datetime.date
    window_start: datetime.date  # exclusive: an order of this day is outside the window
    window_end: datetime.date  # inclusive: the as-of day itself
    customers: int
    by_sales_grade: dict[str, int] = field(default_factory=dict)
    by_grade: dict[str, int] = field(default_factory=dict)
    changed: int = 0
    total_sales: Decimal = ZERO
    overrides_differing: int = 0


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier; the month's last day where that day does not exist.

    29 February 2024 less 12 months is 28 February 2023; 31 May less 3 months is 28 or 29 February.
    """
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def grading_window(as_of: datetime.date, months: int | None = None) -> tuple[datetime.date, datetime.date]:
    """The trailing window ``(start, end]`` of ``months`` (default ``ARCHIVE_ABC_WINDOW_MONTHS``) ending on ``as_of``.

    The start is exclusive and the end inclusive, so consecutive windows neither overlap nor leave a gap, and an
    order dated exactly one year before ``as_of`` belongs to the previous year's window, not to this one.
    """
    months = settings.ARCHIVE_ABC_WINDOW_MONTHS if months is None else months
    return months_before(as_of, months), as_of


def abc_grades(sales: Mapping[int, Decimal | None], shares: Sequence[Decimal] | None = None) -> dict[int, str]:
    """Grade customers A, B, C or D by their sales (ABC / Pareto analysis). Pure: no database.

    ``sales`` maps a customer's pk to its sales in the window; ``shares`` is ``(first, second)``, by default
    ``settings.ARCHIVE_ABC_SHARES`` = ``(0.80, 0.95)``, read at call time so that settings overrides apply.

    The rule, exactly:

    1. Customers with sales of zero or none are **D**; they take no part in the ranking.
    2. The others are ranked by sales, largest first; equal sales are ranked by pk, smaller first, so that the
       same data always gives the same grades.
    3. For each customer, ``above`` is the sum of the sales of the customers ranked above it (0 for the first)
       and ``total`` the sum of all sales. The customer is **A** if ``above < first × total``, else **B** if
       ``above < second × total``, else **C**.

    So the grade looks at the share held *before* the customer, not after it: the customer whose sales carry the
    running total over 80 % is still A, because the 80 % of sales are made by the group it completes (without it
    the A group would hold less than 80 %). It follows that the top customer is always A, and a customer starting
    exactly at 80 % is B. Example, sales 500, 200, 100, 80 (total 1 000 with further customers): the shares
    before them are 0 %, 50 %, 70 % and 80 %, so A, A, A, then B.

    The comparison multiplies instead of dividing, in ``Decimal``, so no share is ever rounded (nor a float).
    """
    first, second = settings.ARCHIVE_ABC_SHARES if shares is None else shares
    if isinstance(first, float) or isinstance(second, float):
        raise TypeError("ABC shares must be Decimal, not float")
    first, second = Decimal(first), Decimal(second)
    if not Decimal(0) < first <= second <= Decimal(1):
        raise ValueError(f"ABC shares must satisfy 0 < first <= second <= 1, got {first}, {second}")

    grades = {pk: Grade.D.value for pk in sales}
    ranked = sorted(((pk, amount) for pk, amount in sales.items() if amount and amount > 0), key=_rank)
    total = sum((amount for _pk, amount in ranked), Decimal(0))
    a_limit, b_limit = first * total, second * total
    above = Decimal(0)
    for pk, amount in ranked:
        if above < a_limit:
            grades[pk] = Grade.A.value
        elif above < b_limit:
            grades[pk] = Grade.B.value
        else:
            grades[pk] = Grade.C.value
        above += amount
    return grades


def _rank(item: tuple[int, Decimal]) -> tuple[Decimal, int]:
    pk, amount = item
    return -amount, pk


def sales_by_customer(start: datetime.date, end: datetime.date) -> dict[int, Decimal]:
    """Each live customer's sales in ``(start, end]``, in one aggregate query: filed, live orders only.

    Customers without such orders are absent. The filter on status and date is what the order index
    ``order_status_date_idx`` serves; the join drops the customers in the recycle bin.
    """
    rows = (
        Order.objects.filter(
            status=FilingStatus.FILED,
            ordered_on__gt=start,
            ordered_on__lte=end,
            customer__deleted_at__isnull=True,
        )
        .order_by()
        .values("customer_id")
        .annotate(sales=Sum("total"))
        .values_list("customer_id", "sales")
    )
    return {pk: sales for pk, sales in rows}


def _check_actor(actor) -> None:
    if actor is not None and not (actor.is_active and actor.has_perm(PERMISSION)):
        raise PermissionDenied(_("Only the sales director may grade the customers."))


def _reason_template(months: int) -> str:
    return ngettext(
        "ABC grading as of %(date)s: sales ¥%(sales)s in the last month, grade by sales %(grade)s",
        "ABC grading as of %(date)s: sales ¥%(sales)s in the last %(months)s months, grade by sales %(grade)s",
        months,
    )


def _batches(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def customers_grade(*, actor=None, as_of: datetime.date | None = None) -> GradingResult:
    """Grade every live customer by its sales in the window ending on ``as_of`` (default: today).

    Every live customer gets ``sales_grade`` (D without sales) and ``grade = grade_override or sales_grade``.
    Only the customers whose ``sales_grade`` or ``grade`` changes are written, each with a historical row naming
    ``actor`` (``None``: the system, as the scheduled command runs) and the sales behind the grade; a second run
    on the same data writes nothing. ``actor``, when given, needs ``contracts.grade_customers``.

    The customers to change are locked and re-read before they are written, so an override set by a change
    request approved meanwhile is respected rather than overwritten.
    """
    _check_actor(actor)
    as_of = as_of or timezone.localdate()
    months = settings.ARCHIVE_ABC_WINDOW_MONTHS
    start, end = grading_window(as_of, months)

    sales = sales_by_customer(start, end)
    cards = list(Customer.objects.order_by("pk").values_list("pk", "sales_grade", "grade", "grade_override"))
    grades = abc_grades({pk: sales.get(pk) for pk, *_rest in cards})

    by_sales_grade: Counter[str] = Counter()
    by_grade: Counter[str] = Counter()
    overrides_differing = 0
    to_change = []
    for pk, old_sales_grade, old_grade, override in cards:
        sales_grade = grades[pk]
        grade = override or sales_grade
        by_sales_grade[sales_grade] += 1
        by_grade[grade] += 1
        overrides_differing += bool(override) and override != sales_grade
        if (sales_grade, grade) != (old_sales_grade, old_grade):
            to_change.append(pk)

    template = _reason_template(months)
    actor_name = user_display(actor)
    changed = 0
    for batch in _batches(to_change, BATCH_SIZE):
        objs = []
        for customer in Customer.objects.select_for_update().filter(pk__in=batch).order_by("pk"):
            before = (customer.sales_grade, customer.grade)
            customer.sales_grade = grades[customer.pk]
            customer.grade = customer.grade_override or customer.sales_grade
            if (customer.sales_grade, customer.grade) == before:
                continue  # changed meanwhile by someone else to what the grading says
            # simple-history's bulk path takes the user and the reason from these attributes; setting the user
            # even when it is None keeps it from falling back to the user of a web request.
            customer._history_user = actor
            customer._change_reason = template % {
                "date": as_of.isoformat(),
                "sales": f"{sales.get(customer.pk, ZERO):,.2f}",
                "months": months,
                "grade": customer.sales_grade,
            }
            objs.append(customer)
        if objs:
            # bulk_history_create sends no pre_create_historical_record signal, so archive.history.keep_user_name
            # never runs on this path: the acting user's name is written here instead.
            bulk_update_with_history(
                objs,
                Customer,
                ["sales_grade", "grade"],
                batch_size=BATCH_SIZE,
                default_user=actor,
                custom_historical_attrs={"history_user_name": actor_name},
            )
            changed += len(objs)

    return GradingResult(
        as_of=as_of,
        window_start=start,
        window_end=end,
        customers=len(cards),
        by_sales_grade={g: by_sales_grade[g] for g in Grade.values},
        by_grade={g: by_grade[g] for g in Grade.values},
        changed=changed,
        total_sales=sum(sales.values(), ZERO),
        overrides_differing=overrides_differing,
    )
