"""Certificates: one per participant with a credited kilometre and per unit that met
its target, made in the background as a PDF and a PNG card, each with the code of
its verification page; downloads for their holder and the organisers only."""

import contextlib
import io
import re
import zlib

import pytest
from django.urls import reverse
from fontTools.ttLib import TTFont
from PIL import Image

from activities.models import Verdict, VerdictStatus
from activities.review import decide
from core.formatting import digits
from results import certificates, services
from results.models import Certificate, CertificateKind
from standings import services as standings


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def issued(finished, owner, people, django_capture_on_commit_callbacks):
    results = services.freeze(finished, actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_certificates(results, actor=owner)
    return results


def test_every_walker_and_every_unit_that_met_its_target_gets_a_certificate(issued, people):
    certificates = Certificate.objects.filter(results=issued)

    people_ids = {c.registration_id for c in certificates if c.kind == CertificateKind.PERSON}
    units = [c.facts["name"] for c in certificates if c.kind == CertificateKind.UNIT]
    assert people_ids == {people[key].pk for key in ("an", "binh", "chi", "dung", "anh")}
    assert units == ["Hội CTĐ CS Trường THPT Cần Đước"]
    assert all(c.made_at and c.pdf and c.png for c in certificates)


def test_the_pdf_is_an_a4_landscape_page_with_the_font_embedded(issued, people):
    certificate = Certificate.objects.get(registration=people["anh"])

    pdf = certificate.pdf.open("rb").read()

    assert pdf.startswith(b"%PDF-")
    assert re.search(rb"/MediaBox \[0 0 841\.89 595\.28\]", pdf)
    assert b"DejaVu" in pdf
    assert b"/Count 1" in pdf


def test_the_share_card_is_a_link_preview_sized_picture(issued, people):
    certificate = Certificate.objects.get(registration=people["anh"])

    image = Image.open(io.BytesIO(certificate.png.open("rb").read()))

    assert image.format == "PNG" and image.size == (1200, 630)


def test_the_certificate_carries_the_frozen_facts(issued, people):
    certificate = Certificate.objects.get(registration=people["anh"])

    assert {key: certificate.facts[key] for key in ("name", "distance_m", "rank", "of")} == {
        "name": "Lê Minh Anh",
        "distance_m": 12_345,
        "rank": 4,
        "of": 5,
    }
    assert certificate.facts["converted"] == 12_345
    assert certificate.facts["unit"] == "Hội CTĐ CS Trường THPT Cần Đước"


def test_the_verification_page_shows_the_certificates_facts(client, issued, people):
    certificate = Certificate.objects.get(registration=people["anh"])

    page = client.get(reverse("results:verify", args=[certificate.code.lower()]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Lê Minh Anh" in text and "12,3" in text and "4 / 5" in text
    assert "12.345 đ" in text
    assert "Hội CTĐ CS Trường THPT Cần Đước" in text


def test_an_unknown_code_is_not_found_and_says_so(client, db):
    page = client.get(reverse("results:verify", args=["NOPE000000"]))

    assert page.status_code == 404
    assert "NOPE000000" in page.content.decode()


def test_the_holder_and_the_organisers_may_download_others_may_not(
    client, issued, people, participant, owner, outsider, member
):
    certificate = Certificate.objects.get(registration=people["anh"])
    png = reverse("results:certificate_file", args=[certificate.code, "png"])
    pdf = reverse("results:certificate_file", args=[certificate.code, "pdf"])

    assert client.get(png).status_code == 404
    for person, expected in ((participant, 200), (owner, 200), (member, 404), (outsider, 404)):
        client.force_login(person)
        assert client.get(png).status_code == expected, person
    client.force_login(participant)
    download = client.get(pdf)
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]


def test_a_correction_remakes_changed_certificates_and_withdraws_lost_ones(
    client, issued, finished, owner, people, django_capture_on_commit_callbacks
):
    dung = Certificate.objects.get(registration=people["dung"])
    anh = Certificate.objects.get(registration=people["anh"])
    verdict = Verdict.objects.get(registration=people["dung"])
    decide(verdict, VerdictStatus.REJECTED, "Đi xe máy", actor=owner)
    standings.refresh(people["dung"].pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.correct(finished, "Hoạt động của Dũng bị từ chối", actor=owner)

    dung.refresh_from_db()
    anh.refresh_from_db()
    assert dung.revoked_at is not None
    assert anh.facts["of"] == 4 and anh.made_at is not None
    page = client.get(reverse("results:verify", args=[dung.code]))
    assert "withdrawn" in page.content.decode() or "thu hồi" in page.content.decode()


def test_the_certificate_labels_its_steps_as_estimated_without_device_steps(issued, people):
    certificate = Certificate.objects.get(registration=people["anh"])

    words = certificates.sentences(certificate, certificate.results.campaign)

    assert certificate.facts["steps_estimated"] is True
    assert (
        "bước chân (một phần ước tính)",
        digits(certificate.facts["steps"]),
    ) in words["figures"]


def test_the_verification_page_has_share_tags_with_its_card(client, issued, people, settings):
    settings.SITE_URL = "https://kindsteps.example"
    certificate = Certificate.objects.get(registration=people["anh"])

    text = client.get(reverse("results:verify", args=[certificate.code])).content.decode()

    image = re.search(r'<meta property="og:image" content="([^"]+)"', text).group(1)
    assert image.startswith(f"https://kindsteps.example/verify/{certificate.code}/card.png?v=")
    assert (
        f'<meta property="og:url" content="https://kindsteps.example/verify/{certificate.code}/">'
        in text
    )
    card = client.get(image.removeprefix("https://kindsteps.example"))
    assert card["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(card.content)).size == (1200, 630)


def test_a_withdrawn_certificate_has_no_card(client, issued, people):
    certificate = Certificate.objects.get(registration=people["anh"])
    certificate.revoked_at = certificate.made_at
    certificate.save()

    assert client.get(reverse("results:verify_card", args=[certificate.code])).status_code == 404


def _pdf_text(pdf: bytes) -> tuple[str, TTFont]:
    """The words of a PDF as a reader copies them (its fonts' ToUnicode maps applied to
    the text shown), and its embedded face."""
    to_unicode: dict[int, str] = {}
    shown: list[bytes] = []
    face = None
    # Each stream read by its /Length: compressed bytes may end in a CR or contain
    # "endstream"-like runs, so the bytes are counted, not searched for an end.
    for match in re.finditer(rb">>\s*stream\r?\n", pdf):
        lengths = re.findall(rb"/Length (\d+)", pdf[max(0, match.start() - 500) : match.start()])
        if not lengths:
            continue
        data = pdf[match.end() : match.end() + int(lengths[-1])]
        with contextlib.suppress(zlib.error):
            data = zlib.decompress(data)
        if b"beginbfchar" in data:
            for cid, text in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", data):
                to_unicode[int(cid, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
        elif data.startswith(b"\x00\x01\x00\x00"):
            face = TTFont(io.BytesIO(data))
        elif b" Tj" in data:
            shown += re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", data, re.S)
    words = []
    for literal in shown:
        raw = re.sub(rb"\\(.)", lambda m: {b"n": b"\n", b"r": b"\r"}.get(m[1], m[1]), literal)
        codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
        words.append("".join(to_unicode[code] for code in codes))
    assert face is not None
    return " ".join(words), face


def _drawn(face: TTFont, text: str) -> bool:
    """Every letter of ``text`` has an outline in the embedded face."""
    glyphs, cmap = face["glyf"], face.getBestCmap()
    return all(c == " " or glyphs[cmap[ord(c)]].numberOfContours for c in text)


def test_every_certificate_sets_its_own_names_letters_whatever_came_before(issued, people):
    certificate = Certificate.objects.get(registration=people["anh"])
    names = ["An Bình", "Đặng Thị Ỵ Ữ Ặ Ẳ Ỗ Ợ Ừ Ỷ Ỹ", "ĂÂÊÔƠƯ ăâêôơư Ẫ Ẩ Ỡ Ử Ẽ Ĩ"]

    for name in names:
        certificate.facts["name"] = name
        pdf, png = certificates.render(certificate, certificate.results)

        text, face = _pdf_text(pdf)
        assert name in text
        assert "GIẤY CHỨNG NHẬN THAM GIA" in text and f"/verify/{certificate.code}/" in text
        assert _drawn(face, name)
        assert Image.open(io.BytesIO(png)).size == (1200, 630)


def test_a_name_with_letters_beyond_vietnamese_is_set_in_the_whole_face(issued, people):
    certificate = Certificate.objects.get(registration=people["anh"])
    certificate.facts["name"] = "Ωmega Жанна Nguyễn"

    pdf, _png = certificates.render(certificate, certificate.results)

    text, face = _pdf_text(pdf)
    assert "Ωmega Жанна Nguyễn" in text
    assert _drawn(face, "Ωmega Жанна Nguyễn")


def test_a_long_campaign_title_runs_over_lines_and_keeps_every_word(issued, people):
    certificate = Certificate.objects.get(registration=people["anh"])
    title = " ".join(["Triệu bước chân nhân ái vì cộng đồng khó khăn"] * 4)
    certificate.facts["campaign_vi"] = title

    pdf, _png = certificates.render(certificate, certificate.results)

    text, _face = _pdf_text(pdf)
    assert all(word in text.split() for word in title.split())
    assert text.count("Triệu") == 4


def test_the_share_card_keeps_the_frame_red_the_page_white_and_the_code_black(issued, people):
    certificate = Certificate.objects.get(registration=people["anh"])

    card = Image.open(io.BytesIO(certificate.png.open("rb").read())).convert("RGB")

    qr = certificates.qr_picture(certificate.code)
    left, top = 1200 - qr.width - 50, 630 - qr.height - 60
    border = certificates.QR_BORDER * certificates.QR_SCALE
    assert card.getpixel((5, 5)) == card.getpixel((600, 625)) == (200, 16, 46)
    assert card.getpixel((1100, 40)) == (255, 255, 255)
    assert card.getpixel((left + border + 1, top + border + 1)) == (0, 0, 0)  # a finder
