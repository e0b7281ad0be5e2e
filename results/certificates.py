"""E-certificates: what one certificate says (its facts, copied from the frozen
results) and the two files made from them — an A4 landscape PDF (fpdf2, DejaVu
Sans, which has every Vietnamese letter) and a PNG card to share (Pillow) — each
with a QR code (segno) to the certificate's verification page.

Speed (bench/certificates.py, docs/results.md, decision 55): DejaVu is cut down once to
the Latin and Vietnamese letters, and a PDF whose words are all in that face embeds it
whole, with the font objects fpdf2 wrote for it once per process, instead of subsetting it
with fontTools in every document (a text with other letters is set in the whole font,
subset as usual). Each process reads a face once and gives every document a fresh copy of
it, instead of parsing the file again. A paragraph that fits on a line is one cell. The QR
code (a fixed mask) is made once as a picture for both files. The card is drawn by
core/cards.py."""

from __future__ import annotations

import copy
import io
import logging
import os
import threading
from dataclasses import dataclass
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
from fpdf.output import CIDSystemInfo, OutputProducer, PDFFont, PDFFontStream
from fpdf.syntax import Name, PDFArray, PDFContentStream
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
        # Two workers may make it at once: each writes a file of its own, then puts it in
        # place whole (a shared temporary name let one read the other's half-written file).
        partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        font.save(str(partial))
        partial.replace(target)
    return target


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


@dataclass(frozen=True)
class _Embedding:
    """The font objects fpdf2 writes for the cut-down face with every one of its letters
    in use, CIDs given in the order of the face's letters: the same in every document
    set in that face, so made once per process and copied into each."""

    face: TTFFont  # every letter picked: each document shares its map of CIDs
    base_font: str
    widths: str
    to_unicode: bytes
    cid_to_gid: bytes  # compressed, as written
    font_file: bytes  # compressed, as written
    font_file_length: int


def _compressed(stream: PDFContentStream, contents: bytes) -> PDFContentStream:
    """``stream`` with contents already compressed (as fpdf2 compressed them once)."""
    stream._contents = contents
    stream.filter = Name("FlateDecode")
    stream.length = len(contents)
    return stream


_embedding_lock = threading.Lock()


def _embedding() -> _Embedding:
    """The one ``_Embedding`` of this process (huey's thread workers share it: made
    under a lock, so that every document and the output that follows see the same)."""
    with _embedding_lock:
        return _make_embedding()


@cache
def _make_embedding() -> _Embedding:
    """fpdf2's own output for a document in the cut-down face with all its letters used,
    kept: any certificate whose words are all in that face embeds it whole (about 10 kB
    more than a subset of its own letters) instead of subsetting it with fontTools
    again, which was a third of a PDF's time."""
    path = _subset_font("")
    pdf = FPDF()
    _add_face(pdf, path)
    face = pdf.fonts["dejavu"]
    assert isinstance(face, TTFFont)
    for code in sorted(face.cmap):
        face.subset.pick(code)
    pdf.add_page()
    written: dict = {}

    class Capture(OutputProducer):
        def _add_fonts(self, *args):  # type: ignore[no-untyped-def]
            written.update(super()._add_fonts(*args))
            return written

    pdf.output(output_producer_class=Capture)
    (composite,) = written.values()
    (cid_font,) = composite.descendant_fonts
    font_file = cid_font.font_descriptor.font_file2
    return _Embedding(
        face=face,
        base_font=str(composite.base_font).lstrip("/"),
        widths=cid_font.w,
        to_unicode=composite.to_unicode.content_stream(),
        cid_to_gid=cid_font.c_i_d_to_g_i_d_map.content_stream(),
        font_file=font_file.content_stream(),
        font_file_length=font_file.length1,
    )


def _in_embedded_face(texts: list[str]) -> bool:
    cmap = _embedding().face.cmap
    return all(ord(char) in cmap for text in texts for char in text)


def _add_embedded_face(pdf: FPDF) -> None:
    """The cut-down face, its letters already mapped to the CIDs of ``_embedding``."""
    font = copy.copy(_embedding().face)
    font.i = len(pdf.fonts) + 1
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    pdf.fonts[font.fontkey] = font


class _Producer(OutputProducer):
    """fpdf2's output, with the kept objects of the cut-down face where a document is
    set in it (one face, no compliance profile); otherwise fpdf2's own subsetting."""

    def _add_fonts(self, *args):  # type: ignore[no-untyped-def]
        embedding = _embedding()
        fonts = list(self.fpdf.fonts.values())
        if self.fpdf._compliance or any(
            getattr(font, "subset", None) is not embedding.face.subset for font in fonts
        ):
            return super()._add_fonts(*args)
        added = {}
        for font in fonts:
            # The objects in the order and with the contents fpdf2 gives them.
            composite = PDFFont(
                subtype="Type0", base_font=embedding.base_font, encoding="Identity-H"
            )
            self._add_pdf_obj(composite, "fonts")
            cid_font = PDFFont(
                subtype="CIDFontType2",
                base_font=embedding.base_font,
                d_w=font.desc.missing_width,
                w=embedding.widths,
            )
            self._add_pdf_obj(cid_font, "fonts")
            composite.descendant_fonts = PDFArray([cid_font])
            to_unicode = PDFContentStream(embedding.to_unicode)
            self._add_pdf_obj(to_unicode, "fonts")
            composite.to_unicode = to_unicode
            system_info = CIDSystemInfo()
            self._add_pdf_obj(system_info, "fonts")
            cid_font.c_i_d_system_info = system_info
            descriptor = copy.copy(font.desc)
            descriptor.font_name = Name(embedding.base_font)
            self._add_pdf_obj(descriptor, "fonts")
            cid_font.font_descriptor = descriptor
            cid_to_gid = _compressed(PDFContentStream(b""), embedding.cid_to_gid)
            self._add_pdf_obj(cid_to_gid, "fonts")
            cid_font.c_i_d_to_g_i_d_map = cid_to_gid
            font_file = PDFFontStream(b"")
            _compressed(font_file, embedding.font_file)
            font_file.length1 = embedding.font_file_length
            self._add_pdf_obj(font_file, "fonts")
            descriptor.font_file2 = font_file
            added[font.i] = composite
        return added


def _paragraph(pdf: FPDF, width: float, height: float, text: str, align: str) -> None:
    """``multi_cell`` for a text that may run over a line; a single ``cell`` where it
    fits on one (the same place and look, without fpdf2's line breaking measuring the
    line again at every letter)."""
    room = (width or pdf.w - pdf.r_margin - pdf.x) - 2 * pdf.c_margin
    if pdf.get_string_width(text) < room:
        pdf.cell(
            width,
            height,
            text,
            align="L" if align == "J" else align,
            new_x="LMARGIN",
            new_y="NEXT",
        )
    else:
        pdf.multi_cell(width, height, text, align=align, new_x="LMARGIN", new_y="NEXT")


def render_pdf(
    certificate: Certificate, campaign: Campaign, frozen_on: str, qr: Image.Image
) -> bytes:
    """One A4 landscape page. One typeface only (no bold): every face embedded costs
    its subsetting or its bytes in every document."""
    words = sentences(certificate, campaign)
    header = _nfc(f"KindSteps · {certificate.facts['organiser']}")
    heading = _nfc(words["heading"].upper())
    intro = _nfc(words["intro"])
    name, body, detail = _nfc(words["name"]), _nfc(words["body"]), _nfc(words["detail"])
    figures = [(_nfc(label), _nfc(value)) for label, value in words["figures"]]
    footer = _nfc(
        _("Results frozen on %(date)s. Check this certificate at %(url)s (code %(code)s).")
        % {"date": frozen_on, "url": verify_url(certificate.code), "code": certificate.code}
    )
    texts = [header, heading, intro, name, body, detail, footer, *sum(figures, ())]
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_compression(True)
    embedded = _in_embedded_face(texts)
    if embedded:
        _add_embedded_face(pdf)
    else:
        _add_face(pdf, cards.font_file(""))
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
    pdf.cell(0, 7, header, align="C")
    pdf.ln(12)
    pdf.set_text_color(*RED)
    pdf.set_font("DejaVu", "", 30)
    pdf.cell(0, 14, heading, align="C")
    pdf.ln(18)
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "", 14)
    pdf.cell(0, 8, intro, align="C")
    pdf.ln(11)
    pdf.set_font("DejaVu", "", 28)
    pdf.cell(0, 14, name, align="C")
    pdf.ln(17)
    pdf.set_font("DejaVu", "", 13)
    _paragraph(pdf, 0, 7, body, "C")
    pdf.ln(6)

    width = 257 / len(figures)
    top = pdf.get_y()
    for index, (label, value) in enumerate(figures):
        pdf.set_xy(20 + index * width, top)
        pdf.set_font("DejaVu", "", 20)
        pdf.set_text_color(*RED)
        pdf.cell(width, 10, value, align="C")
        pdf.set_xy(20 + index * width, top + 11)
        pdf.set_font("DejaVu", "", 11)
        pdf.set_text_color(*MUTED)
        pdf.cell(width, 6, label, align="C")
    pdf.set_xy(20, top + 24)
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(0, 7, detail, align="C")

    pdf.image(qr, x=247, y=158, w=34)
    pdf.set_xy(20, 176)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(*MUTED)
    _paragraph(pdf, 215, 5, footer, "J")
    try:
        return bytes(pdf.output(output_producer_class=_Producer))
    finally:
        if not embedded:
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
