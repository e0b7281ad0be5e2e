"""Strava's webhook subscription, one per application: create, view or delete it.

    manage.py strava_webhook create https://kindsteps.example.org/trackers/strava/webhook/
    manage.py strava_webhook view
    manage.py strava_webhook delete 12345

Strava checks the callback at once with a GET carrying hub.challenge, which the
running site answers (trackers/views.py webhook) when STRAVA_WEBHOOK_VERIFY_TOKEN
is set; https://developers.strava.com/docs/webhooks/
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trackers import strava
from trackers.errors import TrackerError


class Command(BaseCommand):
    help = "Create, view or delete the Strava webhook subscription."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "view", "delete"])
        parser.add_argument("value", nargs="?", help="callback URL (create) or id (delete)")

    def handle(self, *args, action, value=None, **options):
        if not strava.configured():
            raise CommandError("Set STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET first.")
        client = strava.Client()
        try:
            if action == "create":
                if not value:
                    raise CommandError("Give the callback URL.")
                if not settings.STRAVA_WEBHOOK_VERIFY_TOKEN:
                    raise CommandError("Set STRAVA_WEBHOOK_VERIFY_TOKEN first.")
                created = client.create_subscription(value)
                sub_id = created["id"]
                self.stdout.write(
                    f"Subscription {sub_id} created; set STRAVA_SUBSCRIPTION_ID={sub_id}"
                )
            elif action == "view":
                subscriptions = client.view_subscriptions()
                if not subscriptions:
                    self.stdout.write("No subscription.")
                for sub in subscriptions:
                    self.stdout.write(
                        f"{sub['id']}\t{sub['callback_url']}\t{sub.get('created_at', '')}"
                    )
            else:
                if not value or not value.isdigit():
                    raise CommandError("Give the subscription id.")
                client.delete_subscription(int(value))
                self.stdout.write(f"Subscription {value} deleted.")
        except TrackerError as error:
            raise CommandError(f"Strava refused: {error.message}") from error
