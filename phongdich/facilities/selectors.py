from django.db.models import QuerySet

from phongdich.accounts.permissions import scope_to_jurisdiction

from .models import Facility


def facilities_visible_to(user, kind: str | None = None) -> QuerySet[Facility]:
    qs = scope_to_jurisdiction(Facility.objects.filter(is_active=True), user, "unit")
    return (qs.filter(kind=kind) if kind else qs).select_related("unit")
