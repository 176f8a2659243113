"""The customer register (客户名册) as an Excel workbook: exactly the rows the list shows its reader."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from archive import excel

from .columns import REGISTER_COLUMNS


def register_workbook(customers: QuerySet):
    """Write ``customers`` (already restricted and filtered) to a workbook; return (file, row count).

    Rows are read in chunks, so memory stays flat however long the list is.
    """
    wb = excel.new_workbook()
    rows = customers.iterator(chunk_size=2000)
    count = excel.add_sheet(wb, _("Customer register"), REGISTER_COLUMNS, rows)
    return excel.save_to_temporary_file(wb), count


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
