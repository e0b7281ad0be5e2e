"""The profile page: details, home unit search, language and the 2FA notice."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from orgs.models import Unit

PROFILE = "/accounts/profile/"


def _form_data(**changes) -> dict[str, str]:
    data = {
        "full_name": "Lê Minh Anh",
        "gender": "female",
        "birth_year": "1998",
        "phone": "0912345678",
        "province": "Tây Ninh",
        "district": "Cần Đước",
        "home_unit": "LA-CD-THPT",
        "preferred_language": "vi",
    }
    data.update(changes)
    return data


def test_profile_shows_the_current_details(participant_client, participant):
    response = participant_client.get(PROFILE)

    assert response.status_code == 200
    page = response.content.decode()
    assert participant.email in page
    assert 'value="Lê Minh Anh"' in page
    assert 'value="LA-CD-THPT"' in page  # the home unit as its code
    assert "Hội CTĐ CS Trường THPT Cần Đước" in page


def test_profile_links_to_email_password_connections_and_two_factor(participant_client):
    page = participant_client.get(PROFILE).content.decode()

    for name in ("account_email", "account_change_password", "socialaccount_connections"):
        assert f'href="{reverse(name)}"' in page
    assert f'href="{reverse("mfa_index")}"' in page


def test_saving_the_profile_stores_every_field(participant_client, participant, tree):
    response = participant_client.post(
        PROFILE,
        _form_data(
            full_name="  Lê   Minh Anh ",
            gender="male",
            birth_year="2001",
            province="Thành phố Hồ Chí Minh",
            district="Quận 1",
            home_unit="LA-CG-PL",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == PROFILE
    participant.refresh_from_db()
    assert participant.full_name == "Lê Minh Anh"
    assert participant.gender == "male"
    assert participant.birth_year == 2001
    assert (participant.province, participant.district) == ("Thành phố Hồ Chí Minh", "Quận 1")
    assert participant.home_unit == tree["LA-CG-PL"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+84 912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("84-389-123-456", "0389123456"),
        ("(028) 3829 1234", "02838291234"),
    ],
)
def test_saving_the_profile_stores_the_phone_in_its_normal_form(
    participant_client, participant, typed, stored
):
    participant_client.post(PROFILE, _form_data(phone=typed))

    participant.refresh_from_db()
    assert participant.phone == stored


def test_rejects_a_phone_that_is_not_vietnamese(participant_client, participant, settings):
    participant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = participant_client.post(PROFILE, _form_data(phone="12345"))

    assert response.status_code == 400
    assert "Enter a Vietnamese phone number" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    participant.refresh_from_db()
    assert participant.phone == ""


@pytest.mark.parametrize("typed", ["0501 234 567", "0912 345 6789", "028 3829 123", "1900 1234"])
def test_rejects_a_prefix_no_network_uses_and_a_wrong_length(
    participant_client, participant, typed
):
    response = participant_client.post(PROFILE, _form_data(phone=typed))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["phone"]
    participant.refresh_from_db()
    assert participant.phone == ""


def test_rejects_an_unknown_unit_code(participant_client, participant, tree, settings):
    participant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = participant_client.post(PROFILE, _form_data(home_unit="XX-NOPE"))

    assert response.status_code == 400
    assert "No unit has this code" in response.content.decode()
    participant.refresh_from_db()
    assert participant.home_unit == tree["LA-CD-THPT"]


def test_rejects_an_impossible_birth_year(participant_client, participant):
    response = participant_client.post(PROFILE, _form_data(birth_year="1850"))

    assert response.status_code == 400
    participant.refresh_from_db()
    assert participant.birth_year is None


def test_clearing_the_home_unit_is_allowed(participant_client, participant):
    participant_client.post(PROFILE, _form_data(home_unit=""))

    participant.refresh_from_db()
    assert participant.home_unit is None


def test_choosing_english_sets_the_language_cookie_and_switches_the_ui(
    participant_client, participant, settings
):
    response = participant_client.post(PROFILE, _form_data(preferred_language="en"))

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    participant.refresh_from_db()
    assert participant.preferred_language == "en"
    page = participant_client.get(PROFILE)
    assert page["Content-Language"] == "en"
    assert "Your profile has been saved." in page.content.decode()


def test_choosing_vietnamese_sets_the_language_cookie_back(participant_client, settings):
    participant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = participant_client.post(PROFILE, _form_data(preferred_language="vi"))

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"
    assert participant_client.get(PROFILE)["Content-Language"] == "vi"


class TestUnitSearch:
    url = "/accounts/profile/units/"

    def test_finds_units_by_name(self, participant_client, tree):
        response = participant_client.get(self.url, {"q": "Long Trạch"})

        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-code="LA-CD-LTR"' in page
        assert "LA-CG-PL" not in page

    def test_finds_units_by_code_prefix(self, participant_client, tree):
        page = participant_client.get(self.url, {"q": "la-cg"}).content.decode()

        assert 'data-code="LA-CG"' in page
        assert 'data-code="LA-CG-PL"' in page
        assert 'data-code="LA-CD"' not in page

    def test_returns_at_most_twenty_units(self, participant_client, tree):
        for number in range(30):
            parent = Unit.objects.get(pk=tree["LA-CD"].pk)
            Unit.objects.add_child(
                parent,
                {"code": f"LA-CD-X{number:02}", "name": f"Chi hội ấp {number}", "kind": "other"},
            )

        page = participant_client.get(self.url, {"q": "Chi hội ấp"}).content.decode()

        assert page.count("data-code=") == 20

    def test_ignores_a_one_letter_query(self, participant_client, tree):
        page = participant_client.get(self.url, {"q": "L"}).content.decode()

        assert "data-code=" not in page

    def test_needs_a_logged_in_user(self, client, tree):
        response = client.get(self.url, {"q": "Long"})

        assert response.status_code == 302


class TestTwoFactorNotice:
    def test_staff_without_two_factor_are_told_to_enable_it(self, client, member):
        client.force_login(member)

        page = client.get(PROFILE).content.decode()

        assert 'id="two-factor-notice"' in page

    def test_staff_with_an_authenticator_app_see_no_notice(self, client, member):
        Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={})
        client.force_login(member)

        page = client.get(PROFILE).content.decode()

        assert 'id="two-factor-notice"' not in page

    def test_participants_without_a_unit_role_see_no_notice(self, participant_client):
        page = participant_client.get(PROFILE).content.decode()

        assert 'id="two-factor-notice"' not in page


def test_the_province_is_chosen_from_the_list(participant_client, participant):
    page = participant_client.get(PROFILE).content.decode()
    assert '<select name="province"' in page
    assert '<option value="Thành phố Hồ Chí Minh">' in page and page.count("<option") >= 34

    response = participant_client.post(PROFILE, _form_data(province="Sài Gòn xưa"))

    assert response.status_code == 400  # refused, with the form shown again
    participant.refresh_from_db()
    assert participant.province != "Sài Gòn xưa"


def test_a_province_stored_before_the_list_is_kept(participant_client, participant):
    participant.province = "Long An"  # merged into Tây Ninh in 2025
    participant.save()

    page = participant_client.get(PROFILE).content.decode()
    assert '<option value="Long An" selected>' in page

    assert participant_client.post(PROFILE, _form_data(province="Long An")).status_code == 302
