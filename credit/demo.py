"""The credit step of ``manage.py seed_demo``: credit granted on the 5C, payments, extensions and a repayment plan.

Runs after the contracts step, whose filed orders have opened their receivables. Payments follow each order's
settlement as the demo recorded it (settled: paid in full some weeks after the order; partly settled: about half;
unsettled: nothing yet), so the ledger, the aging report and the overdue list agree with the orders. Everything
goes through the services and the filing services; a customer that already has a payment or an application is left
alone, so a second run adds nothing.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal

from django.contrib.auth import get_user_model

from archive import filing
from archive.choices import FilingStatus
from contracts.choices import Settlement
from contracts.models import money
from customers.models import Customer

from . import scoring, selectors, services
from .choices import Allocation, PaymentMethod
from .models import CreditApplication, Payment, Receivable

User = get_user_model()

# Short names of the demo customers and how their credit stands: scores (5C), the limit asked for, terms, and how far
# the application got. A limit below what is owed shows the over-limit warning on the card.
CREDIT = {
    "宏达五金": ((5, 5, 4, 4, 4), 45, "filed"),
    "申菱机电": ((4, 4, 5, 4, 4), 60, "filed"),
    "恒通阀门": ((4, 4, 3, 3, 4), 30, "filed"),
    "泉城热力": ((5, 4, 4, 5, 4), 60, "filed"),
    "宁江化工": ((2, 3, 2, 2, 2), 30, "over"),
    "滨海重工": ((4, 5, 4, 4, 4), 45, "filed"),
    "穗丰泵阀": ((4, 3, 3, 3, 4), 30, "filed"),
    "汾河热电": ((3, 3, 3, 2, 3), 30, "filed"),
    "长江五金": ((4, 4, 3, 3, 3), 30, "pending"),
    "华美厨卫": ((3, 4, 3, 3, 3), 30, "returned"),
    "科联达": ((4, 4, 4, 3, 3), 45, "draft"),
}
# The limit asked for leaves headroom over what the customer owes and has on order, except for the one marked "over",
# which is granted less than it owes: its card shows the warning and a new order is refused.
HEADROOM = {"over": Decimal("0.6")}
DEFAULT_HEADROOM = Decimal("1.5")
GROUNDS = {
    "character": "合作三年，历史付款记录良好，无恶意拖欠。",
    "capacity": "近两年营业收入稳定增长，经营性现金流为正。",
    "capital": "注册资本与净资产规模与采购量相称，见财务报表。",
    "collateral": "法定代表人提供连带责任担保。",
    "conditions": "所在行业需求平稳，地方基建投资持续。",
}
RETURN_COMMENT = "请补充近一年的财务报表，资本实力评分依据不足。"
EXTENSION_REASON = "客户项目回款延迟，申请延期一个月付款，已电话确认付款安排。"


def seed_demo_credit(*, today: datetime.date, log: Callable[[str], None] | None = None) -> dict[str, int]:
    return CreditSeeder(today=today, log=log).run()


class CreditSeeder:
    def __init__(self, *, today: datetime.date, log: Callable[[str], None] | None = None):
        self.today = today
        self.log = log or (lambda message: None)
        self.created: Counter[str] = Counter(
            dict.fromkeys(("credit applications", "payments", "extensions", "repayment plans"), 0)
        )

    def run(self) -> dict[str, int]:
        self.director = User.objects.get(username="director")
        started = set(Payment.objects.values_list("customer_id", flat=True)) | set(
            CreditApplication.all_objects.values_list("customer_id", flat=True)
        )
        customers = Customer.objects.filter(receivables__isnull=False).exclude(pk__in=started).distinct()
        customers = list(customers.select_related("owner").order_by("pk"))
        by_short = {c.short_name: c for c in customers}
        for customer in customers:
            self.collect(customer)
        for short, plan in CREDIT.items():
            if short in by_short:
                self.apply(by_short[short], *plan)
        overdue = [c for c in customers if self.overdue_receivables(c)]
        for customer in overdue[:2]:
            self.extend(customer, approve=customer is overdue[0])
        # The plan goes to a customer that has paid nothing for 100 days, so only the plan's payments count.
        quiet = Payment.objects.filter(received_on__gte=self.today - datetime.timedelta(days=100))
        quiet = [c for c in overdue[2:] if not quiet.filter(customer=c).exists()]
        if quiet:
            self.plan(quiet[0])
        return dict(self.created)

    # Payments follow the orders' settlement.
    def collect(self, customer: Customer) -> None:
        rng = random.Random(customer.pk)
        months: dict[datetime.date, dict[int, Decimal]] = defaultdict(dict)
        receivables = Receivable.objects.filter(customer=customer).select_related("order").order_by("issued_on")
        for receivable in receivables:
            settlement = receivable.order.settlement if receivable.order_id else Settlement.UNSETTLED
            if settlement == Settlement.UNSETTLED:
                continue
            paid_on = receivable.due_on + datetime.timedelta(days=rng.randint(-20, 25))
            paid_on = min(max(paid_on, receivable.issued_on), self.today)
            share = Decimal(1) if settlement == Settlement.SETTLED else Decimal("0.5")
            months[paid_on.replace(day=min(paid_on.day, 28))][receivable.pk] = money(receivable.amount * share)
        for received_on, amounts in sorted(months.items()):
            services.payment_record(
                actor=customer.owner,
                customer_id=customer.pk,
                data={
                    "received_on": received_on,
                    "amount": sum(amounts.values(), Decimal(0)),
                    "method": rng.choice([PaymentMethod.TRANSFER] * 4 + [PaymentMethod.BANK_ACCEPTANCE]),
                    "reference": f"HK{received_on:%Y%m%d}{customer.pk:03d}",
                },
                mode=Allocation.BY_HAND,
                amounts=amounts,
            )
            self.created["payments"] += 1

    def apply(self, customer: Customer, scores, terms: int, status: str) -> None:
        exposure = selectors.credit_status(customer.pk, today=self.today).exposure
        share = scoring.assess(dict(zip(GROUNDS, scores, strict=True)), Decimal(1)).limit or Decimal(1)
        wanted = max(exposure * HEADROOM.get(status, DEFAULT_HEADROOM), Decimal(50000)) / share
        data = {
            "requested_limit": (wanted / 10000).to_integral_value(rounding=ROUND_CEILING) * 10000,
            "terms_days": terms,
            "payment_method": PaymentMethod.TRANSFER,
            "guarantee": "法定代表人连带责任担保" if scores[3] >= 4 else "",
            **{f"score_{factor}": score for factor, score in zip(GROUNDS, scores, strict=True)},
            **{f"note_{factor}": text for factor, text in GROUNDS.items()},
        }
        application = services.application_create(actor=customer.owner, customer_id=customer.pk, data=data)
        self.created["credit applications"] += 1
        if status == FilingStatus.DRAFT:
            return
        request = filing.entry_submit(actor=customer.owner, entry=application, note="申请授信，评分依据见附件。")
        if status == FilingStatus.RETURNED:
            filing.request_return(actor=self.director, request_id=request.pk, comment=RETURN_COMMENT)
        elif status != FilingStatus.PENDING:
            filing.request_approve(actor=self.director, request_id=request.pk)

    def overdue_receivables(self, customer: Customer) -> list[Receivable]:
        return [r for r in selectors.open_receivables(customer_id=customer.pk) if r.due < self.today]

    def extend(self, customer: Customer, *, approve: bool) -> None:
        receivable = self.overdue_receivables(customer)[-1]
        extension = services.extension_request(
            actor=customer.owner,
            receivable_id=receivable.pk,
            requested_due_on=max(receivable.due, self.today) + datetime.timedelta(days=30),
            reason=EXTENSION_REASON,
        )
        self.created["extensions"] += 1
        if approve:
            request = filing.entry_requests(extension).first()
            filing.request_approve(actor=self.director, request_id=request.pk)

    def plan(self, customer: Customer) -> None:
        """A plan agreed 100 days ago: the first instalment paid on time, the second late, the third missing."""
        start = self.today - datetime.timedelta(days=100)
        owed = sum((r.outstanding for r in self.overdue_receivables(customer)), Decimal(0))
        part = money(owed / 4)
        due = [start + datetime.timedelta(days=days) for days in (20, 50, 80, 130)]
        services.plan_create(
            actor=customer.owner,
            customer_id=customer.pk,
            data={"title": "逾期货款分期回款计划", "starts_on": start, "note": "经双方协商，逾期货款分四期付清。"},
            instalments=[{"due_on": day, "amount": part} for day in due[:3]]
            + [{"due_on": due[3], "amount": owed - 3 * part}],
        )
        for received_on in (due[0] - datetime.timedelta(days=2), due[1] + datetime.timedelta(days=8)):
            services.payment_record(
                actor=customer.owner,
                customer_id=customer.pk,
                data={"received_on": received_on, "amount": part, "method": PaymentMethod.TRANSFER, "reference": ""},
            )
            self.created["payments"] += 1
        self.created["repayment plans"] += 1
