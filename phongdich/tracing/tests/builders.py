"""Build tracing records through the real services."""

from django.utils import timezone

from phongdich.cases.tests.builders import make_case
from phongdich.tracing import services


def identity(
    world, *, commune=None, full_name="Lê Thị Tiếp", birth_year=1985, phone="0913111222", **extra
):
    return services.Identity(
        full_name=full_name,
        commune=commune or world.commune_a,
        birth_year=birth_year,
        phone=phone,
        **extra,
    )


def exposure(**extra):
    values = {"exposure_date": timezone.localdate(), "setting": "household"}
    values.update(extra)
    return services.Exposure(**values)


def case(world, by, **extra):
    return make_case(world, by, **extra)


def contact(world, by, source_case=None, source_contact=None, **typed):
    person = services.contact_person(by=by, identity=identity(world, **typed))
    found, _created = services.contact_add(
        by=by,
        person=person,
        source_case=source_case,
        source_contact=source_contact,
        exposure=exposure(),
    )
    return found
