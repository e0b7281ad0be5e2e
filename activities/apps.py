from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from accounts.signals import person_deleting
        from activities import receivers
        from campaigns.signals import registration_changed, rules_changed

        rules_changed.connect(receivers.rules_changed, dispatch_uid="activities.rules_changed")
        person_deleting.connect(
            receivers.person_deleting, dispatch_uid="activities.person_deleting"
        )
        registration_changed.connect(
            receivers.registration_changed, dispatch_uid="activities.registration_changed"
        )
