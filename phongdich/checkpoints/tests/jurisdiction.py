"""Checkpoint records of commune B, for the site-wide boundary walk (web/tests)."""

from phongdich.checkpoints import services


def _handover_in_b(world, staff):
    from phongdich.checkpoints.tests import builders

    return builders.handover(world, staff, commune=world.commune_b, phone="0913777888")


def _handover_action(world, staff):
    return {"pk": _handover_in_b(world, staff).pk, "action": "arrived"}


def _quarantine(world, staff):
    handover = _handover_in_b(world, staff)
    services.handover_confirm(by=staff.commune_worker_b, handover=handover)
    quarantine = services.quarantine_start(
        by=staff.commune_worker_b, handover=handover, policy_key="2022-early"
    )
    return {"pk": quarantine.pk}


def _quarantine_document(world, staff):
    return {**_quarantine(world, staff), "kind": "door-sign"}


def _forecast_import_of_b(world, staff):
    from phongdich.checkpoints.models import ForecastImport

    batch = ForecastImport.objects.create(
        source_association="Hội đồng hương",
        file_name="ds.xlsx",
        errors=[{"line": 2, "errors": ["Họ và tên: bắt buộc"]}],
        errors_total=1,
        by=staff.commune_worker_b,
    )
    return {"pk": batch.pk}


RECORDS_IN_COMMUNE_B = {
    "checkpoints:forecast_errors": _forecast_import_of_b,
    "checkpoints:handover_action": _handover_action,
    "checkpoints:quarantine": _quarantine,
    "checkpoints:quarantine_document": _quarantine_document,
}
NOT_PERSONAL = {
    "checkpoints:poster": "a checkpoint's QR poster: place name and a link, no personal data",
}
# The public twin of the declaration form (rate-limited, reveals nothing about others).
API_PUBLIC = {"/api/checkpoints/declarations": "public health declaration (rate-limited)"}
