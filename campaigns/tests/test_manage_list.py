import pytest
from django.urls import reverse

from campaigns.tests.factories import CampaignFactory

URL = "/manage/campaigns/"


@pytest.fixture
def campaigns(tree):
    return {
        "district": CampaignFactory(title_en="District walk", organiser_unit=tree["LA-CD"]),
        "commune": CampaignFactory(title_en="Commune walk", organiser_unit=tree["LA-CD-LTR"]),
        "elsewhere": CampaignFactory(title_en="Neighbour walk", organiser_unit=tree["LA-CG"]),
    }


def test_url_is_stable():
    assert reverse("campaigns:manage_list") == URL


def test_owner_sees_the_campaigns_of_their_subtree_and_may_edit(english, owner, campaigns):
    english.force_login(owner)
    body = english.get(URL).content.decode()
    assert "District walk" in body and "Commune walk" in body
    assert "Neighbour walk" not in body
    assert reverse("campaigns:manage_edit", args=[campaigns["district"].slug]) in body
    assert reverse("campaigns:manage_create") in body


def test_member_sees_their_subtree_without_edit_links(english, member, campaigns):
    english.force_login(member)
    response = english.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Commune walk" in body
    assert "District walk" not in body and "Neighbour walk" not in body
    edit_url = reverse("campaigns:manage_edit", args=[campaigns["commune"].slug])
    assert f'href="{edit_url}"' not in body
    assert reverse("campaigns:manage_preview", args=[campaigns["commune"].slug]) in body
    assert reverse("campaigns:manage_create") not in body


def test_outsider_sees_only_their_own_district(english, outsider, campaigns):
    english.force_login(outsider)
    body = english.get(URL).content.decode()
    assert "Neighbour walk" in body
    assert "District walk" not in body and "Commune walk" not in body


def test_participant_without_a_role_is_refused(client, participant):
    client.force_login(participant)
    assert client.get(URL).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
