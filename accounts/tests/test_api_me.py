"""PATCH /api/v1/me: profile changes over the API, checked like the profile form."""

import json


def _patch(client, bearer, body: dict, **headers):
    return client.patch(
        "/api/v1/me", json.dumps(body), content_type="application/json", **bearer, **headers
    )


def test_patch_changes_only_the_fields_sent(client, participant, bearer, tree):
    response = _patch(
        client, bearer, {"phone": "+84 912 345 678", "home_unit": "LA-CD-LTR", "birth_year": 1990}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["phone"] == "0912345678"
    assert body["home_unit"] == "LA-CD-LTR"
    assert body["home_unit_name"] == "Hội CTĐ CS xã Long Trạch"
    participant.refresh_from_db()
    assert participant.phone == "0912345678"
    assert participant.birth_year == 1990
    assert participant.home_unit == tree["LA-CD-LTR"]
    assert participant.full_name == "Lê Minh Anh"  # not sent, not changed


def test_patch_with_null_clears_a_field(client, participant, bearer):
    response = _patch(client, bearer, {"home_unit": None})

    assert response.status_code == 200
    participant.refresh_from_db()
    assert participant.home_unit is None


def test_patch_rejects_a_bad_phone_with_422_and_a_clear_message(client, participant, bearer):
    response = _patch(client, bearer, {"phone": "12345"}, HTTP_COOKIE="kindsteps_language=en")

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_profile"
    assert body["errors"]["phone"] == [
        "Enter a Vietnamese phone number, e.g. 0912 345 678 or +84 912 345 678."
    ]
    participant.refresh_from_db()
    assert participant.phone == ""


def test_patch_rejects_an_unknown_unit_and_gender(client, participant, bearer):
    response = _patch(client, bearer, {"home_unit": "XX", "gender": "robot"})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"home_unit", "gender"}


def test_patch_rejects_a_birth_year_that_is_not_a_number(client, participant, bearer):
    response = _patch(client, bearer, {"birth_year": "long ago"})

    assert response.status_code == 422
    participant.refresh_from_db()
    assert participant.birth_year is None


def test_patch_needs_authentication(client, participant):
    response = client.patch("/api/v1/me", "{}", content_type="application/json")

    assert response.status_code == 401
