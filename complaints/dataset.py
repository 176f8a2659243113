"""The complaints step of ``manage.py generate_dataset``: complaints and their handling steps, in bulk.

About one trading customer in eight has complained, one to three times; the large key accounts many times. Most
complaints are closed with the customer's satisfaction and filed through an approved filing request (``5-00n``),
some are closed and waiting for the director, and the rest are still open or being handled, a few of them past
the time their severity allows. Every complaint and step gets the historical rows the services would write.
"""

from __future__ import annotations

import datetime
from collections import Counter as Tally

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from archive import filing
from archive.choices import FilingStatus
from archive.models import Counter, FilingRequest
from customers.dataset import DatasetContext, GeneratedCustomer, bulk_insert, chunks, historical_row, insert_history

from . import choices
from .models import Complaint, ComplaintStep
from .services import due_at

SUBJECTS = (
    ("quality", "法兰密封面有划痕，现场无法安装"),
    ("delivery", "到货比合同约定晚了五天"),
    ("quantity", "到货数量比送货单少两箱"),
    ("packaging", "木箱破损，部分配件受潮"),
    ("price", "发票金额与合同单价不符"),
    ("service", "售后工程师未按约定时间到场"),
)
RESULTS = "已补发合格品并上门安装调试，客户确认问题解决。"
STEPS = ("电话回访客户，了解问题经过", "安排质检部门复核批次记录", "与客户约定补发及上门时间")
SUBMIT_NOTE = "投诉已处理完毕，申请入档"


def generate_complaints(*, customers: list[GeneratedCustomer], context: DatasetContext) -> dict[str, int]:
    """Write the customers' complaints with their steps, filing requests and trail; counts of what was written."""
    counts: Tally[str] = Tally()
    content_type = ContentType.objects.get_for_model(Complaint)
    complaining = [c for c in customers if c.lifecycle in ("current", "past")]
    for batch in chunks(complaining, max(1, context.batch_size // 2)):
        _write_batch(batch, content_type, context, counts)
    return counts


def _count(customer: GeneratedCustomer, context: DatasetContext) -> int:
    if customer.many_records:
        return 12
    return context.rng.choice((1, 1, 2, 3)) if context.rng.random() < 0.125 else 0


def _write_batch(batch, content_type, context: DatasetContext, counts: Tally) -> None:
    rng = context.rng
    complaints = []
    now = context.moment(context.today, hour=18)
    for customer in batch:
        for _n in range(_count(customer, context)):
            ago = rng.randint(0, 700)
            received = context.moment(max(customer.opened_on, context.days_ago(ago)))
            received = min(received, now)
            severity = rng.choices(choices.Severity.values, (70, 25, 5))[0]
            category, subject = rng.choice(SUBJECTS)
            complaint = Complaint(
                customer_id=customer.pk,
                received_at=received,
                channel=rng.choice(choices.Channel.values),
                category=category,
                severity=severity,
                subject=subject,
                content=f"客户来电反映：{subject}，要求尽快处理。",
                handler_id=customer.owner_id,
                due_at=due_at(received, severity),
                created_by_id=customer.owner_id,
            )
            if ago > 14 and rng.random() < 0.9:
                complaint.state = choices.ComplaintState.CLOSED
                complaint.closed_on = min(context.today, received.date() + datetime.timedelta(days=rng.randint(1, 6)))
                complaint.result = RESULTS
                complaint.responsibility = rng.choice(choices.Responsibility.values)
                complaint.satisfaction = rng.choices((1, 2, 3, 4, 5), (3, 5, 17, 45, 30))[0]
                if customer.status == FilingStatus.FILED:
                    complaint.status = FilingStatus.FILED if rng.random() < 0.9 else FilingStatus.PENDING
            else:
                complaint.state = rng.choice((choices.ComplaintState.OPEN, choices.ComplaintState.HANDLING))
            complaint.version = {FilingStatus.DRAFT: 1, FilingStatus.PENDING: 2, FilingStatus.FILED: 3}[
                complaint.status
            ]
            complaints.append(complaint)

    # Filed complaints are numbered in their customer's catalogue in the order they were received (5-001 …).
    numbers: Tally[int] = Tally()
    for complaint in sorted(complaints, key=lambda c: c.received_at):
        if complaint.status == FilingStatus.FILED:
            numbers[complaint.customer_id] += 1
            complaint.entry_no = numbers[complaint.customer_id]
            # Filed in the afternoon of the closing day, after the keeper submitted it that morning (_trail).
            complaint.filed_at = context.moment(complaint.closed_on, hour=context.rng.randint(12, 18))
    bulk_insert(Complaint, complaints, context.batch_size)

    requests = []
    for complaint in complaints:
        if complaint.status == FilingStatus.DRAFT:
            continue
        pending = complaint.status == FilingStatus.PENDING
        author = context.users[complaint.created_by_id]
        requests.append(
            FilingRequest(
                kind=FilingRequest.Kind.FILING,
                state=FilingRequest.State.PENDING if pending else FilingRequest.State.APPROVED,
                content_type=content_type,
                object_id=complaint.pk,
                customer_id=complaint.customer_id,
                author_id=author.pk,
                author_name=author.first_name,
                note=SUBMIT_NOTE,
                base_version=1,
                decided_by=None if pending else context.director,
                decided_by_name="" if pending else context.director.first_name,
                decided_at=None if pending else complaint.filed_at,
            )
        )
    bulk_insert(FilingRequest, requests, context.batch_size)
    request_of = {r.object_id: r for r in requests}

    steps, history = [], []
    for complaint in complaints:
        author = context.users[complaint.created_by_id]
        if complaint.state != choices.ComplaintState.OPEN:
            for position, action in enumerate(STEPS[: rng.randint(1, len(STEPS))], start=1):
                steps.append(
                    ComplaintStep(
                        complaint_id=complaint.pk,
                        taken_at=min(now, complaint.received_at + datetime.timedelta(hours=4 * position)),
                        actor_id=author.pk,
                        actor_name=author.first_name,
                        action=action,
                    )
                )
        history.extend(_trail(complaint, author, request_of.get(complaint.pk), context))
    bulk_insert(ComplaintStep, steps, context.batch_size)
    history.extend(
        historical_row(step, when=step.taken_at, actor=context.users[step.actor_id], reason=_("Handling step added"))
        for step in steps
    )
    counts["history rows"] += insert_history(history, context.batch_size)

    prefix = filing.ARCHIVE_NUMBER_PREFIX
    Counter.objects.bulk_create(
        [Counter(key=f"{prefix}/{pk}/{int(Complaint.filing_category)}", value=n) for pk, n in numbers.items()],
        batch_size=context.batch_size,
    )
    counts.update({"complaints": len(complaints), "handling steps": len(steps), "filing requests": len(requests)})


def _trail(complaint: Complaint, author, request, context: DatasetContext) -> list:
    """The complaint's versions: recorded by its keeper, closed, submitted and filed by the director."""
    unfiled = {"entry_no": None, "filed_at": None}
    open_state = {
        "state": choices.ComplaintState.OPEN,
        "closed_on": None,
        "result": "",
        "responsibility": "",
        "satisfaction": None,
    }
    recorded = complaint.received_at
    steps = [(recorded, author, _("Complaint received"), "+", {**unfiled, **open_state, "status": FilingStatus.DRAFT})]
    if request is not None:
        submitted = _("Submitted for filing (request #%(number)s)") % {"number": request.pk}
        closed_at = context.moment(complaint.closed_on, hour=context.rng.randint(8, 11))
        steps.append((closed_at, author, submitted, "~", {**unfiled, "status": FilingStatus.PENDING, "version": 2}))
    if complaint.status == FilingStatus.FILED:
        filed = _("Filed: approved filing request #%(number)s") % {"number": request.pk}
        steps.append((complaint.filed_at, context.director, filed, "~", {}))
    rows = []
    for when, actor, reason, kind, state in steps:
        row = historical_row(complaint, when=when, actor=actor, reason=reason, kind=kind)
        for name, value in state.items():
            setattr(row, name, value)
        rows.append(row)
    return rows
