"""Sign-up, e-mail verification, log-in and password reset through allauth."""

from django.urls import reverse

from accounts.models import User
from accounts.tests.conftest import link_in, log_in
from conftest import PASSWORD

NEW_PASSWORD = "a much longer walk by the river"


def _sign_up(client, email: str = "new.walker@example.org"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, "consent": "on"},
    )


def test_signup_sends_a_verification_mail_whose_link_confirms_the_address(db, client, mailoutbox):
    response = _sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.walker@example.org")
    assert not user.emailaddress_set.get().verified
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.walker@example.org"]
    assert message.subject.startswith("[KindSteps] ")

    confirm_path = link_in(message, "/accounts/confirm-email/")
    assert client.get(confirm_path).status_code == 200  # a page with a button, not a GET action
    response = client.post(confirm_path)

    assert response.status_code == 302
    assert user.emailaddress_set.get().verified


def test_a_confirmed_account_can_log_in_and_open_its_profile(db, client, mailoutbox):
    _sign_up(client)
    confirm_path = link_in(mailoutbox[0], "/accounts/confirm-email/")
    client.logout()
    other_browser = client.__class__()
    other_browser.post(confirm_path)

    response = log_in(other_browser, "new.walker@example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert other_browser.get(reverse("profile")).status_code == 200


def test_an_unverified_account_cannot_log_in(client, user_factory, mailoutbox):
    user_factory("pending@example.org", verified=False)

    response = log_in(client, "pending@example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    # allauth sends the verification mail again so the person can finish.
    assert [m.to for m in mailoutbox] == [["pending@example.org"]]


def test_an_unverified_account_cannot_open_the_profile(client, user_factory):
    user_factory("pending@example.org", verified=False)
    log_in(client, "pending@example.org")

    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_profile_sends_anonymous_visitors_to_the_login_page(client, db):
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={reverse('profile')}"


def test_a_wrong_password_does_not_log_in(client, participant):
    response = log_in(client, participant.email, "not the password")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_mail_link_sets_a_new_password_that_works(client, participant, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": participant.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [participant.email]

    key_path = link_in(mailoutbox[0], "/accounts/password/reset/key/")
    response = client.get(key_path)
    # allauth moves the key into the session and shows the form on a key-less URL.
    assert response.status_code == 302
    set_path = response["Location"]
    assert client.get(set_path).status_code == 200
    response = client.post(set_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    client.logout()
    assert log_in(client, participant.email, PASSWORD).status_code == 200  # old one refused
    response = log_in(client, participant.email, NEW_PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200


def test_password_reset_for_an_unknown_address_sends_no_reset_link(client, db, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert all("/accounts/password/reset/key/" not in m.body for m in mailoutbox)


def test_login_page_speaks_vietnamese_by_default(client, db):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()


def test_login_page_speaks_english_with_the_language_cookie(client, db, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("account_login"))

    assert "Sign In" in response.content.decode()
    assert "Đăng nhập" not in response.content.decode()
