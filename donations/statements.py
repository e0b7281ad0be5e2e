"""Reading a bank statement file (CSV or XLSX) into rows of cells, within bounds.

A statement is uploaded by a person, so the file may be anything: junk, a
spreadsheet whose parts expand to gigabytes, a sheet of millions of cells.
Every limit below is checked before or while reading, and each refusal is a
`StatementError` whose translated message names the limit, so one request
never takes more than a bounded amount of memory and time:

- the file itself: `MAX_BYTES`;
- rows read (title block included): `MAX_ROWS`; columns in a row (trailing
  empty cells aside): `MAX_COLUMNS`; characters in a cell: `MAX_FIELD`;
- XLSX: the uncompressed size of each zip part, read from the zip's directory
  before openpyxl opens anything (`XLSX_PART_LIMITS`, `XLSX_MAX_UNCOMPRESSED`;
  zipfile never reads past a part's declared size), then the sheet is read in
  openpyxl's read-only mode, streamed row by row, ignoring the size the sheet
  claims for itself, and at most `XLSX_MAX_CELLS` cells;
- CSV: the delimiter is the one of ``;``, ``,`` and tab with which a header
  row is found in the first rows (no `csv.Sniffer`, whose guesses are costly
  and unreliable on a statement's title block).
"""

from __future__ import annotations

import csv
import io
import zlib
from collections.abc import Callable, Iterable
from fnmatch import fnmatch
from typing import TYPE_CHECKING
from zipfile import BadZipFile, ZipFile

import openpyxl
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.exceptions import InvalidFileException

from core.formatting import digits
from donations.services import DonationError

if TYPE_CHECKING:
    import _csv

MB = 1024 * 1024
MAX_BYTES = 10 * MB
MAX_ROWS = 20_000
MAX_COLUMNS = 50
MAX_FIELD = 4_000
# openpyxl reads some 40,000 cells a second: this keeps a sheet under ten seconds.
XLSX_MAX_CELLS = 300_000
XLSX_MAX_PARTS = 200
XLSX_MAX_UNCOMPRESSED = 64 * MB
# The uncompressed size allowed for each part of the XLSX zip, first match wins.
XLSX_PART_LIMITS: tuple[tuple[str, int], ...] = (
    ("xl/sharedStrings.xml", 16 * MB),
    ("xl/worksheets/*.xml", 24 * MB),
    ("*", 4 * MB),
)
DELIMITERS = (";", ",", "\t")
HEADER_ROWS = 30  # the header row is looked for among the first rows
# Enough of the text to hold the title block and the header row.
HEADER_SAMPLE = 64 * 1024


class StatementError(DonationError):
    code = "statement_unreadable"


def too_large() -> StatementError:
    return StatementError(
        _("The statement is larger than %(size)s MB.") % {"size": MAX_BYTES // MB},
        code="statement_too_large",
    )


def _too_many_rows() -> StatementError:
    return StatementError(
        _("The statement has more than %(rows)s rows: export a shorter period.")
        % {"rows": digits(MAX_ROWS)},
        code="statement_too_many_rows",
    )


def _unreadable_xlsx() -> StatementError:
    return StatementError(_("This is not a readable XLSX file."), code="statement_unreadable")


def _bounded(rows: Iterable[tuple | list], *, max_cells: int | None = None) -> list[list[object]]:
    """The rows, refused at the first one past a limit."""
    kept: list[list[object]] = []
    cells = 0
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise _too_many_rows()
        values = list(row)
        while values and values[-1] in (None, ""):
            values.pop()
        if len(values) > MAX_COLUMNS:
            raise StatementError(
                _(
                    "Row %(row)s has more than %(columns)s columns: "
                    "this does not look like a bank statement."
                )
                % {"row": number, "columns": MAX_COLUMNS},
                code="statement_too_many_columns",
            )
        if any(isinstance(value, str) and len(value) > MAX_FIELD for value in values):
            raise _field_too_long(number)
        cells += len(values)
        if max_cells is not None and cells > max_cells:
            raise StatementError(
                _("The sheet has more than %(cells)s cells: export a shorter period.")
                % {"cells": digits(max_cells)},
                code="statement_too_many_cells",
            )
        kept.append(values)
    return kept


def _field_too_long(row: int) -> StatementError:
    return StatementError(
        _(
            "Row %(row)s has a cell longer than %(length)s characters: "
            "this does not look like a bank statement."
        )
        % {"row": row, "length": digits(MAX_FIELD)},
        code="statement_field_too_long",
    )


def read_rows(data: bytes, filename: str, *, is_header: Callable[[list], bool]) -> list[list]:
    """Every row of the statement's first sheet (or of the CSV), as lists of cells."""
    if len(data) > MAX_BYTES:
        raise too_large()
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(data)
    return _csv_rows(_decode(data), is_header)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # every byte is a character: junk is refused later


def _csv_reader(text: str, delimiter: str) -> _csv.Reader:
    return csv.reader(io.StringIO(text), delimiter=delimiter)


def _delimiter(text: str, is_header: Callable[[list], bool]) -> str:
    """The delimiter with which a header row is found, splitting it into the most
    columns; semicolon when none finds one (the header search then says so)."""
    sample = text[:HEADER_SAMPLE]
    found: list[tuple[int, str]] = []
    for delimiter in DELIMITERS:
        try:
            for number, row in enumerate(_csv_reader(sample, delimiter)):
                if number >= HEADER_ROWS:
                    break
                if is_header(row):
                    found.append((len(row), delimiter))
                    break
        except csv.Error:
            continue
    return max(found, key=lambda item: item[0])[1] if found else DELIMITERS[0]


def _csv_rows(text: str, is_header: Callable[[list], bool]) -> list[list]:
    reader = _csv_reader(text, _delimiter(text, is_header))
    try:
        return _bounded(reader)
    except csv.Error as error:
        # The csv module refuses a field over its own limit (128 KiB) by itself.
        if "field limit" in str(error):
            raise _field_too_long(reader.line_num) from None
        raise StatementError(
            _("This is not a readable CSV file."), code="statement_unreadable"
        ) from None


def _part_limit(name: str) -> int:
    return next(limit for pattern, limit in XLSX_PART_LIMITS if fnmatch(name, pattern))


def check_xlsx_parts(data: bytes) -> None:
    """Refuse an XLSX whose parts would expand past the limits, from the sizes in
    the zip's directory, before anything is decompressed."""
    try:
        with ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (BadZipFile, OSError, ValueError, EOFError) as error:
        raise _unreadable_xlsx() from error
    if len(parts) > XLSX_MAX_PARTS:
        raise _unreadable_xlsx()
    total = 0
    for part in parts:
        total += part.file_size
        limit = _part_limit(part.filename)
        if part.file_size > limit or total > XLSX_MAX_UNCOMPRESSED:
            raise StatementError(
                _(
                    "Opened, this XLSX file would take more than %(size)s MB "
                    "(%(part)s): this does not look like a bank statement."
                )
                % {
                    "size": (limit if part.file_size > limit else XLSX_MAX_UNCOMPRESSED) // MB,
                    "part": part.filename[:80],
                },
                code="statement_xlsx_too_large",
            )


def _xlsx_rows(data: bytes) -> list[list]:
    check_xlsx_parts(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError, SyntaxError) as error:
        raise _unreadable_xlsx() from error
    try:
        if not book.worksheets:
            raise _unreadable_xlsx()
        sheet = book.worksheets[0]
        # The size a sheet claims may be false; without it, rows are read as they are.
        sheet.reset_dimensions()
        return _bounded(sheet.iter_rows(values_only=True), max_cells=XLSX_MAX_CELLS)
    except (BadZipFile, KeyError, ValueError, OSError, SyntaxError, EOFError, zlib.error) as error:
        raise _unreadable_xlsx() from error
    finally:
        book.close()
