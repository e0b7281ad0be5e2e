"""The spreadsheet safety rule: text as typed, never a formula; numbers as numbers."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from core.spreadsheets import csv_cell, csv_lines, csv_text, workbook, write_csv
from kindsteps.testing.spreadsheets import FORMULA_LIKE, cell_types


def _book_with(values: list, *, streaming: bool, tmp_path) -> bytes:
    path = tmp_path / "book.xlsx"
    book = workbook(str(path), streaming=streaming)
    sheet = book.add_worksheet("names")
    for row, value in enumerate(values):
        sheet.write(row, 0, value)
    book.close()
    return path.read_bytes()


@pytest.mark.parametrize("streaming", [False, True])
def test_the_workbook_writes_formula_like_names_as_text(tmp_path, streaming):
    names = [*FORMULA_LIKE, "http://evil.example/", "0912345678"]

    types = cell_types(_book_with(names, streaming=streaming, tmp_path=tmp_path))

    assert types == {name: "s" for name in names}
    sheet = openpyxl.load_workbook(tmp_path / "book.xlsx").active
    assert sheet.cell(row=len(FORMULA_LIKE) + 1, column=1).hyperlink is None  # not a link


def test_the_workbook_keeps_numbers_and_its_own_formulas(tmp_path):
    path = tmp_path / "book.xlsx"
    book = workbook(str(path), streaming=True)
    sheet = book.add_worksheet("amounts")
    sheet.write(0, 0, -50_000)
    sheet.write(1, 0, 120_000)
    sheet.write_formula(2, 0, "=SUM(A1:A2)", None, 70_000)
    book.close()

    sheet = openpyxl.load_workbook(path).active
    assert (sheet["A1"].value, sheet["A1"].data_type) == (-50_000, "n")
    assert (sheet["A3"].value, sheet["A3"].data_type) == ("=SUM(A1:A2)", "f")


def test_a_workbook_in_memory_writes_to_a_file_object():
    out = io.BytesIO()
    book = workbook(out)
    book.add_worksheet("names").write(0, 0, "=1+1")
    book.close()

    assert cell_types(out.getvalue()) == {"=1+1": "s"}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+1", "'+1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_csv_cell_that_would_run_as_a_formula_starts_with_a_quote(value, cell):
    assert csv_cell(value) == cell


@pytest.mark.parametrize("number", [-50_000, 0, 1_000_000, 7.3, Decimal("-2.5")])
def test_a_csv_cell_keeps_a_number_a_number(number):
    assert csv_cell(number) is number


@pytest.mark.parametrize("value", [*FORMULA_LIKE, "'plain", "Lê Thị Hoa", "'"])
def test_csv_text_gives_back_what_was_typed(value):
    assert csv_text(str(csv_cell(value))) == value


def test_the_csv_writers_escape_text_and_leave_numbers():
    rows = [["name", "amount"], ["-2+3", -50_000], ["=1+1", 120_000]]
    out = io.StringIO()
    write_csv(out, rows)

    read = list(csv.reader(io.StringIO(out.getvalue())))
    streamed = list(csv.reader(io.StringIO("".join(csv_lines(rows)))))

    assert read == streamed == [["name", "amount"], ["'-2+3", "-50000"], ["'=1+1", "120000"]]
