"""The contracts step of ``manage.py seed_demo``: the product catalogue, contracts and two years of orders.

Runs after the customers exist, in the command's transaction (``archive.registry.DemoStep``). What it records
is described by :mod:`contracts.demo_data`; everything goes through the services and the filing services, so
the trail, the catalogue numbers, the director's inbox and the managers' notifications are the real ones.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from archive import filing
from archive.choices import FilingStatus
from customers.demo_data import COMPANIES
from customers.models import Customer

from . import services
from .demo_data import (
    CONTRACT_CHANGE_NOTE,
    CONTRACT_SUBMIT_NOTE,
    DISCONTINUED,
    ORDER_CHANGE_NOTE,
    ORDER_SUBMIT_NOTE,
    PRODUCTS,
    ContractPlan,
    OrderPlan,
    SalesPlan,
    build_sales,
)
from .grading import customers_grade
from .models import Contract, Order, Product

User = get_user_model()

# Decisions on the last fortnight's submissions are still unread when the demo starts.
RECENT_DAYS = 14


def seed_demo_orders(*, today: datetime.date, log: Callable[[str], None] | None = None) -> dict[str, int]:
    """Create the demo's catalogue, contracts and orders that do not exist yet; counts of what was made."""
    return SalesSeeder(today=today, log=log).run()


class SalesSeeder:
    """Records each customer's contracts and orders in date order, as its managers would have.

    Products are found by code and contracts by number; a customer that already has any contract or order is
    left alone, so a second run adds nothing. The keeper enters and submits; the director files or returns.
    """

    def __init__(self, *, today: datetime.date, log: Callable[[str], None] | None = None):
        self.today = today
        self.log = log or (lambda message: None)
        # Listed in this order in the command's summary; what this run did not make is left out there.
        self.created: Counter[str] = Counter(dict.fromkeys(("products", "contracts", "orders", "order lines"), 0))

    def run(self) -> dict[str, int]:
        self.director = User.objects.get(username="director")
        self.products = self.ensure_products()
        names = {company.short: company.name for company in COMPANIES}
        plans = build_sales(self.today)
        customers = {c.name: c for c in Customer.objects.filter(name__in=[names[p.short] for p in plans])}
        started = {
            *Order.all_objects.filter(customer__in=customers.values()).values_list("customer_id", flat=True),
            *Contract.all_objects.filter(customer__in=customers.values()).values_list("customer_id", flat=True),
        }
        self.numbers = set(Contract.all_objects.values_list("number", flat=True))
        books = []
        for plan in plans:
            customer = customers.get(names[plan.short])
            if customer is None or customer.pk in started:
                continue
            if plan.requires_filed and customer.status != FilingStatus.FILED:
                self.log(f"  {customer.name}: 客户卡片未入档，跳过合同与订单")
                continue
            books.append(Book(customer, plan))

        # Two years of filed history first. Its decisions were read long ago, so the keepers have seen their
        # notifications (as their submissions page marks them) before the last fortnight's work comes in.
        cut = self.today - datetime.timedelta(days=RECENT_DAYS)
        for book in books:
            self.replay(book, [e for e in book.events if e.status == FilingStatus.FILED and e.day < cut])
            self.log(f"  {book.customer.name}: {book.contract_count} 份合同，{book.order_count} 张订单")
        if self.created["orders"]:
            for keeper in {keeper for book in books for keeper in book.keepers}:
                filing.notifications_read(user=keeper)
        for book in books:
            self.replay(book, book.events)
            for event, entry in book.changes:
                self.propose_change(event.item, entry, event.author)
        self.retire_discontinued()
        if self.created["orders"]:
            self.grade()
        return dict(self.created)

    # ---- The catalogue ----------------------------------------------------------------------------------

    def ensure_products(self) -> dict[str, Product]:
        known = set(Product.objects.filter(code__in=[p.code for p in PRODUCTS]).values_list("code", flat=True))
        for row in PRODUCTS:
            if row.code not in known:
                services.product_create(actor=self.director, data=row._asdict())
                self.created["products"] += 1
        return {p.code: p for p in Product.objects.filter(code__in=[p.code for p in PRODUCTS])}

    def retire_discontinued(self) -> None:
        """The cast-iron pump is taken off sale once the orders that still carried it are recorded."""
        product = self.products[DISCONTINUED]
        if product.is_active and self.created["products"]:
            services.product_update(actor=self.director, product_id=product.pk, data={"is_active": False})

    # ---- One customer -----------------------------------------------------------------------------------

    def replay(self, book: Book, events: list[Event]) -> None:
        """Record what is still to be recorded of ``events``, in date order."""
        for event in events:
            if event.done:
                continue
            event.done = True
            if isinstance(event.item, ContractPlan):
                entry = self.add_contract(book.customer, event.author, event.item)
                if entry is None:
                    continue
                if event.status == FilingStatus.FILED:
                    # Only a filed contract is something an order can be held to.
                    book.contracts[event.item.number] = entry
            else:
                entry = self.add_order(book.customer, event.author, event.item, book.contracts)
            if event.item.change:
                book.changes.append((event, entry))

    def add_contract(self, customer: Customer, author, plan: ContractPlan) -> Contract | None:
        if plan.number in self.numbers:
            return None
        upload = None
        if plan.with_file:
            upload = SimpleUploadedFile(
                f"{plan.number} {plan.title}.pdf", contract_scan(plan.number, plan.signed_on), "application/pdf"
            )
        contract = services.contract_create(actor=author, customer_id=customer.pk, data=plan.data, upload=upload)
        self.numbers.add(plan.number)
        self.created["contracts"] += 1
        self.take_to(contract, author, plan.status, plan.comment, CONTRACT_SUBMIT_NOTE)
        return contract

    def add_order(self, customer: Customer, author, plan: OrderPlan, contracts: dict[str, Contract]) -> Order:
        data = {
            "ordered_on": plan.ordered_on,
            "reference": plan.reference,
            "settlement": plan.settlement,
            "note": plan.note,
            "contract": contracts.get(plan.contract),
        }
        lines = [
            {
                "product": self.products[line.product],
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount": line.discount,
                "specification": line.specification,
            }
            for line in plan.lines
        ]
        order = services.order_create(actor=author, customer_id=customer.pk, data=data, lines=lines)
        self.created["orders"] += 1
        self.created["order lines"] += len(lines)
        self.take_to(order, author, plan.status, plan.comment, ORDER_SUBMIT_NOTE)
        return order

    def take_to(self, entry, author, status: str, comment: str, note: str) -> None:
        """Take an entry as far towards the archive as the plan says: the keeper submits, the director decides."""
        if status == FilingStatus.DRAFT:
            return
        request = filing.entry_submit(actor=author, entry=entry, note=note)
        if status == FilingStatus.RETURNED:
            filing.request_return(actor=self.director, request_id=request.pk, comment=comment)
        elif status == FilingStatus.FILED:
            filing.request_approve(actor=self.director, request_id=request.pk)

    def propose_change(self, plan: ContractPlan | OrderPlan, entry, author) -> None:
        if isinstance(entry, Contract):
            services.contract_change_propose(
                actor=author, contract_id=entry.pk, data=plan.change, note=CONTRACT_CHANGE_NOTE
            )
        else:
            services.order_change_propose(actor=author, order_id=entry.pk, data=plan.change, note=ORDER_CHANGE_NOTE)
        self.created["change requests"] += 1

    # ---- Grades -----------------------------------------------------------------------------------------

    def grade(self) -> None:
        """Let the ABC analysis grade every customer by the orders just filed, as the director would."""
        result = customers_grade(actor=self.director, as_of=self.today)
        grades = "，".join(f"{grade} 级 {n} 家" for grade, n in sorted(result.by_sales_grade.items()))
        self.log(f"  按近 12 个月销售额分级 (ABC)：{grades}")


@dataclass
class Event:
    """A contract signed or an order placed, by whom, and whether it has been recorded yet."""

    day: datetime.date
    item: ContractPlan | OrderPlan
    author: object
    done: bool = False

    @property
    def status(self) -> str:
        return self.item.status


class Book:
    """One customer's contracts and orders as they happened, with what has been recorded of them."""

    def __init__(self, customer: Customer, plan: SalesPlan):
        self.customer = customer
        co_owners = list(customer.co_owners.order_by("pk"))
        self.keepers = [customer.owner, *co_owners]
        events = [Event(c.signed_on, c, customer.owner) for c in plan.contracts]
        # On a shared customer the co-manager enters some of the orders.
        sharer = co_owners[0] if co_owners else customer.owner
        events += [Event(o.ordered_on, o, sharer if o.co_owner else customer.owner) for o in plan.orders]
        # A contract comes before the orders of its signing day: they may run under it.
        self.events = sorted(events, key=lambda e: (e.day, isinstance(e.item, OrderPlan)))
        self.contracts: dict[str, Contract] = {}  # the filed ones, by number
        self.changes: list[tuple[Event, Contract | Order]] = []
        self.contract_count, self.order_count = len(plan.contracts), len(plan.orders)


def contract_scan(number: str, signed_on: datetime.date) -> bytes:
    """A one-page PDF standing in for a scanned signed contract: heading, number, text lines and two seals."""
    width, height = 827, 1169  # A4 at 100 dpi
    page = Image.new("RGB", (width, height), (252, 251, 247))
    draw = ImageDraw.Draw(page)

    def centred(top: int, text: str, size: int) -> None:
        # The default font has no Chinese characters and no anchors: Latin text, centred by measuring.
        font = ImageFont.load_default(size=size)
        left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        draw.text(((width - (right - left)) / 2 - left, top), text, fill=(40, 40, 40), font=font)

    centred(90, "SUPPLY CONTRACT", 40)
    centred(150, f"No. {number}", 22)
    centred(185, f"Signed {signed_on:%Y-%m-%d}", 18)
    for row in range(18):
        top = 260 + row * 34
        draw.rectangle((90, top, width - 90 - (row % 4) * 60, top + 9), fill=(205, 205, 205))
    for left in (150, 500):
        draw.ellipse((left, 900, left + 170, 1070), outline=(200, 30, 30), width=6)
        draw.regular_polygon((left + 85, 985, 30), n_sides=5, fill=(200, 30, 30))
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=100)
    return out.getvalue()
