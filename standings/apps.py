from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandingsConfig(AppConfig):
    name = "standings"
    verbose_name = _("Standings")

    def ready(self) -> None:
        from accounts.signals import person_deleting
        from activities.signals import credits_added, verdicts_changed
        from campaigns.signals import registration_changed
        from standings import receivers

        credits_added.connect(receivers.credits_added, dispatch_uid="standings.credits_added")
        verdicts_changed.connect(
            receivers.verdicts_changed, dispatch_uid="standings.verdicts_changed"
        )
        registration_changed.connect(
            receivers.registration_changed, dispatch_uid="standings.registration_changed"
        )
        person_deleting.connect(receivers.person_deleting, dispatch_uid="standings.person_deleting")
