"""Recompute every standing and total from the credits and report any drift."""

import json
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.models import Campaign
from standings.rebuild import rebuild_campaign


class Command(BaseCommand):
    help = (
        "Recompute participants' standings, team, unit, campaign and daily totals and rank "
        "buckets from the accepted verdicts, print the drift found (rows that differed) "
        "and replace what was kept. Exits with 1 under --check when anything drifted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", metavar="SLUG", help="Only this campaign.")
        parser.add_argument(
            "--check", action="store_true", help="Report the drift only; change nothing."
        )

    def handle(self, *args, campaign: str | None, check: bool, **options) -> None:
        campaigns = Campaign.objects.order_by("pk")
        if campaign:
            campaigns = campaigns.filter(slug=campaign)
            if not campaigns.exists():
                raise CommandError(f"No campaign with the address “{campaign}”.")
        drifted = 0
        for item in campaigns:
            started = time.perf_counter()
            drift = rebuild_campaign(item, fix=not check)
            drifted += drift.total
            report = {"campaign": item.slug, "drift": drift.as_dict(), "fixed": not check}
            report["seconds"] = round(time.perf_counter() - started, 3)
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        if check and drifted:
            raise SystemExit(1)
