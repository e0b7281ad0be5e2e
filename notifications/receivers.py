"""What notifications does when another app tells it something (docs/architecture.md)."""

from __future__ import annotations


def person_deleting(sender, *, user, **kwargs) -> None:
    """A deleted account keeps no notification, e-mail waiting to go, or preference."""
    from notifications.models import Email, Notification, Preference

    Notification.objects.filter(user=user).delete()
    Email.objects.filter(user=user).delete()
    Preference.objects.filter(user=user).delete()
