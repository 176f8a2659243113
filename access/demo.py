"""The access part of ``manage.py seed_demo``: requests to read, a handover of a departed manager, readings.

- 刘志强 (``manager3``) has left: his two customers went to 王海涛 and 陈思远 in handover #1 and his account is
  closed, so the handover list and each card's trail show the move.
- 陈思远 (``manager2``) waits for an answer to read one of 王海涛's customers; 张敏 (``clerk``) was lent a customer
  outside her region for seven days; 王海涛's request for one of 陈思远's customers was refused.
- The access log holds a few days of readings: cards opened, a document downloaded, lists exported.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from archive import filing, roles
from archive.choices import FilingStatus
from customers import permissions, services
from customers.demo_data import PASSWORD, REGION_CLERK_GROUP_REGION
from customers.models import AccessRecord, Attachment, Customer, Region
from customers.permissions import Action

from .models import AccessRequest, Handover
from .services import handovers, requests

User = get_user_model()

DEPARTED = ("manager3", "刘志强")
DEPARTED_CUSTOMERS = (
    {
        "name": "洛阳中原矿山机械有限公司",
        "short_name": "中原矿机",
        "credit_code": "91410300158813992X",
        "industry": "矿山机械制造",
        "address": "河南省洛阳市涧西区建设路 126 号",
        "phone": "0379-64218830",
    },
    {
        "name": "襄阳汉江汽车配件有限公司",
        "short_name": "汉江汽配",
        "credit_code": "91420600869879736X",
        "industry": "汽车零部件制造",
        "address": "湖北省襄阳市高新区长虹北路 58 号",
        "phone": "0710-3325176",
    },
)
# Who the departed manager knew at each customer, and what he last did there.
CONTACTS = (("郭建华", "设备部", "部长", "0379-64218831"), ("邓丽", "采购部", "采购经理", "0710-3325180"))
VISITS = (
    ("visit", 40, "上门拜访设备部，了解明年技改计划", "年后报送破碎机备件报价"),
    ("call", 12, "电话确认第四季度备件到货时间", ""),
)
HANDOVER_NOTE = "刘志强调往华北分公司，名下客户移交王海涛、陈思远跟进"
SUBMIT_NOTE = "新客户资料已核实，申请入档"
REQUESTS = (
    # requester, keeper, reason, answer
    ("manager2", "manager1", "该客户拟参加我司华中区招标项目，需要了解其信用与往来情况。", None),
    ("clerk", "manager2", "协助整理年度合同台账，需核对该客户的订货记录。", "granted"),
    ("manager1", "manager2", "想了解该客户的采购周期，做区域对比。", "refused"),
)
# Each person's desk on the office LAN, as the access log records it.
OFFICE_ADDRESSES = {"director": "192.168.10.21", "manager1": "192.168.10.23", "clerk": "192.168.10.25"}
REFUSAL = "与现有工作无直接关系，如需对比数据请向内勤索取汇总表。"


def seed_demo_access(*, today: datetime.date, log: Callable[[str], None] | None = None) -> dict[str, int]:
    created: Counter[str] = Counter()
    if Handover.objects.exists() or AccessRequest.objects.exists():
        return dict(created)
    director = User.objects.get(username="director")
    created["handovers"] += _handover(director, today)
    created["access requests"] += _requests(director)
    created["access log rows"] += _readings(director)
    return dict(created)


def _handover(director, today: datetime.date) -> int:
    username, name = DEPARTED
    departed = User.objects.create_user(username=username, password=PASSWORD, first_name=name)
    departed.groups.add(Group.objects.get(name=roles.ACCOUNT_MANAGER))
    region = Region.objects.order_by("sort_order").last()
    receivers = [User.objects.get(username="manager1"), User.objects.get(username="manager2")]
    assignments = {}
    for data, receiver in zip(DEPARTED_CUSTOMERS, receivers, strict=True):
        customer = services.customer_create(actor=departed, data={**data, "region": region})
        contact, department, title, phone = CONTACTS[len(assignments)]
        services.contact_create(
            actor=departed,
            customer_id=customer.pk,
            data={"name": contact, "department": department, "title": title, "phone": phone},
        )
        for kind, days, subject, next_step in VISITS:
            services.interaction_create(
                actor=departed,
                customer_id=customer.pk,
                data={
                    "kind": kind,
                    "occurred_on": today - datetime.timedelta(days=days),
                    "their_people": contact,
                    "subject": subject,
                    "next_step": next_step,
                },
            )
        # Submitted for filing before he left: the request waits for the director, now in the receiver's name.
        filing.entry_submit(actor=departed, entry=customer, note=SUBMIT_NOTE)
        assignments[customer.pk] = receiver
    handovers.handover_execute(
        actor=director, from_user=departed, assignments=assignments, note=HANDOVER_NOTE, deactivate=True
    )
    return 1


def _someone_elses(requester, keeper) -> Customer | None:
    """A filed customer of ``keeper`` with a credit code that ``requester`` cannot read."""
    candidates = Customer.objects.filter(owner=keeper, status=FilingStatus.FILED).exclude(credit_code="")
    return next((c for c in candidates.order_by("pk") if not permissions.can(requester, Action.VIEW, c)), None)


def _requests(director) -> int:
    made = 0
    for requester_name, keeper_name, reason, answer in REQUESTS:
        requester = User.objects.get(username=requester_name)
        customer = _someone_elses(requester, User.objects.get(username=keeper_name))
        if customer is None:
            continue
        request = requests.access_request_create(
            actor=requester, key=customer.credit_code, customer_id=customer.pk, reason=reason, days=7
        )
        if answer == "granted":
            requests.access_request_grant(actor=director, request_id=request.pk, days=7, comment="同意，请注意保密。")
        elif answer == "refused":
            requests.access_request_refuse(actor=director, request_id=request.pk, comment=REFUSAL)
        made += 1
    return made


def _readings(director) -> int:
    """A few days of the register: who opened, downloaded and exported what (the address of the office LAN)."""
    now = timezone.now()
    clerk = User.objects.get(username="clerk")
    manager1 = User.objects.get(username="manager1")
    rows = []
    for n, customer in enumerate(Customer.objects.filter(owner=manager1).order_by("pk")[:4]):
        rows.append((manager1, AccessRecord.Action.VIEW, customer, "", "", None, n * 5 + 30))
        rows.append((director, AccessRecord.Action.VIEW, customer, "", "", None, n * 7 + 120))
    document = Attachment.objects.filter(customer__owner=manager1).order_by("pk").first()
    if document is not None:
        rows.append((manager1, AccessRecord.Action.DOWNLOAD, document.customer, document.title, "", None, 45))
    east = Region.objects.get(code=REGION_CLERK_GROUP_REGION)
    exported = permissions.visible_customers(clerk).filter(region=east).count()
    rows.append((clerk, AccessRecord.Action.EXPORT, None, "客户名册", f"region={east.pk}", exported, 60 * 26))
    for user, action, customer, what, query, count, minutes in rows:
        record = AccessRecord.objects.create(
            user=user,
            user_name=user.get_full_name() or user.username,
            action=action,
            customer=customer,
            what=what,
            query=query,
            row_count=count,
            address=OFFICE_ADDRESSES[user.username],
        )
        AccessRecord.objects.filter(pk=record.pk).update(at=now - datetime.timedelta(minutes=minutes))
    return len(rows)
