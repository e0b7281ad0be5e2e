import pytest
from django.urls import reverse

from orgs.models import Unit


def url(code: str) -> str:
    return reverse("orgs:detail", args=[code])


def test_anonymous_is_sent_to_log_in(client, tree):
    response = client.get(url("LA-CD"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_owner_sees_the_district_with_children_counts_and_admin_forms(login, owner):
    response = login(owner).get(url("LA-CD"))
    assert response.status_code == 200
    assert [u.code for u in response.context["children"]] == ["LA-CD-LTR", "LA-CD-THPT"]
    assert response.context["descendant_count"] == 2
    assert response.context["staff_count"] == 1
    assert response.context["is_admin"] is True
    html = response.content.decode()
    assert reverse("orgs:edit", args=["LA-CD"]) in html
    assert reverse("orgs:import", args=["LA-CD"]) in html


def test_breadcrumb_links_only_the_ancestors_in_scope(login, owner, member):
    response = login(owner).get(url("LA-CD-LTR"))
    crumbs = [(u.code, linked) for u, linked in response.context["breadcrumb"]]
    assert crumbs == [("VN", False), ("LA", False), ("LA-CD", True)]
    html = response.content.decode()
    assert reverse("orgs:detail", args=["LA-CD"]) in html
    assert reverse("orgs:detail", args=["LA"]) not in html


def test_member_views_their_commune_without_admin_forms(login, member):
    response = login(member).get(url("LA-CD-LTR"))
    assert response.status_code == 200
    assert response.context["is_admin"] is False
    assert reverse("orgs:edit", args=["LA-CD-LTR"]) not in response.content.decode()
    crumbs = [linked for _, linked in response.context["breadcrumb"]]
    assert not any(crumbs)


@pytest.mark.parametrize("code", ["LA-CD", "LA-CD-THPT", "LA", "LA-CG-PL"])
def test_member_cannot_see_units_outside_their_commune(login, member, code):
    assert login(member).get(url(code)).status_code == 404


@pytest.mark.parametrize("code", ["LA-CD", "LA-CD-LTR", "LA-CD-THPT"])
def test_outsider_gets_404_on_the_other_district(login, outsider, code):
    assert login(outsider).get(url(code)).status_code == 404


def test_province_admin_sees_all_its_districts(login, province_admin):
    client = login(province_admin)
    response = client.get(url("LA"))
    assert [u.code for u in response.context["children"]] == ["LA-CD", "LA-CG"]
    assert client.get(url("LA-CG-PL")).status_code == 200
    assert client.get(url("VN")).status_code == 404


def test_children_are_paginated(login, province_admin, tree):
    for i in range(60):
        Unit.objects.add_child(
            tree["LA-CG"], {"code": f"LA-CG-{i:03}", "name": f"Xã {i}", "kind": "commune"}
        )
    client = login(province_admin)
    last = client.get(url("LA-CG"), {"page": 3}).context["children"]
    assert len(last) == 11 and last.paginator.count == 61
