"""The contracts step of ``manage.py generate_dataset``: the product catalogue, orders and their lines, in bulk.

Customers that trade (current or past) get orders over the last two years, each with one to three lines priced
from the catalogue; the large key accounts get many. Most orders of a filed card are filed through an approved
filing request and numbered in its catalogue (``2-00n``); some wait for the director, some are still drafts.
Every order and line gets the historical rows the services and the filing workflow would have written.
"""

from __future__ import annotations

import datetime
from collections import Counter as Tally
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from archive import filing
from archive.choices import FilingStatus
from archive.models import Counter, FilingRequest
from customers.dataset import DatasetContext, GeneratedCustomer, bulk_insert, chunks, historical_row, insert_history

from .demo_data import PRODUCTS
from .models import Order, OrderLine, Product

ORDER_STATUSES = ((FilingStatus.FILED, 970), (FilingStatus.PENDING, 5), (FilingStatus.DRAFT, 25))
DISCOUNTS = (Decimal(0), Decimal(0), Decimal(0), Decimal(5), Decimal(10))
SUBMIT_NOTE = "客户采购单已确认，申请入档"


def generate_orders(*, customers: list[GeneratedCustomer], context: DatasetContext) -> dict[str, int]:
    """Write the catalogue (what is missing of it) and the customers' orders; counts of what was written."""
    counts: Tally[str] = Tally()
    products = _ensure_products(context, counts)
    content_type = ContentType.objects.get_for_model(Order)
    trading = [c for c in customers if c.lifecycle in ("current", "past")]
    for batch in chunks(trading, max(1, context.batch_size // 2)):
        _write_batch(batch, products, content_type, context, counts)
    return counts


def _ensure_products(context: DatasetContext, counts: Tally) -> list[Product]:
    known = set(Product.objects.values_list("code", flat=True))
    made = [
        Product(
            code=row.code,
            name=row.name,
            specification=row.specification,
            unit=row.unit,
            category=row.category,
            list_price=row.list_price,
        )
        for row in PRODUCTS
        if row.code not in known
    ]
    bulk_insert(Product, made, context.batch_size)
    when = context.moment(context.days_ago(800))
    reason = _("Product added to the catalogue")
    insert_history(historical_row(p, when=when, actor=context.director, reason=reason) for p in made)
    counts["products"] += len(made)
    return list(Product.objects.filter(is_active=True).order_by("code"))


def _write_batch(batch, products, content_type, context: DatasetContext, counts: Tally) -> None:
    rng = context.rng
    orders, plans = [], []
    for customer in batch:
        if customer.many_records:
            count = 40
        elif customer.lifecycle == "current":
            count = rng.choice((0, 1, 1, 2, 2, 3, 4))
        else:
            count = rng.choice((0, 1, 2))
        window = (0, 720) if customer.lifecycle == "current" else (400, 1100)
        days = sorted((rng.randint(*window) for _ in range(count)), reverse=True)
        for ago in days:
            ordered_on = max(customer.opened_on, context.days_ago(ago))
            if customer.status == FilingStatus.FILED:
                values, weights = zip(*ORDER_STATUSES, strict=True)
                status = rng.choices(values, weights)[0]
            else:
                status = FilingStatus.DRAFT  # entries of an unfiled card cannot be filed before it
            lines = []
            for position in range(1, rng.randint(1, 3) + 1):
                product = rng.choice(products)
                quantity = Decimal(rng.randint(1, 20))
                discount = rng.choice(DISCOUNTS)
                amount = OrderLine.line_amount(quantity, product.list_price, discount)
                lines.append(
                    OrderLine(
                        position=position,
                        product_id=product.pk,
                        specification=product.specification,
                        quantity=quantity,
                        unit_price=product.list_price,
                        discount=discount,
                        amount=amount,
                    )
                )
            order = Order(
                customer_id=customer.pk,
                ordered_on=ordered_on,
                reference=f"PO{ordered_on:%Y%m%d}{rng.randint(100, 999)}",
                settlement="settled" if ago > 120 and status == FilingStatus.FILED else "unsettled",
                total=sum((line.amount for line in lines), Decimal("0.00")),
                created_by_id=customer.owner_id,
                status=status,
                version={FilingStatus.DRAFT: 1, FilingStatus.PENDING: 2, FilingStatus.FILED: 3}[status],
            )
            orders.append(order)
            plans.append((customer, lines))
    # Filed orders are numbered in their customer's catalogue in date order, after the card itself (1-001 is
    # the card; orders are category 2 and start at 2-001).
    numbers: Tally[int] = Tally()
    for order in orders:
        if order.status == FilingStatus.FILED:
            numbers[order.customer_id] += 1
            order.entry_no = numbers[order.customer_id]
            order.filed_at = context.moment(min(context.today, order.ordered_on + datetime.timedelta(days=2)))
    bulk_insert(Order, orders, context.batch_size)

    requests = []
    for order, (customer, _lines) in zip(orders, plans, strict=True):
        if order.status == FilingStatus.DRAFT:
            continue
        pending = order.status == FilingStatus.PENDING
        author = context.users[customer.owner_id]
        requests.append(
            FilingRequest(
                kind=FilingRequest.Kind.FILING,
                state=FilingRequest.State.PENDING if pending else FilingRequest.State.APPROVED,
                content_type=content_type,
                object_id=order.pk,
                customer_id=customer.pk,
                author_id=author.pk,
                author_name=author.first_name,
                note=SUBMIT_NOTE,
                base_version=1,
                decided_by=None if pending else context.director,
                decided_by_name="" if pending else context.director.first_name,
                decided_at=None if pending else order.filed_at,
            )
        )
    bulk_insert(FilingRequest, requests, context.batch_size)
    request_of = {r.object_id: r for r in requests}

    all_lines = []
    history = []
    for order, (customer, lines) in zip(orders, plans, strict=True):
        author = context.users[customer.owner_id]
        entered = context.moment(order.ordered_on, hour=9)
        for line in lines:
            line.order_id = order.pk
            all_lines.append(line)
        history.extend(_order_trail(order, author, entered, request_of.get(order.pk), context))
    bulk_insert(OrderLine, all_lines, context.batch_size)
    for order, (customer, lines) in zip(orders, plans, strict=True):
        entered = context.moment(order.ordered_on, hour=9)
        author = context.users[customer.owner_id]
        history.extend(historical_row(line, when=entered, actor=author, reason=_("Order entered")) for line in lines)
    counts["history rows"] += insert_history(history, context.batch_size)

    Counter.objects.bulk_create(
        [Counter(key=f"{filing.ARCHIVE_NUMBER_PREFIX}/{pk}/2", value=n) for pk, n in numbers.items()],
        batch_size=context.batch_size,
    )
    counts.update({"orders": len(orders), "order lines": len(all_lines), "filing requests": len(requests)})


def _order_trail(order: Order, author, entered, request, context: DatasetContext) -> list:
    """The order's versions: entered by its keeper, submitted, filed by the director."""
    unfiled = {"entry_no": None, "filed_at": None}
    steps = [(entered, author, _("Order entered"), "+", {**unfiled, "status": FilingStatus.DRAFT, "version": 1})]
    if request is not None:
        submitted = _("Submitted for filing (request #%(number)s)") % {"number": request.pk}
        steps.append((entered, author, submitted, "~", {**unfiled, "status": FilingStatus.PENDING, "version": 2}))
    if order.status == FilingStatus.FILED:
        filed = _("Filed: approved filing request #%(number)s") % {"number": request.pk}
        steps.append((order.filed_at, context.director, filed, "~", {}))
    rows = []
    for when, actor, reason, kind, state in steps:
        row = historical_row(order, when=when, actor=actor, reason=reason, kind=kind)
        for name, value in state.items():
            setattr(row, name, value)
        rows.append(row)
    return rows
