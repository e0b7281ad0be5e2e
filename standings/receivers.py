"""What the standings do when a registration changes below them
(campaigns/signals.py). Each runs in the sender's transaction, after the sender
has locked the registration, exactly where the sender used to call
services.refresh itself."""

from campaigns.signals import RegistrationChange
from standings import services

# A registration, new or a comeback, is not recounted: its line is made, or counted
# again, by its next credit (add_credits recounts a line that is not active).
RECOUNTED = {RegistrationChange.WITHDRAWN, RegistrationChange.TEAM_CHANGED}


def registration_changed(sender, *, registration, change, **kwargs) -> None:
    """A withdrawal takes the person's km out of every total; a change of team moves
    them to the new team's total (or out of any)."""
    if change in RECOUNTED:
        services.refresh(registration.pk)
