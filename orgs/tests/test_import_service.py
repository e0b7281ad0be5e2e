import io

import defusedxml
import openpyxl
import pytest

from core.models import AuditEntry
from kindsteps.testing.spreadsheets import LAUGHS, OUTSIDE_FILE, xlsx_with_entities
from orgs.importing import UnitImportError, import_units
from orgs.models import Unit, UnitKind
from orgs.tests.conftest import HEADER, csv_file, xlsx_file


def assert_tree_sound():
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def codes_under(code: str) -> set[str]:
    unit = Unit.objects.get(code=code)
    return set(
        Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).values_list(
            "code", flat=True
        )
    )


def import_errors(data: bytes, filename: str = "units.csv", **kwargs) -> list[tuple]:
    with pytest.raises(UnitImportError) as caught:
        import_units(data, filename, **kwargs)
    return [(e.row, e.column, e.code) for e in caught.value.errors]


def test_creates_children_listed_before_their_parents(tree):
    data = csv_file(
        [
            ["LA-CD-LTR-A", "Chi hội ấp 1", "other", "LA-CD-NEW"],
            ["LA-CD-NEW", "Hội CTĐ xã Tân Lân", "commune", ""],
            ["LA-CD-LTR-B", "Chi hội ấp 2", "other", "LA-CD-LTR"],
        ]
    )
    result = import_units(data, "units.csv", into=tree["LA-CD"])
    assert (result.created, result.updated) == (3, 0)
    assert codes_under("LA-CD") == {"LA-CD-LTR", "LA-CD-THPT", "LA-CD-NEW"}
    assert codes_under("LA-CD-NEW") == {"LA-CD-LTR-A"}
    assert codes_under("LA-CD-LTR") == {"LA-CD-LTR-B"}
    new = Unit.objects.get(code="LA-CD-NEW")
    assert (new.depth, new.numchild, new.kind) == (4, 1, UnitKind.COMMUNE)
    assert Unit.objects.get(code="LA-CD").numchild == 3
    assert_tree_sound()


def test_new_units_come_after_existing_siblings_in_tree_order(tree):
    import_units(csv_file([["LA-CD-Z", "Xã Z", "commune", ""]]), "u.csv", into=tree["LA-CD"])
    children = Unit.objects.filter(path__startswith=tree["LA-CD"].path, depth=4).order_by("path")
    assert [u.code for u in children] == ["LA-CD-LTR", "LA-CD-THPT", "LA-CD-Z"]


def test_reads_semicolon_csv_with_bom_and_any_column_order(tree):
    data = csv_file(
        [["commune", "LA-CD-X", "LA-CD", "Xã Mỹ Lệ"]],
        header=["kind", "code", "parent_code", "name"],
        delimiter=";",
        bom=True,
    )
    import_units(data, "units.csv", into=tree["LA-CD"])
    assert Unit.objects.get(code="LA-CD-X").name == "Xã Mỹ Lệ"


def test_reads_xlsx_with_numeric_codes_and_kind_labels(tree):
    data = xlsx_file(
        [[1001, "Trường THCS Long Hựu", "School", "LA-CD"], [1002, "Trạm y tế", "HEALTH", 1001]]
    )
    import_units(data, "units.xlsx", into=tree["LA-CD"])
    assert Unit.objects.get(code="1001").kind == UnitKind.SCHOOL
    assert codes_under("1001") == {"1002"}
    assert_tree_sound()


def test_updates_existing_units_in_the_subtree(tree):
    data = csv_file([["LA-CD-LTR", "Hội CTĐ xã Long Trạch (mới)", "commune", "LA-CD"]])
    result = import_units(data, "units.csv", into=tree["LA-CD"])
    assert (result.created, result.updated, result.moved) == (0, 1, 0)
    assert Unit.objects.get(code="LA-CD-LTR").name == "Hội CTĐ xã Long Trạch (mới)"


def test_moves_an_existing_unit_to_another_parent_with_its_subtree(tree):
    import_units(
        csv_file([["LA-CD-LTR-A", "Ấp 1", "other", "LA-CD-LTR"]]), "u.csv", into=tree["LA"]
    )
    data = csv_file([["LA-CD-LTR", "Hội CTĐ xã Long Trạch", "commune", "LA-CG"]])
    result = import_units(data, "units.csv", into=tree["LA"])
    assert (result.updated, result.moved) == (1, 1)
    assert "LA-CD-LTR" in codes_under("LA-CG")
    assert codes_under("LA-CD-LTR") == {"LA-CD-LTR-A"}
    assert Unit.objects.get(code="LA-CD").numchild == 1
    assert Unit.objects.get(code="LA-CG").numchild == 2
    assert_tree_sound()


def test_moves_a_unit_under_a_new_unit_of_the_same_file(tree):
    data = csv_file(
        [
            ["LA-CD-LTR", "Hội CTĐ xã Long Trạch", "commune", "LA-CD-CUM"],
            ["LA-CD-CUM", "Cụm xã phía Bắc", "other", "LA-CD"],
        ]
    )
    import_units(data, "units.csv", into=tree["LA-CD"])
    assert codes_under("LA-CD-CUM") == {"LA-CD-LTR"}
    assert_tree_sound()


def test_reports_every_bad_row_and_imports_nothing(tree):
    data = csv_file(
        [
            ["", "Không mã", "commune", "LA-CD"],
            ["LA-CD-A", "", "commune", "LA-CD"],
            ["LA-CD-B", "Xã B", "village", "LA-CD"],
            ["LA-CD-C", "Xã C", "commune", "NOWHERE"],
            ["LA-CD-C", "Xã C lần hai", "commune", "LA-CD"],
            ["LA-CD-OK", "Xã tốt", "commune", "LA-CD"],
        ]
    )
    errors = import_errors(data, into=tree["LA-CD"])
    assert errors == [
        (2, "code", "required"),
        (3, "name", "required"),
        (4, "kind", "unknown_kind"),
        (5, "parent_code", "unknown_parent"),
        (6, "code", "duplicate"),
    ]
    assert not Unit.objects.filter(code="LA-CD-OK").exists()


def test_error_messages_say_what_is_wrong(tree):
    data = csv_file([["LA-CD-B", "Xã B", "village", "LA-CD"]])
    with pytest.raises(UnitImportError) as caught:
        import_units(data, "units.csv", into=tree["LA-CD"])
    assert "village" in caught.value.errors[0].message
    assert "commune" in caught.value.errors[0].message


def test_rejects_parent_outside_the_importers_subtree(tree):
    data = csv_file([["LA-CD-X", "Xã X", "commune", "LA-CG"]])
    assert import_errors(data, into=tree["LA-CD"]) == [(2, "parent_code", "parent_outside_scope")]


def test_rejects_a_code_that_exists_outside_the_subtree(tree):
    data = csv_file([["LA-CG-PL", "Đổi tên xã người khác", "commune", "LA-CD"]])
    assert import_errors(data, into=tree["LA-CD"]) == [(2, "code", "outside_scope")]
    assert Unit.objects.get(code="LA-CG-PL").name == "Hội CTĐ CS xã Phước Lý"


def test_rejects_a_loop_among_rows(tree):
    data = csv_file(
        [
            ["A", "A", "other", "C"],
            ["B", "B", "other", "A"],
            ["C", "C", "other", "B"],
            ["D", "D", "other", "C"],
            ["E", "E", "other", "E"],
        ]
    )
    errors = import_errors(data, into=tree["LA-CD"])
    assert errors == [
        (2, "parent_code", "cycle"),
        (3, "parent_code", "cycle"),
        (4, "parent_code", "cycle"),
        (6, "parent_code", "cycle"),
    ]


def test_rejects_moving_a_unit_under_its_own_sub_unit(tree):
    data = csv_file([["LA-CD", "Huyện hội Cần Đước", "district", "LA-CD-LTR"]])
    assert import_errors(data, into=tree["LA"]) == [(2, "parent_code", "cycle")]


def test_rejects_moving_the_unit_imported_into(tree):
    data = csv_file([["LA-CD", "Huyện hội Cần Đước", "district", "LA-CG"]])
    assert import_errors(data, into=tree["LA-CD"]) == [(2, "parent_code", "cannot_move_target")]


def test_rejects_a_second_top_unit_unless_allowed(tree):
    data = csv_file([["LAO", "Hội Chữ thập đỏ Lào", "national", ""]])
    assert import_errors(data) == [(2, "parent_code", "many_roots")]
    import_units(data, "units.csv", allow_many_roots=True)
    assert Unit.objects.get(code="LAO").depth == 1
    assert_tree_sound()


def test_imports_a_whole_tree_into_an_empty_database(db):
    data = csv_file(
        [
            ["LA", "Tỉnh hội Long An", "province", "VN"],
            ["VN", "Trung ương Hội", "national", ""],
            ["LA-1", "Xã 1", "commune", "LA"],
        ]
    )
    result = import_units(data, "units.csv")
    assert result.created == 3
    assert Unit.objects.get(code="VN").depth == 1
    assert_tree_sound()


def test_rejects_a_file_missing_a_column(tree):
    data = csv_file([["X", "X", "other"]], header=["code", "name", "kind"])
    assert import_errors(data, into=tree["LA-CD"]) == [(1, "parent_code", "missing_column")]


def test_rejects_a_file_that_is_not_utf8(tree):
    data = "code,name,kind,parent_code\nX,Xã Tân,commune,\n".encode("latin-1")
    assert import_errors(data, into=tree["LA-CD"]) == [(0, "", "not_utf8")]


def test_rejects_a_broken_xlsx(tree):
    assert import_errors(b"not a zip", "units.xlsx", into=tree["LA-CD"]) == [(0, "", "bad_xlsx")]


XML_PARTS = ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"]


@pytest.mark.parametrize("part", XML_PARTS)
@pytest.mark.parametrize("doctype", [LAUGHS, OUTSIDE_FILE], ids=["billion-laughs", "outside-file"])
def test_rejects_an_xlsx_that_declares_xml_entities(tree, part, doctype):
    bomb = xlsx_with_entities([HEADER, ["NEW", "Mới", "other", "LA-CD"]], part, doctype)

    assert import_errors(bomb, "units.xlsx", into=tree["LA-CD"]) == [(0, "", "bad_xlsx")]
    assert not Unit.objects.filter(code="NEW").exists()


@pytest.mark.parametrize("part", XML_PARTS)
def test_openpyxl_reads_the_cells_through_defusedxml_which_refuses_entities_unexpanded(part):
    # openpyxl parses shared strings and sheets with defusedxml when it is installed
    # (openpyxl.xml.functions.iterparse): the declaration itself is refused, before
    # a single entity is expanded.
    bomb = xlsx_with_entities([HEADER, ["NEW", "Mới", "other", ""]], part)

    with pytest.raises(ValueError) as caught:
        openpyxl.load_workbook(io.BytesIO(bomb), read_only=True, data_only=True)

    assert isinstance(caught.value.__cause__, defusedxml.EntitiesForbidden)


def test_rejects_other_file_types(tree):
    assert import_errors(b"{}", "units.json", into=tree["LA-CD"]) == [(0, "", "unsupported_format")]


def test_blank_rows_are_skipped_and_row_numbers_stay_as_in_the_sheet(tree):
    data = xlsx_file(
        [
            ["LA-CD-A", "Xã A", "commune", ""],
            [None, None, None, None],
            ["LA-CD-B", "", "commune", ""],
        ]
    )
    assert import_errors(data, "units.xlsx", into=tree["LA-CD"]) == [(4, "name", "required")]


def test_import_is_audit_logged(tree, owner):
    import_units(
        csv_file([["LA-CD-A", "Xã A", "commune", ""]]), "u.csv", into=tree["LA-CD"], actor=owner
    )
    entry = AuditEntry.objects.get(action="orgs.units.imported")
    assert entry.actor == owner and entry.data["created"] == 1


def test_many_units_import_in_few_queries(tree, django_assert_max_num_queries):
    rows = [[f"LA-CD-{i}", f"Xã {i}", "commune", "LA-CD"] for i in range(2000)]
    rows += [[f"LA-CD-{i}-S", f"Trường {i}", "school", f"LA-CD-{i}"] for i in range(2000)]
    with django_assert_max_num_queries(40):
        result = import_units(csv_file(rows), "units.csv", into=tree["LA-CD"])
    assert result.created == 4000
    assert Unit.objects.get(code="LA-CD").numchild == 2002
    assert_tree_sound()


def test_reports_turning_a_unit_into_a_top_unit_as_unsupported(tree):
    data = csv_file([["LA-CD", "Huyện hội Cần Đước", "district", ""]])
    assert import_errors(data) == [(2, "parent_code", "unsupported_move")]
