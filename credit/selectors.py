"""Reads of the credit archive, always through the permission gateway, with the sums done by the database.

A receivable, payment, application or plan is visible exactly when its customer is. What is owed is the amount
less its allocations; reports add both sides up per customer in two grouped queries (no query per row), so
their cost does not grow with the number of customers shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from archive.choices import FilingStatus
from contracts.models import MONEY, Order, money
from customers import permissions

from . import ledger
from .choices import AgingBasis
from .models import (
    CreditApplication,
    CreditEvidence,
    CreditProfile,
    ExtensionRequest,
    LimitOverride,
    Payment,
    PaymentAllocation,
    Receivable,
    RepaymentPlan,
)

ZERO = ledger.ZERO


def _money(expression):
    return Coalesce(expression, Value(ZERO), output_field=DecimalField(**MONEY))


def _paid_subquery(ref: str = "pk"):
    allocations = (
        PaymentAllocation.objects.filter(receivable=OuterRef(ref))
        .order_by()
        .values("receivable")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return _money(Subquery(allocations, output_field=DecimalField(**MONEY)))


def with_outstanding(queryset: QuerySet[Receivable]) -> QuerySet[Receivable]:
    """Receivables annotated with ``paid``, ``outstanding`` and ``due`` (the due date in force)."""
    return queryset.annotate(
        paid=_paid_subquery(),
        # Rounded in SQL: SQLite subtracts decimals as floating point (0.80 − 0.80 may leave 1e-16 "owed").
        outstanding=Round(F("amount") - F("paid"), 2, output_field=DecimalField(**MONEY)),
        due=Coalesce("extended_due_on", "due_on"),
    )


def receivable_list(*, user) -> QuerySet[Receivable]:
    """The receivables ``user`` may read, oldest due first, with what is still owed on each."""
    return with_outstanding(
        permissions.restrict_related(Receivable.objects.select_related("customer", "customer__owner", "order"), user)
    ).order_by("due", "id")


def receivable_detail(*, user, pk) -> Receivable:
    return _get(receivable_list(user=user), pk)


def receivable_totals(receivables: QuerySet[Receivable]) -> dict:
    """Count, amount, paid and outstanding over every row of ``receivables`` (all pages), added up by the database.

    Two aggregates, amounts less allocations, rather than ``Sum("outstanding")``: Django wraps an aggregate over
    the annotations of :func:`with_outstanding` in a subquery that leaves ``outstanding`` out, and SQLite then sums
    the string "outstanding" to 0 (PostgreSQL refuses the query).
    """
    keys = receivables.order_by().values("pk")
    owed = Receivable.objects.filter(pk__in=keys).aggregate(count=Count("pk"), amount=_money(Sum("amount")))
    paid = PaymentAllocation.objects.filter(receivable__in=keys).aggregate(total=_money(Sum("amount")))["total"]
    return {"count": owed["count"], "amount": owed["amount"], "paid": paid, "outstanding": owed["amount"] - paid}


def overdue_list(*, user, today: datetime.date) -> QuerySet[Receivable]:
    """Receivables still owed whose due date in force has passed (逾期应收)."""
    return receivable_list(user=user).filter(outstanding__gt=0, due__lt=today)


def paid_by_receivable(receivable_ids) -> dict[int, Decimal]:
    rows = (
        PaymentAllocation.objects.filter(receivable_id__in=receivable_ids)
        .values("receivable_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["receivable_id"]: money(row["total"]) for row in rows}


def outstanding_of(receivable: Receivable) -> Decimal:
    return receivable.amount - paid_by_receivable([receivable.pk]).get(receivable.pk, ZERO)


def allocations_of_receivable(receivable: Receivable) -> QuerySet[PaymentAllocation]:
    return receivable.allocations.select_related("payment").order_by("payment__received_on", "id")


def payment_list(*, user) -> QuerySet[Payment]:
    """The payments ``user`` may read, newest first, with how much of each is allocated."""
    allocated = (
        PaymentAllocation.objects.filter(payment=OuterRef("pk"))
        .order_by()
        .values("payment")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        permissions.restrict_related(Payment.objects.select_related("customer", "customer__owner"), user)
        .annotate(allocated=_money(Subquery(allocated, output_field=DecimalField(**MONEY))))
        .annotate(unallocated=Round(F("amount") - F("allocated"), 2, output_field=DecimalField(**MONEY)))
        .order_by("-received_on", "-id")
    )


def payment_detail(*, user, pk) -> Payment:
    return _get(payment_list(user=user), pk)


def allocations_of_payment(payment: Payment) -> QuerySet[PaymentAllocation]:
    return payment.allocations.select_related("receivable", "receivable__order").order_by("receivable__due_on", "id")


def open_receivables(*, customer_id: int) -> QuerySet[Receivable]:
    """A customer's receivables still owed, oldest due first (the order a payment settles them in)."""
    return (
        with_outstanding(Receivable.objects.filter(customer_id=customer_id).select_related("order"))
        .filter(outstanding__gt=0)
        .order_by("due", "issued_on", "id")
    )


# ---- Credit status of one customer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditStatus:
    """A customer's limit against what it owes (its open receivables) and what it has on order."""

    profile: CreditProfile | None
    open_receivables: list[Receivable]
    unfiled_orders: Decimal
    today: datetime.date

    @property
    def limit(self) -> Decimal | None:
        return self.profile.limit if self.profile else None

    @property
    def outstanding(self) -> Decimal:
        return money(sum((r.outstanding for r in self.open_receivables), ZERO))

    @property
    def overdue_receivables(self) -> list[Receivable]:
        return [r for r in self.open_receivables if r.due < self.today]

    @property
    def overdue(self) -> Decimal:
        return money(sum((r.outstanding for r in self.overdue_receivables), ZERO))

    @property
    def exposure(self) -> Decimal:
        """What the customer would owe once its entered orders are filed (占用额度)."""
        return self.outstanding + self.unfiled_orders

    @property
    def available(self) -> Decimal | None:
        return None if self.limit is None else self.limit - self.exposure

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.exposure > self.limit

    @property
    def used_percent(self) -> int | None:
        if not self.limit:
            return None
        return int(min(self.exposure * 100 / self.limit, Decimal(999)))


def credit_status(
    customer_id: int, *, excluding_order: int | None = None, today: datetime.date | None = None
) -> CreditStatus:
    """The customer's credit standing in three queries, however many receivables and orders it has."""
    profile = CreditProfile.objects.filter(customer_id=customer_id).select_related("application").first()
    unfiled = Order.objects.filter(customer_id=customer_id).exclude(status=FilingStatus.FILED)
    if excluding_order is not None:
        unfiled = unfiled.exclude(pk=excluding_order)
    return CreditStatus(
        profile=profile,
        open_receivables=list(open_receivables(customer_id=customer_id)),
        unfiled_orders=unfiled.aggregate(total=_money(Sum("total")))["total"],
        today=today or timezone.localdate(),
    )


# ---- Aging ------------------------------------------------------------------------------------------------------


@dataclass
class AgingLine:
    """One line of the aging report: a customer, a manager or the total, with an amount per bucket."""

    label: str
    buckets: list[Decimal]
    customer_id: int | None = None
    archive_no: str = ""
    manager: str = ""
    owner_id: int | None = None
    customers: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO)


@dataclass
class AgingReport:
    as_of: datetime.date
    basis: str
    labels: list[str]
    customers: list[AgingLine] = field(default_factory=list)
    managers: list[AgingLine] = field(default_factory=list)
    total: AgingLine | None = None


def bucket_labels(basis: str) -> list[str]:
    edges = settings.ARCHIVE_AGING_BUCKETS
    labels = [
        _("%(low)s–%(high)s days") % {"low": 0 if i == 0 else edges[i - 1] + 1, "high": e} for i, e in enumerate(edges)
    ]
    labels.append(_("over %(days)s days") % {"days": edges[-1]})
    return ([_("not yet due")] if basis == AgingBasis.DUE else []) + labels


def _base_date(basis: str, as_of: datetime.date, prefix: str = ""):
    """The date a receivable's age counts from: its issue, or the due date in force on ``as_of``."""
    if basis == AgingBasis.ISSUED:
        return F(f"{prefix}issued_on")
    end_of_day = timezone.make_aware(datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time()))
    extended = (
        ExtensionRequest.all_objects.filter(
            receivable=OuterRef(f"{prefix}pk" if prefix else "pk"), status=FilingStatus.FILED, filed_at__lt=end_of_day
        )
        .order_by("-filed_at", "-id")
        .values("requested_due_on")[:1]
    )
    return Coalesce(Subquery(extended), F(f"{prefix}due_on"))


def _bucket(basis: str, as_of: datetime.date, prefix: str = "") -> Case:
    """The bucket index of each row: ``as_of − base`` in days, cut at the configured edges (in SQL, on dates)."""
    base = _base_date(basis, as_of, prefix)
    whens, index = [], 0
    if basis == AgingBasis.DUE:
        whens.append(When(Q(aging_base__gt=as_of), then=Value(index)))
        index += 1
    for edge in settings.ARCHIVE_AGING_BUCKETS:
        whens.append(When(Q(aging_base__gte=as_of - datetime.timedelta(days=edge)), then=Value(index)))
        index += 1
    return base, Case(*whens, default=Value(index), output_field=IntegerField())


def aging(*, user, as_of: datetime.date, basis: str = AgingBasis.ISSUED, owner_id: int | None = None) -> AgingReport:
    """Receivables outstanding on ``as_of`` by age, per customer, per manager and in total (账龄分析).

    Only receivables issued by ``as_of`` count, less the allocations of payments received by then. Two grouped
    queries — amounts by customer and bucket, allocations by customer and bucket — whatever the number of rows.
    """
    receivables = permissions.restrict_related(Receivable.objects.filter(issued_on__lte=as_of), user)
    if owner_id:
        receivables = receivables.filter(customer__owner_id=owner_id)
    base, bucket = _bucket(basis, as_of)
    owed = (
        receivables.annotate(aging_base=base)
        .annotate(bucket=bucket)
        .values(
            "customer_id",
            "customer__name",
            "customer__archive_no",
            "customer__owner_id",
            "customer__owner__username",
            "customer__owner__first_name",
            "customer__owner__last_name",
            "bucket",
        )
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    base, bucket = _bucket(basis, as_of, prefix="receivable__")
    paid = (
        PaymentAllocation.objects.filter(receivable__in=receivables.values("pk"), payment__received_on__lte=as_of)
        .annotate(aging_base=base)
        .annotate(bucket=bucket)
        .values("receivable__customer_id", "bucket")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    labels = bucket_labels(basis)
    width = len(labels)
    lines: dict[int, AgingLine] = {}
    owners: dict[int | None, str] = {}
    for row in owed:
        line = lines.get(row["customer_id"])
        if line is None:
            owner = " ".join(
                part for part in (row["customer__owner__first_name"], row["customer__owner__last_name"]) if part
            ).strip() or (row["customer__owner__username"] or "")
            line = lines[row["customer_id"]] = AgingLine(
                label=row["customer__name"],
                buckets=[ZERO] * width,
                customer_id=row["customer_id"],
                archive_no=row["customer__archive_no"] or "",
                manager=owner,
                owner_id=row["customer__owner_id"],
            )
            owners[row["customer__owner_id"]] = owner
        line.buckets[row["bucket"]] += row["amount"]
    for row in paid:
        lines[row["receivable__customer_id"]].buckets[row["bucket"]] -= row["amount"]
    for line in lines.values():
        # SQLite adds decimals as floating point: bring each sum back to the fen (PostgreSQL's are exact already).
        line.buckets = [money(amount) for amount in line.buckets]
    customers = sorted((line for line in lines.values() if line.total > 0), key=lambda line: (-line.total, line.label))
    by_owner: dict[int | None, AgingLine] = {}
    for line in customers:
        manager = by_owner.setdefault(
            line.owner_id,
            AgingLine(label=owners[line.owner_id] or _("(no manager)"), buckets=[ZERO] * width, owner_id=line.owner_id),
        )
        manager.buckets = [a + b for a, b in zip(manager.buckets, line.buckets, strict=True)]
        manager.customers += 1
    total = AgingLine(label=pgettext("aging report", "Total"), buckets=[ZERO] * width, customers=len(customers))
    for line in customers:
        total.buckets = [a + b for a, b in zip(total.buckets, line.buckets, strict=True)]
    return AgingReport(
        as_of=as_of,
        basis=basis,
        labels=labels,
        customers=customers,
        managers=sorted(by_owner.values(), key=lambda line: (-line.total, line.label)),
        total=total,
    )


# ---- Applications, plans, overrides ------------------------------------------------------------------------------


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def application_list(*, user) -> QuerySet[CreditApplication]:
    return permissions.restrict_related(
        CreditApplication.objects.select_related("customer", "customer__owner"), user
    ).order_by("-created_at", "-id")


def application_detail(*, user, pk) -> CreditApplication:
    return _get(application_list(user=user), pk)


def evidence_detail(*, user, pk) -> CreditEvidence:
    """A piece of evidence whose customer ``user`` may read (a binned application's evidence is not served)."""
    queryset = permissions.restrict_related(
        CreditEvidence.objects.filter(application__deleted_at__isnull=True).select_related("application"),
        user,
        via="application__customer",
    )
    return _get(queryset, pk)


def plan_list(*, user) -> QuerySet[RepaymentPlan]:
    return permissions.restrict_related(RepaymentPlan.objects.select_related("customer"), user).order_by(
        "-starts_on", "-id"
    )


def plan_detail(*, user, pk) -> RepaymentPlan:
    return _get(plan_list(user=user), pk)


def plan_progress(plan: RepaymentPlan, *, today: datetime.date | None = None) -> list[ledger.InstalmentProgress]:
    """Each instalment against the customer's payments received since the plan's start (two queries)."""
    today = today or timezone.localdate()
    instalments = plan.instalments.order_by("due_on", "id").values_list("due_on", "amount")
    payments = Payment.objects.filter(customer_id=plan.customer_id, received_on__gte=plan.starts_on).values_list(
        "received_on", "amount"
    )
    return ledger.instalment_progress(list(instalments), list(payments), today)


def limit_overrides(*, customer_id: int) -> QuerySet[LimitOverride]:
    return LimitOverride.objects.filter(customer_id=customer_id).select_related("order").order_by("-created_at")
