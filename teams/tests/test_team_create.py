"""/c/<slug>/teams/new/: a registered person creates a team and captains it."""

from campaigns.models import Registration
from campaigns.tests.factories import enrol
from core.models import AuditEntry
from teams import forms
from teams.models import Team
from teams.tests.factories import TeamFactory


def test_creating_a_team_makes_its_creator_captain_and_member(client, campaign, participant, tree):
    registration = enrol(campaign, participant)
    client.force_login(participant)

    response = client.post(
        f"/c/{campaign.slug}/teams/new/",
        {"name": "  Đội   THPT Cần Đước ", "unit": tree["LA-CD-THPT"].pk},
    )

    team = Team.objects.get(campaign=campaign)
    assert response.status_code == 302
    assert response["Location"] == f"/c/{campaign.slug}/t/{team.pk}/"
    assert team.name == "Đội THPT Cần Đước"
    assert team.unit == tree["LA-CD-THPT"]
    assert team.captain == participant
    registration.refresh_from_db()
    assert registration.team == team
    assert AuditEntry.objects.filter(action="teams.team.created", object_id=str(team.pk)).exists()


def test_unit_choices_are_the_organisers_subtree_only(client, campaign, participant, tree):
    enrol(campaign, participant)
    client.force_login(participant)

    body = client.get(f"/c/{campaign.slug}/teams/new/").content.decode()

    assert tree["LA-CD-LTR"].name in body
    assert tree["LA-CG-PL"].name not in body  # the neighbouring district


def test_a_unit_outside_the_subtree_is_refused(client, campaign, participant, tree):
    enrol(campaign, participant)
    client.force_login(participant)

    response = client.post(
        f"/c/{campaign.slug}/teams/new/", {"name": "Đội Phước Lý", "unit": tree["LA-CG-PL"].pk}
    )

    assert response.status_code == 400
    assert not Team.objects.exists()


def test_a_large_subtree_asks_for_a_unit_code_instead(
    english, campaign, participant, tree, monkeypatch
):
    monkeypatch.setattr(forms, "UNIT_SELECT_LIMIT", 2)
    enrol(campaign, participant)
    english.force_login(participant)

    page = english.get(f"/c/{campaign.slug}/teams/new/").content.decode()
    refused = english.post(
        f"/c/{campaign.slug}/teams/new/", {"name": "Đội Phước Lý", "unit_code": "LA-CG-PL"}
    )
    accepted = english.post(
        f"/c/{campaign.slug}/teams/new/", {"name": "Đội Long Trạch", "unit_code": "la-cd-ltr"}
    )

    assert 'name="unit_code"' in page and 'name="unit"' not in page
    assert "No unit of this campaign has that code." in refused.content.decode()
    assert accepted.status_code == 302
    assert Team.objects.get().unit == tree["LA-CD-LTR"]


def test_a_taken_name_is_refused_with_the_services_message(english, campaign, participant):
    TeamFactory(campaign=campaign, name="Đội Xanh")
    enrol(campaign, participant)
    english.force_login(participant)

    response = english.post(f"/c/{campaign.slug}/teams/new/", {"name": "đội xanh"})

    assert response.status_code == 400
    assert "A team with this name already exists in this campaign." in response.content.decode()
    assert Team.objects.count() == 1


def test_a_person_already_in_a_team_cannot_create_another(english, campaign, participant):
    enrol(campaign, participant, TeamFactory(campaign=campaign, name="Đội Cũ"))
    english.force_login(participant)

    response = english.post(f"/c/{campaign.slug}/teams/new/", {"name": "Đội Mới"})

    assert response.status_code == 400
    assert "You are already in a team." in response.content.decode()
    assert not Team.objects.filter(name="Đội Mới").exists()


def test_an_unregistered_person_is_asked_to_register_first(english, campaign, participant):
    english.force_login(participant)

    page = english.get(f"/c/{campaign.slug}/teams/new/").content.decode()
    response = english.post(f"/c/{campaign.slug}/teams/new/", {"name": "Đội Mới"})

    assert f'href="/c/{campaign.slug}/register/"' in page
    assert "Register for the campaign before choosing a team." in response.content.decode()
    assert not Team.objects.exists()
    assert not Registration.objects.exists()


def test_creating_needs_a_log_in(client, campaign):
    response = client.get(f"/c/{campaign.slug}/teams/new/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
