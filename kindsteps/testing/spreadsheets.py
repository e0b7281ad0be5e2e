"""What the exports' tests type into names, and how they read a workbook back.

A spreadsheet runs a cell that starts with ``=`` (and, in a CSV file, ``+``,
``-``, ``@``) as a formula; every export is tested with such names
(core.spreadsheets)."""

import io
import re
import zipfile

import openpyxl

from core.spreadsheets import workbook

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


# "Billion laughs": ten entities, each ten of the one before, ~3 GB of "lol" once expanded.
LAUGHS = (
    '<!DOCTYPE bomb [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    + "]>"
)
# An external entity that would copy a file of the server into a cell.
OUTSIDE_FILE = '<!DOCTYPE bomb [<!ENTITY lol9 SYSTEM "file:///etc/passwd">]>'


def xlsx_with_entities(rows: list[list], part: str, doctype: str = LAUGHS) -> bytes:
    """A workbook of ``rows`` laid out as Excel saves one (the text in
    xl/sharedStrings.xml, the cells in xl/worksheets/sheet1.xml), with
    ``doctype`` declared in ``part`` and its first text or value replaced by
    ``&lol9;``."""
    plain = io.BytesIO()
    book = workbook(plain)
    sheet = book.add_worksheet()
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    book.close()
    source = zipfile.ZipFile(plain)
    if part not in source.namelist():
        raise ValueError(f"no {part} in the workbook")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            body = source.read(name)
            if name == part:
                text = body.decode()
                after_declaration = text.index("?>") + 2
                text = text[:after_declaration] + doctype + text[after_declaration:]
                text = re.sub(r"<(t|v)>[^<]*</\1>", r"<\1>&lol9;</\1>", text, count=1)
                body = text.encode()
            target.writestr(name, body)
    return out.getvalue()
