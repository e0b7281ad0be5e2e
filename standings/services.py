"""Keeping the totals, inside the transaction that changes a credit.

`add_credits(credits)` (standings/crediting.py) adds new accepted credits — by
far the commonest change — to their people's lines and every total they feed,
without reading anyone's other activities: a fixed handful of statements however
many credits come together and whatever the people's history.
`refresh(registration_id)` (standings/recount.py) recomputes one participant's
line from their accepted verdicts and moves the difference into every total; it
serves every other change (a verdict decided, re-judged or deleted; a
withdrawal; a change of team).

The shared rows are written with one upsert each, `value = value + delta`
(standings/totals.py over core/counters.py), on a shard chosen by the
registration, so two uploads only wait for each other when they belong to
people on the same shard. What a line adds up to is standings/lines.py.

Neither is called by the apps below: judging, review, registration and teams send
their signals (activities/signals.py, campaigns/signals.py) inside the transaction
that makes the change, and standings/receivers.py calls these there and then.
`Credit` itself is defined by activities (activities/signals.py), which makes them.
"""

from __future__ import annotations

from standings.crediting import Credit, add_credits
from standings.recount import refresh, refresh_many

__all__ = ["Credit", "add_credits", "refresh", "refresh_many"]
