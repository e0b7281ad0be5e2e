from django.apps import AppConfig


class WebConfig(AppConfig):
    """The top layer: pages that gather several domains (see docs/decisions/0003-layers.md)."""

    name = "web"
