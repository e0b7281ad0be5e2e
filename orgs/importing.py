"""Import and export of the unit tree as a spreadsheet with the columns
``code, name, kind, parent_code`` (CSV or XLSX; a reader per format in READERS).

The whole file is checked before anything is written, and a file with any wrong
row imports nothing. New units are written with bulk_create and materialised
paths computed here: treebeard's add_child costs several queries per unit, far
too slow for a national tree of 10,000+ units."""

import csv
import io
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

import openpyxl
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.exceptions import InvalidFileException
from treebeard.exceptions import InvalidMoveToDescendant

from core.audit import log_action
from core.errors import DomainError
from core.spreadsheets import csv_text
from orgs.models import Unit, UnitKind
from orgs.tree import parent_path

COLUMNS = ("code", "name", "kind", "parent_code")
MAX_ROWS = 50_000
BATCH = 1000
# Enough for SQLite builds limited to 999 variables per statement.
IN_CHUNK = 900
CODE_MAX = Unit._meta.get_field("code").max_length
NAME_MAX = Unit._meta.get_field("name").max_length
MAX_DEPTH = Unit._meta.get_field("path").max_length // Unit.steplen


@dataclass(frozen=True)
class RowError:
    """One problem in the file. ``row`` is the row number a spreadsheet shows
    (the header is row 1); 0 means the file as a whole."""

    row: int
    column: str
    code: str
    message: str


@dataclass
class SheetRow:
    row: int
    code: str
    name: str
    kind: str
    parent_code: str


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    moved: int
    unchanged: int


class UnitImportError(DomainError):
    code = "import_invalid"

    def __init__(self, errors: list[RowError]):
        super().__init__(_("The file has errors; nothing was imported."))
        self.errors = sorted(
            errors, key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1)
        )


def _file_error(code: str, message: str | Promise) -> UnitImportError:
    return UnitImportError([RowError(0, "", code, str(message))])


# --- Reading ------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number comes back from Excel as 12.0
    return str(value).strip()


def read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(
            "not_utf8", _("The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
        ) from None
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        lines = csv.reader(io.StringIO(text), delimiter=delimiter)
        # A name our export wrote as '=… (core.spreadsheets) comes back as typed.
        return [[csv_text(_cell(c)) for c in r] for r in lines]
    except csv.Error:
        raise _file_error("bad_csv", _("The CSV file cannot be read.")) from None


def read_xlsx(data: bytes) -> list[list[str]]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise _file_error(
            "bad_xlsx", _("The file is not a valid Excel (.xlsx) workbook.")
        ) from None
    try:
        return [[_cell(c) for c in r] for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


READERS: dict[str, Callable[[bytes], list[list[str]]]] = {"csv": read_csv, "xlsx": read_xlsx}


def file_format(filename: str) -> str:
    return PurePath(filename).suffix.lower().lstrip(".")


def parse_rows(data: bytes, filename: str) -> list[SheetRow]:
    """The file's data rows; raises UnitImportError for an unreadable file or header."""
    reader = READERS.get(file_format(filename))
    if reader is None:
        raise _file_error("unsupported_format", _("Upload a .csv or .xlsx file."))
    table = reader(data)
    numbered = [(n, cells) for n, cells in enumerate(table, start=1) if any(cells)]
    if not numbered:
        raise _file_error("empty_file", _("The file is empty."))
    header_row, header = numbered[0]
    names = [h.lstrip("\ufeff").strip().lower().replace(" ", "_") for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise UnitImportError(
            [
                RowError(
                    header_row,
                    c,
                    "missing_column",
                    str(_("The header row has no “%(column)s” column.") % {"column": c}),
                )
                for c in missing
            ]
        )
    if len(numbered) - 1 > MAX_ROWS:
        raise _file_error(
            "too_many_rows", _("A file may hold at most %(max)d units.") % {"max": MAX_ROWS}
        )
    index = {c: names.index(c) for c in COLUMNS}

    def get(cells: list[str], column: str) -> str:
        i = index[column]
        return cells[i] if i < len(cells) else ""

    return [
        SheetRow(
            n, get(cells, "code"), get(cells, "name"), get(cells, "kind"), get(cells, "parent_code")
        )
        for n, cells in numbered[1:]
    ]


def kind_lookup() -> dict[str, str]:
    """Kind as typed (stable code or label in either language, any case) → stable code."""
    lookup = {}
    for language in ("en", "vi"):
        with translation.override(language):
            for value, label in UnitKind.choices:
                lookup[str(label).lower()] = value
    lookup.update({value: value for value in UnitKind.values})
    return lookup


# --- Checking -----------------------------------------------------------------


@dataclass
class _Existing:
    pk: int
    path: str
    name: str
    kind: str


@dataclass
class Plan:
    into: Unit | None
    rows: dict[str, SheetRow]
    parent: dict[str, str | None]  # code → parent code once imported (None: a root)
    existing: dict[str, _Existing]  # every unit of the scope by code
    depth: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def error(self, row: SheetRow, column: str, code: str, message: str | Promise) -> None:
        self.errors.append(RowError(row.row, column, code, str(message)))


def _chunks(items: list, size: int = IN_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_scope(into: Unit | None) -> dict[str, _Existing]:
    units = Unit.objects.filter(path__startswith=into.path) if into else Unit.objects.all()
    return {
        code: _Existing(pk, path, name, kind)
        for pk, code, path, name, kind in units.values_list("pk", "code", "path", "name", "kind")
    }


def _codes_outside(codes: set[str], existing: dict[str, _Existing]) -> set[str]:
    wanted = sorted(codes - existing.keys())
    found: set[str] = set()
    for chunk in _chunks(wanted):
        found.update(Unit.objects.filter(code__in=chunk).values_list("code", flat=True))
    return found


def _check_rows(rows: list[SheetRow]) -> tuple[dict[str, SheetRow], list[RowError]]:
    kinds = kind_lookup()
    by_code: dict[str, SheetRow] = {}
    errors: list[RowError] = []

    def error(row: SheetRow, column: str, code: str, message) -> None:
        errors.append(RowError(row.row, column, code, str(message)))

    for row in rows:
        if not row.code:
            error(row, "code", "required", _("The code is missing."))
        elif len(row.code) > CODE_MAX:
            error(
                row,
                "code",
                "too_long",
                _("The code is longer than %(max)d characters.") % {"max": CODE_MAX},
            )
        elif row.code in by_code:
            error(
                row,
                "code",
                "duplicate",
                _("The code “%(code)s” is already used on row %(row)d.")
                % {"code": row.code, "row": by_code[row.code].row},
            )
        else:
            by_code[row.code] = row
        if not row.name:
            error(row, "name", "required", _("The name is missing."))
        elif len(row.name) > NAME_MAX:
            error(
                row,
                "name",
                "too_long",
                _("The name is longer than %(max)d characters.") % {"max": NAME_MAX},
            )
        kind = kinds.get(row.kind.lower())
        if kind is None:
            error(
                row,
                "kind",
                "unknown_kind",
                _("Unknown kind “%(kind)s”; use one of: %(kinds)s.")
                % {"kind": row.kind, "kinds": ", ".join(UnitKind.values)},
            )
        else:
            row.kind = kind
        if row.code and row.parent_code == row.code:
            error(row, "parent_code", "cycle", _("A unit cannot be its own parent."))
    return by_code, errors


def _place_rows(plan: Plan, allow_many_roots: bool) -> None:
    """Check each row's parent and work out the parent it will have."""
    into = plan.into
    wanted = set(plan.rows) | {r.parent_code for r in plan.rows.values() if r.parent_code}
    outside = _codes_outside(wanted, plan.existing)
    into_parent = ""
    if into is not None and into.depth > 1:
        into_parent = Unit.objects.get(path=parent_path(into.path)).code
    new_roots = []
    for code, row in plan.rows.items():
        if code in outside:
            plan.error(
                row,
                "code",
                "outside_scope",
                _("The unit “%(code)s” exists outside the part of the organisation you may change.")
                % {"code": code},
            )
            continue
        if into is not None and code == into.code:
            if row.parent_code not in ("", into_parent):
                plan.error(
                    row,
                    "parent_code",
                    "cannot_move_target",
                    _("The unit you import into cannot be moved by its own import."),
                )
            plan.parent[code] = into_parent or None
            plan.depth[code] = into.depth
            continue
        parent = row.parent_code
        if parent == code:  # reported already
            continue
        if not parent:
            if into is not None:
                plan.parent[code] = into.code
            elif code in plan.existing and len(plan.existing[code].path) > Unit.steplen:
                plan.error(
                    row,
                    "parent_code",
                    "unsupported_move",
                    _("A unit already in the tree cannot become a top-level unit."),
                )
            else:
                plan.parent[code] = None
                if code not in plan.existing:
                    new_roots.append(row)
        elif parent in plan.rows or parent in plan.existing:
            plan.parent[code] = parent
        elif parent in outside:
            plan.error(
                row,
                "parent_code",
                "parent_outside_scope",
                _("The parent “%(code)s” is outside the part of the organisation you may change.")
                % {"code": parent},
            )
        else:
            plan.error(
                row,
                "parent_code",
                "unknown_parent",
                _("The parent “%(code)s” is neither in the file nor in the organisation.")
                % {"code": parent},
            )
    if new_roots and not allow_many_roots:
        roots = Unit.objects.filter(depth=1).count() + len(new_roots)
        if roots > 1:
            for row in new_roots:
                plan.error(
                    row,
                    "parent_code",
                    "many_roots",
                    _("The organisation has a single top unit; give this unit a parent."),
                )


def _check_cycles_and_depth(plan: Plan) -> None:
    """Follow every row up through the file's parents: a loop is an error, and
    the unit at the end of the walk (already in the tree) fixes the depth."""
    done: set[str] = set(plan.depth)  # the unit imported into, placed already
    for start in plan.parent:
        chain: list[str] = []
        seen: set[str] = set()
        code: str | None = start
        while code is not None and code in plan.parent and code not in done and code not in seen:
            seen.add(code)
            chain.append(code)
            code = plan.parent[code]
        if code in seen:
            loop = chain[chain.index(code) :]
            rows = ", ".join(
                str(plan.rows[c].row) for c in sorted(loop, key=lambda c: plan.rows[c].row)
            )
            for c in loop:
                plan.error(
                    plan.rows[c],
                    "parent_code",
                    "cycle",
                    _("The parents of rows %(rows)s form a loop.") % {"rows": rows},
                )
                plan.depth[c] = 0
                done.add(c)
            chain = chain[: chain.index(code)]
        for c in reversed(chain):
            parent = plan.parent[c]
            if parent is None:
                plan.depth[c] = 1
            elif parent in plan.depth:
                plan.depth[c] = plan.depth[parent] + 1 if plan.depth[parent] else 0
            elif parent in plan.rows:  # a row with errors of its own
                plan.depth[c] = 0
            else:  # a unit of the tree not named in the file
                plan.depth[c] = len(plan.existing[parent].path) // Unit.steplen + 1
            done.add(c)
            if plan.depth[c] > MAX_DEPTH:
                plan.error(
                    plan.rows[c], "parent_code", "too_deep", _("The tree is too deep at this unit.")
                )


def _check_moves(plan: Plan) -> list[str]:
    """Existing units that change parent; none may end up inside its own subtree."""
    moves = []
    for code, parent in plan.parent.items():
        unit = plan.existing.get(code)
        if unit is None or not plan.depth.get(code):
            continue
        current = parent_path(unit.path)
        if plan.into is not None and code == plan.into.code:
            continue
        if parent is None or (parent in plan.existing and plan.existing[parent].path == current):
            continue
        anchor = parent
        while anchor is not None and anchor in plan.rows:
            anchor = plan.parent.get(anchor)
        if anchor in plan.existing and plan.existing[anchor].path.startswith(unit.path):
            plan.error(
                plan.rows[code],
                "parent_code",
                "cycle",
                _("A unit cannot be moved under one of its own sub-units."),
            )
            continue
        moves.append(code)
    return moves


def _plan(
    rows: list[SheetRow], into: Unit | None, allow_many_roots: bool
) -> tuple[Plan, list[str]]:
    by_code, errors = _check_rows(rows)
    plan = Plan(into=into, rows=by_code, parent={}, existing=_load_scope(into), errors=errors)
    _place_rows(plan, allow_many_roots)
    _check_cycles_and_depth(plan)
    moves = _check_moves(plan)
    if plan.errors:
        raise UnitImportError(plan.errors)
    return plan, moves


# --- Writing ------------------------------------------------------------------


def _update(plan: Plan) -> set[str]:
    changed = {}
    for code, row in plan.rows.items():
        unit = plan.existing.get(code)
        if unit is not None and (unit.name, unit.kind) != (row.name, row.kind):
            changed[code] = Unit(pk=unit.pk, name=row.name, kind=row.kind)
    Unit.objects.bulk_update(changed.values(), ["name", "kind"], batch_size=BATCH)
    return set(changed)


def _create(plan: Plan) -> int:
    """Insert the new units with their paths, depth and numchild worked out here,
    parents before children, each new child after its parent's last one."""
    steplen = Unit.steplen
    new = sorted(
        (c for c in plan.rows if c not in plan.existing),
        key=lambda c: (plan.depth[c], plan.rows[c].row),
    )
    if not new:
        return 0
    last_step: dict[str, int] = {}
    for unit in plan.existing.values():
        parent_path, step = unit.path[:-steplen], Unit._str2int(unit.path[-steplen:])
        last_step[parent_path] = max(step, last_step.get(parent_path, 0))
    children = Counter(plan.parent[c] for c in new)
    paths = {code: unit.path for code, unit in plan.existing.items()}
    max_length = Unit._meta.get_field("path").max_length
    units = []
    for code in new:
        parent = plan.parent[code]
        parent_path = paths[parent] if parent else ""
        step = last_step.get(parent_path, 0) + 1
        last_step[parent_path] = step
        # Depth from the parent's path as it is now: a parent that moves later
        # takes its new children along.
        depth = len(parent_path) // steplen + 1
        path = Unit._get_path(parent_path, depth, step)
        if len(path) != depth * steplen or len(path) > max_length:
            raise UnitImportError(
                [
                    RowError(
                        plan.rows[code].row,
                        "parent_code",
                        "too_deep",
                        str(_("No room for this unit in the tree.")),
                    )
                ]
            )
        paths[code] = path
        row = plan.rows[code]
        units.append(
            Unit(
                code=code,
                name=row.name,
                kind=row.kind,
                path=path,
                depth=depth,
                numchild=children.get(code, 0),
            )
        )
    Unit.objects.bulk_create(units, batch_size=BATCH)
    gained: dict[int, list[int]] = defaultdict(list)
    for parent, count in children.items():
        if parent in plan.existing:
            gained[count].append(plan.existing[parent].pk)
    for count, pks in gained.items():
        for chunk in _chunks(pks):
            Unit.objects.filter(pk__in=chunk).update(numchild=F("numchild") + count)
    return len(new)


def _move(plan: Plan, moves: list[str]) -> None:
    # Shallowest first: a unit's new parent is in its final place before the unit moves.
    for code in sorted(moves, key=lambda c: plan.depth[c]):
        node = Unit.objects.get(code=code)
        target = Unit.objects.get(code=plan.parent[code])
        try:
            Unit.objects.move(node, target, "last-child")
        except InvalidMoveToDescendant:
            raise UnitImportError(
                [
                    RowError(
                        plan.rows[code].row,
                        "parent_code",
                        "cycle",
                        str(_("A unit cannot be moved under one of its own sub-units.")),
                    )
                ]
            ) from None


def import_units(
    data: bytes,
    filename: str,
    *,
    into: Unit | None = None,
    actor=None,
    allow_many_roots: bool = False,
) -> ImportResult:
    """Create and update the units of a file inside ``into``'s subtree (the whole
    tree when None). Rows without a parent go directly under ``into``. All or
    nothing: raises UnitImportError with every problem found."""
    rows = parse_rows(data, filename)
    with transaction.atomic():
        if into is not None:
            into = Unit.objects.get(pk=into.pk)
        plan, moves = _plan(rows, into, allow_many_roots)
        updated = _update(plan) | set(moves)
        created = _create(plan)
        _move(plan, moves)
        result = ImportResult(
            created=created,
            updated=len(updated),
            moved=len(moves),
            unchanged=len(plan.rows) - created - len(updated),
        )
        logged = into or Unit.objects.order_by("path").first()
        if logged is not None:
            log_action(
                "orgs.units.imported",
                logged,
                actor=actor,
                data={"file": filename, **result.__dict__},
            )
    return result
