"""The registration journey through the web pages: log in, only the missing
profile fields, category and unit, rules, success page, refusals, withdrawal."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from campaigns import services
from campaigns.models import Registration, RegistrationStatus, Visibility
from campaigns.services import register, withdraw
from campaigns.tests.factories import CampaignFactory, CategoryFactory
from core.models import Notice
from kindsteps.testing.clock import NOW


@pytest.fixture
def campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD"], title_vi="Triệu bước chân nhân ái")


def register_url(campaign) -> str:
    return reverse("campaigns:register", args=[campaign.slug])


def form_data(**extra) -> dict:
    return {"accept_rules": "on", **extra}


def test_anonymous_visitor_is_sent_to_log_in_and_back_to_the_registration(client, campaign):
    response = client.get(register_url(campaign))
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={register_url(campaign)}"


def test_campaign_page_offers_log_in_and_sign_up_leading_back_to_the_registration(
    english, campaign
):
    response = english.get(reverse("campaigns:detail", args=[campaign.slug]))
    content = response.content.decode()
    assert "Register for this campaign" in content
    assert f"{reverse('account_signup')}?next=/c/{campaign.slug}/register/" in content
    assert f"{reverse('account_login')}?next=/c/{campaign.slug}/register/" in content


def test_form_asks_only_the_profile_fields_that_are_missing(english, campaign, participant):
    english.force_login(participant)
    content = english.get(register_url(campaign)).content.decode()
    for name in ("gender", "birth_year", "phone", "province"):
        assert f'name="profile-{name}"' in content
    assert 'name="profile-full_name"' not in content  # the participant has a name


def test_form_with_a_complete_profile_asks_no_details(english, campaign, complete):
    english.force_login(complete)
    content = english.get(register_url(campaign)).content.decode()
    assert 'name="profile-' not in content
    assert "Your details" not in content


def test_form_prefills_the_unit_from_the_profile_and_offers_only_the_subtree(
    english, campaign, complete, tree
):
    english.force_login(complete)
    content = english.get(register_url(campaign)).content.decode()
    assert '<option value="LA-CD-THPT" selected>' in content
    assert 'value="LA-CD-LTR"' in content
    assert 'value="LA-CG-PL"' not in content  # the neighbouring district


def test_form_shows_a_summary_of_the_campaign_rules(english, campaign, complete):
    english.force_login(complete)
    content = english.get(register_url(campaign)).content.decode()
    assert "An activity counts from 1 km." in content
    assert "Running: an average pace between 4:00 and 15:00 per km." in content
    assert 'name="accept_rules"' in content


def test_registering_saves_the_missing_details_and_shows_the_bib(
    english, campaign, participant, tree, django_capture_on_commit_callbacks
):
    category = CategoryFactory(campaign=campaign, name_en="10 km", distance_m=10000)
    english.force_login(participant)
    data = form_data(
        **{
            "profile-gender": "female",
            "profile-birth_year": "2007",
            "profile-phone": "+84 912 345 678",
            "profile-province": "Tây Ninh",
            "category": str(category.pk),
            "unit": "LA-CD-LTR",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post(register_url(campaign), data)
    assert response.status_code == 302
    assert response.url == reverse("campaigns:registered", args=[campaign.slug])

    participant.refresh_from_db()
    assert participant.phone == "0912345678"
    assert (participant.gender, participant.birth_year, participant.province) == (
        "female",
        2007,
        "Tây Ninh",
    )
    assert participant.home_unit == tree["LA-CD-THPT"]  # a filled-in unit is not overwritten
    registration = Registration.objects.get(campaign=campaign, user=participant)
    assert (registration.bib, registration.category, registration.unit) == (
        1,
        category,
        tree["LA-CD-LTR"],
    )
    assert registration.via_unit_link is False

    page = english.get(response.url).content.decode()
    assert '<span class="bib-number" id="bib">1</span>' in page
    assert "Hội CTĐ CS xã Long Trạch" in page and "10 km" in page
    assert "Choose a team" in page and "Record an activity" in page

    assert Notice.objects.filter(user=participant, code="registration_confirmed").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["walker@example.org"]
    # The mail speaks the participant's language (Vietnamese), not the page's.
    assert "Số BIB của bạn là 1." in mail.outbox[0].body


def test_a_chosen_unit_fills_an_empty_home_unit(english, campaign, complete, tree):
    complete.home_unit = None
    complete.save()
    english.force_login(complete)
    response = english.post(register_url(campaign), form_data(unit="LA-CD-LTR"))
    assert response.status_code == 302
    complete.refresh_from_db()
    assert complete.home_unit == tree["LA-CD-LTR"]


def test_registration_email_is_in_the_participants_language(
    english, campaign, complete, django_capture_on_commit_callbacks
):
    complete.preferred_language = "en"
    complete.save()
    english.force_login(complete)
    with django_capture_on_commit_callbacks(execute=True):
        english.post(register_url(campaign), form_data(unit="LA-CD-THPT"))
    assert len(mail.outbox) == 1
    assert campaign.title_en in mail.outbox[0].subject
    assert campaign.title_vi not in mail.outbox[0].subject


def test_a_vietnamese_participant_gets_the_vietnamese_title_in_the_email(
    english, campaign, complete, django_capture_on_commit_callbacks
):
    english.force_login(complete)  # reads the site in English, profile says Vietnamese
    with django_capture_on_commit_callbacks(execute=True):
        english.post(register_url(campaign), form_data(unit="LA-CD-THPT"))
    assert "Triệu bước chân nhân ái" in mail.outbox[0].subject


def test_category_is_required_when_the_campaign_has_categories(english, campaign, complete):
    CategoryFactory(campaign=campaign, name_en="5 km")
    CategoryFactory(campaign=campaign, name_en="21 km", distance_m=21000)
    english.force_login(complete)
    response = english.post(register_url(campaign), form_data(unit="LA-CD-THPT"))
    assert response.status_code == 400
    assert "Choose a distance category." in response.content.decode()
    assert not Registration.objects.exists()


def test_rules_must_be_accepted(english, campaign, complete):
    english.force_login(complete)
    response = english.post(register_url(campaign), {"unit": "LA-CD-THPT"})
    assert response.status_code == 400
    assert "Please read and accept the campaign rules." in response.content.decode()
    assert not Registration.objects.exists()


def test_a_unit_outside_the_organisers_subtree_is_refused(english, campaign, complete):
    english.force_login(complete)
    response = english.post(register_url(campaign), form_data(unit="LA-CG-PL"))
    assert response.status_code == 400
    assert "Choose a unit of this campaign." in response.content.decode()
    assert not Registration.objects.exists()


def test_an_invalid_phone_number_is_refused_and_nothing_is_saved(english, campaign, participant):
    english.force_login(participant)
    data = form_data(
        **{
            "profile-gender": "male",
            "profile-birth_year": "1990",
            "profile-phone": "12345",
            "profile-province": "Tây Ninh",
            "unit": "LA-CD-THPT",
        }
    )
    response = english.post(register_url(campaign), data)
    assert response.status_code == 400
    assert "Enter a Vietnamese phone number" in response.content.decode()
    participant.refresh_from_db()
    assert participant.gender == "" and participant.phone == ""
    assert not Registration.objects.exists()


def test_large_subtrees_pick_the_unit_by_search(english, campaign, complete, monkeypatch):
    monkeypatch.setattr(services, "UNIT_SELECT_LIMIT", 3)
    english.force_login(complete)
    content = english.get(register_url(campaign)).content.decode()
    assert '<select name="unit"' not in content
    assert reverse("campaigns:unit_search", args=[campaign.slug]) in content
    # The profile's unit is shown chosen.
    assert 'name="unit" value="LA-CD-THPT" checked' in content

    found = english.get(
        reverse("campaigns:unit_search", args=[campaign.slug]), {"unit_q": "Hội CTĐ"}
    )
    found = found.content.decode()
    assert 'value="LA-CD-LTR"' in found and 'value="LA-CD-THPT"' in found
    assert 'value="LA-CG-PL"' not in found  # same name pattern, other district

    response = english.post(register_url(campaign), form_data(unit="LA-CD-LTR"))
    assert response.status_code == 302
    assert Registration.objects.get().unit.code == "LA-CD-LTR"


def test_unit_search_button_works_without_scripts(english, campaign, complete, monkeypatch):
    monkeypatch.setattr(services, "UNIT_SELECT_LIMIT", 3)
    english.force_login(complete)
    response = english.post(register_url(campaign), {"unit_q": "Long Trạch", "search_units": "1"})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="LA-CD-LTR"' in content
    assert "Please read and accept" not in content  # the half-filled form is not judged
    assert not Registration.objects.exists()


def test_unit_search_returns_at_most_twenty_units(campaign, tree):
    from orgs.models import Unit, UnitKind

    for n in range(25):
        Unit.objects.add_child(
            Unit.objects.get(pk=tree["LA-CD"].pk),
            {"code": f"LA-CD-X{n:02d}", "name": f"Chi hội ấp {n}", "kind": UnitKind.OTHER},
        )
    assert len(services.search_campaign_units(campaign, "Chi hội")) == 20
    assert services.search_campaign_units(campaign, "C") == []  # too short to search


def test_unverified_account_sees_why_it_cannot_register(english, campaign, user_factory):
    english.force_login(user_factory("new@example.org", verified=False))
    response = english.get(register_url(campaign))
    content = response.content.decode()
    assert "Confirm your e-mail address first" in content
    assert 'data-code="email_unverified"' in content
    assert 'name="accept_rules"' not in content


def test_registration_outside_the_window_is_refused_with_a_message(english, tree, complete):
    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"],
        starts_at=NOW - timedelta(days=30),
        registration_opens_at=NOW - timedelta(days=40),
        registration_closes_at=NOW - timedelta(days=1),
    )
    english.force_login(complete)
    content = english.get(register_url(campaign)).content.decode()
    assert "Registration for this campaign has closed." in content
    response = english.post(register_url(campaign), form_data(unit="LA-CD-THPT"))
    assert "Registration for this campaign has closed." in response.content.decode()
    assert not Registration.objects.exists()


def test_registering_twice_shows_the_existing_bib(english, campaign, complete):
    register(campaign, complete, accept_rules=True)
    english.force_login(complete)
    response = english.post(register_url(campaign), form_data(unit="LA-CD-THPT"))
    content = response.content.decode()
    assert "You are already registered for this campaign (bib 1)." in content
    assert reverse("campaigns:registered", args=[campaign.slug]) in content
    assert Registration.objects.count() == 1


def test_success_page_without_a_registration_goes_back_to_the_form(client, campaign, complete):
    client.force_login(complete)
    response = client.get(reverse("campaigns:registered", args=[campaign.slug]))
    assert response.status_code == 302 and response.url == register_url(campaign)


def test_withdrawing_asks_for_confirmation_then_withdraws(english, campaign, complete):
    registration = register(campaign, complete, accept_rules=True)
    english.force_login(complete)
    url = reverse("campaigns:withdraw", args=[campaign.slug])
    confirm = english.get(url)
    assert "Withdraw from the campaign?" in confirm.content.decode()
    registration.refresh_from_db()
    assert registration.is_active  # a GET changes nothing

    response = english.post(url)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.WITHDRAWN


def test_after_withdrawing_the_campaign_page_offers_to_register_again_with_the_same_bib(
    english, campaign, complete, user_factory
):
    other = user_factory("other@example.org")
    register(campaign, other, accept_rules=True)
    registration = register(campaign, complete, accept_rules=True)
    assert registration.bib == 2
    withdraw(registration, actor=complete)
    english.force_login(complete)

    page = english.get(reverse("campaigns:detail", args=[campaign.slug])).content.decode()
    assert "Register again" in page
    assert "get your bib number 2 back" in page

    response = english.post(register_url(campaign), form_data(unit="LA-CD-THPT"))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.is_active and registration.bib == 2
    assert Registration.objects.filter(campaign=campaign).count() == 2


def test_campaign_page_shows_the_bib_of_a_registered_participant(english, campaign, complete):
    register(campaign, complete, accept_rules=True)
    english.force_login(complete)
    page = english.get(reverse("campaigns:detail", args=[campaign.slug])).content.decode()
    assert '<strong class="bib-inline">1</strong>' in page
    assert reverse("campaigns:withdraw", args=[campaign.slug]) in page


def test_private_campaign_registration_needs_the_invite_code(english, tree, complete):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], visibility=Visibility.PRIVATE)
    english.force_login(complete)
    assert english.get(register_url(campaign)).status_code == 404
    assert english.get(register_url(campaign), {"code": "wrong"}).status_code == 404
    assert english.get(register_url(campaign), {"code": campaign.invite_code}).status_code == 200
    # The code is remembered for the rest of the visit.
    assert english.post(register_url(campaign), form_data(unit="LA-CD-THPT")).status_code == 302


def test_unpublished_campaign_is_not_found_for_participants(client, tree, complete):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], is_published=False)
    client.force_login(complete)
    assert client.get(register_url(campaign)).status_code == 404


def test_rules_summary_writes_numbers_the_vietnamese_way(tree):
    from django.utils import translation

    campaign = CampaignFactory(
        organiser_unit=tree["LA-CD"], vnd_per_km=2000, rules={"min_distance_m": 1500}
    )
    with translation.override("vi"):
        vietnamese = " ".join(map(str, services.rules_summary(campaign)))
    with translation.override("en"):
        english = " ".join(map(str, services.rules_summary(campaign)))
    assert "2.000" in vietnamese and "1,5" in vietnamese
    assert "2,000 đồng" in english and "from 1.5 km" in english
