"""Whatever file is uploaded as a bank statement, the answer is a clear refusal
or the statement's lines, within bounded memory and time: junk, a huge field,
an XLSX whose parts expand to gigabytes, a sheet far too wide or long."""

import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.utils import get_column_letter

from campaigns.tests.factories import CampaignFactory
from donations import reconcile, services, statements
from donations.models import Method, PaymentEvent

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], slug="limits")
    settings = services.settings_for(campaign)
    settings.methods = [Method.VIETQR]
    settings.save()
    return campaign


def csv_statement(*rows: str) -> bytes:
    return "\n".join(["Ngày;Mã GD;Ghi có;Nội dung", *rows, ""]).encode()


def xlsx(replace: dict[str, bytes] | None = None) -> bytes:
    """A small real workbook (a header and one line), some of its parts replaced."""
    book = openpyxl.Workbook()
    book.active.append(["Ngày", "Mã GD", "Ghi có", "Nội dung"])
    book.active.append(["01/03/2024", "FT1", 100_000, "ung ho"])
    made = io.BytesIO()
    book.save(made)
    replace = dict(replace or {})
    if "xl/sharedStrings.xml" in replace:
        # Declare the shared strings, so that openpyxl would really load them.
        types = zipfile.ZipFile(made).read("[Content_Types].xml").decode()
        replace["[Content_Types].xml"] = types.replace(
            "</Types>",
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
            "</Types>",
        ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zip_:
        for part in source.infolist():
            zip_.writestr(part.filename, replace.pop(part.filename, source.read(part.filename)))
        for name, content in replace.items():
            zip_.writestr(name, content)
    return out.getvalue()


def sheet_xml(rows: int, columns: int) -> bytes:
    """A worksheet of `rows` × `columns` numbers, written straight as XML."""
    letters = [get_column_letter(column) for column in range(1, columns + 1)]
    body = "".join(
        f'<row r="{row}">'
        + "".join(f'<c r="{letter}{row}"><v>{row}</v></c>' for letter in letters)
        + "</row>"
        for row in range(1, rows + 1)
    )
    return f'<worksheet xmlns="{MAIN_NS}"><sheetData>{body}</sheetData></worksheet>'.encode()


def refusal(campaign, owner, data: bytes, filename: str) -> statements.StatementError:
    with pytest.raises(statements.StatementError) as error:
        reconcile.import_statement(campaign, data, filename, actor=owner)
    assert not PaymentEvent.objects.exists()
    return error.value


def peak_memory(call) -> int:
    tracemalloc.start()
    try:
        call()
    finally:
        _size, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


# CSV ----------------------------------------------------------------------------


def test_junk_is_refused_as_unreadable(campaign, owner):
    junk = bytes(range(256)) * 64

    error = refusal(campaign, owner, junk, "saoke.csv")

    assert error.code == "statement_unreadable"


def test_a_field_of_128_kb_is_refused_naming_the_limit(campaign, owner):
    data = csv_statement(f"01/03/2024;FT1;100000;{'A' * 128 * 1024}")

    error = refusal(campaign, owner, data, "saoke.csv")

    assert error.code == "statement_field_too_long"
    assert str(error.message).startswith(("Dòng 2 ", "Row 2 "))
    assert "4.000" in str(error.message)


def test_a_field_past_the_csv_modules_own_limit_is_refused_too(campaign, owner):
    data = csv_statement(f'01/03/2024;FT1;100000;"{"A" * 200 * 1024}"')

    assert refusal(campaign, owner, data, "saoke.csv").code == "statement_field_too_long"


def test_more_rows_than_the_limit_are_refused_not_cut_off(campaign, owner):
    rows = [f"01/03/2024;FT{n};;khong phai ung ho" for n in range(statements.MAX_ROWS)]

    error = refusal(campaign, owner, csv_statement(*rows), "saoke.csv")

    assert error.code == "statement_too_many_rows"
    assert "20.000" in str(error.message)


def test_a_row_wider_than_the_limit_is_refused(campaign, owner):
    data = csv_statement("01/03/2024;FT1;100000;ung ho" + ";x" * statements.MAX_COLUMNS)

    error = refusal(campaign, owner, data, "saoke.csv")

    assert error.code == "statement_too_many_columns"
    assert str(statements.MAX_COLUMNS) in str(error.message)


def test_trailing_empty_cells_do_not_count_as_columns(campaign, owner):
    data = csv_statement("01/03/2024;FT1;100000;ung ho" + ";" * 200)

    results = reconcile.import_statement(campaign, data, "saoke.csv", actor=owner)

    assert [result.outcome for result in results] == [reconcile.NO_REFERENCE]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(campaign, owner):
    data = b"Ngay;Ghi co;Noi dung\n" + b"x" * statements.MAX_BYTES

    error = refusal(campaign, owner, data, "saoke.csv")

    assert error.code == "statement_too_large"
    assert "10 MB" in str(error.message)


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ('Ngày,Mã GD,Ghi có,Nội dung\n01/03/2024,FT1,"200,000",ung ho\n', ","),
        ("Ngày\tMã GD\tGhi có\tNội dung\n01/03/2024\tFT1\t200.000\tung ho\n", "\t"),
        (
            "Sao kê, tháng 3;;;\nNgày;Mã GD;Ghi có, VND;Nội dung\n01/03/2024;FT1;200.000;ung ho\n",
            ";",
        ),
    ],
)
def test_the_delimiter_is_the_one_that_finds_the_header(campaign, owner, text, delimiter):
    results = reconcile.import_statement(campaign, text.encode(), "saoke.csv", actor=owner)

    assert [(result.line.txn, result.line.amount) for result in results] == [("FT1", 200_000)]


def test_an_oversized_upload_is_refused_by_the_page(client, campaign, owner):
    client.force_login(owner)
    upload = SimpleUploadedFile("saoke.csv", b"x" * (statements.MAX_BYTES + 1))

    response = client.post(
        reverse("donations_manage:reconcile", args=[campaign.slug]), {"statement": upload}
    )

    assert response.status_code == 400
    assert "10 MB" in response.content.decode()


def test_a_field_of_128_kb_gets_a_clear_answer_on_the_page(client, campaign, owner):
    client.force_login(owner)
    data = csv_statement(f"01/03/2024;FT1;100000;{'A' * 128 * 1024}")

    response = client.post(
        reverse("donations_manage:reconcile", args=[campaign.slug]),
        {"statement": SimpleUploadedFile("saoke.csv", data)},
    )

    assert response.status_code == 400
    assert "4.000" in response.content.decode()


# XLSX ---------------------------------------------------------------------------


def test_the_small_workbook_the_tests_build_is_read(campaign, owner):
    results = reconcile.import_statement(campaign, xlsx(), "saoke.xlsx", actor=owner)

    assert [(result.line.txn, result.line.amount) for result in results] == [("FT1", 100_000)]


def test_shared_strings_that_would_expand_past_the_limit_are_refused_in_bounded_memory(
    campaign, owner
):
    limit = statements.XLSX_PART_LIMITS[0][1]
    bomb = f'<sst xmlns="{MAIN_NS}"><si><t>{"A" * (limit + 1)}</t></si></sst>'.encode()
    data = xlsx({"xl/sharedStrings.xml": bomb})
    assert len(data) < limit // 100  # it is the expansion that is big, not the file
    errors = []

    def read() -> None:
        try:
            reconcile.parse_statement(data, "saoke.xlsx")
        except statements.StatementError as error:
            errors.append(error)

    peak = peak_memory(read)

    assert [error.code for error in errors] == ["statement_xlsx_too_large"]
    assert "16 MB" in str(errors[0].message) and "sharedStrings" in str(errors[0].message)
    assert peak < 4 * 1024 * 1024


def test_a_sheet_that_would_expand_past_the_limit_is_refused(campaign, owner):
    big = sheet_xml(1, 1).replace(b"<sheetData>", b"<sheetData>" + b" " * (24 * 1024 * 1024))

    error = refusal(campaign, owner, xlsx({"xl/worksheets/sheet1.xml": big}), "saoke.xlsx")

    assert error.code == "statement_xlsx_too_large"


def test_a_sheet_far_too_wide_is_refused_at_its_first_row(campaign, owner):
    wide = sheet_xml(5, 2_000)

    error = refusal(campaign, owner, xlsx({"xl/worksheets/sheet1.xml": wide}), "saoke.xlsx")

    assert error.code == "statement_too_many_columns"
    assert str(error.message).startswith(("Dòng 1 ", "Row 1 "))


def test_a_sheet_with_more_cells_than_the_limit_is_refused(campaign, owner, monkeypatch):
    monkeypatch.setattr(statements, "XLSX_MAX_CELLS", 99)
    sheet = sheet_xml(10, 10)

    error = refusal(campaign, owner, xlsx({"xl/worksheets/sheet1.xml": sheet}), "saoke.xlsx")

    assert error.code == "statement_too_many_cells"
    assert "99" in str(error.message)


def test_a_sheet_claiming_to_be_the_largest_possible_is_read_as_it_is(campaign, owner):
    header = "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for letter, name in zip("ABC", ("Ngay", "Ghi co", "Noi dung"), strict=True)
    )
    body = "".join(
        f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>01/03/2024</t></is></c>'
        f'<c r="B{row}"><v>{100_000 + row}</v></c>'
        f'<c r="C{row}" t="inlineStr"><is><t>ung ho {row}</t></is></c></row>'
        for row in range(2, 2_001)
    )
    lying = (
        f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:XFD1048576"/>'
        f'<sheetData><row r="1">{header}</row>{body}</sheetData></worksheet>'
    )
    data = xlsx({"xl/worksheets/sheet1.xml": lying.encode()})
    lines = []

    peak = peak_memory(lambda: lines.extend(reconcile.parse_statement(data, "saoke.xlsx")))

    assert len(lines) == 1_999
    assert (lines[0].amount, lines[-1].description) == (100_002, "ung ho 2000")
    # Each row padded to the 16,384 columns the sheet claims would take some 260 MB.
    assert peak < 16 * 1024 * 1024


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04broken", b"not a zip at all", b""],
    ids=["broken zip", "not a zip", "empty"],
)
def test_an_xlsx_that_is_not_one_is_refused(campaign, owner, data):
    assert refusal(campaign, owner, data, "saoke.xlsx").code == "statement_unreadable"


def test_a_workbook_with_broken_sheet_xml_is_refused(campaign, owner):
    data = xlsx({"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>"})

    assert refusal(campaign, owner, data, "saoke.xlsx").code == "statement_unreadable"
