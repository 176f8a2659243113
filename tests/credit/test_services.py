"""The credit services against the database: applications, the ledger, extensions and the credit limit.

What a credit controller checks: the score earns the grade and the limit; only an approved application changes the
credit, and the trail names it; every filed order opens its receivable, due after the terms; no payment is allocated
beyond its amount and no receivable beyond what it owes; an extension moves the due date in force and keeps the
original; an order past the limit needs the director. Money is ``Decimal`` to the fen, everywhere.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from archive import filing
from archive.choices import FilingStatus
from archive.models import FilingRequest
from archive.registry import registry
from contracts import services as contract_services
from contracts.models import Order, OrderLine
from credit import selectors, services
from credit.choices import AgingBasis, Allocation, CreditGrade, PaymentMethod
from credit.models import (
    CreditApplication,
    CreditProfile,
    ExtensionRequest,
    LimitOverride,
    Payment,
    PaymentAllocation,
    Receivable,
)

from ..contracts.conftest import order_lines
from ..helpers import error_codes, file_through_approval
from .conftest import DAY, filed_order, grant_credit, scores

pytestmark = pytest.mark.django_db

FLOAT_BUG = (
    "money must come back from the database exact to the fen: SQLite adds and subtracts decimal columns as "
    "floats (0.70 + 0.10 − 0.80 = 1.1e-16, a sum of 0.01 reads 0.0100000000000000), so the selectors must round "
    "what they compute in SQL back to the fen"
)

CODE_LOST = (
    "the refusal must carry its code: Django drops code= on a ValidationError built from a dict or from a list "
    "of plain messages, so each message must be a ValidationError(message, code=...) of its own"
)


def keeper(world, customer):
    return world["owner"] if customer.pk == world["a"].pk else world["other_manager"]


def application_data(limit="100000.00", *, terms_days=30, method=PaymentMethod.TRANSFER, guarantee="", **five_c):
    return {
        "requested_limit": Decimal(limit),
        "terms_days": terms_days,
        "payment_method": method,
        "guarantee": guarantee,
        **scores(**five_c),
    }


def pay(world, customer, amount, *, on=DAY, mode=Allocation.OLDEST_FIRST, amounts=None, actor=None) -> Payment:
    return services.payment_record(
        actor=actor or keeper(world, customer),
        customer_id=customer.pk,
        data={"received_on": on, "amount": Decimal(amount), "method": PaymentMethod.TRANSFER},
        mode=mode,
        amounts=amounts,
    )


def allocated(payment: Payment) -> dict[int, Decimal]:
    return dict(PaymentAllocation.objects.filter(payment=payment).values_list("receivable_id", "amount"))


def outstanding(receivable: Receivable) -> Decimal:
    return selectors.outstanding_of(Receivable.all_objects.get(pk=receivable.pk))


def ledger_rows() -> tuple[int, ...]:
    """Everything a payment writes, trail included: a refused payment must leave all of it as it was."""
    return (
        Payment.objects.count(),
        Payment.history.count(),
        PaymentAllocation.objects.count(),
        PaymentAllocation.history.count(),
    )


def extend(world, receivable, to, *, reason="客户资金周转，申请延期", decide=True) -> ExtensionRequest:
    """Ask for an extension as the keeper and, with ``decide``, have the director approve it."""
    customer = receivable.customer
    extension = services.extension_request(
        actor=keeper(world, customer), receivable_id=receivable.pk, requested_due_on=to, reason=reason
    )
    if decide:
        approve(world, extension)
    return extension


def request_of(entry) -> FilingRequest:
    return filing.entry_requests(entry).get()


def approve(world, entry):
    """The director approves the request waiting on ``entry``."""
    filing.request_approve(actor=world["director"], request_id=request_of(entry).pk)
    entry.refresh_from_db()
    return entry


# ---- Credit applications ----------------------------------------------------------------------------------------


def test_an_application_works_out_its_score_grade_and_limit(world):
    application = services.application_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        data=application_data(
            "100000.00", character=5, capacity=4, capital=3, collateral=2, conditions=1, guarantee="法人连带责任担保"
        ),
    )
    application.refresh_from_db()
    # 0.25×5 + 0.25×4 + 0.20×3 + 0.15×2 + 0.15×1 = 3.30: grade A, 60 % of the limit asked for
    assert application.total_score == Decimal("3.30")
    assert application.proposed_grade == CreditGrade.A
    assert application.proposed_limit == Decimal("60000.00")
    assert isinstance(application.total_score, Decimal) and isinstance(application.proposed_limit, Decimal)
    assert application.status == FilingStatus.DRAFT
    assert application.created_by == world["owner"]
    record = application.history.get()
    assert record.history_user == world["owner"]
    assert record.proposed_limit == Decimal("60000.00")
    assert not CreditProfile.objects.exists()  # a draft grants nothing


def test_editing_the_scores_works_them_out_again(world):
    application = services.application_create(
        actor=world["owner"], customer_id=world["a"].pk, data=application_data("50000.00")
    )
    assert (application.total_score, application.proposed_grade) == (Decimal("4.00"), CreditGrade.AA)
    services.application_update(
        actor=world["co_owner"],
        application_id=application.pk,
        data={
            **scores(character=2, capacity=2, capital=2, collateral=2, conditions=2),
            "requested_limit": Decimal("0.35"),
        },
        expected_version=application.version,
    )
    application.refresh_from_db()
    assert application.total_score == Decimal("2.00")
    assert application.proposed_grade == CreditGrade.B
    assert application.proposed_limit == Decimal("0.11")  # 0.105 half up
    assert application.history.count() == 2


@pytest.mark.parametrize(
    ("role", "refusal"),
    [
        ("other_manager", Http404),
        ("clerk", Http404),
        ("granted_manager", PermissionDenied),
        ("group_clerk", PermissionDenied),
    ],
)
def test_only_a_keeper_enters_an_application(world, role, refusal):
    with pytest.raises(refusal):
        services.application_create(actor=world[role], customer_id=world["a"].pk, data=application_data())
    assert not CreditApplication.all_objects.exists()
    assert not CreditApplication.history.exists()


def test_a_manager_cannot_enter_an_application_for_another_managers_customer(world):
    with pytest.raises(Http404):
        services.application_create(actor=world["owner"], customer_id=world["b"].pk, data=application_data())
    with pytest.raises(Http404):
        services.application_create(actor=world["owner"], customer_id=10**9, data=application_data())
    assert not CreditApplication.all_objects.exists()


def test_a_score_outside_one_to_five_is_refused(world):
    with pytest.raises(ValidationError):
        services.application_create(actor=world["owner"], customer_id=world["a"].pk, data=application_data(character=6))
    assert not CreditApplication.all_objects.exists()


def test_a_submitted_or_filed_application_cannot_be_edited(world, filed_a):
    application = services.application_create(
        actor=world["owner"], customer_id=filed_a.pk, data=application_data("10000.00")
    )
    request = filing.entry_submit(actor=world["owner"], entry=application)
    application.refresh_from_db()
    with pytest.raises(ValidationError) as pending:
        filing.check_editable(application)
    assert error_codes(pending.value) == {"pending"}
    with pytest.raises(ValidationError) as pending_edit:
        services.application_update(actor=world["owner"], application_id=application.pk, data={"terms_days": 60})
    assert error_codes(pending_edit.value) == {"pending"}

    filing.request_approve(actor=world["director"], request_id=request.pk)
    application.refresh_from_db()
    with pytest.raises(ValidationError) as filed:
        filing.check_editable(application)
    assert error_codes(filed.value) == {"filed"}
    with pytest.raises(ValidationError) as filed_edit:
        services.application_update(
            actor=world["owner"], application_id=application.pk, data=scores(character=5, capacity=5)
        )
    assert error_codes(filed_edit.value) == {"filed"}
    with pytest.raises(ValidationError):
        services.application_update(actor=world["director"], application_id=application.pk, data={"terms_days": 90})
    application.refresh_from_db()
    assert application.terms_days == 30
    assert application.total_score == Decimal("4.00")
    assert CreditProfile.objects.get(customer=filed_a).terms_days == 30


def test_approval_writes_the_credit_profile_naming_the_application(world, filed_a):
    assert not CreditProfile.objects.exists()
    application = services.application_create(
        actor=world["owner"],
        customer_id=filed_a.pk,
        data=application_data(
            "200000.00",
            terms_days=45,
            method=PaymentMethod.BANK_ACCEPTANCE,
            guarantee="母公司出具担保函",
            character=5,
            capacity=5,
            capital=4,
            collateral=4,
            conditions=4,
        ),
    )
    assert not CreditProfile.objects.exists()  # entered, not approved: nothing granted yet
    request = filing.entry_submit(actor=world["owner"], entry=application)
    assert not CreditProfile.objects.exists()  # submitted: still nothing
    filing.request_approve(actor=world["director"], request_id=request.pk)
    application.refresh_from_db()

    profile = CreditProfile.objects.get(customer=filed_a)
    # 0.25×5 + 0.25×5 + 0.20×4 + 0.15×4 + 0.15×4 = 4.50: AAA, the whole limit asked for
    assert profile.credit_grade == CreditGrade.AAA
    assert profile.limit == Decimal("200000.00")
    assert isinstance(profile.limit, Decimal)
    assert profile.terms_days == 45
    assert profile.payment_method == PaymentMethod.BANK_ACCEPTANCE
    assert profile.guarantee == "母公司出具担保函"
    assert profile.application == application

    number = filing.catalogue_number(filed_a, application)
    assert number == f"{filed_a.archive_no} / 3-001"  # numbered in the credit category of the customer's archive
    record = profile.history.get()
    assert number in record.history_change_reason, "the trail must name the application the credit came from"
    assert str(request.pk) in record.history_change_reason
    assert record.history_user == world["director"]
    assert record.limit == Decimal("200000.00")


def test_a_second_approved_application_replaces_the_profile(world, filed_a):
    first = grant_credit(world, filed_a, limit="10000.00", terms_days=30)
    assert CreditProfile.objects.get(customer=filed_a).limit == Decimal("8000.00")  # AA, 80 %
    second = grant_credit(
        world, filed_a, limit="10000.00", terms_days=60, character=2, capacity=2, capital=2, collateral=2, conditions=2
    )
    profile = CreditProfile.objects.get(customer=filed_a)  # still one profile: replaced, not added
    assert CreditProfile.objects.count() == 1
    assert (profile.credit_grade, profile.limit, profile.terms_days) == (CreditGrade.B, Decimal("3000.00"), 60)
    assert profile.application == second
    first_number, second_number = (filing.catalogue_number(filed_a, a) for a in (first, second))
    assert first_number.endswith("3-001") and second_number.endswith("3-002")
    reasons = list(profile.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert len(reasons) == 2
    assert first_number in reasons[0] and second_number in reasons[1]
    assert [r.limit for r in profile.history.order_by("history_id")] == [Decimal("8000.00"), Decimal("3000.00")]


def test_a_returned_application_grants_nothing(world, filed_a):
    application = services.application_create(actor=world["owner"], customer_id=filed_a.pk, data=application_data())
    request = filing.entry_submit(actor=world["owner"], entry=application)
    filing.request_return(actor=world["director"], request_id=request.pk, comment="缺少财务报表")
    assert not CreditProfile.objects.exists()
    application.refresh_from_db()
    assert application.status == FilingStatus.RETURNED
    filing.check_editable(application)  # a returned application is the author's to correct


# ---- Receivables --------------------------------------------------------------------------------------------------


def test_a_filed_order_opens_one_receivable_due_after_the_default_terms(world, products, filed_a):
    order = contract_services.order_create(
        actor=world["owner"],
        customer_id=filed_a.pk,
        data={"ordered_on": datetime.date(2026, 3, 2)},
        lines=order_lines(products, ("P-200", "3", "33.33", "7"), ("P-100", "1", "3280.00", "0")),
    )
    assert not Receivable.all_objects.exists()
    request = filing.entry_submit(actor=world["owner"], entry=order)
    assert not Receivable.all_objects.exists()  # waiting for approval: not yet owed
    filing.request_approve(actor=world["director"], request_id=request.pk)

    receivable = Receivable.objects.get()
    assert receivable.order == order
    assert receivable.customer == filed_a
    assert receivable.amount == Decimal("3372.99")  # 92.99 + 3,280.00
    assert receivable.issued_on == datetime.date(2026, 3, 2)
    assert receivable.due_on == datetime.date(2026, 4, 1)  # 30 days, the default terms
    assert receivable.extended_due_on is None
    assert receivable.current_due_on == receivable.due_on
    assert outstanding(receivable) == Decimal("3372.99")
    record = receivable.history.get()
    assert str(request.pk) in record.history_change_reason
    assert record.history_user == world["director"]

    # The hook is idempotent: filing the same order again (a replayed hook) opens nothing more.
    order.refresh_from_db()
    assert services.order_filed(order, actor=world["director"], request=request) is None
    assert Receivable.all_objects.count() == 1


def test_the_terms_of_granted_credit_set_the_due_date(world, products, filed_a, filed_b):
    before = filed_order(world, products, filed_a, on=datetime.date(2026, 3, 1))
    grant_credit(world, filed_a, terms_days=45)
    after = filed_order(world, products, filed_a, on=datetime.date(2026, 3, 1))
    other = filed_order(world, products, filed_b, on=datetime.date(2026, 3, 1))
    assert before.due_on == datetime.date(2026, 3, 31)  # opened under the default terms, and it keeps them
    assert after.due_on == datetime.date(2026, 4, 15)  # 45 days
    assert other.due_on == datetime.date(2026, 3, 31)  # B has no credit profile: the default
    before.refresh_from_db()
    assert before.due_on == datetime.date(2026, 3, 31)


def test_an_order_filed_with_cash_terms_is_due_the_day_it_was_ordered(world, products, filed_a):
    grant_credit(world, filed_a, terms_days=0)
    receivable = filed_order(world, products, filed_a, on=datetime.date(2026, 3, 9))
    assert receivable.due_on == receivable.issued_on == datetime.date(2026, 3, 9)


def test_a_draft_pending_or_returned_order_opens_no_receivable(world, products, filed_a):
    def enter():
        return contract_services.order_create(
            actor=world["owner"],
            customer_id=filed_a.pk,
            data={"ordered_on": DAY},
            lines=order_lines(products, ("P-100", "1", "500.00", "0")),
        )

    enter()  # a draft
    filing.entry_submit(actor=world["owner"], entry=enter())  # pending
    returned = enter()
    request = filing.entry_submit(actor=world["owner"], entry=returned)
    filing.request_return(actor=world["director"], request_id=request.pk, comment="数量有误")
    assert Order.objects.count() == 3
    assert not Receivable.all_objects.exists()
    # ... but all three count against a credit limit as orders not yet filed.
    assert selectors.credit_status(filed_a.pk).unfiled_orders == Decimal("1500.00")


def test_an_order_in_the_recycle_bin_takes_its_receivable_along(world, products, filed_a):
    kept = filed_order(world, products, filed_a, amount="100.00", on=datetime.date(2026, 3, 1))
    binned = filed_order(world, products, filed_a, amount="900.00", on=datetime.date(2026, 2, 1))
    order = binned.order
    request = filing.deletion_request(actor=world["owner"], entry=order, note="重复录入")
    filing.request_approve(actor=world["director"], request_id=request.pk)

    assert list(Receivable.objects.all()) == [kept]
    assert Receivable.all_objects.filter(pk=binned.pk).exists()  # in the bin with its order, not deleted
    assert [r.pk for r in selectors.receivable_list(user=world["director"])] == [kept.pk]
    assert [r.pk for r in selectors.open_receivables(customer_id=filed_a.pk)] == [kept.pk]
    assert selectors.credit_status(filed_a.pk).outstanding == Decimal("100.00")
    report = selectors.aging(user=world["director"], as_of=datetime.date(2026, 6, 30))
    assert report.total.total == Decimal("100.00")
    # A payment cannot settle what is in the bin, even oldest first (the binned one was due first).
    payment = pay(world, filed_a, "500.00", on=datetime.date(2026, 4, 1))
    assert allocated(payment) == {kept.pk: Decimal("100.00")}
    with pytest.raises(ValidationError):
        services.payment_allocate(
            actor=world["owner"], payment_id=payment.pk, mode=Allocation.BY_HAND, amounts={binned.pk: Decimal("1")}
        )
    with pytest.raises(Http404):
        services.extension_request(
            actor=world["owner"], receivable_id=binned.pk, requested_due_on=datetime.date(2026, 9, 1), reason="x"
        )

    filing.entry_restore(actor=world["archivist"], spec=registry.filable(Order), pk=order.pk)
    assert set(Receivable.objects.all()) == {kept, binned}
    assert Receivable.objects.get(pk=binned.pk).amount == Decimal("900.00")
    assert [r.pk for r in selectors.open_receivables(customer_id=filed_a.pk)] == [binned.pk]
    assert selectors.aging(user=world["director"], as_of=datetime.date(2026, 6, 30)).total.total == Decimal("900.00")
    assert Receivable.all_objects.count() == 2  # restoring opened no second receivable


def test_a_receivable_entered_by_hand_needs_a_reason(world, filed_a):
    data = {"amount": Decimal("1250.50"), "issued_on": datetime.date(2026, 1, 15)}
    for reason in ("", "   \n"):
        with pytest.raises(ValidationError) as refused:
            services.receivable_create(actor=world["owner"], customer_id=filed_a.pk, data={**data, "reason": reason})
        assert error_codes(refused.value) == {"required"}, CODE_LOST
        assert "reason" in refused.value.error_dict
    with pytest.raises(ValidationError) as missing:
        services.receivable_create(actor=world["owner"], customer_id=filed_a.pk, data=data)
    assert error_codes(missing.value) == {"required"}, CODE_LOST
    assert not Receivable.all_objects.exists()
    assert not Receivable.history.exists()

    receivable = services.receivable_create(
        actor=world["owner"], customer_id=filed_a.pk, data={**data, "reason": "系统上线前的期初余额"}
    )
    receivable.refresh_from_db()
    assert receivable.order is None
    assert receivable.amount == Decimal("1250.50")
    assert receivable.due_on == datetime.date(2026, 2, 14)  # the customer's terms, 30 days by default
    assert receivable.created_by == world["owner"]
    assert "系统上线前的期初余额" in receivable.history.get().history_change_reason


def test_a_receivable_entered_by_hand_keeps_a_due_date_given(world, filed_a):
    receivable = services.receivable_create(
        actor=world["owner"],
        customer_id=filed_a.pk,
        data={
            "amount": Decimal("80.00"),
            "issued_on": datetime.date(2026, 1, 15),
            "due_on": datetime.date(2026, 1, 20),
            "reason": "服务费",
        },
    )
    assert receivable.due_on == datetime.date(2026, 1, 20)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"amount": Decimal("0.00")}, id="nothing-owed"),
        pytest.param({"amount": Decimal("-5.00")}, id="negative"),
        pytest.param({"amount": Decimal("1.005")}, id="below-the-fen"),
        pytest.param({"due_on": datetime.date(2026, 1, 14)}, id="due-before-issue"),
    ],
)
def test_a_receivable_entered_by_hand_is_validated(world, filed_a, data):
    values = {"amount": Decimal("10.00"), "issued_on": datetime.date(2026, 1, 15), "reason": "服务费", **data}
    with pytest.raises(ValidationError):
        services.receivable_create(actor=world["owner"], customer_id=filed_a.pk, data=values)
    assert not Receivable.all_objects.exists()


@pytest.mark.parametrize(("role", "refusal"), [("other_manager", Http404), ("granted_manager", PermissionDenied)])
def test_only_a_keeper_enters_a_receivable(world, filed_a, role, refusal):
    with pytest.raises(refusal):
        services.receivable_create(
            actor=world[role],
            customer_id=filed_a.pk,
            data={"amount": Decimal("10.00"), "issued_on": DAY, "reason": "服务费"},
        )
    assert not Receivable.all_objects.exists()


# ---- Payments and allocation ----------------------------------------------------------------------------------


@pytest.fixture
def three(world, products, filed_a):
    """Three receivables of A entered out of due order: 100.00 due 04-09, 200.00 due 03-31, 300.00 due 04-19."""
    middle = filed_order(world, products, filed_a, amount="100.00", on=datetime.date(2026, 3, 10))
    oldest = filed_order(world, products, filed_a, amount="200.00", on=datetime.date(2026, 3, 1))
    newest = filed_order(world, products, filed_a, amount="300.00", on=datetime.date(2026, 3, 20))
    return oldest, middle, newest


def test_a_payment_settles_the_oldest_due_first(world, filed_a, three):
    oldest, middle, newest = three
    first = pay(world, filed_a, "120.00", mode=Allocation.BY_HAND, amounts={oldest.pk: Decimal("120.00")})
    assert allocated(first) == {oldest.pk: Decimal("120.00")}
    assert outstanding(oldest) == Decimal("80.00")  # partly paid

    payment = pay(world, filed_a, "250.00", on=datetime.date(2026, 4, 2))
    assert allocated(payment) == {
        oldest.pk: Decimal("80.00"),
        middle.pk: Decimal("100.00"),
        newest.pk: Decimal("70.00"),
    }
    assert [outstanding(r) for r in three] == [Decimal("0.00"), Decimal("0.00"), Decimal("230.00")]
    assert sum(allocated(payment).values()) == payment.amount
    row = selectors.payment_list(user=world["owner"]).get(pk=payment.pk)
    assert (row.allocated, row.unallocated) == (Decimal("250.00"), Decimal("0.00"))
    assert [r.pk for r in selectors.open_receivables(customer_id=filed_a.pk)] == [newest.pk]
    for allocation in PaymentAllocation.objects.filter(payment=payment):
        assert allocation.history.get().history_user == world["owner"]


def test_a_payment_of_less_than_the_oldest_stays_on_the_oldest(world, filed_a, three):
    oldest, _middle, _newest = three
    payment = pay(world, filed_a, "0.01")
    assert allocated(payment) == {oldest.pk: Decimal("0.01")}
    assert outstanding(oldest) == Decimal("199.99")


def test_oldest_first_follows_the_due_date_in_force(world, filed_a, three):
    oldest, middle, newest = three
    extend(world, oldest, datetime.date(2026, 5, 31))  # due 03-31 → 05-31: now the last to be settled
    payment = pay(world, filed_a, "450.00")
    assert allocated(payment) == {
        middle.pk: Decimal("100.00"),
        newest.pk: Decimal("300.00"),
        oldest.pk: Decimal("50.00"),
    }


def test_a_payment_allocated_by_hand_takes_exactly_the_amounts_given(world, filed_a, three):
    oldest, middle, newest = three
    payment = pay(
        world,
        filed_a,
        "500.00",
        mode=Allocation.BY_HAND,
        amounts={newest.pk: Decimal("300.00"), middle.pk: Decimal("0.01"), oldest.pk: Decimal("0")},
    )
    assert allocated(payment) == {newest.pk: Decimal("300.00"), middle.pk: Decimal("0.01")}
    assert [outstanding(r) for r in three] == [Decimal("200.00"), Decimal("99.99"), Decimal("0.00")]
    assert selectors.payment_list(user=world["owner"]).get(pk=payment.pk).unallocated == Decimal("199.99")
    # What is left is allocated later, again by hand, onto the same receivable: one allocation row, added up.
    services.payment_allocate(
        actor=world["owner"], payment_id=payment.pk, mode=Allocation.BY_HAND, amounts={middle.pk: Decimal("99.99")}
    )
    assert allocated(payment) == {newest.pk: Decimal("300.00"), middle.pk: Decimal("100.00")}
    assert PaymentAllocation.objects.filter(payment=payment).count() == 2


@pytest.mark.parametrize(
    "amounts",
    [
        pytest.param(lambda o, m, n: {m.pk: Decimal("100.01")}, id="one-fen-more-than-owed"),
        pytest.param(lambda o, m, n: {o.pk: Decimal("150.00"), m.pk: Decimal("100.01")}, id="one-of-two"),
        pytest.param(lambda o, m, n: {o.pk: Decimal("-1.00"), m.pk: Decimal("10.00")}, id="negative"),
    ],
)
def test_allocating_more_than_a_receivable_owes_is_refused_and_writes_nothing(world, filed_a, three, amounts):
    before = ledger_rows()
    with pytest.raises(ValidationError) as refused:
        pay(world, filed_a, "1000.00", mode=Allocation.BY_HAND, amounts=amounts(*three))
    assert error_codes(refused.value) == {"over_allocated"}, CODE_LOST
    assert ledger_rows() == before, "a refused allocation must roll the payment back with it"
    assert [outstanding(r) for r in three] == [Decimal("200.00"), Decimal("100.00"), Decimal("300.00")]


def test_allocating_more_than_a_partly_paid_receivable_still_owes_is_refused(world, filed_a, three):
    oldest, _middle, _newest = three
    pay(world, filed_a, "150.00")
    before = ledger_rows()
    with pytest.raises(ValidationError) as refused:
        pay(world, filed_a, "100.00", mode=Allocation.BY_HAND, amounts={oldest.pk: Decimal("50.01")})
    assert "over_allocated" in error_codes(refused.value), CODE_LOST
    assert ledger_rows() == before
    pay(world, filed_a, "100.00", mode=Allocation.BY_HAND, amounts={oldest.pk: Decimal("50.00")})
    assert outstanding(oldest) == Decimal("0.00")


def test_allocating_more_than_the_payment_is_refused_and_writes_nothing(world, filed_a, three):
    oldest, middle, newest = three
    before = ledger_rows()
    with pytest.raises(ValidationError) as refused:
        pay(
            world,
            filed_a,
            "250.00",
            mode=Allocation.BY_HAND,
            amounts={oldest.pk: Decimal("200.00"), middle.pk: Decimal("50.01")},
        )
    assert error_codes(refused.value) == {"over_allocated"}, CODE_LOST
    assert ledger_rows() == before
    assert not Payment.objects.exists()


def test_allocating_more_than_is_left_of_a_payment_later_is_refused(world, filed_a, three):
    oldest, middle, newest = three
    payment = pay(world, filed_a, "250.00", mode=Allocation.BY_HAND, amounts={oldest.pk: Decimal("200.00")})
    before = ledger_rows()
    with pytest.raises(ValidationError) as refused:
        services.payment_allocate(
            actor=world["owner"], payment_id=payment.pk, mode=Allocation.BY_HAND, amounts={newest.pk: Decimal("50.01")}
        )
    assert error_codes(refused.value) == {"over_allocated"}, CODE_LOST
    assert ledger_rows() == before
    services.payment_allocate(
        actor=world["owner"], payment_id=payment.pk, mode=Allocation.BY_HAND, amounts={newest.pk: Decimal("50.00")}
    )
    assert sum(allocated(payment).values()) == Decimal("250.00")
    # Nothing left: oldest first allocates nothing more and writes nothing.
    before = ledger_rows()
    assert services.payment_allocate(actor=world["owner"], payment_id=payment.pk) == []
    assert ledger_rows() == before


def test_a_payment_cannot_be_allocated_to_another_customers_receivable(world, products, filed_a, filed_b):
    theirs = filed_order(world, products, filed_b, amount="500.00")
    before = ledger_rows()
    with pytest.raises(ValidationError):
        pay(world, filed_a, "100.00", mode=Allocation.BY_HAND, amounts={theirs.pk: Decimal("100.00")})
    assert ledger_rows() == before
    assert outstanding(theirs) == Decimal("500.00")


def test_a_payment_larger_than_what_is_owed_keeps_the_rest_for_later(world, products, filed_a, three):
    payment = pay(world, filed_a, "1000.00")
    assert sum(allocated(payment).values()) == Decimal("600.00")
    assert all(outstanding(r) == Decimal("0.00") for r in three)
    row = selectors.payment_list(user=world["owner"]).get(pk=payment.pk)
    assert (row.allocated, row.unallocated) == (Decimal("600.00"), Decimal("400.00"))

    later = filed_order(world, products, filed_a, amount="450.00", on=datetime.date(2026, 4, 1))
    assert outstanding(later) == Decimal("450.00")  # filing an order does not take the prepayment by itself
    made = services.payment_allocate(actor=world["owner"], payment_id=payment.pk)
    assert [(a.receivable_id, a.amount) for a in made] == [(later.pk, Decimal("400.00"))]
    assert outstanding(later) == Decimal("50.00")
    assert selectors.payment_list(user=world["owner"]).get(pk=payment.pk).unallocated == Decimal("0.00")


def test_a_payment_of_a_customer_who_owes_nothing_waits_unallocated(world, filed_a):
    payment = pay(world, filed_a, "88.80")
    assert allocated(payment) == {}
    assert selectors.payment_list(user=world["owner"]).get(pk=payment.pk).unallocated == Decimal("88.80")


def test_an_allocation_is_undone_only_with_a_reason(world, filed_a, three):
    oldest, middle, _newest = three
    payment = pay(world, filed_a, "250.00")
    allocation = PaymentAllocation.objects.get(payment=payment, receivable=middle)
    for reason in ("", "  "):
        with pytest.raises(ValidationError) as refused:
            services.allocation_remove(actor=world["owner"], allocation_id=allocation.pk, reason=reason)
        assert error_codes(refused.value) == {"required"}, CODE_LOST
    assert PaymentAllocation.objects.filter(pk=allocation.pk).exists()

    services.allocation_remove(actor=world["co_owner"], allocation_id=allocation.pk, reason="错配到了别的订单")
    assert not PaymentAllocation.objects.filter(pk=allocation.pk).exists()
    gone = PaymentAllocation.history.filter(id=allocation.pk, history_type="-").get()
    assert "错配到了别的订单" in gone.history_change_reason
    assert gone.history_user == world["co_owner"]
    assert outstanding(middle) == Decimal("100.00")  # owed again
    assert selectors.payment_list(user=world["owner"]).get(pk=payment.pk).unallocated == Decimal("50.00")  # free
    assert allocated(payment) == {oldest.pk: Decimal("200.00")}
    made = services.payment_allocate(
        actor=world["owner"], payment_id=payment.pk, mode=Allocation.BY_HAND, amounts={middle.pk: Decimal("50.00")}
    )
    assert [(a.receivable_id, a.amount) for a in made] == [(middle.pk, Decimal("50.00"))]


@pytest.mark.parametrize(("role", "refusal"), [("other_manager", Http404), ("granted_manager", PermissionDenied)])
def test_only_a_keeper_records_payments_and_undoes_allocations(world, filed_a, three, role, refusal):
    payment = pay(world, filed_a, "100.00")
    allocation = PaymentAllocation.objects.get(payment=payment)
    before = ledger_rows()
    with pytest.raises(refusal):
        pay(world, filed_a, "100.00", actor=world[role])
    with pytest.raises(refusal):
        services.payment_allocate(actor=world[role], payment_id=payment.pk)
    with pytest.raises(refusal):
        services.allocation_remove(actor=world[role], allocation_id=allocation.pk, reason="试试")
    assert ledger_rows() == before


def test_a_payment_is_validated(world, filed_a):
    for amount in ("0.00", "-1.00", "0.001"):
        with pytest.raises(ValidationError):
            pay(world, filed_a, amount)
    assert not Payment.objects.exists()


# ---- Extensions -------------------------------------------------------------------------------------------------


def test_an_extension_request_goes_straight_to_the_inbox(world, receivable_a):
    extension = services.extension_request(
        actor=world["owner"],
        receivable_id=receivable_a.pk,
        requested_due_on=datetime.date(2026, 4, 30),
        reason="客户资金周转",
    )
    assert extension.status == FilingStatus.PENDING
    assert extension.previous_due_on == datetime.date(2026, 3, 31)
    assert extension.customer_id == receivable_a.customer_id
    request = request_of(extension)
    assert request.kind == FilingRequest.Kind.FILING and request.is_pending
    assert request.note == "客户资金周转"
    assert request in filing.inbox(world["director"])
    receivable_a.refresh_from_db()
    assert receivable_a.extended_due_on is None  # asked, not granted


def test_an_approved_extension_moves_the_due_date_in_force_and_keeps_the_original(world, receivable_a):
    extension = extend(world, receivable_a, datetime.date(2026, 4, 30))
    assert extension.status == FilingStatus.FILED
    receivable_a.refresh_from_db()
    assert receivable_a.due_on == datetime.date(2026, 3, 31)  # the ledger keeps the original
    assert receivable_a.extended_due_on == datetime.date(2026, 4, 30)
    assert receivable_a.current_due_on == datetime.date(2026, 4, 30)
    number = filing.catalogue_number(receivable_a.customer, extension)
    assert number.endswith("3-001")
    assert number in receivable_a.history.first().history_change_reason
    assert selectors.receivable_list(user=world["owner"]).get(pk=receivable_a.pk).due == datetime.date(2026, 4, 30)
    assert not selectors.overdue_list(user=world["owner"], today=datetime.date(2026, 4, 30)).exists()
    assert selectors.overdue_list(user=world["owner"], today=datetime.date(2026, 5, 1)).get() == receivable_a
    # A second extension starts from the date in force.
    second = extend(world, receivable_a, datetime.date(2026, 6, 30))
    assert second.previous_due_on == datetime.date(2026, 4, 30)
    receivable_a.refresh_from_db()
    assert (receivable_a.due_on, receivable_a.extended_due_on) == (
        datetime.date(2026, 3, 31),
        datetime.date(2026, 6, 30),
    )


def test_a_returned_extension_leaves_the_due_date(world, receivable_a):
    extension = extend(world, receivable_a, datetime.date(2026, 4, 30), decide=False)
    filing.request_return(actor=world["director"], request_id=request_of(extension).pk, comment="请先提供还款计划")
    extension.refresh_from_db()
    receivable_a.refresh_from_db()
    assert extension.status == FilingStatus.RETURNED
    assert receivable_a.extended_due_on is None
    assert receivable_a.current_due_on == datetime.date(2026, 3, 31)
    assert receivable_a.history.count() == 1  # the receivable was not even saved


def test_an_extension_overtaken_by_another_is_refused(world, receivable_a):
    first = extend(world, receivable_a, datetime.date(2026, 4, 30), decide=False)
    second = extend(world, receivable_a, datetime.date(2026, 5, 31), decide=False)
    assert first.previous_due_on == second.previous_due_on == datetime.date(2026, 3, 31)
    approve(world, first)
    with pytest.raises(ValidationError) as stale:
        filing.request_approve(actor=world["director"], request_id=request_of(second).pk)
    assert error_codes(stale.value) == {"stale"}
    receivable_a.refresh_from_db()
    second.refresh_from_db()
    assert receivable_a.extended_due_on == datetime.date(2026, 4, 30)  # the first one stands
    assert second.status == FilingStatus.PENDING  # nothing of the refused approval was kept
    assert request_of(second).is_pending
    filing.request_return(actor=world["director"], request_id=request_of(second).pk, comment="到期日已变更")


def test_a_paid_receivable_cannot_be_extended(world, filed_a, receivable_a):
    pay(world, filed_a, "1000.00")
    with pytest.raises(ValidationError) as refused:
        services.extension_request(
            actor=world["owner"], receivable_id=receivable_a.pk, requested_due_on=datetime.date(2026, 4, 30), reason="x"
        )
    assert error_codes(refused.value) == {"paid"}
    assert not ExtensionRequest.all_objects.exists()
    assert not FilingRequest.objects.filter(state=FilingRequest.State.PENDING).exists()


def test_a_partly_paid_receivable_can_be_extended(world, filed_a, receivable_a):
    pay(world, filed_a, "999.99")
    extend(world, receivable_a, datetime.date(2026, 4, 30))
    receivable_a.refresh_from_db()
    assert receivable_a.current_due_on == datetime.date(2026, 4, 30)


@pytest.mark.parametrize(
    ("to", "reason", "code"),
    [
        (datetime.date(2026, 4, 30), "", "required"),
        (datetime.date(2026, 4, 30), "  ", "required"),
        (datetime.date(2026, 3, 31), "客户资金周转", None),  # the same date is no extension
        (datetime.date(2026, 3, 1), "客户资金周转", None),
    ],
)
def test_an_extension_needs_a_reason_and_a_later_date(world, receivable_a, to, reason, code):
    with pytest.raises(ValidationError) as refused:
        services.extension_request(
            actor=world["owner"], receivable_id=receivable_a.pk, requested_due_on=to, reason=reason
        )
    if code:
        assert error_codes(refused.value) == {code}, CODE_LOST
    assert not ExtensionRequest.all_objects.exists()
    assert not FilingRequest.objects.filter(state=FilingRequest.State.PENDING).exists()


@pytest.mark.parametrize(("role", "refusal"), [("other_manager", Http404), ("granted_manager", PermissionDenied)])
def test_only_a_keeper_asks_for_an_extension(world, receivable_a, role, refusal):
    with pytest.raises(refusal):
        services.extension_request(
            actor=world[role], receivable_id=receivable_a.pk, requested_due_on=datetime.date(2026, 4, 30), reason="x"
        )
    assert not ExtensionRequest.all_objects.exists()


# ---- The credit limit on orders ---------------------------------------------------------------------------------


@pytest.fixture
def limited_a(world, filed_a):
    """A with a credit limit of exactly ¥10,000.00 (AAA: all of the limit asked for)."""
    grant_credit(world, filed_a, limit="10000.00", character=5, capacity=5, capital=5, collateral=5, conditions=5)
    assert selectors.credit_status(filed_a.pk).limit == Decimal("10000.00")
    return filed_a


def enter_order(world, products, customer, amount, *, actor=None, override_reason="", on=DAY) -> Order:
    return contract_services.order_create(
        actor=actor or keeper(world, customer),
        customer_id=customer.pk,
        data={"ordered_on": on},
        lines=order_lines(products, ("P-100", "1", amount, "0")),
        override_reason=override_reason,
    )


def order_rows() -> tuple[int, ...]:
    return (
        Order.all_objects.count(),
        Order.history.count(),
        OrderLine.objects.count(),
        OrderLine.history.count(),
        LimitOverride.objects.count(),
    )


def test_an_order_over_the_limit_is_refused_for_the_manager_and_writes_nothing(world, products, limited_a):
    filed_order(world, products, limited_a, amount="4000.00")  # owed
    enter_order(world, products, limited_a, "1000.00")  # entered, not yet filed
    before = order_rows()
    with pytest.raises(ValidationError) as refused:
        enter_order(world, products, limited_a, "5000.01")
    assert error_codes(refused.value) == {"credit_limit"}
    message = " ".join(refused.value.messages)
    for figure in ("10,000.00", "4,000.00", "1,000.00", "5,000.01", "10,000.01", "0.01"):
        assert figure in message, figure
    assert order_rows() == before, "a refused order must leave no order, no line and no trail"


def test_an_order_exactly_at_the_limit_is_allowed(world, products, limited_a):
    filed_order(world, products, limited_a, amount="4000.00")
    enter_order(world, products, limited_a, "1000.00")
    order = enter_order(world, products, limited_a, "5000.00")
    assert order.total == Decimal("5000.00")
    status = selectors.credit_status(limited_a.pk)
    assert status.exposure == status.limit == Decimal("10000.00")
    assert status.available == Decimal("0.00")
    assert not status.over_limit
    assert not LimitOverride.objects.exists()


def test_every_order_not_yet_filed_counts(world, products, limited_a):
    enter_order(world, products, limited_a, "2000.00")  # draft
    filing.entry_submit(actor=world["owner"], entry=enter_order(world, products, limited_a, "3000.00"))  # pending
    returned = enter_order(world, products, limited_a, "4000.00")
    request = filing.entry_submit(actor=world["owner"], entry=returned)
    filing.request_return(actor=world["director"], request_id=request.pk, comment="价格有误")
    with pytest.raises(ValidationError):
        enter_order(world, products, limited_a, "1000.01")
    enter_order(world, products, limited_a, "1000.00")


def test_editing_an_order_counts_it_once(world, products, limited_a):
    order = enter_order(world, products, limited_a, "6000.00")
    updated = contract_services.order_update(
        actor=world["owner"],
        order_id=order.pk,
        data={},
        lines=order_lines(products, ("P-100", "1", "10000.00", "0")),
    )
    assert updated.total == Decimal("10000.00")  # not 6,000 + 10,000
    with pytest.raises(ValidationError) as refused:
        contract_services.order_update(
            actor=world["owner"],
            order_id=order.pk,
            data={},
            lines=order_lines(products, ("P-100", "1", "10000.01", "0")),
        )
    assert error_codes(refused.value) == {"credit_limit"}
    order.refresh_from_db()
    assert order.total == Decimal("10000.00")
    assert [line.amount for line in order.lines.all()] == [Decimal("10000.00")]


def test_the_director_lets_an_order_through_with_a_reason(world, products, limited_a):
    filed_order(world, products, limited_a, amount="9000.00")
    with pytest.raises(ValidationError) as refused:
        enter_order(world, products, limited_a, "1500.00", actor=world["director"])  # no reason: refused too
    assert error_codes(refused.value) == {"credit_limit"}
    order = enter_order(
        world, products, limited_a, "1500.00", actor=world["director"], override_reason="  年底大客户  "
    )
    override = LimitOverride.objects.get()
    assert override.order == order
    assert override.customer == limited_a
    assert override.limit == Decimal("10000.00")
    assert override.exposure == Decimal("10500.00")
    assert override.reason == "年底大客户"
    assert override.actor == world["director"]
    assert override.actor_name
    assert "年底大客户" in override.history.get().history_change_reason
    assert list(selectors.limit_overrides(customer_id=limited_a.pk)) == [override]
    assert selectors.credit_status(limited_a.pk).over_limit


def test_a_manager_cannot_give_an_override_reason(world, products, limited_a):
    before = order_rows()
    with pytest.raises(PermissionDenied):
        enter_order(world, products, limited_a, "20000.00", override_reason="我担保")
    with pytest.raises(PermissionDenied):
        enter_order(world, products, limited_a, "1.00", override_reason="我担保")  # even under the limit
    assert order_rows() == before


def test_a_customer_without_a_credit_profile_is_not_checked(world, products, filed_a, filed_b):
    grant_credit(world, filed_a, limit="100.00")
    order = enter_order(world, products, filed_b, "99999999.99")
    assert order.total == Decimal("99999999.99")
    assert selectors.credit_status(filed_b.pk).limit is None
    assert not selectors.credit_status(filed_b.pk).over_limit
    assert not LimitOverride.objects.exists()


def test_a_zero_limit_refuses_every_order(world, products, filed_a):
    grant_credit(world, filed_a, limit="10000.00", character=1, capacity=1, capital=1, collateral=1, conditions=1)
    assert selectors.credit_status(filed_a.pk).limit == Decimal("0.00")  # grade C: cash only
    with pytest.raises(ValidationError):
        enter_order(world, products, filed_a, "0.01")


def test_payments_free_the_limit_again(world, products, limited_a):
    receivable = filed_order(world, products, limited_a, amount="10000.00")
    with pytest.raises(ValidationError):
        enter_order(world, products, limited_a, "0.01")
    pay(world, limited_a, "0.01")
    enter_order(world, products, limited_a, "0.01")
    with pytest.raises(ValidationError):
        enter_order(world, products, limited_a, "0.01")
    pay(world, limited_a, "2500.00")
    enter_order(world, products, limited_a, "2500.00")
    assert outstanding(receivable) == Decimal("7499.99")


def test_a_settled_receivable_holds_no_limit(world, products, limited_a):
    # 0.70 + 0.10 is 0.7999999999999999 in floats: a receivable of 0.80 settled by them must owe exactly nothing.
    receivable = filed_order(world, products, limited_a, amount="0.80")
    pay(world, limited_a, "0.70")
    pay(world, limited_a, "0.10")
    assert outstanding(receivable) == Decimal("0.00")
    status = selectors.credit_status(limited_a.pk)
    assert status.outstanding == Decimal("0.00"), FLOAT_BUG
    assert status.open_receivables == [], FLOAT_BUG
    enter_order(world, products, limited_a, "10000.00")  # exactly the limit: allowed


# ---- Money to the fen -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owed", "payments"),
    [
        ("0.30", ["0.10", "0.20"]),  # 0.1 + 0.2 = 0.30000000000000004 in floats
        ("0.30", ["0.10", "0.10", "0.10"]),
        ("0.60", ["0.10", "0.20", "0.30"]),
        ("0.80", ["0.70", "0.10"]),  # 0.7 + 0.1 = 0.7999999999999999
        ("1.00", ["0.10"] * 10),  # ten dimes are 0.9999999999999999
        ("3.30", ["1.10", "1.10", "1.10"]),  # 3.3000000000000003
        ("99999.99", ["33333.33", "33333.33", "33333.33"]),
    ],
)
def test_payments_floats_cannot_add_settle_a_receivable_exactly(world, products, filed_a, owed, payments):
    receivable = filed_order(world, products, filed_a, amount=owed)
    for amount in payments:
        pay(world, filed_a, amount)
    assert sum((Decimal(p) for p in payments), Decimal(0)) == Decimal(owed)
    assert outstanding(receivable) == Decimal("0.00")
    assert isinstance(outstanding(receivable), Decimal)
    row = selectors.with_outstanding(Receivable.objects.filter(pk=receivable.pk)).get()
    assert row.paid == Decimal(owed), FLOAT_BUG
    assert row.outstanding == Decimal("0.00"), f"{row.outstanding!r}: {FLOAT_BUG}"
    assert isinstance(row.outstanding, Decimal)
    assert not selectors.open_receivables(customer_id=filed_a.pk).exists(), FLOAT_BUG
    assert not selectors.overdue_list(user=world["owner"], today=datetime.date(2026, 12, 31)).exists(), FLOAT_BUG
    assert selectors.credit_status(filed_a.pk).outstanding == Decimal("0.00"), FLOAT_BUG
    for basis in AgingBasis.values:
        report = selectors.aging(user=world["owner"], as_of=datetime.date(2026, 12, 31), basis=basis)
        assert report.total.total == Decimal("0.00")
        assert report.customers == []
    # Nothing is left to allocate, on either side.
    before = ledger_rows()
    services.payment_allocate(actor=world["owner"], payment_id=Payment.objects.first().pk)
    assert ledger_rows() == before
    with pytest.raises(ValidationError):
        pay(world, filed_a, "0.01", mode=Allocation.BY_HAND, amounts={receivable.pk: Decimal("0.01")})


def test_a_fen_paid_before_does_not_spoil_the_next_allocation(world, products, filed_a):
    # SQLite hands a sum of 0.01 back as 0.0100000000000000: 175.58 less that is no amount a MONEY field takes.
    receivable = filed_order(world, products, filed_a, amount="175.58")
    pay(world, filed_a, "0.01")
    try:
        payment = pay(world, filed_a, "175.58")
    except ValidationError as refused:
        pytest.fail(f"the second payment was refused ({refused.messages}): {FLOAT_BUG}")
    assert allocated(payment) == {receivable.pk: Decimal("175.57")}, FLOAT_BUG
    assert outstanding(receivable) == Decimal("0.00")
    later = filed_order(world, products, filed_a, amount="50.00", on=datetime.date(2026, 4, 1))
    made = services.payment_allocate(actor=world["owner"], payment_id=payment.pk)  # the fen left of the payment
    assert [(a.receivable_id, a.amount) for a in made] == [(later.pk, Decimal("0.01"))]
    assert str(made[0].amount) == "0.01"
    assert outstanding(later) == Decimal("49.99")


def test_line_amounts_are_rounded_half_up_into_the_receivable(world, products, filed_a):
    order = contract_services.order_create(
        actor=world["owner"],
        customer_id=filed_a.pk,
        data={"ordered_on": DAY},
        lines=order_lines(
            products,
            ("P-300", "0.5", "2.01", "0"),  # 1.005 → 1.01 (a float makes it 1.00499999… and rounds down)
            ("P-200", "3", "0.10", "0"),  # 0.30
            ("P-200", "1", "0.05", "50"),  # 0.025 → 0.03 half up (0.02 to even)
        ),
    )
    receivable = file_through_approval(order, author=world["owner"], decider=world["director"]).receivable
    assert receivable.amount == Decimal("1.34")
    assert str(receivable.amount) == "1.34"
    pay(world, filed_a, "1.00")
    pay(world, filed_a, "0.34")
    assert outstanding(receivable) == Decimal("0.00")
    assert selectors.with_outstanding(Receivable.objects.filter(pk=receivable.pk)).get().outstanding == Decimal("0.00")


def test_the_ledger_speaks_decimal(world, products, filed_a):
    grant_credit(world, filed_a, limit="5000.00")
    receivable = filed_order(world, products, filed_a, amount="1234.56")
    payment = pay(world, filed_a, "1000.10")
    extend(world, receivable, datetime.date(2026, 6, 1))
    receivable.refresh_from_db()
    payment.refresh_from_db()
    allocation = PaymentAllocation.objects.get()
    profile = CreditProfile.objects.get()
    application = CreditApplication.objects.get()
    for value in (
        receivable.amount,
        payment.amount,
        allocation.amount,
        profile.limit,
        application.requested_limit,
        application.proposed_limit,
        application.total_score,
    ):
        assert isinstance(value, Decimal), repr(value)
    assert allocation.amount == Decimal("1000.10")

    row = selectors.receivable_list(user=world["owner"]).get(pk=receivable.pk)
    assert (row.paid, row.outstanding) == (Decimal("1000.10"), Decimal("234.46"))
    assert isinstance(row.paid, Decimal) and isinstance(row.outstanding, Decimal)
    listed = selectors.payment_list(user=world["owner"]).get(pk=payment.pk)
    assert (listed.allocated, listed.unallocated) == (Decimal("1000.10"), Decimal("0.00"))
    assert isinstance(listed.allocated, Decimal) and isinstance(listed.unallocated, Decimal)
    assert selectors.paid_by_receivable([receivable.pk]) == {receivable.pk: Decimal("1000.10")}
    assert isinstance(selectors.outstanding_of(receivable), Decimal)
    status = selectors.credit_status(filed_a.pk)
    for value in (status.limit, status.outstanding, status.unfiled_orders, status.exposure, status.available):
        assert isinstance(value, Decimal), repr(value)
    assert (status.outstanding, status.available) == (Decimal("234.46"), Decimal("3765.54"))
    for basis in AgingBasis.values:
        report = selectors.aging(user=world["owner"], as_of=datetime.date(2026, 7, 1), basis=basis)
        assert all(isinstance(amount, Decimal) for amount in report.total.buckets)
        assert report.total.total == Decimal("234.46")
