"""Bulk writing for ``manage.py generate_dataset``: a large archive for benchmarks, written the fast way.

The services write one card at a time, with every check; a benchmark archive of 100,000 customers is written
here with ``bulk_create`` in batches instead. simple-history writes no historical row for a bulk insert, so
every record's historical rows are built here and bulk-inserted beside it, with the actor, the actor's name
and the reason that the services would have recorded. Category apps write their part through an
``archive.registry.DatasetStep`` and use the same helpers.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import models
from django.utils import timezone

from archive.history import historical_row  # noqa: F401 - the category steps import it from here

BATCH_SIZE = 2000


class GeneratedCustomer(NamedTuple):
    """What a category step needs to know of a generated customer, without holding the model instance."""

    pk: int
    owner_id: int
    status: str
    lifecycle: str
    tier: str
    opened_on: datetime.date
    filed_at: datetime.datetime | None
    many_records: bool


@dataclass
class DatasetContext:
    """The state a generation run shares with the category steps: the clock, the random source and the people."""

    today: datetime.date
    rng: random.Random
    director: models.Model
    users: dict[int, models.Model]
    batch_size: int = BATCH_SIZE
    log: Callable[[str], None] = field(default=lambda message: None)

    def moment(self, day: datetime.date, *, hour: int | None = None) -> datetime.datetime:
        """An aware time on ``day`` during office hours."""
        hour = self.rng.randint(8, 18) if hour is None else hour
        naive = datetime.datetime.combine(day, datetime.time(hour, self.rng.randint(0, 59), self.rng.randint(0, 59)))
        return timezone.make_aware(naive)

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)


def bulk_insert(model: type[models.Model], objects: Sequence[models.Model], batch_size: int = BATCH_SIZE) -> list:
    """``bulk_create`` in batches; the primary keys are set on ``objects`` (PostgreSQL, SQLite ≥ 3.35)."""
    if not objects:
        return []
    return model._default_manager.bulk_create(objects, batch_size=batch_size)


def insert_history(rows: Iterable[models.Model], batch_size: int = BATCH_SIZE) -> int:
    """Insert historical rows of any tracked models, grouped by model; return how many were written."""
    by_model: dict[type[models.Model], list] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    for model, group in by_model.items():
        model.objects.bulk_create(group, batch_size=batch_size)
    return sum(len(group) for group in by_model.values())


def chunks(items: Sequence, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
