"""Checkpoint records of commune B, for the site-wide boundary walk (web/tests)."""

from phongdich.checkpoints import services


def _handover_in_b(world, staff):
    from phongdich.checkpoints.tests import builders

    return builders.handover(world, staff, commune=world.commune_b, phone="0913777888")


def _handover_action(world, staff):
    return {"pk": _handover_in_b(world, staff).pk, "action": "arrived"}


def _quarantine(world, staff):
    """A home quarantine checkpoints wrote before the hand-over opened the quarantine record
    (its address now leads to that record), with the record migration 0002 made of it."""
    from phongdich.checkpoints.models import HomeQuarantine
    from phongdich.quarantine.models import Quarantine

    handover = _handover_in_b(world, staff)
    services.handover_confirm(by=staff.commune_worker_b, handover=handover)
    record = services.quarantine_start(
        by=staff.commune_worker_b, handover=handover, policy_key="2022-early"
    )
    assert isinstance(record, Quarantine)
    home = HomeQuarantine.objects.create(
        person=record.person,
        commune=record.commune,
        handover=handover,
        policy_key=record.policy_key,
        policy_source=record.policy_source,
        start_date=record.start_date,
        end_date=record.planned_end,
        monitoring_end=record.monitoring_end,
        created_by=staff.commune_worker_b,
    )
    return {"pk": home.pk}


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


# --- matching paths (web/tests/test_jurisdiction.py: nothing shown or changed elsewhere) ------


def _submit_public_declaration(client, world, staff, typed):
    """A traveller declares publicly, bound for commune A, with the identity typed."""
    import re

    from django.utils import timezone

    from phongdich.checkpoints.models import Declaration

    client.logout()
    response = client.post(
        "/checkpoints/declare/",
        {
            "full_name": typed["full_name"],
            "birth_year": typed["birth_year"],
            "sex": "F",
            "nationality": "Việt Nam",
            "id_number": typed.get("id_number", ""),
            "phone": typed.get("phone", ""),
            "travel_mode": "bus",
            "arrival_date": timezone.localdate().strftime("%d/%m/%Y"),
            "origin_text": "TP Hồ Chí Minh",
            "destination_commune": world.commune_a.pk,
            "destination_address": typed["address"],
        },
    )
    assert response.status_code == 302, "the declaration was refused"
    seen = [str(response.status_code), re.sub(r"/me/[^/]+/", "/me/token/", response["Location"])]
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    page = client.get(response["Location"]).content.decode().replace(token, "token")
    # The short code, its QR and the link's token are random per declaration; the rest of
    # the traveller's page must not differ.
    page = re.sub(r"<svg.*?</svg>", "qr", page, flags=re.S)
    seen.append(page.replace(Declaration.objects.latest("pk").code, "code"))
    return seen


def _submit_public_declaration_api(client, world, staff, typed):
    """The same declaration through the public API (the gateway of partner apps)."""
    import json

    from django.utils import timezone

    client.logout()
    response = client.post(
        "/api/checkpoints/declarations",
        {
            "full_name": typed["full_name"],
            "birth_year": typed["birth_year"],
            "id_number": typed.get("id_number", ""),
            "phone": typed.get("phone", ""),
            "arrival_date": timezone.localdate().isoformat(),
            "origin_text": "TP Hồ Chí Minh",
            "destination_commune_code": world.commune_a.code,
            "destination_address": typed["address"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # The short code and the link's token are random; which fields come back must not differ.
    return [str(response.status_code), json.dumps(sorted(body))]


def _submit_follow_up_test_order(client, world, staff, typed):
    """A pharmacy of commune A reports a buyer with the identity typed (a pharmacy knows a
    name, a phone and an address, never a CCCD); the station orders a free rapid test."""
    from phongdich.checkpoints.models import FollowUp, Pharmacy
    from phongdich.checkpoints.services import pharmacy_report_submit
    from phongdich.checkpoints.services.common import SYMPTOMS

    pharmacy = Pharmacy.objects.create(
        name="Nhà thuốc Hàm Rồng",
        owner_name="Lê Văn Thuốc",
        phone="0912000999",
        address="Số 1 phố Chợ",
        commune=world.commune_a,
    )
    report = pharmacy_report_submit(
        pharmacy=pharmacy,
        buyer_name=typed["full_name"],
        buyer_phone=typed.get("phone", ""),
        buyer_address=typed["address"],
        commune=world.commune_a,
        symptoms=[next(iter(SYMPTOMS))],
    )
    follow_up = FollowUp.objects.get(pharmacy_report=report)
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/checkpoints/follow-ups/", {"id": follow_up.pk, "action": "test_order"}, follow=True
    )
    assert response.redirect_chain, "the order was refused: the walk would check nothing"
    return [str(response.status_code), response.content.decode()]


MATCHING_PATHS = {
    "checkpoints:declare": _submit_public_declaration,
    "api:checkpoints/declarations": _submit_public_declaration_api,
    "checkpoints:follow_up_test_order": _submit_follow_up_test_order,
}

MATCHING_CALLERS = {"checkpoints/rapid_tests.py": ("checkpoints:follow_up_test_order",)}
