"""The change trail: who changed what, when and why, readable by people.

Every archive model carries ``HistoricalRecords(bases=[TrailRecord])``. Services save through
:func:`save_with_trail`, which names the actor and the reason; pages read the trail through
:func:`build_trail`, which merges several models' history into one timeline with field-by-field diffs
that show labels, choice names and related objects instead of raw values.
"""

from __future__ import annotations

import datetime
import decimal
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import prefetch_related_objects
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import TrailRecord

# Bookkeeping fields that change on every save and say nothing to a reader of the trail.
# ``file`` is the random stored name; the trail shows the document by its ``original_name``.
UNTRACKED_FIELDS = frozenset({"id", "created_at", "updated_at", "version", "file"})

KIND_LABELS = {
    "+": gettext_lazy("created"),
    "~": gettext_lazy("changed"),
    "-": gettext_lazy("deleted"),
}


# Every column that keeps a person's name (history_user_name, user_name, from_name, to_name, ...) holds this many.
NAME_LENGTH = 150


def user_display(user) -> str:
    """How a person is named in the archive: their full name, else their login, cut to the name columns' length
    (a first and a last name may each be 150 characters long)."""
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username())[:NAME_LENGTH]


def keep_user_name(sender, history_instance, history_user=None, **kwargs):
    """Copy the actor's name onto the historical row (receiver of simple-history's pre-create signal)."""
    if isinstance(history_instance, TrailRecord) and history_user is not None:
        history_instance.history_user_name = user_display(history_user)


def save_with_trail(instance: models.Model, *, actor, reason: str, clean: bool = True) -> models.Model:
    """Validate and save ``instance``, recording ``actor`` and ``reason`` on its historical row."""
    if clean:
        instance.full_clean()
    instance._history_user = actor
    instance._change_reason = str(reason)
    instance.save()
    return instance


@functools.cache
def _history_of(model: type[models.Model]) -> tuple[type[models.Model], tuple[str, ...]]:
    # simple-history's ``history`` descriptor builds a new manager on every access; look it up once per model.
    history_model = model.history.model
    return history_model, tuple(f.attname for f in history_model.tracked_fields)


def historical_row(instance: models.Model, *, when, actor, reason: str, kind: str = "+") -> models.Model:
    """The historical row simple-history would write for ``instance`` saved (``+``/``~``) or deleted (``-``).

    For bulk writes, which send no signals: the caller inserts the rows with ``bulk_create``.
    """
    history_model, attnames = _history_of(type(instance))
    values = {name: getattr(instance, name) for name in attnames}
    return history_model(
        **values,
        history_date=when,
        history_type=kind,
        history_user_id=actor.pk if actor is not None else None,
        history_user_name=user_display(actor),
        history_change_reason=str(reason),
    )


def delete_with_trail(instance: models.Model, *, actor, reason: str) -> None:
    instance._history_user = actor
    instance._change_reason = str(reason)
    instance.delete()


@dataclass
class FieldChange:
    """One field of one version compared with the version before it."""

    field: models.Field
    old: object
    new: object
    old_display: str = ""
    new_display: str = ""

    @property
    def label(self) -> str:
        return str(self.field.verbose_name)


@dataclass
class TrailEntry:
    """One saved version of one archive record, with what changed since the version before it."""

    record: models.Model
    model: type[models.Model]
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def when(self) -> datetime.datetime:
        return self.record.history_date

    @property
    def kind(self) -> str:
        return self.record.history_type

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.record.history_type])

    @property
    def user_name(self) -> str:
        return self.record.history_user_name or _("system")

    @property
    def reason(self) -> str:
        return self.record.history_change_reason or ""

    @property
    def model_label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def object_label(self) -> str:
        return self.model.trail_label(self.record) if hasattr(self.model, "trail_label") else ""


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model.history.model.tracked_fields if f.name not in UNTRACKED_FIELDS and f.editable]


def _diff(fields: list[models.Field], old, new) -> list[FieldChange]:
    changes = []
    for f in fields:
        before = getattr(old, f.attname) if old is not None else None
        after = getattr(new, f.attname)
        if old is None and after in (None, "", False):
            continue  # a new record: list only what was filled in
        if before != after:
            changes.append(FieldChange(field=f, old=before, new=after))
    return changes


def compare_versions(model: type[models.Model], old, new) -> list[FieldChange]:
    """What changed between two historical rows of one record, described for a reader."""
    changes = _diff(tracked_fields(model), old, new)
    describe([TrailEntry(record=new, model=model, changes=changes)])
    return changes


def build_trail(sources: Iterable[tuple[type[models.Model], dict]]) -> list[TrailEntry]:
    """Merge the history of several models into one timeline, newest first.

    ``sources`` pairs a tracked model with the filter that selects its historical rows (for a customer's
    contacts: ``(Contact, {"customer_id": 17})``). One query per source; the previous version of every row
    is found in the same result, so the diffs cost nothing more.
    """
    entries: list[TrailEntry] = []
    for model, lookup in sources:
        fields = tracked_fields(model)
        rows = list(model.history.filter(**lookup).order_by("id", "history_date", "history_id"))
        # What a model's trail label names (a right's user or group), read once for all its rows.
        prefetch_related_objects(rows, *getattr(model, "trail_related", ()))
        previous = {}
        for row in rows:
            before = previous.get(row.id)
            changes = [] if row.history_type == "-" else _diff(fields, before, row)
            if row.history_type == "~" and not changes and before is not None:
                previous[row.id] = row
                continue  # a save that changed nothing is noise in the timeline
            entries.append(TrailEntry(record=row, model=model, changes=changes))
            previous[row.id] = row
    entries.sort(key=lambda e: (e.when, e.record.history_id), reverse=True)
    return entries


def describe(entries: Iterable[TrailEntry]) -> None:
    """Fill in the readable old and new values, looking related objects up in one query per model."""
    describe_changes(change for entry in entries for change in entry.changes)


def describe_changes(changes: Iterable[FieldChange]) -> None:
    """Fill in readable values for any set of changes (a trail page, an inbox of requests) at once."""
    changes = list(changes)
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for change in changes:
        if change.field.is_relation:
            wanted[change.field.related_model].update(v for v in (change.old, change.new) if v is not None)
    found = {model: model._base_manager.in_bulk(ids) for model, ids in wanted.items() if ids}
    for change in changes:
        change.old_display = display_value(change.field, change.old, found)
        change.new_display = display_value(change.field, change.new, found)


def diff(model: type[models.Model], old, new) -> list[FieldChange]:
    """The tracked fields that differ between two versions of a record (``old`` may be ``None``: all it holds)."""
    return _diff(tracked_fields(model), old, new)


def display_value(f: models.Field, value, related: dict | None = None) -> str:
    """A field value as a reader expects to see it."""
    if value is None or value == "":
        return "—"
    if f.is_relation:
        obj = (related or {}).get(f.related_model, {}).get(value)
        if obj is None:
            return f"#{value}"
        return user_display(obj) if isinstance(obj, get_user_model()) else str(obj)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, decimal.Decimal):
        return f"{value:,.2f}"  # money: grouped by thousands, to the fen, as on every Chinese ledger
    if isinstance(f, models.FileField):
        return str(value).rsplit("/", 1)[-1]
    return str(value)
