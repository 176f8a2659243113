"""查阅登记 read back: the director's audit of every reading, its counts, and the register as Excel.

The rows are written by ``customers.access_log`` while the archive is read; here they are only read, by those
who hold ``customers.view_accessrecord`` (the director). The register is not per customer: an auditor sees
every row, including those of customers and users since deleted (their names were copied onto the row).
"""

from __future__ import annotations

from contextlib import nullcontext
from urllib.parse import unquote_plus

from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive.excel import Column
from customers import streaming
from customers.models import AccessRecord

AUDIT_PERMISSION = "customers.view_accessrecord"
Action = AccessRecord.Action
User = get_user_model()


def can_audit(user) -> bool:
    return user.has_perm(AUDIT_PERMISSION)


def access_log(*, user) -> QuerySet[AccessRecord]:
    """Every reading, newest first, with its customer in the same query; nothing for those who may not audit."""
    if not can_audit(user):
        return AccessRecord.objects.none()
    return AccessRecord.objects.select_related("customer").order_by("-at", "-id")


def log_users() -> QuerySet:
    """The people who have read something, departed (inactive) ones included: the auditor asks about them too."""
    return User.objects.filter(pk__in=AccessRecord.objects.values("user_id")).order_by("username")


def action_counts(records: QuerySet[AccessRecord]) -> dict[str, int]:
    """How many of ``records`` there are, in all and per action, in one query."""
    totals = records.order_by().aggregate(
        all=Count("pk"), **{action: Count("pk", filter=Q(action=action)) for action in Action.values}
    )
    return {key: value or 0 for key, value in totals.items()}


def filter_link(query: str) -> tuple[str, str] | None:
    """Where an export's filter leads and how it reads: ``(href, text)``, or ``None`` for an export without one.

    ``query`` is the customer list's query string, or another list's address with its filter
    (``customers.access_log``). The text is decoded, so a search for 机电 reads 机电, not %E6%9C%BA….
    """
    if not query:
        return None
    path, params = _split(query)
    path = path or reverse("customers:list")
    return (f"{path}?{params}" if params else path), unquote_plus(params)


def filter_text(query: str) -> str:
    """The filter of ``query`` as it reads (see :func:`filter_link`)."""
    return unquote_plus(_split(query)[1]) if query else ""


def _split(query: str) -> tuple[str, str]:
    """``(list address or "", query string)`` of a stored filter."""
    if query.startswith("/") and not query.startswith("//"):
        path, _sep, params = query.partition("?")
        return path, params
    return "", query


def describe(records) -> None:
    """Give each record of a page its filter's link and text (no query)."""
    for record in records:
        record.filter_href, record.filter_text = filter_link(record.query) or ("", "")


# ---- The register as Excel ---------------------------------------------------------------------------------------


def log_columns() -> list[Column]:
    """The sheet's columns, headed by the register's own field names; the action labels are looked up once."""
    field = AccessRecord._meta.get_field
    actions = {value: str(label) for value, label in Action.choices}

    def of_customer(name):
        return lambda r: getattr(r.customer, name) if r.customer_id else None

    return [
        Column("at", field("at").verbose_name, lambda r: r.at, kind="datetime", width=18),
        Column("user", field("user_name").verbose_name, lambda r: r.user_name, width=14),
        Column("action", field("action").verbose_name, lambda r: actions.get(r.action, r.action), width=14),
        Column("customer", gettext_lazy("customer"), of_customer("name"), width=30),
        Column("archive_no", gettext_lazy("archive number"), of_customer("archive_no"), width=16),
        Column("what", field("what").verbose_name, lambda r: r.what, width=30),
        Column("query", field("query").verbose_name, lambda r: filter_text(r.query), width=30),
        Column("row_count", field("row_count").verbose_name, lambda r: r.row_count, kind="int", width=8),
        Column("address", field("address").verbose_name, lambda r: r.address, width=16),
    ]


def log_snapshot(records: QuerySet[AccessRecord]) -> tuple[QuerySet[AccessRecord], int]:
    """``records`` as they stand now and their count, in one query.

    The workbook is written while it is sent, after the export's own row (and anyone else's reading) has been
    inserted; bounding the rows by the highest id now keeps the file to exactly the count it is registered with.
    """
    bound = records.order_by().aggregate(last=Max("pk"), count=Count("pk"))
    if not bound["count"]:
        return records.none(), 0
    return records.filter(pk__lte=bound["last"]), bound["count"]


def log_stream(records: QuerySet[AccessRecord]):
    """The register workbook of ``records`` as bytes, sent while written (``customers.streaming``)."""
    return streaming.stream_sheet(_("Access log"), log_columns(), _rows(records))


def _rows(records: QuerySet[AccessRecord]):
    """The rows in chunks, with only the columns the sheet shows, inside a transaction on PostgreSQL.

    Outside a transaction Django declares its server-side cursor ``WITH HOLD``, and PostgreSQL materialises such a
    cursor in full when the declaring transaction commits; SQLite streams without one (and an explicit one would
    take its write lock), as ``customers.exports`` explains.
    """
    records = records.only(
        "at", "user_name", "action", "what", "query", "row_count", "address", "customer__name", "customer__archive_no"
    )
    postgresql = connections[records.db].vendor == "postgresql"
    with transaction.atomic(using=records.db) if postgresql else nullcontext():
        yield from records.iterator(chunk_size=2000)


def log_filename() -> str:
    return _("access-log-%(date)s.xlsx") % {"date": timezone.localdate().strftime("%Y%m%d")}
