"""What the target dashboard and the reports show: per unit of a subtree, the
participants against the target, km, đồng converted and donated, as of the end
of a campaign day.

Participants come from the participation history (`ParticipationDay`, which
already counts every unit's subtree). Km now come from the standings totals;
km of a past day from the participants' per-day figures. Donations are the paid
ones credited to a unit of the subtree (for a past day: paid by then and not yet
refunded). Every figure of a unit counts its whole subtree, so the totals roll up.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from campaigns.services import target_for
from core.collation import vietnamese_key
from dashboards.models import ParticipationDay
from donations.models import Donation, DonationStatus
from orgs.models import Unit
from orgs.tree import ancestor_paths
from standings.models import PersonDay, Scope, Total
from standings.queries import money

STEP = Unit.steplen


class Status:
    """Stable codes: used in URLs, CSS classes and the exports."""

    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_PARTICIPANTS = "none"
    NO_TARGET = "no_target"
    # Below the target once registration has closed (or the campaign is over):
    # nobody can join any more, so the unit is no longer "behind" but missed it.
    MISSED = "missed"


STATUS_LABELS = {
    Status.MET: _("Target met"),
    Status.ON_TRACK: _("On track"),
    Status.BEHIND: _("Behind"),
    Status.NO_PARTICIPANTS: _("No participants"),
    Status.NO_TARGET: _("No target"),
    Status.MISSED: _("Target not met"),
}
# Worst first, for sorting by status.
STATUS_ORDER = [
    Status.NO_PARTICIPANTS,
    Status.MISSED,
    Status.BEHIND,
    Status.ON_TRACK,
    Status.MET,
    Status.NO_TARGET,
]


@dataclass
class UnitFigures:
    unit: Unit
    target: int | None = None
    stretch: int | None = None
    participants: int = 0
    distance_m: int = 0
    # Device steps where given, else estimated: the totals for today, the person-days'
    # sum for an earlier day.
    steps: int | None = None
    converted: int = 0  # đồng from km
    donated: int = 0
    expected: int = 0  # participants a unit on track has by now
    status: str = Status.NO_TARGET

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return round(100 * self.participants / self.target)

    @property
    def bar_percent(self) -> int:
        return min(100, self.percent or 0)

    @property
    def km(self) -> float:
        return self.distance_m / 1000

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def below_target(self) -> bool:
        return bool(self.target) and self.participants < self.target


@dataclass
class Snapshot:
    """A unit and its children as of the end of ``day``."""

    campaign: Campaign
    unit: Unit
    day: date
    moment: datetime
    total: UnitFigures
    children: list[UnitFigures] = field(default_factory=list)
    direct: UnitFigures | None = None  # registered at the unit itself, not below it

    @property
    def children_target(self) -> int:
        """The targets of the units below added up: not the unit's own target,
        which the total row shows (the organiser sets each separately)."""
        return sum(row.target or 0 for row in self.children)


# --- days and moments ---------------------------------------------------------


def first_day(campaign: Campaign) -> date:
    return campaign.local(min(campaign.registration_opens_at, campaign.starts_at)).date()


def last_day(campaign: Campaign) -> date:
    return campaign.local(campaign.ends_at - timedelta(microseconds=1)).date()


def today(campaign: Campaign, now: datetime | None = None) -> date:
    return campaign.local(now or timezone.now()).date()


def default_day(campaign: Campaign, now: datetime | None = None) -> date:
    """Today, or the campaign's last day once it is over."""
    return min(today(campaign, now), last_day(campaign))


def end_of(campaign: Campaign, day: date) -> datetime:
    """The first moment after ``day`` in the campaign's zone (counts are < it)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=campaign.tz)


def progress(campaign: Campaign, moment: datetime) -> float:
    """How far the registration period has gone at ``moment``, 0 to 1: a unit on
    track has at least this share of its target."""
    opens, closes = campaign.registration_opens_at, campaign.registration_closes_at
    if closes <= opens:
        return 1.0
    return min(1.0, max(0.0, (moment - opens) / (closes - opens)))


def is_closed(campaign: Campaign, moment: datetime) -> bool:
    """Whether nobody could join any more at ``moment``: registration has closed
    or the campaign is over. A unit below its target then missed it."""
    return moment >= min(campaign.registration_closes_at, campaign.ends_at)


def status_of(participants: int, target: int | None, expected: int, closed: bool = False) -> str:
    if participants <= 0:
        return Status.NO_PARTICIPANTS
    if not target:
        return Status.NO_TARGET
    if participants >= target:
        return Status.MET
    if closed:
        return Status.MISSED
    if participants >= expected:
        return Status.ON_TRACK
    return Status.BEHIND


# --- the figures ----------------------------------------------------------------


def _is_now(campaign: Campaign, day: date, now: datetime | None = None) -> bool:
    return end_of(campaign, day) > (now or timezone.now())


def _km_now(campaign: Campaign, day: date, now: datetime | None = None) -> bool:
    """Whether the standings' running totals are the km of ``day``: today, or
    the campaign's last day (activities credited later still count on their day)."""
    return _is_now(campaign, day, now) or day >= last_day(campaign)


def _paid_by(campaign: Campaign, moment: datetime, *, now: bool):
    donations = Donation.objects.filter(campaign=campaign)
    if now:
        return donations.filter(status=DonationStatus.PAID)
    return donations.filter(
        status__in=[DonationStatus.PAID, DonationStatus.REFUNDED], paid_at__lt=moment
    ).filter(Q(refunded_at__isnull=True) | Q(refunded_at__gte=moment))


def _by_prefix(rows, length: int, path_field: str, value) -> dict[str, int]:
    """``value`` summed per path prefix of ``length`` characters."""
    grouped = (
        rows.annotate(prefix=Substr(path_field, 1, length))
        .values("prefix")
        .annotate(v=Sum(value))
        .order_by()
    )
    return {row["prefix"]: row["v"] or 0 for row in grouped}


def _days_by_prefix(
    campaign, unit: Unit, day: date, length: int
) -> tuple[dict[str, int], dict[str, int]]:
    """Km and steps of the participants' days up to ``day`` in ``unit``'s subtree, summed
    per unit path prefix of ``length`` characters, in one pass over the days."""
    grouped = (
        PersonDay.objects.filter(
            campaign=campaign, day__lte=day, registration__unit__path__startswith=unit.path
        )
        .annotate(prefix=Substr("registration__unit__path", 1, length))
        .values("prefix")
        .annotate(d=Sum("distance_m"), s=Sum("steps"))
        .order_by()
    )
    km, steps = {}, {}
    for row in grouped:
        km[row["prefix"]] = row["d"] or 0
        steps[row["prefix"]] = row["s"] or 0
    return km, steps


# Summing a big campaign's donations takes tens of milliseconds, and the
# national page asks for it on every view: the sums are kept this long.
DONATIONS_CACHE_SECONDS = 30


def _donated_cached(campaign, moment, current: bool, path: str, length: int) -> dict[str, int]:
    when = "now" if current else moment.isoformat()
    key = (
        f"dashboards:donated:{campaign.pk}:{campaign.created_at.timestamp()}:{path}:{length}:{when}"
    )
    sums = cache.get(key)
    if sums is None:
        sums = _donated_by_prefix(_paid_by(campaign, moment, now=current), path, length)
        cache.set(key, sums, DONATIONS_CACHE_SECONDS)
    return sums


def _donated_by_prefix(donations, path: str, length: int) -> dict[str, int]:
    """Donations summed per unit first, then per path prefix of the units in
    ``path``'s subtree: for a big subtree, half the work of joining every
    donation to its unit; a small one is first narrowed to its units."""
    if len(path) > Unit.steplen:
        donations = donations.filter(unit__path__startswith=path)
    per_unit, params = (
        donations.values("unit_id").annotate(s=Sum("amount")).order_by().query.sql_with_params()
    )
    table = Unit._meta.db_table
    sql = (
        f"SELECT SUBSTR(u.path, 1, %s), SUM(d.s) FROM ({per_unit}) d "
        f"JOIN {table} u ON u.id = d.unit_id WHERE u.path LIKE %s GROUP BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [length, *params, path + "%"])
        return {prefix: int(total or 0) for prefix, total in cursor.fetchall()}


def _participants(campaign, unit_ids, day) -> dict[int, int]:
    rows = (
        ParticipationDay.objects.filter(campaign=campaign, unit_id__in=unit_ids, day__lte=day)
        .values("unit_id")
        .annotate(n=Sum("delta"))
        .order_by()
    )
    return {row["unit_id"]: row["n"] or 0 for row in rows}


def _distances_now(campaign, unit_ids) -> dict[int, int]:
    rows = (
        Total.objects.filter(campaign=campaign, scope=Scope.UNIT, key__in=unit_ids)
        .values("key")
        .annotate(d=Sum("distance_m"))
        .order_by()
    )
    return {row["key"]: row["d"] or 0 for row in rows}


def _steps_now(campaign, unit_ids) -> dict[int, int]:
    rows = (
        Total.objects.filter(campaign=campaign, scope=Scope.UNIT, key__in=unit_ids)
        .values("key")
        .annotate(s=Sum("steps"))
        .order_by()
    )
    return {row["key"]: row["s"] or 0 for row in rows}


def _fill(campaign, figures: UnitFigures, point: datetime, share: float) -> UnitFigures:
    """``point``: the moment the figures describe (the end of the day, or now)."""
    figures.converted = money(campaign, figures.distance_m)
    figures.expected = math.ceil((figures.target or 0) * share)
    figures.status = status_of(
        figures.participants, figures.target, figures.expected, is_closed(campaign, point)
    )
    return figures


def snapshot(campaign: Campaign, unit: Unit, day: date, *, now: datetime | None = None) -> Snapshot:
    """``unit`` and each of its children as of the end of ``day``."""
    moment = end_of(campaign, day)
    current = _is_now(campaign, day, now)
    point = min(moment, now or timezone.now()) if current else moment
    share = progress(campaign, point)
    children = list(Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1))
    units = [unit, *children]
    ids = [u.pk for u in units]
    campaign = Campaign.objects.prefetch_related("targets").get(pk=campaign.pk)
    people = _participants(campaign, ids, day)
    length = (unit.depth + 1) * STEP
    steps: dict[int, int] | None = None
    if _km_now(campaign, day, now):
        distances = _distances_now(campaign, ids)
        steps = _steps_now(campaign, ids)
    else:
        km_by_prefix, steps_by_prefix = _days_by_prefix(campaign, unit, day, length)
        distances = {child.pk: km_by_prefix.get(child.path, 0) for child in children}
        distances[unit.pk] = sum(km_by_prefix.values())
        steps = {child.pk: steps_by_prefix.get(child.path, 0) for child in children}
        steps[unit.pk] = sum(steps_by_prefix.values())
    donated_by_prefix = _donated_cached(campaign, moment, current, unit.path, length)

    def figures_for(u: Unit) -> UnitFigures:
        rule = target_for(campaign, u)
        donated = (
            sum(donated_by_prefix.values()) if u.pk == unit.pk else donated_by_prefix.get(u.path, 0)
        )
        return _fill(
            campaign,
            UnitFigures(
                unit=u,
                target=rule.participants if rule else None,
                stretch=rule.stretch if rule else None,
                participants=people.get(u.pk, 0),
                distance_m=distances.get(u.pk, 0),
                steps=None if steps is None else steps.get(u.pk, 0),
                donated=donated,
            ),
            point,
            share,
        )

    total = figures_for(unit)
    rows = [figures_for(child) for child in children]
    direct = UnitFigures(
        unit=unit,
        participants=total.participants - sum(r.participants for r in rows),
        distance_m=total.distance_m - sum(r.distance_m for r in rows),
        steps=None if steps is None else (total.steps or 0) - sum(r.steps or 0 for r in rows),
        donated=donated_by_prefix.get(unit.path, 0),
    )
    direct.converted = money(campaign, direct.distance_m)
    has_direct = direct.participants or direct.distance_m or direct.donated
    return Snapshot(
        campaign=campaign,
        unit=unit,
        day=day,
        moment=moment,
        total=total,
        children=rows,
        direct=direct if has_direct else None,
    )


def subtree_figures(
    campaign: Campaign, unit: Unit, day: date, *, now: datetime | None = None
) -> list[UnitFigures]:
    """Every unit of ``unit``'s subtree (itself first, then by path) as of the
    end of ``day``: what the workbook lists, level by level."""
    moment = end_of(campaign, day)
    current = _is_now(campaign, day, now)
    point = min(moment, now or timezone.now()) if current else moment
    share = progress(campaign, point)
    campaign = Campaign.objects.prefetch_related("targets").get(pk=campaign.pk)
    units = list(Unit.objects.filter(path__startswith=unit.path).order_by("path"))
    by_path = {u.path: u for u in units}
    people = dict(
        ParticipationDay.objects.filter(
            campaign=campaign, unit__path__startswith=unit.path, day__lte=day
        )
        .values("unit_id")
        .annotate(n=Sum("delta"))
        .order_by()
        .values_list("unit_id", "n")
    )
    steps: dict[int, int] | None = None
    if _km_now(campaign, day, now):
        steps = _steps_now(campaign, [u.pk for u in units])
        distances = dict(
            Total.objects.filter(
                campaign=campaign,
                scope=Scope.UNIT,
                key__in=Unit.objects.filter(path__startswith=unit.path).values("pk"),
            )
            .values("key")
            .annotate(d=Sum("distance_m"))
            .order_by()
            .values_list("key", "d")
        )
    else:
        own_km, own_steps = _days_by_prefix(campaign, unit, day, 255)
        distances = _roll_up(own_km, by_path)
        steps = _roll_up(own_steps, by_path)
    donated = _roll_up(
        _by_prefix(
            _paid_by(campaign, moment, now=current).filter(unit__path__startswith=unit.path),
            255,
            "unit__path",
            "amount",
        ),
        by_path,
    )
    out = []
    for u in units:
        rule = target_for(campaign, u)
        out.append(
            _fill(
                campaign,
                UnitFigures(
                    unit=u,
                    target=rule.participants if rule else None,
                    stretch=rule.stretch if rule else None,
                    participants=people.get(u.pk) or 0,
                    distance_m=distances.get(u.pk) or 0,
                    steps=None if steps is None else steps.get(u.pk, 0),
                    donated=donated.get(u.pk, 0),
                ),
                point,
                share,
            )
        )
    return out


def _roll_up(own_by_path: dict[str, int], by_path: dict[str, Unit]) -> dict[int, int]:
    """Values per unit's own path → per unit id, each counting its whole subtree."""
    out: dict[int, int] = defaultdict(int)
    for path, value in own_by_path.items():
        for prefix in ancestor_paths(path):
            unit = by_path.get(prefix)
            if unit is not None:
                out[unit.pk] += value
    return out


def participants_series(campaign: Campaign, unit: Unit, day: date) -> list[dict]:
    """Participants in ``unit``'s subtree at the end of each day up to ``day``."""
    rows = dict(
        ParticipationDay.objects.filter(campaign=campaign, unit=unit, day__lte=day)
        .values("day")
        .annotate(n=Sum("delta"))
        .order_by()
        .values_list("day", "n")
    )
    start = min([first_day(campaign), *rows])
    out, running = [], 0
    current = start
    while current <= day:
        running += rows.get(current, 0)
        out.append({"day": current, "participants": running})
        current += timedelta(days=1)
    return out


def name_key(figures: UnitFigures) -> tuple[str, str, str]:
    """Units by name in Vietnamese alphabetical order (Đ after D, Ấp among the A's)."""
    return vietnamese_key(figures.unit.name)


SORTS = {
    "name": lambda f: (name_key(f),),
    "participants": lambda f: (-f.participants, name_key(f)),
    "percent": lambda f: (f.percent is None, f.percent or 0, name_key(f)),
    "km": lambda f: (-f.distance_m, name_key(f)),
    "money": lambda f: (-f.converted, name_key(f)),
    "donated": lambda f: (-f.donated, name_key(f)),
    "status": lambda f: (STATUS_ORDER.index(f.status), f.percent or 0, name_key(f)),
}


def sort_rows(rows: list[UnitFigures], key: str) -> list[UnitFigures]:
    return sorted(rows, key=SORTS.get(key, SORTS["status"]))
