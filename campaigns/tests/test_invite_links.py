"""A unit's invite link (the poster's QR code) attributes the registration to
that unit, fixed; units outside the organiser's subtree have no link."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from campaigns.models import Registration, Visibility
from campaigns.services import invite_url, unit_invite_links
from campaigns.tests.factories import CampaignFactory


@pytest.fixture
def campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD"])


def invite(campaign, code: str) -> str:
    return reverse("campaigns:invite", args=[campaign.slug, code])


def register_url(campaign) -> str:
    return reverse("campaigns:register", args=[campaign.slug])


def test_invite_link_remembers_the_unit_and_goes_to_the_registration(client, campaign):
    response = client.get(invite(campaign, "LA-CD-LTR"))
    assert response.status_code == 302
    assert response.url == register_url(campaign)
    assert client.session["campaign_invites"] == {campaign.slug: "LA-CD-LTR"}


def test_invite_link_of_a_unit_outside_the_organisers_subtree_is_not_found(client, campaign):
    assert client.get(invite(campaign, "LA-CG-PL")).status_code == 404
    assert client.get(invite(campaign, "LA")).status_code == 404  # above the organiser
    assert client.get(invite(campaign, "NOPE")).status_code == 404
    assert "campaign_invites" not in client.session


def test_the_organiser_unit_itself_has_an_invite_link(client, campaign):
    assert client.get(invite(campaign, "LA-CD")).status_code == 302


def test_registration_through_an_invite_link_shows_the_unit_fixed(english, campaign, complete):
    english.get(invite(campaign, "LA-CD-LTR"))
    english.force_login(complete)
    content = english.get(register_url(campaign)).content.decode()
    assert '<p class="fixed-unit" id="fixed-unit"><strong>Hội CTĐ CS xã Long Trạch' in content
    assert 'name="unit"' not in content  # nothing to change it with


def test_registration_through_an_invite_link_keeps_its_unit_whatever_is_posted(
    english, campaign, complete, tree
):
    english.get(invite(campaign, "LA-CD-LTR"))
    english.force_login(complete)  # the profile says LA-CD-THPT
    response = english.post(register_url(campaign), {"accept_rules": "on", "unit": "LA-CD-THPT"})
    assert response.status_code == 302
    registration = Registration.objects.get(campaign=campaign, user=complete)
    assert registration.unit == tree["LA-CD-LTR"]
    assert registration.via_unit_link is True
    assert campaign.slug not in english.session.get("campaign_invites", {})
    complete.refresh_from_db()
    assert complete.home_unit == tree["LA-CD-THPT"]  # the profile is left alone


def test_the_attribution_survives_logging_in(client, campaign, complete, tree):
    assert client.get(invite(campaign, "LA-CD-LTR")).status_code == 302
    login = client.get(register_url(campaign))
    assert login.url.startswith(reverse("account_login"))
    client.post(
        reverse("account_login"),
        {"login": complete.email, "password": "correct horse battery staple"},
    )
    response = client.post(register_url(campaign), {"accept_rules": "on"})
    assert response.status_code == 302
    registration = Registration.objects.get(user=complete)
    assert (registration.unit, registration.via_unit_link) == (tree["LA-CD-LTR"], True)


def test_registration_without_an_invite_link_is_not_attributed(client, campaign, complete, tree):
    client.force_login(complete)
    client.post(register_url(campaign), {"accept_rules": "on", "unit": "LA-CD-LTR"})
    registration = Registration.objects.get(user=complete)
    assert (registration.unit, registration.via_unit_link) == (tree["LA-CD-LTR"], False)


def test_private_campaign_invite_link_carries_and_grants_the_invite_code(client, tree, complete):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], visibility=Visibility.PRIVATE)
    link = invite_url(campaign, tree["LA-CD-LTR"])
    path = link.removeprefix(settings.SITE_URL)
    client.force_login(complete)
    assert client.get(invite(campaign, "LA-CD-LTR")).status_code == 404  # no code
    assert client.get(path).status_code == 302
    assert client.get(register_url(campaign)).status_code == 200


def test_organiser_screens_get_every_units_links_and_posters(campaign, tree):
    links = unit_invite_links(campaign, [tree["LA-CD-LTR"], tree["LA-CD-THPT"]])
    assert [link["unit"].code for link in links] == ["LA-CD-LTR", "LA-CD-THPT"]
    assert links[0]["invite_url"] == f"{settings.SITE_URL}/c/{campaign.slug}/u/LA-CD-LTR/"
    assert links[0]["poster_pdf"] == f"/c/{campaign.slug}/u/LA-CD-LTR/poster.pdf"
    assert links[1]["poster_png"] == f"/c/{campaign.slug}/u/LA-CD-THPT/poster.png"


def test_a_new_person_signs_up_from_a_poster_and_lands_on_the_registration(english, campaign, tree):
    from django.core import mail

    register_path = register_url(campaign)
    english.get(invite(campaign, "LA-CD-THPT"))
    assert english.get(register_path).url.startswith(reverse("account_login"))
    password = "a long pass phrase 2024"
    english.post(
        f"{reverse('account_signup')}?next={register_path}",
        {
            "email": "hocsinh@example.org",
            "password1": password,
            "password2": password,
            "consent": "on",
        },
    )
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    confirmed = english.post(re.sub(r"^https?://[^/]+", "", link))
    assert confirmed.url == register_path  # back to the registration after confirming

    page = english.get(register_path).content.decode()
    assert 'name="profile-full_name"' in page  # a new account lacks everything
    assert "Hội CTĐ CS Trường THPT Cần Đước" in page
    response = english.post(
        register_path,
        {
            "profile-full_name": "  Nguyễn   Thị Hoa ",
            "profile-gender": "female",
            "profile-birth_year": "2008",
            "profile-phone": "0987 654 321",
            "profile-province": "Tây Ninh",
            "accept_rules": "on",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(user__email="hocsinh@example.org")
    assert (registration.unit, registration.via_unit_link) == (tree["LA-CD-THPT"], True)
    assert registration.user.full_name == "Nguyễn Thị Hoa"
    assert registration.user.home_unit == tree["LA-CD-THPT"]  # an empty profile unit is filled
