"""The campaign's own moments: it opens, its last days, and "yesterday's activity
hasn't arrived" while there is still time to sync it."""

from datetime import timedelta

import pytest

from campaigns.models import RegistrationStatus
from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from kindsteps.testing.clock import NOW
from notifications import kinds, services, sweeps
from notifications.models import Email, Notification
from standings.models import PersonDay

pytestmark = pytest.mark.django_db


def _told(user, kind):
    return Notification.objects.filter(user=user, kind=kind)


def test_a_campaign_that_opens_tells_its_registered_people_once(tree, participant, user_factory):
    campaign = CampaignFactory(
        organiser_unit=tree["LA"],
        title_vi="Tết nhân ái",
        title_en="Tet of Compassion",
        starts_at=NOW - timedelta(hours=1),
    )
    RegistrationFactory(campaign=campaign, user=participant)
    gone = user_factory("gone@example.org")
    RegistrationFactory(campaign=campaign, user=gone, status=RegistrationStatus.WITHDRAWN)

    sweeps.campaign_starts(now=NOW)
    sweeps.campaign_starts(now=NOW + timedelta(minutes=10))

    (note,) = _told(participant, kinds.CAMPAIGN_START)
    assert note.link == f"/c/{campaign.slug}/"
    assert "Tet of Compassion" in services.message_of(note, "en").title
    assert "Tết nhân ái" in services.message_of(note, "vi").title
    assert not _told(gone, kinds.CAMPAIGN_START).exists()
    assert Email.objects.filter(user=participant, kind=kinds.CAMPAIGN_START).count() == 1


def test_a_campaign_that_opened_before_the_last_look_is_not_announced_again(tree, participant):
    campaign = CampaignFactory(organiser_unit=tree["LA"], starts_at=NOW - timedelta(hours=2))
    RegistrationFactory(campaign=campaign, user=participant)
    sweeps.campaign_starts(now=NOW - timedelta(hours=1))  # told then
    Notification.objects.all().delete()

    sweeps.campaign_starts(now=NOW)

    assert not _told(participant, kinds.CAMPAIGN_START).exists()


def test_the_last_days_are_told_once_with_the_days_left(tree, participant):
    closing = CampaignFactory(
        organiser_unit=tree["LA"],
        starts_at=NOW - timedelta(days=30),
        title_vi="Sắp kết thúc",
        title_en="Closing soon",
    )
    closing.ends_at = NOW + timedelta(days=2, hours=1)
    closing.save()
    later = CampaignFactory(organiser_unit=tree["LA"], starts_at=NOW - timedelta(days=1))
    RegistrationFactory(campaign=closing, user=participant)
    RegistrationFactory(campaign=later, user=participant)

    sweeps.last_days(now=NOW)
    sweeps.last_days(now=NOW + timedelta(hours=6))

    (note,) = _told(participant, kinds.LAST_DAYS)
    assert note.campaign_id == closing.pk
    assert note.params["days"] == 3
    message = services.message_of(note, "en")
    assert "Closing soon" in message.title
    assert any("3" in line for line in [message.title, *message.lines])


def _walked_days(campaign, registration, days):
    PersonDay.objects.bulk_create(
        PersonDay(
            campaign=campaign, registration=registration, day=day, distance_m=4000, activities=1
        )
        for day in days
    )


def test_a_regular_walker_with_nothing_of_yesterday_is_reminded_before_the_deadline(
    tree, participant, user_factory
):
    campaign = CampaignFactory(organiser_unit=tree["LA"], starts_at=NOW - timedelta(days=10))
    today = campaign.local(NOW).date()
    yesterday, before = today - timedelta(days=1), today - timedelta(days=2)
    regular = RegistrationFactory(campaign=campaign, user=participant)
    _walked_days(campaign, regular, [before - timedelta(days=n) for n in range(5)])
    # Walked yesterday too: nothing is missing.
    synced = RegistrationFactory(campaign=campaign, user=user_factory("synced@example.org"))
    _walked_days(campaign, synced, [yesterday] + [before - timedelta(days=n) for n in range(5)])
    # Walks now and then: no habit to miss.
    rare = RegistrationFactory(campaign=campaign, user=user_factory("rare@example.org"))
    _walked_days(campaign, rare, [before, before - timedelta(days=4)])

    sweeps.sync_reminders(now=NOW)
    sweeps.sync_reminders(now=NOW + timedelta(hours=1))

    (note,) = Notification.objects.filter(kind=kinds.SYNC_REMINDER)
    assert note.user == participant
    assert note.params["day"] == yesterday.isoformat()
    assert note.link == "/activities/upload/"
    assert services.message_of(note, "en").title
    assert services.message_of(note, "vi").title


def test_no_reminder_once_yesterdays_deadline_has_passed(tree, participant):
    campaign = CampaignFactory(organiser_unit=tree["LA"], starts_at=NOW - timedelta(days=10))
    rules = campaign.effective_rules
    today = campaign.local(NOW).date()
    before = today - timedelta(days=2)
    regular = RegistrationFactory(campaign=campaign, user=participant)
    _walked_days(campaign, regular, [before - timedelta(days=n) for n in range(5)])
    deadline = sweeps.yesterdays_deadline(campaign, NOW)[1]
    assert deadline > NOW
    assert deadline <= NOW + timedelta(hours=rules["sync_window_hours"])

    sweeps.sync_reminders(now=deadline + timedelta(minutes=1))

    assert not Notification.objects.filter(kind=kinds.SYNC_REMINDER).exists()
