"""The workbook and the PDF summary: scoped like the dashboard, the same
numbers, participants' contacts for administrators only, Vietnamese intact."""

import io
import subprocess

import openpyxl
import pytest
from django.urls import reverse

from dashboards.tests.conftest import at, donate, leave
from kindsteps.testing.spreadsheets import FORMULA_LIKE, cell_types
from orgs.models import Unit
from standings.models import PersonDay, Scope, Standing, Total
from teams.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(campaign, tree, people):
    ltr, thpt = tree["LA-CD-LTR"], tree["LA-CD-THPT"]
    anh = people(campaign, ltr, at(1), full_name="Lê Minh Anh")
    gone = people(campaign, ltr, at(1), full_name="Trần Văn Đi")
    for n in range(3):
        people(campaign, thpt, at(2), full_name=f"Nguyễn Thị Ửng {n}")
    leave(gone, at(3))
    donate(campaign, ltr, 200_000, at(3), donor_name="Bà Tư")
    donate(campaign, thpt, 50_000, at(4), is_anonymous=True, donor_name="Ẩn")
    PersonDay.objects.create(
        campaign=campaign, registration=anh, day=at(2).date(), distance_m=7_300
    )
    Standing.objects.filter(registration=anh).update(distance_m=7_300)
    if not Standing.objects.filter(registration=anh).exists():
        Standing.objects.create(
            campaign=campaign, registration=anh, user=anh.user, bib=anh.bib, distance_m=7_300
        )
    for key in (ltr.pk, tree["LA-CD"].pk):
        Total.objects.create(
            campaign=campaign, scope=Scope.UNIT, key=key, shard=0, distance_m=7_300
        )


def _xlsx(client, campaign, code, **query):
    return client.get(reverse("dashboards:xlsx", args=[campaign.slug, code]), query)


def _pdf(client, campaign, code, **query):
    return client.get(reverse("dashboards:pdf", args=[campaign.slug, code]), query)


def _values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(min_row=5, values_only=True)]


def test_workbook_numbers_equal_the_dashboards(client, owner, campaign, figures):
    client.force_login(owner)
    dashboard = client.get(reverse("dashboards:unit", args=[campaign.slug, "LA-CD"]))
    response = _xlsx(client, campaign, "LA-CD")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content), data_only=True)
    assert len(book.sheetnames) == 4  # district, its chapters, participants, donations
    top, chapters, people, gifts = (book[name] for name in book.sheetnames)
    total = dashboard.context["snap"].total
    (row, *_rest) = _values(top)
    assert row[0] == "Huyện hội Cần Đước"
    assert (row[3], row[4], row[5]) == (65, 70, total.participants)
    assert row[8] == pytest.approx(total.km)
    assert (row[10], row[11]) == (total.converted, total.donated)
    by_name = {r[0]: r for r in _values(chapters) if r[1]}
    for unit_row in dashboard.context["rows"]:
        line = by_name[unit_row.unit.name]
        assert (line[3], line[5], line[10], line[11]) == (
            unit_row.target,
            unit_row.participants,
            unit_row.converted,
            unit_row.donated,
        )
        assert line[7] == unit_row.status_label
    *_units, totals, note = _values(chapters)
    assert totals[0] == "Tổng cộng" and totals[5] == 4 and totals[11] == 250_000
    # The total's target is the district's own, as on the page, and the sheet says so.
    assert (totals[3], totals[4]) == (total.target, total.stretch) == (65, 70)
    assert "65" in note[0] and "12" in note[0] and "Huyện hội Cần Đước" in note[0]
    listed = _values(people)
    assert [r[1] for r in listed[:-1]] == [
        "Lê Minh Anh",
        "Nguyễn Thị Ửng 0",
        "Nguyễn Thị Ửng 1",
        "Nguyễn Thị Ửng 2",
    ]
    assert listed[0][5] == pytest.approx(7.3)
    assert listed[-1][1] == 4  # the count of participants
    assert listed[0][8] == "p1@example.org"  # an administrator sees contacts
    donations = _values(gifts)
    assert next(r[3] for r in donations[:-1]) == "Bà Tư"
    assert "Ẩn" not in [r[3] for r in donations[:-1]]  # anonymous stays anonymous
    assert donations[-1][4] == 250_000


@pytest.mark.parametrize("name", FORMULA_LIKE)
def test_workbook_writes_formula_like_names_as_text(client, owner, campaign, tree, people, name):
    ltr = tree["LA-CD-LTR"]
    Unit.objects.filter(pk=ltr.pk).update(name=f"{name} xã")
    joined = people(campaign, ltr, at(1), full_name=name)
    joined.team = TeamFactory(campaign=campaign, name=f"{name} đội")
    joined.save(update_fields=["team"])
    donate(campaign, ltr, 200_000, at(3), donor_name=f"{name} bà")
    client.force_login(owner)

    types = cell_types(_xlsx(client, campaign, "LA-CD", as_of="2024-03-05").content)

    shown = {text: types.get(text) for text in (name, f"{name} xã", f"{name} đội", f"{name} bà")}
    assert shown == dict.fromkeys(shown, "s")
    assert not any(kind == "f" and name in str(value) for value, kind in types.items())
    assert types[200_000] == "n"


def test_workbook_as_of_a_past_day(client, owner, campaign, figures):
    client.force_login(owner)
    book = openpyxl.load_workbook(
        io.BytesIO(_xlsx(client, campaign, "LA-CD", as_of="2024-03-02").content), data_only=True
    )
    people = _values(book[book.sheetnames[2]])
    assert people[-1][1] == 5  # Trần Văn Đi withdrew on 3/3
    assert "Trần Văn Đi" in [r[1] for r in people]
    assert _values(book[book.sheetnames[3]])[-1][4] == 0


def test_staff_member_gets_their_commune_without_contacts(client, member, campaign, figures):
    client.force_login(member)
    response = _xlsx(client, campaign, "LA-CD-LTR")
    book = openpyxl.load_workbook(io.BytesIO(response.content), data_only=True)
    assert len(book.sheetnames) == 3
    people = _values(book[book.sheetnames[1]])
    assert [r[1] for r in people[:-1]] == ["Lê Minh Anh"]
    # bib, name, unit, team, category, km, steps, of which estimated: no e-mail or phone
    assert len(people[0]) == 8
    assert _xlsx(client, campaign, "LA-CD").status_code == 404
    assert _pdf(client, campaign, "LA-CD").status_code == 404
    assert _pdf(client, campaign, "LA-CD-LTR").status_code == 200


def test_outsider_and_anonymous_get_no_reports(client, outsider, campaign, figures):
    assert _xlsx(client, campaign, "LA-CD").status_code == 302
    assert _pdf(client, campaign, "LA-CD").status_code == 302
    client.force_login(outsider)
    for code in ("LA-CD", "LA-CD-LTR"):
        assert _xlsx(client, campaign, code).status_code == 404
        assert _pdf(client, campaign, code).status_code == 404


def test_pdf_renders_with_the_vietnamese_names_intact(client, owner, campaign, figures, tmp_path):
    client.force_login(owner)
    response = _pdf(client, campaign, "LA-CD")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = " ".join(text.split())  # a long name may wrap inside its table cell
    for name in (
        "Triệu bước chân nhân ái 2024",
        "Huyện hội Cần Đước",
        "Hội CTĐ CS xã Long Trạch",
        "Hội CTĐ CS Trường THPT Cần Đước",
        "Người tham gia",
    ):
        assert name in text
    assert "250.000 đ" in text


def test_workbook_lists_units_by_name_in_vietnamese_order(client, owner, campaign, tree, figures):
    from orgs.models import UnitKind

    for code, name in (
        ("LA-CD-DT", "Hội CTĐ CS xã Đông Thạnh"),
        ("LA-CD-DM", "Hội CTĐ CS xã Dương Minh"),
    ):
        Unit.objects.add_child(
            Unit.objects.get(pk=tree["LA-CD"].pk),
            {"code": code, "name": name, "kind": UnitKind.COMMUNE},
        )
    client.force_login(owner)

    book = openpyxl.load_workbook(
        io.BytesIO(_xlsx(client, campaign, "LA-CD").content), data_only=True
    )

    names = [row[0] for row in _values(book[book.sheetnames[1]]) if row[1]]
    assert names == [
        "Hội CTĐ CS Trường THPT Cần Đước",
        "Hội CTĐ CS xã Dương Minh",
        "Hội CTĐ CS xã Đông Thạnh",
        "Hội CTĐ CS xã Long Trạch",
    ]


def _pdf_text(content: bytes, tmp_path) -> str:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text


def test_pdf_outreach_section_follows_the_as_of_day(
    client, owner, campaign, tree, figures, tmp_path
):
    from outreach import services as outreach
    from outreach.models import Submission

    task = outreach.create_task(
        campaign,
        from_unit=tree["LA-CD"],
        title="Băng rôn",
        deadline=at(10),
        wants_images=1,
        actor=owner,
        now=at(1),
    )
    # Long Trạch hands in on 8/3 and is approved on 9/3 (the rows as the services leave them).
    Submission.objects.create(
        task=task,
        unit=tree["LA-CD-LTR"],
        status="approved",
        submitted_at=at(8),
        reviewed_at=at(9),
    )
    client.force_login(owner)

    def outreach_line(day: str) -> list[str]:
        text = _pdf_text(_pdf(client, campaign, "LA-CD", as_of=day).content, tmp_path)
        line = next(line for line in text.splitlines() if "Băng rôn" in line)
        return line.split()[-4:]  # expected, approved, missing, sent late

    assert outreach_line("2024-03-05") == ["2", "0", "2", "0"]
    assert outreach_line("2024-03-08") == ["2", "0", "1", "0"]  # sent, not yet approved
    assert outreach_line("2024-03-09") == ["2", "1", "1", "0"]


def _with_steps(campaign, tree):
    """Lê Minh Anh's 7,3 km made 9.000 steps, 1.000 of them estimated from the distance."""
    Standing.objects.filter(campaign=campaign, registration__user__full_name="Lê Minh Anh").update(
        steps=9_000, steps_estimated=1_000
    )
    Total.objects.filter(campaign=campaign, scope=Scope.UNIT).update(steps=9_000)


def test_workbook_of_today_has_steps_beside_km(client, owner, campaign, tree, figures):
    _with_steps(campaign, tree)
    client.force_login(owner)
    book = openpyxl.load_workbook(
        io.BytesIO(_xlsx(client, campaign, "LA-CD").content), data_only=True
    )
    top, _chapters, people, _gifts = (book[name] for name in book.sheetnames)
    header = [cell.value for cell in top[4]]
    assert header[8:10] == ["Km", "Bước chân"]
    assert _values(top)[0][9] == 9_000
    people_header = [cell.value for cell in people[4]]
    assert people_header[5:8] == ["Km", "Bước chân", "Trong đó ước tính từ quãng đường"]
    anh = next(r for r in _values(people) if r[1] == "Lê Minh Anh")
    assert (anh[6], anh[7]) == (9_000, 1_000)


def test_workbook_of_a_past_day_has_that_days_steps(client, owner, campaign, tree, figures):
    # An earlier day's steps are the sum of the person-days up to it, not today's total.
    _with_steps(campaign, tree)
    days = PersonDay.objects.filter(
        campaign=campaign, registration__user__full_name="Lê Minh Anh", day__lte="2024-03-02"
    )
    assert days.exists()
    days.update(steps=4_000, steps_estimated=500)
    client.force_login(owner)
    book = openpyxl.load_workbook(
        io.BytesIO(_xlsx(client, campaign, "LA-CD", as_of="2024-03-02").content), data_only=True
    )
    top, _chapters, people, _gifts = (book[name] for name in book.sheetnames)
    assert _values(top)[0][9] == 4_000 * days.count()
    anh = next(r for r in _values(people) if r[1] == "Lê Minh Anh")
    assert (anh[6], anh[7]) == (4_000 * days.count(), 500 * days.count())


def test_dashboard_and_pdf_show_steps(client, owner, campaign, tree, figures, tmp_path):
    _with_steps(campaign, tree)
    client.force_login(owner)
    page = client.get(reverse("dashboards:unit", args=[campaign.slug, "LA-CD"])).content.decode()
    assert "Bước chân" in page and "9.000" in page
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(_pdf(client, campaign, "LA-CD").content)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert "Bước chân 9.000" in text
    assert "ước tính từ quãng đường" in text
