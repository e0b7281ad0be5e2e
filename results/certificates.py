"""E-certificates: what one certificate says (its facts, copied from the frozen
results) and the two files made from them — an A4 landscape PDF (fpdf2, DejaVu
Sans, which has every Vietnamese letter) and a PNG card to share (Pillow) — each
with a QR code (segno) to the certificate's verification page.

Speed (bench/certificates.py): fpdf2 subsets and embeds the font anew in every
document, and DejaVu is large; a copy of it cut down once to the Latin and Vietnamese
letters makes that several times faster (a name with other letters is set in the whole
font). Each process reads a face once and gives every document a fresh copy of it,
instead of parsing the file again. The QR code is drawn from its modules: as filled
squares on the PDF, and scaled up on the card, with no picture encoded and decoded in
between. The card's frame, heading, campaign and labels are drawn once per campaign and
language, and the card is written as PNG without Pillow's per-row filter search, which
took longer than all the drawing."""

from __future__ import annotations

import copy
import io
import logging
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont
from PIL import Image

from campaigns.models import Campaign
from core import cards
from core.formatting import date_window, digits, km, local_date, vnd
from results.models import Certificate, CertificateKind, Line, Results

logging.getLogger("fontTools").setLevel(logging.ERROR)

RED, INK, MUTED = cards.RED, cards.INK, cards.MUTED

_VI_LOWER = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệfghiìíỉĩịjklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvwxyỳýỷỹỵz"
)
SUBSET_TEXT = (
    "".join(chr(code) for code in range(32, 127))
    + _VI_LOWER
    + _VI_LOWER.upper()
    + "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýÄÖÜäöüßçÇñÑ"
    + "—–·…“”‘’«»°×№€đĐ"
)
_SUBSET_CHARS = frozenset(SUBSET_TEXT)


_nfc = cards.nfc


@cache
def _subset_font(style: str) -> Path:
    """DejaVu cut down to SUBSET_TEXT, made once per process into the var directory."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    source = cards.font_file(style)
    target = Path(settings.VAR_DIR) / "fonts" / f"{source.stem}-vi-{source.stat().st_size}.ttf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        options = subset.Options()
        options.hinting = False
        options.notdef_outline = True
        options.layout_features = []
        options.drop_tables += ["FFTM", "kern", "GPOS", "GSUB", "GDEF"]
        font = TTFont(str(source))
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=SUBSET_TEXT)
        subsetter.subset(font)
        partial = target.with_suffix(".part")
        font.save(str(partial))
        partial.replace(target)  # two workers may make it at once: each writes whole
    return target


def _font_for(texts: list[str], style: str) -> Path:
    """The cut-down face if it has every letter of ``texts``, else the whole one."""
    if all(char in _SUBSET_CHARS for text in texts for char in text):
        return _subset_font(style)
    return cards.font_file(style)


def verify_url(code: str) -> str:
    return settings.SITE_URL + reverse("results:verify", args=[code])


# --- facts ------------------------------------------------------------------------


def person_facts(campaign: Campaign, line: Line, of: int) -> dict:
    return {
        "name": line.name,
        "bib": line.bib,
        "distance_m": line.distance_m,
        "steps": line.steps,
        "steps_estimated": line.steps_estimated > 0,
        "converted": line.converted,
        "rank": line.rank,
        "of": of,
        "unit": line.unit_name,
        "team": line.team_name,
        "category": line.category_name,
        **_campaign_facts(campaign),
    }


def unit_facts(campaign: Campaign, line: Line) -> dict:
    return {
        "name": line.name,
        "unit_kind": line.unit_kind,
        "participants": line.participants,
        "target": line.target,
        "distance_m": line.distance_m,
        "steps": line.steps,
        "steps_estimated": line.steps_estimated > 0,
        "converted": line.converted,
        "donated": line.donated,
        "rank": line.rank,
        **_campaign_facts(campaign),
    }


def _campaign_facts(campaign: Campaign) -> dict:
    return {
        "campaign_vi": campaign.title_vi,
        "campaign_en": campaign.title_en or campaign.title_vi,
        "organiser": campaign.organiser_unit.name,
        "starts_at": campaign.starts_at.isoformat(),
        "ends_at": campaign.ends_at.isoformat(),
        "time_zone": campaign.time_zone,
    }


def campaign_title(facts: dict) -> str:
    language = (translation.get_language() or "vi")[:2]
    return facts.get(f"campaign_{language}") or facts["campaign_vi"]


def steps_label(facts: dict) -> str:
    """Device steps where the activities gave them, else the estimate, labelled."""
    return _("steps (partly estimated)") if facts.get("steps_estimated") else _("steps")


def sentences(certificate: Certificate, campaign: Campaign) -> dict:
    """The words of a certificate in the active language (the files and the page)."""
    facts = certificate.facts
    dates = date_window(campaign.starts_at, campaign.ends_at, campaign.tz)
    title = campaign_title(facts)
    if certificate.kind == CertificateKind.UNIT:
        return {
            "heading": _("Certificate of merit"),
            "intro": _("awarded to the unit"),
            "name": facts["name"],
            "body": _("for meeting its target in %(campaign)s (%(dates)s)")
            % {"campaign": title, "dates": dates},
            "figures": [
                (_("participants"), f"{digits(facts['participants'])} / {digits(facts['target'])}"),
                (_("km"), km(facts["distance_m"])),
                (steps_label(facts), digits(facts["steps"])),
                (_("đồng converted"), vnd(facts["converted"])),
            ],
            "detail": facts["organiser"],
        }
    detail = facts["unit"] or facts["organiser"]
    if facts.get("team"):
        detail = f"{detail} · {_('team')} {facts['team']}"
    return {
        "heading": _("Certificate of participation"),
        "intro": _("This certifies that"),
        "name": facts["name"],
        "body": _("took part in %(campaign)s (%(dates)s)") % {"campaign": title, "dates": dates},
        "figures": [
            (_("km"), km(facts["distance_m"])),
            (steps_label(facts), digits(facts["steps"])),
            (_("đồng converted"), vnd(facts["converted"])),
            (_("rank"), f"{digits(facts['rank'])} / {digits(facts['of'])}"),
        ],
        "detail": detail,
    }


# --- the files ----------------------------------------------------------------------


QR_SCALE = 7  # pixels per module on the card
QR_BORDER = 2  # modules of quiet zone around the code
# A QR code's modules, row by row: True where dark.
Modules = npt.NDArray[np.bool_]


QR_MASK = 2


def qr_modules(code: str) -> Modules:
    """The QR code of the verification page: a full-size QR code (never a micro one),
    with a fixed mask. Every reader decodes any of the eight masks; choosing the "best"
    one scores all eight and was a fifth of a certificate's drawing time."""
    matrix = segno.make(verify_url(code), error="m", micro=False, mask=QR_MASK).matrix
    return np.frombuffer(b"".join(matrix), dtype=np.uint8).reshape(len(matrix), -1) == 1


def qr_picture(code: str) -> Image.Image:
    """The QR code of the verification page as black modules of QR_SCALE pixels on
    white, with its quiet zone: made once, placed on both files."""
    modules = qr_modules(code)
    framed = np.pad(modules, QR_BORDER)
    pixels = np.where(framed, 0, 255).astype(np.uint8)
    pixels = pixels.repeat(QR_SCALE, axis=0).repeat(QR_SCALE, axis=1)
    return Image.fromarray(pixels, mode="L")


@cache
def _face(path: Path) -> tuple[TTFFont, bytes]:
    """A font file parsed once per process, with its bytes."""
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(path))
    font = pdf.fonts["dejavu"]
    assert isinstance(font, TTFFont)
    return font, path.read_bytes()


def _add_face(pdf: FPDF, path: Path) -> None:
    """``pdf.add_font("DejaVu", "", path)``, without parsing the file again: a copy of
    the parsed face with what a document changes (the font fpdf2 subsets in place and
    the map of the letters used) of its own."""
    parsed, data = _face(path)
    font = copy.copy(parsed)
    font.ttfont = TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
    # The boxes of the glyphs kept are the file's own: not computed again for every
    # document (a third of the time of the font's subsetting).
    font.ttfont.recalcBBoxes = False
    font.i = len(pdf.fonts) + 1
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font


def _forget_glyphs() -> None:
    """fpdf2 memoises glyph look-ups for every subset map it ever made, each holding its
    document's font: let them go once a document is written. (Safe beside a document
    being made in another thread: a look-up made again gives an equal glyph.)"""
    SubsetMap.pick.cache_clear()
    SubsetMap.get_glyph.cache_clear()


def render_pdf(
    certificate: Certificate, campaign: Campaign, frozen_on: str, qr: Image.Image
) -> bytes:
    """One A4 landscape page. One typeface only (no bold): every face embedded is
    subset again in every document, the largest part of the time a certificate takes."""
    words = sentences(certificate, campaign)
    texts = [_nfc(words["name"]), _nfc(words["body"]), _nfc(words["detail"])]
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_compression(True)
    _add_face(pdf, _font_for(texts, ""))
    pdf.set_title(_nfc(f"{words['heading']} — {words['name']}"))
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 281, 194)
    pdf.set_fill_color(*RED)
    pdf.rect(8, 8, 281, 10, "F")

    pdf.set_y(28)
    pdf.set_text_color(*MUTED)
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(0, 7, _nfc(f"KindSteps · {certificate.facts['organiser']}"), align="C")
    pdf.ln(12)
    pdf.set_text_color(*RED)
    pdf.set_font("DejaVu", "", 30)
    pdf.cell(0, 14, _nfc(words["heading"].upper()), align="C")
    pdf.ln(18)
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "", 14)
    pdf.cell(0, 8, _nfc(words["intro"]), align="C")
    pdf.ln(11)
    pdf.set_font("DejaVu", "", 28)
    pdf.cell(0, 14, texts[0], align="C")
    pdf.ln(17)
    pdf.set_font("DejaVu", "", 13)
    pdf.multi_cell(0, 7, texts[1], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    width = 257 / len(words["figures"])
    top = pdf.get_y()
    for index, (label, value) in enumerate(words["figures"]):
        pdf.set_xy(20 + index * width, top)
        pdf.set_font("DejaVu", "", 20)
        pdf.set_text_color(*RED)
        pdf.cell(width, 10, _nfc(value), align="C")
        pdf.set_xy(20 + index * width, top + 11)
        pdf.set_font("DejaVu", "", 11)
        pdf.set_text_color(*MUTED)
        pdf.cell(width, 6, _nfc(label), align="C")
    pdf.set_xy(20, top + 24)
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(0, 7, texts[2], align="C")

    pdf.image(qr, x=247, y=158, w=34)
    pdf.set_xy(20, 176)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        215,
        5,
        _nfc(
            _("Results frozen on %(date)s. Check this certificate at %(url)s (code %(code)s).")
            % {"date": frozen_on, "url": verify_url(certificate.code), "code": certificate.code}
        ),
    )
    try:
        return bytes(pdf.output())
    finally:
        _forget_glyphs()


def render_png(certificate: Certificate, campaign: Campaign, qr: Image.Image) -> bytes:
    """The share card (core/cards.py), with the QR code of the verification page."""
    words = sentences(certificate, campaign)
    card = cards.Card(
        heading=words["heading"],
        subtitle=campaign_title(certificate.facts),
        name=words["name"],
        detail=words["detail"],
        figures=words["figures"],
    )
    return cards.draw(card, qr=qr, code=certificate.code)


def render(certificate: Certificate, results: Results) -> tuple[bytes, bytes]:
    """The PDF and the PNG of a certificate, in its holder's language."""
    campaign = results.campaign
    language = "vi"
    if certificate.registration_id:
        language = certificate.registration.user.preferred_language or "vi"
    with translation.override(language):
        frozen_on = local_date(results.frozen_at, campaign.tz)
        qr = qr_picture(certificate.code)
        return (
            render_pdf(certificate, campaign, frozen_on, qr),
            render_png(certificate, campaign, qr),
        )
