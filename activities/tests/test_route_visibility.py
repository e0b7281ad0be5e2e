"""Who sees an activity's map (docs/decisions/0018-route-privacy.md): its owner the
whole route; the owner's unit staff and the campaign's organisers the trimmed
route when the owner lets staff see it; everyone the trimmed route when it is
public; the reviewers the whole route on the review screens. Each case for the
owner, the owner's unit staff, an outsider and an anonymous visitor, on the
activity page and the GeoJSON route of the API."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from activities import visibility
from activities.models import RouteVisibility, VerdictStatus
from activities.tests.factories import ActivityFactory, VerdictFactory
from activities.tests.geodesy import vincenty
from campaigns.tests.factories import CampaignFactory
from conftest import make_user
from core.models import AuditEntry
from kindsteps.testing.clock import NOW
from kindsteps.testing.mfa import with_totp

pytestmark = pytest.mark.django_db

# A walk from the owner's home: the first and last points are the doorstep.
FULL = [[10.6301, 106.4901], [10.6352, 106.4950], [10.6400, 106.5001], [10.6301, 106.4902]]
TRIMMED = [[10.6352, 106.4950], [10.6400, 106.5001]]


@pytest.fixture
def walk(participant):
    return ActivityFactory(user=participant, track=FULL, public_track=TRIMMED)


@pytest.fixture
def unit_staff(tree):
    """Staff of the participant's school chapter, nothing more."""
    from orgs.models import Role, UnitRole

    user = make_user("school@example.org", full_name="Cô Giáo Chủ Nhiệm")
    UnitRole.objects.create(user=user, unit=tree["LA-CD-THPT"], role=Role.STAFF)
    return user


def viewer_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def drawn_route(response, activity) -> list | None:
    """The points the activity page hands to its map, or None without a map."""
    match = re.search(
        rf'<script id="activity-track-{activity.pk}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1)) if match else None


def page(user, activity):
    return viewer_client(user).get(reverse("activities:detail", args=[activity.pk]))


def api_route(user, activity):
    return viewer_client(user).get(f"/api/v1/activities/{activity.pk}/route")


# (visibility, who) -> what they see: "full", "trimmed" or None (not found).
EXPECTED = {
    RouteVisibility.PRIVATE: {
        "owner": "full",
        "unit_staff": None,
        "outsider": None,
        "anonymous": None,
    },
    RouteVisibility.STAFF: {
        "owner": "full",
        "unit_staff": "trimmed",
        "outsider": None,
        "anonymous": None,
    },
    RouteVisibility.PUBLIC: {
        "owner": "full",
        "unit_staff": "trimmed",
        "outsider": "trimmed",
        "anonymous": "trimmed",
    },
}
CASES = [(choice, who) for choice, row in EXPECTED.items() for who in row]


@pytest.fixture
def people(participant, unit_staff, outsider):
    return {"owner": participant, "unit_staff": unit_staff, "outsider": outsider, "anonymous": None}


@pytest.mark.parametrize(("choice", "who"), CASES)
def test_the_activity_page_shows_each_viewer_the_route_the_owner_allows(walk, people, choice, who):
    walk.route_visibility = choice
    walk.save()
    response = page(people[who], walk)
    expected = EXPECTED[choice][who]
    if expected is None:
        # Anonymous visitors are asked to log in (it may be their own), others not found.
        assert response.status_code == (302 if who == "anonymous" else 404)
        return
    assert response.status_code == 200
    assert drawn_route(response, walk) == (FULL if expected == "full" else TRIMMED)


@pytest.mark.parametrize(("choice", "who"), CASES)
def test_the_api_route_follows_the_same_choice(walk, people, choice, who):
    walk.route_visibility = choice
    walk.save()
    response = api_route(people[who], walk)
    expected = EXPECTED[choice][who]
    if expected is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    feature = response.json()
    points = FULL if expected == "full" else TRIMMED
    assert feature["geometry"]["coordinates"] == [[lon, lat] for lat, lon in points]
    assert feature["properties"]["trimmed"] is (expected == "trimmed")


def test_someone_elses_page_shows_no_owner_tools_nor_heart_rate(walk, unit_staff):
    walk.route_visibility = RouteVisibility.STAFF
    walk.series = {"km": [0, 1, 2], "kmh": [5, 5, 5], "hr": [171, 172, 173]}
    walk.save()
    body = page(unit_staff, walk).content.decode()
    assert "[5, 5, 5]" in body and "171" not in body
    assert reverse("activities:delete", args=[walk.pk]) not in body
    assert reverse("activities:route_visibility", args=[walk.pk]) not in body
    assert "200 m" in body  # they are told the ends are hidden


def test_staff_of_another_unit_of_the_same_district_do_not_see_a_staff_route(walk, member):
    walk.route_visibility = RouteVisibility.STAFF
    walk.save()
    assert page(member, walk).status_code == 404


def test_staff_above_the_owners_unit_see_a_staff_route_trimmed(walk, owner):
    walk.route_visibility = RouteVisibility.STAFF
    walk.save()
    assert drawn_route(page(owner, walk), walk) == TRIMMED


def test_organisers_of_a_campaign_that_judged_it_see_a_staff_route_trimmed(
    walk, user_factory, tree
):
    from orgs.models import Role, UnitRole

    organiser = user_factory("province@example.org")
    UnitRole.objects.create(user=organiser, unit=tree["LA-CG"], role=Role.ADMIN)
    with_totp(organiser)  # administrators need a second factor to reach staff pages
    walk.route_visibility = RouteVisibility.STAFF
    walk.save()
    assert page(organiser, walk).status_code == 404
    VerdictFactory(activity=walk, campaign=CampaignFactory(organiser_unit=tree["LA-CG"]))
    assert drawn_route(page(organiser, walk), walk) == TRIMMED


class TestReviewScreens:
    @pytest.fixture
    def campaign(self, tree):
        return CampaignFactory(organiser_unit=tree["LA-CD"], slug="cd-routes")

    def review_page(self, user, verdict):
        return viewer_client(user).get(
            reverse("review:detail", args=[verdict.campaign.slug, verdict.pk])
        )

    def test_reviewers_see_the_whole_route_they_judge(self, campaign, walk, owner):
        verdict = VerdictFactory(campaign=campaign, activity=walk)
        assert drawn_route(self.review_page(owner, verdict), walk) == FULL

    def test_a_private_route_is_shown_to_reviewers_only_while_it_is_under_review(
        self, campaign, walk, owner
    ):
        walk.route_visibility = RouteVisibility.PRIVATE
        walk.save()
        verdict = VerdictFactory(campaign=campaign, activity=walk)
        assert drawn_route(self.review_page(owner, verdict), walk) == FULL
        verdict.status = VerdictStatus.ACCEPTED
        verdict.save()
        response = self.review_page(owner, verdict)
        assert drawn_route(response, walk) is None
        assert "keeps this route to themselves" in response.content.decode() or (
            "giữ lộ trình này cho riêng mình" in response.content.decode()
        )


def test_the_owner_changes_who_sees_the_map_with_htmx(walk, participant):
    client = viewer_client(participant)
    url = reverse("activities:route_visibility", args=[walk.pk])
    response = client.post(url, {"route_visibility": "public"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="route-visibility"' in response.content.decode()
    walk.refresh_from_db()
    assert walk.route_visibility == RouteVisibility.PUBLIC
    entry = AuditEntry.objects.get(action="activities.activity.route_visibility_changed")
    assert entry.data == {"from": "staff", "to": "public"}
    assert entry.actor == participant


def test_a_choice_outside_the_three_is_refused_and_changes_nothing(walk, participant):
    client = viewer_client(participant)
    url = reverse("activities:route_visibility", args=[walk.pk])
    response = client.post(url, {"route_visibility": "friends"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    walk.refresh_from_db()
    assert walk.route_visibility == RouteVisibility.STAFF


def test_nobody_else_can_change_who_sees_the_map(walk, unit_staff):
    walk.route_visibility = RouteVisibility.STAFF
    walk.save()
    url = reverse("activities:route_visibility", args=[walk.pk])
    assert viewer_client(unit_staff).post(url, {"route_visibility": "public"}).status_code == 404
    walk.refresh_from_db()
    assert walk.route_visibility == RouteVisibility.STAFF


def test_new_activities_take_the_persons_default(participant, settings, tmp_path):
    from activities import pipeline
    from activities.synthetic import gpx_track

    settings.MEDIA_ROOT = tmp_path
    visibility.set_default(participant, RouteVisibility.PRIVATE)
    upload = pipeline.receive(
        participant, gpx_track(NOW - timedelta(hours=3), 3.0, 600), "walk.gpx", process=False
    )
    pipeline.process_upload(upload.pk)
    (activity,) = participant.activities.all()
    assert activity.route_visibility == RouteVisibility.PRIVATE
    # What others would see starts and ends about 200 m inside the route.
    start, end = activity.track[0], activity.track[-1]
    assert metres_between(start, activity.public_track[0]) > 150
    assert metres_between(end, activity.public_track[-1]) > 150


def metres_between(a, b) -> float:
    return vincenty(a[0], a[1], b[0], b[1])


def test_without_a_chosen_default_new_activities_are_for_unit_staff(participant):
    from activities.models import default_route_visibility

    assert default_route_visibility(participant) == RouteVisibility.STAFF


def test_the_default_can_be_applied_to_every_existing_activity(walk, participant):
    changed = visibility.set_default(participant, RouteVisibility.PUBLIC, apply_to_existing=True)
    walk.refresh_from_db()
    assert changed == 1
    assert walk.route_visibility == RouteVisibility.PUBLIC
