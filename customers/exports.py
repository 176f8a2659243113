"""The customer register (客户名册) as an Excel workbook: exactly the rows the list shows its reader."""

from contextlib import nullcontext

from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from archive import excel

from . import streaming
from .columns import REGISTER_COLUMNS


def register_workbook(customers: QuerySet):
    """Write ``customers`` (already restricted and filtered) to a workbook; return (file, row count).

    Rows are read in chunks, so memory stays flat however long the list is.
    """
    wb = excel.new_workbook()
    rows = customers.iterator(chunk_size=2000)
    count = excel.add_sheet(wb, _("Customer register"), REGISTER_COLUMNS, rows)
    return excel.save_to_temporary_file(wb), count


def register_stream(customers: QuerySet):
    """The register workbook of ``customers`` (already restricted and filtered) as bytes, sent while written.

    The page's view uses this rather than :func:`register_workbook`: the reader gets the first bytes at once,
    whatever the length of the list (``customers.streaming``).
    """
    return streaming.stream_sheet(_("Customer register"), REGISTER_COLUMNS, _rows(customers))


def _rows(customers: QuerySet):
    """The rows in chunks, read inside a transaction on PostgreSQL.

    Outside a transaction Django declares its server-side cursor ``WITH HOLD``, and PostgreSQL materialises such
    a cursor in full when the declaring transaction commits: a second for 100,000 customers before the first
    row. SQLite needs no transaction to stream, and an explicit one would take its write lock (``IMMEDIATE``).
    """
    postgresql = connections[customers.db].vendor == "postgresql"
    with transaction.atomic(using=customers.db) if postgresql else nullcontext():
        yield from customers.iterator(chunk_size=2000)


def register_filename() -> str:
    return _("customer-register-%(date)s.xlsx") % {"date": timezone.localdate().strftime("%Y%m%d")}


def archive_workbook(customer):
    """A customer's whole archive: the card and one sheet per category that registered one."""
    from archive.registry import registry

    wb = excel.new_workbook()
    for sheet in registry.sheets:
        excel.add_sheet(wb, str(sheet.title), sheet.columns, sheet.rows(customer))
    return excel.save_to_temporary_file(wb)


def archive_filename(customer) -> str:
    label = customer.archive_no or f"KH-{customer.pk}"
    return _("archive-%(number)s-%(date)s.xlsx") % {
        "number": label,
        "date": timezone.localdate().strftime("%Y%m%d"),
    }
