from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from accounts.signals import person_deleting
        from notifications import receivers

        person_deleting.connect(
            receivers.person_deleting, dispatch_uid="notifications.person_deleting"
        )
