"""The accounts admin: lists, edits and adds users; lists API tokens."""

import pytest
from django.urls import reverse

from accounts.models import ApiToken, User
from conftest import PASSWORD
from kindsteps.testing.mfa import with_totp


@pytest.fixture
def admin_client(client, db):
    # Superusers must have a second factor (docs/security.md).
    admin = with_totp(User.objects.create_superuser("root@example.org", PASSWORD))
    client.force_login(admin)
    return client


def test_user_list_searches_by_name(admin_client, participant):
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "Minh Anh"})

    assert response.status_code == 200
    assert participant.email in response.content.decode()


def test_user_change_page_saves_the_profile(admin_client, participant, tree):
    url = reverse("admin:accounts_user_change", args=[participant.pk])
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(
        url,
        {
            "email": participant.email,
            "full_name": "Lê Minh Anh",
            "gender": "female",
            "birth_year": "1998",
            "phone": "0912345678",
            "province": "Long An",
            "district": "Cần Đước",
            "home_unit": tree["LA-CD-LTR"].pk,
            "preferred_language": "en",
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "08:00:00",
        },
    )

    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.home_unit == tree["LA-CD-LTR"]
    assert participant.preferred_language == "en"


def test_admin_adds_a_user_by_email(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "volunteer@example.org",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="volunteer@example.org").check_password(PASSWORD)


def test_token_list_never_shows_the_digest(admin_client, participant):
    token, _raw = ApiToken.issue(participant, "Phone app")

    response = admin_client.get(reverse("admin:accounts_apitoken_changelist"))

    assert response.status_code == 200
    assert "Phone app" in response.content.decode()
    assert token.digest not in response.content.decode()
