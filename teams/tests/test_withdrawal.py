"""A participant who withdraws from the campaign leaves their team; a captain who
withdraws hands the team on (teams hears of it through campaigns' hook)."""

from campaigns.services import withdraw
from campaigns.tests.factories import enrol
from teams.tests.factories import captained_team


def test_a_captain_who_withdraws_hands_the_team_to_the_earliest_member(
    campaign, participant, user_factory
):
    team = captained_team(campaign, participant, name="Đội Sen Hồng")
    first = enrol(campaign, user_factory("first@example.org"), team)
    enrol(campaign, user_factory("second@example.org"), team)

    withdraw(participant.registrations.get(campaign=campaign), actor=participant)

    team.refresh_from_db()
    assert team.captain_id == first.user_id
    assert not team.registrations.filter(user=participant).exists()


def test_the_last_member_withdrawing_leaves_the_team_without_a_captain(campaign, participant):
    team = captained_team(campaign, participant, name="Đội Một Mình")

    withdraw(participant.registrations.get(campaign=campaign), actor=participant)

    team.refresh_from_db()
    assert team.captain_id is None


def test_a_member_who_withdraws_leaves_the_captain_in_place(campaign, participant, user_factory):
    captain = user_factory("captain@example.org")
    team = captained_team(campaign, captain, name="Đội Vững")
    registration = enrol(campaign, participant, team)

    withdraw(registration, actor=participant)

    team.refresh_from_db()
    assert team.captain_id == captain.pk
    assert list(team.registrations.values_list("user_id", flat=True)) == [captain.pk]
