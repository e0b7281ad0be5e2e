"""The public pages under a crowd: a visitor without a session gets a copy shared for
PUBLIC_PAGE_CACHE_SECONDS, built once and served without a query; a signed-in person
always gets their own page, built for them (core/public_pages.py)."""

import os
import re
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.test.signals import template_rendered
from django.urls import reverse

from campaigns.models import Visibility
from campaigns.tests.factories import CampaignFactory, UserFactory
from core.public_pages import page_key
from core.tests.concurrency import at_once
from kindsteps.testing.clock import NOW
from standings.tests.factories import walked
from teams.tests.factories import TeamFactory

STALENESS = 30
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(autouse=True)
def shared_copies(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = STALENESS


@pytest.fixture
def campaign(tree):
    return CampaignFactory(
        slug="walk",
        title_en="Open walk",
        title_vi="Đi bộ đang mở",
        organiser_unit=tree["LA"],
        starts_at=NOW - timedelta(days=10),
    )


def _detail(campaign, query: str = "") -> str:
    return reverse("campaigns:detail", args=[campaign.slug]) + query


def _visitor(language: str | None = None) -> Client:
    client = Client()
    if language:
        client.cookies["kindsteps_language"] = language
    return client


def _own_rows(body: str) -> list[str]:
    """The names on the lines marked as the visitor's own."""
    return [
        re.sub(r"<[^>]+>", "", name).strip()
        for name in re.findall(
            r'<tr class="is-me"[^>]*>\s*<td class="num">\d+</td>\s*'
            r'<td class="board-name">(.*?)(?: <small|</td>)',
            body,
            re.S,
        )
    ]


PUBLIC_PAGES = [
    ("campaigns:detail", ""),
    ("campaigns:detail", "?part=counts"),
    ("standings:board", ""),
    ("standings:board", "?gender=female&page=2"),
    ("standings:teams", ""),
    ("standings:units", ""),
    ("standings:days", ""),
    ("results:page", ""),
    ("campaigns:rules", ""),
    ("teams:campaign_teams", ""),
]


@pytest.mark.parametrize(("name", "query"), PUBLIC_PAGES)
def test_a_second_anonymous_visit_runs_no_query(name, query, campaign, django_assert_num_queries):
    walked(campaign, 5000, name="Lê Minh Anh")
    url = reverse(name, args=[campaign.slug]) + query
    first = _visitor().get(url)
    assert first.status_code == 200

    with django_assert_num_queries(0):
        second = _visitor().get(url)

    assert second.status_code == 200
    assert second.content == first.content
    assert second["Cache-Control"] == f"public, max-age={STALENESS}"
    assert second["ETag"] == first["ETag"]
    assert not first.cookies and not second.cookies  # no Set-Cookie, not even the CSRF token


def test_a_team_page_is_shared_too(campaign, django_assert_num_queries):
    team = TeamFactory(campaign=campaign, name="Đội Sen Hồng")
    walked(campaign, 5000, team=team)
    url = reverse("teams:detail", args=[campaign.slug, team.pk])
    assert "Đội Sen Hồng" in _visitor().get(url).content.decode()
    with django_assert_num_queries(0):
        assert "Đội Sen Hồng" in _visitor().get(url).content.decode()


def test_the_home_page_and_the_campaign_list_are_shared(campaign, django_assert_num_queries):
    for url in (reverse("home"), reverse("campaigns:list")):
        assert "Đi bộ đang mở" in _visitor().get(url).content.decode()
        with django_assert_num_queries(0):
            assert "Đi bộ đang mở" in _visitor().get(url).content.decode()


def test_a_shared_page_carries_no_csrf_token_and_the_language_switch_still_works(campaign):
    visitor = Client(enforce_csrf_checks=True)
    body = visitor.get(_detail(campaign)).content.decode()
    assert "csrfmiddlewaretoken" not in body and "X-CSRFToken" not in body

    switched = visitor.post(reverse("set_language"), {"language": "en", "next": _detail(campaign)})

    assert switched.status_code == 302
    assert "Open walk" in visitor.get(_detail(campaign)).content.decode()


def test_a_change_shows_once_the_copy_is_older_than_the_staleness(campaign, time_machine):
    time_machine.move_to(NOW, tick=False)
    assert "Đi bộ đang mở" in _visitor().get(_detail(campaign)).content.decode()
    campaign.title_vi = "Đi bộ vì người nghèo"
    campaign.save()

    time_machine.shift(timedelta(seconds=STALENESS - 1))
    almost = _visitor().get(_detail(campaign))
    assert "Đi bộ đang mở" in almost.content.decode()
    assert almost["Cache-Control"] == "public, max-age=1"  # what is left of its freshness

    time_machine.shift(timedelta(seconds=2))
    assert "Đi bộ vì người nghèo" in _visitor().get(_detail(campaign)).content.decode()


def test_each_language_has_its_own_copy(campaign):
    assert "Đi bộ đang mở" in _visitor().get(_detail(campaign)).content.decode()
    english = _visitor("en").get(_detail(campaign))
    assert "Open walk" in english.content.decode()
    assert english["Content-Language"] == "en"
    vietnamese = _visitor().get(_detail(campaign))
    assert "Đi bộ đang mở" in vietnamese.content.decode()
    assert vietnamese["Content-Language"] == "vi"
    assert "Cookie" in english["Vary"]


def test_the_htmx_fragment_and_the_page_are_separate_copies(campaign):
    TeamFactory(campaign=campaign, name="Đội Sen Hồng")
    url = reverse("teams:campaign_teams", args=[campaign.slug])
    fragment = _visitor().get(url, headers={"HX-Request": "true"})
    page = _visitor().get(url)
    assert "<html" not in fragment.content.decode()
    assert "<html" in page.content.decode()
    assert "<html" not in _visitor().get(url, headers={"HX-Request": "true"}).content.decode()
    assert "HX-Request" in page["Vary"]


def test_a_conditional_get_of_an_unchanged_page_is_answered_304(
    campaign, time_machine, django_assert_num_queries
):
    etag = _visitor().get(_detail(campaign))["ETag"]

    with django_assert_num_queries(0):
        same = _visitor().get(_detail(campaign), headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""

    campaign.title_vi = "Đi bộ vì người nghèo"
    campaign.save()
    time_machine.shift(timedelta(seconds=STALENESS + 1))
    changed = _visitor().get(_detail(campaign), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_a_signed_in_participant_sees_their_own_rank_never_a_shared_copy(campaign, client):
    walked(campaign, 9000, name="Người Dẫn Đầu")
    mine = walked(campaign, 4000, name="Lê Minh Anh")
    other = walked(campaign, 3000, name="Trần Văn Bình")
    board = reverse("standings:board", args=[campaign.slug])
    anonymous = _visitor().get(board)
    assert 'class="my-rank"' not in anonymous.content.decode()

    client.force_login(mine.user)
    own = client.get(board)
    body = own.content.decode()
    assert 'class="my-rank"' in body
    assert own["Cache-Control"] == "private"
    assert "ETag" not in own

    # Another person's page is built for them, not from the first person's.
    neighbour = Client()
    neighbour.force_login(other.user)
    theirs = neighbour.get(board).content.decode()
    assert _own_rows(theirs) == ["Trần Văn Bình", "Trần Văn Bình"]  # the board, my rank
    assert _own_rows(body) == ["Lê Minh Anh", "Lê Minh Anh"]

    # And the shared copy still has nobody's rank in it.
    assert 'class="my-rank"' not in _visitor().get(board).content.decode()


def test_a_signed_in_person_sees_a_change_at_once(campaign, client, participant):
    _visitor().get(_detail(campaign))  # the shared copy, as it was
    client.force_login(participant)
    campaign.title_vi = "Đi bộ vì người nghèo"
    campaign.save()
    assert "Đi bộ vì người nghèo" in client.get(_detail(campaign)).content.decode()


def test_a_private_campaign_opened_with_its_code_is_never_shared(tree):
    campaign = CampaignFactory(
        slug="inside", title_vi="Đi bộ nội bộ", organiser_unit=tree["LA"],
        visibility=Visibility.PRIVATE,
    )  # fmt: skip
    invited = _visitor()
    opened = invited.get(_detail(campaign, f"?code={campaign.invite_code}"))
    assert opened.status_code == 200
    assert django_settings.SESSION_COOKIE_NAME in opened.cookies  # the code, remembered
    assert opened["Cache-Control"] == "private"
    assert invited.get(_detail(campaign)).status_code == 200  # the session holds the code

    assert _visitor().get(_detail(campaign)).status_code == 404
    assert _visitor().get(_detail(campaign)).status_code == 404


def test_a_message_waiting_is_shown_to_its_visitor_only(campaign, participant):
    person = _visitor("en")
    person.force_login(participant)
    _visitor("en").get(reverse("home"))  # a shared copy exists already
    person.post(reverse("account_logout"))

    after = person.get(reverse("home"))

    assert "You have signed out." in after.content.decode()
    assert after["Cache-Control"] == "private"
    assert "You have signed out." not in person.get(reverse("home")).content.decode()
    assert "You have signed out." not in _visitor("en").get(reverse("home")).content.decode()


def test_turned_off_every_public_page_is_built_for_each_visitor(campaign, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    _visitor().get(_detail(campaign))
    campaign.title_vi = "Đi bộ vì người nghèo"
    campaign.save()
    again = _visitor().get(_detail(campaign))
    assert "Đi bộ vì người nghèo" in again.content.decode()
    assert again["Cache-Control"] == "private"
    assert "X-CSRFToken" in again.content.decode()  # the ordinary page again


def test_while_one_visitor_rebuilds_a_stale_page_the_others_get_the_stale_copy(
    campaign, time_machine, django_assert_num_queries
):
    _visitor().get(_detail(campaign))
    campaign.title_vi = "Đi bộ vì người nghèo"
    campaign.save()
    time_machine.shift(timedelta(seconds=STALENESS + 1))
    lock = page_key(RequestFactory().get(_detail(campaign))) + ":lock"
    assert cache.add(lock, "another node", 10)  # someone else is rebuilding it

    with django_assert_num_queries(0):
        stale = _visitor().get(_detail(campaign))
    assert "Đi bộ đang mở" in stale.content.decode()
    assert stale["Cache-Control"] == "public, max-age=0"  # no proxy keeps it further

    cache.delete(lock)  # that rebuild gave up
    assert "Đi bộ vì người nghèo" in _visitor().get(_detail(campaign)).content.decode()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def page_cache(request, settings):
    """The process's memory (as in the suite and the demo), or Redis (as in production,
    shared by every web node), under a prefix of this test's own."""
    if request.param == "memory":
        yield
        return
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": f"test-public-{uuid.uuid4().hex}",
        },
    }
    yield
    client = cache._cache.get_client()
    for key in client.scan_iter(f"{cache.key_prefix}:*"):
        client.delete(key)


@pytest.mark.django_db(transaction=True)
def test_a_crowd_arriving_at_once_builds_the_page_once(page_cache, tree):
    campaign = CampaignFactory(slug="crowd", title_vi="Đi bộ đông người", organiser_unit=tree["LA"])
    for n in range(3):
        walked(campaign, 1000 * (n + 1), user=UserFactory())
    built = []

    def count(sender, template, **kwargs):
        if template.name == "web/campaign_detail.html":
            built.append(template.name)

    template_rendered.connect(count)
    try:
        answers = at_once([lambda: _visitor().get(_detail(campaign)) for _ in range(6)])
    finally:
        template_rendered.disconnect(count)

    assert [answer.status_code for answer in answers] == [200] * 6
    assert len({answer.content for answer in answers}) == 1
    assert all("Đi bộ đông người" in answer.content.decode() for answer in answers)
    assert len(built) == 1
