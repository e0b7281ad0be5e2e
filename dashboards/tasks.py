"""Scheduled dashboard jobs (huey crontabs are in UTC; Vietnam is UTC+7):

- every morning, units behind their target late in a campaign are told once
  (DashboardSettings: how many days before the end, below what share);
- every Monday, a digest to the staff of each campaign's top units;
- every morning, the final report e-mailed to the organiser unit's staff on
  the day the campaign's settings name (claimed by a conditional update, so
  two workers never send it twice)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from campaigns.models import Campaign
from core.notices import notify, send_templated_mail
from core.tasks import OUTSIDE_RETRIES, OUTSIDE_RETRY_DELAY
from dashboards import data, reports
from dashboards.access import staff_of
from dashboards.models import BehindAlert, DashboardSettings
from orgs.models import UnitRole
from orgs.permissions import may_see_contacts


def settings_for(campaign: Campaign) -> DashboardSettings:
    return DashboardSettings.objects.get_or_create(campaign=campaign)[0]


def _running(now):
    return Campaign.objects.filter(starts_at__lte=now, ends_at__gt=now).select_related(
        "organiser_unit"
    )


def alert_behind(now=None) -> int:
    """Tell the staff of each unit below its target's threshold, once per
    campaign and unit, in the campaign's last days. Returns how many units."""
    now = now or timezone.now()
    told = 0
    for campaign in _running(now):
        config = settings_for(campaign)
        if now < campaign.ends_at - timedelta(days=config.alert_days_before_end):
            continue
        day = data.today(campaign, now)
        for figures in data.subtree_figures(campaign, campaign.organiser_unit, day, now=now):
            if not figures.target:
                continue
            if figures.participants * 100 >= figures.target * config.alert_threshold_percent:
                continue
            try:
                with transaction.atomic():
                    BehindAlert.objects.create(
                        campaign=campaign,
                        unit=figures.unit,
                        participants=figures.participants,
                        target=figures.target,
                        sent_at=now,
                    )
                    _tell_behind(campaign, figures)
            except IntegrityError:
                continue  # told already
            told += 1
    return told


def _tell_behind(campaign: Campaign, figures: data.UnitFigures) -> None:
    url = reverse("dashboards:unit", args=[campaign.slug, figures.unit.code])
    days_left = max(0, (data.last_day(campaign) - data.today(campaign)).days)
    for user in staff_of(figures.unit):
        notify(
            user,
            "unit_behind_target",
            title=_("%(unit)s has %(participants)s of its %(target)s participants"),
            body=_("%(campaign)s ends in %(days)s days."),
            params={
                "unit": figures.unit.name,
                "participants": figures.participants,
                "target": figures.target,
                "campaign": lambda: campaign.title,
                "days": days_left,
            },
            url=url,
        )
        send_templated_mail(
            user,
            "dashboards/email/behind",
            {"campaign": campaign, "figures": figures, "days_left": days_left, "url": url},
        )


def weekly_digest(now=None) -> int:
    """One e-mail per person with a role on a campaign's top unit (the
    organiser unit, or their own unit inside it): its figures and children."""
    now = now or timezone.now()
    sent = 0
    for campaign in Campaign.objects.filter(
        starts_at__lte=now, ends_at__gt=now - timedelta(days=7)
    ).select_related("organiser_unit"):
        if not settings_for(campaign).weekly_digest:
            continue
        day = data.default_day(campaign, now)
        organiser = campaign.organiser_unit
        roles = UnitRole.objects.filter(unit__path__startswith=organiser.path).select_related(
            "unit", "user"
        )
        seen = set()
        for role in roles.order_by("unit__path"):
            if role.user_id in seen or not role.user.is_active:
                continue
            seen.add(role.user_id)
            snap = data.snapshot(campaign, role.unit, day, now=now)
            send_templated_mail(
                role.user,
                "dashboards/email/digest",
                {
                    "campaign": campaign,
                    "snap": snap,
                    "behind": [row for row in snap.children if row.status == data.Status.BEHIND],
                    "url": reverse("dashboards:unit", args=[campaign.slug, role.unit.code]),
                },
            )
            sent += 1
    return sent


def send_due_reports(now=None) -> int:
    """Claim and send each final report whose day has come."""
    now = now or timezone.now()
    sent = 0
    for config in DashboardSettings.objects.filter(
        report_on__isnull=False, report_sent_at__isnull=True
    ).select_related("campaign"):
        if data.today(config.campaign, now) < config.report_on:
            continue
        claimed = DashboardSettings.objects.filter(
            pk=config.pk, report_sent_at__isnull=True
        ).update(report_sent_at=now)
        if claimed:
            email_report(config.campaign.pk)
            sent += 1
    return sent


@db_task(retries=OUTSIDE_RETRIES, retry_delay=OUTSIDE_RETRY_DELAY)
def email_report(campaign_id: int) -> int:
    """The organiser unit's PDF summary and workbook, to each of its staff."""
    campaign = Campaign.objects.select_related("organiser_unit").get(pk=campaign_id)
    unit = campaign.organiser_unit
    day = data.default_day(campaign)
    count = 0
    for user in staff_of(unit):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "user": user,
                "campaign": campaign,
                "unit": unit,
                "day": day,
                "url": settings.SITE_URL
                + reverse("dashboards:unit", args=[campaign.slug, unit.code]),
            }
            subject = render_to_string("dashboards/email/report_subject.txt", context).strip()
            body = render_to_string("dashboards/email/report_message.txt", context)
            pdf = reports.build_pdf(campaign, unit, day)
            workbook = reports.workbook_bytes(
                campaign, unit, day, contacts=may_see_contacts(user, unit)
            )
        message = EmailMessage(subject, body, to=[user.email])
        message.attach(reports.filename(campaign, unit, day, "pdf"), pdf, "application/pdf")
        message.attach(
            reports.filename(campaign, unit, day, "xlsx"),
            workbook,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        message.send()
        count += 1
    return count


# 00:30 UTC is 07:30 in Vietnam: before the working day, after the night's figures.
@db_periodic_task(crontab(hour="0", minute="30"))
def morning_jobs() -> None:
    alert_behind()
    send_due_reports()


@db_periodic_task(crontab(day_of_week="1", hour="1", minute="0"))
def monday_digest() -> None:
    weekly_digest()
