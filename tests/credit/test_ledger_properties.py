"""Properties of the ledger on any sequence of events (hypothesis), first on the pure arithmetic, then in the database.

The ledger's promises: no payment is allocated beyond its amount, no receivable beyond what it owes (so what is
owed is never negative), and the aging report adds up — the customers' lines, the managers' lines and the total
agree bucket by bucket, and the total is what was issued by the day less what was received for it by then.

The database test draws a sequence of operations (file an order, record a payment oldest first or by hand, allocate
later, undo an allocation, extend a due date), runs each through the services, predicts what each should do, and
checks the invariants after every step. Each example runs in a savepoint that is rolled back, on the customers and
products built once by the fixtures.
"""

from __future__ import annotations

import collections
import datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from archive import filing
from archive.choices import FilingStatus
from credit import ledger, selectors, services
from credit.choices import AgingBasis, Allocation, InstalmentState
from credit.models import ExtensionRequest, Payment, PaymentAllocation, Receivable

from ..helpers import error_codes
from .conftest import filed_order

ZERO = Decimal("0.00")
FEN = Decimal("0.01")


def money(low="0.01", high="99999.99"):
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=2, allow_nan=False, allow_infinity=False)


def is_fen(value: Decimal) -> bool:
    return isinstance(value, Decimal) and value == value.quantize(FEN)


# ---- Pure: oldest first ------------------------------------------------------------------------------------------


@settings(max_examples=300, database=None)
@given(outstanding=st.lists(money("0.00", "99999999.99"), max_size=12), amount=money("0.00", "999999999.99"))
def test_oldest_first_never_allocates_beyond_either_side(outstanding, amount):
    plan = ledger.oldest_first(list(enumerate(outstanding)), amount)
    total = sum(plan.values(), ZERO)
    assert total <= amount
    assert total == min(amount, sum(outstanding, ZERO))  # as much as fits, exactly
    for key, share in plan.items():
        assert ZERO < share <= outstanding[key]
        assert is_fen(share)
    keys = list(plan)
    assert keys == sorted(keys), "allocated in the order given"
    if keys:
        last = keys[-1]
        # Everything before the last item reached is settled in full; nothing after it is touched.
        assert all(plan.get(i, ZERO) == outstanding[i] for i in range(last))
        assert all(i not in plan for i in range(last + 1, len(outstanding)))
        if plan[last] < outstanding[last]:
            assert total == amount, "an item is left part paid only when the money ran out"


@settings(max_examples=100, database=None)
@given(outstanding=st.lists(money(), min_size=1, max_size=8))
def test_oldest_first_settles_everything_when_the_money_is_enough(outstanding):
    plan = ledger.oldest_first(list(enumerate(outstanding)), sum(outstanding, ZERO))
    assert plan == dict(enumerate(outstanding))


# ---- Pure: instalment progress -----------------------------------------------------------------------------------

DATES = st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2026, 12, 31))


def settled_on(instalments, payments, today, index) -> datetime.date | None:
    """When the payments (up to today, by date) first covered instalments 0..index: worked out the long way."""
    target = sum((amount for _due, amount in sorted(instalments)[: index + 1]), ZERO)
    running = ZERO
    for day, amount in sorted(p for p in payments if p[0] <= today):
        running += amount
        if running >= target:
            return day
    return None


@settings(max_examples=300, database=None)
@given(
    instalments=st.lists(st.tuples(DATES, money()), min_size=1, max_size=8),
    payments=st.lists(st.tuples(DATES, money()), max_size=10),
    today=DATES,
)
def test_instalment_progress_is_consistent(instalments, payments, today):
    progress = ledger.instalment_progress(instalments, payments, today)
    assert [(row.due_on, row.amount) for row in progress] == sorted(instalments)
    received = sum((amount for day, amount in payments if day <= today), ZERO)
    planned = sum((amount for _day, amount in instalments), ZERO)
    assert sum((row.paid for row in progress), ZERO) == min(received, planned)
    short = False
    for index, row in enumerate(progress):
        assert ZERO <= row.paid <= row.amount
        assert is_fen(row.paid)
        assert row.missing == row.amount - row.paid
        if short:
            assert row.paid == ZERO, "payments fill the instalments in due order"
        short = short or row.paid < row.amount
        full = row.paid == row.amount
        assert (row.state in (InstalmentState.ON_TIME, InstalmentState.LATE)) == full
        assert (row.settled_on is not None) == full
        assert row.settled_on == settled_on(instalments, payments, today, index)
        if full:
            assert row.settled_on <= today
            assert (row.state == InstalmentState.ON_TIME) == (row.settled_on <= row.due_on)
        elif row.due_on >= today:
            assert row.state == InstalmentState.UPCOMING
        elif row.paid > ZERO:
            assert row.state == InstalmentState.PART_PAID
        else:
            assert row.state == InstalmentState.MISSING


@settings(max_examples=100, database=None)
@given(
    instalments=st.lists(st.tuples(DATES, money()), min_size=1, max_size=6),
    payments=st.lists(st.tuples(DATES, money()), max_size=8),
    later=st.lists(st.tuples(st.integers(1, 60), money()), max_size=4),
    today=DATES,
)
def test_instalment_progress_ignores_payments_after_today_and_their_order(instalments, payments, later, today):
    expected = ledger.instalment_progress(instalments, payments, today)
    future = [(today + datetime.timedelta(days=days), amount) for days, amount in later]
    assert ledger.instalment_progress(instalments, list(reversed(payments)) + future, today) == expected


# ---- Against the database: any sequence of ledger operations ------------------------------------------------------

BASE = datetime.date(2026, 3, 1)
# Past every date drawn, and past today's real date, on which the drawn extensions are filed.
LAST_DAY = datetime.date(2030, 12, 31)
KINDS = ["order", "pay", "pay_by_hand", "allocate_later", "unallocate", "extend"]


def day(offset: int) -> datetime.date:
    return BASE + datetime.timedelta(days=offset)


def keeper(world, customer_id):
    return world["owner"] if customer_id == world["a"].pk else world["other_manager"]


def paid_by_receivable(received_by: datetime.date | None = None) -> dict[int, Decimal]:
    allocations = PaymentAllocation.objects.all()
    if received_by is not None:
        allocations = allocations.filter(payment__received_on__lte=received_by)
    paid = collections.defaultdict(lambda: ZERO)
    for receivable_id, amount in allocations.values_list("receivable_id", "amount"):
        paid[receivable_id] += amount
    return paid


def allocated_by_payment() -> dict[int, Decimal]:
    allocated = collections.defaultdict(lambda: ZERO)
    for payment_id, amount in PaymentAllocation.objects.values_list("payment_id", "amount"):
        allocated[payment_id] += amount
    return allocated


def ledger_rows() -> tuple[int, ...]:
    return (
        Payment.objects.count(),
        Payment.history.count(),
        PaymentAllocation.objects.count(),
        PaymentAllocation.history.count(),
    )


def expected_oldest_first(customer_id: int, left: Decimal) -> dict[int, Decimal]:
    """What an oldest-first allocation of ``left`` should take from each of the customer's receivables."""
    paid = paid_by_receivable()
    plan = {}
    for receivable in sorted(
        Receivable.objects.filter(customer_id=customer_id), key=lambda r: (r.current_due_on, r.issued_on, r.pk)
    ):
        share = min(left, receivable.amount - paid[receivable.pk])
        if share > 0:
            plan[receivable.pk] = share
            left -= share
    return plan


def bucket_of(age_days: int) -> int:
    for index, edge in enumerate(django_settings.ARCHIVE_AGING_BUCKETS):
        if age_days <= edge:
            return index
    return len(django_settings.ARCHIVE_AGING_BUCKETS)


def aging_base(receivable: Receivable, basis: str, as_of: datetime.date) -> datetime.date:
    """The date the age counts from on ``as_of``: the issue, or the due date in force that day."""
    if basis == AgingBasis.ISSUED:
        return receivable.issued_on
    end_of_day = timezone.make_aware(datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time()))
    extension = (
        ExtensionRequest.all_objects.filter(receivable=receivable, status=FilingStatus.FILED, filed_at__lt=end_of_day)
        .order_by("-filed_at", "-id")
        .first()
    )
    return extension.requested_due_on if extension else receivable.due_on


def expected_aging(basis: str, as_of: datetime.date, customer_ids) -> dict[int, list[Decimal]]:
    """Per customer, per bucket: issued by ``as_of``, less what payments received by ``as_of`` settled of it."""
    width = len(django_settings.ARCHIVE_AGING_BUCKETS) + 1 + (basis == AgingBasis.DUE)
    paid = paid_by_receivable(received_by=as_of)
    lines: dict[int, list[Decimal]] = {}
    for receivable in Receivable.objects.filter(issued_on__lte=as_of, customer_id__in=customer_ids):
        base = aging_base(receivable, basis, as_of)
        if basis == AgingBasis.DUE:
            index = 0 if base > as_of else 1 + bucket_of((as_of - base).days)
        else:
            index = bucket_of((as_of - base).days)
        line = lines.setdefault(receivable.customer_id, [ZERO] * width)
        line[index] += receivable.amount - paid[receivable.pk]
    return {customer: buckets for customer, buckets in lines.items() if sum(buckets, ZERO) > 0}


def check_invariants(world, data) -> None:
    allocations = list(PaymentAllocation.objects.values_list("amount", flat=True))
    assert all(amount > 0 and is_fen(amount) for amount in allocations)
    allocated = allocated_by_payment()
    for payment in Payment.objects.all():
        assert allocated[payment.pk] <= payment.amount, f"payment {payment.amount} allocated {allocated[payment.pk]}"
    paid = paid_by_receivable()
    for receivable in Receivable.all_objects.all():
        assert paid[receivable.pk] <= receivable.amount, f"receivable {receivable.amount} paid {paid[receivable.pk]}"
        assert selectors.outstanding_of(receivable) == receivable.amount - paid[receivable.pk] >= 0

    everyone = [world["a"].pk, world["b"].pk]
    # One day drawn anywhere around the ledger's dates (before the first order, among the due dates, long after)
    # and the last day, which sees every receivable, every payment and every filed extension.
    as_of_dates = [day(data.draw(st.integers(-5, 420), label="as of")), LAST_DAY]
    for as_of in as_of_dates:
        for basis in AgingBasis.values:
            report = selectors.aging(user=world["director"], as_of=as_of, basis=basis)
            expected = expected_aging(basis, as_of, everyone)
            width = len(report.labels)
            assert report.total.total == sum((sum(b, ZERO) for b in expected.values()), ZERO), (as_of, basis)
            assert {line.customer_id: line.buckets for line in report.customers} == expected, (as_of, basis)
            for index in range(width):
                by_customer = sum((line.buckets[index] for line in report.customers), ZERO)
                by_manager = sum((line.buckets[index] for line in report.managers), ZERO)
                assert by_customer == report.total.buckets[index] == by_manager, (as_of, basis, index)
            assert all(amount >= 0 for line in report.customers for amount in line.buckets)
            assert report.total.customers == len(report.customers)
    # A manager's report holds exactly their own customers' part of the director's.
    for basis in AgingBasis.values:
        mine = selectors.aging(user=world["owner"], as_of=as_of_dates[0], basis=basis)
        expected = expected_aging(basis, as_of_dates[0], [world["a"].pk])
        assert {line.customer_id: line.buckets for line in mine.customers} == expected
        assert mine.total.total == sum((sum(b, ZERO) for b in expected.values()), ZERO)


class FixedDraws:
    """Stands in for hypothesis's ``data`` outside a hypothesis test: hands out the values given, in turn."""

    def __init__(self, values):
        self.values = list(values)

    def draw(self, strategy, label=None):
        return self.values.pop(0)


class Ledger:
    """The operations a test example draws, each with what the services should do predicted beforehand."""

    def __init__(self, world, products, data, seen):
        self.world, self.products, self.data, self.seen = world, products, data, seen
        self.customers = [world["a"].pk, world["b"].pk]

    def draw(self, strategy):
        return self.data.draw(strategy)

    def customer(self) -> int:
        return self.draw(st.sampled_from(self.customers))

    def step(self) -> None:
        kind = self.draw(st.sampled_from(KINDS))
        event(kind)
        try:
            if not getattr(self, kind)():
                self.pay()  # nothing to do that (no payment left over, no allocation yet): money comes in instead
        except ValidationError as error:  # the refusals the ledger should make are caught and checked in place
            raise AssertionError(
                f"{kind} was refused although nothing was wrong with it: {error.messages} (an amount read back from "
                "the database with more places than the fen, as SQLite's float sums give, is one way to get here)"
            ) from error

    # -- the operations --

    def order(self) -> bool:
        customer_id = self.customer()
        customer = self.world["a"] if customer_id == self.world["a"].pk else self.world["b"]
        amount = self.draw(money())
        receivable = filed_order(
            self.world, self.products, customer, on=day(self.draw(st.integers(0, 120))), amount=str(amount)
        )
        assert receivable.amount == amount
        self.seen["order"] += 1
        return True

    def _record(self, customer_id, amount, *, mode, amounts=None) -> Payment:
        return services.payment_record(
            actor=keeper(self.world, customer_id),
            customer_id=customer_id,
            data={"received_on": day(self.draw(st.integers(0, 150))), "amount": amount, "method": "transfer"},
            mode=mode,
            amounts=amounts,
        )

    def pay(self) -> bool:
        customer_id = self.customer()
        amount = self.draw(money())
        expected = expected_oldest_first(customer_id, amount)
        payment = self._record(customer_id, amount, mode=Allocation.OLDEST_FIRST)
        made = dict(PaymentAllocation.objects.filter(payment=payment).values_list("receivable_id", "amount"))
        assert made == expected
        self.seen["pay"] += 1
        return True

    def _hand_amounts(self, customer_id) -> tuple[dict[int, Decimal], bool]:
        """Amounts by receivable, some of them more than it owes; and whether one is."""
        paid = paid_by_receivable()
        receivables = list(Receivable.objects.filter(customer_id=customer_id).order_by("id"))
        if not receivables:
            return {}, False
        chosen = self.draw(st.lists(st.sampled_from(receivables), unique_by=lambda r: r.pk, min_size=1, max_size=3))
        amounts, over = {}, False
        for receivable in chosen:
            owed = receivable.amount - paid[receivable.pk]
            how = self.draw(st.sampled_from(["over", "all", "part", "any"]))
            if how == "all" or (how == "part" and owed < Decimal("0.02")):
                amount = owed
            elif how == "part":
                amount = self.draw(money("0.01", str(owed - FEN)))
            elif how == "over":
                amount = owed + self.draw(money("0.01", "100.00"))
            else:
                amount = self.draw(money())
            amounts[receivable.pk] = amount
            over = over or amount > owed
        return amounts, over

    def _payment_amount(self, wanted: Decimal) -> Decimal:
        how = self.draw(st.sampled_from(["short", "exact", "more", "any"]))
        if how == "exact" and wanted > 0:
            return wanted
        if how == "short" and wanted > FEN:
            return wanted - FEN
        if how == "more":
            return max(wanted, FEN) + self.draw(money("0.00", "1000.00"))
        return self.draw(money())

    def pay_by_hand(self) -> bool:
        customer_id = self.customer()
        amounts, over = self._hand_amounts(customer_id)
        wanted = sum(amounts.values(), ZERO)
        amount = self._payment_amount(wanted)
        refused = over or wanted > amount
        before = ledger_rows()
        try:
            payment = self._record(customer_id, amount, mode=Allocation.BY_HAND, amounts=amounts)
        except ValidationError as error:
            assert refused, f"refused: {error.messages}"
            assert ledger_rows() == before, "a refused payment must write nothing"
            self.seen["refused"] += 1
            return True
        assert not refused, f"allocated {amounts} of {amount} although it is more than owed or paid"
        made = dict(PaymentAllocation.objects.filter(payment=payment).values_list("receivable_id", "amount"))
        assert made == {pk: value for pk, value in amounts.items() if value}
        self.seen["pay_by_hand"] += 1
        return True

    def allocate_later(self) -> bool:
        allocated = allocated_by_payment()
        payments = [p for p in Payment.objects.order_by("id") if p.amount > allocated[p.pk]]
        if not payments:
            return False
        payment = self.draw(st.sampled_from(payments))
        before = dict(PaymentAllocation.objects.filter(payment=payment).values_list("receivable_id", "amount"))
        expected = expected_oldest_first(payment.customer_id, payment.amount - allocated[payment.pk])
        services.payment_allocate(actor=keeper(self.world, payment.customer_id), payment_id=payment.pk)
        after = dict(PaymentAllocation.objects.filter(payment=payment).values_list("receivable_id", "amount"))
        assert {pk: after[pk] - before.get(pk, ZERO) for pk in after if after[pk] != before.get(pk)} == expected
        self.seen["allocate_later"] += 1
        return True

    def unallocate(self) -> bool:
        allocations = list(PaymentAllocation.objects.select_related("payment").order_by("id"))
        if not allocations:
            return False
        allocation = self.draw(st.sampled_from(allocations))
        services.allocation_remove(
            actor=keeper(self.world, allocation.payment.customer_id), allocation_id=allocation.pk, reason="核销有误"
        )
        assert not PaymentAllocation.objects.filter(pk=allocation.pk).exists()
        self.seen["unallocate"] += 1
        return True

    def extend(self) -> bool:
        receivables = list(Receivable.objects.order_by("id"))
        if not receivables:
            return False
        receivable = self.draw(st.sampled_from(receivables))
        owed = receivable.amount - paid_by_receivable()[receivable.pk]
        to = receivable.current_due_on + datetime.timedelta(days=self.draw(st.integers(1, 90)))
        author = keeper(self.world, receivable.customer_id)
        try:
            extension = services.extension_request(
                actor=author, receivable_id=receivable.pk, requested_due_on=to, reason="客户资金周转"
            )
        except ValidationError as error:
            assert owed == 0 and error_codes(error) == {"paid"}, error.messages
            self.seen["paid_not_extended"] += 1
            return True
        assert owed > 0, "a paid receivable was extended"
        request = filing.entry_requests(extension).get()
        if self.draw(st.booleans()):
            filing.request_approve(actor=self.world["director"], request_id=request.pk)
            receivable.refresh_from_db()
            assert (receivable.current_due_on, receivable.extended_due_on) == (to, to)
            self.seen["extend"] += 1
        else:
            filing.request_return(actor=self.world["director"], request_id=request.pk, comment="不同意")
            before = receivable.current_due_on
            receivable.refresh_from_db()
            assert receivable.current_due_on == before
        return True


def test_the_ledger_keeps_its_promises_on_any_sequence(world, products, filed_a, filed_b):
    # The world is built once by the fixtures; hypothesis runs the inner function once per example, each inside a
    # savepoint rolled back at its end. Being inner, it can count across examples what the operations did.
    seen = collections.Counter()

    @settings(
        max_examples=40,
        deadline=None,
        database=None,  # no .hypothesis folder in the project: a failure prints its draws and a blob to replay it
        print_blob=True,
        # Shrinking replays hundreds of database examples (five minutes and more); the draws printed on a failure
        # name the operations, and @reproduce_failure with the printed blob replays the example exactly.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def run(data):
        with transaction.atomic():
            operations = Ledger(world, products, data, seen)
            # Start from a few receivables so that payments have something to settle.
            for _ in range(data.draw(st.integers(1, 3), label="orders first")):
                operations.order()
            check_invariants(world, data)
            for _ in range(data.draw(st.integers(3, 10), label="steps")):
                operations.step()
                check_invariants(world, data)
            transaction.set_rollback(True)

    run()
    assert not Receivable.all_objects.exists(), "each example must leave the database as it found it"
    # The examples must have exercised what the invariants are about, refusals included.
    for kind in ("order", "pay", "pay_by_hand", "refused", "allocate_later", "unallocate", "extend"):
        assert seen[kind] > 0, f"no example did {kind!r}: {dict(seen)}"


@pytest.mark.parametrize("basis", AgingBasis.values)
def test_the_aging_oracle_agrees_on_a_known_ledger(world, products, filed_a, filed_b, basis):
    """The invariants' own arithmetic, checked once by hand so that a wrong oracle cannot hide a wrong report."""
    a = filed_order(world, products, filed_a, amount="100.00", on=day(0))  # due day 30
    filed_order(world, products, filed_b, amount="250.00", on=day(10))  # due day 40
    services.payment_record(
        actor=world["owner"],
        customer_id=filed_a.pk,
        data={"received_on": day(50), "amount": Decimal("30.00"), "method": "transfer"},
    )
    as_of = day(45)  # A: issued 45 days ago, 15 past due; B: 35 days ago, 5 past due; A's payment not yet in
    expected = expected_aging(basis, as_of, [world["a"].pk, world["b"].pk])
    if basis == AgingBasis.ISSUED:
        assert expected == {
            world["a"].pk: [ZERO, Decimal("100.00"), ZERO, ZERO, ZERO],
            world["b"].pk: [ZERO, Decimal("250.00"), ZERO, ZERO, ZERO],
        }
    else:
        assert expected == {
            world["a"].pk: [ZERO, Decimal("100.00"), ZERO, ZERO, ZERO, ZERO],
            world["b"].pk: [ZERO, Decimal("250.00"), ZERO, ZERO, ZERO, ZERO],
        }
    assert expected_aging(basis, day(50), [world["a"].pk])[world["a"].pk][1] == Decimal("70.00")
    assert paid_by_receivable(day(49))[a.pk] == ZERO
    check_invariants(world, FixedDraws([45]))
