from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"

    def ready(self) -> None:
        from campaigns.signals import registration_changed
        from dashboards import receivers

        registration_changed.connect(
            receivers.registration_changed, dispatch_uid="dashboards.registration_changed"
        )
