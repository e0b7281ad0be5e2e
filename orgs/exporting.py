"""Export of a subtree in the import format (orgs.importing): a row per unit,
parents before children, so that exporting and importing again changes nothing.
Written through core.spreadsheets: a unit's name is text, never a formula."""

import io
from collections.abc import Callable

from core.spreadsheets import BOM, CSV_TYPE, XLSX_TYPE, workbook, write_csv
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
    out.write(BOM)
    write_csv(out, export_rows(unit))
    return out.getvalue().encode("utf-8")


def export_xlsx(unit: Unit) -> bytes:
    out = io.BytesIO()
    book = workbook(out)
    sheet = book.add_worksheet("units")
    for row, values in enumerate(export_rows(unit)):
        sheet.write_row(row, 0, values)
    book.close()
    return out.getvalue()


EXPORTERS: dict[str, tuple[Callable[[Unit], bytes], str]] = {
    "csv": (export_csv, CSV_TYPE),
    "xlsx": (export_xlsx, XLSX_TYPE),
}
