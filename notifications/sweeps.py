"""Looking for what happened, and telling the people it concerns
(docs/decisions/0040-notifications-by-sweeps.md).

Nothing below notifications calls it: each sweep reads the lower apps' own records
(verdicts judged, campaigns started or closing, days recorded, results frozen,
certificates made) since its last look, with an hour's overlap so a row committed
late is not missed, and hands the events to ``services.deliver``, which keeps each
one once per person. Each sweep is safe to run twice or at once."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Verdict, VerdictStatus
from campaigns.models import Campaign, Registration, RegistrationStatus
from dashboards import data
from notifications import kinds
from notifications.models import SweepMark
from notifications.services import Event, deliver
from results.models import Certificate, CertificateKind, Line, LineKind, Results
from standings import queries
from standings.models import PersonDay, Standing

OVERLAP = timedelta(hours=1)
FIRST_LOOK = timedelta(days=1)


def _since(name: str, now: datetime) -> datetime:
    mark = SweepMark.objects.filter(name=name).values_list("until", flat=True).first()
    return (mark - OVERLAP) if mark else now - FIRST_LOOK


def _advance(name: str, now: datetime) -> None:
    SweepMark.objects.update_or_create(name=name, defaults={"until": now})


def participants(campaign: Campaign):
    """Active registrations of people who can still be told."""
    return Registration.objects.filter(
        campaign=campaign,
        status=RegistrationStatus.ACTIVE,
        user__is_active=True,
        user__deleted_at__isnull=True,
    )


def _campaign_link(campaign: Campaign) -> str:
    return reverse("campaigns:detail", args=[campaign.slug])


# ------------------------------------------------------------------ verdicts


def verdicts(now: datetime | None = None) -> int:
    """An activity rejected or held for review by the pipeline, with its reasons. An
    organiser's own decision is told by activities.review (a notice) instead."""
    now = now or timezone.now()
    since = _since("verdicts", now)
    found = (
        Verdict.objects.filter(
            status__in=[VerdictStatus.REJECTED, VerdictStatus.FLAGGED],
            judged_at__gt=since,
            judged_at__lte=now,
            decided_at__isnull=True,
            registration__status=RegistrationStatus.ACTIVE,
            activity__user__is_active=True,
            activity__user__deleted_at__isnull=True,
        )
        .select_related("activity", "campaign")
        .order_by("pk")
    )

    def events() -> Iterator[Event]:
        for verdict in found.iterator(chunk_size=1000):
            activity, campaign = verdict.activity, verdict.campaign
            yield Event(
                user_id=activity.user_id,
                kind=kinds.VERDICT,
                key=f"{verdict.pk}:{verdict.status}",
                campaign_id=campaign.pk,
                params={
                    "status": verdict.status,
                    "day": campaign.local(activity.started_at).date().isoformat(),
                    "distance_m": activity.distance_m,
                    "reasons": verdict.reasons,
                },
                link=reverse("activities:detail", args=[activity.pk]),
            )

    told = deliver(events(), now=now)
    _advance("verdicts", now)
    return told


# ------------------------------------------------------------------ campaigns


def campaign_starts(now: datetime | None = None) -> int:
    """Everyone registered when a campaign opens."""
    now = now or timezone.now()
    since = _since("campaign_starts", now)
    told = 0
    for campaign in Campaign.objects.filter(starts_at__gt=since, starts_at__lte=now):
        params = {"ends_at": campaign.ends_at.isoformat()}
        told += deliver(
            (
                Event(
                    user_id,
                    kinds.CAMPAIGN_START,
                    str(campaign.pk),
                    campaign.pk,
                    params,
                    _campaign_link(campaign),
                )
                for user_id in participants(campaign).values_list("user_id", flat=True)
            ),
            now=now,
        )
    _advance("campaign_starts", now)
    return told


def last_days(now: datetime | None = None) -> int:
    """Once, ``NOTIFICATIONS_LAST_DAYS`` days before a campaign closes."""
    now = now or timezone.now()
    before = timedelta(days=settings.NOTIFICATIONS_LAST_DAYS)
    told = 0
    for campaign in Campaign.objects.filter(ends_at__gt=now, ends_at__lte=now + before):
        days = max(1, math.ceil((campaign.ends_at - now) / timedelta(days=1)))
        params = {"ends_at": campaign.ends_at.isoformat(), "days": days}
        told += deliver(
            (
                Event(
                    user_id,
                    kinds.LAST_DAYS,
                    str(campaign.pk),
                    campaign.pk,
                    params,
                    _campaign_link(campaign),
                )
                for user_id in participants(campaign).values_list("user_id", flat=True)
            ),
            now=now,
        )
    return told


# ------------------------------------------------------------------ the sync reminder


def yesterdays_deadline(campaign: Campaign, now: datetime) -> tuple | None:
    """(yesterday, the moment an activity of yesterday must reach us by), or None
    when yesterday was not a campaign day or its deadline has passed. An activity
    must arrive within the sync window of its end, and before the close's grace
    runs out (campaigns/rules.py, activities/rules.py)."""
    yesterday = data.today(campaign, now) - timedelta(days=1)
    if yesterday < campaign.local(campaign.starts_at).date() or yesterday > data.last_day(campaign):
        return None
    rules = campaign.effective_rules
    deadline = min(
        data.end_of(campaign, yesterday) + timedelta(hours=rules["sync_window_hours"]),
        campaign.ends_at + timedelta(hours=rules["close_grace_hours"]),
    )
    if now >= deadline:
        return None
    return yesterday, deadline


def sync_reminders(now: datetime | None = None) -> int:
    """ "Your activity of yesterday hasn't arrived": for people who recorded on most of
    the week before (``NOTIFICATIONS_SYNC_MIN_DAYS`` of its 7 days, the day before
    yesterday among them) but of whom nothing of yesterday has reached us, while
    there is still time. A lapse is told once: the next day, the day before
    yesterday is empty too."""
    now = now or timezone.now()
    told = 0
    campaigns = Campaign.objects.filter(starts_at__lt=now, ends_at__gt=now - timedelta(days=2))
    for campaign in campaigns:
        found = yesterdays_deadline(campaign, now)
        if found is None:
            continue
        yesterday, deadline = found
        before = yesterday - timedelta(days=1)
        regular = (
            PersonDay.objects.filter(
                campaign=campaign,
                day__gte=yesterday - timedelta(days=7),
                day__lte=before,
                distance_m__gt=0,
            )
            .values("registration_id")
            .annotate(days=Count("id"), last=Max("day"))
            .filter(days__gte=settings.NOTIFICATIONS_SYNC_MIN_DAYS, last=before)
            .values("registration_id")
        )
        arrived = PersonDay.objects.filter(campaign=campaign, day=yesterday).values(
            "registration_id"
        )
        people = set(
            participants(campaign)
            .filter(pk__in=regular)
            .exclude(pk__in=arrived)
            .values_list("user_id", flat=True)
        )
        # Something of yesterday that came but did not count (rejected, held) has arrived.
        start = data.end_of(campaign, yesterday - timedelta(days=1))
        people -= set(
            Activity.objects.filter(
                user_id__in=people, started_at__gte=start, started_at__lt=start + timedelta(days=1)
            ).values_list("user_id", flat=True)
        )
        params = {"day": yesterday.isoformat(), "deadline": deadline.isoformat()}
        key = f"{campaign.pk}:{yesterday.isoformat()}"
        link = reverse("activities:upload")
        told += deliver(
            (Event(u, kinds.SYNC_REMINDER, key, campaign.pk, params, link) for u in sorted(people)),
            now=now,
        )
    return told


# ------------------------------------------------------------------ the weekly digest


def digests(now: datetime | None = None) -> int:
    """Each participant of a running campaign: their km, rank, team, and their unit
    against its target, read through the standings' and dashboards' own queries."""
    now = now or timezone.now()
    told = 0
    for campaign in Campaign.objects.filter(starts_at__lte=now, ends_at__gt=now).select_related(
        "organiser_unit"
    ):
        today = data.today(campaign, now)
        year, week, _ = today.isocalendar()
        key = f"{campaign.pk}:{year}-W{week:02d}"
        of = queries.campaign_figures(campaign).participants
        units = {
            f.unit.pk: f
            for f in data.subtree_figures(campaign, campaign.organiser_unit, today, now=now)
        }
        lines = {
            s.registration_id: s
            for s in Standing.objects.filter(campaign=campaign, is_active=True).only(
                "registration_id", "distance_m"
            )
        }
        week_m = dict(
            PersonDay.objects.filter(
                campaign=campaign, day__gt=today - timedelta(days=7), day__lte=today
            )
            .values("registration_id")
            .annotate(m=Sum("distance_m"))
            .order_by()
            .values_list("registration_id", "m")
        )
        # Competition ranks from the lines already read (1 + how many walked more, as
        # standings.queries.rank_of_distance counts), not a query per distance.
        ascending = sorted(line.distance_m for line in lines.values())

        def rank(metres: int, ascending=ascending) -> int:
            return 1 + len(ascending) - bisect_right(ascending, metres)

        team_m = lru_cache(maxsize=4096)(
            lambda team_id: queries.team_figures(campaign, team_id).distance_m  # noqa: B023
        )
        days_left = max(0, (data.last_day(campaign) - today).days)
        link = _campaign_link(campaign)

        def events(
            campaign=campaign,
            units=units,
            lines=lines,
            week_m=week_m,
            rank=rank,
            team_m=team_m,
            days_left=days_left,
            link=link,
            key=key,
            of=of,
        ):
            registrations = (
                participants(campaign)
                .select_related("team", "unit")
                .only("pk", "user_id", "team__name", "unit__name")
                .order_by("pk")
            )
            for reg in registrations.iterator(chunk_size=2000):
                line = lines.get(reg.pk)
                metres = line.distance_m if line else 0
                params = {
                    "distance_m": metres,
                    "rank": rank(metres) if metres else None,
                    "of": of,
                    "week_m": week_m.get(reg.pk, 0),
                    "days_left": days_left,
                }
                if reg.team_id:
                    params |= {"team": reg.team.name, "team_m": team_m(reg.team_id)}
                figures = units.get(reg.unit_id)
                if figures is not None:
                    params |= {
                        "unit": figures.unit.name,
                        "unit_people": figures.participants,
                        "unit_target": figures.target,
                    }
                yield Event(reg.user_id, kinds.DIGEST, key, campaign.pk, params, link)

        told += deliver(events(), now=now)
    return told


# ------------------------------------------------------------------ results


def results(now: datetime | None = None) -> int:
    """The final results, once they are frozen: each person's rank and km in them."""
    now = now or timezone.now()
    since = _since("results", now)
    told = 0
    for frozen in Results.objects.filter(frozen_at__gt=since, frozen_at__lte=now).select_related(
        "campaign"
    ):
        campaign = frozen.campaign
        person_lines = Line.objects.filter(results=frozen, kind=LineKind.PERSON)
        ranked = dict(person_lines.values_list("key", "rank"))
        metres = dict(person_lines.values_list("key", "distance_m"))
        of = len(ranked)
        link = reverse("results:page", args=[campaign.slug])
        told += deliver(
            (
                Event(
                    user_id,
                    kinds.RESULTS_READY,
                    str(campaign.pk),
                    campaign.pk,
                    {"rank": ranked.get(pk), "of": of, "distance_m": metres.get(pk, 0)},
                    link,
                )
                for pk, user_id in participants(campaign).values_list("pk", "user_id")
            ),
            now=now,
        )
    _advance("results", now)
    return told


def certificates(now: datetime | None = None) -> int:
    """A participant's certificate, once its files are made."""
    now = now or timezone.now()
    since = _since("certificates", now)
    made = (
        Certificate.objects.filter(
            Q(made_at__gt=since, made_at__lte=now),
            kind=CertificateKind.PERSON,
            revoked_at__isnull=True,
            registration__isnull=False,
            registration__user__is_active=True,
            registration__user__deleted_at__isnull=True,
        )
        .select_related("registration", "results")
        .order_by("pk")
    )
    told = deliver(
        (
            Event(
                cert.registration.user_id,
                kinds.CERTIFICATE_READY,
                str(cert.pk),
                cert.results.campaign_id,
                {"code": cert.code, "verify": reverse("results:verify", args=[cert.code])},
                reverse("results:certificate_file", args=[cert.code, "pdf"]),
            )
            for cert in made.iterator(chunk_size=1000)
        ),
        now=now,
    )
    _advance("certificates", now)
    return told
