"""Counters added to with one upsert: a row is made when missing and added to
when there, in one statement however many rows, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from core.counters import many_rows, upsert
from standings.models import PersonDay, ScoreBucket

pytestmark = pytest.mark.django_db

BUCKETS = ScoreBucket._meta.db_table
COLUMNS = ("campaign_id", "bucket", "shard", "count")
TYPES = ("bigint", "integer", "integer", "bigint")


@pytest.fixture
def campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD"])


def counts(campaign) -> dict:
    rows = ScoreBucket.objects.filter(campaign=campaign).values_list("bucket", "shard", "count")
    return {(bucket, shard): count for bucket, shard, count in rows}


def add_buckets(rows, types=TYPES):
    upsert(
        BUCKETS, COLUMNS, rows, key=("campaign_id", "bucket", "shard"), add=("count",), types=types
    )


@pytest.mark.parametrize("types", [TYPES, None], ids=["arrays", "values"])
def test_rows_are_made_then_added_to_in_one_statement_each(campaign, types):
    with CaptureQueriesContext(connection) as queries:
        add_buckets([(campaign.pk, 10, 0, 1), (campaign.pk, 11, 0, 2)], types)
        add_buckets([(campaign.pk, 10, 0, 5), (campaign.pk, 12, 1, -1)], types)
    assert len(queries) == 2
    assert counts(campaign) == {(10, 0): 6, (11, 0): 2, (12, 1): -1}


def test_no_rows_no_statement(campaign):
    with CaptureQueriesContext(connection) as queries:
        assert upsert(BUCKETS, COLUMNS, [], key=("campaign_id",), add=("count",)) == []
    assert len(queries) == 0


def test_replace_and_latest_columns_and_the_rows_written_back(campaign):
    registration = RegistrationFactory(campaign=campaign)
    ops = connection.ops
    day = ops.adapt_datefield_value(date(2024, 3, 10))
    early, late = (
        ops.adapt_datetimefield_value(datetime(2024, 3, 10, hour, tzinfo=UTC)) for hour in (1, 5)
    )
    columns = ("campaign_id", "registration_id", "day", "distance_m", "activities", "reached_at")

    def write(metres, reached):
        return upsert(
            PersonDay._meta.db_table,
            columns,
            [(campaign.pk, registration.pk, day, metres, 1, reached)],
            key=("registration_id", "day"),
            add=("distance_m", "activities"),
            latest=("reached_at",),
            types=("bigint", "bigint", "date", "bigint", "integer", "timestamptz"),
            returning=("activities",),
        )

    assert write(1000, late) == [(1,)]
    assert write(500, early) == [(2,)]
    person_day = PersonDay.objects.get()
    assert (person_day.distance_m, person_day.activities) == (1500, 2)
    assert person_day.reached_at == datetime(2024, 3, 10, 5, tzinfo=UTC)  # the later one kept

    upsert(
        PersonDay._meta.db_table,
        columns,
        [(campaign.pk, registration.pk, day, 42, 7, early)],
        key=("registration_id", "day"),
        replace=("distance_m", "activities", "reached_at"),
    )
    person_day.refresh_from_db()
    assert (person_day.distance_m, person_day.activities) == (42, 7)


def test_many_rows_is_a_values_list_or_one_array_per_column():
    source, params = many_rows([(1, "a"), (2, "b")])
    if connection.vendor == "postgresql":
        assert source == "VALUES (%s, %s), (%s, %s)"
        arrays, columns = many_rows([(1, "a"), (2, "b")], ("bigint", "text"))
        assert arrays == "SELECT * FROM unnest(%s::bigint[], %s::text[])"
        assert columns == [[1, 2], ["a", "b"]]
    else:
        assert source == "VALUES (%s, %s), (%s, %s)"
    assert params == [1, "a", 2, "b"]
