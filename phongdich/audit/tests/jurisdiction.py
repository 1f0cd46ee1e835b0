"""Background exports are their owner's only: commune A's worker never reaches an export
commune B's worker asked for (its progress page or its file)."""

from datetime import timedelta


def _export_of_b(world, staff):
    from django.utils import timezone

    from phongdich.audit.models import Export

    export = Export.objects.create(
        owner=staff.commune_worker_b,
        kind="audit.events",
        status=Export.Status.DONE,
        file="exports/x.xlsx",
        filename="nhat-ky.xlsx",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    return {"pk": export.pk}


RECORDS_IN_COMMUNE_B = {"audit:export": _export_of_b, "audit:export_download": _export_of_b}
