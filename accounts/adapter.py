from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.http import Http404, HttpRequest

from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    pass


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request: HttpRequest, provider, client_id=None):
        """A provider without keys (GOOGLE_CLIENT_ID unset…) is not there: its login
        and callback addresses answer 404, not a server error."""
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404 from None

    def populate_user(self, request: HttpRequest, sociallogin, data: dict) -> User:
        user = super().populate_user(request, sociallogin, data)
        if not user.full_name:
            user.full_name = social_full_name(sociallogin.account.extra_data, data)
        return user


def social_full_name(extra_data: dict, data: dict) -> str:
    """The name as the provider displays it. Google and Facebook both send a
    ready ``name`` in the person's own order ("Lê Minh Anh"); joining first and
    last name would give the Western order, so that is only the fallback."""
    name = extra_data.get("name") or data.get("name")
    if not name:
        name = " ".join(part for part in (data.get("first_name"), data.get("last_name")) if part)
    return " ".join(name.split())[:150]
