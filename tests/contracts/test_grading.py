"""ABC grading (客户分级): the Pareto rule by hand, the sales window, what counts, overrides, the trail, the command."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from archive import filing
from archive.choices import FilingStatus, Grade
from archive.history import build_trail
from contracts import grading, services
from contracts.grading import abc_grades, customers_grade, grading_window, months_before
from contracts.models import Order, Product
from customers import services as customer_services
from customers.models import Customer

from ..factories import make_customer
from ..helpers import file_through_approval, queries_text

AS_OF = datetime.date(2026, 11, 24)
D = Decimal


# ---- The Pareto rule, pure ------------------------------------------------------------------------------------

# Ten customers, total sales 1 000. "before" is the share held by the customers ranked above; A while it is
# below 80 %, B while below 95 %, C after; no sales is D.
#
#   pk  sales  before  after   grade
#    1    500     0 %    50 %  A      the top customer is always A
#    2    200    50 %    70 %  A
#    3    100    70 %    80 %  A      carries the total to exactly 80 %: it belongs to the group that makes 80 %
#    4     80    80 %    88 %  B      starts at 80 %, not below it
#    5     50    88 %    93 %  B
#    6     30    93 %    96 %  B      carries the total over 95 %: still B
#    7     20    96 %    98 %  C
#    8     10    98 %    99 %  C
#    9     10    99 %   100 %  C
#   10      0                  D
TEN = {1: D(500), 2: D(200), 3: D(100), 4: D(80), 5: D(50), 6: D(30), 7: D(20), 8: D(10), 9: D(10), 10: D(0)}
TEN_GRADES = {1: "A", 2: "A", 3: "A", 4: "B", 5: "B", 6: "B", 7: "C", 8: "C", 9: "C", 10: "D"}


def test_the_ten_customers_worked_out_by_hand():
    assert abc_grades(TEN) == TEN_GRADES


def test_the_order_the_sales_come_in_does_not_matter():
    assert abc_grades(dict(reversed(TEN.items()))) == TEN_GRADES


def test_customers_starting_exactly_at_each_share():
    # total 100: before = 0 % → A, 80 % → B (not below 80 %), 95 % → C (not below 95 %), 99 % → C
    assert abc_grades({1: D(80), 2: D(15), 3: D(4), 4: D(1)}) == {1: "A", 2: "B", 3: "C", 4: "C"}


def test_a_customer_just_below_the_share_is_still_in_the_group():
    # total 100.00: customer 2 starts at 79.99 % → A; customer 3 at 94.99 % → B; in fen, never rounded
    sales = {1: D("79.99"), 2: D("15.00"), 3: D("5.01")}
    assert abc_grades(sales) == {1: "A", 2: "A", 3: "B"}


def test_ties_are_ranked_by_pk_so_the_same_data_gives_the_same_grades():
    # total 100: pk 5 (70) → A; then 15 and 15: pk 3 ranks first (before 70 % → A), pk 4 second (85 % → B)
    assert abc_grades({5: D(70), 4: D(15), 3: D(15)}) == {5: "A", 3: "A", 4: "B"}
    assert abc_grades({3: D(15), 4: D(15), 5: D(70)}) == {5: "A", 3: "A", 4: "B"}


def test_one_customer_alone_is_a():
    assert abc_grades({7: D("0.01")}) == {7: "A"}


@pytest.mark.parametrize("sales", [{1: D(0), 2: None, 3: D("0.00")}, {}])
def test_no_sales_at_all_is_d_for_everybody(sales):
    assert abc_grades(sales) == dict.fromkeys(sales, "D")


def test_the_shares_come_from_the_settings_at_call_time(settings):
    # total 1 000, ranked 1, 2, 4, 3, 5; before: 0 %, 50 %, 70 %, 85 %, 95 %
    sales = {1: D(500), 2: D(200), 3: D(100), 4: D(150), 5: D(50)}
    assert abc_grades(sales) == {1: "A", 2: "A", 4: "A", 3: "B", 5: "C"}
    settings.ARCHIVE_ABC_SHARES = (D("0.50"), D("0.70"))
    assert abc_grades(sales) == {1: "A", 2: "B", 4: "C", 3: "C", 5: "C"}


@pytest.mark.parametrize(
    ("shares", "error"),
    [((0.8, 0.95), TypeError), ((D("0.95"), D("0.80")), ValueError), ((D(0), D("0.5")), ValueError)],
)
def test_shares_must_be_ordered_decimals(shares, error):
    with pytest.raises(error):
        abc_grades(TEN, shares)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 11, 24), 12, datetime.date(2025, 11, 24)),
        (datetime.date(2024, 2, 29), 12, datetime.date(2023, 2, 28)),
        (datetime.date(2026, 5, 31), 3, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 1, 15), 1, datetime.date(2025, 12, 15)),
        (datetime.date(2026, 3, 31), 25, datetime.date(2024, 2, 29)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_the_window_ends_on_the_as_of_day_and_starts_after_the_same_day_a_year_before():
    assert grading_window(AS_OF) == (datetime.date(2025, 11, 24), AS_OF)


# ---- Grading the archive ------------------------------------------------------------------------------------


def order(customer, total, *, on=AS_OF, status=FilingStatus.FILED, **fields) -> Order:
    """An order row as test data (the approval path is covered by its own test below)."""
    return Order.objects.create(customer=customer, ordered_on=on, total=D(total), status=status, **fields)


def history_count() -> int:
    return Customer.history.count()


@pytest.fixture
def customers(people):
    """Four customers of ``owner`` with sales 500, 300, 150, 50 in the window, and one without sales.

    Total 1 000: before 0 % → A, 50 % → A, 80 % → B, 95 % → C; the fifth is D.
    """
    owner = people["owner"]
    made = [make_customer(owner) for _ in range(5)]
    for customer, total in zip(made, ["500", "300", "150", "50"], strict=False):
        order(customer, total)
    return made


def grades_of(customers_) -> list[tuple[str, str]]:
    return [(c.sales_grade, c.grade) for c in Customer.all_objects.filter(pk__in=[c.pk for c in customers_])]


def fresh(customer) -> Customer:
    return Customer.all_objects.get(pk=customer.pk)


@pytest.mark.django_db
def test_grading_sets_every_live_customer_and_reports_what_it_found(customers):
    result = customers_grade(as_of=AS_OF)

    assert [(fresh(c).sales_grade, fresh(c).grade) for c in customers] == [
        ("A", "A"),
        ("A", "A"),
        ("B", "B"),
        ("C", "C"),
        ("D", "D"),
    ]
    assert result.as_of == AS_OF
    assert (result.window_start, result.window_end) == (datetime.date(2025, 11, 24), AS_OF)
    assert result.customers == 5
    assert result.by_sales_grade == {"A": 2, "B": 1, "C": 1, "D": 1}
    assert result.by_grade == {"A": 2, "B": 1, "C": 1, "D": 1}
    assert result.total_sales == D("1000.00") and isinstance(result.total_sales, Decimal)
    assert result.changed == 5  # never graded before: even the D customer gets its sales grade
    assert result.overrides_differing == 0


@pytest.mark.django_db
def test_the_window_holds_the_as_of_day_but_not_the_same_day_a_year_before(people):
    on_the_day, day_after_start, on_the_start, after_as_of = (make_customer(people["owner"]) for _ in range(4))
    order(on_the_day, "100", on=AS_OF)
    order(day_after_start, "100", on=datetime.date(2025, 11, 25))
    order(on_the_start, "100", on=datetime.date(2025, 11, 24))
    order(after_as_of, "100", on=datetime.date(2026, 11, 25))

    result = customers_grade(as_of=AS_OF)

    assert result.total_sales == D("200.00")
    assert fresh(on_the_day).sales_grade == fresh(day_after_start).sales_grade == "A"
    assert fresh(on_the_start).sales_grade == fresh(after_as_of).sales_grade == "D"


@pytest.mark.django_db
def test_the_as_of_day_defaults_to_today(people, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC))
    customer = make_customer(people["owner"])
    order(customer, "10", on=datetime.date(2026, 11, 24))
    result = customers_grade()
    assert result.as_of == datetime.date(2026, 11, 24) and fresh(customer).sales_grade == "A"


@pytest.mark.django_db
@pytest.mark.parametrize("status", [FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.RETURNED])
def test_orders_not_filed_do_not_count(people, status):
    filed, unfiled = make_customer(people["owner"]), make_customer(people["owner"])
    order(filed, "10")
    order(unfiled, "1000", status=status)

    result = customers_grade(as_of=AS_OF)

    assert result.total_sales == D("10.00")
    assert (fresh(filed).sales_grade, fresh(unfiled).sales_grade) == ("A", "D")


@pytest.mark.django_db
def test_orders_in_the_recycle_bin_do_not_count(people):
    # Without the binned order of 1 000, the second customer (100 of 110) starts at 90.9 %: B, not A.
    first, second = make_customer(people["owner"]), make_customer(people["owner"])
    order(first, "100")
    order(second, "10")
    order(second, "1000", deleted_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))

    result = customers_grade(as_of=AS_OF)

    assert result.total_sales == D("110.00")
    assert (fresh(first).sales_grade, fresh(second).sales_grade) == ("A", "B")


@pytest.mark.django_db
def test_customers_in_the_recycle_bin_are_neither_graded_nor_counted(people, world):
    director = people["director"]
    binned = file_through_approval(world["a"], author=people["owner"], decider=director)
    first, second = make_customer(people["owner"]), make_customer(people["owner"])
    order(binned, "1000")
    order(first, "100")
    order(second, "10")
    deletion = filing.deletion_request(actor=people["owner"], entry=binned, note="客户已注销")
    filing.request_approve(actor=director, request_id=deletion.pk)
    before = history_count()

    result = customers_grade(as_of=AS_OF)

    # world["b"] has no sales: D. Counted without the binned customer: 100 of 110 → A, then 90.9 % → B.
    assert result.customers == 3 and result.total_sales == D("110.00")
    assert (fresh(first).sales_grade, fresh(second).sales_grade, fresh(world["b"]).sales_grade) == ("A", "B", "D")
    binned = fresh(binned)
    assert (binned.sales_grade, binned.grade) == ("", "D")
    assert history_count() == before + 3  # first, second and world["b"]; nothing for the binned card


@pytest.mark.django_db
def test_an_override_stays_the_grade_and_the_sales_grade_is_still_computed(people, customers):
    top = customers[0]
    top.grade_override = Grade.C
    top.full_clean()
    top.save()

    result = customers_grade(as_of=AS_OF)

    assert (fresh(top).sales_grade, fresh(top).grade) == ("A", "C")
    assert result.overrides_differing == 1
    assert result.by_sales_grade == {"A": 2, "B": 1, "C": 1, "D": 1}
    assert result.by_grade == {"A": 1, "B": 1, "C": 2, "D": 1}

    top = fresh(top)
    top.grade_override = ""
    top.full_clean()
    assert top.grade == "A"


@pytest.mark.django_db
def test_an_override_equal_to_the_sales_grade_is_not_counted_as_differing(customers):
    top = customers[0]
    top.grade_override = Grade.A
    top.full_clean()
    top.save()
    assert customers_grade(as_of=AS_OF).overrides_differing == 0


@pytest.mark.django_db
def test_removing_the_override_through_an_approved_change_request_shows_the_sales_grade(people, customers):
    owner, director = people["owner"], people["director"]
    top = file_through_approval(customers[0], author=owner, decider=director)
    request = customer_services.card_change_propose(
        actor=owner, customer_id=top.pk, data={"grade_override": Grade.D}, note="客户暂停合作"
    )
    filing.request_approve(actor=director, request_id=request.pk)
    customers_grade(as_of=AS_OF)
    assert (fresh(top).sales_grade, fresh(top).grade) == ("A", "D")

    request = customer_services.card_change_propose(
        actor=owner, customer_id=top.pk, data={"grade_override": ""}, note="恢复按销售额分级"
    )
    filing.request_approve(actor=director, request_id=request.pk)
    assert (fresh(top).grade_override, fresh(top).grade) == ("", "A")


@pytest.mark.django_db
def test_each_changed_customer_gets_a_history_row_with_the_reason_and_the_director(people, customers):
    director = people["director"]
    with translation.override("en"):
        customers_grade(actor=director, as_of=AS_OF)

    row = fresh(customers[2]).history.first()
    assert row.history_type == "~"
    assert row.history_user == director
    assert row.history_user_name == director.get_username()
    assert row.history_change_reason == (
        "ABC grading as of 2026-11-24: sales ¥150.00 in the last 12 months, grade by sales B"
    )
    assert (row.sales_grade, row.grade) == ("B", "B")
    assert fresh(customers[4]).history.first().history_change_reason == (
        "ABC grading as of 2026-11-24: sales ¥0.00 in the last 12 months, grade by sales D"
    )


@pytest.mark.django_db
def test_sales_are_written_with_thousands_separators_to_the_fen(people):
    customer = make_customer(people["owner"])
    order(customer, "1234.56")
    order(customer, "1000000.00")
    with translation.override("en"):
        customers_grade(as_of=AS_OF)
    assert "sales ¥1,001,234.56 in" in fresh(customer).history.first().history_change_reason


@pytest.mark.django_db
def test_the_system_grades_without_a_user_and_the_trail_says_system(customers):
    customers_grade(as_of=AS_OF)

    row = fresh(customers[0]).history.first()
    assert row.history_user is None and row.history_user_name == ""
    with translation.override("en"):
        entry = build_trail([(Customer, {"id": customers[0].pk})])[0]
        assert entry.user_name == "system"
        assert [c.field.name for c in entry.changes] == ["grade", "sales_grade"]  # both shown in the trail
        assert "ABC" in entry.reason and "2026-11-24" in entry.reason  # stored in the language it was written in


@pytest.mark.django_db
def test_grading_leaves_the_version_alone_so_a_waiting_change_request_stays_approvable(people, customers):
    owner, director = people["owner"], people["director"]
    card = file_through_approval(customers[1], author=owner, decider=director)
    request = customer_services.card_change_propose(
        actor=owner, customer_id=card.pk, data={"notes": "新的备注"}, note="补充资料"
    )
    version, updated_at = fresh(card).version, fresh(card).updated_at

    result = customers_grade(as_of=AS_OF)

    assert result.changed == 5
    graded = fresh(card)
    assert (graded.grade, graded.version, graded.updated_at) == ("A", version, updated_at)
    filing.request_approve(actor=director, request_id=request.pk)
    approved = fresh(card)
    assert (approved.notes, approved.grade, approved.sales_grade) == ("新的备注", "A", "A")


@pytest.mark.django_db
def test_a_second_run_changes_nothing_and_writes_no_history(customers, django_assert_num_queries):
    customers_grade(as_of=AS_OF)
    before = history_count()

    # the sales (one aggregate query) and the customers' grades; the test's transaction adds a savepoint pair
    with django_assert_num_queries(4):
        result = customers_grade(as_of=AS_OF)

    assert result.changed == 0
    assert history_count() == before


@pytest.mark.django_db
def test_writes_go_by_batch_not_by_customer(customers, monkeypatch):
    monkeypatch.setattr(grading, "BATCH_SIZE", 2)
    with CaptureQueriesContext(connection) as ctx:
        result = customers_grade(as_of=AS_OF)
    assert result.changed == 5
    # savepoint pair + sales + customers, then three batches (2 + 2 + 1) of lock, update and history insert
    assert len(ctx.captured_queries) == 4 + 3 * 3, queries_text(ctx)


@pytest.mark.django_db
def test_only_changed_customers_are_written(customers):
    customers_grade(as_of=AS_OF)
    order(customers[4], "1000")  # the D customer becomes the top: A; the old top, before 50 %, stays A
    before = history_count()

    result = customers_grade(as_of=AS_OF)

    # total 2 000, before: 1 000 → 0 % A, 500 → 50 % A, 300 → 75 % A, 150 → 90 % B, 50 → 97.5 % C
    assert [(fresh(c).sales_grade) for c in customers] == ["A", "A", "B", "C", "A"]
    assert result.changed == 1
    assert history_count() == before + 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["owner", "archivist", "clerk"])
def test_only_the_director_may_grade(people, customers, role):
    before = history_count()
    with pytest.raises(PermissionDenied):
        customers_grade(actor=people[role], as_of=AS_OF)
    assert history_count() == before
    assert fresh(customers[0]).sales_grade == ""


@pytest.mark.django_db
def test_an_inactive_director_may_not_grade(people, customers):
    director = people["director"]
    director.is_active = False
    director.save()
    with pytest.raises(PermissionDenied):
        customers_grade(actor=director, as_of=AS_OF)


@pytest.mark.django_db
def test_an_order_filed_through_the_services_counts(people, world):
    owner, director = people["owner"], people["director"]
    customer = file_through_approval(world["a"], author=owner, decider=director)
    product = Product.objects.create(code="P-001", name="离心泵", unit="台")
    entered = services.order_create(
        actor=owner,
        customer_id=customer.pk,
        data={"ordered_on": datetime.date(2026, 6, 1), "reference": "PO-1"},
        lines=[{"product": product, "quantity": D("3"), "unit_price": D("1200.00"), "discount": D("10")}],
    )
    assert customers_grade(as_of=AS_OF).total_sales == D("0.00")  # a draft does not count

    file_through_approval(entered, author=owner, decider=director)
    result = customers_grade(as_of=AS_OF)

    assert result.total_sales == D("3240.00")
    assert (fresh(customer).sales_grade, fresh(world["b"]).sales_grade) == ("A", "D")


# ---- The command --------------------------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("grade_customers", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_grades_as_the_system_and_prints_the_counts(customers):
    output = run("--as-of", "2026-11-24")

    assert "ABC grading as of 2026-11-24: orders after 2025-11-24 up to 2026-11-24, sales 1,000.00" in output
    assert "5 customers graded" in output
    lines = output.splitlines()
    for grade, count in (("A", 2), ("B", 1), ("C", 1), ("D", 1)):
        assert f"{grade:<5}  {count:>8}  {count:>5}" in lines
    assert "0 overridden grades differ from the grade by sales" in output
    assert "5 customers changed in " in output
    assert fresh(customers[0]).history.first().history_user is None

    assert "0 customers changed in " in run("--as-of", "2026-11-24")


@pytest.mark.django_db
def test_the_command_runs_as_the_director_named(people, customers):
    run("--as-of", "2026-11-24", "--user", "director")
    assert fresh(customers[0]).history.first().history_user == people["director"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "owner"], "owner may not grade customers"),
        (["--user", "nobody"], "No active user 'nobody'"),
        (["--as-of", "24.11.2026"], "YYYY-MM-DD"),
    ],
)
def test_the_command_refuses(people, customers, args, message):
    before = history_count()
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert history_count() == before
