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
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
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


@functools.cache
def _tracked_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    history_model, _attnames = _history_of(model)
    return tuple(f for f in history_model.tracked_fields if f.name not in UNTRACKED_FIELDS and f.editable)


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    return list(_tracked_fields(model))


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


@dataclass(frozen=True)
class _Columns:
    """Where a tracked model's historical rows keep what the trail reads, in a row of all their columns."""

    history_model: type[models.Model]
    attnames: tuple[str, ...]  # every concrete column, in the order ``Model.from_db`` expects
    fields: tuple[models.Field, ...]  # the tracked fields a diff compares
    positions: tuple[int, ...]  # where each of ``fields`` sits in a row
    id: int
    history_id: int
    history_date: int
    history_type: int


@functools.cache
def _columns(model: type[models.Model]) -> _Columns:
    history_model, _attnames = _history_of(model)
    attnames = tuple(f.attname for f in history_model._meta.concrete_fields)
    at = {name: i for i, name in enumerate(attnames)}
    fields = _tracked_fields(model)
    return _Columns(
        history_model=history_model,
        attnames=attnames,
        fields=fields,
        positions=tuple(at[f.attname] for f in fields),
        id=at["id"],
        history_id=at["history_id"],
        history_date=at["history_date"],
        history_type=at["history_type"],
    )


def _diff_rows(columns: _Columns, old: tuple | None, new: tuple) -> list[FieldChange]:
    """:func:`_diff` on raw rows of one model (``old`` None: a first version lists only what was filled in)."""
    changes = []
    for f, i in zip(columns.fields, columns.positions, strict=True):
        after = new[i]
        if old is None:
            if after in (None, "", False):
                continue
            before = None
        else:
            before = old[i]
        if before != after:
            changes.append(FieldChange(field=f, old=before, new=after))
    return changes


def _changed(columns: _Columns, old: tuple, new: tuple) -> bool:
    return any(old[i] != new[i] for i in columns.positions)


class Trail:
    """A merged timeline, newest first, that builds its entries only where it is read.

    Ordering, counting and dropping the saves that changed nothing need only the raw rows; the historical
    records, their diffs and what their labels name are made for the slice a page shows (50 of a long-kept
    customer's thousand versions), so a page costs the same wherever it falls in the trail.
    """

    def __init__(self, rows: list[tuple]):
        # (history_date, history_id, model, row, the record's previous row or None, database), newest first.
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return _entries(self._rows[index])
        return _entries([self._rows[index]])[0]

    def __iter__(self):
        return iter(_entries(self._rows))


def _entries(rows: list[tuple]) -> list[TrailEntry]:
    """The entries of ``rows`` of a :class:`Trail`: their historical records, diffs and labels' objects."""
    records: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    entries = []
    for _when, _history_id, model, row, before, db in rows:
        columns = _columns(model)
        record = columns.history_model.from_db(db, columns.attnames, row)
        records[model].append(record)
        changes = [] if row[columns.history_type] == "-" else _diff_rows(columns, before, row)
        entries.append(TrailEntry(record=record, model=model, changes=changes))
    # What a model's trail label names (a right's user or group), read once for all its rows.
    for model, model_records in records.items():
        prefetch_related_objects(model_records, *getattr(model, "trail_related", ()))
    return entries


def trail(sources: Iterable[tuple[type[models.Model], dict]]) -> Trail:
    """Merge the history of several models into one timeline, newest first (see :func:`build_trail`).

    The rows are read as tuples, one query per source that has any: a first query asks every source at once
    whether it has rows, since a customer has rows in a few of the thirty tracked models. The previous
    version of every row is in the same result, so the diffs cost nothing more.
    """
    sources = list(sources)
    querysets = [_columns(model).history_model._base_manager.filter(**lookup) for model, lookup in sources]
    found = _have_rows(querysets)
    merged = []
    for (model, _lookup), queryset, has_rows in zip(sources, querysets, found, strict=True):
        if not has_rows:
            continue
        columns = _columns(model)
        rows = queryset.order_by("id", "history_date", "history_id").values_list(*columns.attnames)
        db = rows.db
        previous = {}
        for row in rows:
            key = row[columns.id]
            before = previous.get(key)
            previous[key] = row
            if row[columns.history_type] == "~" and before is not None and not _changed(columns, before, row):
                continue  # a save that changed nothing is noise in the timeline
            merged.append((row[columns.history_date], row[columns.history_id], model, row, before, db))
    merged.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return Trail(merged)


def _have_rows(querysets: list[models.QuerySet]) -> list[bool]:
    """Whether each queryset has rows, asked in one query (``SELECT EXISTS(…), EXISTS(…), …``)."""
    if not querysets:
        return []
    db = querysets[0].db
    if any(qs.db != db for qs in querysets):
        return [qs.exists() for qs in querysets]
    found = [False] * len(querysets)
    asked, parts, params = [], [], []
    for i, qs in enumerate(querysets):
        try:
            sql, part_params = qs.query.exists().get_compiler(db).as_sql()
        except EmptyResultSet:
            continue  # a filter that can match nothing (``pk__in=[]``) has no rows to ask for
        asked.append(i)
        parts.append(f"EXISTS({sql})")
        params.extend(part_params)
    if parts:
        with connections[db].cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            for i, value in zip(asked, cursor.fetchone(), strict=True):
                found[i] = bool(value)
    return found


def build_trail(sources: Iterable[tuple[type[models.Model], dict]]) -> list[TrailEntry]:
    """Merge the history of several models into one timeline, newest first.

    ``sources`` pairs a tracked model with the filter that selects its historical rows (for a customer's
    contacts: ``(Contact, {"customer_id": 17})``). A page that shows a part of the timeline takes
    :func:`trail` and slices it.
    """
    return trail(sources)[:]


def describe(entries: Iterable[TrailEntry], *, known: Iterable[models.Model] = ()) -> None:
    """Fill in the readable old and new values, looking related objects up in one query per model.

    ``known`` are objects the caller has already read (the customer whose trail it is), not looked up again.
    """
    describe_changes((change for entry in entries for change in entry.changes), known=known)


def describe_changes(changes: Iterable[FieldChange], *, known: Iterable[models.Model] = ()) -> None:
    """Fill in readable values for any set of changes (a trail page, an inbox of requests) at once."""
    changes = list(changes)
    found: dict[type[models.Model], dict] = defaultdict(dict)
    for obj in known:
        found[type(obj)][obj.pk] = obj
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for change in changes:
        if change.field.is_relation:
            model, have = change.field.related_model, found[change.field.related_model]
            wanted[model].update(v for v in (change.old, change.new) if v is not None and v not in have)
    for model, ids in wanted.items():
        if ids:
            found[model].update(model._base_manager.in_bulk(ids))
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
