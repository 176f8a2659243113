"""The customer register as an XLSX workbook written while it is sent (流式导出).

``archive.excel`` builds a workbook with openpyxl and sends it once it is complete: for the whole register of
100,000 customers the reader waits for the last row before the first byte arrives, and openpyxl's cell objects
cost more time than the rows themselves. Every XLSX library (openpyxl ``write_only``, XlsxWriter
``constant_memory``) likewise finishes the sheet before it writes the package. The register is one sheet of
plain typed cells, so this module writes its SpreadsheetML directly into a ZIP stream (``zipfile`` writes a
data descriptor after each part when the output cannot seek) and hands the bytes on every few hundred rows:
the first bytes leave at once and memory stays flat however long the list is.

The sheet keeps what ``archive.excel`` promises: the same columns and widths, a frozen and filterable header in
the archive's colours, grade cells in their grade's colour, real numbers, amounts and dates with their formats,
and text a spreadsheet shows but never runs (``archive.excel.safe_text``).
"""

from __future__ import annotations

import datetime
import decimal
import re
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone
from openpyxl.utils import get_column_letter

from archive.choices import GRADE_COLOURS, Grade
from archive.excel import DATE_FORMAT, DATETIME_FORMAT, MONEY_FORMAT, Column, safe_text

ROWS_PER_CHUNK = 500
# Characters XML 1.0 does not allow; a spreadsheet could not open a file holding them.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime.datetime(1899, 12, 30)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
HEADER_FILL = "1F3A5F"

# Cell styles (``s`` attributes), in the order of ``cellXfs`` in ``_styles()``.
HEADER, MONEY, DATE, DATETIME = 1, 2, 3, 4
GRADE_STYLE = {grade: 5 + i for i, grade in enumerate(Grade.values)}


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value), {"\r": "&#13;"})


def _serial(value) -> str:
    """A date or a time as Excel's day number (days since 1899-12-30, the fraction the time of day)."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        delta = value - _EPOCH
        return repr(delta.days + delta.seconds / 86400)
    return str((value - _EPOCH.date()).days)


def _cell(ref: str, column: Column, value) -> str:
    if value is None or value == "":
        return ""
    kind = column.kind
    if kind == "money":
        return f'<c r="{ref}" s="{MONEY}"><v>{decimal.Decimal(value)}</v></c>'
    if kind == "int":
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    if kind == "date":
        return f'<c r="{ref}" s="{DATE}"><v>{_serial(value)}</v></c>'
    if kind == "datetime":
        return f'<c r="{ref}" s="{DATETIME}"><v>{_serial(value)}</v></c>'
    if kind == "grade":
        return f'<c r="{ref}" s="{GRADE_STYLE[value]}" t="inlineStr"><is><t>{_text(str(value))}</t></is></c>'
    text = _text(safe_text(str(value)))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _styles() -> str:
    grade_fills = "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{GRADE_COLOURS[g].lstrip("#").upper()}"/>'
        '<bgColor indexed="64"/></patternFill></fill>'
        for g in Grade.values
    )
    grade_xfs = "".join(
        f'<xf numFmtId="0" fontId="1" fillId="{3 + i}" borderId="0" xfId="0" applyFont="1" applyFill="1" '
        'applyAlignment="1"><alignment horizontal="center"/></xf>'
        for i, _g in enumerate(Grade.values)
    )
    count = 5 + len(Grade.values)
    return (
        f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
        f'<numFmts count="3"><numFmt numFmtId="164" formatCode={quoteattr(MONEY_FORMAT)}/>'
        f'<numFmt numFmtId="165" formatCode={quoteattr(DATE_FORMAT)}/>'
        f'<numFmt numFmtId="166" formatCode={quoteattr(DATETIME_FORMAT)}/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/><family val="2"/></font></fonts>'
        f'<fills count="{3 + len(Grade.values)}"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill>'
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{HEADER_FILL}"/><bgColor indexed="64"/>'
        f"</patternFill></fill>{grade_fills}</fills>"
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{count}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        f"{grade_xfs}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


_CONTENT_TYPES = (
    f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)


class _Pipe:
    """A write-only, unseekable file that keeps what is written until it is taken."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def stream_sheet(title: str, columns: list[Column], rows: Iterable) -> Iterator[bytes]:
    """The bytes of a one-sheet workbook of ``rows``, yielded as they are written."""
    pipe = _Pipe()
    letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
    last = letters[-1]
    title = title[:31]
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        widths = "".join(
            f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>' for i, c in enumerate(columns, start=1)
        )
        header = "".join(
            f'<c r="{letter}1" s="{HEADER}" t="inlineStr"><is><t>{_text(safe_text(str(c.label)))}</t></is></c>'
            for letter, c in zip(letters, columns, strict=True)
        )
        count = 0
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                (
                    f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0">'
                    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
                    f'<sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols>'
                    f'<sheetData><row r="1">{header}</row>'
                ).encode()
            )
            buffer: list[str] = []
            for count, item in enumerate(rows, start=1):
                number = count + 1
                cells = "".join(
                    _cell(f"{letter}{number}", column, column.get(item))
                    for letter, column in zip(letters, columns, strict=True)
                )
                buffer.append(f'<row r="{number}">{cells}</row>')
                if len(buffer) >= ROWS_PER_CHUNK:
                    sheet.write("".join(buffer).encode())
                    buffer.clear()
                    yield pipe.take()
            buffer.append(f'</sheetData><autoFilter ref="A1:{last}{count + 1}"/></worksheet>')
            sheet.write("".join(buffer).encode())
        quoted = title.replace("'", "''")
        filter_range = f"'{quoted}'!$A$1:${last}${count + 1}"
        package.writestr(
            "xl/workbook.xml",
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/></sheets>'
            '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            f"{_text(filter_range)}</definedName></definedNames></workbook>",
        )
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        package.writestr("xl/styles.xml", _styles())
    yield pipe.take()
