"""Checks and conversion of what unit staff upload from a phone.

Images are decoded (a file that only claims to be a picture is refused),
turned upright from their EXIF orientation, shrunk to at most ``MAX_EDGE``
pixels on the long edge and saved again without metadata (no GPS position,
no camera serial), with a ``THUMB_EDGE`` thumbnail. Documents are recognised
by their first bytes, never by their name or the browser's word."""

import io
import zipfile
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError

MAX_IMAGE_BYTES = 20 * 1024 * 1024  # phone photos are 3–8 MB
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a 50-megapixel phone photo, not a decompression bomb
MAX_EDGE = 2000
THUMB_EDGE = 400
JPEG_QUALITY = 85
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}


class FileRefused(DomainError):
    """One uploaded file that cannot be kept; ``message`` says why in plain words."""


@dataclass
class StoredImage:
    content: bytes
    thumbnail: bytes
    extension: str  # "jpg" or "png"
    content_type: str
    width: int
    height: int


@dataclass
class StoredDocument:
    extension: str  # "pdf", "docx", "xlsx"
    content_type: str


def _megabytes(limit: int) -> int:
    return limit // (1024 * 1024)


def process_image(upload: UploadedFile) -> StoredImage:
    if upload.size and upload.size > MAX_IMAGE_BYTES:
        raise FileRefused(
            _("This picture is larger than %(mb)s MB.") % {"mb": _megabytes(MAX_IMAGE_BYTES)},
            code="image_too_large",
        )
    upload.seek(0)
    try:
        image = Image.open(upload)
        if image.format not in IMAGE_FORMATS:
            raise FileRefused(
                _("This kind of picture is not accepted; send a JPEG or PNG photo."),
                code="image_format",
            )
        if image.width * image.height > MAX_PIXELS:
            raise FileRefused(_("This picture has too many pixels."), code="image_too_many_pixels")
        image.load()  # decodes every pixel: a truncated or fake file fails here
    except FileRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise FileRefused(
            _("This file is not a picture we can read."), code="not_an_image"
        ) from None
    # Banners with text and transparent logos stay PNG; photos become JPEG.
    keep_png = image.format == "PNG" or _has_alpha(image)
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    thumb = image.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    if keep_png:
        content = _save(image, "PNG", optimize=True)
        extension, content_type = "png", "image/png"
    else:
        content = _save(_flatten(image), "JPEG", quality=JPEG_QUALITY, optimize=True)
        extension, content_type = "jpg", "image/jpeg"
    return StoredImage(
        content=content,
        thumbnail=_save(_flatten(thumb), "JPEG", quality=80),
        extension=extension,
        content_type=content_type,
        width=image.width,
        height=image.height,
    )


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: JPEG has no transparency."""
    if image.mode == "RGB":
        return image
    if _has_alpha(image):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    # Nothing from the original's info (EXIF, XMP, ICC, text chunks) is passed on.
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def check_document(upload: UploadedFile) -> StoredDocument:
    """A PDF, Word (.docx) or Excel (.xlsx) file, recognised by its content."""
    if upload.size and upload.size > MAX_FILE_BYTES:
        raise FileRefused(
            _("This file is larger than %(mb)s MB.") % {"mb": _megabytes(MAX_FILE_BYTES)},
            code="file_too_large",
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    extension = None
    if head.startswith(b"%PDF-"):
        extension = "pdf"
    elif head.startswith(b"PK\x03\x04"):
        extension = _office_kind(upload)
    upload.seek(0)
    if extension is None:
        raise FileRefused(
            _("Only PDF, Word (.docx) and Excel (.xlsx) files are accepted."),
            code="file_type",
        )
    return StoredDocument(extension=extension, content_type=DOCUMENT_TYPES[extension])


def _office_kind(upload: UploadedFile) -> str | None:
    # Only the list of names is read; nothing is decompressed.
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None
