"""The campaign the access matrix (test_access_matrix.py) is run against: organised
by Cần Đước district (the owner's unit), with a team, a participant's activity and a
rejected verdict with a complaint, a paid donation and its payment event, a
sponsor, an outreach task with a submitted photo, an upload and an API token; and an
earlier campaign of the district, finished, its results frozen and the participant's
certificate made."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from huey.contrib.djhuey import HUEY
from PIL import Image

from accounts.models import ApiToken, User
from activities import pipeline
from activities.models import Complaint, Upload, VerdictStatus
from activities.synthetic import gpx_track
from activities.tests.factories import ActivityFactory, VerdictFactory
from campaigns.tests.factories import CampaignFactory, enrol
from core.health import HEARTBEAT_KEY
from donations import services as donation_services
from donations.models import Donation, Method, PaymentEvent, Sponsor
from kindsteps.testing.clock import NOW
from orgs.models import Unit, UnitRole
from outreach import services as outreach_services
from outreach.models import SubmissionFile
from results import issuing
from results import services as results_services
from results.models import Certificate
from standings.tests.factories import walked
from teams.models import Team
from teams.tests.factories import TeamFactory
from web import sharing


@dataclass
class World:
    slug: str
    unit_code: str  # a commune inside Cần Đước: the member's unit
    team_id: int
    team_code: str
    activity_id: int
    verdict_id: int
    upload_id: int
    donation_id: int
    reference: str
    event_id: int
    sponsor_id: int
    task_id: int
    file_id: int
    token_id: int
    role_id: int  # the member's staff role on the commune
    finished_slug: str  # the earlier campaign, its results frozen
    certificate_code: str  # the participant's certificate in it
    progress_id: int  # the participant's registration in it, for their progress card
    progress_key: str
    method: str = "vnpay"
    fmt: str = "xlsx"
    certificate_fmt: str = "pdf"
    key: str = "not-a-key"
    uidb36: str = "1"
    object_id: str = "1"
    app_label: str = "orgs"


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile("banner.jpg", out.getvalue(), content_type="image/jpeg")


def build_world(tree: dict[str, Unit], owner: User, participant: User) -> World:
    # A healthy node: no stale queue heartbeat left by an earlier test in this process
    # (huey's store outlives a test), so /healthz answers 200.
    HUEY.get(HEARTBEAT_KEY)
    district, commune = tree["LA-CD"], tree["LA-CD-LTR"]
    campaign = CampaignFactory(organiser_unit=district, slug="cd-walk")
    team: Team = TeamFactory(campaign=campaign, captain=participant, name="Đội Long Trạch")
    enrol(campaign, participant, team)
    activity = ActivityFactory(user=participant)
    verdict = VerdictFactory(
        campaign=campaign, activity=activity, status=VerdictStatus.REJECTED, credited_m=0
    )
    Complaint.objects.create(verdict=verdict, user=participant, text="Tôi đi bộ thật mà.")
    upload: Upload = pipeline.receive(
        participant, gpx_track(NOW - timedelta(hours=2), 1, 600), "walk.gpx", process=False
    )
    payment = donation_services.settings_for(campaign)
    payment.methods = [Method.VIETQR, Method.VNPAY, Method.CASH]
    payment.bank_bin, payment.bank_account = "970405", "6300205123456"
    payment.bank_name, payment.bank_account_name = "Agribank Cần Đước", "HOI CTD CAN DUOC"
    payment.save()
    donation: Donation = donation_services.create_donation(
        campaign, amount=200_000, method=Method.VNPAY, donor_name="Trần Thị Bình"
    )
    donation_services.confirm_paid(
        donation.reference, method=Method.VNPAY, amount=200_000, provider_ref="T1", kind="ipn"
    )
    event = PaymentEvent.objects.filter(donation=donation).first()
    assert event is not None
    sponsor = Sponsor.objects.create(campaign=campaign, name="Nhà thuốc", vnd_per_km=1000)
    task = outreach_services.create_task(
        campaign,
        from_unit=district,
        title="Băng rôn",
        instructions="Một ảnh băng rôn.",
        deadline=NOW + timedelta(days=5),
        wants_images=1,
        actor=owner,
    )
    outreach_services.submit(task, commune, images=[_jpeg()], files=[], actor=owner)
    file = SubmissionFile.objects.get()
    token, _raw = ApiToken.issue(participant, "Recorder")
    certificate = _finished_with_results(district, tree["LA-CD-THPT"], owner, participant)
    return World(
        slug=campaign.slug,
        unit_code=commune.code,
        team_id=team.pk,
        team_code=team.invite_code,
        activity_id=activity.pk,
        verdict_id=verdict.pk,
        upload_id=upload.pk,
        donation_id=donation.pk,
        reference=donation.reference,
        event_id=event.pk,
        sponsor_id=sponsor.pk,
        task_id=task.pk,
        file_id=file.pk,
        token_id=token.pk,
        role_id=UnitRole.objects.filter(unit=commune).values_list("pk", flat=True).first() or 0,
        finished_slug=certificate.results.campaign.slug,
        certificate_code=certificate.code,
        progress_id=certificate.registration_id,
        progress_key=sharing.progress_key(certificate.registration),
    )


def _finished_with_results(
    district: Unit, school: Unit, owner: User, participant: User
) -> Certificate:
    """Last year's walk of the district: ended a month ago, the participant walked
    5 km in it for their home unit (the high school, not the member's commune), the
    organiser froze the results and the certificates were made."""
    finished = CampaignFactory(
        organiser_unit=district,
        slug="cd-walk-2025",
        starts_at=NOW - timedelta(days=60),
        ends_at=NOW - timedelta(days=30),
    )
    walked(
        finished,
        5_000,
        user=participant,
        unit=school,
        started_at=finished.ends_at - timedelta(days=2),
    )
    results = results_services.freeze(finished, actor=owner)
    issuing.make(issuing.plan(results))
    return Certificate.objects.get(results=results, registration__user=participant)
