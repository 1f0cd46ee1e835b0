"""The doses table partitioned by province on PostgreSQL (migration 0015, issue 17 step 2):
every insert path names the code, so each dose lands in its province's partition (never the
DEFAULT); a person's doses and a commune's dose list read one partition; the daily job
makes a new province's; 0014's check still refuses a wrong code."""

import re
from datetime import date

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from phongdich.accounts.models import Role
from phongdich.demo.services import build_demo
from phongdich.geo import province
from phongdich.geo.models import AdminUnit
from phongdich.lib import imports as lib_imports
from phongdich.people.models import Person
from phongdich.testing import make_user
from phongdich.vaccination import bulk, selectors, services
from phongdich.vaccination.models import Aefi, Dose, DoseReview, Source

from . import builders

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
]

TABLE = "vaccination_dose"


def _unit(code, parent=None, kind=AdminUnit.Kind.COMMUNE):
    path = (parent.path if parent else "/") + code + "/"
    return AdminUnit.objects.create(
        code=code, name=f"Đơn vị {code}", kind=kind, parent=parent, path=path
    )


@pytest.fixture
def other(world):
    """Commune 92001 of a second province (92), its partitions prepared with the world's."""
    top = _unit("92", kind=AdminUnit.Kind.PROVINCE)
    commune = _unit("92001", _unit("920", top, kind=AdminUnit.Kind.DISTRICT))
    province.prepare_partitions()
    return commune


def _where(pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _partitions_read(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return sorted(set(re.findall(rf" on ({TABLE}_p[0-9A-Za-z]+)\b", plan)))


def _in_default():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}_pdefault")
        return cursor.fetchone()[0]


def _dose(person, n=1, **values):
    return Dose(
        person=person,
        product=builders.product(),
        dose_number=n,
        kind="primary",
        given_on=date(2021, 8, n),
        **values,
    )


def test_the_table_is_partitioned_and_the_job_makes_a_new_provinces_partition(db):
    assert province.is_partitioned(connection, TABLE)
    assert TABLE in province.PARTITIONED
    top = _unit("93", kind=AdminUnit.Kind.PROVINCE)
    _unit("93001", _unit("930", top, kind=AdminUnit.Kind.DISTRICT))
    outcome = province.prepare_partitions()
    assert f"{TABLE}_p93" in outcome.created
    assert province.prepare_partitions().created == []  # idempotent


def test_every_orm_insert_path_lands_in_its_provinces_partition(world, staff, other):
    fresh = builders.person(world, staff)  # Lê Văn Tiêm, commune A (38)
    loaded = Person.objects.get(pk=Person.objects.create(full_name="B", commune=other).pk)
    saved = _dose(fresh)
    saved.save()  # the instance's code is "" (not read back): the commune's
    created = Dose.objects.create(
        person=loaded, product=builders.product(), dose_number=1, kind="primary",
        given_on=date(2021, 8, 1),
    )  # fmt: skip
    held = Dose.objects.bulk_create([_dose(fresh, 2), _dose(loaded, 2)])
    # Ids only (the demo's and the benches' shape): the codes read in one query.
    by_id = [
        Dose(person_id=p.pk, product=builders.product(), dose_number=3, kind="booster",
             given_on=date(2022, 3, 1))
        for p in (fresh, loaded)
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        Dose.objects.bulk_create(by_id)
    assert len(queries.captured_queries) == 2
    worker = make_user("tramyte.92", Role.COMMUNE_HEALTH_WORKER, other)
    recorded = services.dose_record_for_person(
        by=worker, person=loaded, dose=builders.dose(n=4, day=date(2022, 9, 1))
    ).dose
    matched = services.dose_record(
        by=staff.commune_worker_a,
        identity=builders.identity(world),
        dose=builders.dose(n=4, day=date(2022, 9, 1)),
    )
    assert matched.dose is not None
    assert [_where(d.pk) for d in (saved, created, *held, *by_id, recorded, matched.dose)] == [
        f"{TABLE}_p38", f"{TABLE}_p92", f"{TABLE}_p38", f"{TABLE}_p92",
        f"{TABLE}_p38", f"{TABLE}_p92", f"{TABLE}_p92", f"{TABLE}_p38",
    ]  # fmt: skip
    # The same dose again meets the first (the unique key names the province).
    again = services.dose_record_for_person(
        by=worker, person=loaded, dose=builders.dose(n=4, day=date(2022, 9, 1))
    )
    assert (again.created, again.dose.pk) == (False, recorded.pk)


def test_the_review_queue_resolves_into_the_persons_partition(world, staff, other):
    worker = make_user("tramyte.92", Role.COMMUNE_HEALTH_WORKER, other)
    queued = [
        services.dose_record(
            by=by,
            identity=services.Identity(full_name=name, commune=commune, birth_year=1990),
            dose=builders.dose(),
        ).review
        for by, name, commune in (
            (staff.commune_worker_a, "Hồ Văn Mới", world.commune_a),
            (worker, "Hồ Thị Mới", other),
        )
    ]
    assert all(isinstance(review, DoseReview) for review in queued)
    registered = services.review_register(by=staff.commune_worker_a, review=queued[0])
    person = Person.objects.create(full_name="Hồ Thị Mới", commune=other, birth_year=1990)
    matched = services.review_match(by=worker, review=queued[1], person=person)
    assert [_where(r.dose_id) for r in (registered, matched)] == [f"{TABLE}_p38", f"{TABLE}_p92"]
    assert _in_default() == 0


def test_the_bulk_import_lands_in_its_provinces_partition(world, staff):
    person = builders.person(world, staff)
    header = (
        "Mã bản ghi,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,CCCD,Mã xã,Vắc xin,Mũi số,Ngày tiêm"
    )
    lines = [
        "S1,Lê Văn Tiêm,1980,Nam,,038080001234,14755,Pfizer,1,11/10/2021",
        "S2,Lê Văn Tiêm,1980,Nam,,038080001234,14755,Pfizer,2,01/11/2021",
    ]
    upload = lib_imports.as_upload("mui-tiem.csv", "\n".join([header, *lines]).encode())
    by = staff.district_health_officer_a
    result = bulk.import_doses_bulk(by=by, upload=upload, mode=lib_imports.KEEP_GOOD)
    assert result.recorded == 2
    doses = list(Dose.objects.filter(person=person))
    assert [_where(d.pk) for d in doses] == [f"{TABLE}_p38"] * 2
    assert _in_default() == 0
    # A re-import of the file changes nothing (the source ids are met in the partition).
    upload = lib_imports.as_upload("mui-tiem.csv", "\n".join([header, *lines]).encode())
    again = bulk.import_doses_bulk(by=by, upload=upload, mode=lib_imports.KEEP_GOOD)
    assert (again.recorded, again.unchanged, Dose.objects.count()) == (0, 2, 2)


def test_the_demo_lands_in_its_provinces_partition(db):
    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    assert Dose.objects.filter(source=Source.IMPORTED).exists()
    assert _in_default() == 0


def test_an_insert_without_the_code_or_with_a_wrong_one_is_refused(world, other):
    """The trap the insert paths avoid: a row without the code is routed to the DEFAULT
    before the fill trigger sets 38, and PostgreSQL refuses to move it; a row with another
    province's code is routed there and 0014's statement trigger refuses it."""
    person = Person.objects.create(full_name="Lê Văn An", commune=world.commune_a)
    product = builders.product()
    for code, error in (("", "moving row to another partition"), ("92", "person''?s code")):
        with pytest.raises(DatabaseError, match=error):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {TABLE} (person_id, product_id, dose_number, kind, given_on, "
                    "site_kind, site_name, lot, source, source_id, created_at, flags, province) "
                    "VALUES (%s, %s, 1, 'primary', '2021-08-01', 'fixed', '', '', 'imported', "
                    "'', now(), '', %s)",
                    [person.pk, product.pk, code],
                )
    # A wrong code is a check violation, as before partitioning.
    with pytest.raises(IntegrityError), transaction.atomic():
        Dose.objects.bulk_create([_dose(person, province="92")])
    assert not Dose.objects.exists()


def test_a_person_moved_to_another_province_takes_their_doses(world, other):
    person = Person.objects.create(full_name="Lê Văn An", commune=world.commune_a)
    dose = Dose.objects.create(
        person=person, product=builders.product(), dose_number=1, kind="primary",
        given_on=date(2021, 8, 1),
    )  # fmt: skip
    Person.objects.filter(pk=person.pk).update(commune=other)
    assert _where(dose.pk) == f"{TABLE}_p92"
    assert Dose.objects.values_list("province", flat=True).get(pk=dose.pk) == "92"


def test_doses_pointed_at_lose_their_database_key_not_their_rules(world, staff):
    person = builders.person(world, staff)
    dose = services.dose_record_for_person(
        by=staff.commune_worker_a, person=person, dose=builders.dose()
    ).dose
    report = Aefi.objects.create(
        person=person, dose=dose, commune=world.commune_a, district=world.district_a,
        onset_at="2021-10-12T08:00:00+07:00", description="Sốt", reporter_kind="staff",
        reporter_name="Cán bộ",
    )  # fmt: skip
    dose.delete()  # Django still nulls the report's reference
    assert Aefi.objects.get(pk=report.pk).dose_id is None


def test_a_persons_doses_and_a_communes_dose_list_read_one_partition(world, staff, other):
    person = Person.objects.get(pk=builders.person(world, staff).pk)
    services.dose_record_for_person(by=staff.commune_worker_a, person=person, dose=builders.dose())
    with CaptureQueriesContext(connection) as queries:
        assert len(services.person_doses(person)) == 1
    (sql,) = [q["sql"] for q in queries.captured_queries if TABLE in q["sql"]]
    assert _partitions_read(sql) == [f"{TABLE}_p38"]
    listed = selectors.flagged_doses(staff.commune_worker_a)
    assert _partitions_read(*listed.query.sql_with_params()) == [f"{TABLE}_p38"]
    # The same read without the code reads every partition: the test can fail.
    sql, params = person.doses.all().query.sql_with_params()
    assert _partitions_read(sql, params) == [f"{TABLE}_p38", f"{TABLE}_p92", f"{TABLE}_pdefault"]
