from django.http import HttpRequest
from ninja import Router, Schema, Status

from accounts import names, services
from accounts.models import User

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    gender: str
    birth_year: int | None
    phone: str
    province: str
    district: str
    home_unit: str | None
    home_unit_name: str | None
    preferred_language: str
    public_name_choice: str  # auto, full, short or anonymous
    public_name: str  # how public pages and answers name me today

    @staticmethod
    def resolve_public_name(user: User) -> str:
        return names.public_name(user)

    @staticmethod
    def resolve_home_unit(user: User) -> str | None:
        return user.home_unit.code if user.home_unit else None

    @staticmethod
    def resolve_home_unit_name(user: User) -> str | None:
        return user.home_unit.name if user.home_unit else None


class MePatch(Schema):
    """Only the fields sent are changed; null clears a field. ``home_unit`` is
    the unit's code; ``phone`` is stored as 0912345678."""

    full_name: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    phone: str | None = None
    province: str | None = None
    district: str | None = None
    home_unit: str | None = None
    preferred_language: str | None = None
    public_name_choice: str | None = None  # auto, full, short or anonymous


class ProfileErrorOut(Schema):
    code: str
    detail: str
    errors: dict[str, list[str]]


def _current_user(request: HttpRequest) -> User:
    return request.auth if isinstance(request.auth, User) else request.user


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    """The person the token or session belongs to."""
    return _current_user(request)


@router.patch("/me", response={200: MeOut, 422: ProfileErrorOut})
def update_me(request: HttpRequest, payload: MePatch):
    """Change profile fields, with the same checks as the profile page."""
    user = _current_user(request)
    try:
        return services.update_profile(user, payload.dict(exclude_unset=True))
    except services.ProfileInvalid as exc:
        return Status(422, {"code": exc.code, "detail": str(exc.message), "errors": exc.errors})
