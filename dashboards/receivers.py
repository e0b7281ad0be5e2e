"""What the dashboards do when a registration changes (campaigns/signals.py): the
participation history behind the "as of" counts notes every registration, comeback
and withdrawal, in the transaction that makes it."""

from campaigns.signals import RegistrationChange
from dashboards import history

DELTAS = {RegistrationChange.REGISTERED: 1, RegistrationChange.WITHDRAWN: -1}


def registration_changed(sender, *, registration, change, at, **kwargs) -> None:
    delta = DELTAS.get(change)
    if delta is not None:
        history.record(registration, delta, at)
