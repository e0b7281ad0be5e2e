"""What the exports' tests type into names, and how they read a workbook back.

A spreadsheet runs a cell that starts with ``=`` (and, in a CSV file, ``+``,
``-``, ``@``) as a formula; every export is tested with such names
(core.spreadsheets)."""

import io

import openpyxl

FORMULA_LIKE = (
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "@SUM(A1)",
    "-2+3",
)


def cell_types(content: bytes) -> dict[object, str]:
    """Every non-empty cell's value in the workbook, with its type as openpyxl
    reads it back: ``"s"`` for text, ``"n"`` for a number, ``"f"`` for a formula
    (whose value is the formula's text)."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        cell.value: cell.data_type
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
