"""The API's own description (/api/v1/openapi.json) drives schemathesis against a live
server: for every operation, examples generated from its schema (valid and not),
sent with a participant's token; none may answer with a server error. Bounded
(EXAMPLES per operation) so the whole run stays well under a minute."""

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from accounts.models import ApiToken
from campaigns.tests.factories import CampaignFactory, RegistrationFactory
from kindsteps.testing.clock import NOW

EXAMPLES = 5


@pytest.fixture
def token(transactional_db, participant, tree, settings, tmp_path) -> str:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RATELIMIT_ENABLE = False
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], slug="cd-walk")
    RegistrationFactory(campaign=campaign, user=participant, registered_at=NOW - timedelta(days=2))
    _token, raw = ApiToken.issue(participant, "Schema run")
    return raw


def test_no_api_operation_answers_with_a_server_error(live_server, token):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {token}"}
    errors: list[str] = []
    operations = 0

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        _runner(operation, live_server.url, headers, errors)()

    assert operations >= 20  # the whole API was described and run, not a part
    assert not errors, "\n".join(errors[:20])


def _runner(operation, base_url: str, headers: dict[str, str], errors: list[str]):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def send(case):
        response = case.call(base_url=base_url, headers=headers)
        if response.status_code >= 500:
            errors.append(
                f"{operation.method.upper()} {operation.path} → {response.status_code}: "
                f"{case.as_curl_command(headers=headers)}"
            )

    return send


@pytest.mark.parametrize(
    "path", ["/api/v1/activities", "/api/v1/campaigns", "/api/v1/campaigns/cd-walk/teams"]
)
def test_a_page_number_past_any_list_is_refused_not_a_server_error(client, token, path):
    """Found by the run above on PostgreSQL: OFFSET beyond a bigint was a 500."""
    response = client.get(
        path, {"page": 16239490862185099649089536}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 422
