"""Reading the standings: campaign figures, boards, ranks and daily series.

Ranking is competition ranking on credited distance: people with the same
distance share a rank (1, 2, 2, 4). Within a rank they are listed by who reached
that distance first (`reached_at`, the end of their last credited activity), then
by bib — a deterministic order. Public boards show names and totals only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, QuerySet, Sum
from django.db.models.expressions import RawSQL

from standings.models import PersonDay, Scope, ScoreBucket, Standing, Total
from standings.services import BUCKET_M, bucket_of

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

    The whole-campaign board counts 100 m buckets above and the few people in the
    same bucket; category and gender boards count over their index."""
    if category_id is None and not gender:
        bucket = bucket_of(distance_m)
        above = (
            ScoreBucket.objects.filter(campaign=campaign, bucket__gt=bucket).aggregate(
                n=Sum("count")
            )["n"]
            or 0
        )
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


@dataclass
class Row:
    rank: int
    standing: Standing

    @property
    def name(self) -> str:
        return self.standing.user.full_name or f"#{self.standing.bib}"


def _CAMPAIGN_PARTICIPANTS(campaign_id: int) -> RawSQL:  # noqa: N802 - reads as a value
    return RawSQL(
        f"(SELECT COALESCE(SUM(participants), 0) FROM {Total._meta.db_table} "
        "WHERE campaign_id = %s AND scope = 'campaign' AND key = 0)",
        [campaign_id],
    )


def board_page(
    campaign, page: int = 1, *, category_id=None, gender=None, size: int = PAGE_SIZE
) -> tuple[list[Row], int]:
    """One page of a board with competition ranks, and the number of people on it."""
    rows = _board(campaign, category_id=category_id, gender=gender)
    offset = (max(page, 1) - 1) * size
    whole_board = category_id is None and not gender
    page_rows = rows.select_related("user").only(
        "bib",
        "distance_m",
        "activities",
        "steps",
        "reached_at",
        "team_id",
        "unit_id",
        "user__full_name",
    )
    if whole_board:
        # The kept total counts the same people (active, with a credited metre); read
        # in the same statement as the page, the database works it out once.
        page_rows = page_rows.annotate(board_size=_CAMPAIGN_PARTICIPANTS(campaign.pk))
    standings = list(page_rows.order_by(*BOARD_ORDER)[offset : offset + size])
    if whole_board:
        count = (
            int(standings[0].board_size) if standings else campaign_figures(campaign).participants
        )
    else:
        count = rows.count()
    # Nobody is ahead of the first line of the first page: its rank needs no counting.
    first_rank = 1 if offset == 0 else None
    ranked = _ranked(
        campaign, standings, first_rank=first_rank, category_id=category_id, gender=gender
    )
    return ranked, count


def _ranked(campaign, standings: list[Standing], first_rank: int | None = None, **board):
    """Competition ranks of consecutive rows of a board (the first one's given or counted)."""
    out: list[Row] = []
    for index, standing in enumerate(standings):
        if index and standing.distance_m == standings[index - 1].distance_m:
            rank = out[-1].rank
        elif index:
            rank = out[-1].rank + sum(1 for _row in _same_run(out))
        elif first_rank is not None:
            rank = first_rank
        else:
            rank = rank_of_distance(campaign, standing.distance_m, **board)
        out.append(Row(rank, standing))
    return out


def _same_run(rows: list[Row]):
    """The trailing rows that share the last row's rank."""
    last = rows[-1].rank
    for row in reversed(rows):
        if row.rank != last:
            break
        yield row


_NEIGHBOUR_COLUMNS = (
    "s.id, s.registration_id, s.bib, s.distance_m, s.activities, s.steps, s.reached_at, "
    "s.team_id, s.unit_id, s.user_id, u.full_name"
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
# The rank's two counts, the people between me and the top neighbour, and the board's size.
_COUNTS_SQL = """
SELECT
  (SELECT COALESCE(SUM(count), 0) FROM {b} WHERE campaign_id = %(c)s AND bucket > %(k)s),
  (SELECT COUNT(*) FROM {s} WHERE campaign_id = %(c)s AND distance_m > %(d)s
     AND distance_m < %(top_of_bucket)s),
  (SELECT COUNT(*) FROM {s} WHERE campaign_id = %(c)s AND is_active
     AND distance_m > %(d)s AND distance_m <= %(top)s),
  (SELECT COALESCE(SUM(participants), 0) FROM {t}
     WHERE campaign_id = %(c)s AND scope = 'campaign' AND key = 0)
"""


def _board_key(standing: Standing) -> tuple:
    """Board order: more distance first, then who reached it first, then bib."""
    reached = standing.reached_at.timestamp() if standing.reached_at else float("inf")
    return (-standing.distance_m, reached, standing.bib)


def _neighbour(row) -> Standing:
    from accounts.models import User

    (_side, pk, registration_id, bib, distance_m, activities, steps, reached_at) = row[:8]
    team_id, unit_id, user_id, full_name = row[8:]
    standing = Standing(
        pk=pk,
        registration_id=registration_id,
        bib=bib,
        distance_m=distance_m,
        activities=activities,
        steps=steps,
        reached_at=reached_at,
        team_id=team_id,
        unit_id=unit_id,
        user_id=user_id,
    )
    standing.user = User(pk=user_id, full_name=full_name)
    return standing


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
        found: dict[str, list[Standing]] = {"a": [], "A": [], "b": [], "B": []}
        for row in cursor.fetchall():
            found[row[0]].append(_neighbour(row))
        # A UNION keeps no order of its own: each side is put in board order here.
        for side in found.values():
            side.sort(key=_board_key)
        above = (found["a"][::-1] + found["A"][::-1])[:around]
        below = (found["b"] + found["B"])[:around]
        above.reverse()
        bucket = bucket_of(metres)
        top = above[0].distance_m if above else metres
        cursor.execute(
            _COUNTS_SQL.format(**tables),
            {
                "c": campaign.pk,
                "k": bucket,
                "d": metres,
                "top_of_bucket": (bucket + 1) * BUCKET_M,
                "top": top,
            },
        )
        in_buckets_above, in_my_bucket, between, participants = cursor.fetchone()
    # No is_active test in the bucket-side count: a withdrawn person's line is zero.
    rank = 1 + int(in_buckets_above) + int(in_my_bucket)
    # The top row's rank: mine less the people between us, when it is further ahead.
    first_rank = rank - int(between) if above and above[0].distance_m != metres else rank
    rows = _ranked(campaign, [*above, standing, *below], first_rank=first_rank)
    return {"rank": rank, "standing": standing, "rows": rows, "of": int(participants)}


def team_board(campaign, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[dict], int]:
    return _total_board(campaign, Scope.TEAM, page, size)


def unit_board(
    campaign, *, kind: str | None = None, within=None, page: int = 1, size: int = PAGE_SIZE
) -> tuple[list[dict], int]:
    """Units of one kind (schools, communes…), optionally inside one unit's subtree."""
    from orgs.models import Unit

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
    out = []
    for index, item in enumerate(items):
        if index and item["d"] == items[index - 1]["d"]:
            rank = out[-1]["rank"]
        elif index == 0:
            rank = 1 + grouped.filter(d__gt=item["d"]).count()
        else:
            rank = offset + index + 1
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
    """Who walked furthest on one campaign day."""
    rows = PersonDay.objects.filter(campaign=campaign, day=day, distance_m__gt=0)
    offset = (max(page, 1) - 1) * size
    items = list(
        rows.select_related("registration__user").order_by(
            "-distance_m", F("reached_at").asc(nulls_last=True), "registration__bib"
        )[offset : offset + size]
    )
    out = []
    for index, item in enumerate(items):
        if index and item.distance_m == items[index - 1].distance_m:
            rank = out[-1]["rank"]
        elif index == 0:
            rank = 1 + rows.filter(distance_m__gt=item.distance_m).count()
        else:
            rank = offset + index + 1
        out.append(
            {
                "rank": rank,
                "name": item.registration.user.full_name or f"#{item.registration.bib}",
                "bib": item.registration.bib,
                "distance_m": item.distance_m,
                "activities": item.activities,
            }
        )
    return out
