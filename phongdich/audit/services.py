from django.db import models

from .middleware import current_ip
from .models import AuditEvent


def _describe(target) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk), str(target)[:200]
    return type(target).__name__, "", str(target)[:200]


def audit_record(
    *,
    actor,
    action: str,
    target=None,
    changes: dict | None = None,
    kind: str = AuditEvent.Kind.WRITE,
    actor_label: str = "",
) -> AuditEvent:
    """Append one audit event. Called by every service that writes, inside its transaction."""
    target_type, target_id, target_label = _describe(target)
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=real_actor,
        actor_label=actor_label or (real_actor.get_username() if real_actor else "hệ thống"),
        kind=kind,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        ip=current_ip.get(),
        changes=changes or {},
    )


def audit_read(*, actor, target, action: str = "read") -> AuditEvent:
    """Record that staff opened a record holding personal data."""
    return audit_record(actor=actor, action=action, target=target, kind=AuditEvent.Kind.READ)
