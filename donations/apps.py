from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donations")

    def ready(self) -> None:
        from accounts.signals import person_deleting
        from donations import receivers

        person_deleting.connect(receivers.person_deleting, dispatch_uid="donations.person_deleting")
