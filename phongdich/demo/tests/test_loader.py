"""The people bulk path (demo.loader): the loaded people carry their province code, are
found by search and by matching, and on PostgreSQL the rebuilt constraints and indexes are
the same as before the load and checked against every loaded row."""

import pytest
from django.db import IntegrityError, connection, transaction

from phongdich.demo import loader
from phongdich.demo.synthetic import PersonRow
from phongdich.people import selectors
from phongdich.people.models import Person
from phongdich.people.services.matching import person_candidates

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path and its rebuild"
)


def _row(commune_id, n, **extra) -> PersonRow:
    values = dict(
        full_name=f"Lê Văn Khoa{n}",
        name_key=f"le van khoa{n}",
        given_key=f"khoa{n}",
        birth_year=1980,
        sex="M",
        id_number=f"0380800{n:05d}",
        phone=f"+8491234{n:04d}",
        address="Thôn 1",
        commune_id=commune_id,
    )
    return PersonRow(**{**values, **extra})


def _schema() -> tuple[set, set]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'people_person'::regclass"
        )
        constraints = set(cursor.fetchall())
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'people_person'"
        )
        return constraints, set(cursor.fetchall())


def _keys_and_triggers() -> tuple[set, set]:
    """Every foreign key on people_person's ids (partitions' included) with whether it is
    validated, and people_person's triggers with whether they are enabled."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE confrelid = 'people_person'::regclass"
        )
        keys = set(cursor.fetchall())
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid), tgenabled FROM pg_trigger "
            "WHERE tgrelid = 'people_person'::regclass AND NOT tgisinternal"
        )
        return keys, set(cursor.fetchall())


@pytest.mark.parametrize("rebuild", [False, True])
def test_loaded_people_have_their_code_and_are_searchable_and_matchable(world, staff, rebuild):
    rows = [_row(world.commune_a.pk, n) for n in range(30)] + [
        _row(world.commune_b.pk, 100),
        _row(None, 101),  # no commune: no code
    ]
    before = _schema() if connection.vendor == "postgresql" else None
    assert loader.bulk_load_people(iter(rows), rebuild_indexes=rebuild) == len(rows)
    codes = dict(Person.objects.values_list("name_key", "province"))
    assert codes["le van khoa0"] == codes["le van khoa100"] == "38"
    assert codes["le van khoa101"] == ""
    if before is not None:
        assert _schema() == before  # every constraint and index back, by name and definition
    admin = staff.province_admin
    found = selectors.person_search(admin, "le van khoa1")
    assert {p.name_key for p in found} >= {"le van khoa1", "le van khoa10", "le van khoa100"}
    assert [p.name_key for p in selectors.person_search(admin, "038080000007")] == ["le van khoa7"]
    assert selectors.person_search(staff.commune_worker_b, "le van") == [
        Person.objects.get(name_key="le van khoa100")
    ]
    candidates = person_candidates(
        by=admin, full_name="Lê Văn Khoa3", birth_year=1980, phone="0912340003"
    )
    assert [(c.person.name_key, c.strong) for c in candidates] == [("le van khoa3", True)]


@on_postgresql
def test_the_rebuild_refuses_a_duplicate_cccd_and_loads_nothing(world):
    rows = [_row(world.commune_a.pk, 1), _row(world.commune_a.pk, 2, id_number="038080000001")]
    before = _schema()
    with pytest.raises(IntegrityError), transaction.atomic():
        loader.bulk_load_people(iter(rows), rebuild_indexes=True)
    assert not Person.objects.exists()
    assert _schema() == before


@on_postgresql
def test_the_rebuild_refuses_a_commune_that_does_not_exist(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        loader.bulk_load_people(iter([_row(987_654_321, 1)]), rebuild_indexes=True)
    assert not Person.objects.exists()


@on_postgresql
@pytest.mark.parametrize("rebuild", [False, True])
def test_a_wrong_province_code_in_the_copy_is_refused(world, monkeypatch, rebuild):
    """The loader writes the code itself; people 0006's statement check refuses a wrong
    one (a stale unit map, a bug) instead of storing it."""
    monkeypatch.setattr(loader, "unit_codes", lambda: {world.commune_a.pk: "99"})
    with pytest.raises(IntegrityError), transaction.atomic():
        loader.bulk_load_people(iter([_row(world.commune_a.pk, 1)]), rebuild_indexes=rebuild)
    assert not Person.objects.exists()


@on_postgresql
@pytest.mark.parametrize("empty", [True, False])
def test_the_rebuild_puts_back_the_primary_key_its_keys_and_the_triggers(world, empty):
    """Into an empty table the rebuild drops the primary key with every other table's key
    on it, and the loader people 0006's insert triggers: all of them are back, with the
    same definitions, validated and enabled as before (a disabled one stays disabled)."""
    if not empty:
        Person.objects.create(full_name="Đã có", name_key="da co", given_key="co")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the create's deferred key checks
        cursor.execute("ALTER TABLE people_person DISABLE TRIGGER people_person_province_check")
    before = _schema(), _keys_and_triggers()
    assert len(before[1][0]) > 20  # cases, doses, samples' partitions…: the keys exist
    assert loader.bulk_load_people(iter([_row(world.commune_a.pk, 1)]), rebuild_indexes=True)
    assert (_schema(), _keys_and_triggers()) == before
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE people_person ENABLE TRIGGER people_person_province_check")


@on_postgresql
def test_the_rebuilt_primary_key_refuses_a_second_row_with_the_same_id(world):
    loader.bulk_load_people(iter([_row(world.commune_a.pk, 1)]), rebuild_indexes=True)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO people_person (id, full_name, name_key, given_key, sex, phone, "
            "address, province, created_at, updated_at) "
            "SELECT id, full_name, name_key, given_key, sex, phone, address, province, "
            "created_at, updated_at FROM people_person"
        )


@on_postgresql
def test_the_rebuild_refuses_a_row_without_its_province_code(world, monkeypatch):
    """No fill trigger during the rebuild's COPY: a row copied with an empty code although
    its commune has one is refused by the loader's check, not stored empty."""
    monkeypatch.setattr(loader, "unit_codes", lambda: {})
    with pytest.raises(IntegrityError), transaction.atomic():
        loader.bulk_load_people(iter([_row(world.commune_a.pk, 1)]), rebuild_indexes=True)
    assert not Person.objects.exists()


@pytest.mark.parametrize("rebuild", [False, True])
def test_loaded_people_get_their_vaccination_summary_rows_in_the_load(world, rebuild):
    """People COPYed in never pass post_save: their coverage summary rows (issue 11) come
    with the load, not at the next reconciliation; a person without a commune has none (as
    for one saved), and a person already there is left alone."""
    from phongdich.vaccination.models import PersonStatus

    earlier = loader.bulk_load_people(iter([_row(world.commune_b.pk, 200)]))
    assert earlier == 1
    rows = [_row(world.commune_a.pk, n, birth_year=1990 + n) for n in range(5)]
    loader.bulk_load_people(iter([*rows, _row(None, 101)]), rebuild_indexes=rebuild)
    found = dict(PersonStatus.objects.values_list("person__name_key", "birth_year").order_by())
    expected = {f"le van khoa{n}": 1990 + n for n in range(5)}
    assert found == {**expected, "le van khoa200": 1980}
