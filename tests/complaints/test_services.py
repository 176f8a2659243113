"""The services of the fifth category against the database: complaints, returns, discounts, churn and win-back.

What an after-sales clerk and the director check: a complaint is due by its severity and handled step by step
between its reception and now; it is filed only once closed with every closing field; a return never takes back
more than was ordered less what other returns on their way to the archive (or in it) took, in quantity or in
money, at entry, at submission and again at approval; a discount never takes an order or a contract below zero and
is refused once the total it was worked out from has changed; filing a churn record moves the customer to the past
and winning them back returns them, both named in the customer's history. Nobody writes through a customer they
may only read (403) or may not see (404), and a refused write leaves no row and no history row.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.sql.compiler import SQLCompiler
from django.http import Http404
from django.utils import timezone

from archive import filing
from archive.choices import FilingStatus
from archive.models import FilingRequest
from archive.registry import registry
from complaints import selectors, services
from complaints.models import ChurnRecord, Complaint, ComplaintStep, Discount, Return, ReturnLine, WinBackPlan
from contracts import services as contract_services
from customers import services as customer_services
from customers.models import Customer

from ..contracts.conftest import order_lines
from ..helpers import error_codes, file_through_approval
from .conftest import (
    churn_data,
    closed,
    closing_data,
    complaint_data,
    filed_order,
    keeper,
    make_complaint,
    return_data,
    return_lines,
)

pytestmark = pytest.mark.django_db

LINE_1 = Decimal("309.97")  # 10 × ¥33.33 less 7 %
ORDER_TOTAL = Decimal("6869.97")


def request_of(entry) -> FilingRequest:
    return filing.entry_requests(entry).get()


def approve(world, entry):
    """The director approves the request waiting on ``entry``; the entry comes back re-read."""
    filing.request_approve(actor=world["director"], request_id=request_of(entry).pk)
    return type(entry).all_objects.get(pk=entry.pk)


def send_back(world, entry, comment="请核对数量"):
    filing.request_return(actor=world["director"], request_id=request_of(entry).pk, comment=comment)
    return type(entry).all_objects.get(pk=entry.pk)


def submit(world, entry):
    filing.entry_submit(actor=keeper(world, entry.customer), entry=entry)
    return type(entry).all_objects.get(pk=entry.pk)


def to_recycle_bin(world, entry):
    request = filing.deletion_request(actor=keeper(world, entry.customer), entry=entry, note="录入重复")
    filing.request_approve(actor=world["director"], request_id=request.pk)
    return type(entry).all_objects.get(pk=entry.pk)


def local(days_ago: int, hour: int = 9) -> datetime.datetime:
    """A reception time ``days_ago`` days back at ``hour`` o'clock local time (its local date is unambiguous)."""
    today = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0)
    return today - datetime.timedelta(days=days_ago)


def make_return(world, order, *quantities, **data):
    return services.return_create(
        actor=keeper(world, order.customer),
        order_id=order.pk,
        data=return_data(**data),
        lines=return_lines(order, *quantities),
    )


def filed_return(world, order, *quantities):
    entry = make_return(world, order, *quantities)
    return file_through_approval(entry, author=keeper(world, order.customer), decider=world["director"])


def ask_discount(world, target, *, reason="质量问题，给予折让", **data):
    field = "order_id" if target._meta.model_name == "order" else "contract_id"
    return services.discount_request(
        actor=keeper(world, target.customer), data={"reason": reason, **data}, **{field: target.pk}
    )


def line_left(order, position=1) -> services.Returnable:
    return next(left for left in services.returnable(order).values() if left.line.position == position)


def history_rows() -> tuple[int, ...]:
    """Everything the category writes, trail included: a refused write must leave every count as it was."""
    models = (Complaint, ComplaintStep, Return, ReturnLine, Discount, ChurnRecord, WinBackPlan)
    return (
        *(model._default_manager.count() for model in models),
        *(model.history.count() for model in models),
        FilingRequest.objects.count(),
        Customer.history.count(),
    )


# ---- Complaints -------------------------------------------------------------------------------------------------


def test_a_complaint_is_recorded_open_with_its_due_time_and_its_trail(world, complaint_a):
    complaint = Complaint.objects.get(pk=complaint_a.pk)
    assert complaint.state == "open" and complaint.status == FilingStatus.DRAFT
    assert complaint.due_at == complaint.received_at + datetime.timedelta(hours=72)  # major
    assert complaint.created_by == world["owner"]
    record = complaint.history.get()
    assert record.history_user == world["owner"]
    assert record.history_change_reason
    assert not complaint.is_overdue()


@pytest.mark.parametrize(("severity", "hours"), [("minor", 11), ("major", 7), ("critical", 5)])
def test_the_due_time_is_read_from_the_settings_for_each_severity(world, filed_a, settings, severity, hours):
    settings.ARCHIVE_COMPLAINT_DUE_HOURS = {"minor": 11, "major": 7, "critical": 5}
    received = local(2)
    complaint = make_complaint(world, filed_a, severity=severity, received_at=received)
    assert Complaint.objects.get(pk=complaint.pk).due_at == received + datetime.timedelta(hours=hours)


def test_changing_the_severity_or_the_reception_moves_the_due_time(world, complaint_a):
    received = local(3)
    services.complaint_update(
        actor=world["co_owner"], complaint_id=complaint_a.pk, data={"severity": "critical", "received_at": received}
    )
    complaint = Complaint.objects.get(pk=complaint_a.pk)
    assert complaint.due_at == received + datetime.timedelta(hours=24)
    assert complaint.is_overdue()
    services.complaint_update(actor=world["owner"], complaint_id=complaint_a.pk, data={"severity": "minor"})
    assert Complaint.objects.get(pk=complaint_a.pk).due_at == received + datetime.timedelta(hours=168)


def test_an_order_or_a_contact_of_another_customer_is_refused(world, filed_a, order_b):
    contact_b = customer_services.contact_create(
        actor=world["other_manager"], customer_id=world["b"].pk, data={"name": "王经理"}
    )
    before = history_rows()
    with pytest.raises(ValidationError) as refused:
        make_complaint(world, filed_a, order=order_b, contact=contact_b)
    assert set(refused.value.error_dict) == {"order", "contact"}
    assert error_codes(refused.value) == {"other_customer"}
    assert history_rows() == before

    complaint = make_complaint(world, filed_a)
    with pytest.raises(ValidationError) as refused:
        services.complaint_update(actor=world["owner"], complaint_id=complaint.pk, data={"order": order_b})
    assert error_codes(refused.value) == {"other_customer"}
    assert Complaint.objects.get(pk=complaint.pk).order_id is None


def test_an_order_and_a_contact_of_the_same_customer_are_accepted(world, order_a):
    contact = customer_services.contact_create(actor=world["owner"], customer_id=world["a"].pk, data={"name": "李工"})
    complaint = make_complaint(world, world["a"], order=order_a, contact=contact)
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.order, complaint.contact) == (order_a, contact)


def test_a_complaint_received_in_the_future_is_refused(world, filed_a):
    with pytest.raises(ValidationError) as refused:
        make_complaint(world, filed_a, received_at=timezone.now() + datetime.timedelta(minutes=1))
    assert error_codes(refused.value) == {"future"}
    assert "received_at" in refused.value.error_dict
    assert not Complaint.objects.exists()
    complaint = make_complaint(world, filed_a)
    with pytest.raises(ValidationError) as refused:
        services.complaint_update(
            actor=world["owner"],
            complaint_id=complaint.pk,
            data={"received_at": timezone.now() + datetime.timedelta(days=1)},
        )
    assert error_codes(refused.value) == {"future"}


def test_a_stale_complaint_edit_is_refused_with_what_changed(world, complaint_a):
    seen = complaint_a.version
    services.complaint_update(
        actor=world["co_owner"], complaint_id=complaint_a.pk, data={"subject": "法兰渗漏"}, expected_version=seen
    )
    with pytest.raises(filing.EditConflict) as conflict:
        services.complaint_update(
            actor=world["owner"], complaint_id=complaint_a.pk, data={"subject": "另一说法"}, expected_version=seen
        )
    assert [change.field.name for change in conflict.value.changes] == ["subject"]
    assert Complaint.objects.get(pk=complaint_a.pk).subject == "法兰渗漏"


# ---- Handling steps ---------------------------------------------------------------------------------------------


def test_the_first_step_starts_the_handling_and_the_next_keep_it(world, complaint_a):
    step = services.step_add(actor=world["co_owner"], complaint_id=complaint_a.pk, action="电话回访，约定上门")
    complaint = Complaint.objects.get(pk=complaint_a.pk)
    assert complaint.state == "handling"
    assert complaint.version == complaint_a.version + 1
    assert step.actor == world["co_owner"] and step.actor_name == "co_owner"
    assert complaint.history.first().history_change_reason  # the state change is in the trail
    services.step_add(actor=world["owner"], complaint_id=complaint_a.pk, action="上门检查")
    assert Complaint.objects.get(pk=complaint_a.pk).state == "handling"
    assert [s.action for s in selectors.complaint_steps(complaint)] == ["电话回访，约定上门", "上门检查"]
    assert ComplaintStep.history.count() == 2


def test_a_step_is_taken_between_the_reception_and_now(world, filed_a):
    received = local(2)
    complaint = make_complaint(world, filed_a, received_at=received)
    for when in (received - datetime.timedelta(seconds=1), timezone.now() + datetime.timedelta(minutes=1)):
        with pytest.raises(ValidationError) as refused:
            services.step_add(actor=world["owner"], complaint_id=complaint.pk, action="回访", taken_at=when)
        assert error_codes(refused.value) == {"out_of_range"}
    assert not ComplaintStep.objects.exists()
    assert Complaint.objects.get(pk=complaint.pk).state == "open"
    services.step_add(actor=world["owner"], complaint_id=complaint.pk, action="接到投诉即记录", taken_at=received)
    assert ComplaintStep.objects.get().taken_at == received


def test_a_step_says_what_was_done(world, complaint_a):
    with pytest.raises(ValidationError) as refused:
        services.step_add(actor=world["owner"], complaint_id=complaint_a.pk, action="  ")
    assert error_codes(refused.value) == {"required"}
    assert not ComplaintStep.objects.exists()


def test_no_step_on_a_closed_pending_or_filed_complaint(world, complaint_a):
    complaint = closed(world, complaint_a)
    with pytest.raises(ValidationError) as refused:
        services.step_add(actor=world["owner"], complaint_id=complaint.pk, action="补充说明")
    assert error_codes(refused.value) == {"closed"}
    complaint = submit(world, complaint)
    with pytest.raises(ValidationError) as refused:
        services.step_add(actor=world["owner"], complaint_id=complaint.pk, action="补充说明")
    assert error_codes(refused.value) == {"pending"}
    approve(world, complaint)
    with pytest.raises(ValidationError) as refused:
        services.step_add(actor=world["director"], complaint_id=complaint.pk, action="补充说明")
    assert error_codes(refused.value) == {"filed"}
    assert not ComplaintStep.objects.exists()


# ---- Closing, reopening, filing ---------------------------------------------------------------------------------


def test_closing_records_the_outcome(world, complaint_a):
    services.step_add(actor=world["owner"], complaint_id=complaint_a.pk, action="更换法兰")
    complaint = closed(world, Complaint.objects.get(pk=complaint_a.pk), satisfaction=5)
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.state == "closed" and not complaint.is_open
    assert (complaint.satisfaction, complaint.responsibility, complaint.closed_on) == (
        5,
        "production",
        timezone.localdate(),
    )
    assert not complaint.is_overdue()


@pytest.mark.parametrize("field", ["result", "responsibility", "satisfaction", "closed_on"])
def test_closing_needs_every_closing_field(world, complaint_a, field):
    empty = "" if field in ("result", "responsibility") else None
    with pytest.raises(ValidationError) as refused:
        closed(world, complaint_a, **{field: empty})
    assert set(refused.value.error_dict) == {field}
    assert error_codes(refused.value) == {"required"}
    assert Complaint.objects.get(pk=complaint_a.pk).state == "open"


@pytest.mark.parametrize("satisfaction", [0, 6])
def test_closing_refuses_a_satisfaction_outside_one_to_five(world, complaint_a, satisfaction):
    with pytest.raises(ValidationError) as refused:
        closed(world, complaint_a, satisfaction=satisfaction)
    assert "satisfaction" in refused.value.error_dict
    assert Complaint.objects.get(pk=complaint_a.pk).state == "open"


def test_a_complaint_is_closed_between_its_reception_day_and_today(world, filed_a):
    received = local(3)
    complaint = make_complaint(world, filed_a, received_at=received)
    with pytest.raises(ValidationError) as refused:
        closed(world, complaint, closed_on=received.date() - datetime.timedelta(days=1))
    assert error_codes(refused.value) == {"early"}
    with pytest.raises(ValidationError) as refused:
        closed(world, complaint, closed_on=timezone.localdate() + datetime.timedelta(days=1))
    assert error_codes(refused.value) == {"future"}
    assert Complaint.objects.get(pk=complaint.pk).state == "open"
    closed(world, complaint, closed_on=received.date())
    assert Complaint.objects.get(pk=complaint.pk).closed_on == received.date()


def test_a_closed_complaint_cannot_be_closed_again(world, complaint_a):
    closed(world, complaint_a)
    with pytest.raises(ValidationError) as refused:
        closed(world, complaint_a, satisfaction=1)
    assert error_codes(refused.value) == {"closed"}
    assert Complaint.objects.get(pk=complaint_a.pk).satisfaction == 4


def test_moving_the_reception_after_the_closing_day_is_refused(world, filed_a):
    complaint = make_complaint(world, filed_a, received_at=local(5))
    closed(world, complaint, closed_on=local(4).date())
    with pytest.raises(ValidationError) as refused:
        services.complaint_update(actor=world["owner"], complaint_id=complaint.pk, data={"received_at": local(1)})
    assert "received_at" in refused.value.error_dict or "closed_on" in refused.value.error_dict
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.received_at.date() <= complaint.closed_on


def test_reopening_returns_a_closed_complaint_to_handling_with_a_step(world, complaint_a):
    complaint = closed(world, complaint_a)
    services.complaint_reopen(actor=world["owner"], complaint_id=complaint.pk, reason="客户反映仍有渗漏")
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.state == "handling" and complaint.closed_on is None
    step = ComplaintStep.objects.get(complaint=complaint)
    assert "客户反映仍有渗漏" in step.action and step.actor == world["owner"]
    assert "客户反映仍有渗漏" in complaint.history.first().history_change_reason


def test_reopening_needs_a_closed_complaint_a_reason_and_no_filing(world, complaint_a):
    with pytest.raises(ValidationError) as refused:
        services.complaint_reopen(actor=world["owner"], complaint_id=complaint_a.pk, reason="再议")
    assert error_codes(refused.value) == {"open"}
    complaint = closed(world, complaint_a)
    with pytest.raises(ValidationError) as refused:
        services.complaint_reopen(actor=world["owner"], complaint_id=complaint.pk, reason=" ")
    assert error_codes(refused.value) == {"required"}
    complaint = file_through_approval(complaint, author=world["owner"], decider=world["director"])
    with pytest.raises(ValidationError) as refused:
        services.complaint_reopen(actor=world["owner"], complaint_id=complaint.pk, reason="再议")
    assert error_codes(refused.value) == {"filed"}
    assert Complaint.objects.get(pk=complaint.pk).state == "closed"
    assert not ComplaintStep.objects.exists()


def test_an_open_complaint_is_not_submitted_for_filing(world, complaint_a):
    services.step_add(actor=world["owner"], complaint_id=complaint_a.pk, action="处理中")
    for complaint in (complaint_a, Complaint.objects.get(pk=complaint_a.pk)):
        with pytest.raises(ValidationError) as refused:
            filing.entry_submit(actor=world["owner"], entry=complaint)
        assert error_codes(refused.value) == {"open"}
    assert Complaint.objects.get(pk=complaint_a.pk).status == FilingStatus.DRAFT
    assert not filing.entry_requests(complaint_a).exists()


def test_a_closed_complaint_is_filed_and_then_changed_only_in_its_outcome(world, complaint_a):
    complaint = file_through_approval(closed(world, complaint_a), author=world["owner"], decider=world["director"])
    assert complaint.entry_code == "5-001"
    with pytest.raises(ValidationError) as refused:
        services.complaint_update(actor=world["owner"], complaint_id=complaint.pk, data={"subject": "改"})
    assert error_codes(refused.value) == {"filed"}
    with pytest.raises(ValidationError) as refused:
        closed(world, complaint)
    assert error_codes(refused.value) == {"filed"}
    for field, value in (("closed_on", timezone.localdate()), ("subject", "改"), ("severity", "minor")):
        with pytest.raises(ValueError):
            services.complaint_change_propose(
                actor=world["owner"], complaint_id=complaint.pk, data={field: value}, note="更正"
            )
    with pytest.raises(ValidationError):
        services.complaint_change_propose(
            actor=world["owner"], complaint_id=complaint.pk, data={"satisfaction": 6}, note="回访更正"
        )
    request = services.complaint_change_propose(
        actor=world["owner"],
        complaint_id=complaint.pk,
        data={"satisfaction": 2, "responsibility": "carrier"},
        note="回访后客户改评",
    )
    assert request.proposed == {"satisfaction": 2, "responsibility": "carrier"}
    assert Complaint.objects.get(pk=complaint.pk).satisfaction == 4  # the filed version until approved
    filing.request_approve(actor=world["director"], request_id=request.pk)
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.satisfaction, complaint.responsibility, complaint.status) == (2, "carrier", FilingStatus.FILED)
    assert complaint.is_dissatisfied


# ---- Who may write ----------------------------------------------------------------------------------------------

READ_ONLY = ("granted_manager", "group_clerk", "archivist")
UNSEEN = ("other_manager", "clerk")


def _filed_complaint(request, world):
    complaint = closed(world, request.getfixturevalue("complaint_a"))
    return file_through_approval(complaint, author=world["owner"], decider=world["director"])


def _filed_churn(request, world):
    churn = request.getfixturevalue("churn_a")
    _plan(world, churn)
    return file_through_approval(churn, author=world["owner"], decider=world["director"])


def _returned_discount(request, world):
    order = request.getfixturevalue("order_a")
    return send_back(world, ask_discount(world, order, mode="amount", amount=Decimal("100.00")))


def _fixture(name):
    return lambda request, world: request.getfixturevalue(name)


# Each write: what it acts on (made by the keeper), then the write itself as ``actor``.
WRITES = {
    "complaint_create": (
        _fixture("filed_a"),
        lambda actor, a: services.complaint_create(actor=actor, customer_id=a.pk, data=complaint_data()),
    ),
    "complaint_update": (
        _fixture("complaint_a"),
        lambda actor, c: services.complaint_update(actor=actor, complaint_id=c.pk, data={"subject": "改"}),
    ),
    "step_add": (
        _fixture("complaint_a"),
        lambda actor, c: services.step_add(actor=actor, complaint_id=c.pk, action="回访"),
    ),
    "complaint_close": (
        _fixture("complaint_a"),
        lambda actor, c: services.complaint_close(actor=actor, complaint_id=c.pk, data=closing_data()),
    ),
    "complaint_reopen": (
        lambda request, world: closed(world, request.getfixturevalue("complaint_a")),
        lambda actor, c: services.complaint_reopen(actor=actor, complaint_id=c.pk, reason="再议"),
    ),
    "complaint_change_propose": (
        _filed_complaint,
        lambda actor, c: services.complaint_change_propose(
            actor=actor, complaint_id=c.pk, data={"satisfaction": 2}, note="改评"
        ),
    ),
    "return_create": (
        _fixture("order_a"),
        lambda actor, o: services.return_create(
            actor=actor, order_id=o.pk, data=return_data(), lines=return_lines(o, "1")
        ),
    ),
    "return_update": (
        lambda request, world: make_return(world, request.getfixturevalue("order_a"), "1"),
        lambda actor, r: services.return_update(
            actor=actor, return_id=r.pk, data=return_data(), lines=return_lines(r.order, "2")
        ),
    ),
    "discount_request (order)": (
        _fixture("order_a"),
        lambda actor, o: services.discount_request(
            actor=actor, order_id=o.pk, data={"mode": "amount", "amount": Decimal("1.00"), "reason": "折让"}
        ),
    ),
    "discount_request (contract)": (
        _fixture("contract_a"),
        lambda actor, c: services.discount_request(
            actor=actor, contract_id=c.pk, data={"mode": "amount", "amount": Decimal("1.00"), "reason": "折让"}
        ),
    ),
    "discount_update": (
        _returned_discount,
        lambda actor, d: services.discount_update(actor=actor, discount_id=d.pk, data={"amount": Decimal("50.00")}),
    ),
    "churn_create": (
        _fixture("filed_a"),
        lambda actor, a: services.churn_create(actor=actor, customer_id=a.pk, data=churn_data()),
    ),
    "churn_update": (
        _fixture("churn_a"),
        lambda actor, c: services.churn_update(actor=actor, churn_id=c.pk, data={"competitor": "某某"}),
    ),
    "churn_change_propose": (
        _filed_churn,
        lambda actor, c: services.churn_change_propose(
            actor=actor, churn_id=c.pk, data={"competitor": "某某"}, note="更正"
        ),
    ),
    "plan_save": (
        _fixture("churn_a"),
        lambda actor, c: services.plan_save(
            actor=actor, churn_id=c.pk, data={"next_steps": "拜访", "target_on": timezone.localdate()}
        ),
    ),
    "plan_conclude": (
        _filed_churn,
        lambda actor, c: services.plan_conclude(
            actor=actor, churn_id=c.pk, state="won_back", outcome_on=timezone.localdate(), outcome_note="重新下单"
        ),
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_refuses_readers_403_and_strangers_404(request, world, write):
    setup, call = WRITES[write]
    target = setup(request, world)
    before = history_rows()
    failures = []
    for role, refusal in [*((r, PermissionDenied) for r in READ_ONLY), *((r, Http404) for r in UNSEEN)]:
        try:
            call(world[role], target)
        except (PermissionDenied, Http404, ValidationError, ValueError) as exc:
            if type(exc) is not refusal:
                failures.append(f"{role}: expected {refusal.__name__}, got {type(exc).__name__}: {exc}")
        else:
            failures.append(f"{role}: expected {refusal.__name__}, the write went through")
    assert not failures, f"{write}:\n  " + "\n  ".join(failures)
    assert history_rows() == before, "a refused write left a row or a history row"
    call(world["director"], target)  # the same write by someone who may: it goes through
    assert history_rows() != before


def test_a_keeper_of_b_cannot_reach_a_through_an_id(world, order_a, complaint_a):
    manager = world["other_manager"]
    with pytest.raises(Http404):
        services.complaint_create(actor=manager, customer_id=world["a"].pk, data=complaint_data())
    with pytest.raises(Http404):
        services.return_create(actor=manager, order_id=order_a.pk, data=return_data(), lines=[])
    with pytest.raises(Http404):
        services.complaint_update(actor=manager, complaint_id=complaint_a.pk, data={})
    with pytest.raises(Http404):
        services.complaint_update(actor=manager, complaint_id="abc", data={})


# ---- Returns: the edge ------------------------------------------------------------------------------------------


def test_a_return_never_exceeds_what_was_ordered_less_what_was_returned(world, order_a):
    first = filed_return(world, order_a, "4")
    assert first.total == Decimal("123.99")
    assert line_left(order_a).quantity == Decimal("6.000")

    before = history_rows()
    with pytest.raises(ValidationError) as refused:
        make_return(world, order_a, "6.001")
    assert error_codes(refused.value) == {"over_returned"}
    assert "6.000" in refused.value.messages[0] and "4.000" in refused.value.messages[0]
    assert history_rows() == before

    rest = make_return(world, order_a, "6")
    assert rest.status == FilingStatus.DRAFT
    rest = approve(world, submit(world, rest))
    assert rest.status == FilingStatus.FILED
    left = line_left(order_a)
    assert (left.quantity, left.amount) == (Decimal("0.000"), Decimal("0.00"))
    assert first.total + rest.total == LINE_1
    with pytest.raises(ValidationError) as refused:
        make_return(world, order_a, "0.001")
    assert error_codes(refused.value) == {"over_returned"}


def test_the_amount_is_limited_too_even_within_the_quantity(world, order_a):
    filed_return(world, order_a, "4")  # ¥123.99 of ¥309.97: ¥185.98 left
    line = order_a.lines.get(position=1)
    with pytest.raises(ValidationError) as refused:
        services.return_create(
            actor=world["owner"],
            order_id=order_a.pk,
            data=return_data(kind="compensation"),
            lines=[{"order_line": line, "quantity": Decimal("1"), "amount": Decimal("185.99")}],
        )
    assert error_codes(refused.value) == {"over_returned"}
    assert "185.98" in refused.value.messages[0]
    entry = services.return_create(
        actor=world["owner"],
        order_id=order_a.pk,
        data=return_data(kind="compensation"),
        lines=[{"order_line": line, "quantity": Decimal("1"), "amount": Decimal("185.98")}],
    )
    assert entry.total == Decimal("185.98")


def test_the_amount_defaults_to_the_quantity_at_the_net_unit_price_rounded_half_up(world, products, order_a):
    entry = make_return(world, order_a, "4", "1")
    amounts = list(entry.lines.order_by("order_line__position").values_list("amount", flat=True))
    # 4 × 33.33 × 93 % = 123.9876 → 123.99; 1 × 3,280.00 = 3,280.00
    assert amounts == [Decimal("123.99"), Decimal("3280.00")]
    assert entry.total == Decimal("3403.99") and isinstance(entry.total, Decimal)

    # 10 × ¥0.05 less 10 %: ¥0.045 a unit, half up to ¥0.05 (not the banker's ¥0.04).
    cheap = filed_order(world, products, world["a"], ("P-300", "10", "0.05", "10"))
    entry = make_return(world, cheap, "1")
    assert Return.objects.get(pk=entry.pk).total == Decimal("0.05")


def test_returning_the_rest_of_a_line_in_parts_is_never_refused_by_rounding(world, order_a):
    """Ten units returned five and five with the default amounts refund exactly the line's ¥309.97."""
    first = filed_return(world, order_a, "5")
    second = make_return(world, order_a, "5")
    assert first.total + second.total == LINE_1
    second = approve(world, submit(world, second))
    assert line_left(order_a).amount == Decimal("0.00")


def test_a_pending_return_counts_against_the_next(world, order_a):
    pending = submit(world, make_return(world, order_a, "6"))
    assert pending.status == FilingStatus.PENDING
    with pytest.raises(ValidationError) as refused:
        make_return(world, order_a, "5")
    assert error_codes(refused.value) == {"over_returned"}
    assert make_return(world, order_a, "4").total == Decimal("123.99")


def test_a_draft_a_returned_and_a_binned_return_reserve_nothing(world, order_a):
    draft = make_return(world, order_a, "6")
    assert line_left(order_a).quantity == Decimal("10")
    sent_back = send_back(world, submit(world, make_return(world, order_a, "6")))
    assert sent_back.status == FilingStatus.RETURNED
    assert line_left(order_a).quantity == Decimal("10")
    binned = to_recycle_bin(world, filed_return(world, order_a, "6"))
    assert binned.deleted_at is not None
    assert line_left(order_a).quantity == Decimal("10")
    whole = make_return(world, order_a, "10", "2")
    assert whole.total == ORDER_TOTAL
    assert draft.status == FilingStatus.DRAFT


def test_restoring_a_binned_return_cannot_take_back_more_than_was_ordered(world, order_a):
    binned = to_recycle_bin(world, filed_return(world, order_a, "6"))
    filed_return(world, order_a, "10")
    with pytest.raises(ValidationError) as refused:
        filing.entry_restore(actor=world["archivist"], spec=registry.filable(Return), pk=binned.pk)
    assert error_codes(refused.value) == {"over_returned"}
    assert Return.all_objects.get(pk=binned.pk).deleted_at is not None
    assert line_left(order_a).quantity == Decimal("0")


def test_of_two_drafts_of_six_only_the_first_submitted_goes_through(world, order_a):
    first, second = make_return(world, order_a, "6"), make_return(world, order_a, "6")
    assert submit(world, first).status == FilingStatus.PENDING
    with pytest.raises(ValidationError) as refused:
        filing.entry_submit(actor=world["owner"], entry=second)
    assert error_codes(refused.value) == {"over_returned"}
    assert Return.objects.get(pk=second.pk).status == FilingStatus.DRAFT
    assert not filing.entry_requests(second).exists()


def test_the_approval_checks_again_what_another_approval_took(world, order_a, monkeypatch):
    """Two submissions that raced past the check: the first is filed, the second approval is refused."""
    first, second = make_return(world, order_a, "6"), make_return(world, order_a, "6")
    submit(world, first)
    with monkeypatch.context() as race:
        race.setattr(registry, "submit_checks", lambda model: [])
        submit(world, second)
    assert approve(world, first).status == FilingStatus.FILED
    with pytest.raises(ValidationError) as refused:
        filing.request_approve(actor=world["director"], request_id=request_of(second).pk)
    assert error_codes(refused.value) == {"over_returned"}
    second = Return.objects.get(pk=second.pk)
    assert second.status == FilingStatus.PENDING and second.entry_no is None
    assert request_of(second).state == FilingRequest.State.PENDING
    assert line_left(order_a).quantity == Decimal("-2.000")  # the filed 6 and the pending 6


def _reads_and_locks(monkeypatch, run) -> list[tuple[str, bool, bool]]:
    """``(model, locked, aggregated)`` of every SELECT ``run`` makes, in order (on any database backend)."""
    seen = []
    execute = SQLCompiler.execute_sql

    def spy(compiler, *args, **kwargs):
        query = compiler.query
        seen.append((query.model._meta.label, query.select_for_update, bool(query.annotations)))
        return execute(compiler, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(SQLCompiler, "execute_sql", spy)
        run()
    return seen


def test_what_returns_took_is_read_under_the_lock_that_queues_the_others(world, order_a, monkeypatch):
    """Two submissions at once queue on the order's lock; the one behind must count what the first took."""
    entry = Return.objects.get(pk=make_return(world, order_a, "6").pk)
    seen = _reads_and_locks(monkeypatch, lambda: services.check_return_limits(entry))
    summed = next(
        i for i, (model, _locked, aggregated) in enumerate(seen) if model.endswith("ReturnLine") and aggregated
    )
    locked = [i for i, (model, locking, _agg) in enumerate(seen) if locking and model.startswith("contracts.")]
    assert locked and locked[0] < summed, f"the sum of what was returned is read before any lock: {seen}"


def test_what_discounts_took_is_read_under_the_lock(world, order_a, monkeypatch):
    discount = Discount.objects.get(pk=ask_discount(world, order_a, mode="amount", amount=Decimal("1.00")).pk)
    seen = _reads_and_locks(monkeypatch, lambda: services.discount_submittable(discount, actor=world["owner"]))
    summed = next(i for i, (model, _locked, aggregated) in enumerate(seen) if model.endswith("Discount") and aggregated)
    locked = [i for i, (model, locking, _agg) in enumerate(seen) if locking and model.startswith("contracts.")]
    assert locked and locked[0] < summed, seen


def test_a_compensation_may_return_no_goods(world, order_a):
    line = order_a.lines.get(position=2)
    entry = services.return_create(
        actor=world["owner"],
        order_id=order_a.pk,
        data=return_data(kind="compensation", reason_category="late"),
        lines=[{"order_line": line, "quantity": Decimal("0"), "amount": Decimal("500.00")}],
    )
    assert entry.total == Decimal("500.00")
    approve(world, submit(world, entry))
    left = line_left(order_a, 2)
    assert (left.quantity, left.amount) == (Decimal("2"), Decimal("6060.00"))


def test_a_return_must_return_something(world, order_a):
    line = order_a.lines.get(position=1)
    for lines in ([], [{"order_line": line, "quantity": Decimal("0"), "amount": Decimal("0")}]):
        with pytest.raises(ValidationError) as refused:
            services.return_create(actor=world["owner"], order_id=order_a.pk, data=return_data(), lines=lines)
        assert error_codes(refused.value) == {"no_lines"}
    assert not Return.all_objects.exists() and not Return.history.exists()


def test_a_line_of_another_order_is_refused(world, products, order_a, order_b):
    other_a = filed_order(world, products, world["a"], ("P-300", "1", "415.50", "0"))
    for line in (other_a.lines.get(), order_b.lines.get()):
        with pytest.raises(ValidationError) as refused:
            services.return_create(
                actor=world["owner"],
                order_id=order_a.pk,
                data=return_data(),
                lines=[{"order_line": line, "quantity": Decimal("1")}],
            )
        assert error_codes(refused.value) == {"other_order"}
    assert not Return.all_objects.exists()


def test_the_same_order_line_twice_is_never_counted_twice(world, order_a):
    line = order_a.lines.get(position=1)
    twice = [{"order_line": line, "quantity": Decimal("6")}, {"order_line": line, "quantity": Decimal("6")}]
    with pytest.raises(ValidationError):
        services.return_create(actor=world["owner"], order_id=order_a.pk, data=return_data(), lines=twice)
    entry = make_return(world, order_a, "1")
    with pytest.raises(ValidationError):
        services.return_update(actor=world["owner"], return_id=entry.pk, data={}, lines=twice)
    entry = Return.objects.get(pk=entry.pk)
    assert entry.total == sum(entry.lines.values_list("amount", flat=True)) <= LINE_1


def test_only_a_filed_order_takes_returns(world, products, filed_a):
    draft = contract_services.order_create(
        actor=world["owner"],
        customer_id=filed_a.pk,
        data={"ordered_on": datetime.date(2026, 3, 2)},
        lines=order_lines(products, ("P-100", "1", "3280.00", "0")),
    )
    with pytest.raises(ValidationError) as refused:
        make_return(world, draft, "1")
    assert error_codes(refused.value) == {"order_not_filed"}
    assert not Return.all_objects.exists()


def test_a_complaint_of_another_customer_is_refused_on_a_return(world, order_a, complaint_b):
    with pytest.raises(ValidationError) as refused:
        make_return(world, order_a, "1", complaint=complaint_b)
    assert error_codes(refused.value) == {"other_customer"}
    assert not Return.all_objects.exists()


def test_editing_a_return_rewrites_its_lines_with_history(world, order_a):
    entry = make_return(world, order_a, "4", "1")
    first_line = entry.lines.get(order_line__position=1)
    entry = services.return_update(
        actor=world["co_owner"],
        return_id=entry.pk,
        data={"reason": "只退泵"},
        lines=return_lines(order_a, None, "2"),
        expected_version=entry.version,
    )
    entry = Return.objects.get(pk=entry.pk)
    assert entry.reason == "只退泵" and entry.total == Decimal("6560.00")
    assert [(line.order_line.position, line.quantity) for line in selectors.return_lines(entry)] == [
        (2, Decimal("2.000"))
    ]
    removed = ReturnLine.history.get(id=first_line.pk, history_type="-")
    assert removed.history_user == world["co_owner"] and removed.history_change_reason
    assert ReturnLine.history.filter(history_type="~").count() == 1


def test_a_pending_or_filed_return_is_not_edited(world, order_a):
    entry = submit(world, make_return(world, order_a, "1"))
    with pytest.raises(ValidationError) as refused:
        services.return_update(actor=world["owner"], return_id=entry.pk, data={}, lines=return_lines(order_a, "2"))
    assert error_codes(refused.value) == {"pending"}
    entry = approve(world, entry)
    with pytest.raises(ValidationError) as refused:
        services.return_update(actor=world["owner"], return_id=entry.pk, data={}, lines=return_lines(order_a, "2"))
    assert error_codes(refused.value) == {"filed"}
    assert Return.objects.get(pk=entry.pk).total == Decimal("31.00")


# ---- Discounts --------------------------------------------------------------------------------------------------


def test_a_percentage_discount_is_worked_out_from_the_total_and_sent_at_once(world, order_a):
    discount = ask_discount(world, order_a, mode="percent", percent=Decimal("12.5"))
    # 6,869.97 × 12.5 % = 858.74625 → 858.75
    assert (discount.base, discount.amount, discount.status) == (ORDER_TOTAL, Decimal("858.75"), "pending")
    request = request_of(discount)
    assert request.kind == FilingRequest.Kind.FILING and request.author == world["owner"]
    discounted = selectors.discounts_of(order_a)
    assert (discounted.pending, discounted.approved, discounted.net) == (Decimal("858.75"), 0, ORDER_TOTAL)


def test_an_amount_discount_keeps_its_amount_and_no_percentage(world, order_a):
    discount = ask_discount(world, order_a, mode="amount", amount=Decimal("500.00"), percent=Decimal("50"))
    discount = Discount.objects.get(pk=discount.pk)
    assert (discount.amount, discount.percent, discount.base) == (Decimal("500.00"), None, ORDER_TOTAL)


def test_approved_the_discount_comes_off_the_order(world, order_a):
    discount = approve(world, ask_discount(world, order_a, mode="amount", amount=Decimal("869.97")))
    assert discount.status == FilingStatus.FILED and discount.entry_code == "5-001"
    discounted = selectors.discounts_of(order_a)
    assert discounted.approved == Decimal("869.97") and discounted.pending == 0
    assert discounted.net == Decimal("6000.00")
    assert discounted.discounts == [discount]


def test_a_discount_cannot_take_the_total_below_zero(world, order_a):
    with pytest.raises(ValidationError) as refused:
        ask_discount(world, order_a, mode="amount", amount=ORDER_TOTAL + Decimal("0.01"))
    assert error_codes(refused.value) == {"over_discounted"}
    assert "amount" in refused.value.error_dict
    with pytest.raises(ValidationError):
        ask_discount(world, order_a, mode="percent", percent=Decimal("100.01"))
    assert not Discount.all_objects.exists()
    assert not FilingRequest.objects.filter(content_type__model="discount").exists()
    assert ask_discount(world, order_a, mode="percent", percent=Decimal("100")).amount == ORDER_TOTAL


def test_a_pending_discount_counts_against_the_next(world, order_a):
    ask_discount(world, order_a, mode="amount", amount=Decimal("6000.00"))
    with pytest.raises(ValidationError) as refused:
        ask_discount(world, order_a, mode="amount", amount=Decimal("869.98"))
    assert error_codes(refused.value) == {"over_discounted"}
    assert "869.97" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        ask_discount(world, order_a, mode="percent", percent=Decimal("13"))  # 893.10 > 869.97
    assert error_codes(refused.value) == {"over_discounted"} and "percent" in refused.value.error_dict
    assert ask_discount(world, order_a, mode="amount", amount=Decimal("869.97")).status == "pending"


def test_a_discount_on_a_contract(world, contract_a):
    discount = ask_discount(world, contract_a, mode="percent", percent=Decimal("2"))
    assert (discount.base, discount.amount, discount.order) == (Decimal("500000.00"), Decimal("10000.00"), None)
    approve(world, discount)
    assert selectors.discounts_of(contract_a).net == Decimal("490000.00")


def test_a_discount_is_on_exactly_one_target(world, order_a, contract_a):
    data = {"mode": "amount", "amount": Decimal("1.00"), "reason": "折让"}
    with pytest.raises(ValueError):
        services.discount_request(actor=world["owner"], data=data, order_id=order_a.pk, contract_id=contract_a.pk)
    with pytest.raises(ValueError):
        services.discount_request(actor=world["owner"], data=data)
    assert not Discount.all_objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Discount.objects.create(
            customer=world["a"], order=order_a, contract=contract_a, mode="amount", base=1, amount=1, reason="x"
        )


def test_a_discount_needs_a_filed_target_a_reason_and_a_complaint_of_the_same_customer(
    world, products, order_a, complaint_b
):
    draft = contract_services.order_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        data={"ordered_on": datetime.date(2026, 3, 2)},
        lines=order_lines(products, ("P-100", "1", "3280.00", "0")),
    )
    with pytest.raises(ValidationError) as refused:
        ask_discount(world, draft, mode="amount", amount=Decimal("1.00"))
    assert error_codes(refused.value) == {"target_not_filed"}
    with pytest.raises(ValidationError) as refused:
        ask_discount(world, order_a, reason=" ", mode="amount", amount=Decimal("1.00"))
    assert error_codes(refused.value) == {"required"}
    with pytest.raises(ValidationError) as refused:
        ask_discount(world, order_a, mode="amount", amount=Decimal("1.00"), complaint=complaint_b)
    assert error_codes(refused.value) == {"other_customer"}
    assert not Discount.all_objects.exists()


def test_a_returned_discount_resubmitted_after_another_was_approved_is_checked_again(world, order_a):
    first = send_back(world, ask_discount(world, order_a, mode="amount", amount=Decimal("5000.00")))
    approve(world, ask_discount(world, order_a, mode="amount", amount=Decimal("5000.00")))
    with pytest.raises(ValidationError) as refused:
        filing.entry_submit(actor=world["owner"], entry=first)
    assert error_codes(refused.value) == {"over_discounted"}
    assert Discount.objects.get(pk=first.pk).status == FilingStatus.RETURNED
    with pytest.raises(ValidationError) as refused:
        services.discount_update(actor=world["owner"], discount_id=first.pk, data={"amount": Decimal("1869.98")})
    assert error_codes(refused.value) == {"over_discounted"}
    services.discount_update(actor=world["owner"], discount_id=first.pk, data={"amount": Decimal("1869.97")})
    assert approve(world, submit(world, Discount.objects.get(pk=first.pk))).status == FilingStatus.FILED
    assert selectors.discounts_of(order_a).net == Decimal("0.00")


def test_a_discount_whose_total_changed_is_refused_as_stale(world, contract_a):
    """A filed contract's amount changes through an approved change request while the discount waits."""
    discount = ask_discount(world, contract_a, mode="percent", percent=Decimal("10"))
    change = contract_services.contract_change_propose(
        actor=world["owner"], contract_id=contract_a.pk, data={"amount": Decimal("300000.00")}, note="合同变更"
    )
    filing.request_approve(actor=world["director"], request_id=change.pk)
    with pytest.raises(ValidationError) as refused:
        filing.request_approve(actor=world["director"], request_id=request_of(discount).pk)
    assert error_codes(refused.value) == {"stale"}
    assert "500,000.00" in refused.value.messages[0] and "300,000.00" in refused.value.messages[0]
    assert Discount.objects.get(pk=discount.pk).status == FilingStatus.PENDING
    assert selectors.discounts_of(contract_a).approved == 0

    # Sent back, it is refused again as it stands, and goes through once worked out on the new amount.
    discount = send_back(world, discount)
    with pytest.raises(ValidationError) as refused:
        filing.entry_submit(actor=world["owner"], entry=discount)
    assert error_codes(refused.value) == {"stale"}
    services.discount_update(actor=world["owner"], discount_id=discount.pk, data={"reason": "按变更后金额"})
    discount = approve(world, submit(world, Discount.objects.get(pk=discount.pk)))
    assert (discount.base, discount.amount) == (Decimal("300000.00"), Decimal("30000.00"))
    contract_a.refresh_from_db()
    assert selectors.discounts_of(contract_a).net == Decimal("270000.00")


def test_only_a_returned_discount_is_edited(world, order_a):
    discount = ask_discount(world, order_a, mode="amount", amount=Decimal("100.00"))
    with pytest.raises(ValidationError) as refused:
        services.discount_update(actor=world["owner"], discount_id=discount.pk, data={"amount": Decimal("1.00")})
    assert error_codes(refused.value) == {"pending"}
    discount = approve(world, discount)
    with pytest.raises(ValidationError) as refused:
        services.discount_update(actor=world["owner"], discount_id=discount.pk, data={"amount": Decimal("1.00")})
    assert error_codes(refused.value) == {"filed"}
    assert Discount.objects.get(pk=discount.pk).amount == Decimal("100.00")


def test_a_binned_discount_no_longer_comes_off_the_order(world, order_a):
    discount = approve(world, ask_discount(world, order_a, mode="amount", amount=Decimal("869.97")))
    to_recycle_bin(world, discount)
    assert selectors.discounts_of(order_a).net == ORDER_TOTAL
    assert ask_discount(world, order_a, mode="amount", amount=ORDER_TOTAL).amount == ORDER_TOTAL


# ---- Churn and win-back -----------------------------------------------------------------------------------------


def test_filing_a_churn_record_moves_the_customer_to_the_past_with_its_number(world, filed_a, complaint_a, churn_a):
    file_through_approval(closed(world, complaint_a), author=world["owner"], decider=world["director"])  # 5-001
    assert Customer.objects.get(pk=filed_a.pk).lifecycle != "past"
    churn = file_through_approval(churn_a, author=world["owner"], decider=world["director"])
    assert churn.entry_code == "5-002"
    customer = Customer.objects.get(pk=filed_a.pk)
    assert customer.lifecycle == "past"
    record = customer.history.first()
    assert record.lifecycle == "past" and record.history_user == world["director"]
    assert f"{customer.archive_no} / 5-002" in record.history_change_reason


def test_a_churn_record_is_not_dated_in_the_future(world, filed_a):
    with pytest.raises(ValidationError) as refused:
        services.churn_create(
            actor=world["owner"],
            customer_id=filed_a.pk,
            data=churn_data(churned_on=timezone.localdate() + datetime.timedelta(days=1)),
        )
    assert error_codes(refused.value) == {"future"}
    assert not ChurnRecord.all_objects.exists()


def test_the_win_back_plan_is_made_then_changed(world, churn_a):
    owner = world["owner"]
    target = timezone.localdate() + datetime.timedelta(days=14)
    plan = services.plan_save(
        actor=owner, churn_id=churn_a.pk, data={"next_steps": "总经理拜访", "target_on": target, "responsible": owner}
    )
    assert (plan.state, plan.customer_id, selectors.plan_of(churn_a)) == ("active", churn_a.customer_id, plan)
    again = services.plan_save(
        actor=world["co_owner"], churn_id=churn_a.pk, data={"next_steps": "报价让利 5%", "target_on": target}
    )
    assert again.pk == plan.pk and WinBackPlan.objects.count() == 1
    assert WinBackPlan.objects.get().next_steps == "报价让利 5%"
    reasons = list(plan.history.order_by("history_id").values_list("history_type", "history_change_reason"))
    assert [kind for kind, _reason in reasons] == ["+", "~"]
    assert reasons[0][1] != reasons[1][1]


def _plan(world, churn):
    return services.plan_save(
        actor=world["owner"],
        churn_id=churn.pk,
        data={"next_steps": "总经理拜访", "target_on": timezone.localdate(), "responsible": world["owner"]},
    )


def test_won_back_the_customer_is_current_again_with_its_history(world, filed_a, churn_a):
    _plan(world, churn_a)
    churn = file_through_approval(churn_a, author=world["owner"], decider=world["director"])
    plan = services.plan_conclude(
        actor=world["owner"],
        churn_id=churn.pk,
        state="won_back",
        outcome_on=timezone.localdate(),
        outcome_note="签订新年度框架合同",
    )
    assert (plan.state, plan.outcome_on) == ("won_back", timezone.localdate())
    customer = Customer.objects.get(pk=filed_a.pk)
    assert customer.lifecycle == "current"
    record = customer.history.first()
    assert record.history_user == world["owner"]
    assert "签订新年度框架合同" in record.history_change_reason
    assert f"{customer.archive_no} / {churn.entry_code}" in record.history_change_reason
    assert list(customer.history.values_list("lifecycle", flat=True)[:2]) == ["current", "past"]


def test_given_up_the_customer_stays_in_the_past(world, filed_a, churn_a):
    _plan(world, churn_a)
    churn = file_through_approval(churn_a, author=world["owner"], decider=world["director"])
    versions = Customer.history.filter(id=filed_a.pk).count()
    plan = services.plan_conclude(
        actor=world["owner"], churn_id=churn.pk, state="abandoned", outcome_on=timezone.localdate(), outcome_note="无果"
    )
    assert plan.state == "abandoned"
    assert Customer.objects.get(pk=filed_a.pk).lifecycle == "past"
    assert Customer.history.filter(id=filed_a.pk).count() == versions


def test_no_win_back_before_the_churn_record_is_filed(world, filed_a, churn_a):
    _plan(world, churn_a)
    with pytest.raises(ValidationError) as refused:
        services.plan_conclude(
            actor=world["owner"],
            churn_id=churn_a.pk,
            state="won_back",
            outcome_on=timezone.localdate(),
            outcome_note="回归",
        )
    assert error_codes(refused.value) == {"churn_not_filed"}
    assert WinBackPlan.objects.get().state == "active"
    assert Customer.objects.get(pk=filed_a.pk).lifecycle == world["a"].lifecycle


def test_an_ended_plan_cannot_change(world, churn_a):
    _plan(world, churn_a)
    services.plan_conclude(
        actor=world["owner"],
        churn_id=churn_a.pk,
        state="abandoned",
        outcome_on=timezone.localdate(),
        outcome_note="无果",
    )
    with pytest.raises(ValidationError) as refused:
        services.plan_save(actor=world["owner"], churn_id=churn_a.pk, data={"next_steps": "再试"})
    assert error_codes(refused.value) == {"ended"}
    with pytest.raises(ValidationError) as refused:
        services.plan_conclude(
            actor=world["owner"],
            churn_id=churn_a.pk,
            state="won_back",
            outcome_on=timezone.localdate(),
            outcome_note="x",
        )
    assert error_codes(refused.value) == {"ended"}
    assert WinBackPlan.objects.get().next_steps == "总经理拜访"


def test_the_outcome_is_dated_between_the_loss_and_today(world, churn_a):
    _plan(world, churn_a)
    lost = churn_a.churned_on
    for when in (lost - datetime.timedelta(days=1), timezone.localdate() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            services.plan_conclude(
                actor=world["owner"], churn_id=churn_a.pk, state="abandoned", outcome_on=when, outcome_note="无果"
            )
        assert error_codes(refused.value) == {"out_of_range"}
    with pytest.raises(ValidationError) as refused:
        services.plan_conclude(
            actor=world["owner"], churn_id=churn_a.pk, state="active", outcome_on=lost, outcome_note="无果"
        )
    assert error_codes(refused.value) == {"invalid"}
    assert WinBackPlan.objects.get().state == "active"
    plan = services.plan_conclude(
        actor=world["owner"], churn_id=churn_a.pk, state="abandoned", outcome_on=lost, outcome_note="当日即放弃"
    )
    assert plan.outcome_on == lost


def test_concluding_without_a_plan_is_a_404(world, churn_a):
    with pytest.raises(Http404):
        services.plan_conclude(
            actor=world["owner"],
            churn_id=churn_a.pk,
            state="abandoned",
            outcome_on=timezone.localdate(),
            outcome_note="x",
        )


def test_a_filed_churn_record_changes_only_through_a_request_without_its_date(world, churn_a):
    churn = file_through_approval(churn_a, author=world["owner"], decider=world["director"])
    with pytest.raises(ValidationError) as refused:
        services.churn_update(actor=world["owner"], churn_id=churn.pk, data={"competitor": "某某"})
    assert error_codes(refused.value) == {"filed"}
    with pytest.raises(ValueError):
        services.churn_change_propose(
            actor=world["owner"], churn_id=churn.pk, data={"churned_on": churn.churned_on}, note="改"
        )
    request = services.churn_change_propose(
        actor=world["owner"], churn_id=churn.pk, data={"competitor": "东方泵业"}, note="核实后更正"
    )
    assert request.proposed == {"competitor": "东方泵业"}
    filing.request_approve(actor=world["director"], request_id=request.pk)
    assert ChurnRecord.objects.get(pk=churn.pk).competitor == "东方泵业"


def test_the_filing_numbers_of_the_category_follow_the_filing_order(world, order_a, complaint_a, churn_a):
    entries = [
        approve(world, ask_discount(world, order_a, mode="amount", amount=Decimal("1.00"))),
        filed_return(world, order_a, "1"),
        file_through_approval(churn_a, author=world["owner"], decider=world["director"]),
        file_through_approval(closed(world, complaint_a), author=world["owner"], decider=world["director"]),
    ]
    assert [entry.entry_code for entry in entries] == ["5-001", "5-002", "5-003", "5-004"]
    content_types = ContentType.objects.get_for_models(Complaint, Return, Discount, ChurnRecord)
    assert FilingRequest.objects.filter(content_type__in=content_types.values(), state="approved").count() == 4


# ---- An order moved to the recycle bin while an entry on it waits -----------------------------------------------


def test_a_discount_waiting_on_an_order_moved_to_the_recycle_bin_is_refused_not_crashed(world, order_a):
    discount = ask_discount(world, order_a, mode="amount", amount=Decimal("100.00"))
    to_recycle_bin(world, order_a)
    with pytest.raises(ValidationError):
        filing.request_approve(actor=world["director"], request_id=request_of(discount).pk)
    assert Discount.objects.get(pk=discount.pk).status == FilingStatus.PENDING
    outcome = filing.requests_approve(actor=world["director"], request_ids=[request_of(discount).pk])
    assert [o.approved for o in outcome] == [False]


def test_a_return_waiting_on_an_order_moved_to_the_recycle_bin_is_not_filed(world, order_a):
    entry = submit(world, make_return(world, order_a, "2"))
    to_recycle_bin(world, order_a)
    with pytest.raises(ValidationError):
        filing.request_approve(actor=world["director"], request_id=request_of(entry).pk)
    assert Return.objects.get(pk=entry.pk).status == FilingStatus.PENDING


def test_returns_and_discounts_together_never_give_back_more_than_the_order_total(world, order_a):
    """The customer had ¥869.97 off the order, then sends everything back: the refund is at most what is left."""
    approve(world, ask_discount(world, order_a, mode="amount", amount=Decimal("869.97")))
    try:
        entry = approve(world, submit(world, make_return(world, order_a, "10", "2")))
    except ValidationError:
        refunded = Decimal(0)
    else:
        refunded = entry.total
    assert refunded + selectors.discounts_of(order_a).approved <= ORDER_TOTAL, f"refunded ¥{refunded}"
