"""Changes to units and staff roles. Callers have already checked, through
orgs.access, that the person is an admin of the unit concerned; every change
is audit-logged in the transaction that makes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.audit import log_action
from core.errors import DomainError
from orgs.models import Role, Unit, UnitRole

if TYPE_CHECKING:
    # orgs sits below accounts (docs/decisions/0003-layers.md): the user model by its base.
    from django.contrib.auth.base_user import AbstractBaseUser


class OrgError(DomainError):
    code = "org_error"


def search_units(units: QuerySet[Unit], query: str) -> QuerySet[Unit]:
    """Units whose name or code contains ``query``, in tree order."""
    query = query.strip()
    return units.filter(Q(name__icontains=query) | Q(code__icontains=query)).order_by("path")


def children_of(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path")


def descendant_count(unit: Unit) -> int:
    return Unit.objects.filter(path__startswith=unit.path, depth__gt=unit.depth).count()


@transaction.atomic
def update_unit(unit: Unit, *, name: str, kind: str, actor: AbstractBaseUser | None) -> Unit:
    before = {"name": unit.name, "kind": unit.kind}
    unit.name, unit.kind = name, kind
    unit.save(update_fields=["name", "kind"])
    log_action("orgs.unit.updated", unit, actor=actor, data={"before": before})
    return unit


@transaction.atomic
def add_child_unit(
    parent: Unit, *, code: str, name: str, kind: str, actor: AbstractBaseUser | None
) -> Unit:
    code = code.strip()
    if Unit.objects.filter(code=code).exists():
        raise OrgError(
            _("The code “%(code)s” is already used by another unit.") % {"code": code},
            code="code_taken",
        )
    child = Unit.objects.add_child(parent, {"code": code, "name": name, "kind": kind})
    log_action("orgs.unit.created", child, actor=actor, data={"parent": parent.code})
    return child


def roles_of(unit: Unit) -> QuerySet[UnitRole]:
    return unit.roles.select_related("user").order_by("role", "user__email")


@transaction.atomic
def grant_role(unit: Unit, *, email: str, role: str, actor: AbstractBaseUser | None) -> UnitRole:
    """Give the person with this e-mail ``role`` on ``unit`` (changing the role
    they already have there, if any)."""
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise OrgError(
            _("Nobody has an account with the e-mail %(email)s; ask them to sign up first.")
            % {"email": email},
            code="unknown_user",
        )
    unit_role, created = UnitRole.objects.update_or_create(
        user=user, unit=unit, defaults={"role": role}
    )
    log_action(
        "orgs.role.granted",
        unit_role,
        actor=actor,
        data={"unit": unit.code, "user": user.email, "role": role, "new": created},
    )
    return unit_role


@transaction.atomic
def revoke_role(unit_role: UnitRole, *, actor: AbstractBaseUser | None) -> None:
    if unit_role.user_id == getattr(actor, "pk", None) and unit_role.role == Role.ADMIN:
        raise OrgError(
            _("You cannot remove your own administrator role; ask another administrator."),
            code="own_role",
        )
    log_action(
        "orgs.role.revoked",
        unit_role,
        actor=actor,
        data={"unit": unit_role.unit.code, "user": unit_role.user.email, "role": unit_role.role},
    )
    unit_role.delete()
