"""The province code on the large tables (geo.province, issue 17): every insert path fills
it, a move follows, the backfill recomputes, and the province pages' queries name it."""

from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from phongdich.cases.models import Case, HealthCheck
from phongdich.geo import province
from phongdich.geo.models import AdminUnit
from phongdich.labtests.models import Sample
from phongdich.people.models import Person
from phongdich.quarantine.models import Quarantine
from phongdich.tracing.models import Contact
from phongdich.vaccination.models import Dose, VaccineProduct

pytestmark = pytest.mark.django_db


def _unit(code, parent=None, kind=AdminUnit.Kind.COMMUNE):
    path = (parent.path if parent else "/") + code + "/"
    return AdminUnit.objects.create(code=code, name=f"Đơn vị {code}", kind=kind, parent=parent,
                                    path=path)


@pytest.fixture
def two_provinces():
    """Province 91 with commune 91001, province 92 with commune 92001."""
    units = {}
    for code in ("91", "92"):
        top = _unit(code, kind=AdminUnit.Kind.PROVINCE)
        district = _unit(f"{code}0", top, kind=AdminUnit.Kind.DISTRICT)
        units[code] = _unit(f"{code}001", district)
    return units


def _code(model, pk):
    return model.objects.values_list("province", flat=True).get(pk=pk)


def test_model_save_fills_the_code_from_the_commune(two_provinces):
    person = Person.objects.create(full_name="Lê Văn An", commune=two_provinces["91"])
    assert _code(Person, person.pk) == "91"


def test_bulk_create_and_raw_sql_fill_it_too(two_provinces):
    Person.objects.bulk_create(
        [Person(full_name="A", commune=two_provinces["92"]), Person(full_name="B")]
    )
    # A loader's own SQL, naming neither the code nor its default (like the bulk imports).
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO people_person (full_name, name_key, given_key, sex, phone, address, "
            "commune_id, id_number, claimed_id_number, created_at, updated_at) "
            "VALUES ('C', 'c', 'c', '', '', '', %s, NULL, '', %s, %s)",
            [two_provinces["91"].pk, timezone.now(), timezone.now()],
        )
    assert dict(Person.objects.values_list("full_name", "province")) == {
        "A": "92", "B": "", "C": "91"
    }


def test_a_stale_instance_saved_again_cannot_write_a_wrong_code(two_provinces):
    person = Person.objects.create(full_name="Lê Văn An", commune=two_provinces["91"])
    person.province = "99"  # what a stale or careless writer would send
    person.save()
    assert _code(Person, person.pk) == "91"


def test_moving_a_person_moves_the_code_and_their_doses_follow(two_provinces):
    person = Person.objects.create(full_name="Lê Văn An", commune=two_provinces["91"])
    product = VaccineProduct.objects.first() or VaccineProduct.objects.create(
        code="TEST", name="Test"
    )
    dose = Dose.objects.create(
        person=person, product=product, dose_number=1, kind="primary", given_on=date(2021, 8, 1)
    )
    assert _code(Dose, dose.pk) == "91"
    person.commune = two_provinces["92"]
    person.save()
    assert _code(Person, person.pk) == "92"
    assert _code(Dose, dose.pk) == "92"


def test_cases_checks_samples_contacts_quarantines(two_provinces):
    commune = two_provinces["92"]
    person = Person.objects.create(full_name="Lê Văn An", commune=commune)
    case = Case.objects.create(
        person=person, commune=commune, diagnosed_on=date(2021, 8, 1),
        isolation_start=date(2021, 8, 1),
    )
    check = HealthCheck.objects.create(
        case=case, at=timezone.now(), source="staff", submission_key="k1"
    )
    sample = Sample.objects.create(
        person=person, barcode="B1", kind="pcr", reason="f1", commune=commune,
        taken_at=timezone.now(),
    )
    contact = Contact.objects.create(
        person=person, source_case=case, commune=commune, exposure_date=date(2021, 8, 1),
        setting="household",
    )
    quarantine = Quarantine.objects.create(
        person=person, commune=commune, basis="f1", place="home",
        exposure_date=date(2021, 8, 1), start_date=date(2021, 8, 1),
        planned_end=date(2021, 8, 8), monitoring_end=date(2021, 8, 15),
    )
    assert [
        _code(Case, case.pk), _code(HealthCheck, check.pk), _code(Sample, sample.pk),
        _code(Contact, contact.pk), _code(Quarantine, quarantine.pk),
    ] == ["92"] * 5
    # The case moves to another province's commune: its checks follow.
    Case.objects.filter(pk=case.pk).update(commune=two_provinces["91"])
    assert _code(Case, case.pk) == "91"
    assert _code(HealthCheck, check.pk) == "91"


def test_backfill_recomputes_codes_in_batches(two_provinces):
    """A geography reload that re-parents a commune (the 2025 dataset) leaves its rows'
    codes behind: the backfill (`manage.py fill_province`) recomputes them."""
    people = Person.objects.bulk_create(
        [Person(full_name=f"N {i}", commune=two_provinces["91"]) for i in range(5)]
    )
    district = two_provinces["92"].parent
    AdminUnit.objects.filter(pk=two_provinces["91"].pk).update(
        parent=district, path=district.path + "91001/"
    )
    assert set(Person.objects.values_list("province", flat=True)) == {"91"}
    assert province.backfill(province.PEOPLE, batch=2) == len(people)
    assert set(Person.objects.values_list("province", flat=True)) == {"92"}
    assert province.backfill(province.PEOPLE, batch=2) == 0  # nothing left to change


# --- the province pages name the code --------------------------------------------------------


def _admin(unit):
    from phongdich.accounts.models import Role
    from phongdich.testing import make_user

    return make_user(f"admin{unit.code}", Role.PROVINCE_ADMIN, unit)


def test_scoped_reads_name_the_province_and_see_only_their_own(two_provinces):
    from phongdich.people.selectors import people_visible_to

    Person.objects.create(full_name="Lê Văn An", commune=two_provinces["91"])
    Person.objects.create(full_name="Lê Văn Bình", commune=two_provinces["92"])
    admin = _admin(two_provinces["91"].parent.parent)
    visible = people_visible_to(admin)
    assert '"people_person"."province" = ' in str(visible.query)
    assert [p.full_name for p in visible] == ["Lê Văn An"]


def test_scope_through_another_unit_does_not_filter_on_the_code(two_provinces):
    """Contacts are seen through their own commune OR the source's: the code (the contact's
    commune's) must not hide a contact another province's F0 listed."""
    from phongdich.accounts.permissions import scope_to_jurisdiction

    admin = _admin(two_provinces["91"].parent.parent)
    qs = scope_to_jurisdiction(Contact.objects.all(), admin, "source_commune")
    assert '"province" = ' not in str(qs.query)


@pytest.fixture
def partitioned_copies():
    """Temporary partitioned copies of the coded tables (by province: 91, 92, default),
    which shadow the real ones in this session (pg_temp comes first on the search path),
    so EXPLAIN shows which partitions a page's own SQL would read once they are
    partitioned (docs/operations.md, step 2)."""
    if connection.vendor != "postgresql":
        pytest.skip("partition pruning is PostgreSQL's")
    tables = list(dict.fromkeys(spec.table for spec in province.ALL))
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"CREATE TEMP TABLE {table} (LIKE public.{table} INCLUDING DEFAULTS) "
                "PARTITION BY LIST (province)"
            )
            for code in ("91", "92"):
                cursor.execute(
                    f"CREATE TEMP TABLE {table}_p{code} PARTITION OF {table} "
                    f"FOR VALUES IN ('{code}')"
                )
            cursor.execute(f"CREATE TEMP TABLE {table}_pdefault PARTITION OF {table} DEFAULT")
    yield
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TABLE pg_temp.{table}")


def _partitions_read(qs, table):
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return sorted({word for word in plan.replace("(", " ").split() if word.startswith(
        f"{table}_p")})


def test_province_pages_read_one_partition(two_provinces, partitioned_copies):
    from phongdich.cases.selectors import care_queue
    from phongdich.labtests.selectors import samples_visible_to
    from phongdich.people.selectors import people_visible_to
    from phongdich.quarantine.selectors import quarantines_visible_to
    from phongdich.vaccination.selectors import doses_visible_to

    admin = _admin(two_provinces["91"].parent.parent)
    commune_worker = _admin(two_provinces["91"])  # a commune's scope: the same partition
    pages = {
        "people_person": people_visible_to(admin).filter(name_key__startswith="le van")
        .order_by("name_key", "pk")[:50],
        "cases_case": care_queue(admin),
        "labtests_sample": samples_visible_to(commune_worker).order_by("-taken_at")[:100],
        "vaccination_dose": doses_visible_to(admin),
        "quarantine_quarantine": quarantines_visible_to(admin),
    }
    for table, qs in pages.items():
        assert _partitions_read(qs, table) == [f"{table}_p91"], table
    # The same page without the code reads every partition: the test can fail.
    unfiltered = Person.objects.filter(commune__in=AdminUnit.objects.filter(
        path__startswith=two_provinces["91"].path).values("pk"))
    assert len(_partitions_read(unfiltered, "people_person")) == 3


def test_fill_province_command_reports_each_table(two_provinces):
    from io import StringIO

    from django.core.management import call_command

    Person.objects.create(full_name="Lê Văn An", commune=two_provinces["91"])
    out = StringIO()
    call_command("fill_province", stdout=out)
    assert "people_person: 0 rows changed" in out.getvalue()
    assert len(out.getvalue().splitlines()) == len(province.ALL)


def test_read_subjects_take_their_events_province(two_provinces):
    """Loaded or not, the reader's unit decides the code of the event and of its subjects
    (they sit together when both tables are distributed by province)."""
    from phongdich.accounts.models import User
    from phongdich.audit.models import AuditEvent, AuditReadSubject
    from phongdich.audit.services import audit_read_many

    people = [Person.objects.create(full_name=f"N {i}", commune=two_provinces["92"])
              for i in range(2)]
    reader = _admin(two_provinces["92"].parent.parent)
    audit_read_many(actor=reader, action="people.search", records=people)
    unloaded = User.objects.get(pk=reader.pk)  # jurisdiction not loaded: SQL lookup
    audit_read_many(actor=unloaded, action="people.list", records=people[:1])
    assert set(AuditEvent.objects.values_list("province", flat=True)) == {"92"}
    assert list(AuditReadSubject.objects.values_list("province", flat=True)) == ["92"] * 3
