"""What teams does when a registration changes elsewhere (campaigns/signals.py)."""

from campaigns.signals import RegistrationChange
from teams.services import after_member_left


def registration_changed(sender, *, registration, change, previous_team, **kwargs) -> None:
    """A participant who withdraws leaves their team: if they were its captain, the
    captaincy passes on. (Teams' own joins, leaves and moves see to that themselves.)"""
    if change == RegistrationChange.WITHDRAWN and previous_team is not None:
        after_member_left(previous_team)
