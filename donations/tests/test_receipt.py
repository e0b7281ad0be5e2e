"""The receipt follows its campaign: a private campaign's receipt is a 404 to
whoever may not see the campaign, except the donor — their account, the
browser session that gave, or the link sent to them."""

import pytest
from django.core import mail
from django.test import Client

from campaigns.models import Visibility
from campaigns.tests.factories import CampaignFactory
from donations import services
from donations.models import Donation, Method
from donations.receipts import receipt_url

from .test_flow import through_gateway

# The stand-in gateway exists on this installation (as with DEBUG or KINDSTEPS_PAYMENT_SANDBOX=1).
pytestmark = pytest.mark.usefixtures("stand_in")


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], visibility=Visibility.PRIVATE)
    settings = services.settings_for(campaign)
    settings.methods = [Method.VNPAY]
    settings.sandbox = True
    settings.save()
    return campaign


def give(client, campaign, **data):
    """A donor who followed the private campaign's invite link gives 100,000 đ."""
    form = {"preset": "100000", "method": "vnpay", "donor_name": "Trần Bình", **data}
    response = client.post(f"/c/{campaign.slug}/donate/?code={campaign.invite_code}", form)
    return Donation.all_objects.get(), response


def receipt(client, donation, query: str = "") -> int:
    return client.get(f"/donations/{donation.reference}/{query}").status_code


def test_a_private_campaigns_receipt_is_not_found_for_a_stranger(client, campaign):
    donation, _response = give(client, campaign)

    assert receipt(Client(), donation) == 404
    assert receipt(Client(), donation, "?k=0123456789abcdef01234567") == 404


def test_the_outsider_and_a_member_below_the_organiser_do_not_see_it(
    client, campaign, outsider, member
):
    donation, _response = give(client, campaign)
    for person in (outsider, member):
        other = Client()
        other.force_login(person)

        assert receipt(other, donation) == 404


def test_the_organiser_sees_it(client, campaign, owner):
    donation, _response = give(client, campaign)
    organiser = Client()
    organiser.force_login(owner)

    assert receipt(organiser, donation) == 200


def test_the_session_that_gave_sees_it_even_once_the_invite_code_changed(client, campaign):
    donation, response = give(client, campaign)
    campaign.invite_code = "NEWCODE2025"
    campaign.save()

    through_gateway(client, response)

    assert client.get(f"/c/{campaign.slug}/").status_code == 404
    assert receipt(client, donation) == 200


def test_the_account_that_gave_sees_it_from_another_browser(client, campaign, participant):
    client.force_login(participant)
    donation, _response = give(client, campaign)
    elsewhere = Client()
    elsewhere.force_login(participant)

    assert donation.user == participant
    assert receipt(elsewhere, donation) == 200


def test_the_link_in_the_receipt_e_mail_opens_it_on_any_device(client, campaign):
    _donation, response = give(client, campaign, email="binh@example.org")
    through_gateway(client, response)
    donation = Donation.all_objects.get()
    link = receipt_url(donation)
    phone = Client()

    assert link in mail.outbox[0].body
    assert phone.get(link).status_code == 200
    # The page then refreshes its status without the key.
    status = phone.get(
        f"/donations/{donation.reference}/?part=status", headers={"HX-Request": "true"}
    )
    assert status.status_code == 200


def test_a_public_campaigns_receipt_stays_open_to_anyone(client, tree):
    public = CampaignFactory(organiser_unit=tree["LA-CD"])
    services.settings_for(public)
    donation = services.create_donation(public, amount=100_000, method=Method.VIETQR)

    assert receipt(Client(), donation) == 200
