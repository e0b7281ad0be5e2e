"""Reading the standings: campaign figures, boards, ranks and daily series.

Ranking is competition ranking on credited distance: people with the same
distance share a rank (1, 2, 2, 4). Within a rank they are listed by who reached
that distance first (`reached_at`, the end of their last credited activity), then
by bib — a deterministic order. Public boards show names and totals only: each
person's public name (accounts/names.py), a bib only beside a full name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import F, QuerySet, Sum

from accounts import names
from orgs.models import Unit
from standings.lines import BUCKET_M, COARSE_BUCKET_M, bucket_of, coarse_bucket_of
from standings.models import PersonDay, Scope, ScoreBucket, Standing, Total

PAGE_SIZE = 50
BOARD_ORDER = (F("distance_m").desc(), F("reached_at").asc(nulls_last=True), "bib")


@dataclass
class Figures:
    distance_m: int = 0
    activities: int = 0
    steps: int = 0
    participants: int = 0  # with at least one credited metre

    @property
    def km(self) -> float:
        return self.distance_m / 1000


def _sum(rows: QuerySet) -> Figures:
    sums = rows.aggregate(
        d=Sum("distance_m"), a=Sum("activities"), s=Sum("steps"), p=Sum("participants")
    )
    return Figures(sums["d"] or 0, sums["a"] or 0, sums["s"] or 0, sums["p"] or 0)


def campaign_figures(campaign) -> Figures:
    return _sum(Total.objects.filter(campaign=campaign, scope=Scope.CAMPAIGN, key=0))


def team_figures(campaign, team_id: int) -> Figures:
    return _sum(Total.objects.filter(campaign=campaign, scope=Scope.TEAM, key=team_id))


def unit_figures(campaign, unit_id: int) -> Figures:
    return _sum(Total.objects.filter(campaign=campaign, scope=Scope.UNIT, key=unit_id))


def money(campaign, distance_m: int) -> int:
    """Đồng converted: the campaign's rate per whole credited kilometre, pro rata."""
    return distance_m * campaign.vnd_per_km // 1000


def daily_series(campaign) -> list[dict]:
    """Per campaign day: km credited and how many people walked, oldest first."""
    rows = (
        Total.objects.filter(campaign=campaign, scope=Scope.DAY)
        .values("key")
        .annotate(d=Sum("distance_m"), p=Sum("participants"), a=Sum("activities"))
        .order_by("key")
    )
    return [
        {
            "day": date.fromordinal(row["key"]),
            "distance_m": row["d"],
            "participants": row["p"],
            "activities": row["a"],
        }
        for row in rows
    ]


def _board(campaign, *, category_id=None, gender=None) -> QuerySet[Standing]:
    rows = Standing.objects.filter(campaign=campaign, is_active=True, distance_m__gt=0)
    if category_id is not None:
        rows = rows.filter(category_id=category_id)
    if gender:
        rows = rows.filter(gender=gender)
    return rows


def rank_of_distance(campaign, distance_m: int, *, category_id=None, gender=None) -> int:
    """1 + how many active participants have credited more than `distance_m`.

    The whole-campaign board sums the 10 km buckets above, the 100 m buckets above
    within the person's 10 km, and counts the few people in the same 100 m; category
    and gender boards count over their index."""
    if category_id is None and not gender:
        from django.db import connection

        bucket = bucket_of(distance_m)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + _BUCKETS_ABOVE_SQL.format(b=ScoreBucket._meta.db_table),
                {"c": campaign.pk, **_bucket_params(distance_m)},
            )
            above = int(cursor.fetchone()[0])
        # No is_active test: a withdrawn person's line is zero (as `refresh` and the
        # rebuild keep it), so this counts from the (campaign, distance) index alone.
        same = Standing.objects.filter(
            campaign=campaign,
            distance_m__gt=distance_m,
            distance_m__lt=(bucket + 1) * BUCKET_M,
        ).count()
        return 1 + above + same
    return (
        1
        + _board(campaign, category_id=category_id, gender=gender)
        .filter(distance_m__gt=distance_m)
        .count()
    )


# Everyone with more than a distance, each counted once from the rank buckets: the
# coarse buckets of the higher 10 kms, and the fine buckets above it within its 10 km.
_BUCKETS_ABOVE_SQL = (
    "(SELECT COALESCE(SUM(count), 0) FROM {b} WHERE campaign_id = %(c)s AND bucket < %(coarse)s)"
    " + (SELECT COALESCE(SUM(count), 0) FROM {b} WHERE campaign_id = %(c)s"
    " AND bucket > %(k)s AND bucket < %(top_of_coarse)s)"
)


def _bucket_params(distance_m: int) -> dict:
    per_coarse = COARSE_BUCKET_M // BUCKET_M
    return {
        "k": bucket_of(distance_m),
        "coarse": coarse_bucket_of(distance_m),
        "top_of_coarse": (distance_m // COARSE_BUCKET_M + 1) * per_coarse,
    }


@dataclass
class Row:
    """One line of a people board as public pages and the API show it: the person's
    public name (accounts/names.py) and their bib only beside a full name."""

    rank: int
    standing: Standing | BoardLine
    campaign: Any = None

    @property
    def name(self) -> str:
        return names.public_name(self.standing.user, self.campaign)

    @property
    def bib(self) -> int | None:
        return self.standing.bib if names.shows_bib(self.standing.user, self.campaign) else None


def board_page(
    campaign, page: int = 1, *, category_id=None, gender=None, size: int = PAGE_SIZE
) -> tuple[list[Row], int]:
    """One page of a board with competition ranks, and the number of people on it."""
    offset = (max(page, 1) - 1) * size
    if category_id is None and not gender:
        standings, count = _whole_board_page(campaign, offset, size)
    else:
        rows = _board(campaign, category_id=category_id, gender=gender)
        page_rows = rows.select_related("user").only(
            "bib",
            "distance_m",
            "activities",
            "steps",
            "steps_estimated",
            "reached_at",
            "team_id",
            "unit_id",
            *(f"user__{field}" for field in names.NAME_FIELDS),
        )
        standings = list(page_rows.order_by(*BOARD_ORDER)[offset : offset + size])
        count = rows.count()
    ranks = page_ranks(
        [standing.distance_m for standing in standings],
        offset,
        lambda metres: (
            rank_of_distance(campaign, metres, category_id=category_id, gender=gender) - 1
        ),
    )
    rows_out = [
        Row(rank, standing, campaign) for rank, standing in zip(ranks, standings, strict=True)
    ]
    return rows_out, count


_WHOLE_BOARD_PAGE_SQL = """
SELECT 'p', {cols},
  (SELECT COALESCE(SUM(participants), 0) FROM {t}
     WHERE campaign_id = %(c)s AND scope = 'campaign' AND key = 0)
FROM {s} s JOIN {u} u ON u.id = s.user_id
WHERE s.campaign_id = %(c)s AND s.is_active AND s.distance_m > 0
ORDER BY s.distance_m DESC, s.reached_at ASC NULLS LAST, s.bib ASC
LIMIT %(size)s OFFSET %(offset)s
"""


def _whole_board_page(campaign, offset: int, size: int) -> tuple[list[BoardLine], int]:
    """One page of the whole-campaign board and the board's size (the kept campaign
    total counts the same people: active, with a credited metre), in one statement
    whose rows become lines without the ORM's work per row."""
    from django.db import connection

    sql = _WHOLE_BOARD_PAGE_SQL.format(
        cols=_NEIGHBOUR_COLUMNS,
        t=Total._meta.db_table,
        s=Standing._meta.db_table,
        u=Standing._meta.get_field("user").related_model._meta.db_table,
    )
    params = {"c": campaign.pk, "size": size, "offset": offset}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return [], campaign_figures(campaign).participants
    return [_neighbour(row[:-1]) for row in rows], int(rows[0][-1])


def page_ranks(values: list[int], offset: int, count_ahead) -> list[int]:
    """Competition ranks (1, 2, 2, 4) of one page of a board sorted by `values`, best
    first, starting at place `offset`. A line with the value of the line before shares
    its rank; any other line is ranked by its place, since everyone before it is ahead.
    Only the first line, which may tie with the page before, needs `count_ahead(value)`
    (not called on the first page)."""
    ranks: list[int] = []
    for index, value in enumerate(values):
        if index and value == values[index - 1]:
            ranks.append(ranks[-1])
        elif index or offset == 0:
            ranks.append(offset + index + 1)
        else:
            ranks.append(1 + count_ahead(value))
    return ranks


_NEIGHBOUR_COLUMNS = (
    "s.id, s.registration_id, s.bib, s.distance_m, s.activities, s.steps, s.steps_estimated, "
    "s.reached_at, "
    "s.team_id, s.unit_id, s.user_id, u.full_name, u.birth_year, u.public_name_choice"
)
# The two people just above and just below one person on the whole-campaign board:
# four short scans of the board's index in one statement. Each part is wrapped in
# its own SELECT so that SQLite accepts ORDER BY and LIMIT inside the UNION.
_NEIGHBOURS_SQL = """
SELECT * FROM (SELECT 'a' AS side, {cols} FROM {s} s JOIN {u} u ON u.id = s.user_id
  WHERE s.campaign_id = %(c)s AND s.is_active AND s.distance_m = %(d)s
    AND (s.reached_at < %(r)s OR (s.reached_at = %(r)s AND s.bib < %(b)s))
  ORDER BY s.reached_at DESC, s.bib DESC LIMIT %(n)s) AS same_above
UNION ALL
SELECT * FROM (SELECT 'A' AS side, {cols} FROM {s} s JOIN {u} u ON u.id = s.user_id
  WHERE s.campaign_id = %(c)s AND s.is_active AND s.distance_m > %(d)s
  ORDER BY s.distance_m ASC, s.reached_at DESC NULLS FIRST, s.bib DESC LIMIT %(n)s) AS further_above
UNION ALL
SELECT * FROM (SELECT 'b' AS side, {cols} FROM {s} s JOIN {u} u ON u.id = s.user_id
  WHERE s.campaign_id = %(c)s AND s.is_active AND s.distance_m = %(d)s
    AND (s.reached_at > %(r)s OR (s.reached_at = %(r)s AND s.bib > %(b)s)
         OR s.reached_at IS NULL)
  ORDER BY s.reached_at ASC NULLS LAST, s.bib ASC LIMIT %(n)s) AS same_below
UNION ALL
SELECT * FROM (SELECT 'B' AS side, {cols} FROM {s} s JOIN {u} u ON u.id = s.user_id
  WHERE s.campaign_id = %(c)s AND s.is_active AND s.distance_m > 0 AND s.distance_m < %(d)s
  ORDER BY s.distance_m DESC, s.reached_at ASC NULLS LAST, s.bib ASC LIMIT %(n)s) AS further_below
"""
# The rank's two counts and the board's size, then ({between}) one count per other
# distance shown next to the person.
_COUNTS_SQL = (
    "SELECT "
    + _BUCKETS_ABOVE_SQL
    + """,
  (SELECT COUNT(*) FROM {s} WHERE campaign_id = %(c)s AND distance_m > %(d)s
     AND distance_m < %(top_of_bucket)s),
  (SELECT COALESCE(SUM(participants), 0) FROM {t}
     WHERE campaign_id = %(c)s AND scope = 'campaign' AND key = 0)
  {between}
"""
)


def _board_key(standing: Standing) -> tuple:
    """Board order: more distance first, then who reached it first, then bib."""
    reached = standing.reached_at.timestamp() if standing.reached_at else float("inf")
    return (-standing.distance_m, reached, standing.bib)


@dataclass(slots=True)
class Person:
    """The user's columns a board line needs for the public name."""

    pk: int
    full_name: str
    birth_year: int | None
    public_name_choice: str


@dataclass(slots=True)
class BoardLine:
    """A line as boards and "my rank" show it: what pages and the API read of a
    `Standing`, made straight from a row (a model instance costs more than the query)."""

    pk: int
    registration_id: int
    bib: int
    distance_m: int
    activities: int
    steps: int
    steps_estimated: int  # the part of `steps` estimated from the distance
    reached_at: datetime | None
    team_id: int | None
    unit_id: int | None
    user_id: int
    user: Person


def _neighbour(row) -> BoardLine:
    """A BoardLine from a row of (side, *_NEIGHBOUR_COLUMNS)."""
    *figures, full_name, birth_year, choice = row[1:]
    user_id = figures[-1]
    return BoardLine(*figures, user=Person(user_id, full_name, birth_year, choice))


def my_standing(campaign, registration, *, around: int = 2) -> dict | None:
    """The person's rank on the whole-campaign board with the people just above and
    below: three statements (the person, the neighbours, the counts)."""
    from django.db import connection

    standing = Standing.objects.filter(registration=registration).select_related("user").first()
    if standing is None or not standing.is_active or standing.distance_m == 0:
        return None
    metres = standing.distance_m
    tables = {
        "s": Standing._meta.db_table,
        "u": Standing._meta.get_field("user").related_model._meta.db_table,
        "b": ScoreBucket._meta.db_table,
        "t": Total._meta.db_table,
        "cols": _NEIGHBOUR_COLUMNS,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            _NEIGHBOURS_SQL.format(**tables),
            {
                "c": campaign.pk,
                "d": metres,
                # Raw SQL gets the value as the ORM would store it (SQLite keeps text).
                "r": connection.ops.adapt_datetimefield_value(standing.reached_at),
                "b": standing.bib,
                "n": around,
            },
        )
        found: dict[str, list[BoardLine]] = {"a": [], "A": [], "b": [], "B": []}
        for row in cursor.fetchall():
            found[row[0]].append(_neighbour(row))
        # A UNION keeps no order of its own: each side is put in board order here.
        for side in found.values():
            side.sort(key=_board_key)
        above = (found["a"][::-1] + found["A"][::-1])[:around]
        below = (found["b"] + found["B"])[:around]
        above.reverse()
        bucket = bucket_of(metres)
        # Each other distance shown is ranked from mine by the people in between:
        # short counts over the board's index, however long the ties beyond the list.
        others = sorted({s.distance_m for s in [*above, *below]} - {metres})
        between = " ".join(
            f", (SELECT COUNT(*) FROM {tables['s']} WHERE campaign_id = %(c)s AND is_active"
            f" AND distance_m > %(lo{i})s AND distance_m <= %(hi{i})s)"
            for i in range(len(others))
        )
        params = {"c": campaign.pk, "d": metres, **_bucket_params(metres)}
        params["top_of_bucket"] = (bucket + 1) * BUCKET_M
        for i, other in enumerate(others):
            params[f"lo{i}"], params[f"hi{i}"] = min(other, metres), max(other, metres)
        cursor.execute(_COUNTS_SQL.format(**tables, between=between), params)
        in_buckets_above, in_my_bucket, participants, *counts = cursor.fetchone()
    # No is_active test in the bucket-side count: a withdrawn person's line is zero.
    rank = 1 + int(in_buckets_above) + int(in_my_bucket)
    ranks = {metres: rank}
    for other, people in zip(others, counts, strict=True):
        # Ahead of me: fewer people ahead of them. Behind me: the ones in between too.
        ranks[other] = rank - int(people) if other > metres else rank + int(people)
    rows = [Row(ranks[s.distance_m], s, campaign) for s in [*above, standing, *below]]
    return {"rank": rank, "standing": standing, "rows": rows, "of": int(participants)}


def team_board(campaign, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[dict], int]:
    return _total_board(campaign, Scope.TEAM, page, size)


def unit_board(
    campaign, *, kind: str | None = None, within=None, page: int = 1, size: int = PAGE_SIZE
) -> tuple[list[dict], int]:
    """Units of one kind (schools, communes…), optionally inside one unit's subtree."""
    units = Unit.objects.all()
    if kind:
        units = units.filter(kind=kind)
    if within is not None:
        units = units.filter(path__startswith=within.path).exclude(pk=within.pk)
    return _total_board(campaign, Scope.UNIT, page, size, keys=units.values("pk"))


def _total_board(campaign, scope, page, size, keys=None) -> tuple[list[dict], int]:
    rows = Total.objects.filter(campaign=campaign, scope=scope)
    if keys is not None:
        rows = rows.filter(key__in=keys)
    grouped = (
        rows.values("key")
        .annotate(d=Sum("distance_m"), p=Sum("participants"), a=Sum("activities"), s=Sum("steps"))
        .filter(d__gt=0)
        .order_by("-d", "key")
    )
    count = grouped.count()
    offset = (max(page, 1) - 1) * size
    items = list(grouped[offset : offset + size])
    ranks = page_ranks(
        [item["d"] for item in items], offset, lambda d: grouped.filter(d__gt=d).count()
    )
    out = []
    for rank, item in zip(ranks, items, strict=True):
        out.append(
            {
                "rank": rank,
                "key": item["key"],
                "distance_m": item["d"],
                "participants": item["p"],
                "activities": item["a"],
                "steps": item["s"],
            }
        )
    return out, count


def day_board(campaign, day: date, page: int = 1, size: int = PAGE_SIZE) -> list[dict]:
    """Who walked furthest on one campaign day, with their km, activities and steps
    (and the part of the steps estimated) of that day."""
    rows = PersonDay.objects.filter(campaign=campaign, day=day, distance_m__gt=0)
    offset = (max(page, 1) - 1) * size
    items = list(
        rows.select_related("registration__user")
        .only(
            "distance_m",
            "activities",
            "steps",
            "steps_estimated",
            "registration__bib",
            *(f"registration__user__{field}" for field in names.NAME_FIELDS),
        )
        .order_by("-distance_m", F("reached_at").asc(nulls_last=True), "registration__bib")[
            offset : offset + size
        ]
    )
    ranks = page_ranks(
        [item.distance_m for item in items],
        offset,
        lambda metres: rows.filter(distance_m__gt=metres).count(),
    )
    out = []
    for rank, item in zip(ranks, items, strict=True):
        person = item.registration.user
        out.append(
            {
                "rank": rank,
                "registration_id": item.registration_id,
                "name": names.public_name(person, campaign),
                "bib": item.registration.bib if names.shows_bib(person, campaign) else None,
                "distance_m": item.distance_m,
                "activities": item.activities,
                "steps": item.steps,
                "steps_estimated": item.steps_estimated,
            }
        )
    return out
