"""Share cards: the 1200 × 630 PNG pictures a link preview on Zalo or Facebook shows,
drawn with Pillow in DejaVu Sans (every Vietnamese letter), and kept once drawn.

One layout serves every card (a certificate's, a campaign's, a team's, the results',
a participant's progress): a heading, a line under it, a name in large letters, a
detail line, up to four figures and, for a certificate, its QR code. ``stored_png``
keeps each drawing in the default storage under a key made from exactly what is
drawn, so a crawler's visit reads a file instead of drawing again, and a change of
any figure (or of the layout's ``VERSION``) makes a new one.

Drawn fast enough for a campaign's certificates (decision 55): the parts cards share are
drawn once for a few at a time, each colour's text as levels into a layer of its own, and
the card written as a palette PNG (half the bytes of RGB, a third of the data for zlib)."""

from __future__ import annotations

import hashlib
import json
import struct
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation
from PIL import Image, ImageChops, ImageDraw, ImageFont

RED = (200, 16, 46)
INK = (33, 37, 41)
MUTED = (100, 106, 112)
CARD_SIZE = (1200, 630)  # what Facebook and Zalo show for a shared link
# Raised whenever the layout changes, so that every stored card is drawn again.
VERSION = 1
STORE_DIR = "cards"


def nfc(text: object) -> str:
    """Vietnamese typed on some keyboards arrives decomposed; the font wants composed letters."""
    return unicodedata.normalize("NFC", str(text))


def font_file(style: str) -> Path:
    return Path(settings.FONT_DIR) / ("DejaVuSans-Bold.ttf" if style == "B" else "DejaVuSans.ttf")


@cache
def image_font(style: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file(style)), size)


def fit(draw: ImageDraw.ImageDraw, text: str, style: str, size: int, width: int):
    """The largest font (from ``size`` down) in which ``text`` fits ``width`` pixels."""
    while size > 18:
        font = image_font(style, size)
        if draw.textlength(text, font=font) <= width:
            return font
        size -= 4
    return image_font(style, size)


@dataclass
class Card:
    """What one card says, already in the reader's language."""

    heading: str
    subtitle: str
    name: str
    detail: str = ""
    figures: list[tuple[str, str]] = field(default_factory=list)  # (label, value), ≤ 4
    footer: str = ""


LEFT = 60  # where the text starts
TOP_FIGURES = 320  # where the first row of figures starts

# A card has white, three colours of text (and the frame in red) and a QR code's black:
# it is drawn as one coverage layer per colour and written as a palette PNG, each
# colour in LEVELS steps from white (a step is 3/255 of the way: no eye tells it from
# the picture drawn in RGB), a third of the bytes for zlib to pack.
INKS = (RED, INK, MUTED)
LEVELS = 84
BLACK_INDEX = len(INKS) * LEVELS + 1


def _palette() -> bytes:
    entries = [(255, 255, 255)]
    for colour in INKS:
        for level in range(1, LEVELS + 1):
            entries.append(
                tuple(round(255 + (c - 255) * level / LEVELS) for c in colour)  # type: ignore[misc]
            )
    entries.append((0, 0, 0))
    return b"".join(bytes(entry) for entry in entries)


PALETTE = _palette()
# Text is drawn into its colour's layer at LEVELS (not 255): a layer holds its colour's
# level, 0 to LEVELS, and the level of the k-th colour is at index k * LEVELS + level.
_INDEX_OF = [[0] + [ink * LEVELS + level for level in range(1, 256)] for ink in range(len(INKS))]


def _text_width(with_qr: bool) -> int:
    return 800 if with_qr else CARD_SIZE[0] - 2 * LEFT


def _column_width(with_qr: bool) -> int:
    return 420 if with_qr else _text_width(with_qr) // 2


def _figure_place(index: int, with_qr: bool) -> tuple[int, int]:
    return LEFT + (index % 2) * _column_width(with_qr), TOP_FIGURES + (index // 2) * 120


class _Layers:
    """One picture (mode L) per colour of INKS, holding the colour's level (0 to LEVELS)
    in every pixel: text is drawn into its colour's layer."""

    def __init__(self, layers: list[Image.Image]) -> None:
        self.layers = layers
        self.pens = [ImageDraw.Draw(layer) for layer in layers]

    @classmethod
    def blank(cls) -> _Layers:
        layers = [Image.new("L", CARD_SIZE, 0) for _ in INKS]
        width, height = CARD_SIZE
        frame = ImageDraw.Draw(layers[INKS.index(RED)])
        frame.rectangle((0, 0, width, 16), fill=LEVELS)
        frame.rectangle((0, height - 16, width, height), fill=LEVELS)
        return cls(layers)

    def copy(self) -> _Layers:
        return _Layers([layer.copy() for layer in self.layers])

    def text(self, xy: tuple[int, int], text: str, font, colour: tuple[int, int, int]) -> None:
        self.pens[INKS.index(colour)].text(xy, text, font=font, fill=LEVELS)

    def fit(self, text: str, style: str, size: int, width: int):
        return fit(self.pens[0], text, style, size, width)

    def indices(self) -> Image.Image:
        """The palette index of every pixel (mode L)."""
        picture = self.layers[0]  # the first colour's levels are its indices
        for ink, layer in enumerate(self.layers[1:], start=1):
            picture = ImageChops.lighter(picture, layer.point(_INDEX_OF[ink]))
        return picture


@lru_cache(maxsize=8)
def _template(heading: str, subtitle: str, labels: tuple[str, ...], with_qr: bool) -> _Layers:
    """The parts the cards of a campaign (or of a page) share, drawn once: the frame,
    the heading, the subtitle and the figures' labels. Kept for a few at a time (a
    certificate job draws thousands of cards of one campaign in one language)."""
    layers = _Layers.blank()
    text_width = _text_width(with_qr)
    layers.text((LEFT, 50), heading, image_font("B", 34), RED)
    layers.text((LEFT, 100), subtitle, layers.fit(subtitle, "", 26, text_width), MUTED)
    room = _column_width(with_qr) - 20
    for index, label in enumerate(labels):
        x, y = _figure_place(index, with_qr)
        layers.text((x, y + 60), label, layers.fit(label, "", 24, room), MUTED)
    return layers


def draw(card: Card, *, qr: Image.Image | None = None, code: str = "") -> bytes:
    """The card as PNG bytes. With a QR code (a certificate's), it sits bottom right
    with ``code`` under it and the text keeps to the left of it."""
    width, height = CARD_SIZE
    with_qr = qr is not None
    figures = [(nfc(label), nfc(value)) for label, value in card.figures[:4]]
    labels = tuple(label for label, _value in figures)
    layers = _template(nfc(card.heading), nfc(card.subtitle), labels, with_qr).copy()
    text_width = _text_width(with_qr)
    name = nfc(card.name)
    layers.text((LEFT, 160), name, layers.fit(name, "B", 64, text_width), INK)
    if card.detail:
        detail = nfc(card.detail)
        layers.text((LEFT, 250), detail, layers.fit(detail, "", 26, text_width), MUTED)
    room = _column_width(with_qr) - 20
    for index, (_label, value) in enumerate(figures):
        x, y = _figure_place(index, with_qr)
        layers.text((x, y), value, layers.fit(value, "B", 48, room), RED)
    if qr is not None:
        layers.text((width - qr.width - 50, height - 54), code, image_font("", 22), MUTED)
    if card.footer:
        layers.text((LEFT, height - 70), nfc(card.footer), image_font("", 22), MUTED)
    picture = layers.indices()
    if qr is not None:
        # Black modules on white (a QR picture is 0 or 255): black's index, or white's.
        picture.paste(
            qr.point([BLACK_INDEX] + [0] * 255), (width - qr.width - 50, height - qr.height - 60)
        )
    return palette_png(picture)


def palette_png(indices: Image.Image, level: int = 3) -> bytes:
    """A picture of PALETTE indices (mode L) as a palette PNG, every row unfiltered:
    for a card, mostly flat colour, zlib alone packs about as well as a filter per row."""
    width, height = indices.size
    rows = np.empty((height, 1 + width), dtype=np.uint8)
    rows[:, 0] = 0  # filter byte 0: none
    rows[:, 1:] = np.asarray(indices, dtype=np.uint8)
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # 8-bit palette
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"PLTE", PALETTE),
            _png_chunk(b"IDAT", zlib.compress(rows, level)),
            _png_chunk(b"IEND", b""),
        )
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def content_key(kind: str, facts: dict) -> str:
    """A key that changes whenever anything drawn changes: the layout's version,
    the kind of card, the language and every fact put on it."""
    payload = json.dumps(
        {
            "v": VERSION,
            "kind": kind,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "facts": facts,
        },
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def stored_png(kind: str, facts: dict, render: Callable[[], bytes]) -> tuple[str, bytes]:
    """The card for ``facts``: read from the storage if it was drawn before, else drawn
    by ``render`` and kept. Returns the content key (an ETag) and the PNG bytes."""
    key = content_key(kind, facts)
    name = f"{STORE_DIR}/{kind}/{key[:2]}/{key}.png"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return key, stored.read()
    png = render()
    default_storage.save(name, ContentFile(png))
    return key, png


def png_response(request, key: str, png: bytes, *, public: bool):
    """The card as an HTTP answer a crawler may keep: its content key as the ETag
    (304 when it has it already); cached by shared caches only when the page it
    belongs to is public."""
    from django.http import HttpResponse, HttpResponseNotModified

    etag = f'"{key}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(png, content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=3600" if public else "private, max-age=300"
    return response


OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}


def meta(
    *, title: str, description: str, image_path: str, page_path: str, kind: str = "website"
) -> dict:
    """What the head's Open Graph and Twitter tags say about a page (templates/share_meta.html):
    every address absolute, from SITE_URL, the way Facebook and Zalo need them."""
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return {
        "title": title,
        "description": description,
        "image": settings.SITE_URL + image_path,
        "url": settings.SITE_URL + page_path,
        "type": kind,
        "locale": OG_LOCALES.get(language, "vi_VN"),
        "alternate": [code for lang, code in OG_LOCALES.items() if lang != language],
        "width": CARD_SIZE[0],
        "height": CARD_SIZE[1],
    }
