"""Builders for checkpoint tests, going through the real services."""

import uuid

from django.utils import timezone

from phongdich.checkpoints import services
from phongdich.checkpoints.models import Checkpoint
from phongdich.geo.models import AdminUnit


def checkpoint(world, name="Chốt Bỉm Sơn - QL1A") -> Checkpoint:
    return Checkpoint.objects.create(name=name, unit=world.district_b, gate="QL1A")


def origin_unit(code="01", name="Thành phố Hà Nội") -> AdminUnit:
    unit = AdminUnit.objects.filter(code=code).first()
    if unit:
        return unit
    return AdminUnit.objects.create(code=code, name=name, kind="province", path=f"/{code}/")


def declaration(commune, *, by=None, **overrides):
    data = {
        "full_name": "Nguyễn Văn An",
        "birth_year": 1990,
        "phone": "0912345678",
        "travel_mode": "car",
        "vehicle_number": "29A-123.45",
        "arrival_date": timezone.localdate(),
        "origin_text": "Hà Nội",
        "destination_commune": commune,
        "destination_address": "12 Lê Lai",
        "symptoms": [],
        "exposures": [],
        "test_result": "",
        "vaccine_doses": 2,
    }
    data.update(overrides)
    return services.declaration_submit(by=by, data=data)


def handover(world, staff, commune=None, **overrides):
    decl, _raw = declaration(commune or world.commune_a, **overrides)
    passage, _created = services.passage_record(
        by=staff.checkpoint_officer,
        declaration=decl,
        checkpoint=checkpoint(world),
        decision="handover",
        idempotency_key=uuid.uuid4().hex,
    )
    return passage.handover
