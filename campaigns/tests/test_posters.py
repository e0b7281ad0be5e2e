"""Unit posters: A4 PDF and PNG with the campaign, the unit, the dates and a QR
code of the unit's invite link; who may download them."""

import io
import re
import unicodedata
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from PIL import Image

from campaigns import posters
from campaigns.models import Visibility
from campaigns.services import invite_url
from campaigns.tests.factories import CampaignFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def campaign(tree):
    return CampaignFactory(
        slug="trieu-buoc-chan-nhan-ai-2024",
        title_vi="Triệu bước chân nhân ái 2024",
        title_en="A Million Steps of Compassion 2024",
        organiser_unit=tree["LA-CD"],
        starts_at=datetime(2024, 2, 25, 8, tzinfo=VN),
        ends_at=datetime(2024, 4, 22, 0, tzinfo=VN),
        registration_opens_at=datetime(2024, 2, 20, tzinfo=VN),
        registration_closes_at=datetime(2024, 4, 22, tzinfo=VN),
    )


# --- A small PDF text extractor for fpdf2's output ---------------------------
# fpdf2 writes text in an embedded, subset TrueType font with two-byte glyph
# codes; each font carries a ToUnicode CMap from those codes back to Unicode.
# Decoding the page's Tj strings through that map is what a PDF reader does
# when it copies text, so a correct round trip proves the letters are right.


def _pdf_objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    objects = {}
    pos = 0
    header = re.compile(rb"(\d+) 0 obj")
    while (match := header.search(data, pos)) is not None:
        endobj = data.find(b"endobj", match.end())
        stream_at = data.find(b"stream", match.end())
        if 0 <= stream_at < endobj:
            head = data[match.end() : stream_at]
            length = int(re.search(rb"/Length (\d+)", head).group(1))
            start = stream_at + len(b"stream")
            start += 2 if data[start : start + 2] == b"\r\n" else 1
            body = data[start : start + length]
            if b"/FlateDecode" in head:
                body = zlib.decompress(body)
            objects[int(match.group(1))] = (head, body)
            pos = data.find(b"endobj", start + length) + len(b"endobj")
        else:
            objects[int(match.group(1))] = (data[match.end() : endobj], None)
            pos = endobj + len(b"endobj")
    return objects


def _unescape(literal: bytes) -> bytes:
    out = bytearray()
    i = 0
    escapes = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while i < len(literal):
        byte = literal[i]
        if byte == 0x5C:  # backslash
            i += 1
            nxt = literal[i]
            if nxt in escapes:
                out.append(escapes[nxt])
            elif 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", literal[i : i + 3]).group(0)
                out.append(int(digits, 8))
                i += len(digits) - 1
            else:
                out.append(nxt)
        else:
            out.append(byte)
        i += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    objects = _pdf_objects(data)
    cmaps: dict[bytes, dict[int, str]] = {}
    for head, _body in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", head):
            font_head = objects[int(ref)][0]
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font_head)
            if to_unicode:
                cmap = objects[int(to_unicode.group(1))][1].decode("latin-1")
                cmaps[name] = {
                    int(code, 16): chr(int(uni, 16))
                    for code, uni in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4,8})>", cmap)
                }
    lines = []
    for _head, body in objects.values():
        if body is None or b" Tj" not in body:
            continue
        font = None
        for token in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", body, re.S):
            if token.group(1):
                font = token.group(1)
                continue
            raw = _unescape(token.group(2))
            codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
            lines.append("".join(cmaps[font][code] for code in codes))
    # Wrapped lines read as one text, as when copying from a reader.
    return " ".join(lines)


# --- The PDF -------------------------------------------------------------------


def test_pdf_poster_carries_title_unit_dates_link_in_correct_vietnamese(campaign, tree):
    unit = tree["LA-CD-THPT"]
    url = invite_url(campaign, unit)
    with translation.override("en"):
        data = posters.poster_pdf(campaign, unit, url)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Hội CTĐ CS Trường THPT Cần Đước" in text  # ộ, Đ, ư, ờ, ầ, ớ
    assert "Huyện hội Cần Đước" in text
    assert "A Million Steps of Compassion 2024" in text
    assert "From 25/02/2024 to 21/04/2024" in text  # ends at 24:00 on the 21st
    assert "Scan to join" in text
    assert url in text


def test_pdf_poster_in_vietnamese_has_the_vietnamese_title(campaign, tree):
    with translation.override("vi"):
        data = posters.poster_pdf(campaign, tree["LA-CD-LTR"], "https://x.example/c/a/u/b/")
    text = pdf_text(data)
    assert "Triệu bước chân nhân ái 2024" in text
    assert "Hội CTĐ CS xã Long Trạch" in text


def test_pdf_poster_embeds_dejavu_and_is_a4_portrait(campaign, tree):
    data = posters.poster_pdf(campaign, tree["LA-CD-LTR"], "https://x.example/")
    assert b"/FontFile2" in data  # the TrueType font itself travels with the file
    assert b"DejaVuSans" in data
    assert b"/MediaBox [0 0 595.28 841.89]" in data  # A4 in points


def test_decomposed_vietnamese_is_printed_precomposed(campaign, tree):
    unit = tree["LA-CD-LTR"]
    unit.name = unicodedata.normalize("NFD", "Hội CTĐ xã Mỹ Lệ")  # as some keyboards type it
    text = pdf_text(posters.poster_pdf(campaign, unit, "https://x.example/"))
    assert unicodedata.normalize("NFC", "Hội CTĐ xã Mỹ Lệ") in text


# --- The PNG -------------------------------------------------------------------


def test_png_poster_is_a4_at_150_dpi(campaign, tree):
    data = posters.poster_png(campaign, tree["LA-CD-LTR"], invite_url(campaign, tree["LA-CD-LTR"]))
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (1240, 1754)


def test_png_qr_code_holds_exactly_the_units_invite_link(campaign, tree):
    # No QR decoder is installed, so the test reads the QR back module by module
    # and compares it with the symbol segno makes for the invite link alone.
    url = invite_url(campaign, tree["LA-CD-THPT"])
    assert url == f"{settings.SITE_URL}/c/trieu-buoc-chan-nhan-ai-2024/u/LA-CD-THPT/"
    image, box = posters.render_png(campaign, tree["LA-CD-THPT"], url)
    gray = image.convert("L")
    expected = segno.make_qr(url, error="m", boost_error=False).matrix
    assert box.modules == len(expected)
    assert box.module_px >= 8  # big enough to scan from across a room
    half = box.module_px // 2
    seen = [
        [
            gray.getpixel(
                (box.left + col * box.module_px + half, box.top + row * box.module_px + half)
            )
            < 128
            for col in range(box.modules)
        ]
        for row in range(box.modules)
    ]
    assert seen == [[bool(cell) for cell in row] for row in expected]
    # A quiet zone of four white modules around the symbol.
    quiet = 4 * box.module_px
    for x in range(box.left - quiet, box.left, 2):
        assert gray.getpixel((x, box.top + half)) > 200


def test_png_poster_is_drawn_in_red_cross_red(campaign, tree):
    image, _box = posters.render_png(campaign, tree["LA-CD-LTR"], "https://x.example/")
    assert image.getpixel((5, 5)) == posters.RED  # the header band
    assert image.getpixel((5, 1750)) == posters.RED  # the footer band


# --- Downloads and who may get them -------------------------------------------


def poster_url(campaign, code: str, kind: str = "pdf") -> str:
    return reverse(f"campaigns:poster_{kind}", args=[campaign.slug, code])


def test_anyone_may_download_a_public_campaigns_posters(client, campaign):
    pdf = client.get(poster_url(campaign, "LA-CD-LTR"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert 'filename="trieu-buoc-chan-nhan-ai-2024-la-cd-ltr.pdf"' in pdf["Content-Disposition"]
    png = client.get(poster_url(campaign, "LA-CD-LTR", "png"))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size == (1240, 1754)


def test_poster_for_a_unit_outside_the_organisers_subtree_is_not_found(client, campaign):
    assert client.get(poster_url(campaign, "LA-CG-PL")).status_code == 404
    assert client.get(poster_url(campaign, "LA-CG-PL", "png")).status_code == 404
    assert client.get(poster_url(campaign, "NO-SUCH-UNIT")).status_code == 404


@pytest.fixture
def private_campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD"], visibility=Visibility.PRIVATE)


def test_private_campaign_posters_are_for_its_organisers(client, private_campaign, owner):
    client.force_login(owner)
    response = client.get(poster_url(private_campaign, "LA-CD-LTR"))
    assert response.status_code == 200
    assert client.get(poster_url(private_campaign, "LA-CD-THPT", "png")).status_code == 200


def test_private_campaign_qr_code_carries_its_invite_code(private_campaign, tree):
    url = invite_url(private_campaign, tree["LA-CD-LTR"])
    assert url.endswith(f"/u/LA-CD-LTR/?code={private_campaign.invite_code}")


def test_a_units_staff_may_print_their_own_units_private_poster(client, private_campaign, member):
    client.force_login(member)  # staff of Long Trạch, inside the organiser's district
    assert client.get(poster_url(private_campaign, "LA-CD-LTR")).status_code == 200
    assert client.get(poster_url(private_campaign, "LA-CD-THPT")).status_code == 404


def test_outsiders_and_visitors_get_no_private_posters(
    client, private_campaign, outsider, participant
):
    assert client.get(poster_url(private_campaign, "LA-CD-LTR")).status_code == 404
    for person in (outsider, participant):
        client.force_login(person)
        assert client.get(poster_url(private_campaign, "LA-CD-LTR")).status_code == 404
        assert client.get(poster_url(private_campaign, "LA-CD-LTR", "png")).status_code == 404


class _RecordingCanvas(posters._PdfCanvas):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[tuple[float, float]] = []

    def text(self, x, baseline, text, size_pt, bold, color) -> None:
        self.texts.append((x, x + self.width(text, size_pt, bold)))
        super().text(x, baseline, text, size_pt, bold, color)


def test_long_titles_unit_names_and_links_stay_inside_the_page(campaign, tree):
    campaign.title_vi = "Chiến dịch vận động hiến máu và đi bộ vì người nghèo " * 4
    unit = tree["LA-CD-LTR"]
    unit.name = "Hội Chữ thập đỏ cơ sở Trường Trung học phổ thông chuyên " * 3
    canvas = _RecordingCanvas()
    with translation.override("vi"):
        posters._draw(canvas, campaign, unit, "https://kindsteps.example.vn/" + "x" * 150)
    assert canvas.texts
    for left, right in canvas.texts:
        assert left >= 0 and right <= posters.PAGE_W_MM
