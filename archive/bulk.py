"""Inserting thousands of new rows with their change trail, for imports.

``bulk_create`` prepares every value through its field's whole ``get_db_prep_save`` chain and compiles a
placeholder expression per value, and Django's SQLite backend caps a statement at 999 parameters (15 customer
cards of 64 columns); simple-history's ``bulk_create_with_history`` then does all of it again for the historical
rows. At an import of 10,000 cards that was three quarters of the import's time. Here each batch of rows is one
``INSERT … RETURNING`` whose text values go to the driver as they are, and its historical rows are one
``INSERT … SELECT`` copying the rows as the table now holds them, in the same transaction, with the actor, their
name and the reason set as :func:`archive.history.save_with_trail` sets them. Nothing is written without its
trail, so the rule against silent bulk writes holds.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from django.db import connections, models, router, transaction
from django.db.models.fields import Field
from django.utils import timezone

from .history import user_display

# Rows per statement at most; fewer when the columns would pass the database's parameter limit.
BATCH_ROWS = 500


def create_with_trail(objs: Sequence[models.Model], *, actor, reason: str) -> None:
    """Insert ``objs`` (new instances of one model, ``pk`` unset), set their primary keys, and write a ``+``
    historical row for each naming ``actor`` and ``reason``: what ``save_with_trail`` does for one, per batch."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    when = timezone.now()
    with transaction.atomic(using=connection.alias, savepoint=False):
        size = _batch_rows(model, connection)
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            _insert(model, batch, connection)
            copy_to_history(model, "pk", [obj.pk for obj in batch], actor=actor, reason=reason, when=when)


def _batch_rows(model, connection) -> int:
    limit = _parameter_limit(connection)
    columns = len(_insert_fields(model))
    return max(1, min(BATCH_ROWS, limit // columns)) if limit else BATCH_ROWS


def _parameter_limit(connection) -> int | None:
    if connection.vendor == "sqlite":
        # Django keeps to 999, the limit of SQLite before 3.32; ask the library for its own (32,766 since then).
        import sqlite3

        connection.ensure_connection()
        getlimit = getattr(connection.connection, "getlimit", None)
        if getlimit is not None:
            return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params


def _insert_fields(model) -> list[Field]:
    opts = model._meta
    return [f for f in opts.concrete_fields if f is not opts.auto_field and not getattr(f, "generated", False)]


def _insert(model, objs, connection) -> None:
    fields = _insert_fields(model)
    readers = [_reader(field, connection) for field in fields]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    table, pk_column = qn(model._meta.db_table), qn(model._meta.pk.column)
    if connection.vendor == "postgresql":
        # COPY, with keys taken from the table's sequence first: psycopg formats COPY rows in C, where an
        # INSERT's parameters (VALUES or arrays) cost it Python work per value, more than the insert itself.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, len(objs)],
            )
            pks = sorted(pk for (pk,) in cursor.fetchall())
            with cursor.cursor.copy(f"COPY {table} ({pk_column}, {columns}) FROM STDIN") as copy:
                for pk, obj in zip(pks, objs, strict=True):
                    copy.write_row([pk, *[read(obj) for read in readers]])
    else:
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(objs))} RETURNING {pk_column}"
        params = [read(obj) for obj in objs for read in readers]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            # The rows come back in the order of the VALUES list, as bulk_create relies on with SQLite.
            pks = [pk for (pk,) in cursor.fetchall()]
    pk_field = model._meta.pk
    for obj, pk in zip(objs, pks, strict=True):
        setattr(obj, pk_field.attname, pk)
        obj._state.adding = False
        obj._state.db = connection.alias


def _reader(field: Field, connection) -> Callable[[models.Model], object]:
    """How a field's value of an instance goes to the database, as bulk_create would send it."""
    attname = field.attname
    prepare = field.get_db_prep_save
    null = prepare(None, connection)
    text = _passes_text(type(field))
    if _sets_on_save(field):
        return lambda obj: prepare(field.pre_save(obj, True), connection)

    def read(obj):
        value = getattr(obj, attname)
        if value is None:
            return null
        if text and type(value) is str:
            return value  # CharField and TextField hand a str over unchanged; skip the calls that show it
        return prepare(value, connection)

    return read


def _sets_on_save(field: Field) -> bool:
    """Whether the field's pre_save gives the value (auto_now dates, files), not just reads the attribute."""
    if isinstance(field, (models.DateField, models.TimeField)) and type(field).pre_save in (
        models.DateField.pre_save,
        models.DateTimeField.pre_save,
        models.TimeField.pre_save,
    ):
        return field.auto_now or field.auto_now_add
    return type(field).pre_save is not Field.pre_save


@functools.cache
def _passes_text(cls: type) -> bool:
    return (
        issubclass(cls, (models.CharField, models.TextField))
        and cls.get_db_prep_save is Field.get_db_prep_save
        and cls.get_db_prep_value is Field.get_db_prep_value
        and cls.get_prep_value in (models.CharField.get_prep_value, models.TextField.get_prep_value)
        and cls.to_python in (models.CharField.to_python, models.TextField.to_python)
    )


def copy_to_history(model, key: str, values: list, *, actor, reason: str, when=None) -> None:
    """Write a ``+`` historical row for each row of ``model`` whose ``key`` field is one of ``values``, as the
    table holds it now, naming ``actor`` and ``reason``: for rows just inserted in the same transaction."""
    connection = connections[router.db_for_write(model)]
    when = when or timezone.now()
    history_model = model.history.model
    tracked = {f.attname for f in history_model.tracked_fields}
    source = {f.attname: f.column for f in model._meta.concrete_fields}
    given = {
        "history_date": when,
        "history_type": "+",
        "history_change_reason": str(reason),
        "history_user_id": actor.pk if actor is not None else None,
        "history_user_name": user_display(actor),
    }
    qn = connection.ops.quote_name
    columns, selected, params = [], [], []
    for field in history_model._meta.concrete_fields:
        if field is history_model._meta.auto_field:
            continue
        columns.append(qn(field.column))
        if field.attname in tracked:
            selected.append(qn(source[field.attname]))
        else:
            # What the historical model's constructor would give the row: the value set above or the default.
            value = given[field.attname] if field.attname in given else field.get_default()
            selected.append("%s")
            params.append(field.get_db_prep_save(value, connection))
    key_column = qn(model._meta.pk.column if key == "pk" else model._meta.get_field(key).column)
    if connection.vendor == "postgresql":
        where, params = f"{key_column} = ANY(%s)", [*params, list(values)]
    else:
        where, params = f"{key_column} IN ({', '.join(['%s'] * len(values))})", [*params, *values]
    sql = "INSERT INTO {} ({}) SELECT {} FROM {} WHERE {} ORDER BY {}".format(
        qn(history_model._meta.db_table),
        ", ".join(columns),
        ", ".join(selected),
        qn(model._meta.db_table),
        where,
        qn(model._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
