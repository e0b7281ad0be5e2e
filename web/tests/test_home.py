import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_page_speaks_vietnamese_by_default(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    assert '<html lang="vi"' in response.content.decode()


@pytest.mark.django_db
def test_language_switcher_switches_to_english_and_back(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en"' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert '<html lang="vi"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_home_page_has_an_honest_empty_state_without_campaigns(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert "No campaigns yet." in body


@pytest.mark.django_db
def test_home_page_is_translated_into_vietnamese(client):
    body = client.get("/").content.decode()
    assert "Mỗi bước chân vì người khó khăn" in body
    assert "Every step for people in need" not in body
