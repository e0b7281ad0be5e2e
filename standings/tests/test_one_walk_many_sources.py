"""The same walk arriving from several sources (the watch's FIT file, Strava, the
browser recorder) is one walk on the board: exactly one copy is credited, by the
source priority of activities/sources.py, and the credit moves once when a better
copy arrives later or the counted one is withdrawn.

The concurrent case runs on both databases (core/tests/concurrency.py)."""

from datetime import timedelta

import pytest

from activities import pipeline, review
from activities.models import Activity, Source, Verdict
from activities.synthetic import EARTH_R, gpx_track, local
from activities.tests.factories import registration_of
from activities.tests.fitfiles import SEMICIRCLES, SPORTS, FitWriter, fit_time
from campaigns.tests.factories import CampaignFactory
from core.tests.concurrency import at_once, waiting_for_sqlite
from standings.models import Scope, Standing, Total
from standings.rebuild import rebuild_campaign

START = local(2026, 1, 10, 6)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree, participant):
    """January and February 2026, no daily cap, the participant registered before."""
    campaign = CampaignFactory(
        organiser_unit=tree["LA"],
        starts_at=local(2026, 1, 1),
        ends_at=local(2026, 3, 1),
        registration_opens_at=local(2025, 12, 1),
        registration_closes_at=local(2026, 2, 1),
    )
    registration_of(campaign, participant)
    return campaign


def fit_walk(start, km: float, pace_s_per_km: float, step_s: int = 5) -> bytes:
    """A watch's FIT file of a straight walk north: records with position and distance."""
    writer = FitWriter()
    begin = fit_time(start.timestamp())
    writer.add("file_id", type=4, manufacturer=1, product=1, time_created=begin)
    speed = 1000.0 / pace_s_per_km
    total = int(km * 1000 / speed)
    for second in range(0, total + 1, step_s):
        metres = second * speed
        lat = 10.6035 + (metres / EARTH_R) * 180 / 3.141592653589793
        writer.add(
            "record",
            timestamp=begin + second,
            position_lat=int(lat * SEMICIRCLES),
            position_long=int(106.6712 * SEMICIRCLES),
            altitude=3.0,
            distance=metres,
        )
    writer.add(
        "session",
        timestamp=begin + total,
        start_time=begin,
        sport=SPORTS["walking"],
        total_elapsed_time=total,
        total_distance=km * 1000,
    )
    return writer.encode()


def arrive(user, data: bytes, name: str, *, source=Source.WEB, hours_after: float = 2):
    upload = pipeline.receive(
        user,
        data,
        name,
        source=source,
        received_at=START + timedelta(hours=hours_after),
        process=False,
    )
    upload = pipeline.process_upload(upload.pk)
    return Activity.objects.get(pk=upload.results[0]["activities"][0])


def strava_copy(start=START, km: float = 4.0):
    # Strava's copy is a TCX with its own points (trackers/tcx.py); a GPX of the same
    # walk stands for it here: only the source and the times decide.
    return gpx_track(start + timedelta(seconds=3), km * 0.98, 700, sport="walking")


def line(campaign) -> tuple[int, int]:
    standing = Standing.objects.get(registration__campaign=campaign)
    return standing.distance_m, standing.activities


def campaign_total(campaign) -> int:
    return sum(
        Total.objects.filter(campaign=campaign, scope=Scope.CAMPAIGN).values_list(
            "distance_m", flat=True
        )
    )


def verdict(activity) -> Verdict:
    return Verdict.objects.get(activity=activity)


def test_a_fit_upload_then_the_strava_copy_of_the_same_walk_is_credited_once(participant, campaign):
    watch = arrive(participant, fit_walk(START, 4, 700), "walk.fit")
    strava = arrive(participant, strava_copy(), "strava-1.tcx", source=Source.STRAVA)

    assert verdict(watch).status == "accepted"
    copy = verdict(strava)
    assert (copy.status, copy.codes, copy.credited_m) == ("rejected", ["other_copy"], 0)
    assert "FIT" in copy.messages("en")[0] and "Strava" in copy.messages("en")[0]
    assert strava.copy_of == watch
    assert line(campaign) == (verdict(watch).credited_m, 1)
    assert campaign_total(campaign) == verdict(watch).credited_m
    assert rebuild_campaign(campaign, fix=False).total == 0


def test_the_watch_file_arriving_after_strava_takes_over_the_credit(participant, campaign):
    strava = arrive(participant, strava_copy(), "strava-1.tcx", source=Source.STRAVA)
    assert line(campaign) == (verdict(strava).credited_m, 1)

    watch = arrive(participant, fit_walk(START, 4, 700), "walk.fit", hours_after=5)

    strava.refresh_from_db()
    assert strava.copy_of == watch
    assert verdict(watch).status == "accepted"
    assert (verdict(strava).status, verdict(strava).codes) == ("rejected", ["other_copy"])
    # The credit moved once: the line holds the watch's distance, not both.
    assert line(campaign) == (verdict(watch).credited_m, 1)
    assert campaign_total(campaign) == verdict(watch).credited_m
    assert rebuild_campaign(campaign, fix=False).total == 0


def test_two_different_walks_on_the_same_day_both_count(participant, campaign):
    morning = arrive(participant, fit_walk(START, 4, 700), "am.fit")
    evening = arrive(
        participant, strava_copy(START + timedelta(hours=11)), "pm.tcx", source=Source.STRAVA
    )

    assert verdict(morning).status == verdict(evening).status == "accepted"
    assert morning.copy_of is None and evening.copy_of is None
    assert line(campaign) == (verdict(morning).credited_m + verdict(evening).credited_m, 2)


def test_within_one_source_the_first_to_arrive_counts(participant, campaign):
    first = arrive(participant, gpx_track(START, 4, 700, creator="phone"), "a.gpx")
    second = arrive(participant, gpx_track(START, 4, 700, creator="watch"), "b.gpx", hours_after=3)

    assert verdict(first).status == "accepted"
    assert second.copy_of == first
    assert "first to arrive" in verdict(second).messages("en")[0]


def test_deleting_the_counted_copy_lets_the_other_count(participant, campaign):
    watch = arrive(participant, fit_walk(START, 4, 700), "walk.fit")
    strava = arrive(participant, strava_copy(), "strava-1.tcx", source=Source.STRAVA)

    review.delete_activity(watch, user=participant)

    strava.refresh_from_db()
    assert strava.copy_of is None
    assert verdict(strava).status == "accepted"
    assert line(campaign) == (verdict(strava).credited_m, 1)
    assert rebuild_campaign(campaign, fix=False).total == 0


def test_a_strava_copy_withdrawn_on_strava_leaves_the_watch_file_counted(participant, campaign):
    strava = arrive(participant, strava_copy(), "strava-1.tcx", source=Source.STRAVA)
    watch = arrive(participant, fit_walk(START, 4, 700), "walk.fit", hours_after=5)

    review.delete_activity(strava, user=participant)  # what trackers.withdraw does

    assert verdict(watch).status == "accepted"
    assert line(campaign) == (verdict(watch).credited_m, 1)


def test_a_walk_the_browser_recorded_beside_the_watch_gives_way_to_the_watch(participant, campaign):
    phone = arrive(
        participant,
        gpx_track(START + timedelta(minutes=4), 3.6, 700),
        "recording.gpx",
        source=Source.BROWSER,
    )
    watch = arrive(participant, fit_walk(START, 4, 700), "walk.fit", hours_after=3)

    phone.refresh_from_db()
    assert phone.copy_of == watch
    assert line(campaign) == (verdict(watch).credited_m, 1)


@pytest.mark.django_db(transaction=True)
def test_two_copies_arriving_at_once_are_credited_once(participant, campaign):
    uploads = [
        pipeline.receive(
            participant,
            data,
            name,
            source=source,
            received_at=START + timedelta(hours=2),
            process=False,
        ).pk
        for data, name, source in (
            (fit_walk(START, 4, 700), "walk.fit", Source.WEB),
            (strava_copy(), "strava-1.tcx", Source.STRAVA),
        )
    ]

    outcomes = at_once(
        [lambda pk=pk: waiting_for_sqlite(pipeline.process_upload, pk) for pk in uploads]
    )

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    statuses = dict(Verdict.objects.values_list("activity__source", "status"))
    assert statuses == {"web": "accepted", "strava": "rejected"}
    watch = Verdict.objects.get(activity__source="web")
    assert line(campaign) == (watch.credited_m, 1)
    assert campaign_total(campaign) == watch.credited_m
