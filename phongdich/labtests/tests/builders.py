"""Shared test data for the labtests tests."""

from itertools import count

from phongdich.labtests import services
from phongdich.labtests.models import Kind, Sample
from phongdich.people.services import person_register

_numbers = count(1)


def person(world, staff, commune=None, **values):
    n = next(_numbers)
    values = {
        "full_name": f"Nguyễn Văn Mẫu {n}",
        "birth_year": 1980,
        "phone": f"09120{n:05d}",
        "commune": commune or world.commune_a,
        **values,
    }
    found, _created = person_register(by=staff.province_admin, **values)
    return found


def sample(world, staff, *, by=None, pool=None, barcode=None, kind=Kind.PCR, **values):
    by = by or staff.commune_worker_a
    return services.sample_take(
        by=by,
        person=values.pop("person", None) or person(world, staff, commune=values.get("commune")),
        barcode=barcode or f"S-{next(_numbers):06d}",
        kind=kind,
        reason=values.pop("reason", Sample.Reason.SCREENING),
        commune=values.pop("commune", None) or world.commune_a,
        pool=pool,
        **values,
    )


def pool(world, staff, *, code=None, members=0, by=None, **values):
    by = by or staff.commune_worker_a
    made = services.pool_create(
        by=by,
        code=code or f"P-{next(_numbers):06d}",
        kind=Kind.PCR,
        commune=values.pop("commune", world.commune_a),
        **values,
    )
    for _ in range(members):
        sample(world, staff, by=by, pool=made)
    return made
