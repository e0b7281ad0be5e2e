"""Who may see and change which campaign. Every campaign view goes through one
of these helpers: what a person may not see is a 404, what they may see but
not change is a 403."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from campaigns.models import Campaign, Registration, Visibility
from orgs.access import subtree_q, units_for_staff
from orgs.models import Unit


def campaigns_for_staff(user, *, admin: bool = False) -> QuerySet[Campaign]:
    """Campaigns organised by a unit inside the person's (admin) subtrees."""
    if not user.is_authenticated:
        return Campaign.objects.none()
    q = subtree_q(user, admin=admin, prefix="organiser_unit__")
    campaigns = Campaign.objects.select_related("organiser_unit")
    return campaigns if q is None else campaigns.filter(q)


def get_campaign_for_staff(user, slug: str) -> Campaign:
    try:
        return campaigns_for_staff(user).get(slug=slug)
    except Campaign.DoesNotExist:
        raise Http404 from None


def get_campaign_for_admin(user, slug: str) -> Campaign:
    """404 outside the person's subtrees; 403 for staff who may only look."""
    campaign = get_campaign_for_staff(user, slug)
    if not campaigns_for_staff(user, admin=True).filter(pk=campaign.pk).exists():
        raise PermissionDenied
    return campaign


def is_organiser(user, campaign: Campaign) -> bool:
    """Staff of the organising unit or of a unit above it."""
    return units_for_staff(user).filter(pk=campaign.organiser_unit_id).exists()


def staff_units_in(user, campaign: Campaign) -> QuerySet[Unit]:
    """The units of the campaign's organisation this person is staff of."""
    return units_for_staff(user).filter(campaign.organiser_unit.subtree_q())


@dataclass
class CampaignStaff:
    """What one staff member is to one campaign's back-office screens: an organiser
    sees and acts on everything; staff of units inside the organising unit see their
    units' part only; anyone else gets a 404."""

    campaign: Campaign
    is_organiser: bool
    # None: the whole campaign; else only what belongs to these units.
    units: QuerySet[Unit] | None
    is_admin: bool

    @classmethod
    def of(cls, user, slug: str) -> Self:
        campaign = get_object_or_404(Campaign.objects.select_related("organiser_unit"), slug=slug)
        if is_organiser(user, campaign):
            is_admin = campaigns_for_staff(user, admin=True).filter(pk=campaign.pk).exists()
            return cls(campaign, is_organiser=True, units=None, is_admin=is_admin)
        units = staff_units_in(user, campaign)
        if not units.exists():
            raise Http404
        return cls(campaign, is_organiser=False, units=units, is_admin=False)


def can_see_campaign(user, campaign: Campaign, codes: set[str] = frozenset()) -> bool:
    """Public and published: everyone. Otherwise the invite code, the
    organisers, or someone who registered."""
    if campaign.visibility == Visibility.PUBLIC and campaign.is_published:
        return True
    if campaign.is_published and campaign.invite_code in codes:
        return True
    if not user.is_authenticated:
        return False
    if is_organiser(user, campaign):
        return True
    return (
        campaign.is_published and Registration.objects.filter(campaign=campaign, user=user).exists()
    )


def get_campaign_for_visitor(user, slug: str, codes: set[str] = frozenset()) -> Campaign:
    try:
        campaign = Campaign.objects.select_related("organiser_unit").get(slug=slug)
    except Campaign.DoesNotExist:
        raise Http404 from None
    if not can_see_campaign(user, campaign, codes):
        raise Http404
    return campaign


SESSION_CODES = "campaign_codes"


def get_campaign_for_request(request, slug: str) -> Campaign:
    """The campaign ``slug`` if this visitor may see it, else 404. A private
    campaign's ``?code=`` is remembered for the session (the last 20), so its
    pages stay open once the link was followed."""
    remembered = request.session.get(SESSION_CODES, [])
    code = request.GET.get("code", "").strip()
    campaign = get_campaign_for_visitor(
        request.user, slug, {*remembered, code} if code else set(remembered)
    )
    if code == campaign.invite_code and code not in remembered:
        request.session[SESSION_CODES] = [*remembered, code][-20:]
    return campaign
