"""Sharing: the Open Graph and Twitter tags of the campaign, team and progress pages,
their 1200 × 630 share cards (kept once drawn), the participant's "share my
progress" card and its public page, which shows only what they chose to make public."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from PIL import Image

from accounts.models import PublicName
from accounts.names import anonymous_label
from activities.models import VerdictStatus
from activities.tests.factories import ActivityFactory, VerdictFactory
from campaigns.models import Visibility
from campaigns.tests.factories import CampaignFactory, RegistrationFactory, UserFactory
from core import cards
from kindsteps.testing.clock import NOW
from standings import services
from teams.tests.factories import TeamFactory
from web import sharing

SITE = "https://kindsteps.example"


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path


def walk(campaign, metres, *, steps=None, user=None, **registration):
    """A registration with one accepted activity of ``metres`` (and the device's
    ``steps``, if any), its standing up to date."""
    user = user or UserFactory(full_name=f"Người {metres}")
    reg = RegistrationFactory(campaign=campaign, user=user, **registration)
    activity = ActivityFactory(
        user=user, distance_m=metres, steps=steps, started_at=NOW - timedelta(hours=5)
    )
    VerdictFactory(
        campaign=campaign,
        activity=activity,
        registration=reg,
        status=VerdictStatus.ACCEPTED,
        credited_m=metres,
        reasons=[],
    )
    services.refresh(reg.pk)
    return reg


def meta(body: str) -> dict[str, str]:
    """The page's Open Graph and Twitter tags: property or name → content."""
    found = re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)"', body)
    return dict(found)


def png_size(content: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    return image.size


def path_of(url: str) -> str:
    assert url.startswith(SITE + "/"), url
    return url.removeprefix(SITE)


def test_campaign_page_has_open_graph_tags_with_absolute_addresses(client, open_campaign):
    walk(open_campaign, 4200)
    tags = meta(client.get(reverse("campaigns:detail", args=[open_campaign.slug])).content.decode())
    assert tags["og:title"] == "Đi bộ đang mở"
    assert tags["og:url"] == f"{SITE}/c/open-walk/"
    assert tags["og:image"].startswith(f"{SITE}/c/open-walk/card.png?v=")
    assert tags["og:type"] == "website"
    assert tags["og:locale"] == "vi_VN"
    assert tags["og:locale:alternate"] == "en_US"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:image"] == tags["og:image"]
    assert "4,2 km" in tags["og:description"]


def test_campaign_page_in_english_says_its_locale(english, open_campaign):
    body = english.get(reverse("campaigns:detail", args=[open_campaign.slug])).content.decode()
    tags = meta(body)
    assert tags["og:title"] == "Open walk"
    assert tags["og:locale"] == "en_US"


def test_campaign_card_is_a_png_of_1200_by_630(client, open_campaign):
    walk(open_campaign, 4200)
    tags = meta(client.get(reverse("campaigns:detail", args=[open_campaign.slug])).content.decode())
    response = client.get(path_of(tags["og:image"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert png_size(response.content) == (1200, 630)
    assert response["Cache-Control"] == "public, max-age=3600"


def test_a_card_is_drawn_once_and_drawn_again_when_a_figure_changes(
    client, open_campaign, monkeypatch
):
    drawn = []
    real_draw = cards.draw
    monkeypatch.setattr(cards, "draw", lambda card, **kw: drawn.append(card) or real_draw(card))
    url = reverse("campaigns:card", args=[open_campaign.slug])
    first = client.get(url)
    again = client.get(url)
    assert len(drawn) == 1
    assert again.content == first.content
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    walk(open_campaign, 3000)
    changed = client.get(url)
    assert len(drawn) == 2
    assert changed["ETag"] != first["ETag"]


def test_private_campaign_card_answers_404_to_a_visitor_without_the_code(client, tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], visibility=Visibility.PRIVATE)
    assert client.get(reverse("campaigns:card", args=[campaign.slug])).status_code == 404
    with_code = client.get(
        reverse("campaigns:card", args=[campaign.slug]) + f"?code={campaign.invite_code}"
    )
    assert with_code.status_code == 200
    assert with_code["Cache-Control"].startswith("private")


def test_team_page_shows_km_and_steps_and_its_card(client, open_campaign):
    team = TeamFactory(campaign=open_campaign, name="Đội Long Trạch")
    walk(open_campaign, 5000, steps=6500, team=team)
    body = client.get(reverse("teams:detail", args=[open_campaign.slug, team.pk])).content.decode()
    assert "5,0 km · 6.500 bước chân" in body
    tags = meta(body)
    assert tags["og:title"] == "Đội Long Trạch · Đi bộ đang mở"
    assert tags["og:url"] == f"{SITE}/c/open-walk/t/{team.pk}/"
    response = client.get(path_of(tags["og:image"]))
    assert response["Content-Type"] == "image/png"
    assert png_size(response.content) == (1200, 630)


def test_team_page_marks_estimated_steps(client, open_campaign):
    team = TeamFactory(campaign=open_campaign)
    walk(open_campaign, 5000, team=team)  # no device steps: estimated from the distance
    body = client.get(reverse("teams:detail", args=[open_campaign.slug, team.pk])).content.decode()
    assert 'title="Một phần được ước tính từ quãng đường">≈</abbr>' in body
    assert "ước tính" in body


def test_participant_sees_share_my_progress_with_its_links(client, open_campaign, participant):
    walk(open_campaign, 7300, steps=9100, user=participant)
    client.force_login(participant)
    body = client.get(reverse("campaigns:detail", args=[open_campaign.slug])).content.decode()
    registration = open_campaign.registrations.get(user=participant)
    public = SITE + sharing.progress_path(registration)
    assert "Chia sẻ tiến độ của tôi" in body
    assert f'value="{public}"' in body
    assert "https://www.facebook.com/sharer/sharer.php?u=" in body
    assert "https://sp.zalo.me/share?url=" in body
    assert "data-share-url=" in body


def test_no_share_card_before_a_credited_km(client, open_campaign, participant):
    RegistrationFactory(campaign=open_campaign, user=participant)
    client.force_login(participant)
    body = client.get(reverse("campaigns:detail", args=[open_campaign.slug])).content.decode()
    assert "Chia sẻ tiến độ của tôi" not in body


def test_progress_page_shows_the_public_name_and_figures(client, open_campaign):
    user = UserFactory(full_name="Nguyễn Văn An", public_name_choice=PublicName.SHORT)
    registration = walk(open_campaign, 7300, steps=9100, user=user)
    body = client.get(sharing.progress_path(registration)).content.decode()
    assert "Nguyễn V. A." in body
    assert "Nguyễn Văn An" not in body
    assert "9.100" in body
    tags = meta(body)
    assert tags["og:image"].startswith(SITE + sharing.progress_path(registration) + "card.png")
    assert png_size(client.get(path_of(tags["og:image"])).content) == (1200, 630)


def test_an_anonymous_persons_card_carries_the_anonymous_label_not_their_name(
    client, open_campaign
):
    user = UserFactory(full_name="Trần Thị Bí Mật", public_name_choice=PublicName.ANONYMOUS)
    registration = walk(open_campaign, 7300, steps=9100, user=user)
    facts = sharing.progress_facts(open_campaign, registration)
    assert facts["name"] == anonymous_label(user.pk)
    assert "Trần" not in str(facts)
    served = client.get(sharing.progress_path(registration) + "card.png").content
    assert served == cards.draw(sharing.progress_card(facts))
    page = client.get(sharing.progress_path(registration)).content.decode()
    assert "Trần Thị" not in page


def test_progress_address_with_a_wrong_key_is_not_found(client, open_campaign):
    registration = walk(open_campaign, 7300)
    url = reverse("campaigns:progress", args=[open_campaign.slug, registration.pk, "0" * 16])
    assert client.get(url).status_code == 404


def test_progress_of_a_private_campaign_is_not_found_without_its_code(client, tree):
    campaign = CampaignFactory(organiser_unit=tree["LA-CD"], visibility=Visibility.PRIVATE)
    registration = walk(campaign, 7300)
    assert client.get(sharing.progress_path(registration)).status_code == 404
