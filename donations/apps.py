from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donations")

    def ready(self) -> None:
        # Providers register themselves when imported: all of them, at start.
        from donations.providers import cash, momo, vietqr, vnpay  # noqa: F401
