"""Two-factor authentication is required, not suggested, for anyone who can refund,
reconcile, see contacts or administer a unit (an admin role anywhere, or a
superuser): signed in without an authenticator app, they are sent to set one up and
reach none of those pages until it is done (accounts/twofactor.py, docs/security.md)."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.twofactor import requires_second_factor
from conftest import PASSWORD, make_user
from kindsteps.testing.mfa import totp_code, with_totp
from orgs.models import Role, UnitRole

SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture
def bare_admin(tree):
    """An admin of Cần Đước district who never set up a second factor."""
    user = make_user("bare-admin@example.org", full_name="Quản Trị Chưa Bảo Vệ")
    UnitRole.objects.create(user=user, unit=tree["LA-CD"], role=Role.ADMIN)
    return user


STAFF_PAGES = [
    "/manage/campaigns/",
    "/manage/dashboard/",
    "/orgs/",
    "/orgs/LA-CD/",
    "/outreach/",
    "/admin/",
    "/",
]


def test_who_must_use_a_second_factor(tree, bare_admin, member, participant):
    superuser = make_user("root@example.org", is_superuser=True, is_staff=True)

    assert requires_second_factor(bare_admin)
    assert requires_second_factor(superuser)
    assert not requires_second_factor(member)  # unit staff: no money, no contacts
    assert not requires_second_factor(participant)


def test_signing_in_as_an_admin_without_a_second_factor_leads_to_its_setup(client, bare_admin):
    response = client.post(
        "/accounts/login/", {"login": bare_admin.email, "password": PASSWORD}, follow=True
    )

    # To the setup (allauth may first confirm the password), told why.
    assert any(SETUP in url for url, _status in response.redirect_chain)
    assert response.redirect_chain[-1][0].startswith("/accounts/")
    assert response.status_code == 200
    assert "phải được bảo vệ bằng xác thực hai lớp" in response.content.decode()


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_an_admin_without_a_second_factor_reaches_no_page_but_the_setup(client, bare_admin, path):
    client.force_login(bare_admin)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert "next=" in response["Location"]


def test_the_money_screens_refuse_a_form_sent_without_a_second_factor(client, bare_admin):
    client.force_login(bare_admin)

    response = client.post("/manage/campaigns/any/donations/1/refund/", {"note": "x"})

    assert response.status_code == 403
    assert "xác thực hai lớp" in response.content.decode()


def test_a_superuser_without_a_second_factor_cannot_reach_the_admin_site(client, db):
    root = make_user("root@example.org", is_superuser=True, is_staff=True)
    client.force_login(root)

    response = client.get("/admin/")

    assert response.status_code == 302 and response["Location"].startswith(SETUP)


def test_the_setup_page_itself_and_signing_out_stay_open(client, bare_admin):
    client.force_login(bare_admin)

    setup = client.get(SETUP, follow=True)  # after confirming the password again
    assert setup.status_code == 200
    assert setup.redirect_chain == [] or setup.redirect_chain[-1][0].startswith("/accounts/")
    assert client.get(reverse("account_logout")).status_code == 200


def test_once_an_authenticator_is_set_up_the_pages_open(client, bare_admin):
    with_totp(bare_admin)
    client.force_login(bare_admin)

    assert client.get("/manage/campaigns/").status_code == 200
    assert client.get("/orgs/LA-CD/").status_code == 200


def test_recovery_codes_alone_are_not_a_second_factor(client, bare_admin):
    Authenticator.objects.create(
        user=bare_admin, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"}
    )
    client.force_login(bare_admin)

    assert client.get("/manage/campaigns/").status_code == 302


def test_participants_and_unit_staff_are_never_asked(client, participant, member):
    for person in (participant, member):
        client.force_login(person)
        assert client.get("/").status_code == 200
        assert client.get("/activities/").status_code == 200


def test_an_admin_with_totp_is_asked_for_the_code_when_signing_in(client, owner):
    response = client.post("/accounts/login/", {"login": owner.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("typed_after_s", "signed_in"),
    # Typed in the same step, in the next one (up to 30 s later), or two steps later.
    [(0, True), (1, True), (30, True), (31, False)],
)
def test_a_code_typed_as_the_app_changes_it_still_signs_in_once(
    client, owner, time_machine, typed_after_s, signed_in
):
    # The code the app shows at the last second of its 30, typed after it changed.
    shown = 1_780_000_019.0  # 29 s into a 30-second step
    time_machine.move_to(shown, tick=False)
    code = totp_code(shown)
    client.post("/accounts/login/", {"login": owner.email, "password": PASSWORD})
    time_machine.move_to(shown + typed_after_s, tick=False)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert ("_auth_user_id" in client.session) is signed_in
    if signed_in:  # the same code never signs in twice
        client.logout()
        client.post("/accounts/login/", {"login": owner.email, "password": PASSWORD})
        client.post(reverse("mfa_authenticate"), {"code": code})
        assert "_auth_user_id" not in client.session


def test_the_participants_api_stays_open_to_an_admin_without_a_second_factor(client, bare_admin):
    client.force_login(bare_admin)

    assert client.get("/api/v1/me").status_code == 200


def test_the_rule_can_be_relaxed_only_by_setting_it(client, bare_admin, settings):
    settings.MFA_REQUIRED = False
    client.force_login(bare_admin)

    assert client.get("/manage/campaigns/").status_code == 200
