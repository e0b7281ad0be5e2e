from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    preferred_language: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    """The person the token or session belongs to."""
    return request.auth if hasattr(request.auth, "email") else request.user
