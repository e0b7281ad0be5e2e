from django.db import models

from core.models import AuditEntry


def log_action(
    action: str,
    obj: models.Model,
    *,
    actor=None,
    campaign=None,
    data: dict | None = None,
) -> AuditEntry:
    """Record a state change; call it inside the transaction that makes the change."""
    return AuditEntry.objects.create(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        campaign=campaign,
        data=data or {},
    )
