"""The organiser's move on the team page: owner (admin of the organiser unit),
member (staff below it, view only) and outsider (admin elsewhere)."""

import pytest

from campaigns.models import Registration
from campaigns.tests.factories import enrol
from core.models import AuditEntry
from teams.tests.factories import TeamFactory, captained_team


@pytest.fixture
def teams(started_campaign, user_factory):
    """Two teams of a campaign that has started: members are locked in."""
    first = captained_team(started_campaign, user_factory("cap@example.org"), name="Đội Một")
    second = TeamFactory(campaign=started_campaign, name="Đội Hai")
    mover = enrol(started_campaign, user_factory("mover@example.org", full_name="Võ Di"), first)
    return first, second, mover


def _move(client, campaign, team, registration, to, reason="Đổi trường"):
    return client.post(
        f"/c/{campaign.slug}/t/{team.pk}/move/",
        {"member": registration.pk, "to": to.pk if to else "none", "reason": reason},
    )


def test_owner_sees_the_move_form(client, started_campaign, teams, owner):
    first, _second, _mover = teams
    client.force_login(owner)

    body = client.get(f"/c/{started_campaign.slug}/t/{first.pk}/").content.decode()

    assert f'action="/c/{started_campaign.slug}/t/{first.pk}/move/"' in body


def test_owner_moves_a_member_after_the_start_and_it_is_logged(
    client, started_campaign, teams, owner
):
    first, second, mover = teams
    client.force_login(owner)

    response = _move(client, started_campaign, first, mover, second)

    assert response.status_code == 302
    mover.refresh_from_db()
    assert mover.team == second
    entry = AuditEntry.objects.get(action="teams.member.moved")
    assert entry.actor == owner
    assert entry.data == {"from": first.pk, "to": second.pk, "reason": "Đổi trường"}


def test_owner_moves_a_member_out_of_any_team(client, started_campaign, teams, owner):
    first, _second, mover = teams
    client.force_login(owner)

    _move(client, started_campaign, first, mover, None)

    mover.refresh_from_db()
    assert mover.team is None


def test_owner_must_give_a_reason(english, started_campaign, teams, owner):
    first, second, mover = teams
    english.force_login(owner)

    response = english.post(
        f"/c/{started_campaign.slug}/t/{first.pk}/move/",
        {"member": mover.pk, "to": second.pk, "reason": "  "},
        follow=True,
    )

    assert "This field is required." in response.content.decode()
    mover.refresh_from_db()
    assert mover.team == first


def test_owner_must_choose_where_to_move(english, started_campaign, teams, owner):
    first, _second, mover = teams
    english.force_login(owner)

    english.post(
        f"/c/{started_campaign.slug}/t/{first.pk}/move/",
        {"member": mover.pk, "to": "", "reason": "Đổi trường"},
    )

    mover.refresh_from_db()
    assert mover.team == first


def test_moving_the_captain_passes_the_captaincy_on(client, started_campaign, teams, owner):
    first, second, mover = teams
    captain = Registration.objects.get(user=first.captain)
    client.force_login(owner)

    _move(client, started_campaign, first, captain, second)

    first.refresh_from_db()
    assert first.captain == mover.user


def test_member_staff_cannot_move_and_sees_no_form(client, started_campaign, teams, member):
    first, second, mover = teams
    client.force_login(member)

    body = client.get(f"/c/{started_campaign.slug}/t/{first.pk}/").content.decode()
    response = _move(client, started_campaign, first, mover, second)

    assert "/move/" not in body
    assert response.status_code == 403
    mover.refresh_from_db()
    assert mover.team == first
    assert not AuditEntry.objects.filter(action="teams.member.moved").exists()


def test_outsider_cannot_move_and_sees_no_form(client, started_campaign, teams, outsider):
    first, second, mover = teams
    client.force_login(outsider)

    body = client.get(f"/c/{started_campaign.slug}/t/{first.pk}/").content.decode()
    response = _move(client, started_campaign, first, mover, second)

    assert "/move/" not in body
    assert response.status_code == 403
    mover.refresh_from_db()
    assert mover.team == first


def test_a_person_of_another_team_cannot_be_moved_from_this_page(
    client, started_campaign, teams, owner, user_factory
):
    first, second, _mover = teams
    elsewhere = enrol(started_campaign, user_factory("else@example.org"), second)
    client.force_login(owner)

    _move(client, started_campaign, first, elsewhere, None)

    elsewhere.refresh_from_db()
    assert elsewhere.team == second
