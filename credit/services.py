"""Writes to the credit archive: applications, the ledger, extensions and repayment plans.

Each service checks the actor's rights on the customer through the gateway, locks what it changes, validates and
saves with the trail, in one transaction. The ledger's two promises are kept here, under row locks: no payment is
allocated beyond its amount and no receivable is paid beyond its amount, so what is owed is never negative.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils.translation import gettext as _

from archive import filing
from archive.history import delete_with_trail, save_with_trail, user_display
from contracts.models import Order, money
from contracts.services import OVERRIDE_PERMISSION
from customers import permissions
from customers.permissions import Action
from customers.validators import validate_attachment

from . import ledger, scoring, selectors
from .choices import Allocation, Factor
from .models import (
    CreditApplication,
    CreditEvidence,
    CreditProfile,
    ExtensionRequest,
    Instalment,
    LimitOverride,
    Payment,
    PaymentAllocation,
    Receivable,
    RepaymentPlan,
)

APPLICATION_FIELDS = frozenset(
    {"requested_limit", "terms_days", "payment_method", "guarantee"}
    | {f"score_{factor}" for factor in Factor.values}
    | {f"note_{factor}" for factor in Factor.values}
)
RECEIVABLE_FIELDS = frozenset({"amount", "issued_on", "due_on", "reason"})
PAYMENT_FIELDS = frozenset({"received_on", "amount", "method", "reference", "note"})
PLAN_FIELDS = frozenset({"title", "starts_on", "note"})


def _apply(instance, data: Mapping, allowed) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"fields not writable here: {sorted(unknown)}")
    for name, value in data.items():
        setattr(instance, name, value)


def _locked_to_change(actor, queryset, pk):
    """A record of ``queryset``, locked, if ``actor`` may change its customer; 404 if they may not read it."""
    try:
        record = permissions.restrict_related(queryset.select_for_update(of=("self",)), actor).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not permissions.can(actor, Action.CHANGE, record.customer):
        raise PermissionDenied
    return record


def terms_days(customer_id: int) -> int:
    profile = CreditProfile.objects.filter(customer_id=customer_id).only("terms_days").first()
    return profile.terms_days if profile else settings.ARCHIVE_CREDIT_DEFAULT_TERMS_DAYS


# ---- Credit applications ------------------------------------------------------------------------------------


def _assess(application: CreditApplication) -> None:
    scores = application.scores()
    if any(score is None for score in scores.values()) or application.requested_limit is None:
        return  # full_clean reports the missing score
    result = scoring.assess(scores, application.requested_limit)
    application.total_score, application.proposed_grade, application.proposed_limit = (
        result.total,
        result.grade,
        result.limit,
    )


@transaction.atomic
def application_create(*, actor, customer_id: int, data: Mapping) -> CreditApplication:
    """A manager scores the customer on the 5C: a draft application with its proposed grade and limit."""
    customer = permissions.customer_to_change(actor, customer_id)
    application = CreditApplication(customer=customer, created_by=actor)
    _apply(application, data, APPLICATION_FIELDS)
    _assess(application)
    return save_with_trail(application, actor=actor, reason=_("Credit application entered"))


@transaction.atomic
def application_update(
    *, actor, application_id: int, data: Mapping, expected_version: int | None = None
) -> CreditApplication:
    application = _locked_to_change(actor, CreditApplication.objects, application_id)
    filing.check_editable(application)
    filing.check_version(application, expected_version)
    _apply(application, data, APPLICATION_FIELDS)
    _assess(application)
    application.version += 1
    return save_with_trail(application, actor=actor, reason=_("Credit application edited"))


@transaction.atomic
def evidence_add(
    *, actor, application_id: int, factor: str, upload: UploadedFile, description: str = ""
) -> CreditEvidence:
    """Attach a document behind a score, while the application is a draft or returned."""
    application = _locked_to_change(actor, CreditApplication.objects, application_id)
    filing.check_editable(application)
    evidence = CreditEvidence(
        application=application, factor=factor, description=description, uploaded_by=actor, original_name=upload.name
    )
    evidence.content_type = validate_attachment(upload)
    evidence.original_name = upload.name[:200]
    evidence.file.save(upload.name, upload, save=False)
    try:
        save_with_trail(evidence, actor=actor, reason=_("Evidence attached to the credit application"))
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def evidence_remove(*, actor, evidence_id: int) -> None:
    try:
        evidence = permissions.restrict_related(
            CreditEvidence.objects.select_for_update(of=("self",)).select_related("application"),
            actor,
            via="application__customer",
        ).get(pk=evidence_id)
    except (CreditEvidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    application = evidence.application
    if not permissions.can(actor, Action.CHANGE, application.customer):
        raise PermissionDenied
    filing.check_editable(application)
    name, storage = evidence.file.name, evidence.file.storage
    delete_with_trail(evidence, actor=actor, reason=_("Evidence removed from the credit application"))
    transaction.on_commit(lambda: storage.delete(name))


def application_filed(application: CreditApplication, *, actor, request) -> CreditProfile:
    """Filing hook: the approved application becomes the customer's credit profile, naming its number."""
    profile = CreditProfile.objects.select_for_update().filter(customer_id=application.customer_id).first()
    profile = profile or CreditProfile(customer_id=application.customer_id)
    profile.credit_grade = application.proposed_grade
    profile.limit = application.proposed_limit
    profile.terms_days = application.terms_days
    profile.payment_method = application.payment_method
    profile.guarantee = application.guarantee
    profile.application = application
    number = filing.catalogue_number(application.customer, application)
    return save_with_trail(
        profile,
        actor=actor,
        reason=_("Credit granted by application %(number)s (request #%(request)s)")
        % {"number": number, "request": request.pk},
    )


# ---- Receivables --------------------------------------------------------------------------------------------


def order_filed(order: Order, *, actor, request) -> Receivable | None:
    """Filing hook: a filed order opens its receivable, due after the customer's payment terms."""
    if order.total <= 0 or Receivable.all_objects.filter(order=order).exists():
        return None
    receivable = Receivable(
        customer_id=order.customer_id,
        order=order,
        amount=order.total,
        issued_on=order.ordered_on,
        due_on=order.ordered_on + datetime.timedelta(days=terms_days(order.customer_id)),
    )
    return save_with_trail(
        receivable, actor=actor, reason=_("Opened by the filed order (request #%(number)s)") % {"number": request.pk}
    )


@transaction.atomic
def receivable_create(*, actor, customer_id: int, data: Mapping) -> Receivable:
    """A receivable entered by hand (an old debt, a service charge …); it needs a reason."""
    customer = permissions.customer_to_change(actor, customer_id)
    receivable = Receivable(customer=customer, created_by=actor)
    _apply(receivable, data, RECEIVABLE_FIELDS)
    if not (receivable.reason or "").strip():
        raise ValidationError(
            {"reason": ValidationError(_("Say why this receivable is entered by hand."), code="required")}
        )
    if receivable.due_on is None and receivable.issued_on is not None:
        receivable.due_on = receivable.issued_on + datetime.timedelta(days=terms_days(customer.pk))
    return save_with_trail(
        receivable, actor=actor, reason=_("Receivable entered by hand: %(reason)s") % {"reason": receivable.reason}
    )


# ---- Payments and allocation ----------------------------------------------------------------------------------


def _allocate(payment: Payment, *, actor, mode: str, amounts: Mapping[int, Decimal] | None) -> list[PaymentAllocation]:
    """Allocate what is left of ``payment`` (locked by the caller), oldest due first or as given."""
    receivables = list(
        Receivable.objects.select_for_update(of=("self",))
        .filter(customer_id=payment.customer_id)
        .order_by("id")  # one lock order for every writer
    )
    paid = selectors.paid_by_receivable([r.pk for r in receivables])
    outstanding = {r.pk: r.amount - paid.get(r.pk, ledger.ZERO) for r in receivables}
    left = money(payment.amount - (payment.allocations.aggregate(total=Sum("amount"))["total"] or ledger.ZERO))
    if mode == Allocation.OLDEST_FIRST:
        receivables.sort(key=lambda r: (r.current_due_on, r.issued_on, r.pk))
        plan = ledger.oldest_first([(r.pk, outstanding[r.pk]) for r in receivables], left)
    else:
        plan = {int(pk): Decimal(amount) for pk, amount in (amounts or {}).items() if amount}
        errors = []
        for pk, amount in plan.items():
            if pk not in outstanding:
                raise ValidationError(_("The receivable is not one of this customer's open receivables."), code="other")
            if amount < 0:
                errors.append(ValidationError(_("An allocation cannot be negative."), code="over_allocated"))
            elif amount > outstanding[pk]:
                errors.append(
                    ValidationError(
                        _(
                            "Receivable #%(number)s has only ¥%(open)s outstanding; "
                            "¥%(amount)s cannot be allocated to it."
                        )
                        % {"number": pk, "open": f"{outstanding[pk]:,.2f}", "amount": f"{amount:,.2f}"},
                        code="over_allocated",
                    )
                )
        if sum(plan.values(), ledger.ZERO) > left:
            errors.append(
                ValidationError(
                    _("The allocations add up to ¥%(total)s, more than the ¥%(left)s of the payment left to allocate.")
                    % {"total": f"{sum(plan.values(), ledger.ZERO):,.2f}", "left": f"{left:,.2f}"},
                    code="over_allocated",
                )
            )
        if errors:
            raise ValidationError(errors)
    made = []
    existing = {a.receivable_id: a for a in payment.allocations.select_for_update()}
    for pk, amount in plan.items():
        allocation = existing.get(pk) or PaymentAllocation(payment=payment, receivable_id=pk, amount=ledger.ZERO)
        allocation.amount += amount
        made.append(save_with_trail(allocation, actor=actor, reason=_("Payment allocated")))
    return made


@transaction.atomic
def payment_record(
    *,
    actor,
    customer_id: int,
    data: Mapping,
    mode: str = Allocation.OLDEST_FIRST,
    amounts: Mapping[int, Decimal] | None = None,
) -> Payment:
    """Record money received and allocate it: oldest due first, or by hand (``amounts`` by receivable id)."""
    customer = permissions.customer_to_change(actor, customer_id)
    payment = Payment(customer=customer, created_by=actor)
    _apply(payment, data, PAYMENT_FIELDS)
    save_with_trail(payment, actor=actor, reason=_("Payment received"))
    _allocate(payment, actor=actor, mode=mode, amounts=amounts)
    return payment


@transaction.atomic
def payment_allocate(
    *, actor, payment_id: int, mode: str = Allocation.OLDEST_FIRST, amounts: Mapping[int, Decimal] | None = None
) -> list[PaymentAllocation]:
    """Allocate what is left of an earlier payment (a prepayment, or after a new receivable opened)."""
    payment = _locked_to_change(actor, Payment.objects, payment_id)
    return _allocate(payment, actor=actor, mode=mode, amounts=amounts)


@transaction.atomic
def allocation_remove(*, actor, allocation_id: int, reason: str) -> None:
    """Undo an allocation made in error; the payment's amount becomes free to allocate again."""
    try:
        allocation = permissions.restrict_related(
            PaymentAllocation.objects.select_for_update(of=("self",)).select_related("payment__customer"),
            actor,
            via="payment__customer",
        ).get(pk=allocation_id)
    except (PaymentAllocation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not permissions.can(actor, Action.CHANGE, allocation.payment.customer):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(_("Say why the allocation is undone."), code="required")})
    delete_with_trail(allocation, actor=actor, reason=_("Allocation undone: %(reason)s") % {"reason": reason})


# ---- Extensions -----------------------------------------------------------------------------------------------


@transaction.atomic
def extension_request(*, actor, receivable_id: int, requested_due_on: datetime.date, reason: str) -> ExtensionRequest:
    """Ask the director to let a receivable be paid later; it goes to the inbox at once."""
    receivable = _locked_to_change(actor, Receivable.objects, receivable_id)
    if not (reason or "").strip():
        raise ValidationError({"reason": ValidationError(_("Say why the customer needs more time."), code="required")})
    if selectors.outstanding_of(receivable) <= 0:
        raise ValidationError(_("This receivable is paid; there is nothing to extend."), code="paid")
    extension = ExtensionRequest(
        customer_id=receivable.customer_id,
        receivable=receivable,
        previous_due_on=receivable.current_due_on,
        requested_due_on=requested_due_on,
        reason=reason,
        created_by=actor,
    )
    save_with_trail(extension, actor=actor, reason=_("Extension requested"))
    filing.entry_submit(actor=actor, entry=extension, note=reason)
    extension.refresh_from_db()
    return extension


def extension_filed(extension: ExtensionRequest, *, actor, request) -> Receivable:
    """Filing hook: the approved extension becomes the receivable's due date in force (the original stays)."""
    receivable = Receivable.all_objects.select_for_update().get(pk=extension.receivable_id)
    if receivable.current_due_on != extension.previous_due_on:
        raise ValidationError(
            _("The receivable's due date has changed to %(date)s since the extension was asked for; return it.")
            % {"date": receivable.current_due_on},
            code="stale",
        )
    receivable.extended_due_on = extension.requested_due_on
    number = filing.catalogue_number(extension.customer, extension)
    return save_with_trail(
        receivable,
        actor=actor,
        reason=_("Due date extended by %(number)s (request #%(request)s)") % {"number": number, "request": request.pk},
    )


# ---- Repayment plans ------------------------------------------------------------------------------------------


def _write_instalments(plan: RepaymentPlan, instalments: list[Mapping], *, actor, reason: str) -> None:
    if not instalments:
        raise ValidationError(_("A repayment plan needs at least one instalment."), code="no_instalments")
    existing = list(plan.instalments.select_for_update().order_by("due_on", "id"))
    wanted = sorted(instalments, key=lambda i: i["due_on"])
    for index, values in enumerate(wanted):
        instalment = existing[index] if index < len(existing) else Instalment(plan=plan)
        before = (instalment.due_on, instalment.amount)
        instalment.due_on, instalment.amount = values["due_on"], values["amount"]
        if instalment.pk is None or before != (instalment.due_on, instalment.amount):
            save_with_trail(instalment, actor=actor, reason=reason)
    for instalment in existing[len(wanted) :]:
        delete_with_trail(instalment, actor=actor, reason=reason)


@transaction.atomic
def plan_create(*, actor, customer_id: int, data: Mapping, instalments: list[Mapping]) -> RepaymentPlan:
    customer = permissions.customer_to_change(actor, customer_id)
    plan = RepaymentPlan(customer=customer, created_by=actor)
    _apply(plan, data, PLAN_FIELDS)
    save_with_trail(plan, actor=actor, reason=_("Repayment plan agreed"))
    _write_instalments(plan, instalments, actor=actor, reason=_("Repayment plan agreed"))
    return plan


@transaction.atomic
def plan_update(*, actor, plan_id: int, data: Mapping, instalments: list[Mapping]) -> RepaymentPlan:
    plan = _locked_to_change(actor, RepaymentPlan.objects, plan_id)
    _apply(plan, data, PLAN_FIELDS)
    save_with_trail(plan, actor=actor, reason=_("Repayment plan changed"))
    _write_instalments(plan, instalments, actor=actor, reason=_("Repayment plan changed"))
    return plan


# ---- The credit limit on orders -------------------------------------------------------------------------------


def check_credit_limit(order: Order, *, actor, override_reason: str = "") -> None:
    """Order check: refuse an order that takes the customer past its limit, unless the director lets it through.

    Exposure is what is owed now plus the customer's orders entered but not yet filed, plus this order.
    A customer without a credit profile has no limit to check (it is shown as "no credit granted").
    """
    status = selectors.credit_status(order.customer_id, excluding_order=order.pk)
    if status.limit is None:
        return
    exposure = status.exposure + order.total
    if exposure <= status.limit:
        return
    if override_reason and actor.has_perm(OVERRIDE_PERMISSION):
        save_with_trail(
            LimitOverride(
                customer_id=order.customer_id,
                order=order,
                limit=status.limit,
                exposure=exposure,
                reason=override_reason,
                actor=actor,
                actor_name=user_display(actor),
            ),
            actor=actor,
            reason=_("Order let through the credit limit: %(reason)s") % {"reason": override_reason},
        )
        return
    raise ValidationError(
        _(
            "Over the credit limit: the limit is ¥%(limit)s, ¥%(owed)s is owed and ¥%(pending)s is on orders not "
            "yet filed; this order of ¥%(order)s would take it to ¥%(exposure)s, ¥%(over)s over. Only the sales "
            "director can let it through, with a reason."
        )
        % {
            "limit": f"{status.limit:,.2f}",
            "owed": f"{status.outstanding:,.2f}",
            "pending": f"{status.unfiled_orders:,.2f}",
            "order": f"{order.total:,.2f}",
            "exposure": f"{exposure:,.2f}",
            "over": f"{exposure - status.limit:,.2f}",
        },
        code="credit_limit",
    )
