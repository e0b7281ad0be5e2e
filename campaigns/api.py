"""Campaigns over the API: list and read, register, withdraw, my registrations.
The same services as the web pages, so the same rules and messages; a
domain error becomes ``{"code", "detail"}`` with its status (kindsteps/api.py)."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from accounts.models import ApiToken, User
from campaigns import services
from campaigns.access import get_campaign_for_visitor
from campaigns.listing import listed_campaigns
from campaigns.models import Campaign, DistanceCategory, Registration
from campaigns.services import RegistrationError
from core.pagination import BoundedPageNumberPagination
from orgs.models import Unit

router = Router(tags=["campaigns"])

PAGE_SIZE = 20


class ErrorOut(Schema):
    code: str
    detail: str


class CategoryOut(Schema):
    id: int
    name: str
    distance_m: int | None


class CampaignOut(Schema):
    slug: str
    title: str
    title_vi: str
    title_en: str
    description: str
    status: str
    organiser_unit: str
    organiser_unit_name: str
    time_zone: str
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime
    registration_closes_at: datetime
    sports: list[str]
    participant_target: int
    money_target: int
    vnd_per_km: int
    visibility: str
    categories: list[CategoryOut]

    @staticmethod
    def resolve_organiser_unit(campaign: Campaign) -> str:
        return campaign.organiser_unit.code

    @staticmethod
    def resolve_organiser_unit_name(campaign: Campaign) -> str:
        return campaign.organiser_unit.name

    @staticmethod
    def resolve_categories(campaign: Campaign) -> list[DistanceCategory]:
        return list(campaign.categories.all())


class TeamRef(Schema):
    id: int
    name: str


class RegistrationOut(Schema):
    campaign: str
    campaign_title: str
    bib: int
    status: str
    category: CategoryOut | None
    unit: str | None
    unit_name: str | None
    team: TeamRef | None
    registered_at: datetime
    withdrawn_at: datetime | None

    @staticmethod
    def resolve_campaign(registration: Registration) -> str:
        return registration.campaign.slug

    @staticmethod
    def resolve_campaign_title(registration: Registration) -> str:
        return registration.campaign.title

    @staticmethod
    def resolve_unit(registration: Registration) -> str | None:
        return registration.unit.code if registration.unit else None

    @staticmethod
    def resolve_unit_name(registration: Registration) -> str | None:
        return registration.unit.name if registration.unit else None


class RegistrationIn(Schema):
    """``category_id`` is required when the campaign has categories; ``unit_code``
    is the home unit (by default the profile's, when it takes part)."""

    category_id: int | None = None
    unit_code: str | None = None
    accept_rules: bool = False


def current_user(request: HttpRequest) -> User:
    """The person behind the token or session of an authenticated endpoint."""
    return request.auth if isinstance(request.auth, User) else request.user


def optional_user(request: HttpRequest):
    """On a public endpoint: the token's person when one is sent, else the
    session's (possibly anonymous) user. A private campaign shows itself to
    its participants and organisers."""
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw:
        user = ApiToken.authenticate(raw.strip())
        if user is not None:
            return user
    return request.user


def campaign_for(user, slug: str, code: str | None) -> Campaign:
    """The campaign if ``user`` may see it (a private one with its ``code``),
    else 404, as on the web."""
    return get_campaign_for_visitor(user, slug, {code} if code else set())


@router.get("/campaigns", auth=None, response=list[CampaignOut], summary="List public campaigns")
@paginate(BoundedPageNumberPagination, page_size=PAGE_SIZE)
def list_campaigns(
    request: HttpRequest, status: Literal["upcoming", "open", "finished"] | None = None
):
    """Published public campaigns, open first, then upcoming, then finished;
    ``status`` keeps one of them. Private campaigns are never listed."""
    campaigns: list[Campaign] = []
    for _code, _label, queryset in listed_campaigns(status):
        campaigns.extend(queryset.select_related("organiser_unit").prefetch_related("categories"))
    return campaigns


@router.get(
    "/campaigns/{slug}",
    auth=None,
    response=CampaignOut,
    summary="Read a campaign",
)
def read_campaign(request: HttpRequest, slug: str, code: str | None = None):
    """A private campaign needs its invite ``code`` unless the caller takes part or organises it."""
    return campaign_for(optional_user(request), slug, code)


@router.post(
    "/campaigns/{slug}/registration",
    response={201: RegistrationOut, 400: ErrorOut},
    summary="Register for a campaign",
)
def register(request: HttpRequest, slug: str, payload: RegistrationIn, code: str | None = None):
    """Register with the same checks as the web form: registration window,
    verified e-mail, once per person, the rules accepted. Returns the bib."""
    user = current_user(request)
    campaign = campaign_for(user, slug, code)
    category = None
    if payload.category_id is not None:
        category = DistanceCategory.objects.filter(pk=payload.category_id).first()
        if category is None:
            raise RegistrationError(
                _("That distance category is not part of this campaign."), code="category_invalid"
            )
    unit = None
    if payload.unit_code:
        unit = Unit.objects.filter(code=payload.unit_code.strip()).first()
        if unit is None:
            raise RegistrationError(
                _("That unit does not take part in this campaign."), code="unit_invalid"
            )
    registration = services.register(
        campaign, user, category=category, unit=unit, accept_rules=payload.accept_rules
    )
    return Status(201, _registration_out(registration))


@router.delete(
    "/campaigns/{slug}/registration",
    response={200: RegistrationOut, 400: ErrorOut},
    summary="Withdraw from a campaign",
)
def withdraw(request: HttpRequest, slug: str, code: str | None = None):
    """Withdraw; the person leaves their team and keeps their bib for a comeback."""
    user = current_user(request)
    campaign = campaign_for(user, slug, code)
    registration = services.active_registration(campaign, user)
    if registration is None:
        raise RegistrationError(
            _("You are not registered for this campaign."), code="not_registered"
        )
    return _registration_out(services.withdraw(registration, actor=user))


@router.get("/me/registrations", response=list[RegistrationOut], summary="My registrations")
def my_registrations(request: HttpRequest):
    """Every campaign the caller registered for, withdrawn ones included."""
    return services.my_registrations(current_user(request))


def _registration_out(registration: Registration) -> Registration:
    return (
        Registration.objects.select_related("campaign", "category", "unit", "team")
        .filter(pk=registration.pk)
        .get()
    )
