"""Consent with a stated purpose at sign-up (Decree 13/2023/NĐ-CP, article 11): the
form shows the purpose and a link to the privacy page, will not sign anyone up
without the box ticked, and records when and to which version of the text."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.consent import CONSENT_VERSION
from accounts.models import Consent, User
from conftest import PASSWORD
from kindsteps.testing.clock import NOW

pytestmark = pytest.mark.django_db


def sign_up(client, **extra):
    data = {"email": "hoc.sinh@example.org", "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("account_signup"), {**data, **extra})


def test_the_signup_form_states_the_purpose_and_links_to_the_privacy_page(client):
    body = client.get(reverse("account_signup")).content.decode()
    (checkbox,) = re.findall(r'<input[^>]*name="consent"[^>]*>', body)
    assert 'type="checkbox"' in checkbox and "required" in checkbox
    assert "xếp hạng" in body  # the purpose, in Vietnamese
    assert f'href="{reverse("privacy")}"' in body


def test_signing_up_without_the_consent_creates_no_account(client):
    response = sign_up(client)
    assert response.status_code == 200
    assert not User.objects.exists()
    assert "Để tham gia, hãy đồng ý" in response.content.decode()


def test_the_consent_is_recorded_with_its_time_version_and_language(client):
    response = sign_up(client, consent="on")
    assert response.status_code == 302
    user = User.objects.get(email="hoc.sinh@example.org")
    consent = Consent.objects.get(user=user)
    assert consent.version == CONSENT_VERSION
    assert consent.language == "vi"
    assert abs((consent.accepted_at - NOW).total_seconds()) < 60


def test_a_consent_given_in_english_says_so(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sign_up(client, consent="on")
    assert Consent.objects.get().language == "en"
