import pytest
from django.core.management import CommandError, call_command

from orgs.models import Unit
from orgs.tests.conftest import csv_file, xlsx_file


def test_command_imports_into_a_unit(tree, tmp_path, capsys):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx_file([["LA-CG-TL", "Xã Tân Kim", "commune", ""]]))
    call_command("import_units", str(path), "--into", "LA-CG")
    assert "1 created, 0 updated" in capsys.readouterr().out
    assert Unit.objects.get(code="LA-CG-TL").depth == 4


def test_command_imports_a_whole_tree(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(
        csv_file([["VN", "Trung ương Hội", "national", ""], ["HN", "Hà Nội", "province", "VN"]])
    )
    call_command("import_units", str(path))
    assert Unit.objects.get(code="HN").depth == 2


def test_command_lists_the_errors_and_fails(tree, tmp_path, capsys):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_file([["X", "", "commune", "NOWHERE"]]))
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_units", str(path), "--into", "LA")
    err = capsys.readouterr().err
    assert "row 2, name" in err and "row 2, parent_code" in err
    assert not Unit.objects.filter(code="X").exists()


def test_command_refuses_an_unknown_target_unit(tree, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_file([]))
    with pytest.raises(CommandError, match="NOPE"):
        call_command("import_units", str(path), "--into", "NOPE")
