from django.core.management.base import BaseCommand

from campaigns.models import Campaign
from dashboards.history import backfill


class Command(BaseCommand):
    help = "Record the participation history of registrations created in bulk (imports, demo)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="campaigns (default: all)")

    def handle(self, *args, slugs, **options):
        campaigns = Campaign.objects.all()
        if slugs:
            campaigns = campaigns.filter(slug__in=slugs)
        for campaign in campaigns:
            added = backfill(campaign)
            self.stdout.write(f"{campaign.slug}: {added} changes")
