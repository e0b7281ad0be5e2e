import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orgs.models import Unit
from orgs.tests.conftest import csv_file


def upload(rows, name: str = "units.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_file(rows), content_type="text/csv")


def test_owner_sees_the_import_form(login, owner):
    response = login(owner).get(reverse("orgs:import", args=["LA-CD"]))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_owner_imports_a_file_and_sees_a_summary(login, owner):
    client = login(owner)
    file = upload(
        [
            ["LA-CD-TL", "Hội CTĐ xã Tân Lân", "commune", ""],
            ["LA-CD-LTR", "Xã Long Trạch", "commune", "LA-CD"],
        ]
    )
    response = client.post(reverse("orgs:import", args=["LA-CD"]), {"file": file}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("orgs:detail", args=["LA-CD"])
    assert response.context["messages"]
    assert Unit.objects.get(code="LA-CD-TL").depth == 4
    assert Unit.objects.get(code="LA-CD-LTR").name == "Xã Long Trạch"


def test_summary_message_counts_created_and_updated(login, owner, settings):
    client = login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    file = upload(
        [["LA-CD-TL", "Tân Lân", "commune", ""], ["LA-CD-THPT", "THPT", "school", "LA-CD"]]
    )
    response = client.post(reverse("orgs:import", args=["LA-CD"]), {"file": file}, follow=True)
    assert "Import done: 1 created, 1 updated." in [str(m) for m in response.context["messages"]]


def test_a_bad_file_shows_the_error_table_and_imports_nothing(login, owner):
    file = upload([["LA-CD-A", "Xã A", "commune", ""], ["LA-CD-B", "Xã B", "commune", "LA-CG"]])
    response = login(owner).post(reverse("orgs:import", args=["LA-CD"]), {"file": file})
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["errors"]] == [(3, "parent_code")]
    html = response.content.decode()
    assert "<table>" in html and "LA-CG" in html
    assert not Unit.objects.filter(code="LA-CD-A").exists()


def test_a_file_of_another_type_is_refused_by_the_form(login, owner):
    file = SimpleUploadedFile("units.txt", b"code,name,kind,parent_code\n")
    response = login(owner).post(reverse("orgs:import", args=["LA-CD"]), {"file": file})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_member_and_outsider_cannot_import(login, request, who):
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("orgs:import", args=["LA-CD-LTR"])).status_code == 404
    file = upload([["NEW", "Mới", "other", ""]])
    assert (
        client.post(reverse("orgs:import", args=["LA-CD-LTR"]), {"file": file}).status_code == 404
    )
    assert not Unit.objects.filter(code="NEW").exists()


def test_anonymous_import_is_sent_to_log_in(client, tree):
    response = client.get(reverse("orgs:import", args=["LA-CD"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_owner_exports_the_district_as_csv(login, owner):
    response = login(owner).get(reverse("orgs:export", args=["LA-CD", "csv"]))
    assert response.status_code == 200
    assert 'filename="units-LA-CD.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows] == ["code", "LA-CD", "LA-CD-LTR", "LA-CD-THPT"]


def test_owner_exports_the_district_as_xlsx(login, owner):
    response = login(owner).get(reverse("orgs:export", args=["LA-CD", "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [row[0] for row in book.active.iter_rows(values_only=True)] == [
        "code",
        "LA-CD",
        "LA-CD-LTR",
        "LA-CD-THPT",
    ]


def test_member_exports_only_their_commune(login, member):
    client = login(member)
    response = client.get(reverse("orgs:export", args=["LA-CD-LTR", "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows] == ["code", "LA-CD-LTR"]
    assert client.get(reverse("orgs:export", args=["LA-CD", "csv"])).status_code == 404


def test_outsider_cannot_export_the_other_district(login, outsider):
    assert login(outsider).get(reverse("orgs:export", args=["LA-CD", "xlsx"])).status_code == 404


def test_unknown_export_format_is_404(login, owner):
    assert login(owner).get(reverse("orgs:export", args=["LA-CD", "pdf"])).status_code == 404
