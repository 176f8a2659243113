"""Writes to complaints, returns, discounts and churn records. Each checks rights, validates and saves with the trail.

Every record is reached through its customer's rights (:mod:`customers.permissions`): unseen is a 404, seen but
not kept a 403. Complaints, returns, discounts and churn records are archive entries (:mod:`archive.filing`):
authors edit drafts and returned entries here and the director files them. The limits that money depends on are
checked under row locks when an entry is saved, again when it is submitted and again when it is approved, so two
returns can never take back more than was ordered, nor two discounts take off more than the total.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from archive import filing
from archive.choices import FilingStatus
from archive.history import delete_with_trail, save_with_trail, user_display
from archive.models import FilingRequest
from contracts.models import Contract, Order, OrderLine, money
from customers import permissions
from customers.choices import Lifecycle
from customers.models import Customer
from customers.permissions import Action

from .choices import ComplaintState, DiscountMode, WinBackState
from .models import ChurnRecord, Complaint, ComplaintStep, Discount, Return, ReturnLine, WinBackPlan

COMPLAINT_FIELDS = frozenset(
    {
        "received_at",
        "channel",
        "category",
        "severity",
        "subject",
        "content",
        "order",
        "contact",
        "their_people",
        "handler",
        "our_people",
    }
)
CLOSING_FIELDS = frozenset({"result", "responsibility", "responsibility_note", "satisfaction", "closed_on"})
RETURN_FIELDS = frozenset({"complaint", "kind", "returned_on", "reason_category", "reason"})
DISCOUNT_FIELDS = frozenset({"complaint", "mode", "percent", "amount", "reason"})
CHURN_FIELDS = frozenset({"churned_on", "reason_category", "narrative", "competitor"})
PLAN_FIELDS = frozenset({"next_steps", "target_on", "responsible"})
# What counts against an order line or a total: entries on their way to the archive or in it. A draft or a
# returned entry reserves nothing until it is submitted (and is checked again then).
COMMITTED = (FilingStatus.PENDING, FilingStatus.FILED)
ZERO = Decimal("0")


def _apply(instance, data: Mapping, allowed) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"fields not writable here: {sorted(unknown)}")
    for name, value in data.items():
        setattr(instance, name, value)


def _required(**values) -> None:
    """Refuse with a 'required' error on every field whose value is empty."""
    missing = {
        name: ValidationError(_("This field is required."), code="required")
        for name, value in values.items()
        if value in (None, "") or (isinstance(value, str) and not value.strip())
    }
    if missing:
        raise ValidationError(missing)


def _locked_to_change(actor, model, pk):
    """A record of ``model``, locked, if ``actor`` may change its customer; 404 if they may not read it."""
    try:
        record = permissions.restrict_related(model.objects.select_for_update(of=("self",)), actor).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not permissions.can(actor, Action.CHANGE, record.customer):
        raise PermissionDenied
    return record


def _editable(entry, expected_version: int | None) -> None:
    filing.check_editable(entry)
    filing.check_version(entry, expected_version)


def _same_customer(customer_id: int, **related) -> None:
    """Every related record given must belong to the customer: an order, a contact, a complaint …"""
    errors = {
        name: ValidationError(_("It belongs to another customer."), code="other_customer")
        for name, record in related.items()
        if record is not None and record.customer_id != customer_id
    }
    if errors:
        raise ValidationError(errors)


# ---- Complaints -----------------------------------------------------------------------------------------------


def due_at(received_at: datetime.datetime, severity: str) -> datetime.datetime:
    """When a complaint of this severity received then must be closed (``ARCHIVE_COMPLAINT_DUE_HOURS``)."""
    return received_at + datetime.timedelta(hours=settings.ARCHIVE_COMPLAINT_DUE_HOURS[severity])


def _save_complaint(complaint: Complaint, *, actor, reason: str) -> Complaint:
    _same_customer(complaint.customer_id, order=complaint.order, contact=complaint.contact)
    if complaint.received_at and complaint.received_at > timezone.now():
        raise ValidationError(
            {"received_at": ValidationError(_("A complaint cannot be received in the future."), code="future")}
        )
    if complaint.closed_on and complaint.closed_on < timezone.localtime(complaint.received_at).date():
        raise ValidationError(
            {"received_at": ValidationError(_("A complaint cannot be closed before it was received."), code="early")}
        )
    if complaint.received_at and complaint.severity:
        complaint.due_at = due_at(complaint.received_at, complaint.severity)
    return save_with_trail(complaint, actor=actor, reason=reason)


@transaction.atomic
def complaint_create(*, actor, customer_id: int, data: Mapping) -> Complaint:
    """Record a complaint as it comes in, on a customer the actor keeps; it is open until closed."""
    customer = permissions.customer_to_change(actor, customer_id)
    complaint = Complaint(customer=customer, created_by=actor, state=ComplaintState.OPEN)
    _apply(complaint, data, COMPLAINT_FIELDS)
    return _save_complaint(complaint, actor=actor, reason=_("Complaint received"))


@transaction.atomic
def complaint_update(*, actor, complaint_id: int, data: Mapping, expected_version: int | None = None) -> Complaint:
    """Correct what was recorded of a complaint that is not yet filed."""
    complaint = _locked_to_change(actor, Complaint, complaint_id)
    _editable(complaint, expected_version)
    _apply(complaint, data, COMPLAINT_FIELDS)
    complaint.version += 1
    return _save_complaint(complaint, actor=actor, reason=_("Complaint edited"))


def _record_step(complaint: Complaint, taken_at, action: str, *, actor) -> ComplaintStep:
    step = ComplaintStep(
        complaint=complaint, taken_at=taken_at, actor=actor, actor_name=user_display(actor), action=action
    )
    return save_with_trail(step, actor=actor, reason=_("Handling step added"))


@transaction.atomic
def step_add(*, actor, complaint_id: int, action: str, taken_at: datetime.datetime | None = None) -> ComplaintStep:
    """Add a step to the handling timeline; the first step moves the complaint from received to being handled."""
    complaint = _locked_to_change(actor, Complaint, complaint_id)
    filing.check_editable(complaint)
    if not complaint.is_open:
        raise ValidationError(_("The complaint is closed; reopen it to add a step."), code="closed")
    _required(action=action)
    taken_at = taken_at or timezone.now()
    if taken_at < complaint.received_at or taken_at > timezone.now():
        raise ValidationError(
            {
                "taken_at": ValidationError(
                    _("A step is taken between the complaint's reception and now."), code="out_of_range"
                )
            }
        )
    step = _record_step(complaint, taken_at, action, actor=actor)
    if complaint.state == ComplaintState.OPEN:
        complaint.state = ComplaintState.HANDLING
        complaint.version += 1
        save_with_trail(complaint, actor=actor, reason=_("Handling started"), clean=False)
    return step


@transaction.atomic
def complaint_close(*, actor, complaint_id: int, data: Mapping, expected_version: int | None = None) -> Complaint:
    """Close a complaint with its result, responsibility and the customer's satisfaction (1–5)."""
    complaint = _locked_to_change(actor, Complaint, complaint_id)
    _editable(complaint, expected_version)
    if not complaint.is_open:
        raise ValidationError(_("The complaint is already closed."), code="closed")
    _apply(complaint, data, CLOSING_FIELDS)
    _required(
        result=complaint.result,
        responsibility=complaint.responsibility,
        satisfaction=complaint.satisfaction,
        closed_on=complaint.closed_on,
    )
    if complaint.closed_on < timezone.localtime(complaint.received_at).date():
        raise ValidationError(
            {"closed_on": ValidationError(_("A complaint cannot be closed before it was received."), code="early")}
        )
    if complaint.closed_on > timezone.localdate():
        raise ValidationError({"closed_on": ValidationError(_("The closing date is in the future."), code="future")})
    complaint.state = ComplaintState.CLOSED
    complaint.version += 1
    return save_with_trail(complaint, actor=actor, reason=_("Complaint closed"))


@transaction.atomic
def complaint_reopen(*, actor, complaint_id: int, reason: str, expected_version: int | None = None) -> Complaint:
    """Reopen a closed complaint that is not yet filed (the customer came back to it)."""
    complaint = _locked_to_change(actor, Complaint, complaint_id)
    _editable(complaint, expected_version)
    if complaint.is_open:
        raise ValidationError(_("The complaint is still open."), code="open")
    _required(reason=reason)
    complaint.state = ComplaintState.HANDLING
    complaint.closed_on = None
    complaint.satisfaction = None  # asked again when it is closed again; the trail keeps the earlier answer
    complaint.version += 1
    save_with_trail(complaint, actor=actor, reason=_("Complaint reopened: %(reason)s") % {"reason": reason})
    _record_step(complaint, timezone.now(), _("Reopened: %(reason)s") % {"reason": reason}, actor=actor)
    return complaint


def complaint_submittable(complaint: Complaint, *, actor) -> None:
    """Submit check: only a closed complaint goes into the archive."""
    if complaint.is_open:
        raise ValidationError(
            _("Close the complaint with its result and the customer's satisfaction before filing it."), code="open"
        )


@transaction.atomic
def complaint_change_propose(*, actor, complaint_id: int, data: Mapping, note: str) -> FilingRequest:
    """Propose a change to a filed complaint's outcome (result, responsibility, satisfaction)."""
    complaint = _locked_to_change(actor, Complaint, complaint_id)
    _apply(Complaint(), data, CLOSING_FIELDS - {"closed_on"})
    return filing.change_propose(actor=actor, entry=complaint, data=dict(data), note=note)


# ---- Returns --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Returnable:
    """What is left to return of one order line: ordered less what committed returns already took back."""

    line: OrderLine
    returned_quantity: Decimal
    returned_amount: Decimal

    @property
    def quantity(self) -> Decimal:
        return self.line.quantity - self.returned_quantity

    @property
    def amount(self) -> Decimal:
        return self.line.amount - self.returned_amount

    @property
    def unit_amount(self) -> Decimal:
        """What one unit was invoiced at, after the line's discount (the default refund per unit)."""
        return self.line.amount / self.line.quantity


def returnable(
    order: Order, *, exclude: Return | None = None, lock: bool = False, counted=COMMITTED
) -> dict[int, Returnable]:
    """Per order line id, what may still be returned (two queries; the lines are locked when ``lock``, before
    what other returns took is read, so a second submission or approval waits and then counts the first)."""
    lines = order.lines.select_related("product").order_by("position", "id")
    if lock:
        lines = lines.select_for_update(of=("self",))
    lines = list(lines)
    taken = (
        ReturnLine.objects.filter(
            order_line__order=order, return_entry__status__in=counted, return_entry__deleted_at__isnull=True
        )
        .exclude(return_entry=exclude)
        .values("order_line")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
    )
    done = {row["order_line"]: (row["quantity"], row["amount"]) for row in taken}
    return {line.pk: Returnable(line, *(Decimal(v) for v in done.get(line.pk, (ZERO, ZERO)))) for line in lines}


def _over_limit(left: Returnable, quantity: Decimal, amount: Decimal) -> ValidationError | None:
    line = left.line
    params = {
        "position": line.position,
        "product": line.product.name,
        "ordered": f"{line.quantity:,.3f}",
        "returned": f"{left.returned_quantity:,.3f}",
        "left": f"{left.quantity:,.3f}",
        "amount_left": f"{left.amount:,.2f}",
    }
    if quantity > left.quantity:
        return ValidationError(
            _(
                "Line %(position)s (%(product)s): at most %(left)s can still be returned "
                "(ordered %(ordered)s, already returned %(returned)s)."
            ),
            code="over_returned",
            params=params,
        )
    if amount > left.amount:
        return ValidationError(
            _("Line %(position)s (%(product)s): at most ¥%(amount_left)s can still be refunded or compensated."),
            code="over_returned",
            params=params,
        )
    return None


def given_back(order: Order, *, counted=COMMITTED, exclude=None) -> Decimal:
    """What committed returns refunded and committed discounts took off ``order`` (``exclude``: an entry left out)."""
    returns = Return.objects.filter(order=order, status__in=counted)
    discounts = Discount.objects.filter(order=order, status__in=counted)
    if isinstance(exclude, Return):
        returns = returns.exclude(pk=exclude.pk)
    if isinstance(exclude, Discount):
        discounts = discounts.exclude(pk=exclude.pk)
    return (returns.aggregate(total=Sum("total"))["total"] or ZERO) + (
        discounts.aggregate(total=Sum("amount"))["total"] or ZERO
    )


def _over_order(order: Order, amount: Decimal, *, counted=COMMITTED, exclude=None) -> None:
    left = order.total - given_back(order, counted=counted, exclude=exclude)
    if amount > left:
        raise ValidationError(
            _("At most ¥%(left)s can still be refunded on this order (returns and discounts together)."),
            code="over_returned",
            params={"left": f"{left:,.2f}"},
        )


def check_return_limits(entry: Return, *, actor=None, counted=COMMITTED) -> None:
    """No line of the return takes back more than ordered less what other committed returns took (locked)."""
    if not Order.objects.filter(pk=entry.order_id).exists():
        raise ValidationError(_("The order is in the recycle bin."), code="order_deleted")
    left = returnable(entry.order, exclude=entry, lock=True, counted=counted)
    errors = [
        problem
        for line in entry.lines.all()
        if (problem := _over_limit(left[line.order_line_id], line.quantity, line.amount))
    ]
    if errors:
        raise ValidationError(errors)
    _over_order(entry.order, entry.total, counted=counted, exclude=entry)


def _order_to_return(actor, order_id) -> Order:
    try:
        order = permissions.restrict_related(Order.objects.select_for_update(of=("self",)), actor).get(pk=order_id)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not permissions.can(actor, Action.CHANGE, order.customer):
        raise PermissionDenied
    if not order.is_filed:
        raise ValidationError(_("Only goods of a filed order can be returned."), code="order_not_filed")
    return order


def _write_return_lines(entry: Return, lines: list[Mapping], *, actor, reason: str) -> Decimal:
    """Make the return's lines exactly ``lines`` (``order_line``, ``quantity``, optional ``amount``); the total."""
    lines = [line for line in lines if (line.get("quantity") or ZERO) > 0 or (line.get("amount") or ZERO) > 0]
    if not lines:
        raise ValidationError(_("Say how much of at least one order line comes back."), code="no_lines")
    ids = [getattr(line["order_line"], "pk", line["order_line"]) for line in lines]
    if len(ids) != len(set(ids)):
        raise ValidationError(_("Each order line is returned once in a return."), code="duplicate_line")
    left = returnable(entry.order, exclude=entry, lock=True)
    existing = {line.order_line_id: line for line in entry.lines.select_for_update()}
    errors, total, kept = [], ZERO, set()
    for values in lines:
        order_line = values["order_line"]
        line_id = getattr(order_line, "pk", order_line)
        if line_id not in left:
            raise ValidationError(_("The line is not one of this order's lines."), code="other_order")
        quantity = Decimal(values.get("quantity") or 0)
        amount = values.get("amount")
        if amount in (None, ""):
            # The rest of a line refunds the rest of its amount, so rounding never refuses the last units.
            rest = left[line_id]
            amount = rest.amount if quantity == rest.quantity else min(money(quantity * rest.unit_amount), rest.amount)
        else:
            amount = money(amount)
        if quantity < 0 or amount < 0:
            errors.append(ValidationError(_("Quantities and amounts cannot be negative."), code="negative"))
            continue
        if problem := _over_limit(left[line_id], quantity, amount):
            errors.append(problem)
            continue
        line = existing.get(line_id) or ReturnLine(return_entry=entry, order_line_id=line_id)
        if line.pk is None or (line.quantity, line.amount) != (quantity, amount):
            line.quantity, line.amount = quantity, amount
            save_with_trail(line, actor=actor, reason=reason, clean=False)
        kept.add(line_id)
        total += amount
    if errors:
        raise ValidationError(errors)
    for line_id, line in existing.items():
        if line_id not in kept:
            delete_with_trail(line, actor=actor, reason=reason)
    return total


def _save_return(entry: Return, lines: list[Mapping], *, actor, reason: str) -> Return:
    _same_customer(entry.customer_id, complaint=entry.complaint)
    if entry.returned_on and not entry.order.ordered_on <= entry.returned_on <= timezone.localdate():
        raise ValidationError(
            {
                "returned_on": ValidationError(
                    _("A return is dated between the order (%(date)s) and today.")
                    % {"date": entry.order.ordered_on.isoformat()},
                    code="out_of_range",
                )
            }
        )
    entry.full_clean(exclude=["total"])
    if entry.pk is None:
        save_with_trail(entry, actor=actor, reason=reason, clean=False)
    entry.total = _write_return_lines(entry, list(lines), actor=actor, reason=reason)
    _over_order(entry.order, entry.total, exclude=entry)
    return save_with_trail(entry, actor=actor, reason=reason, clean=False)


@transaction.atomic
def return_create(*, actor, order_id: int, data: Mapping, lines: list[Mapping]) -> Return:
    """Enter a return of a filed order's goods as a draft; amounts default to what the goods were invoiced at."""
    order = _order_to_return(actor, order_id)
    entry = Return(customer=order.customer, order=order, created_by=actor)
    _apply(entry, data, RETURN_FIELDS)
    return _save_return(entry, lines, actor=actor, reason=_("Return entered"))


@transaction.atomic
def return_update(
    *, actor, return_id: int, data: Mapping, lines: list[Mapping], expected_version: int | None = None
) -> Return:
    entry = _locked_to_change(actor, Return, return_id)
    _editable(entry, expected_version)
    _apply(entry, data, RETURN_FIELDS)
    entry.version += 1
    return _save_return(entry, lines, actor=actor, reason=_("Return edited"))


def return_filed(entry: Return, *, actor, request) -> None:
    """Filing hook: what was approved must still fit the order (another return may have been filed meanwhile).
    Only what is filed counts here: another pending return is checked when it is approved itself."""
    check_return_limits(entry, counted=(FilingStatus.FILED,))


# ---- Discounts ------------------------------------------------------------------------------------------------


def discount_base(target: Order | Contract) -> Decimal:
    return target.total if isinstance(target, Order) else target.amount


def committed_discounts(target: Order | Contract, *, exclude: Discount | None = None) -> Decimal:
    """What committed discounts already take off ``target``."""
    field = "order" if isinstance(target, Order) else "contract"
    queryset = Discount.objects.filter(**{field: target}, status__in=COMMITTED).exclude(pk=getattr(exclude, "pk", None))
    return queryset.aggregate(total=Sum("amount"))["total"] or ZERO


def _work_out_discount(discount: Discount) -> None:
    """Base and amount from the target and the mode; refuses what would take the target below zero."""
    target = discount.target
    discount.base = discount_base(target)
    if discount.mode == DiscountMode.PERCENT:
        _required(percent=discount.percent)
        discount.amount = money(discount.base * discount.percent / 100)
    else:
        _required(amount=discount.amount)
        discount.percent = None
    taken = committed_discounts(target, exclude=discount)
    if isinstance(target, Order):
        taken = given_back(target, exclude=discount)
    left = discount.base - taken
    if discount.amount > left:
        raise ValidationError(
            {
                "amount" if discount.mode == DiscountMode.AMOUNT else "percent": ValidationError(
                    _("At most ¥%(left)s can still be taken off (¥%(base)s less ¥%(taken)s already discounted)."),
                    code="over_discounted",
                    params={
                        "left": f"{left:,.2f}",
                        "base": f"{discount.base:,.2f}",
                        "taken": f"{discount.base - left:,.2f}",
                    },
                )
            }
        )


def _target_to_discount(actor, *, order_id=None, contract_id=None):
    model, pk = (Order, order_id) if order_id else (Contract, contract_id)
    try:
        target = permissions.restrict_related(model.objects.select_for_update(of=("self",)), actor).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not permissions.can(actor, Action.CHANGE, target.customer):
        raise PermissionDenied
    if not target.is_filed:
        raise ValidationError(_("A discount is asked for on a filed order or contract."), code="target_not_filed")
    return target


@transaction.atomic
def discount_request(*, actor, data: Mapping, order_id: int | None = None, contract_id: int | None = None) -> Discount:
    """Ask the director for a discount on a filed order or contract; it goes to the inbox at once."""
    if bool(order_id) == bool(contract_id):
        raise ValueError("a discount is on an order or on a contract")
    target = _target_to_discount(actor, order_id=order_id, contract_id=contract_id)
    discount = Discount(customer=target.customer, created_by=actor, order=None, contract=None)
    setattr(discount, "order" if order_id else "contract", target)
    _apply(discount, data, DISCOUNT_FIELDS)
    _required(reason=discount.reason)
    _same_customer(discount.customer_id, complaint=discount.complaint)
    _work_out_discount(discount)
    save_with_trail(discount, actor=actor, reason=_("Discount asked for"))
    filing.entry_submit(actor=actor, entry=discount, note=discount.reason)
    discount.refresh_from_db()
    return discount


@transaction.atomic
def discount_update(*, actor, discount_id: int, data: Mapping, expected_version: int | None = None) -> Discount:
    """Correct a returned discount request before submitting it again."""
    discount = _locked_to_change(actor, Discount, discount_id)
    _editable(discount, expected_version)
    _apply(discount, data, DISCOUNT_FIELDS)
    _required(reason=discount.reason)
    _same_customer(discount.customer_id, complaint=discount.complaint)
    _work_out_discount(discount)
    discount.version += 1
    return save_with_trail(discount, actor=actor, reason=_("Discount request edited"))


def discount_submittable(discount: Discount, *, actor) -> None:
    """Submit check (and filing hook): the target's total may have changed, or another discount been filed."""
    try:
        target = type(discount.target).objects.select_for_update(of=("self",)).get(pk=discount.target.pk)
    except ObjectDoesNotExist:
        raise ValidationError(
            _("The order or contract of this discount is in the recycle bin."), code="target_deleted"
        ) from None
    if discount_base(target) != discount.base:
        raise ValidationError(
            _("The total has changed from ¥%(before)s to ¥%(now)s since the discount was asked for; correct it.")
            % {"before": f"{discount.base:,.2f}", "now": f"{discount_base(target):,.2f}"},
            code="stale",
        )
    _work_out_discount(discount)


def discount_filed(discount: Discount, *, actor, request) -> None:
    discount_submittable(discount, actor=actor)


# ---- Churn and win-back ---------------------------------------------------------------------------------------


def _customer_lifecycle(customer_id: int, lifecycle: str, *, actor, reason: str) -> Customer:
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if customer.lifecycle != lifecycle:
        customer.lifecycle = lifecycle
        save_with_trail(customer, actor=actor, reason=reason, clean=False)
    return customer


def _save_churn(churn: ChurnRecord, *, actor, reason: str) -> ChurnRecord:
    if churn.churned_on and churn.churned_on > timezone.localdate():
        raise ValidationError({"churned_on": ValidationError(_("The date is in the future."), code="future")})
    return save_with_trail(churn, actor=actor, reason=reason)


@transaction.atomic
def churn_create(*, actor, customer_id: int, data: Mapping) -> ChurnRecord:
    """Record that a customer was lost, as a draft; filed, it moves the customer to the past lifecycle."""
    customer = permissions.customer_to_change(actor, customer_id)
    churn = ChurnRecord(customer=customer, created_by=actor)
    _apply(churn, data, CHURN_FIELDS)
    return _save_churn(churn, actor=actor, reason=_("Churn recorded"))


@transaction.atomic
def churn_update(*, actor, churn_id: int, data: Mapping, expected_version: int | None = None) -> ChurnRecord:
    churn = _locked_to_change(actor, ChurnRecord, churn_id)
    _editable(churn, expected_version)
    _apply(churn, data, CHURN_FIELDS)
    churn.version += 1
    return _save_churn(churn, actor=actor, reason=_("Churn record edited"))


@transaction.atomic
def churn_change_propose(*, actor, churn_id: int, data: Mapping, note: str) -> FilingRequest:
    churn = _locked_to_change(actor, ChurnRecord, churn_id)
    _apply(ChurnRecord(), data, CHURN_FIELDS - {"churned_on"})
    return filing.change_propose(actor=actor, entry=churn, data=dict(data), note=note)


def churn_filed(churn: ChurnRecord, *, actor, request) -> Customer:
    """Filing hook: the customer is now a past customer (过去客户), and its history says why."""
    return _customer_lifecycle(
        churn.customer_id,
        Lifecycle.PAST,
        actor=actor,
        reason=_("Lost: churn record %(number)s filed (request #%(request)s)")
        % {"number": filing.catalogue_number(churn.customer, churn), "request": request.pk},
    )


@transaction.atomic
def plan_save(*, actor, churn_id: int, data: Mapping) -> WinBackPlan:
    """Write the win-back plan of a churn record (there is one per record): next steps, by when, who."""
    churn = _locked_to_change(actor, ChurnRecord, churn_id)
    plan = WinBackPlan.objects.select_for_update().filter(churn=churn).first()
    plan = plan or WinBackPlan(churn=churn, customer_id=churn.customer_id)
    if plan.state != WinBackState.ACTIVE:
        raise ValidationError(_("The plan has ended; it can no longer be changed."), code="ended")
    creating = plan.pk is None
    _apply(plan, data, PLAN_FIELDS)
    return save_with_trail(
        plan, actor=actor, reason=_("Win-back plan made") if creating else _("Win-back plan changed")
    )


@transaction.atomic
def plan_conclude(*, actor, churn_id: int, state: str, outcome_on: datetime.date, outcome_note: str) -> WinBackPlan:
    """End a win-back plan. Won back, the customer returns to the current lifecycle (现在客户)."""
    churn = _locked_to_change(actor, ChurnRecord, churn_id)
    plan = WinBackPlan.objects.select_for_update().filter(churn=churn).first()
    if plan is None:
        raise Http404
    if plan.state != WinBackState.ACTIVE:
        raise ValidationError(_("The plan has already ended."), code="ended")
    if state not in (WinBackState.WON_BACK, WinBackState.ABANDONED):
        raise ValidationError({"state": ValidationError(_("Choose how the plan ended."), code="invalid")})
    _required(outcome_on=outcome_on, outcome_note=outcome_note)
    if outcome_on > timezone.localdate() or outcome_on < churn.churned_on:
        raise ValidationError(
            {"outcome_on": ValidationError(_("The date lies between the loss and today."), code="out_of_range")}
        )
    if state == WinBackState.WON_BACK and not churn.is_filed:
        raise ValidationError(
            _("The churn record is not filed yet: the customer was never moved to the past."), code="churn_not_filed"
        )
    plan.state, plan.outcome_on, plan.outcome_note = state, outcome_on, outcome_note
    save_with_trail(plan, actor=actor, reason=_("Win-back plan ended"))
    if state == WinBackState.WON_BACK:
        _customer_lifecycle(
            churn.customer_id,
            Lifecycle.CURRENT,
            actor=actor,
            reason=_("Won back after churn record %(number)s: %(note)s")
            % {"number": filing.catalogue_number(churn.customer, churn), "note": outcome_note},
        )
    return plan
