"""The hooks activities offers the apps above it (docs/decisions/0003-layers.md).

Judging and review never call the standings: they send one of these signals inside
the transaction that writes the verdicts, with the person's registration row
already locked, and the standings' receivers (standings/receivers.py) update the
totals there and then, in the same transaction, as the direct calls did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.dispatch import Signal


@dataclass(frozen=True)
class Credit:
    """A new accepted verdict: the metres it credits and what its activity tells."""

    registration_id: int
    credited_m: int
    started_at: datetime
    ended_at: datetime
    steps: int | None
    distance_m: int
    sport: str

    @classmethod
    def of(cls, verdict, activity=None) -> Credit:
        """The credit of a verdict (its activity given, or read through the verdict)."""
        activity = activity or verdict.activity
        return cls(
            verdict.registration_id,
            credited_m=verdict.credited_m,
            started_at=activity.started_at,
            ended_at=activity.ended_at,
            steps=activity.steps,
            distance_m=activity.distance_m,
            sport=activity.sport,
        )


credits_added = Signal()
"""New accepted verdicts, and nothing else changed: one registration's credits from
the activities of one upload, all in one signal (an export of hundreds of walks is
one call, which the standings add with a fixed handful of statements).

Sent by activities.judging with ``sender=Verdict`` and ``credits``: a list of Credit.
Receiver: standings (add_credits).
"""

verdicts_changed = Signal()
"""Verdicts of a registration were judged again or decided by an organiser: what
the person has credited may have changed in any way.

Sent by activities.judging and activities.review with ``sender=Verdict`` and
``registration_id``. Receiver: standings (refresh, which recounts the person's line).
"""
