from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User


@dataclass(frozen=True)
class MailSite:
    """What allauth's e-mails call ``current_site``: the platform's name and its
    public address (SITE_URL), not the host the request happened to come in on."""

    name: str
    domain: str


def organisation_name() -> str:
    return settings.ORGANISATION_NAME or _("the Vietnam Red Cross Society")


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        site = MailSite(settings.PLATFORM_NAME, urlsplit(settings.SITE_URL).netloc)
        context = {
            "current_site": site,
            "platform_name": site.name,
            "organisation_name": organisation_name(),
            **context,
        }
        super().send_mail(template_prefix, email, context)


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
