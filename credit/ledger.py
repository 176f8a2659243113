"""The ledger's arithmetic, free of the database so that it can be tested on any sequence of events.

Everything is ``Decimal`` to the fen. The services lock the rows and feed these functions what the database holds.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .choices import InstalmentState

ZERO = Decimal("0.00")


def oldest_first(open_items: Iterable[tuple[Hashable, Decimal]], amount: Decimal) -> dict[Hashable, Decimal]:
    """Spread ``amount`` over ``open_items`` (key, outstanding), in the order given, each at most its outstanding.

    What does not fit stays unallocated: the result never adds up to more than ``amount``.
    """
    plan: dict[Hashable, Decimal] = {}
    left = Decimal(amount)
    for key, outstanding in open_items:
        if left <= 0:
            break
        share = min(left, Decimal(outstanding))
        if share > 0:
            plan[key] = share
            left -= share
    return plan


@dataclass(frozen=True)
class InstalmentProgress:
    due_on: date
    amount: Decimal
    paid: Decimal
    settled_on: date | None
    state: str

    @property
    def missing(self) -> Decimal:
        return self.amount - self.paid


def instalment_progress(
    instalments: Sequence[tuple[date, Decimal]], payments: Iterable[tuple[date, Decimal]], today: date
) -> list[InstalmentProgress]:
    """How each instalment went: payments (up to ``today``) fill the instalments in due order.

    An instalment is paid on time when the payments reach it by its due date, late when they reach it after,
    partly paid or missing when its date has passed and they have not, and not yet due otherwise.
    """
    received = sorted((day, Decimal(amount)) for day, amount in payments if day <= today)
    progress = []
    reached = ZERO  # what the instalments before this one took
    for due_on, amount in sorted(instalments):
        target = reached + Decimal(amount)
        running, settled_on = ZERO, None
        for day, paid in received:
            running += paid
            if running >= target:
                settled_on = day
                break
        total_paid = sum((paid for _, paid in received), ZERO)
        towards = max(min(total_paid - reached, Decimal(amount)), ZERO)
        if settled_on is not None:
            state = InstalmentState.ON_TIME if settled_on <= due_on else InstalmentState.LATE
        elif due_on < today:
            state = InstalmentState.PART_PAID if towards > 0 else InstalmentState.MISSING
        else:
            state = InstalmentState.UPCOMING
        progress.append(InstalmentProgress(due_on, Decimal(amount), towards, settled_on, state))
        reached = target
    return progress
