from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackersConfig(AppConfig):
    name = "trackers"
    verbose_name = _("Trackers")

    def ready(self) -> None:
        from activities.sources import STRAVA, register_attribution

        # "Powered by Strava" and "View on Strava" beside a Strava activity on its owner's
        # page (docs/decisions/0050-strava-marks.md).
        register_attribution(STRAVA, "trackers/_strava_attribution.html")
