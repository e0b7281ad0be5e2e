"""Strava's marks where Strava data is shown to its owner (docs/decisions/0050): the
activity page of a Strava activity carries "Powered by Strava" and "View on Strava" to
the activity on Strava; nobody else sees either; an uploaded file's page has neither."""

from django.conf import settings
from django.urls import reverse

from activities.models import RouteVisibility, Source
from activities.tests.factories import ActivityFactory


def test_a_strava_activity_page_shows_the_marks_and_links_to_the_activity(client, participant):
    activity = ActivityFactory(
        user=participant,
        source=Source.STRAVA,
        source_url="https://www.strava.com/activities/12345678987654321",
    )
    client.force_login(participant)

    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()

    assert 'href="https://www.strava.com/activities/12345678987654321"' in page
    assert "View on Strava" in page or "Xem trên Strava" in page
    assert 'class="powered-by-strava"' in page
    assert "Strava" in page.split('id="received-from"')[1].split("</p>")[0]


def test_an_uploaded_file_page_has_no_strava_marks(client, participant):
    activity = ActivityFactory(user=participant, source=Source.WEB, file_format="fit")
    client.force_login(participant)

    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()

    assert "powered-by-strava" not in page
    assert "strava.com" not in page


def test_others_never_see_the_strava_link(client, participant, outsider):
    activity = ActivityFactory(
        user=participant,
        source=Source.STRAVA,
        source_url="https://www.strava.com/activities/42",
        route_visibility=RouteVisibility.PUBLIC,
    )
    client.force_login(outsider)

    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()

    assert "strava.com/activities/42" not in page
    assert "powered-by-strava" not in page


def test_the_copies_of_a_walk_say_which_one_counts(client, participant):
    watch = ActivityFactory(user=participant, source=Source.WEB, file_format="fit")
    strava = ActivityFactory(user=participant, source=Source.STRAVA, copy_of=watch)
    client.force_login(participant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    with_copy = client.get(reverse("activities:detail", args=[watch.pk]))
    copy = client.get(reverse("activities:detail", args=[strava.pk]))

    counted = with_copy.content.decode()
    assert 'id="counted-copy"' in counted
    assert "Also received from Strava" in counted
    assert reverse("activities:detail", args=[strava.pk]) in counted
    shown = copy.content.decode()
    assert 'id="not-counted"' in shown
    assert "counts before" in shown
    assert reverse("activities:detail", args=[watch.pk]) in shown
