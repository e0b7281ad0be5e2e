import csv
import io

import openpyxl
import pytest

from kindsteps.testing.spreadsheets import FORMULA_LIKE, cell_types
from orgs.exporting import export_csv, export_xlsx
from orgs.importing import import_units
from orgs.models import Unit


def snapshot() -> list[tuple]:
    return list(
        Unit.objects.order_by("path").values_list(
            "code", "name", "kind", "path", "depth", "numchild"
        )
    )


def test_csv_export_lists_the_subtree_with_parent_codes(tree):
    text = export_csv(tree["LA-CD"]).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [
        ["code", "name", "kind", "parent_code"],
        ["LA-CD", "Huyện hội Cần Đước", "district", "LA"],
        ["LA-CD-LTR", "Hội CTĐ CS xã Long Trạch", "commune", "LA-CD"],
        ["LA-CD-THPT", "Hội CTĐ CS Trường THPT Cần Đước", "school", "LA-CD"],
    ]


def test_xlsx_export_keeps_a_name_that_looks_like_a_formula_as_text(tree):
    Unit.objects.filter(code="LA-CD-LTR").update(name="=1+1 xã")
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(tree["LA-CD"])))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert ["LA-CD-LTR", "=1+1 xã", "commune", "LA-CD"] in values
    assert book.active["B3"].data_type == "s"


@pytest.mark.parametrize("name", FORMULA_LIKE)
def test_xlsx_export_writes_every_formula_like_name_as_text(tree, name):
    Unit.objects.filter(code="LA-CD-LTR").update(name=name)

    types = cell_types(export_xlsx(tree["LA-CD"]))

    assert types[name] == "s"
    assert "f" not in types.values()


@pytest.mark.parametrize("name", FORMULA_LIKE)
def test_csv_export_puts_a_quote_before_a_formula_like_name(tree, name):
    Unit.objects.filter(code="LA-CD-LTR").update(name=name)

    rows = list(csv.reader(io.StringIO(export_csv(tree["LA-CD"]).decode("utf-8-sig"))))

    assert ["LA-CD-LTR", f"'{name}", "commune", "LA-CD"] in rows


@pytest.mark.parametrize(("export", "filename"), [(export_csv, "u.csv"), (export_xlsx, "u.xlsx")])
@pytest.mark.parametrize("name", FORMULA_LIKE)
def test_round_trip_keeps_a_formula_like_name_as_typed(tree, export, filename, name):
    Unit.objects.filter(code="LA-CD-LTR").update(name=name)
    before = snapshot()

    result = import_units(export(tree["LA-CD"]), filename, into=tree["LA"])

    assert (result.created, result.updated, result.moved) == (0, 0, 0)
    assert snapshot() == before
    assert Unit.objects.get(code="LA-CD-LTR").name == name


@pytest.mark.parametrize(("export", "filename"), [(export_csv, "u.csv"), (export_xlsx, "u.xlsx")])
@pytest.mark.parametrize("root", ["VN", "LA", "LA-CD"])
def test_round_trip_changes_nothing(tree, export, filename, root):
    before = snapshot()
    into = None if root == "VN" else tree[root]
    result = import_units(export(tree[root]), filename, into=into)
    assert (result.created, result.updated, result.moved) == (0, 0, 0)
    assert result.unchanged == Unit.objects.filter(path__startswith=tree[root].path).count()
    assert snapshot() == before
