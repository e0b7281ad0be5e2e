"""Who may see a person's contacts (e-mail address and phone number): the one
rule, used by every page, export, e-mail and API answer that shows them.

- the person themself;
- an administrator of the unit the person belongs to there (their unit in the
  campaign, their home unit elsewhere) or of a unit above it — which includes
  the administrators of the campaign's organising unit;
- a superuser.

Plain staff of a unit see names, bibs and figures, never contacts; team captains,
participants and visitors see none (docs/privacy.md, decision 0017).

Real names: on public pages everyone sees the name each person chose
(accounts/names.py); boards are the same for everyone. Where organisers work
with people (a team's page, the review and dashboard screens), staff of the
person's unit see the real name and bib (``may_see_real_names``).
"""

from __future__ import annotations

from collections.abc import Iterable

from orgs.access import units_for_staff
from orgs.models import Unit


def may_see_contacts(viewer, unit: Unit | None, person=None) -> bool:
    """Whether ``viewer`` may see the contacts of ``person`` (or, without a person,
    of everyone) in ``unit``."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    if person is not None and getattr(person, "pk", None) == viewer.pk:
        return True
    if viewer.is_superuser:
        return True
    if unit is None:
        return False
    return units_for_staff(viewer, admin=True).filter(pk=unit.pk).exists()


def may_see_real_names(viewer, unit: Unit | None, person=None) -> bool:
    """Whether ``viewer`` sees ``person``'s real name (and bib) where the public sees
    only the name the person chose: the person themself, a superuser, or staff of any
    role of the person's unit or a unit above it."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    if person is not None and getattr(person, "pk", None) == viewer.pk:
        return True
    if viewer.is_superuser:
        return True
    return unit is not None and units_for_staff(viewer).filter(pk=unit.pk).exists()


def _unit_ids(viewer, unit_ids: Iterable[int | None], *, admin: bool) -> set[int]:
    wanted = {pk for pk in unit_ids if pk is not None}
    if not wanted or not getattr(viewer, "is_authenticated", False):
        return set()
    if viewer.is_superuser:
        return wanted
    units = units_for_staff(viewer, admin=admin).filter(pk__in=wanted)
    return set(units.values_list("pk", flat=True))


def contact_unit_ids(viewer, unit_ids: Iterable[int | None]) -> set[int]:
    """Of ``unit_ids``, those whose people's contacts ``viewer`` may see
    (``may_see_contacts``), in one query: for lists and exports of many people."""
    return _unit_ids(viewer, unit_ids, admin=True)


def real_name_unit_ids(viewer, unit_ids: Iterable[int | None]) -> set[int]:
    """Of ``unit_ids``, those whose people ``viewer`` sees by real name
    (``may_see_real_names``), in one query: for lists of many people."""
    return _unit_ids(viewer, unit_ids, admin=False)
