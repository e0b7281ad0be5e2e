"""Google and Facebook log-in, with the providers' HTTP endpoints played by
``responses`` in the formats their documentation gives."""

import copy
import datetime as dt
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import responses
from allauth.socialaccount.models import SocialAccount
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.urls import reverse

from accounts.consent import CONSENT_VERSION
from accounts.models import User
from accounts.tests.conftest import link_in
from kindsteps.testing.clock import NOW

GOOGLE_CLIENT_ID = "1234567890-kindsteps.apps.googleusercontent.com"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"
GOOGLE_KID = "f5f4bf46e52b31d9b6249f7309ad0338400680cd"
FACEBOOK_APP_ID = "1122334455667788"
FACEBOOK_APP_SECRET = "fb-app-secret"
GRAPH = "https://graph.facebook.com/v19.0"


@pytest.fixture
def social_apps(db, settings):
    """Both providers configured, as the GOOGLE_* and FACEBOOK_* variables would."""
    providers = copy.deepcopy(settings.SOCIALACCOUNT_PROVIDERS)
    providers["google"]["APPS"] = [{"client_id": GOOGLE_CLIENT_ID, "secret": "google-secret"}]
    providers["facebook"]["APPS"] = [{"client_id": FACEBOOK_APP_ID, "secret": FACEBOOK_APP_SECRET}]
    settings.SOCIALACCOUNT_PROVIDERS = providers
    return providers


@pytest.fixture(scope="module")
def google_signing_key() -> tuple[rsa.RSAPrivateKey, str]:
    """An RSA key and its self-signed X.509 certificate in PEM, like Google's certs,
    valid the day around the suite's fixed now (a module's fixture is made before the
    clock is fixed for each test)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "accounts.google.com")])
    now = NOW
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


def _google_id_token(key, **claims) -> str:
    now = int(NOW.timestamp())
    payload = {
        "iss": "https://accounts.google.com",
        "azp": GOOGLE_CLIENT_ID,
        "aud": GOOGLE_CLIENT_ID,
        "sub": "110169484474386276334",
        "email": "minhanh.le@gmail.com",
        "email_verified": True,
        "at_hash": "HK6E_P6Dh8Y93mRNtsDB1Q",
        "name": "Lê Minh Anh",
        "given_name": "Minh Anh",
        "family_name": "Lê",
        "picture": "https://lh3.googleusercontent.com/a/photo",
        "locale": "vi",
        "iat": now,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": GOOGLE_KID})


def _start(client, provider: str, authorize_host: str) -> str:
    """POST the log-in button; returns the ``state`` sent to the provider."""
    response = client.post(f"/accounts/{provider}/login/")
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert location.netloc == authorize_host
    return parse_qs(location.query)["state"][0]


@pytest.fixture
def google_provider(google_signing_key):
    key, cert_pem = google_signing_key

    def serve(rsps: responses.RequestsMock, **claims) -> None:
        rsps.post(
            GOOGLE_TOKEN_URL,
            json={
                "access_token": "ya29.a0AfB_byC-test-access-token",
                "expires_in": 3599,
                "scope": "openid https://www.googleapis.com/auth/userinfo.email "
                "https://www.googleapis.com/auth/userinfo.profile",
                "token_type": "Bearer",
                "id_token": _google_id_token(key, **claims),
            },
        )
        # allauth 65 skips the signature check for an id_token it fetched itself
        # over TLS (OpenID Connect Core 3.1.3.7); the certs are served anyway so
        # the test holds if it starts checking. The One Tap tests below do check.
        rsps.get(GOOGLE_CERTS_URL, json={GOOGLE_KID: cert_pem})

    return serve


def _consent(client, response, email: str):
    """A new social account meets the sign-up form once, for the consent to the purpose."""
    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_signup")
    form = client.get(reverse("socialaccount_signup")).content.decode()
    assert 'name="consent"' in form and email in form
    return client.post(reverse("socialaccount_signup"), {"email": email, "consent": "on"})


def test_google_login_creates_a_verified_user_with_the_full_name(
    client, social_apps, google_provider, mailoutbox
):
    state = _start(client, "google", "accounts.google.com")

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        google_provider(rsps)
        response = client.get(
            "/accounts/google/login/callback/", {"code": "4/0AeaYSHtestcode", "state": state}
        )
        token_request = rsps.calls[0].request

    response = _consent(client, response, "minhanh.le@gmail.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert parse_qs(token_request.body)["code"] == ["4/0AeaYSHtestcode"]
    user = User.objects.get(email="minhanh.le@gmail.com")
    assert user.full_name == "Lê Minh Anh"  # Vietnamese order, not "Minh Anh Lê"
    assert user.consents.get().version == CONSENT_VERSION
    assert user.emailaddress_set.get().verified
    assert SocialAccount.objects.get(user=user).uid == "110169484474386276334"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get(reverse("profile")).status_code == 200
    assert mailoutbox == []  # Google vouched for the address: no verification mail


def test_google_login_connects_to_the_existing_account_with_that_address(
    client, social_apps, google_provider, user_factory
):
    existing = user_factory("minhanh.le@gmail.com", full_name="Minh Anh")
    state = _start(client, "google", "accounts.google.com")

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        google_provider(rsps)
        client.get("/accounts/google/login/callback/", {"code": "4/0Aea", "state": state})

    assert User.objects.count() == 1
    assert SocialAccount.objects.get().user == existing
    assert int(client.session["_auth_user_id"]) == existing.pk
    existing.refresh_from_db()
    assert existing.full_name == "Minh Anh"  # a name the person chose is kept


def test_google_callback_with_a_wrong_state_logs_nobody_in(client, social_apps, google_provider):
    _start(client, "google", "accounts.google.com")

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        google_provider(rsps)
        response = client.get(
            "/accounts/google/login/callback/", {"code": "4/0Aea", "state": "forged"}
        )

    assert response.status_code == 401  # allauth's "login failed" page
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def _one_tap(client, credential: str):
    """Google's One Tap posts the id_token with a double-submit CSRF cookie."""
    client.cookies["g_csrf_token"] = "one-tap-csrf"
    return client.post(
        "/accounts/google/login/token/",
        {"credential": credential, "g_csrf_token": "one-tap-csrf"},
    )


def test_google_one_tap_checks_the_id_token_signature_against_googles_certs(
    client, social_apps, google_signing_key
):
    key, cert_pem = google_signing_key

    with responses.RequestsMock() as rsps:
        rsps.get(GOOGLE_CERTS_URL, json={GOOGLE_KID: cert_pem})
        response = _one_tap(client, _google_id_token(key))

    response = _consent(client, response, "minhanh.le@gmail.com")
    assert response.status_code == 302
    user = User.objects.get(email="minhanh.le@gmail.com")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_google_one_tap_refuses_an_id_token_signed_by_another_key(
    client, social_apps, google_signing_key
):
    _key, cert_pem = google_signing_key
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    with responses.RequestsMock() as rsps:
        rsps.get(GOOGLE_CERTS_URL, json={GOOGLE_KID: cert_pem})
        response = _one_tap(client, _google_id_token(forger))

    assert response.status_code == 401
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def _facebook_responses(rsps: responses.RequestsMock) -> None:
    rsps.get(
        f"{GRAPH}/oauth/access_token",
        json={"access_token": "EAAGm0PX4ZCpsBAtest", "token_type": "bearer", "expires_in": 5183944},
    )
    rsps.get(
        f"{GRAPH}/me",
        json={
            "id": "10224567890123456",
            "email": "hoa.nguyen@example.vn",
            "name": "Nguyễn Thị Hoa",
            "first_name": "Hoa",
            "last_name": "Nguyễn",
        },
    )


def test_facebook_login_creates_a_user_with_the_full_name_and_verifies_the_address(
    client, social_apps, mailoutbox
):
    state = _start(client, "facebook", "www.facebook.com")

    with responses.RequestsMock() as rsps:
        _facebook_responses(rsps)
        response = client.get(
            "/accounts/facebook/login/callback/", {"code": "AQDtestcode", "state": state}
        )
        token_query = parse_qs(urlparse(rsps.calls[0].request.url).query)
        me_query = parse_qs(urlparse(rsps.calls[1].request.url).query)

    response = _consent(client, response, "hoa.nguyen@example.vn")
    assert token_query["code"] == ["AQDtestcode"]
    assert token_query["client_id"] == [FACEBOOK_APP_ID]
    assert "email" in me_query["fields"][0].split(",")
    assert me_query["access_token"] == ["EAAGm0PX4ZCpsBAtest"]
    assert "appsecret_proof" in me_query
    user = User.objects.get(email="hoa.nguyen@example.vn")
    assert user.full_name == "Nguyễn Thị Hoa"
    assert SocialAccount.objects.get(user=user, provider="facebook").uid == "10224567890123456"
    # Facebook does not promise the address is the person's, so allauth asks
    # them to confirm it before the first log-in.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not user.emailaddress_set.get().verified
    assert mailoutbox[0].to == ["hoa.nguyen@example.vn"]

    client.post(link_in(mailoutbox[0], "/accounts/confirm-email/"))

    assert user.emailaddress_set.get().verified
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_page_shows_no_social_buttons_without_keys(client, db):
    page = client.get(reverse("account_login")).content.decode()

    assert "/accounts/google/login/" not in page
    assert "/accounts/facebook/login/" not in page


def test_login_page_shows_google_and_facebook_buttons_when_configured(client, social_apps):
    page = client.get(reverse("account_login")).content.decode()

    assert "/accounts/google/login/" in page
    assert "/accounts/facebook/login/" in page
    assert 'class="outline provider provider-google"' in page


def test_login_page_shows_only_the_configured_provider(client, social_apps, settings):
    settings.SOCIALACCOUNT_PROVIDERS["facebook"]["APPS"] = []

    page = client.get(reverse("account_login")).content.decode()

    assert "/accounts/google/login/" in page
    assert "/accounts/facebook/login/" not in page
