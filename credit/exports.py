"""The aging report (账龄分析) as an Excel workbook: the page's own figures, a sheet per customer and per manager.

The workbook is written from the same :class:`credit.selectors.AgingReport` the page shows, so the two cannot
disagree; amounts are real numbers in the money format and every text goes through :mod:`archive.excel`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from archive import excel
from archive.excel import Column

from .choices import AgingBasis
from .selectors import AgingReport


def _bucket_columns(report: AgingReport) -> list[Column]:
    columns = [
        Column(f"bucket_{index}", label, lambda line, index=index: line.buckets[index], kind="money", width=15)
        for index, label in enumerate(report.labels)
    ]
    columns.append(Column("total", _("Total outstanding (CNY)"), lambda line: line.total, kind="money", width=16))
    return columns


def customer_columns(report: AgingReport) -> list[Column]:
    return [
        Column("customer", _("Customer"), lambda line: line.label, width=32),
        Column("archive_no", _("Archive number"), lambda line: line.archive_no, width=16),
        Column("manager", _("Account manager"), lambda line: line.manager, width=14),
        *_bucket_columns(report),
    ]


def manager_columns(report: AgingReport) -> list[Column]:
    return [
        Column("manager", _("Account manager"), lambda line: line.label, width=16),
        Column("customers", _("Customers"), lambda line: line.customers, kind="int", width=10),
        *_bucket_columns(report),
    ]


def aging_workbook(report: AgingReport):
    """Write ``report`` (already scoped to its reader) to a workbook; return (file, customer row count)."""
    wb = excel.new_workbook()
    total = [report.total] if report.total is not None else []
    count = excel.add_sheet(wb, _("By customer"), customer_columns(report), [*report.customers, *total])
    excel.add_sheet(wb, _("By manager"), manager_columns(report), [*report.managers, *total])
    return excel.save_to_temporary_file(wb), count - len(total)


def aging_filename(report: AgingReport) -> str:
    name = _("aging-%(date)s.xlsx") if report.basis == AgingBasis.ISSUED else _("aging-past-due-%(date)s.xlsx")
    return name % {"date": report.as_of.strftime("%Y%m%d")}
