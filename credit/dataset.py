"""The credit step of ``manage.py generate_dataset``: receivables of the filed orders and the payments on them.

Runs after the contracts step. Every filed order opens its receivable, due after the default payment terms,
as ``credit.services.order_filed`` does; most receivables older than their terms are paid, in full, by one
payment allocated to them, so the aging report has both settled and overdue money to sort into its buckets.
"""

from __future__ import annotations

import datetime
from collections import Counter as Tally

from django.conf import settings
from django.utils.translation import gettext as _

from archive.choices import FilingStatus
from archive.models import FilingRequest
from contracts.models import Order
from customers.dataset import DatasetContext, GeneratedCustomer, bulk_insert, chunks, historical_row, insert_history

from .models import Payment, PaymentAllocation, Receivable

PAID_SHARE = 0.7
METHODS = ("transfer", "transfer", "transfer", "bank_acceptance", "cheque")


def generate_ledger(*, customers: list[GeneratedCustomer], context: DatasetContext) -> dict[str, int]:
    """Write a receivable for every filed order of ``customers`` and payments for most of the old ones."""
    counts: Tally[str] = Tally()
    pks = [c.pk for c in customers if c.status == FilingStatus.FILED]
    for batch in chunks(pks, context.batch_size):
        orders = list(
            Order.objects.filter(customer_id__in=batch, status=FilingStatus.FILED, total__gt=0).order_by("id")
        )
        requests = dict(
            FilingRequest.objects.filter(
                object_id__in=[o.pk for o in orders], kind=FilingRequest.Kind.FILING, state=FilingRequest.State.APPROVED
            )
            .filter(content_type__app_label="contracts", content_type__model="order")
            .values_list("object_id", "pk")
        )
        _write_batch(orders, requests, context, counts)
    return counts


def _write_batch(orders: list[Order], requests: dict[int, int], context: DatasetContext, counts: Tally) -> None:
    rng = context.rng
    terms = datetime.timedelta(days=settings.ARCHIVE_CREDIT_DEFAULT_TERMS_DAYS)
    receivables = [
        Receivable(
            customer_id=order.customer_id,
            order_id=order.pk,
            amount=order.total,
            issued_on=order.ordered_on,
            due_on=order.ordered_on + terms,
        )
        for order in orders
    ]
    bulk_insert(Receivable, receivables, context.batch_size)
    history = [
        historical_row(
            receivable,
            when=order.filed_at,
            actor=context.director,
            reason=_("Opened by the filed order (request #%(number)s)") % {"number": requests.get(order.pk, "")},
        )
        for receivable, order in zip(receivables, orders, strict=True)
    ]
    payments, paid, keepers = [], [], []
    for receivable, order in zip(receivables, orders, strict=True):
        if receivable.due_on >= context.today or rng.random() > PAID_SHARE:
            continue
        received = min(receivable.due_on + datetime.timedelta(days=rng.randint(-20, 45)), context.today)
        keeper = context.users.get(order.created_by_id, context.director)
        keepers.append(keeper)
        payments.append(
            Payment(
                customer_id=receivable.customer_id,
                received_on=max(received, receivable.issued_on),
                amount=receivable.amount,
                method=rng.choice(METHODS),
                reference=f"HD{received:%Y%m%d}{rng.randint(1000, 9999)}",
                created_by_id=keeper.pk,
            )
        )
        paid.append(receivable)
    bulk_insert(Payment, payments, context.batch_size)
    allocations = [
        PaymentAllocation(payment_id=payment.pk, receivable_id=receivable.pk, amount=receivable.amount)
        for payment, receivable in zip(payments, paid, strict=True)
    ]
    bulk_insert(PaymentAllocation, allocations, context.batch_size)
    for payment, allocation, keeper in zip(payments, allocations, keepers, strict=True):
        when = context.moment(payment.received_on)
        history.append(historical_row(payment, when=when, actor=keeper, reason=_("Payment received")))
        history.append(historical_row(allocation, when=when, actor=keeper, reason=_("Payment allocated")))
    counts["history rows"] += insert_history(history, context.batch_size)
    counts.update({"receivables": len(receivables), "payments": len(payments), "allocations": len(allocations)})
