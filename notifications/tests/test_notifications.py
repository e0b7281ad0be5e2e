"""What participants are told, in their language, once, as they chose."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from activities.models import VerdictStatus
from activities.tests.factories import ActivityFactory, VerdictFactory, reason
from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from kindsteps.testing.clock import NOW
from notifications import kinds, sending, services, sweeps
from notifications.models import Email, Notification

pytestmark = pytest.mark.django_db

TOO_FAST = reason(
    "too_fast", "Tốc độ trung bình 59,0 km/h quá nhanh.", "An average of 59.0 km/h is too fast."
)


@pytest.fixture
def rejected(participant, tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"])
    activity = ActivityFactory(user=participant, distance_m=5000)
    return VerdictFactory(
        campaign=campaign, activity=activity, status=VerdictStatus.REJECTED, reasons=[TOO_FAST]
    )


def test_a_rejected_verdict_is_told_with_its_reason_in_vietnamese(rejected, participant):
    sweeps.verdicts()

    note = Notification.objects.get(user=participant, kind=kinds.VERDICT)
    message = services.message_of(note, "vi")
    assert "không được tính" in message.title.lower() or "không tính" in message.title.lower()
    assert any("59,0 km/h" in line for line in message.lines)
    assert f"/c/{rejected.campaign.slug}/rules/" in [path for _, path in message.links]


def test_the_same_verdict_reads_in_english_for_an_english_reader(rejected, participant):
    sweeps.verdicts()

    message = services.message_of(Notification.objects.get(user=participant), "en")
    assert message.title.startswith("Your activity of 11/03/2026 does not count in")
    assert any("59.0 km/h" in line for line in message.lines)


def test_a_sweep_run_again_tells_nobody_twice(rejected, participant):
    sweeps.verdicts()
    sweeps.verdicts()

    assert Notification.objects.filter(user=participant).count() == 1
    assert Email.objects.filter(user=participant).count() == 1
    sending.send_batch(10)
    sending.send_batch(10)
    assert len(mail.outbox) == 1


def test_the_email_has_both_parts_and_the_one_click_headers(rejected, participant):
    participant.preferred_language = "en"
    participant.save()
    sweeps.verdicts()
    sending.send_batch(10)

    (sent,) = mail.outbox
    assert sent.to == [participant.email]
    assert "does not count" in sent.subject
    assert "59.0 km/h" in sent.body
    html, mime = sent.alternatives[0]
    assert mime == "text/html" and "59.0 km/h" in html
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.extra_headers["List-Unsubscribe"].startswith("<http")


def test_several_verdicts_of_one_person_are_told_in_one_email(rejected, participant, tree):
    participant.preferred_language = "en"
    participant.save()
    campaign = rejected.campaign
    for hours in (1, 2):
        activity = ActivityFactory(
            user=participant,
            distance_m=4000 + hours,
            started_at=rejected.activity.started_at - timedelta(days=hours),
        )
        VerdictFactory(
            campaign=campaign,
            activity=activity,
            status=VerdictStatus.REJECTED,
            reasons=[TOO_FAST],
        )
    someone = ActivityFactory(distance_m=3000)
    VerdictFactory(
        campaign=campaign, activity=someone, status=VerdictStatus.REJECTED, reasons=[TOO_FAST]
    )
    sweeps.verdicts()
    assert Email.objects.filter(user=participant).count() == 3

    assert sending.send_batch(1) == 1  # one e-mail, though it tells three verdicts
    (told,) = mail.outbox
    assert told.to == [participant.email]
    assert told.subject.startswith("3 of your activities")
    for day in ("11/03/2026", "10/03/2026", "09/03/2026"):
        assert f"Your activity of {day} does not count" in told.body
        assert f"Your activity of {day} does not count" in told.alternatives[0][0]
    assert told.body.count("59.0 km/h") == 3
    assert not Email.objects.filter(user=participant, sent_at__isnull=True).exists()

    assert sending.send_batch(10) == 1  # the other person's own e-mail
    assert mail.outbox[1].to == [someone.user.email]
    alone = Email.objects.get(user=someone.user)
    assert mail.outbox[1].subject == services.message_of(alone, "vi").title
    assert sending.send_batch(10) == 0


def test_other_kinds_are_not_grouped(tree, participant):
    for days in (1, 2):
        campaign = CampaignFactory(
            organiser_unit=tree["LA-CD"], starts_at=NOW - timedelta(minutes=days)
        )
        RegistrationFactory(campaign=campaign, user=participant)
    sweeps.campaign_starts()

    assert sending.send_batch(10) == 2
    assert all("đã bắt đầu" in sent.subject for sent in mail.outbox)


def test_unsubscribe_works_without_login_and_stops_only_that_kind(rejected, participant):
    token = services.unsubscribe_token(participant.pk, kinds.VERDICT)

    response = Client().post(f"/notifications/unsubscribe/{token}/")

    assert response.status_code == 200
    chosen = {c.kind.code: c for c in services.choices(participant)}
    assert not chosen[kinds.VERDICT].email
    assert chosen[kinds.VERDICT].in_app
    assert chosen[kinds.DIGEST].email
    sweeps.verdicts()
    assert not Email.objects.filter(user=participant).exists()
    assert Notification.objects.filter(user=participant).exists()


def test_a_forged_unsubscribe_token_changes_nothing(participant):
    response = Client().post("/notifications/unsubscribe/not-a-token/")
    assert response.status_code == 400


def test_in_app_turned_off_keeps_the_bell_quiet(rejected, participant, client):
    services.set_choice(participant, kinds.VERDICT, in_app=False)
    sweeps.verdicts()

    assert not Notification.objects.filter(user=participant).exists()
    assert Email.objects.filter(user=participant).exists()


def test_a_batch_sends_no_more_than_its_bound(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], starts_at=NOW - timedelta(minutes=5))
    for _ in range(7):
        RegistrationFactory(campaign=campaign)

    sweeps.campaign_starts()

    assert sending.send_batch(3) == 3
    assert len(mail.outbox) == 3
    assert sending.send_batch(3) == 3
    assert sending.send_batch(3) == 1
    assert len(mail.outbox) == 7
    assert "đã bắt đầu" in mail.outbox[0].subject


def test_the_list_shows_and_marks_read(rejected, participant, client):
    sweeps.verdicts()
    client.force_login(participant)

    page = client.get("/notifications/").content.decode()
    assert 'data-unread="1"' in page
    client.post("/notifications/read/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_an_organisers_decision_comes_in_the_bell_beside_the_verdicts(
    rejected, participant, owner, client, time_machine
):
    from activities.review import decide
    from core.models import Notice

    participant.preferred_language = "en"
    participant.save()
    sweeps.verdicts()
    time_machine.shift(timedelta(hours=1))
    decide(rejected, VerdictStatus.ACCEPTED, "The watch's clock was wrong.", actor=owner)
    client.force_login(participant)

    page = client.get("/notifications/").content.decode()
    assert 'data-unread="2"' in page
    decision = page.index("counts in")  # the organiser's decision, the newest, comes first
    assert decision < page.index("does not count in")
    assert "The organisers reviewed it: The watch&#x27;s clock was wrong." in page
    notice = Notice.objects.get(user=participant)
    opened = client.post("/notifications/read/", {"notice": notice.pk, "open": "1"})
    assert opened.status_code == 302 and opened.url == notice.url
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert 'data-unread="1"' in client.get("/notifications/").content.decode()
    client.post("/notifications/read/")
    assert "data-unread" not in client.get("/notifications/").content.decode()


def test_the_settings_page_saves_a_choice(participant, client):
    client.force_login(participant)
    data = {f"{code}-email": "on" for code in kinds.KINDS}
    data |= {f"{code}-in_app": "on" for code in kinds.KINDS}
    del data[f"{kinds.DIGEST}-email"]

    assert client.post("/notifications/settings/", data).status_code == 302
    chosen = {c.kind.code: c for c in services.choices(participant)}
    assert not chosen[kinds.DIGEST].email and chosen[kinds.DIGEST].in_app


def test_the_weekly_digest_gives_km_rank_team_and_unit_target(tree, participant):
    from campaigns.models import TargetRule
    from standings.tests.factories import walked
    from teams.tests.factories import TeamFactory

    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], starts_at=NOW - timedelta(days=9))
    team = TeamFactory(campaign=campaign, name="Đội Trường", unit=tree["LA-CD-THPT"])
    TargetRule.objects.create(campaign=campaign, unit=tree["LA-CD-THPT"], participants=10)
    walked(campaign, 12_345, user=participant, unit=tree["LA-CD-THPT"], team=team)
    walked(campaign, 20_000, unit=tree["LA-CD-THPT"])

    sweeps.digests()
    sweeps.digests()

    note = Notification.objects.get(user=participant, kind=kinds.DIGEST)
    vi = dict(services.message_of(note, "vi").facts)
    en = dict(services.message_of(note, "en").facts)
    assert vi["Quãng đường của bạn"] == "12,35 km"
    assert vi["Thứ hạng của bạn"] == "2 trên 2"
    assert en["Your rank"] == "2 of 2"
    assert "Đội Trường" in en["Your team"]
    assert "of its 10 participants" in en["Your unit"]


def test_the_digests_ranks_are_the_boards_competition_ranks(tree):
    from standings import queries
    from standings.tests.factories import walked

    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], starts_at=NOW - timedelta(days=9))
    lines = [walked(campaign, metres) for metres in (9_000, 7_000, 7_000, 5_000)]

    sweeps.digests()

    ranks = {n.user_id: n.params["rank"] for n in Notification.objects.filter(kind=kinds.DIGEST)}
    assert [ranks[line.user_id] for line in lines] == [1, 2, 2, 4]
    assert [ranks[line.user_id] for line in lines] == [
        queries.rank_of_distance(campaign, metres) for metres in (9_000, 7_000, 7_000, 5_000)
    ]
