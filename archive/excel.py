"""Excel workbooks of the archive: one column declaration, safe text, grade colours.

Every export goes through :func:`write_rows`, so every sheet neutralises text that a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return at the start: CSV/formula injection).
"""

from __future__ import annotations

import decimal
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .choices import GRADE_COLOURS

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def safe_text(value: str) -> str:
    """Text a spreadsheet will show, never evaluate: a leading formula character gets an apostrophe."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_text(value: str) -> str:
    """The inverse of :func:`safe_text`, for reading our own exports back in."""
    if value and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


@dataclass(frozen=True)
class Column:
    """One column of a list, its export and its import: the header and how to read the value off a row."""

    name: str
    label: str
    get: Callable[[object], object]
    kind: str = "text"  # text, int, money, date, datetime, grade
    width: int = 14
    importable: bool = True
    aliases: tuple[str, ...] = field(default=())


def _cell(ws, column: Column, value, styles):
    if value is None or value == "":
        return WriteOnlyCell(ws, value=None)
    if column.kind == "money":
        cell = WriteOnlyCell(ws, value=decimal.Decimal(value))
        cell.number_format = MONEY_FORMAT
    elif column.kind == "date":
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
    elif column.kind == "datetime":
        local = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(ws, value=local)
        cell.number_format = DATETIME_FORMAT
    elif column.kind == "int":
        cell = WriteOnlyCell(ws, value=int(value))
    elif column.kind == "grade":
        cell = WriteOnlyCell(ws, value=str(value))
        cell.fill, cell.font = styles["grades"][value]
        cell.alignment = styles["centre"]
    else:
        cell = WriteOnlyCell(ws, value=safe_text(str(value)))
        cell.data_type = "s"
    return cell


def _styles():
    white_bold = Font(bold=True, color="FFFFFF")
    return {
        "header_fill": PatternFill("solid", fgColor="1F3A5F"),
        "header_font": white_bold,
        "centre": Alignment(horizontal="center"),
        "grades": {
            grade: (PatternFill("solid", fgColor=colour.lstrip("#").upper()), white_bold)
            for grade, colour in GRADE_COLOURS.items()
        },
    }


def add_sheet(wb: Workbook, title: str, columns: list[Column], rows: Iterable) -> int:
    """Append a sheet with a frozen, filterable header and one row per item; return the row count."""
    ws = wb.create_sheet(title=title[:31])
    styles = _styles()
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=safe_text(str(column.label)))
        cell.fill, cell.font = styles["header_fill"], styles["header_font"]
        header.append(cell)
    ws.append(header)
    count = 0
    for item in rows:
        ws.append([_cell(ws, column, column.get(item), styles) for column in columns])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return count


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def save_to_temporary_file(wb: Workbook):
    """The finished workbook in a temporary file (spooled in memory up to 8 MiB), positioned at its start."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb.save(out)
    out.seek(0)
    return out
