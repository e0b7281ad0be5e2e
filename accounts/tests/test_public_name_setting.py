"""The profile's "your name on public pages" setting, on the page and over the
API: each choice is shown with the person's own name; a minor cannot make their
full name public."""

import json
import re

from accounts.models import PublicName
from accounts.names import anonymous_label

URL = "/accounts/profile/public-name/"


def test_the_profile_shows_each_choice_with_my_own_name(participant_client, participant):
    participant.birth_year = 1998
    participant.save()
    body = participant_client.get("/accounts/profile/").content.decode()
    assert 'id="public-name"' in body
    assert "Lê Minh Anh" in body and "Lê M. A." in body
    assert anonymous_label(participant.pk) in body
    assert re.search(r'value="auto"[^>]*checked', body)


def test_choosing_the_short_name_saves_it(participant_client, participant):
    response = participant_client.post(URL, {"public_name_choice": "short"})
    assert response.status_code == 302 and response["Location"].endswith("#public-name")
    participant.refresh_from_db()
    assert participant.public_name_choice == PublicName.SHORT


def test_a_minor_cannot_make_their_full_name_public(participant_client, participant):
    participant.birth_year = 2010
    participant.save()
    participant_client.cookies["kindsteps_language"] = "en"
    response = participant_client.post(URL, {"public_name_choice": "full"})
    assert response.status_code == 400
    assert "cannot be public until the year after you turn 18" in response.content.decode()
    participant.refresh_from_db()
    assert participant.public_name_choice == PublicName.AUTO


def test_a_made_up_choice_is_refused_and_loses_nothing(participant_client, participant):
    participant.public_name_choice = PublicName.SHORT
    participant.save()
    response = participant_client.post(URL, {"public_name_choice": "famous"})
    assert response.status_code == 400
    participant.refresh_from_db()
    assert participant.public_name_choice == PublicName.SHORT


def test_a_visitor_is_sent_to_log_in(client, db):
    response = client.post(URL, {"public_name_choice": "short"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_setting_takes_a_post_only(participant_client):
    assert participant_client.get(URL).status_code == 405


def _patch(client, bearer, body):
    return client.patch("/api/v1/me", json.dumps(body), content_type="application/json", **bearer)


def test_the_api_gives_my_choice_and_how_i_appear(client, participant, bearer):
    body = client.get("/api/v1/me", **bearer).json()
    assert body["public_name_choice"] == "auto" and body["public_name"] == "Lê Minh Anh"
    body = _patch(client, bearer, {"public_name_choice": "anonymous"}).json()
    assert body["public_name_choice"] == "anonymous"
    assert body["public_name"] == anonymous_label(participant.pk)


def test_the_api_refuses_a_minor_s_full_name_with_the_birth_year_sent_along(
    client, participant, bearer
):
    response = _patch(client, bearer, {"birth_year": 2011, "public_name_choice": "full"})
    assert response.status_code == 422
    assert "public_name_choice" in response.json()["errors"]
    participant.refresh_from_db()
    assert participant.birth_year is None and participant.public_name_choice == "auto"
