"""The documents a unit sends up: an Excel workbook (one sheet per level of
the subtree, the participants, the donations, each with totals) and a PDF
summary in the reader's language (headline figures, the per-unit table, the
participants chart and the outreach status). Both show the same figures as the
dashboard for the same unit and day (`dashboards.data`)."""

from __future__ import annotations

import importlib.util
import logging
import tempfile
import unicodedata
from collections import defaultdict
from datetime import date
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from xlsxwriter.utility import xl_rowcol_to_cell

from campaigns.models import Campaign, Registration
from core import spreadsheets
from core.formatting import digits, km, local_date, local_datetime, vnd
from dashboards import data
from dashboards.models import ParticipationChange
from donations.models import Donation
from orgs.models import Unit, UnitKind
from orgs.tree import parent_path
from standings.models import PersonDay, Standing

logging.getLogger("fontTools").setLevel(logging.WARNING)


def filename(campaign: Campaign, unit: Unit, day: date, extension: str) -> str:
    return f"{campaign.slug}-{slugify(unit.code)}-{day:%Y%m%d}.{extension}"


def _nfc(text: str) -> str:
    # Vietnamese typed on some keyboards arrives decomposed; the fonts want composed letters.
    return unicodedata.normalize("NFC", str(text))


# --- the workbook -------------------------------------------------------------


def participants_as_of(campaign: Campaign, unit: Unit, day: date) -> list[dict]:
    """Who counted in ``unit``'s subtree at the end of ``day`` (from the history,
    like the dashboard), with their km by then."""
    moment = data.end_of(campaign, day)
    counted = (
        ParticipationChange.objects.filter(
            campaign=campaign, at__lt=moment, unit__path__startswith=unit.path
        )
        .values("registration_id", "unit_id")
        .annotate(n=Sum("delta"))
        .filter(n__gt=0)
        .order_by()
    )
    unit_of = {row["registration_id"]: row["unit_id"] for row in counted}
    # Today's figures are the lines'; an earlier day's, the sum of the person's days.
    steps: dict[int, tuple[int, int]] = {}
    km: dict[int, int] = {}
    if data._km_now(campaign, day):
        rows = Standing.objects.filter(campaign=campaign, registration_id__in=list(unit_of))
        figures = rows.values_list("registration_id", "distance_m", "steps", "steps_estimated")
    else:
        figures = (
            PersonDay.objects.filter(
                campaign=campaign, day__lte=day, registration_id__in=list(unit_of)
            )
            .values("registration_id")
            .annotate(d=Sum("distance_m"), s=Sum("steps"), e=Sum("steps_estimated"))
            .order_by()
            .values_list("registration_id", "d", "s", "e")
        )
    for registration_id, metres, count, estimated in figures.iterator(chunk_size=10000):
        km[registration_id] = metres or 0
        steps[registration_id] = (count or 0, estimated or 0)
    units = dict(Unit.objects.filter(path__startswith=unit.path).values_list("pk", "name"))
    registrations = (
        Registration.objects.filter(pk__in=list(unit_of))
        .select_related("user", "team", "category")
        .order_by("bib")
    )
    return [
        {
            "bib": reg.bib,
            "name": reg.user.full_name,
            "email": reg.user.email,
            "phone": reg.user.phone,
            "unit": units.get(unit_of[reg.pk], ""),
            "team": reg.team.name if reg.team else "",
            "category": reg.category.name if reg.category else "",
            "distance_m": km.get(reg.pk) or 0,
            "steps": steps.get(reg.pk, (0, 0))[0],
            "steps_estimated": steps.get(reg.pk, (0, 0))[1],
        }
        for reg in registrations.iterator(chunk_size=5000)
    ]


def donations_as_of(campaign: Campaign, unit: Unit, day: date) -> list[Donation]:
    moment = data.end_of(campaign, day)
    return list(
        data._paid_by(campaign, moment, now=data._is_now(campaign, day))
        .filter(unit__path__startswith=unit.path)
        .select_related("unit", "user", "campaign")
        .order_by("paid_at", "pk")
    )


def _level_name(depth_units: list[data.UnitFigures], level: int) -> str:
    kinds = {f.unit.kind for f in depth_units}
    if len(kinds) == 1:
        label = str(dict(UnitKind.choices).get(kinds.pop(), ""))
    else:
        label = _("Level %(level)s") % {"level": level}
    name = f"{level}. {label}"
    for char in "[]:*?/\\":
        name = name.replace(char, "-")
    return name[:31]


def build_workbook(
    campaign: Campaign, unit: Unit, day: date, *, contacts: bool, path: Path
) -> None:
    """Write the workbook to ``path``. ``contacts``: with participants' e-mail
    addresses and phone numbers (see orgs.permissions.may_see_contacts)."""
    figures = data.subtree_figures(campaign, unit, day)
    names = {f.unit.pk: f.unit.name for f in figures}
    parent_of = {f.unit.path: f.unit for f in figures}
    levels: dict[int, list[data.UnitFigures]] = defaultdict(list)
    for f in figures:
        levels[f.unit.depth - unit.depth + 1].append(f)
    # Each level in Vietnamese name order, grouped under the units above in theirs.
    position: dict[str, int] = {}
    for level in sorted(levels):
        levels[level].sort(
            key=lambda f: (position.get(parent_path(f.unit.path), 0), data.name_key(f))
        )
        position.update({f.unit.path: n for n, f in enumerate(levels[level])})
    own = figures[0]  # the report's unit: its own target is the page's total target

    book = spreadsheets.workbook(str(path), streaming=True)
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format(
        {"bold": True, "bg_color": "#C8102E", "font_color": "#FFFFFF", "text_wrap": True}
    )
    count = book.add_format({"num_format": "#,##0"})
    km = book.add_format({"num_format": "#,##0.0"})
    pct = book.add_format({"num_format": "0%"})
    when = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    total_label = book.add_format({"bold": True, "top": 1})
    total_count = book.add_format({"bold": True, "top": 1, "num_format": "#,##0"})
    total_km = book.add_format({"bold": True, "top": 1, "num_format": "#,##0.0"})
    subtitle = _("%(unit)s — as of the end of %(day)s") % {
        "unit": unit.name,
        "day": local_date(day),
    }

    def sheet(name: str, columns: list[tuple[str, int]]):
        ws = book.add_worksheet(name)
        ws.write(0, 0, campaign.title, title)
        ws.write(1, 0, subtitle)
        for col, (label, width) in enumerate(columns):
            ws.set_column(col, col, width)
            ws.write(3, col, label, head)
        ws.freeze_panes(4, 1)
        return ws

    def totals(ws, row: int, first: int, columns: dict[int, tuple[object, object]]) -> None:
        ws.write(row, 0, _("Total"), total_label)
        for col, (value, fmt) in columns.items():
            top, bottom = xl_rowcol_to_cell(first, col), xl_rowcol_to_cell(row - 1, col)
            ws.write_formula(row, col, f"=SUM({top}:{bottom})", fmt, value)

    level_columns = [
        (_("Unit"), 36),
        (_("Code"), 12),
        (_("Above"), 28),
        (_("Target"), 9),
        (_("Stretch target"), 9),
        (_("Participants"), 12),
        (_("Share of the target (%)"), 9),
        (_("Status"), 16),
        (_("Km"), 11),
        (_("Steps"), 13),
        (_("Converted (đồng)"), 15),
        (_("Donated (đồng)"), 15),
    ]
    for level, rows in sorted(levels.items()):
        ws = sheet(_level_name(rows, level), level_columns)
        first = 4
        for r, f in enumerate(rows, start=first):
            above = parent_of.get(parent_path(f.unit.path))
            ws.write_row(r, 0, [f.unit.name, f.unit.code, above.name if above else ""])
            ws.write(r, 3, f.target if f.target is not None else "", count)
            ws.write(r, 4, f.stretch if f.stretch is not None else "", count)
            ws.write_number(r, 5, f.participants, count)
            if f.target:
                ws.write_number(r, 6, f.participants / f.target, pct)
            ws.write(r, 7, f.status_label)
            ws.write_number(r, 8, f.distance_m / 1000, km)
            if f.steps is not None:
                ws.write_number(r, 9, f.steps, count)
            ws.write_number(r, 10, f.converted, count)
            ws.write_number(r, 11, f.donated, count)
        end = first + len(rows)
        totals(
            ws,
            end,
            first,
            {
                5: (sum(f.participants for f in rows), total_count),
                8: (sum(f.distance_m for f in rows) / 1000, total_km),
                9: (sum(f.steps or 0 for f in rows), total_count),
                10: (sum(f.converted for f in rows), total_count),
                11: (sum(f.donated for f in rows), total_count),
            },
        )
        # The total's target is the report unit's own, as on the dashboard: the
        # organiser sets it apart from the targets of the units below.
        if own.target is not None:
            ws.write_number(end, 3, own.target, total_count)
        if own.stretch is not None:
            ws.write_number(end, 4, own.stretch, total_count)
        listed = sum(f.target or 0 for f in rows)
        if own.target is not None and listed != own.target:
            ws.write(
                end + 1,
                0,
                _(
                    "Target in the total: %(unit)s's own target (%(target)s); "
                    "the targets of the units listed add up to %(sum)s."
                )
                % {"unit": unit.name, "target": digits(own.target), "sum": digits(listed)},
            )

    people_columns = [
        (_("Bib"), 8),
        (_("Name"), 28),
        (_("Unit"), 34),
        (_("Team"), 22),
        (_("Distance category"), 16),
        (_("Km"), 10),
        (_("Steps"), 11),
        (_("Of which estimated from the distance"), 13),
    ]
    if contacts:
        people_columns += [(_("E-mail"), 30), (_("Phone"), 14)]
    ws = sheet(_("Participants"), people_columns)
    people = participants_as_of(campaign, unit, day)
    first = 4
    for r, person in enumerate(people, start=first):
        ws.write_number(r, 0, person["bib"])
        ws.write_row(r, 1, [person["name"], person["unit"], person["team"], person["category"]])
        ws.write_number(r, 5, person["distance_m"] / 1000, km)
        if person["steps"] is not None:
            ws.write_number(r, 6, person["steps"], count)
            ws.write_number(r, 7, person["steps_estimated"], count)
        if contacts:
            ws.write_row(r, 8, [person["email"], person["phone"]])
    end = first + len(people)
    ws.write(end, 0, _("Total"), total_label)
    ws.write_formula(end, 1, f"=COUNT(A{first + 1}:A{end})", total_count, len(people))
    ws.write_formula(
        end,
        5,
        f"=SUM(F{first + 1}:F{end})",
        total_km,
        sum(p["distance_m"] for p in people) / 1000,
    )

    ws = sheet(
        _("Donations"),
        [
            (_("Paid at"), 17),
            (_("Reference"), 14),
            (_("Unit"), 34),
            (_("Donor"), 28),
            (_("Amount (đồng)"), 15),
        ],
    )
    gifts = donations_as_of(campaign, unit, day)
    for r, gift in enumerate(gifts, start=first):
        ws.write_datetime(r, 0, campaign.local(gift.paid_at).replace(tzinfo=None), when)
        ws.write_row(r, 1, [gift.reference, names.get(gift.unit_id, ""), str(gift.public_name)])
        ws.write_number(r, 4, gift.amount, count)
    end = first + len(gifts)
    totals(ws, end, first, {4: (sum(g.amount for g in gifts), total_count)})
    book.close()


def workbook_bytes(campaign: Campaign, unit: Unit, day: date, *, contacts: bool) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        build_workbook(campaign, unit, day, contacts=contacts, path=path)
        return path.read_bytes()


# --- the PDF summary -------------------------------------------------------------

RED = (200, 16, 46)
INK = (33, 33, 33)
MUTED = (100, 100, 100)
STATUS_COLOURS = {
    data.Status.MET: (22, 120, 60),
    data.Status.ON_TRACK: (40, 90, 160),
    data.Status.BEHIND: (200, 16, 46),
    data.Status.MISSED: (140, 70, 10),
    data.Status.NO_PARTICIPANTS: (120, 120, 120),
    data.Status.NO_TARGET: (120, 120, 120),
}


def outreach_rows(campaign: Campaign, unit: Unit, day: date) -> list[dict] | None:
    """The outreach tasks' status in the subtree as of the end of ``day`` (today:
    as it is now), or None without the outreach app."""
    if not apps.is_installed("outreach") or importlib.util.find_spec("outreach.summary") is None:
        return None
    from outreach.summary import compliance

    moment = min(data.end_of(campaign, day), timezone.now())
    return compliance(campaign, unit, now=moment, as_of=moment)


def _steps(count: int | None) -> str:
    return "—" if count is None else digits(count)


def _steps_note() -> str:
    return _(
        "Steps: the device's count where it gave one, else estimated from the distance; "
        "kept as totals, so shown for today only (— for an earlier day)."
    )


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def build_pdf(campaign: Campaign, unit: Unit, day: date) -> bytes:
    snap = data.snapshot(campaign, unit, day)
    series = data.participants_series(campaign, unit, day)
    outreach = outreach_rows(campaign, unit, day)
    fonts = Path(settings.FONT_DIR)
    pdf = _Pdf(orientation="P", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, 18)
    pdf.footer_text = _nfc(
        _("KindSteps — generated %(when)s") % {"when": local_datetime(timezone.now(), campaign.tz)}
    )
    pdf.set_title(_nfc(f"{campaign.title} — {unit.name}"))
    pdf.add_page()

    pdf.set_fill_color(*RED)
    pdf.rect(0, 0, 210, 8, "F")
    pdf.set_text_color(*RED)
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(0, 8, _nfc(campaign.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 7, _nfc(unit.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        0,
        5,
        _nfc(_("Summary report as of the end of %(day)s") % {"day": local_date(day)}),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)

    total = snap.total
    target_text = digits(total.target) if total.target else _("none")
    if total.stretch:
        target_text += " · " + _("stretch %(n)s") % {"n": digits(total.stretch)}
    headline = [
        (_("Participants"), digits(total.participants)),
        (_("Target"), target_text),
        (_("Of the target"), f"{total.percent} %" if total.percent is not None else "—"),
        (_("Status"), total.status_label),
        (_("Km walked and run"), km(total.distance_m)),
        (_("Steps"), _steps(total.steps)),
        (_("Converted"), vnd(total.converted)),
        (_("Donated"), vnd(total.donated)),
    ]
    pdf.set_text_color(*INK)
    for label, value in headline:
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(55, 6.5, _nfc(label))
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 6.5, _nfc(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    _chart(pdf, series, total.target, total.stretch)

    if snap.children or snap.direct:
        _heading(pdf, _("Units"))
        pdf.set_font("DejaVu", "", 8.5)
        widths = (52, 13, 17, 9, 28, 16, 20, 25)
        head = (
            _("Unit"),
            _("Target"),
            _("Participants"),
            "%",
            _("Status"),
            _("Km"),
            _("Steps"),
            _("Donated"),
        )
        with pdf.table(
            col_widths=widths,
            text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
            headings_style=FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=RED),
            line_height=5,
            cell_fill_color=(246, 246, 246),
            cell_fill_mode="ROWS",
        ) as table:
            table.row([_nfc(h) for h in head])
            for f in data.sort_rows(snap.children, "name"):
                table.row(
                    [
                        _nfc(f.unit.name),
                        digits(f.target) if f.target else "—",
                        digits(f.participants),
                        str(f.percent) if f.percent is not None else "—",
                        _nfc(f.status_label),
                        km(f.distance_m),
                        _steps(f.steps),
                        vnd(f.donated),
                    ]
                )
            if snap.direct:
                table.row(
                    [
                        _nfc(_("Registered at %(unit)s itself") % {"unit": unit.name}),
                        "",
                        digits(snap.direct.participants),
                        "",
                        "",
                        km(snap.direct.distance_m),
                        _steps(snap.direct.steps),
                        vnd(snap.direct.donated),
                    ]
                )
            bold = FontFace(emphasis="BOLD")
            table.row(
                [
                    _nfc(_("Total")),
                    digits(total.target) if total.target else "—",
                    digits(total.participants),
                    str(total.percent) if total.percent is not None else "—",
                    _nfc(total.status_label),
                    km(total.distance_m),
                    _steps(total.steps),
                    vnd(total.donated),
                ],
                style=bold,
            )
        pdf.set_font("DejaVu", "", 7.5)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 4, _nfc(_steps_note()), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)

    if outreach is not None:
        _heading(pdf, _("Outreach tasks"))
        pdf.set_font("DejaVu", "", 8.5)
        if not outreach:
            pdf.multi_cell(0, 5, _nfc(_("No outreach tasks for these units.")))
        else:
            with pdf.table(
                col_widths=(70, 34, 18, 18, 20, 20),
                text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
                headings_style=FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=RED),
                line_height=5,
                cell_fill_color=(246, 246, 246),
                cell_fill_mode="ROWS",
            ) as table:
                table.row(
                    [
                        _nfc(_("Task")),
                        _nfc(_("Deadline")),
                        _nfc(_("Expected")),
                        _nfc(_("Approved")),
                        _nfc(_("Missing")),
                        _nfc(_("Sent late")),
                    ]
                )
                for row in outreach:
                    table.row(
                        [
                            _nfc(row.get("title", "")),
                            _nfc(row.get("deadline_text", "")),
                            str(row.get("expected", "")),
                            str(row.get("approved", "")),
                            str(row.get("missing", "")),
                            str(row.get("late", "")),
                        ]
                    )
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_fill_color(255, 255, 255)  # the header band's red must not fill table cells
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 12)
    pdf.set_text_color(*RED)
    pdf.cell(0, 7, _nfc(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def _chart(pdf: FPDF, series: list[dict], target: int | None, stretch: int | None) -> None:
    """Participants at the end of each day, with the target (and stretch) lines."""
    _heading(pdf, _("Participants over time"))
    if not series:
        return
    left, width, height = pdf.l_margin + 10, 170, 55
    top = pdf.get_y() + 2
    highest = max([1, target or 0, stretch or 0, *(p["participants"] for p in series)])
    scale = height / (highest * 1.1)
    bottom = top + height
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.2)
    pdf.line(left, bottom, left + width, bottom)
    pdf.line(left, top, left, bottom)
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(*MUTED)
    for value in (0, highest // 2, highest):
        y = bottom - value * scale
        pdf.set_xy(left - 11, y - 2)
        pdf.cell(10, 4, digits(value), align="R")
    step = width / max(1, len(series) - 1)
    for index in sorted({0, len(series) // 2, len(series) - 1}):
        pdf.set_xy(left + index * step - 10, bottom + 1)
        pdf.cell(20, 4, series[index]["day"].strftime("%d/%m"), align="C")
    for line_value, label in ((target, _("Target")), (stretch, _("Stretch target"))):
        if not line_value:
            continue
        y = bottom - line_value * scale
        pdf.set_draw_color(*MUTED)
        pdf.set_dash_pattern(dash=1.5, gap=1)
        pdf.line(left, y, left + width, y)
        pdf.set_dash_pattern()
        pdf.set_xy(left + width - 40, y - 4)
        pdf.cell(40, 4, _nfc(f"{label} {digits(line_value)}"), align="R")
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.6)
    points = [
        (left + index * step, bottom - point["participants"] * scale)
        for index, point in enumerate(series)
    ]
    if len(points) == 1:
        pdf.set_fill_color(*RED)
        pdf.circle(points[0][0], points[0][1], 1.2, style="F")
    else:
        pdf.polyline(points)
    pdf.set_line_width(0.2)
    pdf.set_text_color(*INK)
    pdf.set_y(bottom + 7)
