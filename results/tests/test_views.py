"""The results page, the organiser's results screen (owner, member, outsider) and
the exports."""

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from PIL import Image

from core.formatting import digits
from core.models import AuditEntry
from results import services
from results.models import AwardKind, Results


def manage_url(campaign):
    return reverse("results:manage", args=[campaign.slug])


def test_the_results_page_says_when_the_appeal_window_closes(client, finished, people):
    finished.appeal_window_hours = 96
    finished.save()

    page = client.get(reverse("results:page", args=[finished.slug]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "12/03/2026" in text  # ended 08/03 at noon (Vietnam), 96 hours later
    assert "Nguyễn Văn An" not in text


def test_the_owner_freezes_from_the_screen_and_the_page_shows_the_ranks(
    client, finished, owner, people
):
    client.force_login(owner)

    response = client.post(manage_url(finished), {"action": "freeze"})

    assert response.status_code == 302
    page = client.get(reverse("results:page", args=[finished.slug])).content.decode()
    assert page.index("Nguyễn Văn An") < page.index("Phạm Thị Chi") < page.index("Võ Quốc Dũng")
    assert "42,2" in page and "42.195" in page  # km and đồng converted, Vietnamese style
    assert "Đội Long Trạch" in page


def test_the_freeze_button_waits_for_the_end_of_the_appeal_window(client, finished, owner, people):
    finished.ends_at = finished.ends_at + timedelta(days=2, hours=12)
    finished.save()
    client.force_login(owner)

    screen = client.get(manage_url(finished)).content.decode()
    response = client.post(manage_url(finished), {"action": "freeze"})

    assert 'value="freeze"' not in screen
    assert response.status_code == 400
    assert not Results.objects.filter(campaign=finished).exists()


def test_members_and_outsiders_do_not_see_the_results_screen(client, finished, member, outsider):
    for person in (member, outsider):
        client.force_login(person)
        assert client.get(manage_url(finished)).status_code == 404
        assert client.post(manage_url(finished), {"action": "freeze"}).status_code == 404
    assert not Results.objects.exists()


def test_a_correction_with_its_reason_is_shown_on_the_results_page(client, finished, owner, people):
    from activities.models import Verdict, VerdictStatus
    from activities.review import decide
    from standings import services as standings

    services.freeze(finished, actor=owner)
    verdict = Verdict.objects.get(registration=people["dung"])
    decide(verdict, VerdictStatus.REJECTED, "Đi xe máy", actor=owner)
    standings.refresh(people["dung"].pk)
    client.force_login(owner)

    empty = client.post(manage_url(finished), {"action": "correct", "correction-reason": ""})
    client.post(
        manage_url(finished),
        {"action": "correct", "correction-reason": "Hoạt động ngày 06/03 đi bằng xe máy"},
    )

    assert empty.status_code == 400
    page = client.get(reverse("results:page", args=[finished.slug])).content.decode()
    assert "Hoạt động ngày 06/03 đi bằng xe máy" in page
    assert "Võ Quốc Dũng" not in page
    assert AuditEntry.objects.filter(action="results.corrected").count() == 1


def test_an_award_defined_on_the_screen_shows_its_winners_on_the_page(
    client, finished, owner, people
):
    services.freeze(finished, actor=owner)
    client.force_login(owner)

    client.post(
        manage_url(finished),
        {
            "action": "award",
            "award-kind": AwardKind.TOP_UNITS,
            "award-name": "Trường học tích cực",
            "award-count": 1,
            "award-unit_kind": "school",
        },
    )

    page = client.get(reverse("results:page", args=[finished.slug])).content.decode()
    assert "Trường học tích cực" in page
    awards = page[page.index("Trường học tích cực") :]
    assert "Hội CTĐ CS Trường THPT Cần Đước" in awards[:600]


def test_a_top_units_award_needs_its_kind_of_unit(client, finished, owner):
    client.force_login(owner)

    response = client.post(
        manage_url(finished),
        {"action": "award", "award-kind": AwardKind.TOP_UNITS, "award-name": "x", "award-count": 3},
    )

    assert response.status_code == 400
    assert not finished.awards.exists()


@pytest.fixture
def frozen(finished, owner, people):
    return services.freeze(finished, actor=owner)


def test_the_workbook_has_a_sheet_per_level_with_numbers_as_numbers(
    client, finished, owner, frozen
):
    client.force_login(owner)

    response = client.get(reverse("results:export_xlsx", args=[finished.slug]))

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    people = book.worksheets[0]
    header = [cell.value for cell in people[4]]
    first = dict(zip(header, [cell.value for cell in people[5]], strict=True))
    assert len(book.worksheets) == 4
    assert [first["Hạng"], first["Tên"], first["Số BIB"]] == [1, "Nguyễn Văn An", 1]
    assert first["km"] == 42.2 and first["Đồng quy đổi"] == 42_195


def test_the_csv_lists_every_line_with_its_level(client, finished, owner, frozen):
    client.force_login(owner)

    response = client.get(reverse("results:export_csv", args=[finished.slug]))

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + frozen.lines.count()
    assert rows[1][2] == "Nguyễn Văn An"


def test_exports_are_for_the_organisers(client, finished, member, outsider, frozen):
    for person in (member, outsider):
        client.force_login(person)
        assert client.get(reverse("results:export_xlsx", args=[finished.slug])).status_code == 404
        assert client.get(reverse("results:export_csv", args=[finished.slug])).status_code == 404


def test_exports_carry_steps_and_the_part_estimated(client, finished, owner, frozen):
    # The conftest's walks have no device steps: every step is estimated from the distance.
    client.force_login(owner)
    an = frozen.lines.get(kind="person", name="Nguyễn Văn An")
    assert an.steps > 0 and an.steps_estimated == an.steps

    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("results:export_xlsx", args=[finished.slug])).content)
    )
    people = book.worksheets[0]
    header = [cell.value for cell in people[4]]
    first = dict(zip(header, [cell.value for cell in people[5]], strict=True))
    assert first["Bước chân"] == an.steps
    assert first["Trong đó ước tính từ quãng đường"] == an.steps

    response = client.get(reverse("results:export_csv", args=[finished.slug]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert "Bước chân" in rows[0] and "Trong đó ước tính từ quãng đường" in rows[0]
    assert rows[1][rows[0].index("Bước chân")] == str(an.steps)


def test_results_page_shows_steps_for_people_teams_and_units_marked_estimated(
    client, finished, frozen
):
    body = client.get(reverse("results:page", args=[finished.slug])).content.decode()
    an = frozen.lines.get(kind="person", name="Nguyễn Văn An")
    team = frozen.lines.get(kind="team")
    marked = 'title="Một phần được ước tính từ quãng đường">≈</abbr>'
    assert f"{marked}{digits(an.steps)}" in body
    assert f"{marked}{digits(team.steps)}" in body
    assert "ước tính từ quãng đường" in body


def test_results_page_has_share_tags_and_its_card_is_a_png(client, finished, frozen, settings):
    settings.SITE_URL = "https://kindsteps.example"
    body = client.get(reverse("results:page", args=[finished.slug])).content.decode()
    image = re.search(r'<meta property="og:image" content="([^"]+)"', body).group(1)
    assert image.startswith(f"https://kindsteps.example/c/{finished.slug}/results/card.png?v=")
    assert '<meta name="twitter:card" content="summary_large_image">' in body
    response = client.get(image.removeprefix("https://kindsteps.example"))
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
