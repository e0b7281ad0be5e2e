import pytest


@pytest.mark.django_db
def test_health_reports_database_ok(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_openapi_schema_lists_the_health_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "KindSteps API"
    assert "/api/v1/health" in schema["paths"]


@pytest.mark.django_db
def test_api_answers_an_unknown_campaign_with_a_stable_code(client):
    response = client.get("/api/v1/campaigns/no-such-campaign")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
