from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandingsConfig(AppConfig):
    name = "standings"
    verbose_name = _("Standings")

    def ready(self) -> None:
        from campaigns.signals import registration_changed
        from standings import receivers

        registration_changed.connect(
            receivers.registration_changed, dispatch_uid="standings.registration_changed"
        )
