"""The hooks campaigns offers the apps above it (docs/decisions/0003-layers.md).

Campaigns never calls up into teams, standings, dashboards or activities: it sends
one of these signals, and each app that must react connects a receiver in its
AppConfig.ready(). Signals are sent inside the transaction that makes the change,
and Django runs the receivers there and then, in the order their apps come in
INSTALLED_APPS: whatever a receiver writes commits or rolls back with the change,
and an exception in a receiver undoes the change.
"""

from django.db import models
from django.dispatch import Signal


class RegistrationChange(models.TextChoices):
    REGISTERED = "registered"  # a new registration, or a comeback after a withdrawal
    WITHDRAWN = "withdrawn"
    TEAM_CHANGED = "team_changed"  # joined, left, was removed from or moved between teams


registration_changed = Signal()
"""A registration started or stopped counting, or changed team.

Sent by campaigns.services (register, withdraw) and teams.services (every join,
leave, removal and move), with ``sender=Registration`` and:

- ``registration``: the Registration as it is now (its status, unit and team);
- ``change``: a RegistrationChange;
- ``previous_team``: the Team it was in before the change, or None;
- ``at``: when the change happened (an aware datetime).

Receivers: teams (a withdrawn captain hands the team on), standings (the person's
line and every total it feeds follow the registration), dashboards (the
participation history behind the "as of" counts) and activities (on REGISTERED,
once committed, it judges the person's activities near the campaign's dates that
have no verdict in it yet: what they recorded before registering).
"""

rules_changed = Signal()
"""What counts in a campaign changed: its rules, dates, sports, time zone or
whether activities recorded before registering count.

Sent by campaigns.organiser.save_campaign when an existing campaign is saved with
one of those changed, with ``sender=Campaign`` and:

- ``campaign``: the Campaign as saved;
- ``changed``: the names of the fields that changed (sorted).

Receiver: activities, which judges the campaign's activities again once the
change is committed.
"""
