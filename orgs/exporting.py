"""Export of a subtree in the import format (orgs.importing): a row per unit,
parents before children, so that exporting and importing again changes nothing."""

import csv
import io
from collections.abc import Callable

import openpyxl
from openpyxl.cell import WriteOnlyCell

from orgs.importing import COLUMNS
from orgs.models import Unit
from orgs.tree import parent_path


def export_rows(unit: Unit) -> list[list[str]]:
    """The header and a row per unit of the subtree, parents before children."""
    top_parent = ""
    if unit.depth > 1:
        top_parent = Unit.objects.get(path=parent_path(unit.path)).code
    rows = [list(COLUMNS)]
    code_by_path: dict[str, str] = {}
    units = Unit.objects.filter(path__startswith=unit.path).order_by("path")
    for code, name, kind, path in units.values_list("code", "name", "kind", "path"):
        code_by_path[path] = code
        parent = top_parent if path == unit.path else code_by_path[parent_path(path)]
        rows.append([code, name, kind, parent])
    return rows


def export_csv(unit: Unit) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")  # so that Excel opens it as UTF-8
    csv.writer(out).writerows(export_rows(unit))
    return out.getvalue().encode("utf-8")


def export_xlsx(unit: Unit) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("units")
    for row in export_rows(unit):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # a name starting with "=" is text, not a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTERS: dict[str, tuple[Callable[[Unit], bytes], str]] = {
    "csv": (export_csv, "text/csv; charset=utf-8"),
    "xlsx": (export_xlsx, XLSX_TYPE),
}
