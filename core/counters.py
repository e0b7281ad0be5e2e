"""Counters kept by adding to them: one `INSERT … ON CONFLICT (…) DO UPDATE`
statement writes any number of rows, each made if missing and added to if
there (docs/decisions/0005-shared-helpers.md).

SQLite and PostgreSQL both run the statement. On PostgreSQL, given the columns'
types, the rows travel as one array per column, unnested: a handful of
parameters however many rows, where a VALUES list would make the driver parse
and render thousands. Elsewhere they are a VALUES list (SQLite runs in the
process: there is no wire to save).

The rows are written in the order given: callers pass them sorted, so that two
transactions take the shared rows in the same order and never wait for each
other in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection


def many_rows(rows: Sequence[Sequence], types: Sequence[str] | None = None) -> tuple[str, list]:
    """A source of many rows for an INSERT (or an UPDATE … FROM) and its parameters:
    ``SELECT * FROM unnest(%s::bigint[], …)`` on PostgreSQL when ``types`` are given,
    else ``VALUES (%s, …), …``."""
    if types is not None and connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        columns = [list(column) for column in zip(*rows, strict=True)]
        return f"SELECT * FROM unnest({arrays})", columns
    width = len(rows[0])
    placeholders = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))
    return f"VALUES {placeholders}", [value for row in rows for value in row]


def upsert(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence],
    *,
    key: Sequence[str],
    add: Sequence[str] = (),
    replace: Sequence[str] = (),
    latest: Sequence[str] = (),
    types: Sequence[str] | None = None,
    returning: Sequence[str] = (),
) -> list[tuple]:
    """Write ``rows`` (values for ``columns``, in order) into ``table`` with one
    statement: a row whose ``key`` exists has each ``add`` column added to
    (``col = col + excluded.col``), each ``replace`` column replaced and each
    ``latest`` column (a time) kept at the later of the two; columns in none of
    these are written only when the row is made. ``types``: the PostgreSQL
    types of ``columns``, to send the rows as arrays. Returns the ``returning``
    columns of every row written (nothing without them). No rows, no statement."""
    if not rows:
        return []
    source, params = many_rows(rows, types)
    updates = [f"{col} = {table}.{col} + excluded.{col}" for col in add]
    updates += [f"{col} = excluded.{col}" for col in replace]
    updates += [
        f"{col} = CASE WHEN {table}.{col} IS NULL OR {table}.{col} < excluded.{col} "
        f"THEN excluded.{col} ELSE {table}.{col} END"
        for col in latest
    ]
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) {source} "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(updates)}"
    )
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else []
