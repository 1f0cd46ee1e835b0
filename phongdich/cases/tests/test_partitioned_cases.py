"""The cases table partitioned by province on PostgreSQL (migration 0012, issue 17 step 2):
every insert path names the code, so each case lands in its province's partition; a case
handed to another province moves, its checks with it (the composite key's cascade); the
rows pointing at a case keep Django's rules without a database key; the care queue and a
case's page of a commune read one partition; the daily job makes a new province's."""

import re
from datetime import date

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phongdich.accounts.models import Role
from phongdich.cases import rules, selectors, services
from phongdich.cases.models import Alert, Case, CaseStatus, HealthCheck
from phongdich.geo import province
from phongdich.labtests.models import Sample
from phongdich.people.models import Person
from phongdich.testing import make_user, new_province, partitioned_provinces, race, winners
from phongdich.tracing.models import Cluster, Contact

from .builders import earlier_today

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
]
TABLE = "cases_case"


@pytest.fixture
def communes(db):
    """Communes 91001 and 92001 of provinces 91 and 92, their partitions prepared."""
    return partitioned_provinces()


def _person(commune, name="Lê Văn An"):
    return Person.objects.create(full_name=name, commune=commune)


def _case(commune, person=None, **values):
    return Case(
        person=person or _person(commune),
        commune=commune,
        source="staff",
        diagnosed_on=date(2021, 8, 1),
        isolation_start=date(2021, 8, 1),
        **values,
    )


def _where(pk, table=TABLE):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
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


@pytest.mark.django_db
def test_the_table_is_partitioned_and_the_job_makes_a_new_provinces_partition():
    assert province.is_partitioned(connection, TABLE)
    assert TABLE in province.PARTITIONED
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'p'",
            [TABLE],
        )
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, province)"
    new_province("93")
    outcome = province.prepare_partitions()
    assert f"{TABLE}_p93" in outcome.created
    assert province.prepare_partitions().created == []  # idempotent


@pytest.mark.django_db
def test_every_insert_path_lands_in_its_provinces_partition(communes):
    worker = make_user("tramyte.91", Role.COMMUNE_HEALTH_WORKER, communes["91"])
    saved = _case(communes["91"])
    saved.save()  # the commune held: its code, no query
    created = Case.objects.create(
        person=_person(communes["92"]), commune=communes["92"], source="staff",
        diagnosed_on=date(2021, 8, 1), isolation_start=date(2021, 8, 1),
    )  # fmt: skip
    held = Case.objects.bulk_create([_case(communes["91"]), _case(communes["92"])])
    # Communes by id only (the demo's and the benches' shape): the codes read in one query.
    by_id = [
        Case(person=_person(communes[code]), commune_id=communes[code].pk, source="staff",
             diagnosed_on=date(2021, 8, 1), isolation_start=date(2021, 8, 1))
        for code in ("91", "92")
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        Case.objects.bulk_create(by_id)
    assert len(queries.captured_queries) == 2
    registered, _ = services.case_register(
        by=worker,
        person_data=services.PersonData(full_name="Trần Văn Bình", phone="0912000201"),
        commune=communes["91"],
        evidence=[rules.LabEvidence("pcr", True, earlier_today())],
    )
    # The lab-positive path registers the F0 in the sample's commune.
    sample, _ = services.lab_result_record(
        by=None,
        lab="CDC",
        sample_id="P-1",
        kind="pcr",
        positive=True,
        taken_at=timezone.now(),
        person_data=services.PersonData(full_name="Phạm Văn Dũng", phone="0912000111"),
        commune=communes["92"],
    )
    from_lab = Sample.objects.get(pk=sample.pk).case
    assert [_where(c.pk) for c in (saved, created, *held, *by_id, registered, from_lab)] == [
        f"{TABLE}_p91", f"{TABLE}_p92", f"{TABLE}_p91", f"{TABLE}_p92",
        f"{TABLE}_p91", f"{TABLE}_p92", f"{TABLE}_p91", f"{TABLE}_p92",
    ]  # fmt: skip
    assert _in_default() == 0


@pytest.mark.django_db
def test_the_demo_lands_in_its_provinces_partition():
    from phongdich.demo.services import build_demo

    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text, count(*) FROM {TABLE} GROUP BY 1")
        counts = dict(cursor.fetchall())
    assert set(counts) == {f"{TABLE}_p38"} and counts[f"{TABLE}_p38"] > 0


@pytest.mark.django_db
def test_an_insert_without_the_code_or_with_a_wrong_one_is_refused_not_misfiled(communes):
    """The trap the insert paths avoid: a row without the code is routed to the DEFAULT
    before the fill trigger sets 91, and PostgreSQL refuses to move it; a row with another
    province's code is routed there and refused the same way."""
    person = _person(communes["91"])
    for code in ("", "92"):
        with pytest.raises(DatabaseError, match="moving row to another partition"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {TABLE} (person_id, commune_id, province, status, source, "
                    "basis, basis_reason, is_f1, has_symptoms, has_epi_link, detection, "
                    "occupation, vaccination, comorbidities, comorbidity_stable, pregnant, "
                    "can_self_care, severity, treatment_place, home_care_eligible, "
                    "home_care_reasons, home_care_override, transfer_need, transfer_need_note, "
                    "transfer_waived, diagnosed_on, isolation_start, open_alerts, "
                    "open_danger_alerts, risk_score, self_test_photo, created_at, updated_at) "
                    "VALUES (%s, %s, %s, 'active', 'staff', '', '', false, false, false, "
                    "'community', 'other', 'none', '', false, false, true, 'mild', 'home', "
                    "true, '[]', '', '', '', '', '2021-08-01', '2021-08-01', 0, 0, 0, '', "
                    "now(), now())",
                    [person.pk, communes["91"].pk, code],
                )
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_case_handed_to_another_province_moves_with_its_checks(communes):
    case = _case(communes["91"])
    case.save()
    check = HealthCheck.objects.create(
        case=case, at=timezone.now(), source="staff", submission_key="k1"
    )
    # A model save (the handover form's path) and a queryset update both move it.
    case = Case.objects.get(pk=case.pk)
    case.commune = communes["92"]
    case.save()
    assert (_where(case.pk), _where(check.pk, "cases_healthcheck")) == (
        f"{TABLE}_p92",
        "cases_healthcheck_p92",
    )
    Case.objects.filter(pk=case.pk).update(commune=communes["91"])
    assert (_where(case.pk), _where(check.pk, "cases_healthcheck")) == (
        f"{TABLE}_p91",
        "cases_healthcheck_p91",
    )
    assert HealthCheck.objects.get(pk=check.pk).province == "91"


@pytest.mark.django_db
def test_a_check_must_name_an_existing_case_in_its_province(communes):
    """The composite key (case_id, province) -> cases_case (id, province) stands for
    Django's dropped one: a check of no case is refused."""
    case = _case(communes["91"])
    case.save()
    with pytest.raises(IntegrityError, match="cases_healthcheck_case_province_fk"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "INSERT INTO cases_healthcheck (case_id, province, at, source, symptoms, "
                "danger_signs, note, submission_key) "
                "VALUES (%s, '', now(), 'self', '[]', '[]', '', 'raw')",
                [case.pk + 1000],
            )


@pytest.mark.django_db
def test_the_rows_pointing_at_a_case_keep_their_rules_without_a_database_key(communes):
    worker = make_user("tramyte.91", Role.COMMUNE_HEALTH_WORKER, communes["91"])
    case = _case(communes["91"])
    case.save()
    alert = Alert.objects.create(case=case, kind="danger", reasons=["spo2"])
    sample = Sample.objects.create(
        person=case.person, commune=communes["91"], case=case, kind="pcr",
        taken_at=timezone.now(), barcode="FK-1",
    )  # fmt: skip
    cluster = Cluster.objects.create(
        name="Chợ", commune=communes["91"], opened_on=date(2021, 8, 1), created_by=worker
    )
    cluster.cases.add(case)
    contact = Contact.objects.create(
        person=_person(communes["91"], "Lê Thị F1"), source_case=case, commune=communes["91"],
        exposure_date=date(2021, 8, 1), setting="household",
    )  # fmt: skip
    with pytest.raises(ProtectedError):  # a listed contact still protects its source case
        case.delete()
    contact.delete()
    case.delete()
    assert not Alert.objects.filter(pk=alert.pk).exists()  # CASCADE
    assert Sample.objects.get(pk=sample.pk).case_id is None  # SET_NULL
    assert cluster.cases.count() == 0  # the M2M link rows go


def _open_keys():
    with connection.cursor() as cursor:
        cursor.execute("SELECT person_id, case_id FROM cases_case_open ORDER BY 1")
        return cursor.fetchall()


@pytest.mark.django_db
def test_one_open_case_per_person_stays_national(communes):
    """The partial unique key names the province now; the key table keeps it national: a
    second open case of a person is refused in any province, and the key follows a case's
    closing, reopening, handover and deletion."""
    person = _person(communes["91"])
    (case,) = Case.objects.bulk_create([_case(communes["91"], person)])
    for commune in (communes["91"], communes["92"]):
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.bulk_create([_case(commune, person)])
    assert _open_keys() == [(person.pk, case.pk)]
    Case.objects.filter(pk=case.pk).update(commune=communes["92"])  # a DELETE and an INSERT
    assert (_where(case.pk), _open_keys()) == (f"{TABLE}_p92", [(person.pk, case.pk)])
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.RECOVERED)
    assert _open_keys() == []
    (second,) = Case.objects.bulk_create([_case(communes["91"], person)])  # a new episode
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.ACTIVE)  # reopening both
    second.delete()
    assert _open_keys() == []


@pytest.mark.django_db(transaction=True)
def test_one_person_registered_in_two_provinces_at_once_gets_one_case():
    units = partitioned_provinces()
    person = _person(units["91"])
    workers = {
        code: make_user(f"tramyte.{code}", Role.COMMUNE_HEALTH_WORKER, units[code])
        for code in units
    }

    def register(code):
        return lambda: services.case_register(
            by=workers[code],
            person=person,
            commune=units[code],
            evidence=[rules.LabEvidence("pcr", True, earlier_today())],
        )[1]

    outcomes = race([register("91"), register("92"), register("91"), register("92")])
    assert sorted(winners(outcomes)) == [False, False, False, True]
    assert Case.objects.filter(person=person, status=CaseStatus.ACTIVE).count() == 1


@pytest.mark.django_db
def test_a_communes_queue_and_case_page_read_one_partition(communes):
    worker = make_user("tramyte.91", Role.COMMUNE_HEALTH_WORKER, communes["91"])
    case = _case(communes["91"])
    case.save()
    Alert.objects.create(case=case, kind="danger", reasons=["spo2"])
    queue = selectors.care_queue(worker)
    assert _partitions_read(*queue.query.sql_with_params()) == [f"{TABLE}_p91"]
    with CaptureQueriesContext(connection) as queries:
        assert selectors.case_get(worker, case.pk) == case
    (sql,) = [q["sql"] for q in queries.captured_queries if TABLE in q["sql"]]
    assert _partitions_read(sql) == [f"{TABLE}_p91"]
    # Alerts reached through their case name its code (scope_to_jurisdiction).
    alerts = selectors.cases_alerts_visible(worker)
    assert _partitions_read(*alerts.query.sql_with_params()) == [f"{TABLE}_p91"]
    # A lookup by id alone (the F0 reference code) probes every partition: the test can fail.
    sql, params = Case.objects.filter(pk=case.pk).query.sql_with_params()
    assert _partitions_read(sql, params) == [
        f"{TABLE}_p38",
        f"{TABLE}_p91",
        f"{TABLE}_p92",
        f"{TABLE}_pdefault",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_migration_reverses_and_applies_again():
    units = partitioned_provinces()
    case = _case(units["91"])
    case.save()
    check = HealthCheck.objects.create(
        case=case, at=timezone.now(), source="staff", submission_key="k1"
    )
    try:
        call_command("migrate", "cases", "0011", verbosity=0)
        assert not province.is_partitioned(connection, TABLE)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_constraint WHERE confrelid = %s::regclass", [TABLE]
            )
            # Django's keys into the table are back (alerts, checks, samples, contacts, …).
            assert cursor.fetchone()[0] >= 12
            cursor.execute(f"SELECT province FROM {TABLE} WHERE id = %s", [case.pk])
            assert cursor.fetchone() == ("91",)
            cursor.execute("SELECT to_regclass('cases_case_open')")
            assert cursor.fetchone()[0] is None
    finally:
        call_command("migrate", verbosity=0)
    assert province.is_partitioned(connection, TABLE)
    assert _where(case.pk) == f"{TABLE}_p91"
    assert _where(check.pk, "cases_healthcheck") == "cases_healthcheck_p91"
    assert _open_keys() == [(case.person_id, case.pk)]  # the key table filled again
    assert Case.objects.create(
        person=_person(units["92"]), commune=units["92"], source="staff",
        diagnosed_on=date(2021, 8, 1), isolation_start=date(2021, 8, 1),
    ).pk > case.pk  # fmt: skip
