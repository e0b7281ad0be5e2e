from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Teams")

    def ready(self) -> None:
        from accounts.signals import person_deleting
        from campaigns.signals import registration_changed
        from teams import receivers

        person_deleting.connect(receivers.person_deleting, dispatch_uid="teams.person_deleting")
        registration_changed.connect(
            receivers.registration_changed, dispatch_uid="teams.registration_changed"
        )
