"""A participant's line: what their accepted credits add up to (distance,
activities, steps, days), and where a line is counted — its shard and its rank
buckets. Pure arithmetic, shared by the recount, the crediting and the rebuild.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from activities.models import Verdict, VerdictStatus
from campaigns.rules import merged_rules

if TYPE_CHECKING:
    from campaigns.models import Registration

SHARDS = 8
BUCKET_M = 100
# Steps estimated from distance where the device did not count them: metres per step.
DEFAULT_STRIDE_M = {"walk": 0.70, "run": 1.00, "other": 0.75}


def shard_of(registration_id: int) -> int:
    return registration_id % SHARDS


def bucket_of(distance_m: int) -> int:
    return distance_m // BUCKET_M


# A second level of rank buckets, 10 km wide, kept in the same table under negative
# numbers (-1 for 0-9.9 km, -2 for 10-19.9 km, ...): a rank sums the coarse rows
# above the person's 10 km and the fine rows above them within it, a few hundred
# rows at most however long the board's tail.
COARSE_BUCKET_M = 10_000


def coarse_bucket_of(distance_m: int) -> int:
    return -1 - distance_m // COARSE_BUCKET_M


def buckets_of(distance_m: int) -> tuple[int, int]:
    """The fine and the coarse rank bucket a distance is counted in."""
    return bucket_of(distance_m), coarse_bucket_of(distance_m)


def stride_for(rules: dict, sport: str) -> float:
    strides = {**DEFAULT_STRIDE_M, **(rules.get("stride_m") or {})}
    return float(strides.get(sport) or DEFAULT_STRIDE_M["other"])


@dataclass
class Line:
    """A participant's figures as they should be."""

    distance_m: int = 0
    activities: int = 0
    steps: int = 0
    steps_estimated: int = 0
    reached_at: datetime | None = None
    # day → [metres, activities, reached, steps, steps estimated]
    days: dict[date, list] = field(default_factory=dict)

    def add(
        self,
        credited: int,
        started_at: datetime,
        ended_at: datetime,
        steps: int | None,
        distance_m: int,
        stride_m: float,
        tz: tzinfo,
    ) -> None:
        """One credited activity: its metres, its steps (the device's, pro rata to
        the credited part, else estimated with `stride_m`) and its campaign day."""
        self.distance_m += credited
        self.activities += 1
        if steps and distance_m:
            counted, estimated = round(steps * min(1.0, credited / distance_m)), 0
        else:
            counted = estimated = round(credited / stride_m)
        self.steps += counted
        self.steps_estimated += estimated
        if self.reached_at is None or ended_at > self.reached_at:
            self.reached_at = ended_at
        entry = self.days.setdefault(started_at.astimezone(tz).date(), [0, 0, None, 0, 0])
        entry[0] += credited
        entry[1] += 1
        if entry[2] is None or ended_at > entry[2]:
            entry[2] = ended_at
        entry[3] += counted
        entry[4] += estimated

    @property
    def active_days(self) -> int:
        return sum(1 for entry in self.days.values() if entry[0] > 0)


# What a line counts of an accepted verdict and its activity, in the order of Line.add.
CREDIT_FIELDS = (
    "credited_m",
    "activity__started_at",
    "activity__ended_at",
    "activity__steps",
    "activity__distance_m",
    "activity__sport",
)


def compute_line(registration: Registration) -> Line:
    """From scratch, from the registration's accepted verdicts."""
    line = Line()
    if registration.status != "active":
        return line
    campaign = registration.campaign
    tz = zoneinfo.ZoneInfo(campaign.time_zone)
    rules = merged_rules(campaign.rules)
    credits = Verdict.objects.filter(
        registration_id=registration.pk, status=VerdictStatus.ACCEPTED, credited_m__gt=0
    ).values_list(*CREDIT_FIELDS)
    strides: dict[str, float] = {}
    for credited, started_at, ended_at, steps, distance_m, sport in credits.order_by():
        if sport not in strides:
            strides[sport] = stride_for(rules, sport)
        line.add(credited, started_at, ended_at, steps, distance_m, strides[sport], tz)
    return line
