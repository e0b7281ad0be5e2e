"""The participant's activity pages: upload, reading status, list, activity
page, complaint, sport change, deletion and manual entry."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities import pipeline
from activities.models import Activity, Complaint, Upload, UploadStatus, Verdict
from campaigns.tests.factories import CampaignFactory, RegistrationFactory

FILES = Path(__file__).parent / "files"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
# A 6.5 km run from 23:14 to 23:51 on 04/03/2020, Vietnam time.
RUN = "sports-lib__6909950168.fit"
BAD = "placemark-togeojson__bad.gpx"
LONG_AGO = {"sync_window_hours": 10**6, "close_grace_hours": 10**6}


def sample(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FILES / name).read_bytes())


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def march_2020(tree):
    """March 2020, Vietnam time; arrivals years later still count."""
    return CampaignFactory(
        slug="thang-3-2020",
        title_vi="Tháng Ba 2020",
        title_en="March 2020",
        organiser_unit=tree["LA-CD"],
        starts_at=datetime(2020, 3, 1, 8, tzinfo=VN),
        ends_at=datetime(2020, 4, 1, tzinfo=VN),
        rules=dict(LONG_AGO),
    )


@pytest.fixture
def enrolled(march_2020, participant):
    return RegistrationFactory(
        campaign=march_2020, user=participant, registered_at=datetime(2020, 2, 1, tzinfo=VN)
    )


@pytest.fixture
def walker(client, participant):
    client.force_login(participant)
    return client


@pytest.fixture
def post_files(walker, django_capture_on_commit_callbacks):
    """Post files the way the no-script form does; reading runs before it returns."""

    def post(*files, headers=None, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return walker.post(
                reverse("activities:upload"), {"files": list(files), **data}, headers=headers
            )

    return post


def uploaded_run(user) -> Activity:
    """The run, read and judged as if it arrived just after it ended."""
    upload = pipeline.receive(
        user,
        (FILES / RUN).read_bytes(),
        RUN,
        received_at=datetime(2020, 3, 5, 0, tzinfo=VN),
        process=False,
    )
    pipeline.process_upload(upload.pk)
    return Activity.objects.get(upload=upload)


# --- access ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [
        ("activities:list", []),
        ("activities:upload", []),
        ("activities:manual", []),
        ("activities:detail", [1]),
        ("activities:upload_status", [1]),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, db, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_another_persons_activity_is_not_found(client, enrolled, participant, user_factory):
    activity = uploaded_run(participant)
    client.force_login(user_factory("other@example.org"))
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 404
    assert client.post(reverse("activities:delete", args=[activity.pk])).status_code == 404
    assert client.post(reverse("activities:sport", args=[activity.pk])).status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_another_persons_upload_status_and_verdict_are_not_found(
    client, enrolled, participant, user_factory
):
    activity = uploaded_run(participant)
    verdict = activity.verdicts.get()
    client.force_login(user_factory("other@example.org"))
    assert (
        client.get(reverse("activities:upload_status", args=[activity.upload_id])).status_code
        == 404
    )
    response = client.post(
        reverse("activities:complain", args=[verdict.pk]), {"text": "Not mine at all, sorry"}
    )
    assert response.status_code == 404


# --- upload -----------------------------------------------------------------


def status_of(client, upload: Upload) -> str:
    return client.get(reverse("activities:upload_status", args=[upload.pk])).content.decode()


def test_a_bad_file_is_reported_and_the_good_one_of_the_batch_imported(
    post_files, walker, enrolled
):
    response = post_files(sample(RUN), sample(BAD), SimpleUploadedFile("empty.gpx", b""))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="upload-item') == 3
    assert RUN in body and BAD in body and "empty.gpx" in body
    assert str(pipeline.ERROR_MESSAGES["empty_file"]) in body
    # Each received file follows its reading; the run is imported, the bad one says why.
    assert Activity.objects.filter(user=enrolled.user).count() == 1
    bad = Upload.objects.get(filename=BAD)
    assert bad.status == UploadStatus.FAILED
    message = pipeline.error_message(bad.results[0]["error"], bad.results[0].get("params"))
    assert message in status_of(walker, bad)
    good = status_of(walker, Upload.objects.get(filename=RUN))
    assert "activity-card" in good and "6,46 km" in good  # Vietnamese notation


def test_a_too_large_file_is_refused_unread_while_the_other_goes_through(
    post_files, walker, enrolled, monkeypatch
):
    monkeypatch.setattr(pipeline, "MAX_UPLOAD_BYTES", 200_000)
    big = SimpleUploadedFile("huge.gpx", b"<gpx>" + b" " * 200_000 + b"</gpx>")
    walker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = post_files(big, sample(RUN)).content.decode()
    assert "huge.gpx" in body
    assert 'role="alert">The file is too large. Up to 195.3\xa0KB each.' in body
    assert not Upload.objects.filter(filename="huge.gpx").exists()
    assert Activity.objects.filter(user=enrolled.user).count() == 1


def test_the_too_large_message_is_in_the_visitors_language(post_files, walker, db, monkeypatch):
    monkeypatch.setattr(pipeline, "MAX_UPLOAD_BYTES", 2 * 1024 * 1024)

    def big():
        return SimpleUploadedFile("huge.gpx", b"x" * (2 * 1024 * 1024 + 1))

    assert 'role="alert">Tệp quá lớn.' in post_files(big()).content.decode()
    walker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'role="alert">The file is too large.' in post_files(big()).content.decode()


def test_the_script_gets_one_fragment_per_file(post_files, walker, enrolled):
    response = post_files(sample(RUN), headers={"X-KindSteps-Upload": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and body.count('class="upload-item') == 1
    assert 'hx-trigger="every 2s"' in body
    assert "activity-card" in status_of(walker, Upload.objects.get())


def test_a_refused_file_gets_its_fragment_with_the_reason(post_files, db):
    response = post_files(SimpleUploadedFile("empty.fit", b""), headers={"X-KindSteps-Upload": "1"})
    assert response.status_code == 400
    assert str(pipeline.ERROR_MESSAGES["empty_file"]) in response.content.decode()


def test_the_file_picker_offers_kml_and_a_planned_route_is_refused_as_one(post_files, walker):
    # A phone's picker greys out what the input does not accept: KML must be offered.
    page = walker.get(reverse("activities:upload")).content.decode()
    assert 'accept=".gpx,.tcx,.fit,.kml,.kmz,.gz,.zip"' in page
    assert "GPX, TCX, FIT hoặc KML" in page
    post_files(sample("gpxpy__route.gpx"))
    route = Upload.objects.get(filename="gpxpy__route.gpx")
    assert route.status == UploadStatus.FAILED
    assert "tuyến đường 55 điểm được vẽ sẵn trên bản đồ" in status_of(walker, route)


def test_posting_no_file_asks_for_one(post_files, db):
    response = post_files()
    assert response.status_code == 400
    assert Upload.objects.count() == 0


def test_the_chosen_sport_is_kept_with_the_upload(post_files, enrolled):
    post_files(sample(RUN), sport="walk")
    assert Upload.objects.get().sport == "walk"
    assert Activity.objects.get().sport == "walk"


def test_an_unfinished_upload_polls_and_a_finished_one_shows_its_verdicts(
    walker, enrolled, participant
):
    upload = pipeline.receive(participant, (FILES / RUN).read_bytes(), RUN, process=False)
    url = reverse("activities:upload_status", args=[upload.pk])
    body = walker.get(url).content.decode()
    assert f'hx-get="{url}"' in body and 'hx-trigger="every 2s"' in body
    assert "<html" not in body

    pipeline.process_upload(upload.pk)
    body = walker.get(url).content.decode()
    assert "hx-get" not in body
    assert "Tháng Ba 2020" in body


# --- list -------------------------------------------------------------------


@pytest.fixture
def walk_only(march_2020):
    """The campaign counts walks only: the run is rejected with a reason."""
    march_2020.sports = ["walk"]
    march_2020.save()
    return march_2020


def test_the_list_shows_each_verdict_with_its_reasons_in_vietnamese(
    walker, enrolled, walk_only, participant
):
    activity = uploaded_run(participant)
    verdict = activity.verdicts.get()
    assert verdict.status == "rejected"
    body = walker.get(reverse("activities:list")).content.decode()
    assert verdict.messages("vi")[0] in body
    assert verdict.messages("en")[0] not in body
    # What was measured, in words: the sports by their Vietnamese names.
    assert "Số liệu đo được" in body and "Môn được tính" in body
    assert "['walk']" not in body and "allowed" not in body
    assert "04/03/2020 23:14" in body  # Vietnam time
    assert "6,46 km" in body


def test_the_list_speaks_english_with_the_language_cookie(walker, enrolled, walk_only, participant):
    verdict = uploaded_run(participant).verdicts.get()
    walker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = walker.get(reverse("activities:list")).content.decode()
    assert "this campaign counts walk, not run" in body
    assert verdict.messages("vi")[0] not in body
    assert "6.46 km" in body
    assert "March 2020" in body


def test_the_list_shows_credited_kilometres_and_pending_uploads_first(
    walker, enrolled, participant
):
    accepted = uploaded_run(participant).verdicts.get()
    assert accepted.status == "accepted"
    pending = pipeline.receive(
        participant, (FILES / "mapbox-togeojson__run.gpx").read_bytes(), "x.gpx", process=False
    )
    walker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = walker.get(reverse("activities:list")).content.decode()
    assert "6.46 km credited" in body
    poll = reverse("activities:upload_status", args=[pending.pk])
    assert body.index(poll) < body.index("activity-card")


def test_the_list_links_to_manual_entry_only_when_a_campaign_allows_it(
    walker, enrolled, march_2020
):
    url = reverse("activities:manual")
    assert url not in walker.get(reverse("activities:list")).content.decode()
    march_2020.rules = {**LONG_AGO, "allow_manual": True}
    march_2020.save()
    assert url in walker.get(reverse("activities:list")).content.decode()


def test_the_list_is_paginated_newest_first(walker, enrolled, participant):
    from datetime import timedelta

    for day in range(25):
        pipeline_start = datetime(2020, 3, 2, 7, tzinfo=VN) + timedelta(days=day)
        Activity.objects.create(
            user=participant,
            source="manual",
            external_id=f"m{day}",
            sport="walk",
            started_at=pipeline_start,
            ended_at=pipeline_start + timedelta(hours=1),
            distance_m=5000,
        )
    body = walker.get(reverse("activities:list")).content.decode()
    assert "26/03/2020" in body and "02/03/2020" not in body
    assert body.index("26/03/2020") < body.index("25/03/2020")
    assert "02/03/2020" in walker.get(reverse("activities:list") + "?page=2").content.decode()


# --- activity page ----------------------------------------------------------


def test_the_activity_page_has_its_map_chart_splits_and_verdict(walker, enrolled, participant):
    activity = uploaded_run(participant)
    response = walker.get(reverse("activities:detail", args=[activity.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="activity-track-{activity.pk}" type="application/json"' in body
    assert f'id="activity-series-{activity.pk}" type="application/json"' in body
    assert "data-activity-map" in body and "data-activity-chart" in body
    assert "activity-splits" in body
    assert "tile.openstreetmap.org" in body
    assert "Tháng Ba 2020" in body


def test_the_map_tiles_come_from_the_setting(walker, enrolled, participant, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    activity = uploaded_run(participant)
    body = walker.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in body


def test_a_rejected_activity_can_be_complained_about_once(walker, enrolled, walk_only, participant):
    verdict = uploaded_run(participant).verdicts.get()
    url = reverse("activities:complain", args=[verdict.pk])
    detail = reverse("activities:detail", args=[verdict.activity_id])
    assert url in walker.get(detail).content.decode()

    response = walker.post(
        url, {"text": "I walked it, the watch said run."}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert Complaint.objects.get(verdict=verdict).text == "I walked it, the watch said run."
    assert url not in response.content.decode()

    walker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = walker.post(url, {"text": "Once more, with feeling please."}, follow=True)
    assert "You have already complained about this activity." in response.content.decode()
    assert Complaint.objects.count() == 1


def test_a_too_short_complaint_is_refused_in_place(walker, enrolled, walk_only, participant):
    verdict = uploaded_run(participant).verdicts.get()
    walker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = walker.post(
        reverse("activities:complain", args=[verdict.pk]),
        {"text": "wrong"},
        headers={"HX-Request": "true"},
    )
    assert "at least 10 characters" in response.content.decode()
    assert not Complaint.objects.exists()


def test_an_accepted_activity_cannot_be_complained_about(walker, enrolled, participant):
    verdict = uploaded_run(participant).verdicts.get()
    walker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = walker.post(
        reverse("activities:complain", args=[verdict.pk]),
        {"text": "I just want to complain."},
        follow=True,
    )
    assert "Only a rejected activity can be complained about." in response.content.decode()
    assert not Complaint.objects.exists()


def test_changing_the_sport_judges_the_activity_again(walker, enrolled, march_2020, participant):
    march_2020.sports = ["run"]
    march_2020.save()
    activity = uploaded_run(participant)
    assert activity.verdicts.get().status == "accepted"
    response = walker.post(reverse("activities:sport", args=[activity.pk]), {"sport": "walk"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.sport == "walk"
    verdict = Verdict.objects.get(activity=activity)
    assert verdict.status == "rejected" and "sport_not_allowed" in verdict.codes


def test_an_unknown_sport_is_refused(walker, enrolled, participant):
    activity = uploaded_run(participant)
    walker.post(reverse("activities:sport", args=[activity.pk]), {"sport": "swim"})
    activity.refresh_from_db()
    assert activity.sport == "run"


def test_deleting_an_activity_removes_it(walker, enrolled, participant):
    activity = uploaded_run(participant)
    response = walker.post(reverse("activities:delete", args=[activity.pk]))
    assert response.url == reverse("activities:list")
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert walker.get(reverse("activities:delete", args=[activity.pk])).status_code == 405


# --- manual entry -----------------------------------------------------------

MANUAL = {
    "date": "2020-03-10",
    "start_time": "06:30",
    "sport": "walk",
    "distance_km": "5.2",
    "duration": "1:02:00",
    "note": "Around the lake",
}


def test_a_manual_entry_is_refused_when_no_campaign_allows_it(walker, enrolled):
    walker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert (
        "None of your campaigns accepts"
        in walker.get(reverse("activities:manual")).content.decode()
    )
    response = walker.post(reverse("activities:manual"), MANUAL)
    assert response.status_code == 403
    assert (
        "None of your campaigns accepts activities typed in by hand." in response.content.decode()
    )
    assert not Activity.objects.exists()


def test_a_manual_entry_is_saved_in_vietnam_time_and_judged(walker, enrolled, march_2020):
    march_2020.rules = {**LONG_AGO, "allow_manual": True}
    march_2020.save()
    response = walker.post(reverse("activities:manual"), MANUAL)
    activity = Activity.objects.get()
    assert response.url == reverse("activities:detail", args=[activity.pk])
    assert activity.is_manual and activity.distance_m == 5200 and activity.elapsed_s == 3720
    assert activity.started_at == datetime(2020, 3, 10, 6, 30, tzinfo=VN)
    assert activity.verdicts.count() == 1


def test_a_manual_entry_with_a_bad_duration_says_how_to_write_it(walker, enrolled, march_2020):
    march_2020.rules = {**LONG_AGO, "allow_manual": True}
    march_2020.save()
    walker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = walker.post(reverse("activities:manual"), {**MANUAL, "duration": "an hour"})
    assert response.status_code == 400
    assert "h:mm:ss" in response.content.decode()
    assert not Activity.objects.exists()


def test_the_activity_page_tells_what_reading_the_file_noticed(walker, participant):
    activity = uploaded_run(participant)  # 50 of its 2,197 records have no GPS fix
    body = walker.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "Khi đọc tệp:" in body
    assert "50 trong 2197 điểm không có vị trí GPS" in body
    walker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = walker.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "50 of 2197 points had no GPS position" in body


def test_a_verdict_links_to_the_rules_of_its_campaign(walker, enrolled, walk_only, participant):
    activity = uploaded_run(participant)
    rules_url = reverse("campaigns:rules", args=[walk_only.slug])

    for page in (reverse("activities:list"), reverse("activities:detail", args=[activity.pk])):
        body = walker.get(page).content.decode()
        assert f'<a href="{rules_url}">Thể lệ của chiến dịch</a>' in body
