"""Who must sign in with a second factor, and whether they have one.

Anyone who can refund, reconcile, see participants' contacts or administer a unit
holds an administrator role somewhere in the tree (orgs.models.Role.ADMIN: the
money screens, the contact columns and the unit screens all ask for it) or is a
superuser. Such a person's password alone is not enough: with ``MFA_REQUIRED`` on
they must set up an authenticator app (TOTP, or WebAuthn where it is turned on)
before any page but their account's own (accounts/middleware.py, docs/security.md)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from orgs.models import Role, UnitRole

SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def requires_second_factor(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return UnitRole.objects.filter(user=user, role=Role.ADMIN).exists()


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def lacks_required_second_factor(user) -> bool:
    return requires_second_factor(user) and not has_second_factor(user)
