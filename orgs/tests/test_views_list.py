from django.urls import reverse

from orgs.models import Unit

URL = reverse("orgs:list")


def test_anonymous_is_sent_to_log_in(client, tree):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_owner_sees_their_district_as_their_unit(login, owner):
    response = login(owner).get(URL)
    assert response.status_code == 200
    assert [u.code for u in response.context["roots"]] == ["LA-CD"]
    assert "Huyện hội Cần Đước" in response.content.decode()


def test_member_sees_only_their_commune(login, member):
    response = login(member).get(URL)
    assert [u.code for u in response.context["roots"]] == ["LA-CD-LTR"]


def test_search_finds_units_by_name_or_code_inside_the_subtree(login, owner):
    client = login(owner)
    by_name = client.get(URL, {"q": "Long Trạch"}).context["results"]
    assert [u.code for u in by_name] == ["LA-CD-LTR"]
    by_code = client.get(URL, {"q": "thpt"}).context["results"]
    assert [u.code for u in by_code] == ["LA-CD-THPT"]


def test_search_never_shows_units_outside_the_subtree(login, owner, outsider):
    results = login(owner).get(URL, {"q": "Phước Lý"}).context["results"]
    assert list(results) == []
    results = login(outsider).get(URL, {"q": "LA-CD"}).context["results"]
    assert list(results) == []


def test_member_search_does_not_reach_sibling_units(login, member):
    results = login(member).get(URL, {"q": "LA-CD"}).context["results"]
    assert [u.code for u in results] == ["LA-CD-LTR"]


def test_search_results_are_paginated(login, owner, tree):
    for i in range(30):
        Unit.objects.add_child(
            tree["LA-CD"], {"code": f"LA-CD-X{i:02}", "name": f"Xã {i}", "kind": "commune"}
        )
    client = login(owner)
    first = client.get(URL, {"q": "LA-CD-X"}).context["results"]
    second = client.get(URL, {"q": "LA-CD-X", "page": 2}).context["results"]
    assert len(first) == 25 and len(second) == 5
    assert first.paginator.count == 30


def test_province_admin_sees_units_of_every_district(login, province_admin):
    results = login(province_admin).get(URL, {"q": "xã"}).context["results"]
    assert {u.code for u in results} == {"LA-CD-LTR", "LA-CG-PL"}
