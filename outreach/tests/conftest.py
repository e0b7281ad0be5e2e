"""Outreach fixtures: a campaign organised by Cần Đước (the ``owner``'s
district), a task from it to the units below, and real images made with
Pillow."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from campaigns.tests.factories import CampaignFactory
from kindsteps.testing.clock import NOW
from outreach import services


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def campaign(tree):
    return CampaignFactory(organiser_unit=tree["LA-CD"])


@pytest.fixture
def task(campaign, tree, owner):
    """Due in five days, from Cần Đước to its commune and its school."""
    return services.create_task(
        campaign,
        from_unit=tree["LA-CD"],
        title="Banner and launch photos",
        instructions="One banner photo and the launch.",
        deadline=NOW + timedelta(days=5),
        wants_images=2,
        actor=owner,
    )


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt, **save)
    return out.getvalue()


def jpeg(name: str = "photo.jpg", size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG", size), content_type="image/jpeg")


def png(name: str = "banner.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")
