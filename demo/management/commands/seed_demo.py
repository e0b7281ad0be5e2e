"""Build (or bring up to date) the demo scenario. Safe to run again."""

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from dashboards.history import backfill as backfill_participation
from demo import data
from demo.activities import seed_open, seed_plan
from demo.campaigns import (
    ensure_open_campaign,
    ensure_participant_in_plan,
    ensure_plan_campaign,
    ensure_plan_registrations,
)
from demo.donations import seed_donations
from demo.outreach import UNIT_STAFF_EMAIL, seed_outreach
from demo.results import seed_results
from orgs.models import Role, Unit, UnitRole


def ensure_unit(code: str, name: str, kind: str, parent_code: str | None) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is not None:
        if (unit.name, unit.kind) != (name, kind):
            Unit.objects.filter(pk=unit.pk).update(name=name, kind=kind)
        return unit
    if parent_code is None:
        return Unit.objects.add_root({"code": code, "name": name, "kind": kind})
    parent = Unit.objects.get(code=parent_code)
    return Unit.objects.add_child(parent, {"code": code, "name": name, "kind": kind})


def ensure_user(email: str, full_name: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, data.DEMO_PASSWORD, full_name=full_name, **extra)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


class Command(BaseCommand):
    help = "Seed the demo campaign scenario (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        for code, name, kind, parent in data.UNITS:
            ensure_unit(code, name, kind, parent)
        district = Unit.objects.get(code="LA-CD")
        province = Unit.objects.get(code="LA")

        ensure_user(data.ADMIN_EMAIL, "Quản trị hệ thống", is_staff=True, is_superuser=True)
        organiser = ensure_user(
            data.ORGANISER_EMAIL,
            "Nguyễn Thị Hồng",
            home_unit=district,
            province="Long An",
            district="Cần Đước",
        )
        UnitRole.objects.get_or_create(user=organiser, unit=district, defaults={"role": Role.ADMIN})
        province_organiser = ensure_user(
            data.PROVINCE_ORGANISER_EMAIL, "Trần Văn Minh", home_unit=province, province="Long An"
        )
        UnitRole.objects.get_or_create(
            user=province_organiser, unit=province, defaults={"role": Role.ADMIN}
        )
        participant = ensure_user(
            data.PARTICIPANT_EMAIL,
            "Lê Minh Anh",
            gender="female",
            birth_year=2007,
            phone="0912345678",
            province="Long An",
            district="Cần Đước",
            home_unit=Unit.objects.get(code="LA-CD-THPT-CD"),
        )

        plan = ensure_plan_campaign(organiser)
        registered = ensure_plan_registrations(plan, organiser)
        ensure_participant_in_plan(plan, participant)
        activities = seed_plan(participant)
        open_campaign = ensure_open_campaign(organiser)
        activities += seed_open(organiser)
        seed_outreach(plan, organiser)
        donations = seed_donations(plan, open_campaign, organiser)
        # Registrations made in bulk above get their participation history, so the
        # dashboard's "as of" days show the demo's build-up.
        for campaign in (plan, open_campaign):
            backfill_participation(campaign)
        certificates = seed_results(plan, organiser)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Unit.objects.count()} units, campaign “{plan.title_vi}” "
                f"with {registered} participants; {activities} new activities, "
                f"{donations} new donations, {certificates} certificates made."
            )
        )
        self.stdout.write(f"Demo accounts (password for all: {data.DEMO_PASSWORD}):")
        self.stdout.write(f"  organiser (Cần Đước district): {data.ORGANISER_EMAIL}")
        self.stdout.write(f"  organiser (Long An province):  {data.PROVINCE_ORGANISER_EMAIL}")
        self.stdout.write(f"  staff of Long Trạch commune:   {UNIT_STAFF_EMAIL}")
        self.stdout.write(f"  participant:                   {data.PARTICIPANT_EMAIL}")
        self.stdout.write(f"  site administrator (/admin/):  {data.ADMIN_EMAIL}")
        self.stdout.write(f"Final results of the 2024 campaign: /c/{plan.slug}/results/")
