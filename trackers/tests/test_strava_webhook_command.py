"""`manage.py strava_webhook`: the subscription created, viewed and deleted as Strava's
webhook guide shows (https://developers.strava.com/docs/webhooks/: POST, GET and DELETE
/api/v3/push_subscriptions with the application's client id and secret)."""

from io import StringIO

import pytest
import responses
from django.core.management import CommandError, call_command

URL = "https://www.strava.com/api/v3/push_subscriptions"
CALLBACK = "https://kindsteps.example.org/trackers/strava/webhook/"


def run(*args) -> str:
    out = StringIO()
    call_command("strava_webhook", *args, stdout=out)
    return out.getvalue()


@responses.activate
def test_create_view_and_delete_the_subscription():
    responses.post(URL, json={"id": 120475})
    responses.get(
        URL,
        json=[
            {
                "id": 120475,
                "resource_state": 2,
                "application_id": 12345,
                "callback_url": CALLBACK,
                "created_at": "2026-03-01T02:20:13+00:00",
                "updated_at": "2026-03-01T02:20:13+00:00",
            }
        ],
    )
    responses.delete(f"{URL}/120475", status=204)

    created = run("create", CALLBACK)
    viewed = run("view")
    deleted = run("delete", "120475")

    assert "STRAVA_SUBSCRIPTION_ID=120475" in created
    body = responses.calls[0].request.body
    assert "verify_token=verify-me" in body and "client_secret=client-secret" in body
    assert CALLBACK in viewed
    assert "120475 deleted" in deleted
    assert responses.calls[2].request.method == "DELETE"


def test_it_refuses_to_run_without_strava_keys(settings):
    settings.STRAVA_CLIENT_ID = ""

    with pytest.raises(CommandError, match="STRAVA_CLIENT_ID"):
        run("view")


@responses.activate
def test_strava_refusing_is_said_plainly():
    responses.post(
        URL,
        status=400,
        json={
            "message": "Bad Request",
            "errors": [
                {
                    "resource": "PushSubscription",
                    "field": "callback url",
                    "code": "GET to callback URL does not return 200",
                }
            ],
        },
    )

    with pytest.raises(CommandError, match="Strava refused"):
        run("create", CALLBACK)
