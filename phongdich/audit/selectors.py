from django.db.models import Q, QuerySet

from .models import AuditEvent


def audit_events_visible_to(
    user, *, actor: str = "", action: str = "", target: str = "", kind: str = "", day=None
) -> QuerySet[AuditEvent]:
    """Events by actors inside the admin's jurisdiction (and system/citizen events for a
    province admin, whose jurisdiction is the whole province)."""
    unit = user.jurisdiction
    if unit is None:
        return AuditEvent.objects.none()
    scope = Q(actor__jurisdiction__path__startswith=unit.path)
    if unit.parent_id is None:
        scope |= Q(actor__isnull=True)
    qs = AuditEvent.objects.filter(scope).select_related("actor")
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if target:
        qs = qs.filter(Q(target_label__icontains=target) | Q(target_id=target))
    if kind:
        qs = qs.filter(kind=kind)
    if day:
        qs = qs.filter(at__date=day)
    return qs
