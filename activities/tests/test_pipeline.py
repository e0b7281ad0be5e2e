"""From received bytes to judged activities: originals kept, one activity per
effort, a verdict per campaign, safe to run twice and resumable after a crash."""

import gzip
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import translation

from activities import judging, pipeline, tasks
from activities.models import Activity, StoredFile, Upload, UploadStatus, Verdict
from activities.signals import credits_added
from activities.synthetic import gpx_track, local
from activities.tests.factories import capped_campaign
from campaigns.rules import merged_rules
from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from kindsteps.testing.clock import NOW

FILES = Path(__file__).parent / "files"
RUN = FILES / "mapbox-togeojson__run.gpx"  # 3101 m, 2012-10-24 23:29:40Z, 948 s
RUN_START = datetime(2012, 10, 24, 23, 29, 40, tzinfo=UTC)
RUN_END = RUN_START + timedelta(seconds=948)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_campaign(tree, participant):
    """A campaign around the sample run, the participant registered before it."""
    campaign = CampaignFactory(
        organiser_unit=tree["LA"],
        starts_at=RUN_START - timedelta(days=1),
        ends_at=RUN_START + timedelta(days=30),
        registration_opens_at=RUN_START - timedelta(days=10),
        registration_closes_at=RUN_START + timedelta(days=20),
    )
    RegistrationFactory(
        campaign=campaign, user=participant, registered_at=RUN_START - timedelta(days=1)
    )
    return campaign


def soon_after(end=RUN_END):
    return end + timedelta(hours=1)


def receive(user, data, name="run.gpx", **kwargs):
    """An upload, processed by the job its commit queues (the job runs at once in tests)."""
    kwargs.setdefault("received_at", soon_after())
    upload = pipeline.receive(user, data, name, process=False, **kwargs)
    tasks.process_upload_task(upload.pk)
    upload.refresh_from_db()
    return upload


def test_a_real_run_becomes_one_accepted_activity(participant, run_campaign):
    upload = receive(participant, RUN.read_bytes())

    assert upload.status == UploadStatus.DONE
    activity = Activity.objects.get()
    assert upload.results == [
        {"name": "run.gpx", "ok": True, "error": None, "activities": [activity.pk]}
    ]
    # The file has one point twice: it is counted once, and the participant told so.
    assert (activity.sport, activity.distance_m, activity.points) == ("run", 3101, 205)
    assert activity.parse_notes == [{"code": "duplicates", "params": {"count": 1}}]
    assert activity.started_at == RUN_START
    assert activity.elapsed_s == 948
    assert 50 <= len(activity.track) <= 300
    assert len(activity.public_track) < len(activity.track)  # 200 m hidden at each end
    assert len(activity.series["km"]) == len(activity.series["kmh"]) > 50
    verdict = Verdict.objects.get()
    assert (verdict.campaign, verdict.status, verdict.credited_m) == (
        run_campaign,
        "accepted",
        3101,
    )
    assert verdict.reasons == []


def test_the_original_is_kept_by_its_sha256_and_stored_once(participant, run_campaign):
    data = RUN.read_bytes()
    first = receive(participant, data, "a.gpx")
    second = receive(participant, data, "b.gpx")

    stored = StoredFile.objects.get()
    assert stored.sha256 == pipeline.sha256_of(data)
    assert stored.content.name.endswith(stored.sha256)
    with default_storage.open(stored.content.name, "rb") as fh:
        assert fh.read() == data
    # The same file twice is the same activity, judged once.
    assert Activity.objects.count() == 1 and Verdict.objects.count() == 1
    assert first.results[0]["activities"] == second.results[0]["activities"]


def test_a_file_nobody_can_read_is_kept_and_reported(participant, run_campaign):
    data = b"<gpx><trk><trkseg><trkpt lat="
    upload = receive(participant, data, "broken.gpx")

    assert upload.status == UploadStatus.FAILED
    assert upload.results[0]["error"] == "malformed_file"
    assert pipeline.error_message("malformed_file")
    with StoredFile.objects.get().content.open("rb") as fh:
        assert fh.read() == data
    assert Activity.objects.count() == 0


def test_someone_elses_file_is_refused(participant, user_factory, run_campaign):
    receive(participant, RUN.read_bytes())
    other = user_factory("other@example.com")

    upload = receive(other, RUN.read_bytes())

    assert upload.results[0]["error"] == "already_uploaded_by_other"
    assert upload.status == UploadStatus.FAILED
    assert Activity.objects.filter(user=other).count() == 0


def test_a_zip_export_imports_its_good_files_and_reports_the_bad(participant, run_campaign):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("activities/run.gpx.gz", gzip.compress(RUN.read_bytes()))
        archive.writestr("activities/broken.gpx", b"<gpx><trk>")
        archive.writestr("activities/notes.txt", b"not an activity")
        archive.writestr(
            "activities/walk.fit", (FILES / "fitparse__garmin-fenix-5-walk.fit").read_bytes()
        )
    upload = receive(participant, buffer.getvalue(), "export.zip")

    results = {result["name"]: result for result in upload.results}
    assert results["activities/run.gpx.gz"]["ok"]
    assert results["activities/walk.fit"]["ok"]
    assert results["activities/broken.gpx"]["error"] == "malformed_file"
    assert results["activities/notes.txt"]["error"] == "unknown_format"
    assert upload.status == UploadStatus.DONE
    assert Activity.objects.count() == 2


def test_an_entity_bomb_is_refused_without_expanding(participant, run_campaign):
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    bomb += b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
        for i in range(1, 10)
    )
    bomb += b'<gpx version="1.1"><trk><name>&lol9;</name></trk></gpx>'
    upload = receive(participant, bomb, "bomb.gpx")
    assert upload.results[0]["error"] == "entity_bomb"


def test_an_upload_too_big_to_open_is_refused_at_the_door(participant, monkeypatch):
    monkeypatch.setattr(pipeline, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(pipeline.UploadError) as error:
        pipeline.receive(participant, b"x" * 1001, "huge.gpx")
    assert error.value.code == "too_large" and error.value.status == 413
    assert Upload.objects.count() == 0


def test_processing_twice_changes_nothing(participant, run_campaign):
    upload = receive(participant, RUN.read_bytes())
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PENDING)

    pipeline.process_upload(upload.pk)
    pipeline.process_upload(upload.pk)

    assert Activity.objects.count() == 1 and Verdict.objects.count() == 1


def test_a_crash_halfway_is_resumed_without_duplicates(participant, run_campaign, monkeypatch):
    calls = []

    def crash_once(activities):
        calls.append([activity.pk for activity in activities])
        if len(calls) == 1:
            raise RuntimeError("worker killed")
        return original(activities)

    original = pipeline.judge_activities
    monkeypatch.setattr(pipeline, "judge_activities", crash_once)
    upload = pipeline.receive(
        participant, RUN.read_bytes(), "run.gpx", received_at=soon_after(), process=False
    )
    with pytest.raises(RuntimeError):
        pipeline.process_upload(upload.pk)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.PROCESSING
    assert Activity.objects.count() == 1  # created, not yet judged

    # The sweep takes up uploads left unfinished for ten minutes.
    Upload.objects.filter(pk=upload.pk).update(received_at=NOW - timedelta(minutes=11))
    tasks.resume_stale_uploads.call_local()

    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE and upload.attempts == 2
    assert Activity.objects.count() == 1
    assert Verdict.objects.get().status == "accepted"


def test_one_activity_counts_in_every_campaign_under_its_own_rules(participant, run_campaign, tree):
    walk_only = CampaignFactory(
        organiser_unit=tree["LA"],
        starts_at=run_campaign.starts_at,
        ends_at=run_campaign.ends_at,
        registration_opens_at=run_campaign.registration_opens_at,
        registration_closes_at=run_campaign.registration_closes_at,
        sports=["walk"],
    )
    RegistrationFactory(
        campaign=walk_only, user=participant, registered_at=RUN_START - timedelta(1)
    )

    receive(participant, RUN.read_bytes())

    verdicts = {v.campaign_id: v for v in Verdict.objects.all()}
    assert verdicts[run_campaign.pk].status == "accepted"
    assert verdicts[walk_only.pk].status == "rejected"
    assert verdicts[walk_only.pk].codes == ["sport_not_allowed"]
    assert verdicts[walk_only.pk].credited_m == 0


@pytest.fixture
def tet_campaign(tree, participant):
    return capped_campaign(tree["LA"], participant)


def _effort(user, start, km, pace=400, name="walk.gpx"):
    data = gpx_track(start, km, pace, sport="running")
    return receive(user, data, name, received_at=start + timedelta(hours=3))


def test_the_daily_cap_credits_part_of_the_second_activity(participant, tet_campaign):
    _effort(participant, local(2026, 1, 10, 6), 3.2)
    _effort(participant, local(2026, 1, 10, 17), 3.2)
    _effort(participant, local(2026, 1, 11, 0, 5), 3.2)  # the next day in Vietnam

    verdicts = list(Verdict.objects.order_by("activity__started_at"))
    first, second, next_day = verdicts
    assert (first.status, first.credited_m) == ("accepted", first.activity.distance_m)
    assert second.status == "accepted"
    assert second.credited_m == 5000 - first.credited_m
    assert second.codes == ["daily_cap"]
    assert "5 km" in second.messages("en")[0]
    assert next_day.credited_m == next_day.activity.distance_m


def test_an_export_of_many_walks_is_judged_as_if_they_came_one_by_one(participant, tet_campaign):
    """The daily cap and the duplicate rule work across the files of one ZIP as across
    separate uploads, in the order of the files (the standings' side of it:
    standings/tests/test_uploads.py)."""
    walks = [
        ("a.gpx", gpx_track(local(2026, 1, 10, 6), 3.2, 400, sport="running")),
        ("b.gpx", gpx_track(local(2026, 1, 10, 17), 3.2, 400, sport="running")),
        ("c.gpx", gpx_track(local(2026, 1, 10, 6), 3.2, 400, sport="running")),  # a again
        ("d.gpx", gpx_track(local(2026, 1, 11, 0, 5), 3.2, 400, sport="running")),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in walks:
            archive.writestr(name, data)

    receive(participant, buffer.getvalue(), "export.zip", received_at=local(2026, 1, 11, 9))

    # A member's activity is known by "<sha256>/<member>#<track>".
    verdicts = {
        v.activity.external_id.split("/")[-1].split("#")[0]: v
        for v in Verdict.objects.select_related("activity")
    }
    first, second, again, next_day = (verdicts[name] for name, _data in walks)
    assert (first.status, first.credited_m) == ("accepted", first.activity.distance_m)
    assert (second.status, second.codes) == ("accepted", ["daily_cap"])
    assert second.credited_m == 5000 - first.credited_m
    assert (again.status, again.codes, again.credited_m) == ("rejected", ["other_copy"], 0)
    assert (next_day.status, next_day.credited_m) == ("accepted", next_day.activity.distance_m)


def test_an_export_hands_its_new_credits_over_all_at_once(participant, tet_campaign):
    """The standings add an upload's credits with a fixed handful of statements: judging
    sends them one credits_added with every new credit of the upload, not one per walk."""
    days = (10, 11, 12)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for day in days:
            archive.writestr(f"{day}.gpx", gpx_track(local(2026, 1, day, 6), 3.2, 400))
    sent = []

    def spy(sender, *, credits, **kwargs):
        sent.append(sorted(credit.started_at for credit in credits))

    credits_added.connect(spy)
    try:
        receive(participant, buffer.getvalue(), "export.zip", received_at=local(2026, 1, 12, 9))
    finally:
        credits_added.disconnect(spy)

    assert sent == [[local(2026, 1, day, 6) for day in days]]


def test_the_same_effort_from_two_files_counts_once(participant, tet_campaign):
    data = gpx_track(local(2026, 1, 10, 6), 4, 420)
    receive(participant, data, "phone.gpx", received_at=local(2026, 1, 10, 8))
    receive(participant, gzip.compress(data), "watch.gpx.gz", received_at=local(2026, 1, 10, 9))

    first, second = Verdict.objects.order_by("activity__received_at")
    assert first.status == "accepted"
    assert (second.status, second.codes, second.credited_m) == ("rejected", ["other_copy"], 0)
    assert "06:00" in second.messages("vi")[0]


def test_reasons_are_stored_in_both_languages(participant, tet_campaign):
    _effort(participant, local(2026, 1, 10, 6), 3, pace=170)  # 2:50/km: too fast to run

    verdict = Verdict.objects.get()
    assert verdict.status == "rejected"
    assert "pace_too_fast" in verdict.codes
    english = verdict.messages("en")[verdict.codes.index("pace_too_fast")]
    vietnamese = verdict.messages("vi")[verdict.codes.index("pace_too_fast")]
    assert "2:50" in english and "2:50" in vietnamese and english != vietnamese


def _judged_under_other_rules(campaign) -> list[int]:
    """Verdicts judged under other rules than the campaign's now."""
    current = judging.rules_hash(merged_rules(campaign.rules))
    return list(Verdict.objects.filter(campaign=campaign).exclude(rules_hash=current))


def test_changing_the_rules_judges_the_campaign_again(participant, tet_campaign):
    _effort(participant, local(2026, 1, 10, 6), 3.2)
    _effort(participant, local(2026, 1, 10, 17), 3.2)
    assert sorted(Verdict.objects.values_list("credited_m", flat=True))[0] < 3200

    tet_campaign.rules = {"daily_cap_m": None}
    tet_campaign.save()
    assert list(_judged_under_other_rules(tet_campaign))
    tasks.rejudge_campaign_task(tet_campaign.pk)

    assert all(v.credited_m == v.activity.distance_m for v in Verdict.objects.all())
    assert not list(_judged_under_other_rules(tet_campaign))


def test_campaign_track_limits_are_read_from_the_original_file(participant, run_campaign):
    receive(participant, RUN.read_bytes())
    assert Verdict.objects.get().status == "accepted"

    # A campaign far stricter about jumps between points: the file is read again.
    run_campaign.rules = {"gps_jump_speed_mps": 4.5, "gps_step_error_m": 0}
    run_campaign.save()
    judging.rejudge_registration(Verdict.objects.get().registration_id)

    verdict = Verdict.objects.get()
    assert "gps_jump" in verdict.codes


def test_activities_before_registering_do_not_count_where_the_campaign_says_so(participant, tree):
    campaign = CampaignFactory(
        organiser_unit=tree["LA"],
        count_before_registration=False,
        starts_at=local(2026, 1, 1),
        ends_at=local(2026, 3, 1),
        registration_opens_at=local(2025, 12, 1),
        registration_closes_at=local(2026, 2, 1),
    )
    RegistrationFactory(campaign=campaign, user=participant, registered_at=local(2026, 1, 10, 12))

    _effort(participant, local(2026, 1, 10, 6), 3.2)

    assert Verdict.objects.get().codes == ["before_registration"]


def test_a_manual_entry_is_refused_unless_a_campaign_allows_it(participant, tree):
    campaign = CampaignFactory(organiser_unit=tree["LA"])  # started yesterday
    RegistrationFactory(campaign=campaign, user=participant, registered_at=NOW - timedelta(days=1))
    started = NOW - timedelta(hours=2)
    entry = {"sport": "walk", "started_at": started, "duration_s": 3600, "distance_m": 5000}
    with pytest.raises(pipeline.UploadError) as error:
        pipeline.record_manual(participant, **entry)
    assert error.value.code == "manual_not_allowed"

    campaign.rules = {"allow_manual": True}
    campaign.save()
    activity = pipeline.record_manual(participant, **entry)

    assert activity.is_manual and not activity.has_gps
    verdict = activity.verdicts.get()
    assert (verdict.status, verdict.credited_m) == ("accepted", 5000), verdict.reasons


def test_the_sport_a_file_does_not_name_is_guessed_from_its_pace(participant, tet_campaign):
    walk = gpx_track(local(2026, 1, 12, 6), 2, 700, sport="")
    upload = receive(participant, walk, "walk.gpx", received_at=local(2026, 1, 12, 8))
    assert Activity.objects.get(pk=upload.results[0]["activities"][0]).sport == "walk"


def test_a_campaign_far_from_the_activity_gives_no_verdict(participant, tree, tet_campaign):
    last_year = CampaignFactory(
        organiser_unit=tree["LA"],
        starts_at=local(2025, 1, 1),
        ends_at=local(2025, 3, 1),
        registration_opens_at=local(2024, 12, 1),
        registration_closes_at=local(2025, 2, 1),
    )
    RegistrationFactory(campaign=last_year, user=participant, registered_at=local(2024, 12, 2))

    _effort(participant, local(2026, 1, 10, 6), 3.2)

    assert list(Verdict.objects.values_list("campaign", flat=True)) == [tet_campaign.pk]


def test_a_run_across_the_closing_midnight_is_judged_and_refused(participant, tet_campaign):
    _effort(participant, local(2026, 2, 28, 23, 50), 4, pace=450)  # ends 00:20 on 1 March

    verdict = Verdict.objects.get()
    assert verdict.codes == ["outside_window"]
    assert "24:00" in verdict.messages("en")[0]


def test_an_organiser_changing_the_rules_has_the_campaign_judged_again(
    client, owner, participant, tree, django_capture_on_commit_callbacks
):
    from campaigns.tests.conftest import campaign_post

    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"],
        slug="plan-2024",
        starts_at=local(2024, 2, 25, 8),
        ends_at=local(2024, 4, 22),
        registration_opens_at=local(2024, 2, 20),
        registration_closes_at=local(2024, 4, 22),
    )
    RegistrationFactory(campaign=campaign, user=participant, registered_at=local(2024, 2, 25, 8))
    _effort(participant, local(2024, 3, 2, 6), 3.2)
    _effort(participant, local(2024, 3, 2, 17), 3.2)
    assert all(v.status == "accepted" for v in Verdict.objects.all())

    client.force_login(owner)
    data = campaign_post(tree["LA-CD"], slug="plan-2024", **{"rules-daily_cap_km": "5"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/manage/campaigns/{campaign.slug}/", data)
    assert response.status_code == 302, response.content

    evening = Verdict.objects.get(activity__started_at=local(2024, 3, 2, 17))
    assert evening.codes == ["daily_cap"]
    assert evening.credited_m == 5000 - Verdict.objects.exclude(pk=evening.pk).get().credited_m


def test_what_reading_noticed_is_stored_and_told_in_both_languages(participant, run_campaign):
    receive(participant, RUN.read_bytes())
    activity = Activity.objects.get()
    assert activity.gps_distance_m == activity.distance_m == 3101
    assert activity.device_distance_m is None
    assert activity.parse_notes == [{"code": "duplicates", "params": {"count": 1}}]
    with translation.override("en"):
        assert activity.parse_messages == [
            "1 point appeared twice in the file and was counted once."
        ]
    with translation.override("vi"):
        assert activity.parse_messages == [
            "1 điểm xuất hiện hai lần trong tệp và chỉ được tính một lần."
        ]


def test_a_watch_file_keeps_the_device_distance_beside_the_gps_sum(participant, tree):
    data = (FILES / "sports-lib__6909950168.fit").read_bytes()
    upload = pipeline.receive(participant, data, "run.fit", process=False)
    tasks.process_upload_task(upload.pk)
    activity = Activity.objects.get()
    assert (activity.distance_m, activity.device_distance_m, activity.gps_distance_m) == (
        6458,
        6458,
        6507,
    )
