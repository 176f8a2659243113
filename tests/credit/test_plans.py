"""Repayment plans: written with their instalments and the trail, followed against the payments that come in.

The boundaries a credit controller argues about: paid on the due date is on time, a day later is late; unpaid on
the due date is not yet due, unpaid the day after is missing. ``today`` is always passed, never read from the clock.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from credit import selectors, services
from credit.choices import InstalmentState
from credit.models import Instalment, RepaymentPlan

from ..helpers import error_codes

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 4, 1)
APRIL_10 = datetime.date(2026, 4, 10)
MAY_10 = datetime.date(2026, 5, 10)
JUNE_10 = datetime.date(2026, 6, 10)
ONE_DAY = datetime.timedelta(days=1)

ON_TIME, LATE, MISSING, PART_PAID, UPCOMING = (
    InstalmentState.ON_TIME,
    InstalmentState.LATE,
    InstalmentState.MISSING,
    InstalmentState.PART_PAID,
    InstalmentState.UPCOMING,
)


def instalments(*rows) -> list[dict]:
    return [{"due_on": due_on, "amount": Decimal(amount)} for due_on, amount in rows]


def make_plan(world, customer=None, *rows, starts_on=START, actor=None) -> RepaymentPlan:
    customer = customer or world["a"]
    rows = rows or ((APRIL_10, "1000.00"), (MAY_10, "1000.00"), (JUNE_10, "1000.00"))
    return services.plan_create(
        actor=actor or world["owner"],
        customer_id=customer.pk,
        data={"title": "2026年二季度回款计划", "starts_on": starts_on, "note": "按月分三期"},
        instalments=instalments(*rows),
    )


def receive(world, amount, on, customer=None):
    customer = customer or world["a"]
    actor = world["owner"] if customer.pk == world["a"].pk else world["other_manager"]
    return services.payment_record(
        actor=actor,
        customer_id=customer.pk,
        data={"received_on": on, "amount": Decimal(amount), "method": "transfer"},
    )


def states(plan, today) -> list[str]:
    return [row.state for row in selectors.plan_progress(plan, today=today)]


# ---- Writing plans ------------------------------------------------------------------------------------------------


def test_a_plan_is_agreed_with_its_instalments_in_the_trail(world):
    plan = make_plan(world, None, (MAY_10, "500.00"), (APRIL_10, "1000.50"))
    plan.refresh_from_db()
    assert plan.customer == world["a"]
    assert plan.created_by == world["owner"]
    assert [(i.due_on, i.amount) for i in plan.instalments.all()] == [
        (APRIL_10, Decimal("1000.50")),
        (MAY_10, Decimal("500.00")),
    ]
    assert all(isinstance(i.amount, Decimal) for i in plan.instalments.all())
    record = plan.history.get()
    assert record.history_user == world["owner"]
    assert record.history_change_reason
    for instalment in plan.instalments.all():
        created = instalment.history.get()
        assert created.history_type == "+"
        assert created.history_user == world["owner"]
        assert created.history_change_reason == record.history_change_reason


def test_a_plan_needs_an_instalment_and_writes_nothing_without_one(world):
    with pytest.raises(ValidationError) as refused:
        services.plan_create(
            actor=world["owner"],
            customer_id=world["a"].pk,
            data={"title": "空计划", "starts_on": START},
            instalments=[],
        )
    assert error_codes(refused.value) == {"no_instalments"}
    assert not RepaymentPlan.objects.exists()
    assert not RepaymentPlan.history.exists()


@pytest.mark.parametrize("amount", ["0.00", "-100.00", "10.005"])
def test_an_instalment_must_be_a_positive_amount_to_the_fen(world, amount):
    with pytest.raises(ValidationError):
        make_plan(world, None, (APRIL_10, "100.00"), (MAY_10, amount))
    assert not RepaymentPlan.objects.exists()
    assert not Instalment.objects.exists()
    assert not Instalment.history.exists()


def test_changing_a_plan_writes_only_what_changed(world):
    plan = make_plan(world)
    april, may, june = plan.instalments.order_by("due_on")
    services.plan_update(
        actor=world["co_owner"],
        plan_id=plan.pk,
        data={"title": "2026年二季度回款计划（调整）"},
        instalments=instalments((APRIL_10, "1000.00"), (MAY_10, "1500.00")),
    )
    plan.refresh_from_db()
    assert plan.title == "2026年二季度回款计划（调整）"
    assert [(i.due_on, i.amount) for i in plan.instalments.all()] == [
        (APRIL_10, Decimal("1000.00")),
        (MAY_10, Decimal("1500.00")),
    ]
    assert plan.history.count() == 2
    assert plan.history.first().history_user == world["co_owner"]
    assert april.history.count() == 1  # unchanged: no new trail row
    changed = may.history.first()
    assert (changed.history_type, changed.amount, changed.history_user) == ("~", Decimal("1500.00"), world["co_owner"])
    assert changed.history_change_reason == plan.history.first().history_change_reason
    removed = Instalment.history.filter(id=june.pk).first()
    assert removed.history_type == "-"
    assert removed.history_user == world["co_owner"]

    services.plan_update(
        actor=world["owner"],
        plan_id=plan.pk,
        data={},
        instalments=instalments((APRIL_10, "1000.00"), (MAY_10, "1500.00"), (JUNE_10, "200.00")),
    )
    assert plan.instalments.count() == 3
    assert plan.instalments.get(due_on=JUNE_10).history.get().history_type == "+"
    with pytest.raises(ValidationError):
        services.plan_update(actor=world["owner"], plan_id=plan.pk, data={}, instalments=[])
    assert plan.instalments.count() == 3


@pytest.mark.parametrize(("role", "refusal"), [("other_manager", Http404), ("granted_manager", PermissionDenied)])
def test_only_a_keeper_agrees_or_changes_a_plan(world, role, refusal):
    with pytest.raises(refusal):
        make_plan(world, actor=world[role])
    plan = make_plan(world)
    with pytest.raises(refusal):
        services.plan_update(
            actor=world[role], plan_id=plan.pk, data={"title": "改"}, instalments=instalments((MAY_10, "1"))
        )
    plan.refresh_from_db()
    assert RepaymentPlan.objects.count() == 1
    assert plan.instalments.count() == 3
    assert plan.history.count() == 1


# ---- Following a plan ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paid_on", "today", "state"),
    [
        (APRIL_10, APRIL_10, ON_TIME),  # paid on the due date: on time
        (APRIL_10 - ONE_DAY, APRIL_10 - ONE_DAY, ON_TIME),  # early
        (APRIL_10 + ONE_DAY, APRIL_10 + ONE_DAY, LATE),  # a day after: late
        (APRIL_10 + ONE_DAY, MAY_10, LATE),
        (None, APRIL_10, UPCOMING),  # unpaid, due today: not yet due
        (None, APRIL_10 + ONE_DAY, MISSING),  # unpaid, due yesterday: missing
        (APRIL_10 + ONE_DAY, APRIL_10, UPCOMING),  # tomorrow's payment is not counted today
    ],
)
def test_an_instalment_at_its_boundaries(world, paid_on, today, state):
    plan = make_plan(world, None, (APRIL_10, "1000.00"))
    if paid_on:
        receive(world, "1000.00", paid_on)
    (row,) = selectors.plan_progress(plan, today=today)
    assert row.state == state
    assert row.due_on == APRIL_10
    if state in (ON_TIME, LATE):
        assert (row.paid, row.missing, row.settled_on) == (Decimal("1000.00"), Decimal("0.00"), paid_on)
    else:
        assert (row.paid, row.missing, row.settled_on) == (Decimal("0.00"), Decimal("1000.00"), None)


def test_part_paid_after_the_due_date_but_not_yet_due_on_it(world):
    plan = make_plan(world, None, (APRIL_10, "1000.00"))
    receive(world, "400.00", datetime.date(2026, 4, 5))
    (on_the_day,) = selectors.plan_progress(plan, today=APRIL_10)
    assert (on_the_day.state, on_the_day.paid, on_the_day.missing) == (UPCOMING, Decimal("400.00"), Decimal("600.00"))
    (day_after,) = selectors.plan_progress(plan, today=APRIL_10 + ONE_DAY)
    assert (day_after.state, day_after.paid, day_after.missing) == (PART_PAID, Decimal("400.00"), Decimal("600.00"))
    receive(world, "599.99", APRIL_10 + ONE_DAY)
    (still,) = selectors.plan_progress(plan, today=MAY_10)
    assert (still.state, still.missing) == (PART_PAID, Decimal("0.01"))
    receive(world, "0.01", MAY_10)
    (settled,) = selectors.plan_progress(plan, today=MAY_10)
    assert (settled.state, settled.settled_on, settled.missing) == (LATE, MAY_10, Decimal("0.00"))


def test_payments_fill_the_instalments_in_due_order(world):
    plan = make_plan(world)  # 1,000 on 04-10, 05-10 and 06-10
    receive(world, "700.00", datetime.date(2026, 4, 8))
    receive(world, "500.00", APRIL_10)  # completes April on its day; 200 goes to May
    receive(world, "800.00", MAY_10 + ONE_DAY)  # completes May a day late
    receive(world, "0.10", datetime.date(2026, 6, 1))
    receive(world, "0.20", datetime.date(2026, 6, 2))
    progress = selectors.plan_progress(plan, today=JUNE_10 + ONE_DAY)
    assert [(r.due_on, r.state, r.paid, r.settled_on) for r in progress] == [
        (APRIL_10, ON_TIME, Decimal("1000.00"), APRIL_10),
        (MAY_10, LATE, Decimal("1000.00"), MAY_10 + ONE_DAY),
        (JUNE_10, PART_PAID, Decimal("0.30"), None),
    ]
    assert progress[2].missing == Decimal("999.70")
    assert states(plan, today=JUNE_10) == [ON_TIME, LATE, UPCOMING]
    assert states(plan, today=MAY_10) == [ON_TIME, UPCOMING, UPCOMING]  # 05-11's payment is not in yet
    assert states(plan, today=MAY_10 + ONE_DAY) == [ON_TIME, LATE, UPCOMING]


def test_a_plan_paid_ahead_is_on_time_throughout(world):
    plan = make_plan(world)
    receive(world, "3000.00", START)
    assert states(plan, today=START) == [ON_TIME, ON_TIME, ON_TIME]
    assert [r.settled_on for r in selectors.plan_progress(plan, today=START)] == [START] * 3


def test_a_plan_with_nothing_paid(world):
    plan = make_plan(world)
    assert states(plan, today=START) == [UPCOMING, UPCOMING, UPCOMING]
    assert states(plan, today=MAY_10) == [MISSING, UPCOMING, UPCOMING]
    assert states(plan, today=datetime.date(2026, 12, 31)) == [MISSING, MISSING, MISSING]


def test_only_the_customers_payments_since_the_start_count(world):
    plan = make_plan(world, None, (APRIL_10, "1000.00"))
    receive(world, "1000.00", START - ONE_DAY)  # before the plan: settles something else
    receive(world, "1000.00", APRIL_10, customer=world["b"])  # another customer's money
    assert states(plan, today=APRIL_10 + ONE_DAY) == [MISSING]
    receive(world, "1000.00", START)  # the plan's first day counts
    assert states(plan, today=APRIL_10 + ONE_DAY) == [ON_TIME]


def test_floats_cannot_spoil_the_sum_of_the_payments(world):
    plan = make_plan(world, None, (APRIL_10, "0.30"), (MAY_10, "0.30"))
    for on in (datetime.date(2026, 4, 2), datetime.date(2026, 4, 3), APRIL_10):
        receive(world, "0.10", on)  # 0.1 + 0.1 + 0.1 is 0.30000000000000004 in floats
    receive(world, "0.20", datetime.date(2026, 5, 1))
    receive(world, "0.10", MAY_10)
    progress = selectors.plan_progress(plan, today=MAY_10)
    assert [(r.state, r.paid, r.settled_on) for r in progress] == [
        (ON_TIME, Decimal("0.30"), APRIL_10),
        (ON_TIME, Decimal("0.30"), MAY_10),
    ]
    assert all(r.missing == Decimal("0.00") and isinstance(r.paid, Decimal) for r in progress)


def test_progress_costs_two_queries(world, django_assert_num_queries):
    plan = make_plan(world)
    for day in range(1, 20):
        receive(world, "100.00", datetime.date(2026, 4, day))
    plan = RepaymentPlan.objects.get(pk=plan.pk)
    with django_assert_num_queries(2):
        progress = selectors.plan_progress(plan, today=JUNE_10)
    # 19 × 100.00 from 04-01: April complete on 04-10, 900.00 towards May, nothing yet towards June.
    assert [(r.state, r.paid) for r in progress] == [
        (ON_TIME, Decimal("1000.00")),
        (PART_PAID, Decimal("900.00")),
        (UPCOMING, Decimal("0.00")),
    ]
