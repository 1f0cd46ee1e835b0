"""The health checks table partitioned by province on PostgreSQL (migration 0011, issue 17
step 2): every insert path names the code, so each check lands in its province's
partition; a case's checks read one partition; the daily job makes a new province's."""

import re
from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phongdich.cases import selectors, services
from phongdich.cases.models import Alert, Case, HealthCheck
from phongdich.geo import province
from phongdich.geo.models import AdminUnit
from phongdich.people.models import Person

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
]


def _unit(code, parent=None, kind=AdminUnit.Kind.COMMUNE):
    path = (parent.path if parent else "/") + code + "/"
    return AdminUnit.objects.create(
        code=code, name=f"Đơn vị {code}", kind=kind, parent=parent, path=path
    )


@pytest.fixture
def communes():
    """Communes 91001 and 92001 of provinces 91 and 92, their partitions prepared."""
    units = {}
    for code in ("91", "92"):
        top = _unit(code, kind=AdminUnit.Kind.PROVINCE)
        units[code] = _unit(f"{code}001", _unit(f"{code}0", top, kind=AdminUnit.Kind.DISTRICT))
    province.prepare_partitions()
    return units


def _case(commune, name="Lê Văn An"):
    person = Person.objects.create(full_name=name, commune=commune)
    return Case.objects.create(
        person=person,
        commune=commune,
        diagnosed_on=date(2021, 8, 1),
        isolation_start=date(2021, 8, 1),
    )


def _where(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM cases_healthcheck WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _partitions_read(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return sorted(set(re.findall(r" on (cases_healthcheck_p\w+)", plan)))


def test_the_table_is_partitioned_and_the_job_makes_a_new_provinces_partition():
    assert province.is_partitioned(connection, "cases_healthcheck")
    top = _unit("93", kind=AdminUnit.Kind.PROVINCE)
    _unit("93001", _unit("930", top, kind=AdminUnit.Kind.DISTRICT))
    outcome = province.prepare_partitions()
    # The samples', contacts' and quarantines' partitions too (labtests 0012, tracing 0004,
    # quarantine 0006): the job prepares every partitioned table.
    assert outcome.created == [
        "cases_healthcheck_p93",
        "vaccination_dose_p93",
        "audit_auditreadsubject_p93",
        "labtests_sample_p93",
        "tracing_contact_p93",
        "quarantine_quarantine_p93",
        "cases_case_p93",
    ]
    assert province.prepare_partitions().created == []  # idempotent


def test_every_insert_path_lands_in_its_provinces_partition(communes):
    fresh = _case(communes["91"])  # province not read back: taken from the commune
    loaded = Case.objects.get(pk=_case(communes["92"], "Lê Thị Bình").pk)
    saved = HealthCheck.objects.create(
        case=fresh, at=timezone.now(), source="staff", submission_key="k1"
    )
    submitted = services.check_submit(case=loaded, submission_key="k2", spo2=98).check
    bulk = HealthCheck.objects.bulk_create(
        [
            HealthCheck(case=case, at=timezone.now(), source="self", submission_key="k3")
            for case in (fresh, loaded)
        ]
    )
    assert [_where(c.pk) for c in (saved, submitted, *bulk)] == [
        "cases_healthcheck_p91",
        "cases_healthcheck_p92",
        "cases_healthcheck_p91",
        "cases_healthcheck_p92",
    ]
    # A double submit still finds the first check (the unique key names the province).
    again = services.check_submit(case=loaded, submission_key="k2", spo2=98)
    assert (again.created, again.check.pk) == (False, submitted.pk)


def test_a_danger_check_raises_its_alert_without_a_database_key(communes):
    case = Case.objects.get(pk=_case(communes["91"]).pk)
    outcome = services.check_submit(case=case, submission_key="k1", spo2=90)
    assert outcome.alert is not None
    assert Alert.objects.get(pk=outcome.alert.pk).health_check_id == outcome.check.pk
    outcome.check.delete()  # Django still nulls the alert's reference
    assert Alert.objects.get(pk=outcome.alert.pk).health_check_id is None


def test_an_insert_without_the_code_is_refused_not_misfiled(communes):
    """The trap the insert paths avoid: a row without the code is routed to the DEFAULT
    before the trigger sets 91, and PostgreSQL refuses to move it. The trigger stays as
    the check that every writer names the right code."""
    case = _case(communes["91"])
    for code in ("", "92"):
        with pytest.raises(DatabaseError, match="moving row to another partition"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO cases_healthcheck (case_id, province, at, source, symptoms, "
                    "danger_signs, note, submission_key) "
                    "VALUES (%s, %s, now(), 'self', '[]', '[]', '', 'raw')",
                    [case.pk, code],
                )


def test_a_case_handed_to_another_province_moves_its_checks(communes):
    case = _case(communes["91"])
    check = HealthCheck.objects.create(
        case=case, at=timezone.now(), source="staff", submission_key="k1"
    )
    Case.objects.filter(pk=case.pk).update(commune=communes["92"])
    assert _where(check.pk) == "cases_healthcheck_p92"
    assert HealthCheck.objects.get(pk=check.pk).province == "92"


def test_a_cases_checks_read_one_partition(communes):
    case = Case.objects.get(pk=_case(communes["91"]).pk)
    HealthCheck.objects.create(case=case, at=timezone.now(), source="staff", submission_key="k")
    with CaptureQueriesContext(connection) as queries:
        assert len(selectors.case_checks(case)) == 1
    (sql,) = [q["sql"] for q in queries.captured_queries if "cases_healthcheck" in q["sql"]]
    assert _partitions_read(sql) == ["cases_healthcheck_p91"]
    # The same read without the code reads every partition: the test can fail.
    sql, params = case.checks.all().query.sql_with_params()
    assert _partitions_read(sql, params) == [
        "cases_healthcheck_p38",
        "cases_healthcheck_p91",
        "cases_healthcheck_p92",
        "cases_healthcheck_pdefault",
    ]
