"""images.py: what a phone sends is decoded, turned upright, shrunk, stripped
of metadata; documents are recognised by their content."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from outreach import images
from outreach.images import FileRefused, check_document, process_image

from .conftest import image_bytes

ORIENTATION = 0x0112
MAKE = 0x010F
GPS_IFD = 0x8825


def phone_photo(size=(300, 200), orientation=6) -> SimpleUploadedFile:
    """A JPEG as a phone writes it: pixels stored sideways, an EXIF
    orientation telling viewers to turn it, the camera make and a GPS block."""
    picture = Image.new("RGB", size, (20, 120, 200))
    picture.paste((250, 250, 0), (0, 0, 50, 50))  # a yellow corner to follow
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "CheapPhone"
    exif.get_ifd(GPS_IFD)[2] = (10.0, 40.0, 0.0)
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif, quality=90)
    return SimpleUploadedFile("IMG_0001.jpg", out.getvalue(), content_type="image/jpeg")


def test_turns_a_sideways_phone_photo_upright_from_its_exif_orientation():
    result = process_image(phone_photo(size=(300, 200), orientation=6))

    stored = Image.open(io.BytesIO(result.content))
    assert stored.format == "JPEG"
    assert (result.width, result.height) == (200, 300) == stored.size


def test_removes_exif_camera_and_gps_metadata():
    result = process_image(phone_photo())

    stored = Image.open(io.BytesIO(result.content))
    assert len(stored.getexif()) == 0
    assert "exif" not in stored.info
    thumb = Image.open(io.BytesIO(result.thumbnail))
    assert len(thumb.getexif()) == 0


def test_shrinks_a_large_photo_to_the_maximum_edge_and_makes_a_small_thumbnail():
    upload = SimpleUploadedFile("big.jpg", image_bytes("JPEG", (4000, 3000)))

    result = process_image(upload)

    assert (result.width, result.height) == (images.MAX_EDGE, 1500)
    thumb = Image.open(io.BytesIO(result.thumbnail))
    assert thumb.format == "JPEG"
    assert max(thumb.size) == images.THUMB_EDGE


def test_keeps_a_png_banner_as_png():
    upload = SimpleUploadedFile("banner.png", image_bytes("PNG", (800, 200)))

    result = process_image(upload)

    assert (result.extension, result.content_type) == ("png", "image/png")
    assert Image.open(io.BytesIO(result.content)).format == "PNG"


def test_refuses_a_text_file_named_like_a_photo():
    upload = SimpleUploadedFile("photo.jpg", b"this is not a picture at all", "image/jpeg")

    with pytest.raises(FileRefused) as caught:
        process_image(upload)

    assert caught.value.code == "not_an_image"


def test_refuses_a_truncated_jpeg():
    whole = image_bytes("JPEG", (400, 300))
    upload = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2], "image/jpeg")

    with pytest.raises(FileRefused) as caught:
        process_image(upload)

    assert caught.value.code == "not_an_image"


def test_refuses_a_picture_over_the_size_limit(monkeypatch):
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 100)

    with pytest.raises(FileRefused) as caught:
        process_image(SimpleUploadedFile("big.jpg", image_bytes("JPEG", (200, 200))))

    assert caught.value.code == "image_too_large"


def test_refuses_a_picture_with_too_many_pixels(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)

    with pytest.raises(FileRefused) as caught:
        process_image(SimpleUploadedFile("wide.png", image_bytes("PNG", (100, 100))))

    assert caught.value.code == "image_too_many_pixels"


def office_file(main_part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("report.pdf", b"%PDF-1.7\n%%EOF\n", "pdf"),
        ("letter.docx", office_file("word/document.xml"), "docx"),
        ("list.xlsx", office_file("xl/workbook.xml"), "xlsx"),
        # The name does not matter; the content does.
        ("scan.bin", b"%PDF-1.4\n%%EOF\n", "pdf"),
    ],
)
def test_recognises_pdf_word_and_excel_by_their_content(name, content, extension):
    assert check_document(SimpleUploadedFile(name, content)).extension == extension


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"MZ\x90\x00 a program"),
        ("archive.docx", office_file("something/else.xml")),
        ("broken.xlsx", b"PK\x03\x04 not really a zip"),
        ("photo.pdf", image_bytes("JPEG")),
    ],
)
def test_refuses_other_files_whatever_their_name(name, content):
    with pytest.raises(FileRefused) as caught:
        check_document(SimpleUploadedFile(name, content))

    assert caught.value.code == "file_type"


def test_refuses_a_document_over_the_size_limit(monkeypatch):
    monkeypatch.setattr(images, "MAX_FILE_BYTES", 10)

    with pytest.raises(FileRefused) as caught:
        check_document(SimpleUploadedFile("report.pdf", b"%PDF-1.7\n" + b"x" * 100))

    assert caught.value.code == "file_too_large"
