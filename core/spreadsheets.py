"""The one home for writing spreadsheets and CSV files that people open in Excel
or LibreOffice. Every export goes through here (docs/decisions/0008).

The rule: text that people typed (names, team and unit names, notes, donors'
messages) is written as text, never as a formula or a link, and numbers stay
numbers so that the spreadsheet adds them up.

- XLSX: ``workbook()`` turns off XlsxWriter's guessing, so ``write()`` and
  ``write_row()`` store ``=HYPERLINK(…)`` as the string it is. Formulas the
  export itself means (a total's ``=SUM``) are written with ``write_formula``.
- CSV: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return, whatever the quoting; ``csv_cell()`` puts a single
  quote in front of such text (OWASP's advice on CSV injection), which Excel
  hides and does not run. Numbers are left alone: -50000 stays a number.
  ``csv_text()`` undoes the quote for files read back in (an export that is
  imported again changes nothing).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from os import PathLike
from typing import IO, Any

import xlsxwriter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"  # so that Excel opens a CSV file as UTF-8

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_SAFE = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def workbook(
    target: str | PathLike[str] | IO[bytes], *, streaming: bool = False
) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook that writes strings as strings.

    ``target`` is a file path or a binary file object (``io.BytesIO``).
    ``streaming``: rows are written in order and each row goes to a temporary
    file as soon as the next one starts (XlsxWriter's constant_memory), for
    large workbooks; otherwise the workbook is built in memory."""
    options: dict[str, Any] = dict(_SAFE)
    if streaming:
        options["constant_memory"] = True
    else:
        options["in_memory"] = True
    return xlsxwriter.Workbook(target, options)


def csv_cell(value: object) -> object:
    """``value`` ready for a CSV cell: numbers as they are, text that a
    spreadsheet would run as a formula behind a single quote, None as ""."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(value: str) -> str:
    """The text as typed, from a cell that ``csv_cell`` escaped."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def write_csv(out: IO[str], rows: Iterable[Sequence[object]]) -> None:
    """Every row to ``out``, each cell through ``csv_cell``."""
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])


class _Line:
    def write(self, line: str) -> str:
        return line


def csv_lines(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """One CSV line per row, each cell through ``csv_cell``: for a
    StreamingHttpResponse, so that a long list is never held in memory."""
    writer = csv.writer(_Line())
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])
