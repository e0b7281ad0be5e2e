"""The frozen results as a workbook (one sheet per level) and a CSV file, through
core.spreadsheets."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from accounts.models import Gender
from core import spreadsheets
from core.formatting import km_value, local_datetime
from orgs.models import UnitKind
from results.models import Line, LineKind, Results


def _gender(code: str) -> str:
    return str(Gender(code).label) if code in Gender.values else ""


def _kind(code: str) -> str:
    return str(UnitKind(code).label) if code in UnitKind.values else ""


def header() -> list[str]:
    return [
        _("Level"),
        _("Rank"),
        _("Name"),
        _("Bib"),
        _("Category"),
        _("Gender"),
        _("Kind of unit"),
        _("Unit"),
        _("Team"),
        _("km"),
        _("Steps"),
        _("Of which estimated from the distance"),
        _("Đồng converted"),
        _("Donated (đồng)"),
        _("Active days"),
        _("Registered"),
        _("Target"),
    ]


def row(line: Line) -> list[object]:
    return [
        str(LineKind(line.kind).label),
        line.rank,
        line.name,
        line.bib,
        line.category_name,
        _gender(line.gender),
        _kind(line.unit_kind),
        line.unit_name,
        line.team_name,
        km_value(line.distance_m),
        line.steps,
        line.steps_estimated,
        line.converted,
        line.donated if line.kind != LineKind.PERSON else None,
        line.active_days if line.kind == LineKind.PERSON else None,
        line.participants if line.kind != LineKind.PERSON else None,
        line.target,
    ]


def _ordered(results: Results, kind: str):
    order = ["unit_kind", "rank", "position"]
    return results.lines.filter(kind=kind).order_by(*order).iterator(chunk_size=2000)


def csv_lines(results: Results) -> Iterator[str]:
    def rows():
        yield header()
        for kind in (LineKind.PERSON, LineKind.TEAM, LineKind.UNIT):
            for line in _ordered(results, kind):
                yield row(line)

    yield spreadsheets.BOM
    yield from spreadsheets.csv_lines(rows())


def workbook(results: Results) -> bytes:
    out = io.BytesIO()
    book = spreadsheets.workbook(out)
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    campaign = results.campaign
    sheets = [
        (LineKind.PERSON, _("People")),
        (LineKind.TEAM, _("Teams")),
        (LineKind.UNIT, _("Units")),
    ]
    for kind, name in sheets:
        sheet = book.add_worksheet(name)
        sheet.write(0, 0, campaign.title, title)
        sheet.write(
            1,
            0,
            _("Results frozen on %(when)s")
            % {"when": local_datetime(results.frozen_at, campaign.tz)},
        )
        sheet.write_row(3, 0, header(), bold)
        for index, line in enumerate(_ordered(results, kind), start=4):
            sheet.write_row(index, 0, row(line))
        sheet.freeze_panes(4, 0)
        sheet.set_column(2, 2, 32)
        sheet.set_column(7, 8, 28)
    corrections = book.add_worksheet(_("Corrections"))
    corrections.write_row(0, 0, [_("Corrected on"), _("Reason"), _("Lines changed")], bold)
    for index, correction in enumerate(results.corrections.all(), start=1):
        corrections.write_row(
            index,
            0,
            [
                local_datetime(correction.at, campaign.tz),
                correction.reason,
                correction.changed_lines,
            ],
        )
    corrections.set_column(1, 1, 60)
    book.close()
    return out.getvalue()
