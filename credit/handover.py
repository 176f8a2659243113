"""Credit's part of a staff handover (员工调离交接): the departing manager's unfiled credit applications and
extension requests go to the manager who keeps the customer now, who answers for them when the director decides.

The ledger itself (receivables, payments, plans) is what happened and keeps who entered it.
"""

from __future__ import annotations

from contracts.handover import reassign_authors

from .models import CreditApplication, ExtensionRequest


def hand_over(*, customer_ids, from_user, to_user, actor, reason) -> dict:
    """The handover step of credit (``archive.registry.HandoverStep``): counts by model label."""
    moved = {}
    for model in (CreditApplication, ExtensionRequest):
        count = reassign_authors(
            model, customer_ids=customer_ids, from_user=from_user, to_user=to_user, actor=actor, reason=reason
        )
        if count:
            moved[model._meta.label_lower] = count
    return moved
