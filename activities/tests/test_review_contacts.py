"""The review page shows a participant's e-mail address and phone number only to
those orgs.permissions.may_see_contacts allows: administrators of the person's
unit or above (the owner), not plain unit staff (the member); an outsider gets
no page at all."""

import pytest
from django.urls import reverse

from activities.tests.factories import ActivityFactory, VerdictFactory
from campaigns.tests.factories import CampaignFactory
from kindsteps.testing.mfa import with_totp
from orgs.models import Role, UnitRole

pytestmark = pytest.mark.django_db

EMAIL = "commune-walker@example.org"
PHONE = "0912345678"


@pytest.fixture
def item(tree, user_factory):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], slug="cd-contacts")
    walker = user_factory(EMAIL, full_name="Trần Văn Xã", phone=PHONE)
    verdict = VerdictFactory(campaign=campaign, activity=ActivityFactory(user=walker))
    verdict.registration.unit = tree["LA-CD-LTR"]
    verdict.registration.save()
    return verdict


def _detail(client, user, verdict):
    client.force_login(user)
    return client.get(reverse("review:detail", args=[verdict.campaign.slug, verdict.pk]))


def test_owner_administrator_sees_the_participant_s_contacts(client, owner, item):
    body = _detail(client, owner, item).content.decode()
    assert EMAIL in body and PHONE in body


def test_administrator_of_the_commune_sees_them_too(client, item, user_factory, tree):
    admin = user_factory("commune-admin@example.org")
    UnitRole.objects.create(user=admin, unit=tree["LA-CD-LTR"], role=Role.ADMIN)
    with_totp(admin)  # administrators need a second factor to reach staff pages
    body = _detail(client, admin, item).content.decode()
    assert EMAIL in body and PHONE in body


def test_member_plain_staff_sees_the_name_but_no_contacts(client, member, item):
    response = _detail(client, member, item)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Trần Văn Xã" in body and "Hội CTĐ CS xã Long Trạch" in body
    assert EMAIL not in body and PHONE not in body


def test_outsider_gets_not_found(client, outsider, item):
    assert _detail(client, outsider, item).status_code == 404


def test_a_nameless_participant_is_not_shown_by_e_mail_to_plain_staff(client, member, item):
    item.activity.user.full_name = ""
    item.activity.user.save()
    client.force_login(member)
    for url in (
        reverse("review:detail", args=[item.campaign.slug, item.pk]),
        reverse("review:queue", args=[item.campaign.slug]),
    ):
        assert EMAIL not in client.get(url).content.decode()
