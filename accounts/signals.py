"""The hook accounts offers the apps above it (docs/decisions/0003-layers.md)."""

from django.dispatch import Signal

person_deleting = Signal()
"""A person deletes their account (accounts.services.delete_account): each app above
removes or anonymises what it holds about them, keeping every figure that counts
(credited metres, totals, donations) as it was (docs/decisions/0019-data-rights.md).

Sent inside the deletion's transaction, before accounts clears the person's own
fields, with ``sender=User``, ``user`` (still as it was) and ``email`` (the address,
for records that carry it without a link to the account). Receivers: activities
(original files, routes, notes), donations (the donor becomes anonymous), teams
(captaincy passes on), standings (the line's copy of the gender). A receiver that
raises stops the deletion: nothing is removed.
"""
