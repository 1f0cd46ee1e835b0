"""People's province code on PostgreSQL after migration 0006: the row trigger fills an
empty code, a writer's code is kept only if it is its commune's (one statement trigger
checks every inserted person), and an update still corrects a stale code."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from phongdich.people.models import Person

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers"),
]


def _insert(rows: list[tuple]) -> None:
    """One INSERT of (commune_id, code) people, as a bulk loader writes them (code named)."""
    values = ", ".join(["('x', 'x', 'x', '', '', '', %s, %s, %s, %s)"] * len(rows))
    params = []
    for commune_id, code in rows:
        params += [commune_id, code, timezone.now(), timezone.now()]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO people_person (full_name, name_key, given_key, sex, phone, address, "
            f"commune_id, province, created_at, updated_at) VALUES {values}",
            params,
        )


@pytest.mark.parametrize(
    "codes, refused",
    [
        ([("a", "")], False),  # left empty: the row trigger fills it
        ([("a", "38")], False),  # the commune's: kept
        ([("a", "38"), ("b", ""), (None, "")], False),
        ([("a", "99")], True),  # another province's: the statement is refused
        ([("a", "38"), ("b", "92")], True),  # one wrong row refuses the whole statement
        ([(None, "38")], True),  # no commune, no code
        ([("a", "3")], True),
    ],
)
def test_a_person_carries_their_communes_code(world, codes, refused):
    communes = {"a": world.commune_a.pk, "b": world.commune_b.pk, None: None}
    rows = [(communes[c], code) for c, code in codes]
    if refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            _insert(rows)
        assert not Person.objects.exists()
    else:
        _insert(rows)
        expected = sorted("38" if c else "" for c, _code in codes)
        assert sorted(Person.objects.values_list("province", flat=True)) == expected


def test_an_orm_save_and_a_stale_update_still_get_the_communes_code(world):
    person = Person.objects.create(full_name="Lê Văn An", commune=world.commune_a)
    assert Person.objects.values_list("province", flat=True).get(pk=person.pk) == "38"
    person.province = "99"  # a stale or careless writer
    person.save()
    assert Person.objects.values_list("province", flat=True).get(pk=person.pk) == "38"
