"""Shared test data for the vaccination tests."""

from datetime import date

from phongdich.accounts.models import Role
from phongdich.people.services import person_register
from phongdich.testing import make_user
from phongdich.vaccination import services
from phongdich.vaccination.models import VaccineProduct


def officer(world, name="tiemchung.a", unit=None):
    return make_user(name, Role.VACCINATION_OFFICER, unit or world.commune_a)


def product(code="pfizer") -> VaccineProduct:
    services.policy_seed_if_empty()  # transactional tests flush the seeded rows
    return VaccineProduct.objects.get(code=code)


def person(world, staff, **values):
    values = {
        "full_name": "Lê Văn Tiêm",
        "birth_year": 1980,
        "phone": "0912345678",
        "id_number": "038080001234",
        "commune": world.commune_a,
        **values,
    }
    found, _created = person_register(by=staff.commune_worker_a, **values)
    return found


def identity(world, **values):
    values = {
        "full_name": "Lê Văn Tiêm",
        "birth_year": 1980,
        "phone": "0912345678",
        "id_number": "038080001234",
        "commune": world.commune_a,
        **values,
    }
    return services.Identity(**values)


def dose(code="pfizer", n=1, day=date(2021, 10, 11), **values):
    return services.DoseInput(product=product(code), dose_number=n, given_on=day, **values)
