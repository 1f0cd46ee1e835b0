"""The doses' province code on PostgreSQL after migration 0014: the row trigger fills an
empty code, a writer's code is kept only if it is its person's (one statement trigger
checks every inserted dose), and an update still corrects a stale code."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from phongdich.geo.models import AdminUnit
from phongdich.people.models import Person
from phongdich.vaccination.models import Dose, VaccineProduct

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers"),
]


def _unit(code, parent=None, kind=AdminUnit.Kind.COMMUNE):
    path = (parent.path if parent else "/") + code + "/"
    return AdminUnit.objects.create(
        code=code, name=f"Đơn vị {code}", kind=kind, parent=parent, path=path
    )


@pytest.fixture
def person():
    top = _unit("91", kind=AdminUnit.Kind.PROVINCE)
    commune = _unit("91001", _unit("910", top, kind=AdminUnit.Kind.DISTRICT))
    return Person.objects.create(full_name="Lê Văn An", commune=commune)


@pytest.fixture
def product():
    return VaccineProduct.objects.first() or VaccineProduct.objects.create(code="TEST", name="Test")


def _insert(person, product, codes: list[str]) -> None:
    """One INSERT of len(codes) doses, as the bulk import writes them (code named)."""
    rows = ", ".join(
        ["(%s, %s, %s, 'primary', %s, 'fixed', '', '', 'imported', '', now(), '', %s)"] * len(codes)
    )
    params = []
    for n, code in enumerate(codes, start=1):
        params += [person.pk, product.pk, n, date(2021, 8, n), code]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO vaccination_dose (person_id, product_id, dose_number, kind, given_on, "
            "site_kind, site_name, lot, source, source_id, created_at, flags, province) "
            f"VALUES {rows}",
            params,
        )


@pytest.mark.parametrize(
    "codes, refused",
    [
        ([""], False),  # left empty: the row trigger fills it
        (["91"], False),  # the person's: kept
        (["91", "", "91"], False),
        (["99"], True),  # another province's: the statement is refused
        (["91", "92"], True),  # one wrong row refuses the whole statement
        (["9"], True),
    ],
)
def test_a_dose_carries_its_persons_code(person, product, codes, refused):
    if refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            _insert(person, product, codes)
        assert not Dose.objects.exists()
    else:
        _insert(person, product, codes)
        assert set(Dose.objects.values_list("province", flat=True)) == {"91"}
        assert Dose.objects.count() == len(codes)


def test_an_orm_save_and_a_stale_update_still_get_the_persons_code(person, product):
    dose = Dose.objects.create(
        person=person, product=product, dose_number=1, kind="primary", given_on=date(2021, 8, 1)
    )
    assert Dose.objects.values_list("province", flat=True).get(pk=dose.pk) == "91"
    dose.province = "99"  # a stale or careless writer
    dose.save()
    assert Dose.objects.values_list("province", flat=True).get(pk=dose.pk) == "91"
