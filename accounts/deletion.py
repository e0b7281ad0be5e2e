"""A person deletes their account (docs/decisions/0019-data-rights.md).

The account row stays, emptied of everything that names or reaches the person, so
that what they walked and what they gave keep counting where they counted: every
campaign, team, unit and day total, every board total and every line of the
donation ledger is the same after as before. The apps above accounts remove or
anonymise what they hold through `accounts.signals.person_deleting`; accounts then
empties its own part. All of it is one transaction: it happens entirely or not at all.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.db import transaction
from django.utils import timezone

from accounts.models import PublicName, User
from accounts.signals import person_deleting
from core.audit import log_action
from core.models import Notice
from orgs.models import UnitRole


def anonymous_email(user: User) -> str:
    """A unique address that reaches nobody (".invalid" never resolves, RFC 2606)."""
    return f"deleted-{user.pk}@deleted.invalid"


def delete_account(user: User) -> User:
    """Remove what names the person; keep what counts. Idempotent."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.deleted_at is not None:
            return user
        email = user.email
        # The entry says who and when, never what the person was called.
        log_action("accounts.user.deleted", user, actor=user, data={})
        person_deleting.send(User, user=user, email=email)

        user.api_tokens.all().delete()
        EmailAddress.objects.filter(user=user).delete()
        SocialAccount.objects.filter(user=user).delete()  # and their tokens
        Authenticator.objects.filter(user=user).delete()
        UnitRole.objects.filter(user=user).delete()
        Notice.objects.filter(user=user).delete()

        user.email = anonymous_email(user)
        user.full_name = ""
        user.gender = ""
        user.birth_year = None
        user.phone = ""
        user.province = ""
        user.district = ""
        user.public_name_choice = PublicName.ANONYMOUS
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.last_login = None
        # A new password hash ends every session the person had open.
        user.set_unusable_password()
        user.deleted_at = timezone.now()
        user.save()
    return user
