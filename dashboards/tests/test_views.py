"""The dashboard pages: owner (admin of the organiser district), member (staff
of one commune), outsider (admin of the neighbouring district) and anonymous."""

from datetime import date

import pytest
from django.urls import reverse

from dashboards.tests.conftest import at, donate, leave
from standings.models import Scope, Total

pytestmark = pytest.mark.django_db
NOW = at(20, month=4)


@pytest.fixture
def figures(campaign, tree, people, settings):
    ltr, thpt = tree["LA-CD-LTR"], tree["LA-CD-THPT"]
    people(campaign, ltr, at(1))
    gone = people(campaign, ltr, at(1))
    for _ in range(4):
        people(campaign, thpt, at(2))
    leave(gone, at(3))
    donate(campaign, ltr, 200_000, at(3))
    donate(campaign, thpt, 50_000, at(4))
    for unit, metres in ((ltr, 12_500), (thpt, 40_000)):
        for key in (unit.pk, tree["LA-CD"].pk, tree["LA"].pk, tree["VN"].pk):
            Total.objects.create(
                campaign=campaign, scope=Scope.UNIT, key=key, shard=unit.pk % 3, distance_m=metres
            )


def url(campaign, code, **query):
    from urllib.parse import urlencode

    base = reverse("dashboards:unit", args=[campaign.slug, code])
    return base + ("?" + urlencode(query) if query else "")


def test_owner_sees_every_unit_of_the_campaign_with_status(client, owner, campaign, figures):
    client.force_login(owner)
    page = client.get(url(campaign, "LA-CD"))
    assert page.status_code == 200
    rows = {row.unit.code: row for row in page.context["rows"]}
    assert rows["LA-CD-LTR"].participants == 1
    assert rows["LA-CD-LTR"].target == 2
    assert rows["LA-CD-LTR"].donated == 200_000
    assert rows["LA-CD-LTR"].distance_m == 12_500
    assert rows["LA-CD-LTR"].converted == 12_500
    assert rows["LA-CD-THPT"].participants == 4
    assert rows["LA-CD-THPT"].percent == 40
    total = page.context["snap"].total
    assert (total.participants, total.target, total.stretch) == (5, 65, 70)
    assert total.donated == 250_000 and total.distance_m == 52_500
    body = page.content.decode()
    assert "Hội CTĐ CS xã Long Trạch" in body and "Hội CTĐ CS Trường THPT Cần Đước" in body


def test_status_reads_met_on_track_behind_and_no_participants(
    client, owner, campaign, tree, people
):
    from dashboards.data import Status, status_of

    assert status_of(0, 10, 3) == Status.NO_PARTICIPANTS
    assert status_of(10, 10, 10) == Status.MET
    assert status_of(4, 10, 4) == Status.ON_TRACK
    assert status_of(3, 10, 4) == Status.BEHIND
    assert status_of(3, None, 0) == Status.NO_TARGET


def test_below_target_filter_and_sorting(client, owner, campaign, tree, people, figures):
    client.force_login(owner)
    page = client.get(url(campaign, "LA-CD", sort="name"))
    assert [r.unit.code for r in page.context["rows"]] == ["LA-CD-THPT", "LA-CD-LTR"]
    people(campaign, tree["LA-CD-LTR"], at(6))  # Long Trạch meets its 2
    page = client.get(url(campaign, "LA-CD", below=1))
    assert [r.unit.code for r in page.context["rows"]] == ["LA-CD-THPT"]
    # Behind first, the furthest behind (40 % before 50 %) first among them.
    page = client.get(url(campaign, "LA-CD", below=1, as_of="2024-03-05"))
    assert [r.unit.code for r in page.context["rows"]] == ["LA-CD-THPT", "LA-CD-LTR"]
    page = client.get(url(campaign, "LA-CD", sort="participants"))
    assert [r.unit.code for r in page.context["rows"]] == ["LA-CD-THPT", "LA-CD-LTR"]
    page = client.get(url(campaign, "LA-CD", sort="donated"))
    assert [r.unit.code for r in page.context["rows"]] == ["LA-CD-LTR", "LA-CD-THPT"]


def test_htmx_request_gets_the_table_only(client, owner, campaign, figures):
    client.force_login(owner)
    page = client.get(url(campaign, "LA-CD", sort="name"), headers={"HX-Request": "true"})
    body = page.content.decode()
    assert "<table" in body and "<html" not in body


def test_drill_down_into_a_child_and_back_up(client, owner, campaign, tree, figures):
    client.force_login(owner)
    page = client.get(url(campaign, "LA-CD-LTR", as_of="2024-03-05"))
    assert page.status_code == 200
    assert page.context["snap"].total.participants == 1
    assert [u.code for u in page.context["trail"]] == ["LA-CD", "LA-CD-LTR"]
    assert url(campaign, "LA-CD", as_of="2024-03-05") in page.content.decode().replace("&amp;", "&")


def test_campaign_page_sends_the_owner_to_the_organiser_unit(client, owner, campaign):
    client.force_login(owner)
    page = client.get(reverse("dashboards:campaign", args=[campaign.slug]))
    assert page.status_code == 302 and page.url == url(campaign, "LA-CD")


def test_member_sees_only_their_commune(client, member, campaign, figures):
    client.force_login(member)
    page = client.get(reverse("dashboards:campaign", args=[campaign.slug]))
    assert page.url == url(campaign, "LA-CD-LTR")
    page = client.get(url(campaign, "LA-CD-LTR"))
    assert page.status_code == 200
    assert page.context["snap"].total.participants == 1
    assert [u.code for u in page.context["trail"]] == ["LA-CD-LTR"]
    assert client.get(url(campaign, "LA-CD")).status_code == 404
    assert client.get(url(campaign, "LA-CD-THPT")).status_code == 404


def test_outsider_and_anonymous_see_nothing(client, outsider, campaign, figures):
    for code in ("LA-CD", "LA-CD-LTR", "LA-CG"):
        assert client.get(url(campaign, code)).status_code == 302  # to the login page
    client.force_login(outsider)
    for code in ("LA-CD", "LA-CD-LTR", "LA-CG", "LA"):
        assert client.get(url(campaign, code)).status_code == 404
    assert client.get(reverse("dashboards:campaign", args=[campaign.slug])).status_code == 404
    assert client.get(reverse("dashboards:list")).status_code == 404


def test_staff_of_a_unit_above_the_organiser_sees_the_organisers_subtree(
    client, user_factory, campaign, tree, figures
):
    from orgs.models import Role, UnitRole

    province = user_factory("province@example.org")
    UnitRole.objects.create(user=province, unit=tree["LA"], role=Role.STAFF)
    client.force_login(province)
    assert client.get(url(campaign, "LA-CD")).status_code == 200
    assert client.get(url(campaign, "LA")).status_code == 404  # outside the campaign


def test_list_shows_the_campaigns_of_my_units(client, member, campaign):
    client.force_login(member)
    page = client.get(reverse("dashboards:list"))
    assert page.status_code == 200
    assert campaign.title_vi in page.content.decode()


def test_as_of_outside_the_campaign_is_kept_inside_it(client, owner, campaign, figures):
    client.force_login(owner)
    assert client.get(url(campaign, "LA-CD", as_of="2023-01-01")).context["day"] == date(
        2024, 2, 20
    )
    assert client.get(url(campaign, "LA-CD", as_of="nonsense")).context["day"] == date(2024, 4, 21)


def test_nav_shows_the_dashboard_to_unit_staff_only(client, member, participant):
    client.force_login(member)
    assert reverse("dashboards:list") in client.get("/").content.decode()
    client.force_login(participant)
    assert reverse("dashboards:list") not in client.get("/").content.decode()


def test_every_unit_row_links_down_to_that_units_own_dashboard(client, owner, campaign, figures):
    client.force_login(owner)
    body = client.get(url(campaign, "LA-CD", as_of="2024-03-05")).content.decode()
    body = body.replace("&amp;", "&")
    # Both chapters have no units below them and still link to their own page.
    for code in ("LA-CD-LTR", "LA-CD-THPT"):
        assert f'href="{url(campaign, code, as_of="2024-03-05")}"' in body


def test_a_finished_campaign_shows_no_unit_behind(client, owner, campaign, figures, time_machine):
    from dashboards.data import Status

    time_machine.move_to(at(25, month=4), tick=False)  # the campaign ended on 22/04
    client.force_login(owner)
    page = client.get(url(campaign, "LA-CD"))

    statuses = {row.unit.code: row.status for row in page.context["rows"]}
    assert statuses == {"LA-CD-LTR": Status.MISSED, "LA-CD-THPT": Status.MISSED}
    assert page.context["snap"].total.status == Status.MISSED
    body = page.content.decode()
    assert "Chưa đạt chỉ tiêu" in body and "Chậm tiến độ" not in body
    # A day while it was running still reads as it did then.
    page = client.get(url(campaign, "LA-CD", as_of="2024-03-05"))
    assert {row.status for row in page.context["rows"]} == {Status.ON_TRACK}


def test_units_sort_by_name_in_vietnamese_order_not_by_code(client, owner, campaign, tree, figures):
    from orgs.models import Unit, UnitKind

    district = Unit.objects.get(pk=tree["LA-CD"].pk)
    for code, name in (
        ("LA-CD-A", "Hội CTĐ CS xã Đông Thạnh"),
        ("LA-CD-Z", "Hội CTĐ CS xã Dương Minh"),
    ):
        Unit.objects.add_child(district, {"code": code, "name": name, "kind": UnitKind.COMMUNE})
    client.force_login(owner)

    page = client.get(url(campaign, "LA-CD", sort="name"))

    assert [r.unit.name for r in page.context["rows"]] == [
        "Hội CTĐ CS Trường THPT Cần Đước",
        "Hội CTĐ CS xã Dương Minh",
        "Hội CTĐ CS xã Đông Thạnh",
        "Hội CTĐ CS xã Long Trạch",
    ]


def test_the_total_says_its_target_is_the_units_own_not_the_sum_below(
    client, owner, campaign, figures
):
    client.force_login(owner)
    page = client.get(url(campaign, "LA-CD"))

    snap = page.context["snap"]
    assert (snap.total.target, snap.children_target) == (65, 12)  # 65 set for Cần Đước; 2 + 10
    note = page.content.decode().split("data-target-note>")[1].split("</p>")[0]
    assert "65" in note and "12" in note and "Huyện hội Cần Đước" in note
