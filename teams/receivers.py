"""What teams does when a registration changes elsewhere (campaigns/signals.py) or a
person deletes their account (accounts/signals.py)."""

from campaigns.models import RegistrationStatus
from campaigns.signals import RegistrationChange
from teams.models import Team
from teams.services import after_member_left


def registration_changed(sender, *, registration, change, previous_team, **kwargs) -> None:
    """A participant who withdraws leaves their team: if they were its captain, the
    captaincy passes on. (Teams' own joins, leaves and moves see to that themselves.)"""
    if change == RegistrationChange.WITHDRAWN and previous_team is not None:
        after_member_left(previous_team)


def person_deleting(sender, *, user, **kwargs) -> None:
    """A deleted person stays in their teams (their km still count there) but captains
    none: each of their teams passes to its earliest other member."""
    for team in Team.objects.filter(captain=user):
        successor = (
            team.registrations.filter(status=RegistrationStatus.ACTIVE)
            .exclude(user=user)
            .order_by("team_joined_at", "pk")
            .first()
        )
        team.captain_id = successor.user_id if successor else None
        team.save(update_fields=["captain"])
