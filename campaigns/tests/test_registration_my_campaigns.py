"""The "my campaigns" page: registrations with bib, status, team and category,
and the unread in-app notices with "mark read"."""

import pytest
from django.urls import reverse

from campaigns.services import register, withdraw
from campaigns.tests.factories import CampaignFactory, CategoryFactory
from core.models import Notice
from teams.tests.factories import TeamFactory

MINE = "/me/campaigns/"


@pytest.fixture
def campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD"], title_en="Spring walk")


def test_my_campaigns_lives_at_me_campaigns_and_needs_a_login(client):
    assert reverse("campaigns:mine") == MINE
    response = client.get(MINE)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_my_campaigns_lists_bib_status_team_and_category(english, campaign, participant, tree):
    category = CategoryFactory(campaign=campaign, name_en="21 km", distance_m=21000)
    registration = register(campaign, participant, category=category, accept_rules=True)
    team = TeamFactory(campaign=campaign, name="Đội Rạch Kiến")
    registration.team = team
    registration.save()
    other = CampaignFactory(organiser_unit=tree["LA-CD"], title_en="Autumn run")
    withdraw(register(other, participant, accept_rules=True), actor=participant)

    english.force_login(participant)
    content = english.get(MINE).content.decode()
    assert "Spring walk" in content and "Autumn run" in content
    assert '<strong class="bib-inline">1</strong>' in content
    assert "21 km" in content and "Đội Rạch Kiến" in content
    assert "Hội CTĐ CS Trường THPT Cần Đước" in content
    assert '<span class="badge badge-ok">Registered</span>' in content
    assert '<span class="badge badge-off">Withdrawn</span>' in content
    assert reverse("campaigns:withdraw", args=[campaign.slug]) in content
    assert reverse("campaigns:register", args=[other.slug]) in content  # register again


def test_my_campaigns_shows_only_my_own_registrations(english, campaign, participant, member):
    register(campaign, member, accept_rules=True)
    english.force_login(participant)
    content = english.get(MINE).content.decode()
    assert "Spring walk" not in content
    assert "You have not registered for a campaign yet." in content


def test_unread_notices_are_shown_and_can_be_marked_read(english, campaign, participant):
    register(campaign, participant, accept_rules=True)
    notice = Notice.objects.get(user=participant)
    english.force_login(participant)
    content = english.get(MINE).content.decode()
    assert notice.title in content

    response = english.post(reverse("campaigns:notices_read"), {"notice": notice.pk})
    assert response.status_code == 302 and response.url == MINE
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert notice.title not in english.get(MINE).content.decode()


def test_mark_all_read_leaves_other_peoples_notices_alone(client, participant, member):
    for n in range(3):
        Notice.objects.create(user=participant, code="test", title=f"Tin {n}")
    theirs = Notice.objects.create(user=member, code="test", title="Của người khác")
    client.force_login(participant)
    client.post(reverse("campaigns:notices_read"))
    assert not Notice.objects.filter(user=participant, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_person_cannot_mark_someone_elses_notice_read(client, participant, member):
    theirs = Notice.objects.create(user=member, code="test", title="Của người khác")
    client.force_login(participant)
    client.post(reverse("campaigns:notices_read"), {"notice": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_a_post(client, participant):
    client.force_login(participant)
    assert client.get(reverse("campaigns:notices_read")).status_code == 405
