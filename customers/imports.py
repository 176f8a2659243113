"""Import of customer lists (客户名册导入) from Excel or CSV files (DESIGN §5).

Reading and writing are apart. :func:`import_preview` reads a file and checks every row by the rules a card
form applies, writing nothing. :func:`import_start` stores the previewed file with an :class:`ImportRecord`;
:func:`import_confirm` reads that stored file again and creates its valid rows as draft cards, all in one
transaction, through ``services.customer_create``, so an imported card is made exactly as a typed one is.

The columns are the register's (``columns.REGISTER_COLUMNS``): a file exported from the register imports
back as it is. Headers are matched by their Chinese or English label, the column's name or an alias, in any
order; other columns are ignored and reported. The register's grade is the grade a card has; an import can
only set a grade by hand (``grade_override``), so A, B and C are set by hand and D, the grade of a customer
without sales, is left to the sales analysis.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import decimal
import io
import os
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, SheetTypeEnum

from archive import excel
from archive.choices import Grade
from archive.history import user_display

from . import permissions, services
from .columns import REGISTER_COLUMNS
from .models import Customer, ImportRecord, Region
from .permissions import Action
from .selectors import keeper_candidates

IMPORT_COLUMNS = [column for column in REGISTER_COLUMNS if column.importable]
REQUIRED_COLUMNS = frozenset({"name"})
# Where a register column lands on the card; every other column is the field of its own name.
TARGET_FIELD = {"grade": "grade_override"}
assert {TARGET_FIELD.get(c.name, c.name) for c in IMPORT_COLUMNS} <= services.CARD_FIELDS | {"owner"}

ALLOWED_SUFFIXES = (".xlsx", ".csv")
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xlam")
OLD_EXCEL_SUFFIXES = (".xls", ".xlt", ".et", ".wps")
# Every OLE2 compound file starts so. An .xlsx never does, unless Excel encrypted it: a password-protected
# workbook is an OLE2 container around the encrypted package.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# How far a workbook may unpack, as a multiple of the upload limit: ample for real sheets, not for a zip bomb.
UNPACKED_FACTOR = 64
HEADER_SEARCH_ROWS = 10
ERROR_VALUES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)
CENT = decimal.Decimal("0.01")


class ImportRefused(ValidationError):
    """The whole file is refused (kind, size, damage, no header); nothing of it is read further."""


class _CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SourceRow:
    """A data row as the file holds it: its spreadsheet row number and its raw cell values."""

    number: int
    values: tuple


@dataclass
class Table:
    headers: list[str]
    rows: list[SourceRow]
    sheet: str = ""


@dataclass(frozen=True)
class RowProblem:
    """One problem of one row: the spreadsheet's row number, the column (letter and header; empty for the row)."""

    row: int
    letter: str
    column: str
    message: str


@dataclass
class ParsedRow:
    number: int
    data: dict
    owner: object


@dataclass
class ImportResult:
    """What a file holds, checked: the rows that can be imported and every problem of the others."""

    file_name: str
    headers: list[str]
    matched: list[tuple[str, str]] = field(default_factory=list)  # (header in the file, column it fills)
    ignored_headers: list[str] = field(default_factory=list)
    rows_total: int = 0
    valid: list[ParsedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    bad_rows: list[SourceRow] = field(default_factory=list)
    sheet: str = ""

    @property
    def valid_rows(self) -> int:
        return len(self.valid)

    @property
    def problem_rows(self) -> int:
        return len(self.bad_rows)


# ---- Headers ---------------------------------------------------------------------------------------------

_NOISE = re.compile(r"[\s*_\-.:：·]+")
_PARENTHESES = re.compile(r"\(.*?\)")


def normalise(text) -> str:
    """A header or choice as compared: full-width folded to half-width, case and spacing ignored."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", str(text)).casefold())


def _keys(text) -> set[str]:
    """A label and the label without its parenthesised unit: 注册资本（元） is also 注册资本."""
    full = normalise(text)
    return {full, _PARENTHESES.sub("", full)} - {""}


def _labels(label) -> list[str]:
    names = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names.append(str(label))
    return names


def header_index() -> dict[str, excel.Column]:
    """Every spelling a header may have, normalised, and the importable column it names."""
    index: dict[str, excel.Column] = {}
    for column in IMPORT_COLUMNS:
        for name in [*_labels(column.label), column.name, *column.aliases]:
            for key in _keys(name):
                index.setdefault(key, column)
    return index


def _problems_header_keys() -> set[str]:
    # The message column of our own error workbook comes back on re-upload; it is no stranger to report.
    return {key for label in _labels(PROBLEMS_LABEL) for key in _keys(label)}


def match_headers(headers: list[str]) -> tuple[dict[int, excel.Column], list[str]]:
    """Map file column positions to importable columns; return the mapping and the headers ignored."""
    index = header_index()
    quiet = _problems_header_keys()
    mapping: dict[int, excel.Column] = {}
    taken: set[str] = set()
    ignored = []
    for position, header in enumerate(headers):
        if not header:
            continue
        column = next((index[key] for key in _keys(header) if key in index), None)
        if column is None:
            if not _keys(header) & quiet:
                ignored.append(header)
        elif column.name in taken:
            ignored.append(_("%(header)s (a second “%(label)s” column)") % {"header": header, "label": column.label})
        else:
            mapping[position] = column
            taken.add(column.name)
    return mapping, ignored


def _header_text(value) -> str:
    return "" if value is None else unicodedata.normalize("NFC", str(value)).strip()


def _is_header(values: tuple, index: dict) -> bool:
    found = {index[key].name for value in values if value is not None for key in _keys(value) if key in index}
    return len(found) >= 2 or "name" in found


# ---- Reading files ---------------------------------------------------------------------------------------


def _refuse(message: str, code: str):
    raise ImportRefused(message, code=code)


def check_file_name(filename: str) -> str:
    """The file's suffix, if it is one the import reads; refused with a message that says what to do."""
    suffix = PurePosixPath(filename or "").suffix.lower()
    if suffix in MACRO_SUFFIXES:
        _refuse(
            _("Macro-enabled workbooks (%(suffix)s) are not accepted: save the list as an Excel workbook (.xlsx).")
            % {"suffix": suffix},
            "macro_extension",
        )
    if suffix in OLD_EXCEL_SUFFIXES:
        _refuse(
            _(
                "Old-format workbooks (%(suffix)s) are not accepted: "
                "open the file and save it as an Excel workbook (.xlsx)."
            )
            % {"suffix": suffix},
            "old_format",
        )
    if suffix not in ALLOWED_SUFFIXES:
        _refuse(_("Only Excel workbooks (.xlsx) and CSV files (.csv) can be imported."), "extension")
    return suffix


@contextmanager
def _binary(source) -> Iterator:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            yield fh
    else:
        source.seek(0)
        yield source


def _check_size(fh) -> None:
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(0)
    if size == 0:
        _refuse(_("The file is empty."), "empty")
    limit = settings.ARCHIVE_IMPORT_MAX_BYTES
    if size > limit:
        _refuse(
            _("The file is larger than %(limit)s: split the list into smaller files.")
            % {"limit": filesizeformat(limit)},
            "too_large",
        )


def read_table(source, filename: str) -> Table:
    """The header and the non-blank data rows of ``source`` (a path or an open binary file), checked for kind,
    size and damage. The first sheet whose first rows hold a header is read."""
    suffix = check_file_name(filename)
    with _binary(source) as fh:
        _check_size(fh)
        return _read_csv(fh) if suffix == ".csv" else _read_xlsx(fh)


def _corrupt(exc: Exception | None = None):
    raise ImportRefused(
        _("The file cannot be read as an Excel workbook: it may be damaged, or another kind of file renamed to .xlsx."),
        code="corrupt",
    ) from exc


def _read_xlsx(fh) -> Table:
    if fh.read(len(OLE_SIGNATURE)) == OLE_SIGNATURE:
        _refuse(
            _(
                "The workbook is password-protected or in the old .xls format: remove the password, save it as an "
                "Excel workbook (.xlsx) and upload it again."
            ),
            "encrypted",
        )
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        _corrupt(exc)
    if any(PurePosixPath(part.filename).name.lower() == "vbaproject.bin" for part in parts):
        _refuse(_("The workbook contains macros: save it as an Excel workbook (.xlsx) without macros."), "macro")
    if sum(part.file_size for part in parts) > settings.ARCHIVE_IMPORT_MAX_BYTES * UNPACKED_FACTOR:
        _refuse(
            _("The file is larger than %(limit)s: split the list into smaller files.")
            % {"limit": filesizeformat(settings.ARCHIVE_IMPORT_MAX_BYTES)},
            "too_large",
        )
    fh.seek(0)
    if _has_error_cells(fh, parts):
        return _read_xlsx_openpyxl(fh)
    fh.seek(0)
    try:
        workbook = CalamineWorkbook.from_filelike(fh)
    except Exception as exc:  # calamine raises CalamineError, ZipError, XmlError… for a damaged part
        _corrupt(exc)

    def sheets():
        for sheet in workbook.sheets_metadata:
            if sheet.typ == SheetTypeEnum.WorkSheet:
                # Rows and columns from A1 on, so a row's place is its spreadsheet number; the <dimension> some
                # programs write wrong is not read.
                values = workbook.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
                yield sheet.name, map(tuple, values)

    return _first_table(sheets(), close=workbook.close)


# A cell whose formula or value is a spreadsheet error: <c r="D3" t="e">.
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\s[^>]*\bt\s*=\s*[\"']e[\"']")


def _has_error_cells(fh, parts) -> bool:
    """Whether a worksheet holds an error cell. python-calamine reads one as an empty string, which would let
    the row through without the value the spreadsheet could not compute; openpyxl reads it as its error text."""
    with zipfile.ZipFile(fh) as package:
        for part in parts:
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                if _ERROR_CELL.search(package.read(part)):
                    return True
    return False


def _read_xlsx_openpyxl(fh) -> Table:
    fh.seek(0)
    try:
        workbook = load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises whatever its parsers meet: KeyError, ValueError, lxml errors…
        _corrupt(exc)

    def sheets():
        for sheet in workbook.worksheets:
            # Some programs write a wrong <dimension>; read-only mode would cut the rows off at it.
            sheet.reset_dimensions()
            yield sheet.title, sheet.iter_rows(values_only=True)

    return _first_table(sheets(), close=workbook.close)


def _first_table(sheets: Iterator[tuple[str, Iterable[tuple]]], *, close) -> Table:
    """The first of a workbook's ``(name, rows)`` that holds a header row; whatever the reader raises while it
    reads is a damaged file. ``close`` releases the workbook however the reading ends."""
    try:
        for name, rows in sheets:
            table = _table(enumerate(rows, start=1), name)
            if table is not None:
                return table
    except ImportRefused:
        raise
    except Exception as exc:
        _corrupt(exc)
    finally:
        close()
    _no_header()


def _read_csv(fh) -> Table:
    raw = fh.read()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)  # Excel's "Unicode text"
    elif raw.startswith((ZIP_SIGNATURE, OLE_SIGNATURE)) or b"\x00" in raw:
        _refuse(
            _("The file cannot be read as CSV text: it may be a workbook or another kind of file renamed to .csv."),
            "not_text",
        )
    else:
        encodings = ("utf-8-sig", "gb18030")  # Excel and WPS on Chinese Windows save CSV as GBK
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        _refuse(_("The text encoding of the CSV file is not recognised: save it as “CSV UTF-8”."), "encoding")
    # csv.Sniffer gives up on short Chinese lists; the commonest separator of the first lines is a safer guess.
    head = text[:8192]
    delimiter = max((",", "\t", ";"), key=head.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows():
        start = 1
        for values in reader:
            yield start, tuple(values)
            start = reader.line_num + 1

    try:
        table = _table(rows(), "")
    except csv.Error as exc:
        raise ImportRefused(_("The CSV file cannot be read: %(error)s") % {"error": exc}, code="corrupt") from exc
    if table is None:
        _no_header()
    return table


def _no_header():
    _refuse(
        _("No header row was found: one of the first %(n)s rows must hold the column names, such as “%(label)s”.")
        % {"n": HEADER_SEARCH_ROWS, "label": Customer._meta.get_field("name").verbose_name},
        "no_header",
    )


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(rows: Iterable[tuple[int, tuple]], sheet: str) -> Table | None:
    """The header (the first of the first rows that names known columns) and the non-blank rows after it."""
    index = header_index()
    limit = settings.ARCHIVE_IMPORT_MAX_ROWS
    headers = None
    data: list[SourceRow] = []
    for number, values in rows:
        if headers is None:
            if number > HEADER_SEARCH_ROWS:
                return None
            if _is_header(values, index):
                headers = [_header_text(value) for value in values]
            continue
        if all(_blank(value) for value in values):
            continue
        if len(data) >= limit:
            _refuse(
                _("The file has more than %(limit)s customer rows: split the list into smaller files.")
                % {"limit": f"{limit:,}"},
                "too_many_rows",
            )
        data.append(SourceRow(number, tuple(values)))
    if headers is None:
        return None
    return Table(headers=headers, rows=data, sheet=sheet)


# ---- Cells -----------------------------------------------------------------------------------------------


def _plain(value) -> str:
    """A cell as text: whole numbers without ``.0``, dates as ISO dates, our own formula guard removed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
    return excel.unescape_text(str(value)).strip()


def _parse_text(value, name: str):
    text = _plain(value)
    if name == "credit_code":
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    if name == "postcode" and isinstance(value, (int, float)) and text.isdigit():
        return text.zfill(6)  # a number cell drops the leading zero of 010000
    if name == "website" and "://" not in text:
        return f"https://{text}"  # as the card form reads a bare domain
    return text


def _parse_int(value):
    if isinstance(value, bool):
        raise _CellError(_("Enter a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _CellError(_("Enter a whole number."))
    text = re.sub(r"[,，\s]", "", unicodedata.normalize("NFKC", str(value)))
    match = re.fullmatch(r"([+-]?\d+)(\.0*)?", text)
    if not match:
        raise _CellError(_("Enter a whole number."))
    return int(match.group(1))


def _parse_money(value):
    error = _CellError(_("Enter an amount in yuan, such as 1234.50."))
    if isinstance(value, bool):
        raise error
    try:
        if isinstance(value, float):
            amount = decimal.Decimal(str(value))  # the shortest repr: 1234.5, not 1234.4999999…
        elif isinstance(value, (int, decimal.Decimal)):
            amount = decimal.Decimal(value)
        else:
            text = unicodedata.normalize("NFKC", str(value)).casefold()
            text = re.sub(r"[¥,，\s]|rmb|cny|元", "", text)
            factor = 1
            if text.endswith("万"):
                text, factor = text[:-1], 10_000
            amount = decimal.Decimal(text) * factor
        if not amount.is_finite():
            raise error
        return amount.quantize(CENT, rounding=decimal.ROUND_HALF_UP)
    except (decimal.InvalidOperation, ValueError):
        raise error from None


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _plain(value)
    text = unicodedata.normalize("NFKC", text).split(" ")[0].split("T")[0]
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    try:
        if match:
            return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        pass
    raise _CellError(_("Enter a date, such as 2024-01-02."))


def _choice_index(choices) -> dict[str, str]:
    index = {}
    for value, label in choices:
        for name in [value, *_labels(label)]:
            for key in _keys(name):
                index.setdefault(key, value)
    return index


def _choice_labels(choices) -> str:
    return "、".join(str(label) for _value, label in choices)


class _Context:
    """What checking rows needs from the database, read once per file rather than once per row."""

    def __init__(self, actor):
        self.actor = actor
        self.regions = {}
        for region in Region.objects.all():
            self.regions.setdefault(normalise(region.name), region)
            self.regions.setdefault(normalise(region.code), region)
        keepers = list(keeper_candidates())
        self.actor_keeps = any(user.pk == actor.pk for user in keepers)
        self.names_others = permissions.has_global(actor, Action.CHANGE)
        self.usernames = {user.username: user for user in keepers}
        self.people: dict[str, list] = defaultdict(list)
        for user in keepers:
            for name in {normalise(user.username), normalise(user_display(user))}:
                self.people[name].append(user)
        self.choices = {
            c.name: _choice_index(Customer._meta.get_field(c.name).choices)
            for c in IMPORT_COLUMNS
            if c.name in _FIELD_COLUMNS and Customer._meta.get_field(c.name).choices
        }
        self.grades = _choice_index(Grade.choices)
        self.codes: dict[str, bool] = {}  # credit code → whether its card is in the recycle bin
        self.names: set[str] = set()
        for name, code, deleted_at in Customer.all_objects.values_list("name", "credit_code", "deleted_at").iterator(
            chunk_size=5000
        ):
            self.names.add(name_key(name))
            if code:
                self.codes[code] = deleted_at is not None

    def owner(self, value):
        text = _plain(value)
        user = self.usernames.get(text)
        if user is None:
            found = self.people.get(normalise(text), [])
            if len(found) > 1:
                raise _CellError(
                    _("Several account managers are called “%(value)s”: use the login name.") % {"value": text}
                )
            if not found:
                raise _CellError(_("“%(value)s” is not an active account manager.") % {"value": text})
            user = found[0]
        if user.pk != self.actor.pk and not self.names_others:
            raise _CellError(_("Only a sales director may import customers for another account manager."))
        return user

    def parse(self, column: excel.Column, value):
        name = column.name
        if name == "owner":
            return self.owner(value)
        if name == "region":
            region = self.regions.get(normalise(_plain(value)))
            if region is None:
                raise _CellError(_("There is no region “%(value)s”.") % {"value": _plain(value)})
            return region
        if name == "grade":
            grade = self.grades.get(normalise(_plain(value)))
            if grade is None:
                raise _CellError(
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": _plain(value), "choices": "、".join(Grade.values)}
                )
            return "" if grade == Grade.D else grade
        if name in self.choices:
            choice = self.choices[name].get(normalise(_plain(value)))
            if choice is None:
                raise _CellError(
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": _plain(value), "choices": _choice_labels(Customer._meta.get_field(name).choices)}
                )
            return choice
        if column.kind == "int":
            return _parse_int(value)
        if column.kind == "money":
            return _parse_money(value)
        if column.kind == "date":
            return _parse_date(value)
        return _parse_text(value, name)


_FIELD_COLUMNS = {c.name for c in IMPORT_COLUMNS if c.name not in {"owner", "region", "grade"}}


def name_key(name: str) -> str:
    """A customer name as duplicates are found: full-width brackets, case and spaces do not make a new company."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or "").casefold())


# ---- Checking rows ---------------------------------------------------------------------------------------


class _Checker:
    def __init__(self, actor, headers: list[str], mapping: dict[int, excel.Column]):
        self.context = _Context(actor)
        self.headers = headers
        self.mapping = mapping
        self.position = {TARGET_FIELD.get(c.name, c.name): i for i, c in mapping.items()}
        self.seen_codes: dict[str, int] = {}
        self.seen_names: dict[str, int] = {}
        # In the model's order, as clean_fields reports them.
        self.clean_order = [
            f for f in Customer._meta.concrete_fields if f.name in self.position and f.name not in {"owner", "region"}
        ]
        self.template = Customer(owner=actor)
        # A column of few values (a choice, a region, a person) is read and checked once per value, not per row.
        self.parsed: dict[int, dict] = {
            i: {} for i, c in mapping.items() if c.name in {"owner", "region", "grade", *self.context.choices}
        }
        self.cleaned: dict[str, dict] = {f.name: {} for f in self.clean_order if f.choices}

    def parse(self, position: int, column: excel.Column, raw):
        known = self.parsed.get(position)
        if known is None:
            return self.context.parse(column, raw)
        key = (type(raw), raw)  # 1, 1.0 and True are equal keys of a dict, but not the same cell
        if key not in known:
            try:
                known[key] = (True, self.context.parse(column, raw))
            except _CellError as exc:
                known[key] = (False, exc.message)
        ok, outcome = known[key]
        if not ok:
            raise _CellError(outcome)
        return outcome

    def clean(self, model_field, value) -> list[str]:
        """The messages of Model.clean_fields for one field's value, or none."""
        known = self.cleaned.get(model_field.name)
        key = (type(value), value)
        if known is not None and key in known:
            return known[key]
        try:
            model_field.clean(value, self.template)
            messages = []
        except ValidationError as exc:
            messages = exc.messages
        if known is not None:
            known[key] = messages
        return messages

    def problem(self, row: SourceRow, field_name: str | None, message) -> RowProblem:
        position = self.position.get(field_name) if field_name else None
        if position is None:
            return RowProblem(row=row.number, letter="", column="", message=str(message))
        return RowProblem(
            row=row.number,
            letter=get_column_letter(position + 1),
            column=self.headers[position],
            message=str(message),
        )

    def check(self, row: SourceRow) -> tuple[ParsedRow | None, list[RowProblem]]:
        problems: list[RowProblem] = []
        failed: set[str] = set()
        data: dict = {}
        owner = None
        for position, column in self.mapping.items():
            target = TARGET_FIELD.get(column.name, column.name)
            raw = row.values[position] if position < len(row.values) else None
            if _blank(raw):
                if column.name in REQUIRED_COLUMNS:
                    problems.append(self.problem(row, target, _("This value is required.")))
                    failed.add(target)
                continue
            if isinstance(raw, str) and raw.strip().upper() in ERROR_VALUES:
                problems.append(
                    self.problem(
                        row, target, _("The cell holds a spreadsheet error (%(error)s).") % {"error": raw.strip()}
                    )
                )
                failed.add(target)
                continue
            try:
                value = self.parse(position, column, raw)
            except _CellError as exc:
                problems.append(self.problem(row, target, exc.message))
                failed.add(target)
                continue
            if target == "owner":
                owner = value
            else:
                data[target] = value

        if owner is None and "owner" not in failed:
            if self.context.actor_keeps:
                owner = self.context.actor
            else:
                problems.append(
                    self.problem(row, "owner", _("Name the account manager: you do not look after customers yourself."))
                )
                failed.add("owner")

        # The checks of Model.clean_fields, on the values the row sets; the fields it leaves alone keep their
        # defaults, which are valid. The foreign keys were found above: their per-row queries would repeat that.
        for model_field in self.clean_order:
            name = model_field.name
            if name not in data:
                continue
            value = data[name]
            if model_field.blank and value in model_field.empty_values:
                continue
            messages = self.clean(model_field, value)
            if messages:
                failed.add(name)
                problems.extend(self.problem(row, name, message) for message in messages)

        problems.extend(self.duplicates(row, data, failed))
        if problems:
            return None, problems
        return ParsedRow(number=row.number, data=data, owner=owner), []

    def duplicates(self, row: SourceRow, data: dict, failed: set[str]) -> list[RowProblem]:
        problems = []
        code = data.get("credit_code", "")
        if code and "credit_code" not in failed:
            if code in self.context.codes:
                message = (
                    _("A card in the recycle bin has this credit code: ask the archivist to restore it.")
                    if self.context.codes[code]
                    else _("Another card in the archive already has this credit code.")
                )
                problems.append(self.problem(row, "credit_code", message))
            elif code in self.seen_codes:
                problems.append(
                    self.problem(
                        row,
                        "credit_code",
                        _("Same credit code as row %(row)s of this file.") % {"row": self.seen_codes[code]},
                    )
                )
            self.seen_codes.setdefault(code, row.number)
        key = name_key(data.get("name", ""))
        if key and "name" not in failed:
            if key in self.context.names:
                problems.append(self.problem(row, "name", _("A card with this name is already in the archive.")))
            elif key in self.seen_names:
                problems.append(
                    self.problem(
                        row,
                        "name",
                        _("Same customer name as row %(row)s of this file.") % {"row": self.seen_names[key]},
                    )
                )
            self.seen_names.setdefault(key, row.number)
        return problems


def _require_importer(actor) -> None:
    if not (actor and actor.is_authenticated and actor.is_active and actor.has_perm("customers.add_customer")):
        raise PermissionDenied


def import_preview(*, actor, source, file_name: str) -> ImportResult:
    """Read ``source`` (a path or an open binary file) and check every row; write nothing.

    Refuses the whole file with :class:`ImportRefused`; everything else is a :class:`RowProblem` of a row.
    """
    _require_importer(actor)
    table = read_table(source, file_name)
    mapping, ignored = match_headers(table.headers)
    names = {column.name for column in mapping.values()}
    for required in REQUIRED_COLUMNS:
        if required not in names:
            label = next(c.label for c in IMPORT_COLUMNS if c.name == required)
            _refuse(
                _("The file has no “%(label)s” column, which every customer needs.") % {"label": label},
                "no_name_column",
            )
    result = ImportResult(
        file_name=file_name,
        headers=table.headers,
        matched=[(table.headers[i], str(c.label)) for i, c in sorted(mapping.items())],
        ignored_headers=ignored,
        rows_total=len(table.rows),
        sheet=table.sheet,
    )
    checker = _Checker(actor, table.headers, mapping)
    for row in table.rows:
        parsed, problems = checker.check(row)
        if parsed is not None:
            result.valid.append(parsed)
        else:
            result.problems.extend(problems)
            result.bad_rows.append(row)
    return result


# ---- The import record and the import itself ---------------------------------------------------------------


def import_start(*, actor, upload) -> tuple[ImportRecord, ImportResult]:
    """Preview an uploaded file and keep it with a new :class:`ImportRecord` for the importer to confirm.

    A refused file is neither stored nor recorded.
    """
    result = import_preview(actor=actor, source=upload, file_name=upload.name)
    record = ImportRecord(
        user=actor,
        user_name=user_display(actor),
        file_name=PurePosixPath(upload.name).name[:200],
        size=upload.size,
        rows_total=result.rows_total,
        problem_count=len(result.problems),
    )
    upload.seek(0)
    record.file.save(record.file_name, upload, save=False)
    try:
        record.save()
    except Exception:
        record.file.delete(save=False)
        raise
    return record, result


def import_record(*, user, pk) -> ImportRecord:
    """An import of ``user``'s own; anyone else's is not found."""
    try:
        return ImportRecord.objects.get(pk=pk, user=user)
    except (ImportRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def record_preview(*, actor, record: ImportRecord) -> ImportResult:
    """The stored file of ``record`` checked again, against the archive as it is now."""
    with record.file.open("rb") as fh:
        return import_preview(actor=actor, source=fh, file_name=record.file_name)


def import_result(*, actor, record: ImportRecord) -> ImportResult:
    """What an import's page shows: a previewed file checked afresh; an imported one as it was at its import."""
    if record.state == ImportRecord.State.PREVIEWED:
        return record_preview(actor=actor, record=record)
    _require_importer(actor)
    with record.file.open("rb") as fh:
        table = read_table(fh, record.file_name)
    mapping, ignored = match_headers(table.headers)
    problems = [RowProblem(**problem) for problem in record.problems]
    bad = {problem.row for problem in problems}
    return ImportResult(
        file_name=record.file_name,
        headers=table.headers,
        matched=[(table.headers[i], str(c.label)) for i, c in sorted(mapping.items())],
        ignored_headers=ignored,
        rows_total=record.rows_total,
        problems=problems,
        bad_rows=[row for row in table.rows if row.number in bad],
        sheet=table.sheet,
    )


def recent_imports(*, user, limit: int = 5):
    return ImportRecord.objects.filter(user=user)[:limit]


def import_confirm(*, actor, record_id: int) -> tuple[ImportRecord, ImportResult]:
    """Create the valid rows of a previewed file as drafts, all or none, with the import named in their trail.

    The file is checked again inside the transaction, so a card another user opened since the preview is
    still caught as a duplicate. An import is confirmed once.
    """
    _require_importer(actor)
    with transaction.atomic():
        try:
            record = ImportRecord.objects.select_for_update().get(pk=record_id, user=actor)
        except ImportRecord.DoesNotExist:
            raise Http404 from None
        if record.state == ImportRecord.State.IMPORTED:
            raise ValidationError(_("This file has already been imported."), code="already_imported")
        result = record_preview(actor=actor, record=record)
        reason = _("Imported from %(file)s (import #%(number)s)") % {"file": record.file_name, "number": record.pk}
        services.customers_create_many(
            actor=actor, cards=[(row.data, row.owner) for row in result.valid], reason=reason
        )
        record.state = ImportRecord.State.IMPORTED
        record.rows_total = result.rows_total
        record.problem_count = len(result.problems)
        record.problems = [dataclasses.asdict(problem) for problem in result.problems]
        record.imported_count = result.valid_rows
        record.imported_at = timezone.now()
        record.save()
    return record, result


# ---- Workbooks ---------------------------------------------------------------------------------------------

PROBLEMS_LABEL = translation.gettext_lazy("Problems")


def _cell_text(value):
    if _blank(value):
        return None
    if isinstance(value, str):
        return excel.unescape_text(value)
    return _plain(value)


def error_workbook(result: ImportResult):
    """The rows with problems, as the file had them, and a last column saying what to fix; ready to re-upload."""
    messages: dict[int, list[str]] = defaultdict(list)
    for problem in result.problems:
        messages[problem.row].append(f"{problem.column}: {problem.message}" if problem.column else problem.message)
    columns = [
        excel.Column(f"c{i}", header, lambda row, i=i: _cell_text(row.values[i]) if i < len(row.values) else None)
        for i, header in enumerate(result.headers)
    ]
    columns.append(excel.Column("problems", PROBLEMS_LABEL, lambda row: "; ".join(messages[row.number]), width=60))
    workbook = excel.new_workbook()
    excel.add_sheet(workbook, _("Rows to fix"), columns, result.bad_rows)
    return excel.save_to_temporary_file(workbook)


def error_filename(record: ImportRecord) -> str:
    return _("import-%(number)s-problems.xlsx") % {"number": record.pk}


def _column_note(column: excel.Column) -> str:
    name = column.name
    if name == "name":
        return _("Required. A name already in the archive, or earlier in the file, is refused.")
    if name == "credit_code":
        return _("18 characters with the check digit of GB 32100-2015. A code already in the archive is refused.")
    if name == "grade":
        return _("A, B or C sets the grade by hand; leave it empty (or D) to let the sales analysis decide.")
    if name == "region":
        regions = "、".join(Region.objects.values_list("name", flat=True))
        return _("The name or code of a region: %(regions)s.") % {"regions": regions}
    if name == "owner":
        return _(
            "The login name or full name of an active account manager; leave it empty to keep the customer "
            "yourself. Only a sales director may name someone else."
        )
    model_field = Customer._meta.get_field(name)
    if model_field.choices:
        return _("One of: %(choices)s.") % {"choices": _choice_labels(model_field.choices)}
    if column.kind == "int":
        return _("A whole number.")
    if column.kind == "money":
        return _("An amount in yuan, such as 1234.50; ¥, thousands separators and 万 are understood.")
    if column.kind == "date":
        return _("A date, such as 2024-01-02, 2024/1/2 or 2024年1月2日.")
    if name == "postcode":
        return _("Six digits.")
    if name == "email":
        return _("An e-mail address.")
    if name == "website":
        return _("A web address, such as https://www.example.com.")
    return _("Text, at most %(n)s characters.") % {"n": model_field.max_length}


def template_workbook():
    """An empty list with the importable headers, and a sheet of notes on how to fill in each column."""
    workbook = excel.new_workbook()
    excel.add_sheet(workbook, _("Customers"), IMPORT_COLUMNS, [])
    notes = [
        excel.Column("column", _("column"), lambda row: row[0], width=22),
        excel.Column("required", _("required"), lambda row: row[1], width=8),
        excel.Column("note", _("how to fill it in"), lambda row: row[2], width=90),
    ]
    rows = [(str(c.label), _("Yes") if c.name in REQUIRED_COLUMNS else "", _column_note(c)) for c in IMPORT_COLUMNS]
    excel.add_sheet(workbook, _("Notes"), notes, rows)
    return excel.save_to_temporary_file(workbook)


def template_filename() -> str:
    return _("customer-import-template.xlsx")
