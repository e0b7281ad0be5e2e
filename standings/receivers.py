"""What the standings do when a credit or a registration changes below them
(activities/signals.py, campaigns/signals.py). Each runs in the sender's
transaction, after the sender has locked the registration, exactly where the
sender used to call services.add_credits or services.refresh itself."""

from campaigns.signals import RegistrationChange
from standings import services

# A registration, new or a comeback, is not recounted: its line is made, or counted
# again, by its next credit (add_credits recounts a line that is not active).
RECOUNTED = {RegistrationChange.WITHDRAWN, RegistrationChange.TEAM_CHANGED}


def credits_added(sender, *, credits, **kwargs) -> None:
    """New accepted verdicts, added in one go (see services.add_credits)."""
    services.add_credits(credits)


def verdicts_changed(sender, *, registration_id, **kwargs) -> None:
    """Verdicts judged again or decided: the person's line is counted again."""
    services.refresh(registration_id)


def registration_changed(sender, *, registration, change, **kwargs) -> None:
    """A withdrawal takes the person's km out of every total; a change of team moves
    them to the new team's total (or out of any)."""
    if change in RECOUNTED:
        services.refresh(registration.pk)


def person_deleting(sender, *, user, **kwargs) -> None:
    """A deleted account's lines keep every figure and total; only their copy of the
    person's gender goes, as the profile's does (the line leaves the gender boards)."""
    from standings.models import Standing

    Standing.objects.filter(user=user).update(gender="")
