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


RECORDS_IN_COMMUNE_B = {
    "checkpoints:handover_action": _handover_action,
    "checkpoints:quarantine": _quarantine,
    "checkpoints:quarantine_document": _quarantine_document,
}
NOT_PERSONAL = {
    "checkpoints:poster": "a checkpoint's QR poster: place name and a link, no personal data",
}
# The public twin of the declaration form (rate-limited, reveals nothing about others).
API_PUBLIC = {"/api/checkpoints/declarations": "public health declaration (rate-limited)"}
