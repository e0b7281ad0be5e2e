"""Personal API tokens: created and revoked on the profile page, used on the API."""

from django.urls import reverse

from accounts.models import ApiToken

PROFILE = "/accounts/profile/"


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_creating_a_token_shows_it_once(participant_client, participant):
    response = participant_client.post(reverse("api_token_create"), {"name": "Phone app"})

    assert response.status_code == 302
    token = participant.api_tokens.get()
    assert token.name == "Phone app"
    first = participant_client.get(PROFILE).content.decode()
    assert 'id="new-token"' in first
    raw = first.split('id="new-token"')[1].split('value="')[1].split('"')[0]
    assert raw.startswith("ks_")
    assert ApiToken.authenticate(raw) == participant
    second = participant_client.get(PROFILE).content.decode()
    assert raw not in second
    assert 'id="new-token"' not in second


def test_the_token_list_shows_name_hint_and_usage(participant_client, participant):
    token, raw = ApiToken.issue(participant, "Step counter")
    ApiToken.authenticate(raw)

    page = participant_client.get(PROFILE).content.decode()

    assert "Step counter" in page
    assert f"{token.hint}…" in page
    assert raw not in page


def test_the_token_list_shows_only_my_own_active_tokens(participant_client, participant, owner):
    ApiToken.issue(owner, "Owner's laptop")
    revoked, _raw = ApiToken.issue(participant, "Old phone")
    revoked.revoke()

    page = participant_client.get(PROFILE).content.decode()

    assert "Owner&#x27;s laptop" not in page and "Owner's laptop" not in page
    assert "Old phone" not in page


def test_a_token_needs_a_name(participant_client, participant):
    response = participant_client.post(reverse("api_token_create"), {"name": ""})

    assert response.status_code == 400
    assert not participant.api_tokens.exists()


def test_the_owner_revokes_a_token(participant_client, participant):
    token, raw = ApiToken.issue(participant, "Phone app")

    response = participant_client.post(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.authenticate(raw) is None


def test_another_user_revoking_my_token_gets_404(client, participant, outsider):
    token, raw = ApiToken.issue(participant, "Phone app")
    client.force_login(outsider)

    response = client.post(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.authenticate(raw) == participant


def test_revoking_needs_a_post(participant_client, participant):
    token, _raw = ApiToken.issue(participant, "Phone app")

    response = participant_client.get(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_authenticates_get_me(client, participant):
    _token, raw = ApiToken.issue(participant, "Phone app")

    response = client.get("/api/v1/me", **_bearer(raw))

    assert response.status_code == 200
    body = response.json()
    assert body["email"] == participant.email
    assert body["full_name"] == "Lê Minh Anh"
    assert body["home_unit"] == "LA-CD-THPT"


def test_using_a_token_records_when_it_was_last_used(client, participant):
    token, raw = ApiToken.issue(participant, "Phone app")

    client.get("/api/v1/me", **_bearer(raw))

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_gets_401(client, participant):
    token, raw = ApiToken.issue(participant, "Phone app")
    token.revoke()

    response = client.get("/api/v1/me", **_bearer(raw))

    assert response.status_code == 401


def test_a_made_up_token_gets_401(client, participant):
    response = client.get("/api/v1/me", **_bearer("ks_not-a-real-token"))

    assert response.status_code == 401
