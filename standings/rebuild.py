"""Every total recomputed from the credits (accepted verdicts), and the drift between
what was kept and what should be. `manage.py rebuild_standings` runs it.

Works set-wise (a few grouped queries per campaign, not one per person), so that a
campaign of a million participants rebuilds in minutes.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from standings.models import PersonDay, Scope, ScoreBucket, Standing, Total
from standings.services import bucket_of, shard_of, stride_for


@dataclass
class Drift:
    """How many kept rows differed from the recomputation, per table."""

    standings: int = 0
    days: int = 0
    totals: int = 0
    buckets: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.standings + self.days + self.totals + self.buckets

    def as_dict(self) -> dict:
        return {
            "standings": self.standings,
            "days": self.days,
            "totals": self.totals,
            "buckets": self.buckets,
            "examples": self.examples[:10],
        }


def _expected_lines(campaign) -> tuple[dict, dict]:
    """registration id → figures, and (registration id, day) → [metres, count, reached]."""
    from activities.models import Verdict, VerdictStatus
    from campaigns.models import Registration, RegistrationStatus
    from campaigns.rules import merged_rules

    tz = zoneinfo.ZoneInfo(campaign.time_zone)
    rules = merged_rules(campaign.rules)
    active = set(
        Registration.objects.filter(
            campaign=campaign, status=RegistrationStatus.ACTIVE
        ).values_list("pk", flat=True)
    )
    lines: dict[int, dict] = {}
    days: dict[tuple[int, object], list] = {}
    credits = (
        Verdict.objects.filter(campaign=campaign, status=VerdictStatus.ACCEPTED, credited_m__gt=0)
        .values_list(
            "registration_id",
            "credited_m",
            "activity__started_at",
            "activity__ended_at",
            "activity__steps",
            "activity__distance_m",
            "activity__sport",
        )
        .order_by()
    )
    for reg_id, credited, started, ended, steps, distance, sport in credits.iterator(
        chunk_size=20000
    ):
        if reg_id not in active:
            continue
        line = lines.setdefault(
            reg_id,
            {
                "distance_m": 0,
                "activities": 0,
                "steps": 0,
                "steps_estimated": 0,
                "reached_at": None,
            },
        )
        line["distance_m"] += credited
        line["activities"] += 1
        if steps and distance:
            line["steps"] += round(steps * min(1.0, credited / distance))
        else:
            estimated = round(credited / stride_for(rules, sport))
            line["steps"] += estimated
            line["steps_estimated"] += estimated
        if line["reached_at"] is None or ended > line["reached_at"]:
            line["reached_at"] = ended
        day = started.astimezone(tz).date()
        entry = days.setdefault((reg_id, day), [0, 0, None])
        entry[0] += credited
        entry[1] += 1
        if entry[2] is None or ended > entry[2]:
            entry[2] = ended
    active_days: dict[int, int] = defaultdict(int)
    for (reg_id, _day), (metres, _n, _r) in days.items():
        active_days[reg_id] += metres > 0
    for reg_id, line in lines.items():
        line["active_days"] = active_days[reg_id]
    return lines, days


def rebuild_campaign(campaign, *, fix: bool = True) -> Drift:
    """Recompute one campaign's standings; with fix, replace what was kept."""
    from campaigns.models import Registration, RegistrationStatus
    from orgs.models import Unit

    drift = Drift()
    lines, days = _expected_lines(campaign)
    zero = {"distance_m": 0, "activities": 0, "steps": 0, "steps_estimated": 0, "reached_at": None}
    zero["active_days"] = 0

    registrations = Registration.objects.filter(campaign=campaign).select_related("user")
    kept = {s.registration_id: s for s in Standing.objects.filter(campaign=campaign)}
    unit_paths = dict(Unit.objects.values_list("pk", "path"))
    path_ids = {path: pk for pk, path in unit_paths.items()}
    steplen = Unit.steplen

    new_standings = []
    totals: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0])
    buckets: dict[tuple, int] = defaultdict(int)
    for registration in registrations.iterator(chunk_size=20000):
        line = lines.get(registration.pk, zero)
        is_active = registration.status == RegistrationStatus.ACTIVE
        if registration.pk not in kept and not line["distance_m"]:
            continue  # a line exists once a person has been credited (as `refresh` makes it)
        standing = Standing(
            campaign_id=campaign.pk,
            registration_id=registration.pk,
            user_id=registration.user_id,
            bib=registration.bib,
            team_id=registration.team_id,
            unit_id=registration.unit_id,
            category_id=registration.category_id,
            gender=registration.user.gender or "",
            is_active=is_active,
            **line,
        )
        old = kept.get(registration.pk)
        missing = old is None and line["distance_m"] > 0
        if missing or (old is not None and _differs(old, standing)):
            drift.standings += 1
            drift.examples.append(f"standing of registration {registration.pk}")
        new_standings.append(standing)
        if not is_active:
            continue
        shard = shard_of(registration.pk)
        figures = (
            line["distance_m"],
            line["activities"],
            line["steps"],
            int(line["distance_m"] > 0),
        )
        keys = [(Scope.CAMPAIGN, 0)]
        if registration.team_id:
            keys.append((Scope.TEAM, registration.team_id))
        path = unit_paths.get(registration.unit_id)
        if path:
            keys += [
                (Scope.UNIT, path_ids[path[: steplen * d]])
                for d in range(1, len(path) // steplen + 1)
                if path[: steplen * d] in path_ids
            ]
        for scope, key in keys:
            total = totals[(scope, key, shard)]
            for i, value in enumerate(figures):
                total[i] += value
        buckets[(bucket_of(line["distance_m"]), shard)] += 1
    for (reg_id, day), (metres, count, _reached) in days.items():
        total = totals[(Scope.DAY, day.toordinal(), shard_of(reg_id))]
        total[0] += metres
        total[1] += count
        total[3] += int(metres > 0)

    # Compare what was kept with what should be.
    kept_days = {
        (d.registration_id, d.day): [d.distance_m, d.activities, d.reached_at]
        for d in PersonDay.objects.filter(campaign=campaign)
    }
    drift.days = sum(1 for key in set(kept_days) | set(days) if kept_days.get(key) != days.get(key))
    kept_totals: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0])
    for t in Total.objects.filter(campaign=campaign):
        kept_totals[(t.scope, t.key, t.shard)] = [
            t.distance_m,
            t.activities,
            t.steps,
            t.participants,
        ]
    drift.totals = _count_differences(kept_totals, totals, [0, 0, 0, 0])
    kept_buckets = {
        (b.bucket, b.shard): b.count for b in ScoreBucket.objects.filter(campaign=campaign)
    }
    drift.buckets = _count_differences(kept_buckets, buckets, 0)
    if drift.days:
        drift.examples.append(f"{drift.days} person-days")
    if drift.totals:
        drift.examples.append(f"{drift.totals} totals")
    if drift.buckets:
        drift.examples.append(f"{drift.buckets} rank buckets")

    if fix and drift.total:
        with transaction.atomic():
            Standing.objects.filter(campaign=campaign).delete()
            Standing.objects.bulk_create(new_standings, batch_size=5000)
            PersonDay.objects.filter(campaign=campaign).delete()
            PersonDay.objects.bulk_create(
                (
                    PersonDay(
                        campaign_id=campaign.pk,
                        registration_id=reg_id,
                        day=day,
                        distance_m=metres,
                        activities=count,
                        reached_at=reached,
                    )
                    for (reg_id, day), (metres, count, reached) in days.items()
                ),
                batch_size=5000,
            )
            Total.objects.filter(campaign=campaign).delete()
            Total.objects.bulk_create(
                (
                    Total(
                        campaign_id=campaign.pk,
                        scope=scope,
                        key=key,
                        shard=shard,
                        distance_m=v[0],
                        activities=v[1],
                        steps=v[2],
                        participants=v[3],
                    )
                    for (scope, key, shard), v in totals.items()
                    if any(v)
                ),
                batch_size=5000,
            )
            ScoreBucket.objects.filter(campaign=campaign).delete()
            ScoreBucket.objects.bulk_create(
                (
                    ScoreBucket(campaign_id=campaign.pk, bucket=bucket, shard=shard, count=count)
                    for (bucket, shard), count in buckets.items()
                    if count
                ),
                batch_size=5000,
            )
    return drift


FIELDS = (
    "team_id",
    "unit_id",
    "category_id",
    "gender",
    "is_active",
    "distance_m",
    "activities",
    "active_days",
    "steps",
    "steps_estimated",
    "reached_at",
)


def _differs(old: Standing, new: Standing) -> bool:
    return any(getattr(old, name) != getattr(new, name) for name in FIELDS)


def _count_differences(kept: dict, expected: dict, empty) -> int:
    return sum(
        1 for key in set(kept) | set(expected) if kept.get(key, empty) != expected.get(key, empty)
    )
