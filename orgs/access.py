"""Who may see and change which units. Every view that shows or changes unit
data goes through these helpers, which answer 404 for what is outside the
person's subtrees."""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from orgs.models import Role, Unit, UnitRole


def _roots(user, admin: bool) -> list[Unit]:
    roles = UnitRole.objects.filter(user=user).select_related("unit")
    if admin:
        roles = roles.filter(role=Role.ADMIN)
    paths = sorted({role.unit.path: role.unit for role in roles}.items())
    # Drop roots that lie inside another root: their subtree is already covered.
    roots: list[Unit] = []
    for path, unit in paths:
        if not any(path.startswith(root.path) for root in roots):
            roots.append(unit)
    return roots


def subtree_q(user, *, admin: bool = False, prefix: str = "") -> Q | None:
    """A Q matching the units (``prefix`` for a related model) in the person's
    subtrees; None when the person may see every unit (superusers)."""
    if user.is_superuser:
        return None
    roots = _roots(user, admin)
    if not roots:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{prefix}path__startswith": r.path}) for r in roots))


def units_for_staff(user, *, admin: bool = False) -> QuerySet[Unit]:
    if not user.is_authenticated:
        return Unit.objects.none()
    q = subtree_q(user, admin=admin)
    return Unit.objects.all() if q is None else Unit.objects.filter(q)


def staff_roots(user, *, admin: bool = False) -> list[Unit]:
    """The top units of the person's subtrees (every root for a superuser)."""
    if user.is_superuser:
        return list(Unit.get_root_nodes())
    return _roots(user, admin)


def get_unit_for_staff(user, code: str, *, admin: bool = False) -> Unit:
    """The unit ``code`` if the person has a (with ``admin``, an admin) role on it
    or on a unit above it; 404 otherwise."""
    try:
        return units_for_staff(user, admin=admin).get(code=code)
    except Unit.DoesNotExist:
        raise Http404 from None


def is_staff_of(user, unit: Unit, *, admin: bool = False) -> bool:
    return units_for_staff(user, admin=admin).filter(pk=unit.pk).exists()
