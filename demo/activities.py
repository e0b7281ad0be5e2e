"""Walks and runs for the demo campaigns, sent through the real pipeline (files
stored, parsed and judged), with a few that a reviewer has to look at."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from activities import pipeline, review
from activities.models import Activity, Source, Verdict, VerdictStatus
from activities.synthetic import gpx_track
from campaigns.models import Campaign, Registration

# Around Cần Đước, Long An.
HOME = (10.5065, 106.6007)
SPORT_NAMES = {"walk": "walking", "run": "running"}


def _place(rng: random.Random) -> tuple[float, float]:
    return HOME[0] + rng.uniform(-0.05, 0.05), HOME[1] + rng.uniform(-0.05, 0.05)


def _upload(user: User, data: bytes, name: str, received_at: datetime) -> list[Activity]:
    upload = pipeline.receive(
        user, data, name, source=Source.WEB, received_at=received_at, process=False
    )
    upload = pipeline.process_upload(upload.pk)
    ids = [pk for result in upload.results for pk in result["activities"]]
    return list(Activity.objects.filter(pk__in=ids))


def _effort(
    rng: random.Random,
    user: User,
    start: datetime,
    *,
    sport: str | None = None,
    km: float | None = None,
    pace: float | None = None,
    late: bool = False,
    **shape,
) -> list[Activity]:
    sport = sport or ("run" if rng.random() < 0.35 else "walk")
    if km is None:
        km = round(rng.uniform(3, 9) if sport == "run" else rng.uniform(1.5, 6), 2)
    if pace is None:
        pace = rng.uniform(330, 480) if sport == "run" else rng.uniform(600, 840)
    lat, lon = _place(rng)
    data = gpx_track(
        start,
        km,
        pace,
        sport=SPORT_NAMES[sport],
        lat=lat,
        lon=lon,
        heading_deg=rng.uniform(0, 360),
        loop_km=rng.uniform(1.2, 3.5),
        step_s=10,
        **shape,
    )
    end = start + timedelta(seconds=km * pace)
    received = end + (timedelta(days=5) if late else timedelta(minutes=rng.randint(5, 600)))
    return _upload(user, data, f"{start:%Y-%m-%d-%H%M}-{sport}.gpx", received)


def _morning(rng: random.Random, day: datetime) -> datetime:
    hour = rng.choice([5, 5, 6, 6, 17, 18, 19])
    return day.replace(hour=hour, minute=rng.randint(0, 59), second=0, microsecond=0)


def seed_campaign_activities(campaign: Campaign, *, per_person: tuple[int, int], seed: int) -> int:
    """A few activities per registration, between registering and the end (or now)."""
    rng = random.Random(seed)
    tz = campaign.tz
    last = min(campaign.ends_at, timezone.now() - timedelta(hours=2))
    made = 0
    registrations = campaign.registrations.select_related("user").order_by("bib")
    for registration in registrations:
        first = max(registration.registered_at, campaign.starts_at) + timedelta(hours=1)
        days = (last - first).days
        if days < 1:
            continue
        for _ in range(rng.randint(*per_person)):
            day = (first + timedelta(days=rng.randint(0, days - 1))).astimezone(tz)
            start = _morning(rng, day)
            if start < first or start > last - timedelta(hours=2):
                continue
            made += len(_effort(rng, registration.user, start))
    return made


def seed_review_cases(campaign: Campaign, reviewer: User, *, seed: int) -> None:
    """Activities a reviewer must decide or a participant contested: a lost GPS fix,
    a stretch on a motorbike, a run too fast to be true (with a complaint)."""
    rng = random.Random(seed)
    tz = campaign.tz
    registrations = list(campaign.registrations.select_related("user").order_by("bib")[:6])
    last = min(campaign.ends_at, timezone.now() - timedelta(hours=3)).astimezone(tz)
    cases = [
        {"sport": "walk", "km": 4.2, "pace": 690, "jump_after_s": 900},
        {"sport": "walk", "km": 7.0, "pace": 700, "parts": [(3.2, 700), (0.6, 90), (3.2, 700)]},
        {"sport": "run", "km": 5.0, "pace": 200},
        {"sport": "walk", "km": 3.5, "pace": 720, "late": True},
    ]
    for registration, case in zip(registrations, cases, strict=False):
        start = _morning(rng, max(registration.registered_at.astimezone(tz), last - timedelta(2)))
        if start > last:
            start -= timedelta(days=1)
        if start < registration.registered_at:
            continue
        _effort(rng, registration.user, start, **case)
    # The too-fast run: its runner complains, once.
    rejected = Verdict.objects.filter(
        campaign=campaign, status=VerdictStatus.REJECTED, complaint__isnull=True
    ).select_related("activity__user")
    for verdict in [v for v in rejected if "pace_too_fast" in v.codes][:1]:
        review.complain(
            verdict,
            "Em chạy thật trên đường đê, đồng hồ bị lỗi GPS nên tốc độ sai. "
            "Mong ban tổ chức xem lại.",
            user=verdict.activity.user,
        )


def seed_participant(user: User, campaign: Campaign, *, seed: int) -> None:
    """The demo participant's own walks in the 2024 campaign."""
    registration = Registration.objects.filter(campaign=campaign, user=user).first()
    if registration is None:
        return
    rng = random.Random(seed)
    tz = campaign.tz
    first = registration.registered_at.astimezone(tz) + timedelta(days=1)
    for offset in range(0, 40, 4):
        start = _morning(rng, first + timedelta(days=offset))
        if start < campaign.ends_at:
            _effort(rng, user, start, sport="walk" if offset % 8 else "run")
    _effort(rng, user, _morning(rng, first + timedelta(days=2)), sport="run", km=4, pace=195)


def seed_plan(participant: User) -> int:
    """The 2024 campaign's activities, once (before anyone joins a later campaign)."""
    from demo.campaigns import PLAN_SLUG

    plan = Campaign.objects.get(slug=PLAN_SLUG)
    if Verdict.objects.filter(campaign=plan).exists():
        return 0
    made = seed_campaign_activities(plan, per_person=(0, 6), seed=2024)
    seed_participant(participant, plan, seed=7)
    return made


def seed_open(reviewer: User) -> int:
    """This week's activities of the open campaign, with cases waiting for review, once."""
    from demo.campaigns import OPEN_SLUG

    tet = Campaign.objects.get(slug=OPEN_SLUG)
    if Verdict.objects.filter(campaign=tet).exists():
        return 0
    made = seed_campaign_activities(tet, per_person=(1, 4), seed=2026)
    seed_review_cases(tet, reviewer, seed=11)
    return made
