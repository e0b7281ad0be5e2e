"""Walking up the unit tree. A unit's path is its parent's path and four more
characters (`Unit.steplen`), so the paths of every unit above it are the
prefixes of its own: no query is needed to know them, one to turn them into ids
(docs/decisions/0005-shared-helpers.md)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from orgs.models import Unit

STEPLEN = Unit.steplen


def ancestor_paths(path: str, *, include_self: bool = True, top: str = "") -> list[str]:
    """The paths of the units above ``path``, from the root down (from ``top``
    down, when given: a unit on the way to ``path``), and ``path`` itself last
    unless ``include_self`` is false."""
    first = len(top) if top else STEPLEN
    last = len(path) if include_self else len(path) - STEPLEN
    return [path[:end] for end in range(first, last + 1, STEPLEN)]


def parent_path(path: str) -> str:
    """The path of the unit just above (`""` for a unit at the top)."""
    return path[:-STEPLEN]


def chain_ids(unit: Unit | None) -> list[int]:
    """The ids of the unit and of every unit above it, from the root down."""
    if unit is None:
        return []
    return chains_by_path([unit.path])[unit.path]


def chains_by_path(paths: Iterable[str]) -> dict[str, list[int]]:
    """unit path → the ids of that unit and every unit above it, from the root
    down, for any number of paths in one query (none for no paths)."""
    wanted = {path: ancestor_paths(path) for path in paths}
    prefixes = sorted({prefix for chain in wanted.values() for prefix in chain})
    ids: dict[str, int] = {}
    if prefixes:
        table = Unit._meta.db_table
        if connection.vendor == "postgresql":
            sql, params = f"SELECT path, id FROM {table} WHERE path = ANY(%s)", [prefixes]
        else:
            placeholders = ", ".join(["%s"] * len(prefixes))
            sql, params = f"SELECT path, id FROM {table} WHERE path IN ({placeholders})", prefixes
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = dict(cursor.fetchall())
    return {path: [ids[p] for p in chain if p in ids] for path, chain in wanted.items()}


def chain_from(ids_by_path: dict[str, int], path: str) -> list[int]:
    """The ids of the unit at ``path`` and every unit above it, from the root
    down, looked up in ``ids_by_path`` (every unit's path → id, read once)."""
    return [ids_by_path[p] for p in ancestor_paths(path) if p in ids_by_path]
