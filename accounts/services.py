"""Account logic shared by the profile page and the API: profile changes,
unit look-up, personal API tokens and the two-factor nudge for staff."""

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.consent import CONSENT_VERSION
from accounts.models import ApiToken, Consent, PublicName, User
from core.errors import DomainError
from orgs.models import Unit

UNIT_SEARCH_LIMIT = 20
UNIT_SEARCH_MIN_LENGTH = 2


class ProfileInvalid(DomainError):
    code = "invalid_profile"
    status = 422

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(_("Some profile fields are not valid."))
        self.errors = errors


def profile_data(user: User) -> dict[str, str]:
    """The user's profile as form data: what the profile form would post unchanged."""
    return {
        "full_name": user.full_name,
        "gender": user.gender,
        "birth_year": "" if user.birth_year is None else str(user.birth_year),
        "phone": user.phone,
        "province": user.province,
        "district": user.district,
        "home_unit": user.home_unit.code if user.home_unit else "",
        "preferred_language": user.preferred_language,
    }


def update_profile(user: User, changes: dict[str, Any]) -> User:
    """Apply ``changes`` (field → value; None clears a field) with the profile form's
    validation. Raises ProfileInvalid with the form's messages."""
    from accounts.forms import ProfileForm, PublicNameForm  # forms use the unit look-up

    data = profile_data(user)
    for name, value in changes.items():
        if name in data:
            data[name] = "" if value is None else str(value)
    form = ProfileForm(data=data, instance=user)
    if not form.is_valid():
        raise ProfileInvalid({name: [str(m) for m in msgs] for name, msgs in form.errors.items()})
    if "public_name_choice" not in changes:
        return form.save()
    # The public name is checked against the birth year being saved with it.
    user = form.save(commit=False)
    choice = changes["public_name_choice"] or PublicName.AUTO
    name_form = PublicNameForm(data={"public_name_choice": choice}, instance=user)
    if not name_form.is_valid():
        errors = name_form.errors.items()
        raise ProfileInvalid({name: [str(m) for m in msgs] for name, msgs in errors})
    return name_form.save()


def search_units(query: str) -> QuerySet[Unit]:
    """Units whose name contains ``query`` or whose code starts with it, at most 20."""
    query = query.strip()
    if len(query) < UNIT_SEARCH_MIN_LENGTH:
        return Unit.objects.none()
    return Unit.objects.filter(Q(name__icontains=query) | Q(code__istartswith=query)).order_by(
        "depth", "name"
    )[:UNIT_SEARCH_LIMIT]


def should_recommend_two_factor(user: User) -> bool:
    """Staff of a unit see personal data of many people: nudge them towards 2FA."""
    if not user.unit_roles.exists():
        return False
    return not Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    return ApiToken.issue(user, name.strip())


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s own tokens; another person's token is not found."""
    token = ApiToken.objects.active().filter(user=user, pk=token_id).first()
    if token is None:
        raise ApiToken.DoesNotExist
    token.revoke()
    return token


def record_consent(user: User, *, language: str) -> Consent:
    """The person agrees to the purpose as it now reads (accounts/consent.py)."""
    return Consent.objects.create(user=user, version=CONSENT_VERSION, language=language[:8])


def current_consent(user: User) -> Consent | None:
    """The person's latest consent to the text as it now reads, or None."""
    return user.consents.filter(version=CONSENT_VERSION).first()
