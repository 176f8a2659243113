"""Contracts' part of a staff handover (员工调离交接): the departing manager's unfiled contracts and orders.

A draft, returned or pending contract or order is work in progress: whoever keeps the customer now finishes it,
corrects it when the director returns it, and is named as its author. Filed entries keep their author: they are
what that person did. :func:`reassign` is shared with the other categories' steps.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from archive.choices import FilingStatus
from archive.history import user_display

from .models import Contract, Order

# Entries still on their way into the archive: their author has something left to do.
UNFILED = (FilingStatus.DRAFT, FilingStatus.RETURNED, FilingStatus.PENDING)


def reassign(records: list[models.Model], model: type[models.Model], fields: Iterable[str], *, actor, reason) -> int:
    """Write ``fields`` of ``records`` (already changed) in bulk, each with its row in the change trail.

    The rows were read under lock by the caller, so an author saving a draft at the same moment cannot write the
    old values back over these. ``updated_at`` follows, as a save would set it.
    """
    if not records:
        return 0
    fields = list(fields)
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        now = timezone.now()
        for record in records:
            record.updated_at = now
        fields.append("updated_at")
    bulk_update_with_history(
        records,
        model,
        fields,
        batch_size=500,
        default_user=actor,
        default_change_reason=str(reason),
        custom_historical_attrs={"history_user_name": user_display(actor)},
    )
    return len(records)


def reassign_authors(model, *, customer_ids, from_user, to_user, actor, reason) -> int:
    """Hand ``from_user``'s unfiled entries of ``model`` on these customers to ``to_user``; returns how many."""
    records = list(
        model.objects.select_for_update()
        .filter(customer_id__in=list(customer_ids), created_by=from_user, status__in=UNFILED)
        .order_by("pk")
    )
    for record in records:
        record.created_by = to_user
    return reassign(records, model, ["created_by"], actor=actor, reason=reason)


def hand_over(*, customer_ids, from_user, to_user, actor, reason) -> dict:
    """The handover step of contracts and orders (``archive.registry.HandoverStep``): counts by model label."""
    moved = {}
    for model in (Contract, Order):
        count = reassign_authors(
            model, customer_ids=customer_ids, from_user=from_user, to_user=to_user, actor=actor, reason=reason
        )
        if count:
            moved[model._meta.label_lower] = count
    return moved
