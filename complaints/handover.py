"""The fifth category's part of a staff handover (员工调离交接).

A complaint still open needs someone on our side to close it, and a win-back plan under way someone to lead it:
both go to the manager who keeps the customer now, as do the departing manager's unfiled complaints, returns,
discounts and churn records. Closed complaints and concluded plans keep who handled them.
"""

from __future__ import annotations

from django.db.models import Q

from contracts.handover import UNFILED, reassign, reassign_authors

from .choices import ComplaintState, WinBackState
from .models import ChurnRecord, Complaint, Discount, Return, WinBackPlan


def _complaints(*, customer_ids, from_user, to_user, actor, reason) -> int:
    handled = Q(handler=from_user) & ~Q(state=ComplaintState.CLOSED)
    written = Q(created_by=from_user, status__in=UNFILED)
    records = list(
        Complaint.objects.select_for_update()
        .filter(handled | written, customer_id__in=list(customer_ids))
        .order_by("pk")
    )
    for complaint in records:
        if complaint.handler_id == from_user.pk and complaint.state != ComplaintState.CLOSED:
            complaint.handler = to_user
        if complaint.created_by_id == from_user.pk and complaint.status in UNFILED:
            complaint.created_by = to_user
    return reassign(records, Complaint, ["handler", "created_by"], actor=actor, reason=reason)


def _plans(*, customer_ids, from_user, to_user, actor, reason) -> int:
    records = list(
        WinBackPlan.objects.select_for_update()
        .filter(customer_id__in=list(customer_ids), responsible=from_user, state=WinBackState.ACTIVE)
        .order_by("pk")
    )
    for plan in records:
        plan.responsible = to_user
    return reassign(records, WinBackPlan, ["responsible"], actor=actor, reason=reason)


def hand_over(*, customer_ids, from_user, to_user, actor, reason) -> dict:
    """The handover step of complaints and churn (``archive.registry.HandoverStep``): counts by model label."""
    kwargs = dict(customer_ids=customer_ids, from_user=from_user, to_user=to_user, actor=actor, reason=reason)
    counts = {
        Complaint: _complaints(**kwargs),
        WinBackPlan: _plans(**kwargs),
        **{model: reassign_authors(model, **kwargs) for model in (Return, Discount, ChurnRecord)},
    }
    return {model._meta.label_lower: count for model, count in counts.items() if count}
