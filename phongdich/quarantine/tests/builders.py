"""Shared test data for the quarantine tests."""

from datetime import date

from phongdich.people.services import person_register

# Inside the 10696 row (16/12/2021) and before the early-2022 row: 14 days for the
# unvaccinated (centralised by the row, but the place is the caller's), 7 for 2 doses.
IN_10696 = date(2022, 1, 10)


def person(world, staff, **values):
    values = {
        "full_name": "Nguyễn Văn Cách",
        "birth_year": 1985,
        "phone": "0912000111",
        "id_number": "038085001111",
        "commune": world.commune_a,
        **values,
    }
    found, _created = person_register(by=staff.commune_worker_a, **values)
    return found


def site(world, beds=1, name="Khu cách ly KTX Hồng Đức"):
    from phongdich.facilities.models import Facility

    return Facility.objects.create(
        name=name, kind=Facility.Kind.QUARANTINE_SITE, unit=world.district_a, beds_total=beds
    )
