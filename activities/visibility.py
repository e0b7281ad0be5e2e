"""Who sees an activity's map, and which points of it (docs/decisions/0018-route-privacy.md).

The owner sees the whole route. Anyone else the owner's choice lets in sees
`public_track`, the route without its first and last 200 m, so a walk that starts
at home does not show the home. The one exception is the review screens: a
reviewer judging a verdict needs the whole route (a car ride at the start is as
much a reason as one in the middle), so `review_route` gives it to them, and for
an activity its owner keeps to themselves only while its verdict is under review.

Every page, API answer and download that shows a route goes through this module.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from activities.models import (
    Activity,
    ComplaintStatus,
    RoutePreference,
    RouteVisibility,
    Verdict,
    VerdictStatus,
)
from activities.review import ReviewError
from campaigns.access import is_organiser
from campaigns.models import Campaign, Registration
from core.audit import log_action
from core.errors import NotAllowed
from orgs.access import units_for_staff

Route = list[list[float]]


def _is_owner(activity: Activity, viewer) -> bool:
    return bool(viewer.is_authenticated and viewer.pk == activity.user_id)


def is_unit_staff(activity: Activity, viewer) -> bool:
    """Staff of the owner's home unit or of a unit the owner registered for (or of a
    unit above either), and the organisers of a campaign that judged the activity."""
    if not viewer.is_authenticated:
        return False
    owner_units = set(
        Registration.objects.filter(user_id=activity.user_id, unit__isnull=False).values_list(
            "unit_id", flat=True
        )
    )
    home_unit_id = activity.user.home_unit_id
    if home_unit_id:
        owner_units.add(home_unit_id)
    if owner_units and units_for_staff(viewer).filter(pk__in=owner_units).exists():
        return True
    campaigns = Campaign.objects.filter(verdicts__activity=activity).select_related(
        "organiser_unit"
    )
    return any(is_organiser(viewer, campaign) for campaign in campaigns)


def may_see(activity: Activity, viewer) -> bool:
    """Whether ``viewer`` (perhaps anonymous) may open the activity's page at all."""
    if _is_owner(activity, viewer):
        return True
    if activity.route_visibility == RouteVisibility.PUBLIC:
        return True
    if activity.route_visibility == RouteVisibility.STAFF:
        return is_unit_staff(activity, viewer)
    return False


def route_for(activity: Activity, viewer) -> Route:
    """The points of the map ``viewer`` may see: the whole route for its owner, the
    trimmed one for anyone the owner's choice lets in, none for the rest."""
    if _is_owner(activity, viewer):
        return activity.track
    if may_see(activity, viewer):
        return activity.public_track
    return []


def under_review(verdict: Verdict) -> bool:
    """Flagged, or rejected with a complaint the organisers have not answered yet."""
    if verdict.status == VerdictStatus.FLAGGED:
        return True
    complaint = getattr(verdict, "complaint", None)
    return complaint is not None and complaint.status == ComplaintStatus.OPEN


def review_route(verdict: Verdict) -> Route:
    """The map on a review screen, for someone the review screens already let in: the
    whole route, which judging needs; for a route its owner keeps to themselves, only
    while the verdict is being reviewed."""
    activity = verdict.activity
    if activity.route_visibility != RouteVisibility.PRIVATE or under_review(verdict):
        return activity.track
    return []


def change(activity: Activity, choice: str, *, user) -> Activity:
    """The owner chooses who sees this activity's map."""
    if activity.user_id != user.pk:
        raise NotAllowed(_("You can only change your own activities."))
    if choice not in RouteVisibility.values:
        raise ReviewError(_("Choose who may see the map."), code="invalid_visibility")
    if choice != activity.route_visibility:
        before = activity.route_visibility
        activity.route_visibility = choice
        activity.save(update_fields=["route_visibility"])
        log_action(
            "activities.activity.route_visibility_changed",
            activity,
            actor=user,
            data={"from": before, "to": choice},
        )
    return activity


def set_default(user, choice: str, *, apply_to_existing: bool = False) -> int:
    """The person's default for new activities; with ``apply_to_existing`` every
    activity they have takes it too. Returns how many existing activities changed."""
    if choice not in RouteVisibility.values:
        raise ReviewError(_("Choose who may see the map."), code="invalid_visibility")
    RoutePreference.objects.update_or_create(user=user, defaults={"route_visibility": choice})
    if not apply_to_existing:
        return 0
    return (
        Activity.objects.filter(user=user)
        .exclude(route_visibility=choice)
        .update(route_visibility=choice)
    )
