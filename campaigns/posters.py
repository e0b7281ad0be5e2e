"""A unit's printable poster for a campaign: the title, the unit, the dates and a
big QR code of the unit's invite link. One A4 portrait layout, drawn twice:
as a PDF (fpdf2, vector QR) and as a PNG (Pillow, 1240 × 1754 px = 150 dpi).

Both drawings take their positions in millimetres from ``_draw`` so they match;
text is set in DejaVu Sans, which has every Vietnamese letter."""

import io
import logging
import unicodedata
from dataclasses import dataclass
from typing import Protocol

import segno
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from campaigns.models import Campaign
from core.formatting import last_day, local_date
from orgs.models import Unit

# fontTools tells every glyph it keeps when fpdf2 subsets the font: too chatty for a log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

PAGE_W_MM = 210.0
PAGE_H_MM = 297.0
PNG_SIZE = (1240, 1754)
PX_PER_MM = PNG_SIZE[0] / PAGE_W_MM
PT_TO_MM = 25.4 / 72

RED = (200, 16, 46)  # the site's --ks-red
INK = (33, 33, 33)
MUTED = (90, 90, 90)
WHITE = (255, 255, 255)

MARGIN_MM = 16.0
QR_MM = 130.0


def make_qr(url: str) -> segno.QRCode:
    # Medium error correction survives a creased or slightly dirty print.
    return segno.make_qr(url, error="m", boost_error=False)


@dataclass(frozen=True)
class QrBox:
    """Where the QR symbol (without its quiet zone) sits on the PNG, in pixels."""

    left: int
    top: int
    module_px: int
    modules: int


class _Canvas(Protocol):
    def rect(self, x: float, y: float, w: float, h: float, color: tuple) -> None: ...

    def width(self, text: str, size_pt: float, bold: bool) -> float: ...

    def text(self, x: float, baseline: float, text: str, size_pt: float, bold: bool, color) -> None:
        """Draw ``text`` with its baseline at ``baseline`` (all in mm)."""

    def qr(self, qr: segno.QRCode, x: float, y: float, size: float) -> None: ...


def _nfc(text: str) -> str:
    # Vietnamese typed on some keyboards arrives decomposed (e + combining marks);
    # the precomposed letters are the ones the font draws well without shaping.
    return unicodedata.normalize("NFC", " ".join((text or "").split()))


def _wrap(canvas: _Canvas, text: str, size_pt: float, bold: bool, max_w: float) -> list[str]:
    lines: list[str] = []
    current = ""
    words: list[str] = []
    for word in text.split(" "):
        # A word wider than the page (a long link) is cut where it must be.
        while canvas.width(word, size_pt, bold) > max_w and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and canvas.width(word[:cut], size_pt, bold) > max_w:
                cut -= 1
            words.append(word[:cut])
            word = word[cut:]
        words.append(word)
    for word in words:
        candidate = f"{current} {word}".strip()
        if current and canvas.width(candidate, size_pt, bold) > max_w:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _centred(
    canvas: _Canvas,
    top: float,
    text: str,
    size_pt: float,
    *,
    bold: bool = False,
    color=INK,
    max_lines: int = 3,
) -> float:
    """Draw ``text`` centred and wrapped, shrinking it until it fits ``max_lines``;
    return the y below it."""
    max_w = PAGE_W_MM - 2 * MARGIN_MM
    while True:
        lines = _wrap(canvas, text, size_pt, bold, max_w)
        fits = len(lines) <= max_lines and all(
            canvas.width(line, size_pt, bold) <= max_w for line in lines
        )
        if fits or size_pt <= 8:
            break
        size_pt -= 1
    # Balance the lines: the narrowest width that needs no more of them
    # ("Triệu bước chân / nhân ái 2024" rather than a lone "2024").
    width = max_w
    while len(lines) > 1 and width > max_w / 2:
        narrower = _wrap(canvas, text, size_pt, bold, width - 4)
        if len(narrower) > len(lines):
            break
        lines, width = narrower, width - 4
    line_h = size_pt * PT_TO_MM * 1.25
    y = top
    for line in lines:
        y += line_h
        x = (PAGE_W_MM - canvas.width(line, size_pt, bold)) / 2
        canvas.text(x, y - line_h * 0.22, line, size_pt, bold, color)
    return y


def _dates(campaign: Campaign) -> str:
    return _("From %(start)s to %(end)s") % {
        "start": local_date(campaign.starts_at, campaign.tz),
        "end": local_date(last_day(campaign.ends_at, campaign.tz)),
    }


def _draw(canvas: _Canvas, campaign: Campaign, unit: Unit, url: str) -> None:
    # Header band: a red cross on white, the organiser's name.
    canvas.rect(0, 0, PAGE_W_MM, 30, RED)
    canvas.rect(MARGIN_MM, 7, 16, 16, WHITE)
    canvas.rect(MARGIN_MM + 6, 9, 4, 12, RED)
    canvas.rect(MARGIN_MM + 2, 13, 12, 4, RED)
    organiser = _nfc(campaign.organiser_unit.name)
    room = PAGE_W_MM - 2 * MARGIN_MM - 22
    size = 15.0
    while size > 8 and canvas.width(organiser, size, True) > room:
        size -= 1
    canvas.text(MARGIN_MM + 22, 18.5, organiser, size, True, WHITE)
    y = _centred(canvas, 38, _nfc(campaign.title), 34, bold=True, color=RED, max_lines=3)
    y = _centred(canvas, y + 3, _nfc(_dates(campaign)), 14, color=MUTED, max_lines=1)
    y = _centred(canvas, y + 6, _nfc(unit.name), 22, bold=True, color=INK, max_lines=2)
    # The QR code, the call to action and the link share what room is left,
    # centred between the unit's name and the footer band.
    footer_top = PAGE_H_MM - 16
    words_h = 30 * PT_TO_MM * 1.25 + 2 * 11 * PT_TO_MM * 1.25 + 4
    room = footer_top - 6 - (y + 6)
    size = min(QR_MM, room - words_h - 6)
    top = y + 6 + (room - size - 6 - words_h) / 2
    canvas.qr(make_qr(url), (PAGE_W_MM - size) / 2, top, size)
    y = _centred(canvas, top + size + 4, _("Scan to join"), 30, bold=True, color=RED, max_lines=1)
    _centred(canvas, y + 1, url, 11, color=INK, max_lines=2)
    canvas.rect(0, PAGE_H_MM - 16, PAGE_W_MM, 16, RED)
    canvas.text(MARGIN_MM, PAGE_H_MM - 6.5, _("Every step counts."), 12, True, WHITE)
    brand = "KindSteps"
    brand_x = PAGE_W_MM - MARGIN_MM - canvas.width(brand, 12, True)
    canvas.text(brand_x, PAGE_H_MM - 6.5, brand, 12, True, WHITE)


def _font_path(bold: bool) -> str:
    return str(settings.FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"))


# --- PDF --------------------------------------------------------------------


class _PdfCanvas:
    def __init__(self) -> None:
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.add_font("DejaVu", "", _font_path(False))
        pdf.add_font("DejaVu", "B", _font_path(True))
        pdf.add_page()
        self.pdf = pdf

    def _font(self, size_pt: float, bold: bool) -> None:
        self.pdf.set_font("DejaVu", "B" if bold else "", size_pt)

    def rect(self, x: float, y: float, w: float, h: float, color: tuple) -> None:
        self.pdf.set_fill_color(*color)
        self.pdf.rect(x, y, w, h, style="F")

    def width(self, text: str, size_pt: float, bold: bool) -> float:
        self._font(size_pt, bold)
        return self.pdf.get_string_width(text)

    def text(self, x: float, baseline: float, text: str, size_pt: float, bold: bool, color) -> None:
        self._font(size_pt, bold)
        self.pdf.set_text_color(*color)
        self.pdf.text(x, baseline, text)

    def qr(self, qr: segno.QRCode, x: float, y: float, size: float) -> None:
        # Vector modules, one rectangle per horizontal run: sharp at any print size.
        matrix = qr.matrix
        module = size / len(matrix)
        self.pdf.set_fill_color(0, 0, 0)
        for row, cells in enumerate(matrix):
            col = 0
            while col < len(cells):
                if cells[col]:
                    start = col
                    while col < len(cells) and cells[col]:
                        col += 1
                    self.pdf.rect(
                        x + start * module, y + row * module, (col - start) * module, module, "F"
                    )
                else:
                    col += 1


def poster_pdf(campaign: Campaign, unit: Unit, url: str) -> bytes:
    canvas = _PdfCanvas()
    canvas.pdf.set_title(_nfc(f"{campaign.title} — {unit.name}"))
    canvas.pdf.set_creator("KindSteps")
    canvas.pdf.set_lang("vi")
    _draw(canvas, campaign, unit, url)
    return bytes(canvas.pdf.output())


# --- PNG --------------------------------------------------------------------


class _PngCanvas:
    def __init__(self) -> None:
        self.image = Image.new("RGB", PNG_SIZE, WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.fonts: dict[tuple[int, bool], ImageFont.FreeTypeFont] = {}
        self.qr_box: QrBox | None = None

    def _font(self, size_pt: float, bold: bool) -> ImageFont.FreeTypeFont:
        px = round(size_pt * PT_TO_MM * PX_PER_MM)
        key = (px, bold)
        if key not in self.fonts:
            self.fonts[key] = ImageFont.truetype(_font_path(bold), px)
        return self.fonts[key]

    @staticmethod
    def _px(mm: float) -> int:
        return round(mm * PX_PER_MM)

    def rect(self, x: float, y: float, w: float, h: float, color: tuple) -> None:
        x0, y0 = self._px(x), self._px(y)
        self.draw.rectangle((x0, y0, self._px(x + w) - 1, self._px(y + h) - 1), fill=color)

    def width(self, text: str, size_pt: float, bold: bool) -> float:
        return self._font(size_pt, bold).getlength(text) / PX_PER_MM

    def text(self, x: float, baseline: float, text: str, size_pt: float, bold: bool, color) -> None:
        self.draw.text(
            (self._px(x), self._px(baseline)),
            text,
            font=self._font(size_pt, bold),
            fill=color,
            anchor="ls",
        )

    def qr(self, qr: segno.QRCode, x: float, y: float, size: float) -> None:
        # Whole pixels per module keep every edge sharp for scanners.
        matrix = qr.matrix
        module_px = max(1, self._px(size) // len(matrix))
        left = self._px(x) + (self._px(size) - module_px * len(matrix)) // 2
        top = self._px(y)
        for row, cells in enumerate(matrix):
            for col, dark in enumerate(cells):
                if dark:
                    x0, y0 = left + col * module_px, top + row * module_px
                    self.draw.rectangle((x0, y0, x0 + module_px - 1, y0 + module_px - 1), fill=0)
        self.qr_box = QrBox(left=left, top=top, module_px=module_px, modules=len(matrix))


def render_png(campaign: Campaign, unit: Unit, url: str) -> tuple[Image.Image, QrBox]:
    canvas = _PngCanvas()
    _draw(canvas, campaign, unit, url)
    assert canvas.qr_box is not None
    return canvas.image, canvas.qr_box


def poster_png(campaign: Campaign, unit: Unit, url: str) -> bytes:
    image, _box = render_png(campaign, unit, url)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(150, 150), optimize=True)
    return out.getvalue()


def filename(campaign: Campaign, unit: Unit) -> str:
    return slugify(f"{campaign.slug}-{unit.code}") or "poster"
