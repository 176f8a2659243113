"""The fifth category's step of ``manage.py seed_demo``: complaints in every state, returns, discounts and churn.

Runs after the contracts and credit steps, on filed customers with filed orders. Complaints cover every handling
state (just received, overdue, being handled, closed but not yet filed, waiting, returned, filed) and every severity;
a dissatisfied customer shows on its card. Returns and discounts follow some complaints; one discount is approved,
so its order shows the net total. One customer is lost to a competitor with a win-back plan under way, another was
lost and won back. Everything goes through the services and the filing services; a second run adds nothing.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from archive import filing
from archive.choices import FilingStatus
from contracts.models import Contract, Order
from customers.models import Customer

from . import services
from .choices import WinBackState
from .models import ChurnRecord, Complaint

User = get_user_model()
HOUR = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Story:
    """A complaint of the demo: who, what, how long ago, the steps taken so far and how far it got."""

    customer: str
    hours_ago: int
    severity: str
    category: str
    channel: str
    subject: str
    content: str
    steps: tuple[tuple[int, str], ...] = ()  # (hours after reception, what was done)
    closing: dict | None = None  # result, responsibility, findings, satisfaction
    status: str = FilingStatus.DRAFT  # how far the closed complaint got towards the archive
    follow_up: tuple[str, ...] = field(default=())  # "return", "discount", "pending-discount", "returned-discount"


STORIES = [
    Story(
        "宏达五金",
        30,
        "critical",
        "quality",
        "phone",
        "离心泵运行异响、轴承发热",
        "客户设备科来电：上周到货的两台 IS80-65-160 离心泵试运行时异响，轴承温度超过 80℃，要求立即派人处理。",
        follow_up=("draft-return",),
    ),
    Story(
        "申菱机电",
        40,
        "major",
        "delivery",
        "email",
        "第三批货物延迟五天到货",
        "客户采购部邮件：合同约定 15 日到货，实际 20 日到货，影响其工地安装进度。",
        steps=(
            (2, "与物流公司核实：中转站爆仓导致延误，已要求加急。"),
            (20, "电话向客户采购经理致歉并说明原因，承诺下批提前发货。"),
        ),
    ),
    Story(
        "恒通阀门",
        240,
        "minor",
        "packaging",
        "salesperson",
        "包装箱破损、标签模糊",
        "业务员拜访时客户反映：近两批法兰外包装箱多处破损，产品标签受潮看不清规格。",
        steps=((30, "已通知仓库更换加厚纸箱，并在标签外加覆膜。"),),
    ),
    Story(
        "泉城热力",
        900,
        "major",
        "quality",
        "letter",
        "机械密封批量渗漏",
        "客户来函：3 月到货的 M7N-45 机械密封安装后一周内有 6 套渗漏，要求退换并赔偿停机损失。",
        steps=((6, "质检部到现场取样，确认为动环材质不合格。"), (48, "与客户商定：退回不合格品，剩余货款折价 5%。")),
        closing={
            "result": "退回不合格机械密封并补发合格品，该订单货款折价 5%。",
            "responsibility": "production",
            "responsibility_note": "供应商动环批次材质不合格，来料检验漏检。",
            "satisfaction": 4,
        },
        status=FilingStatus.FILED,
        follow_up=("return", "discount"),
    ),
    Story(
        "长江五金",
        2000,
        "critical",
        "service",
        "visit",
        "售后响应慢，客户表示不满",
        "客户总经理当面投诉：设备故障报修后三天无人上门，生产线停工。",
        steps=((24, "售后工程师上门，更换损坏的叶轮。"),),
        closing={
            "result": "已修复设备，但客户对响应速度仍不满意。",
            "responsibility": "sales",
            "responsibility_note": "报修单未及时转交售后部门。",
            "satisfaction": 1,
        },
        status=FilingStatus.FILED,
    ),
    Story(
        "滨海重工",
        120,
        "critical",
        "service",
        "phone",
        "安装调试人员态度差",
        "客户工程部来电：我方调试人员与客户现场人员发生争执，调试未完成即离场。",
        steps=((3, "销售总监致电客户工程部经理致歉。"), (26, "更换调试人员，次日完成调试。")),
        closing={
            "result": "更换调试人员后完成调试，对相关人员通报批评。",
            "responsibility": "sales",
            "responsibility_note": "现场人员沟通不当。",
            "satisfaction": 2,
        },
        status=FilingStatus.PENDING,
        follow_up=("pending-discount",),
    ),
    Story(
        "穗丰泵阀",
        300,
        "major",
        "price",
        "email",
        "发票金额与合同单价不符",
        "客户财务部反映：上月发票单价比合同约定高 2%，要求重开发票。",
        steps=((5, "财务部核对：开票时误用旧价目表。"), (30, "已红冲原发票并按合同单价重开。")),
        closing={
            "result": "重开发票，客户确认无误。",
            "responsibility": "sales",
            "responsibility_note": "开票未按合同价执行。",
            "satisfaction": 5,
        },
        follow_up=("pending-return",),
    ),
    Story(
        "蜀道机电",
        500,
        "minor",
        "after_sales",
        "online",
        "安装说明书缺页",
        "客户微信反映：随货说明书第 5–8 页缺失，无法确认接线方式。",
        steps=((4, "已发送电子版说明书，并补寄纸质版。"),),
        closing={
            "result": "补寄说明书，客户已完成安装。",
            "responsibility": "logistics",
            "responsibility_note": "",
            "satisfaction": 4,
        },
        status=FilingStatus.RETURNED,
        follow_up=("returned-discount",),
    ),
    Story(
        "宁江化工",
        1,
        "major",
        "quantity",
        "fax",
        "到货数量短少两箱",
        "客户仓库传真：送货单 30 箱，实收 28 箱，请核实补发。",
    ),
    Story(
        "两江矿机",
        700,
        "major",
        "delivery",
        "phone",
        "运输途中泵体磕碰",
        "客户收货时发现一台泵体外壳磕碰变形，已拍照留存。",
        steps=((8, "与承运方确认运输责任，承运方同意赔付。"),),
        closing={
            "result": "按发票价赔偿客户一台泵体的损失，承运方已赔付我方。",
            "responsibility": "carrier",
            "responsibility_note": "装车固定不牢。",
            "satisfaction": 3,
        },
        status=FilingStatus.FILED,
        follow_up=("compensation",),
    ),
]
RETURN_COMMENT = "请补充责任鉴定的依据（物流签收单）。"
DISCOUNT_RETURN_COMMENT = "折价幅度过大，请与客户重新协商。"


def seed_demo_complaints(*, today: datetime.date, log: Callable[[str], None] | None = None) -> dict[str, int]:
    return ComplaintSeeder(today=today, log=log).run()


class ComplaintSeeder:
    def __init__(self, *, today: datetime.date, log: Callable[[str], None] | None = None):
        self.today = today
        self.now = timezone.now()
        self.log = log or (lambda message: None)
        self.created: Counter[str] = Counter(dict.fromkeys(("complaints", "returns", "discounts", "churn records"), 0))

    def run(self) -> dict[str, int]:
        if Complaint.all_objects.exists() or ChurnRecord.all_objects.exists():
            return dict(self.created)
        self.director = User.objects.get(username="director")
        customers = {
            c.short_name: c
            for c in Customer.objects.filter(status=FilingStatus.FILED).select_related("owner").order_by("pk")
        }
        for story in STORIES:
            if story.customer in customers:
                self.complaint(customers[story.customer], story)
        self.churn(customers.get("长江五金"), won_back=False)
        self.churn(customers.get("汾河热电"), won_back=True)
        return dict(self.created)

    # ---- Complaints ---------------------------------------------------------------------------------------------

    def complaint(self, customer: Customer, story: Story) -> None:
        owner = customer.owner
        received = self.now - story.hours_ago * HOUR
        order = self.latest_order(customer)
        contact = customer.contacts.order_by("pk").first()
        complaint = services.complaint_create(
            actor=owner,
            customer_id=customer.pk,
            data={
                "received_at": received,
                "channel": story.channel,
                "category": story.category,
                "severity": story.severity,
                "subject": story.subject,
                "content": story.content,
                "order": order,
                "contact": contact,
                "their_people": "",
                "handler": owner,
                "our_people": "售后部 王工" if story.category in ("quality", "after_sales", "service") else "",
            },
        )
        self.created["complaints"] += 1
        for hours, action in story.steps:
            services.step_add(actor=owner, complaint_id=complaint.pk, action=action, taken_at=received + hours * HOUR)
        if story.closing:
            closed_on = min(self.today, timezone.localtime(received + 72 * HOUR).date())
            complaint = services.complaint_close(
                actor=owner, complaint_id=complaint.pk, data={**story.closing, "closed_on": closed_on}
            )
            self.file(complaint, story.status, note="投诉已结案，提交入档。", comment=RETURN_COMMENT)
        for follow_up in story.follow_up:
            self.follow(follow_up, complaint, order)

    def file(self, entry, status: str, *, note: str, comment: str) -> None:
        if status == FilingStatus.DRAFT:
            return
        request = filing.entry_submit(actor=entry.customer.owner, entry=entry, note=note)
        if status == FilingStatus.RETURNED:
            filing.request_return(actor=self.director, request_id=request.pk, comment=comment)
        elif status == FilingStatus.FILED:
            filing.request_approve(actor=self.director, request_id=request.pk)

    def latest_order(self, customer: Customer) -> Order | None:
        return customer.orders.filter(status=FilingStatus.FILED).order_by("-ordered_on", "-id").first()

    # ---- Returns and discounts ----------------------------------------------------------------------------------

    def follow(self, kind: str, complaint: Complaint, order: Order | None) -> None:
        if order is None:
            return
        owner = complaint.customer.owner
        if kind in ("return", "pending-return", "draft-return", "compensation"):
            line = order.lines.order_by("position").first()
            compensation = kind == "compensation"
            entry = services.return_create(
                actor=owner,
                order_id=order.pk,
                data={
                    "complaint": complaint,
                    "kind": "compensation" if compensation else "return",
                    "returned_on": max(order.ordered_on, timezone.localtime(complaint.received_at).date()),
                    "reason_category": "damaged" if compensation else "defect",
                    "reason": complaint.subject,
                },
                lines=[
                    {
                        "order_line": line,
                        "quantity": Decimal(0) if compensation else min(line.quantity, Decimal(2)),
                        "amount": (line.amount / line.quantity).quantize(Decimal("0.01")) if compensation else None,
                    }
                ],
            )
            self.created["returns"] += 1
            status = {"return": FilingStatus.FILED, "compensation": FilingStatus.FILED}.get(kind)
            status = status or (FilingStatus.PENDING if kind == "pending-return" else FilingStatus.DRAFT)
            self.file(entry, status, note="退赔单提交审批。", comment="")
            return
        data = {"complaint": complaint, "reason": f"因投诉“{complaint.subject}”给予折价。"}
        if kind == "discount":
            data |= {"mode": "percent", "percent": Decimal(5)}
        else:
            data |= {"mode": "amount", "amount": min(order.total, Decimal("3000.00"))}
        discount = services.discount_request(actor=owner, order_id=order.pk, data=data)
        self.created["discounts"] += 1
        request = filing.entry_requests(discount).first()
        if kind == "discount":
            filing.request_approve(actor=self.director, request_id=request.pk)
        elif kind == "returned-discount":
            filing.request_return(actor=self.director, request_id=request.pk, comment=DISCOUNT_RETURN_COMMENT)
        if kind == "discount":
            self.contract_discount(complaint.customer)

    def contract_discount(self, customer: Customer) -> None:
        """An approved discount on a contract: the yearly volume rebate agreed with a key customer."""
        contract = Contract.objects.filter(status=FilingStatus.FILED).select_related("customer__owner").first()
        if contract is None:
            return
        discount = services.discount_request(
            actor=contract.customer.owner,
            contract_id=contract.pk,
            data={"mode": "percent", "percent": Decimal(2), "reason": "年度采购量达标，按合同约定给予 2% 返利折价。"},
        )
        self.created["discounts"] += 1
        filing.request_approve(actor=self.director, request_id=filing.entry_requests(discount).first().pk)

    # ---- Churn ----------------------------------------------------------------------------------------------------

    def churn(self, customer: Customer | None, *, won_back: bool) -> None:
        if customer is None:
            return
        owner = customer.owner
        last_order = self.latest_order(customer)
        churned_on = max(last_order.ordered_on if last_order else self.today, self.today - datetime.timedelta(days=60))
        churn = services.churn_create(
            actor=owner,
            customer_id=customer.pk,
            data={
                "churned_on": churned_on,
                "reason_category": "service" if not won_back else "price",
                "narrative": "售后响应慢，客户总经理明确表示转向其他供应商。"
                if not won_back
                else "竞争对手报价低 8%，客户采购部转单。",
                "competitor": "南方泵业" if not won_back else "利欧泵业",
            },
        )
        self.created["churn records"] += 1
        services.plan_save(
            actor=owner,
            churn_id=churn.pk,
            data={
                "next_steps": "销售总监带队拜访客户总经理，提出售后 24 小时响应承诺，并给予首单 3% 折价。"
                if not won_back
                else "重新报价并提供两年免费维保。",
                "target_on": self.today + datetime.timedelta(days=14)
                if not won_back
                else churned_on + datetime.timedelta(days=20),
                "responsible": owner,
            },
        )
        self.file(churn, FilingStatus.FILED, note="客户已流失，提交入档。", comment="")
        if won_back:
            services.plan_conclude(
                actor=owner,
                churn_id=churn.pk,
                state=WinBackState.WON_BACK,
                outcome_on=min(self.today, churned_on + datetime.timedelta(days=30)),
                outcome_note="客户接受新报价，重新签订年度供货协议。",
            )
