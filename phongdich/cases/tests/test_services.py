from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from phongdich.cases import rules, services
from phongdich.cases.models import Alert, Case, CaseStatus, HealthCheck
from phongdich.cases.selectors import case_summary_for_person
from phongdich.cases.signals import danger_alert_raised
from phongdich.facilities.models import Facility
from phongdich.labtests.models import Sample
from phongdich.people.models import Person

from .builders import make_case, submit


def test_it_registers_a_pcr_case_as_active_and_eligible_for_home_care(world, staff):
    case = make_case(world, staff.commune_worker_a)
    assert case.status == CaseStatus.ACTIVE
    assert case.basis == "pcr"
    assert case.home_care_eligible
    assert case.isolation_start == timezone.localdate() or case.isolation_start


def test_it_never_duplicates_a_person_or_an_open_case(world, staff):
    first = make_case(world, staff.commune_worker_a, id_number="038080000123")
    second, created = services.case_register(
        by=staff.commune_worker_a,
        person_data=services.PersonData(full_name="Nguyen Van An", id_number="038080000123"),
        commune=world.commune_a,
        evidence=[rules.LabEvidence("pcr", True, timezone.now())],
    )
    assert not created and second.pk == first.pk
    assert Person.objects.filter(id_number="038080000123").count() == 1
    assert Case.objects.count() == 1


def test_it_leaves_an_unsupervised_self_test_pending_with_the_reason(world, staff):
    case = services.case_self_declare(
        full_name="Lê Thị Bình",
        birth_year=1990,
        phone="0987654321",
        commune=world.commune_a,
        tested_at=timezone.now(),
    )
    assert case.status == CaseStatus.PENDING
    assert "giám sát" in case.basis_reason
    with pytest.raises(ValidationError):
        services.case_verify(
            by=staff.commune_worker_a,
            case=case,
            is_f1=False,
            has_symptoms=False,
            has_epi_link=False,
            rat_supervised=True,
        )
    services.case_verify(
        by=staff.commune_worker_a,
        case=case,
        is_f1=True,
        has_symptoms=False,
        has_epi_link=False,
        rat_supervised=True,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE and case.basis == "f1_rat"


def test_it_raises_a_danger_alert_for_spo2_95_and_counts_it(world, staff):
    case = make_case(world, staff.commune_worker_a)
    outcome = submit(case, spo2=95)
    assert outcome.alert is not None and outcome.alert.kind == Alert.Kind.DANGER
    case.refresh_from_db()
    assert case.open_danger_alerts == 1 and case.open_alerts == 1
    assert case.last_check_at is not None


def test_it_records_no_alert_for_spo2_97(world, staff):
    case = make_case(world, staff.commune_worker_a)
    outcome = submit(case, spo2=97, respiratory_rate=18)
    assert outcome.alert is None
    assert Alert.objects.count() == 0


def test_a_double_submitted_check_creates_one_record(world, staff):
    case = make_case(world, staff.commune_worker_a)
    first = submit(case, key="same", spo2=95)
    again = submit(case, key="same", spo2=95)
    assert first.created and not again.created
    assert HealthCheck.objects.filter(case=case).count() == 1
    assert Alert.objects.filter(case=case).count() == 1


def test_it_sends_the_danger_signal_and_emails_on_commit(
    world, staff, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    staff.care_team_a.email = "chamsoc.a@example.org"
    staff.care_team_a.save()
    case = make_case(world, staff.commune_worker_a)
    received = []

    def listener(sender, alert, case, **kwargs):
        received.append((sender, alert.pk, case.pk))

    danger_alert_raised.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            outcome = submit(case, respiratory_rate=24)
        assert received == [(Alert, outcome.alert.pk, case.pk)]
    finally:
        danger_alert_raised.disconnect(listener)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["chamsoc.a@example.org"]
    assert case.person.full_name not in mailoutbox[0].body  # no health data by email


def test_it_walks_alerts_through_their_states_once(world, staff):
    case = make_case(world, staff.commune_worker_a)
    alert = submit(case, spo2=90).alert
    services.alert_move(by=staff.care_team_a, alert=alert, action="acknowledge")
    case.refresh_from_db()
    assert case.open_alerts == 1
    services.alert_move(
        by=staff.care_team_a, alert=alert, action="resolve", note="đã gọi", outcome="called"
    )
    case.refresh_from_db()
    assert case.open_alerts == 0 and case.open_danger_alerts == 0
    with pytest.raises(ValidationError):
        services.alert_move(by=staff.care_team_a, alert=alert, action="escalate")


def test_it_raises_no_contact_alerts_after_the_gap_once(world, staff, settings):
    settings.CASES_NO_CONTACT_HOURS = 14
    quiet = make_case(world, staff.commune_worker_a)
    talking = make_case(world, staff.commune_worker_a, name="Trần Thị Cúc")
    now = timezone.now()
    Case.objects.filter(pk=quiet.pk).update(last_check_at=now - timedelta(hours=14, minutes=1))
    Case.objects.filter(pk=talking.pk).update(last_check_at=now - timedelta(hours=13))
    assert services.alerts_scan_no_contact(now=now) == 1
    assert services.alerts_scan_no_contact(now=now) == 0  # one open alert is enough
    quiet.refresh_from_db()
    assert quiet.open_alerts == 1
    submit(quiet, key="back", spo2=98)  # contact is back: the alert closes itself
    quiet.refresh_from_db()
    assert quiet.open_alerts == 0


def test_the_scan_command_uses_the_setting(world, staff, settings):
    from django.core.management import call_command

    settings.CASES_NO_CONTACT_HOURS = 1
    case = make_case(world, staff.commune_worker_a)
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(hours=2))
    call_command("cases_scan_no_contact")
    assert Alert.objects.filter(case=case, kind=Alert.Kind.NO_CONTACT).count() == 1


def test_it_transfers_and_moves_beds_with_the_patient(world, staff):
    hospital = Facility.objects.create(
        name="BV Đa khoa tỉnh", kind="tier2", unit=world.district_a, beds_total=3
    )
    case = make_case(world, staff.commune_worker_a)
    alert = submit(case, spo2=92).alert
    services.case_transfer(
        by=staff.commune_worker_a,
        case=case,
        to_place="tier2",
        facility=hospital,
        reason="SpO2 92",
        alert=alert,
    )
    hospital.refresh_from_db()
    case.refresh_from_db()
    alert.refresh_from_db()
    assert hospital.beds_occupied == 1
    assert case.treatment_place == "tier2" and case.status == CaseStatus.TRANSFERRED
    assert alert.status == Alert.Status.ESCALATED and case.open_alerts == 0


def test_it_refuses_a_facility_without_free_beds(world, staff):
    full = Facility.objects.create(
        name="Khu cách ly", kind="isolation", unit=world.commune_a, beds_total=1, beds_occupied=1
    )
    case = make_case(world, staff.commune_worker_a)
    with pytest.raises(ValidationError):
        services.case_transfer(
            by=staff.commune_worker_a, case=case, to_place="isolation", facility=full, reason="x"
        )


def test_it_releases_only_when_250_allows_and_issues_a_certificate_code(world, staff):
    case = make_case(world, staff.commune_worker_a, vaccination="full")
    with pytest.raises(ValidationError):
        services.case_release(by=staff.commune_worker_a, case=case)
    start = timezone.localdate() - timedelta(days=7)
    Case.objects.filter(pk=case.pk).update(isolation_start=start, diagnosed_on=start)
    case.refresh_from_db()
    services.case_release(
        by=staff.commune_worker_a, case=case, negative_rat_on=timezone.localdate()
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RECOVERED
    assert len(case.certificate_code) >= 20


def test_it_records_deaths_and_moves_the_dossier_forward_only(world, staff):
    case = make_case(world, staff.commune_worker_a)
    death = services.case_death_record(
        by=staff.commune_worker_a,
        case=case,
        died_on=timezone.localdate(),
        place="BV tỉnh",
        cause="Suy hô hấp",
        pcr_confirmed=True,
    )
    with pytest.raises(ValidationError):
        services.death_dossier_advance(by=staff.commune_worker_a, death=death, status="paid")
    for step in ("collected", "sent", "paid"):
        services.death_dossier_advance(by=staff.commune_worker_a, death=death, status=step)
    assert death.dossier_status == "paid"
    case.refresh_from_db()
    assert case.status == CaseStatus.DIED


def test_lab_results_are_idempotent_on_the_sample_id(world, staff):
    def post():
        return services.lab_result_record(
            by=staff.province_health_officer,
            lab="CDC",
            sample_id="S-1",
            kind="pcr",
            positive=True,
            taken_at=timezone.now(),
            person_data=services.PersonData(full_name="Phạm Văn Dũng", phone="0912000111"),
            commune=world.commune_b,
        )

    first, created = post()
    again, created_again = post()
    assert created and not created_again and first.pk == again.pk
    assert Sample.objects.count() == 1 and Case.objects.count() == 1


def test_case_summary_for_person_follows_the_contract(world, staff):
    case = make_case(world, staff.commune_worker_a)
    submit(case, spo2=94)
    summary = case_summary_for_person(case.person)
    assert set(summary) == {
        "case_id",
        "status",
        "status_label",
        "severity",
        "commune_id",
        "severity_label",
        "open_alerts",
        "open_danger_alerts",
        "last_check_at",
        "place_label",
        "facility_name",
        "days_since_onset",
        "transfer_need_label",
        "url",
    }
    assert summary["case_id"] == case.pk and summary["open_danger_alerts"] == 1
    # No identifiers reach the hotline through the summary.
    assert not {"id_number", "phone", "address", "full_name"} & set(summary)
    assert summary["url"] == f"/cases/{case.pk}/"
    services.case_death_record(
        by=staff.commune_worker_a,
        case=case,
        died_on=date.today(),
        place="nhà",
        cause="x",
        pcr_confirmed=False,
    )
    assert case_summary_for_person(case.person) is None


def test_the_daily_report_counts_only_pcr_confirmed_deaths(world, staff):
    today = timezone.localdate()
    make_case(world, staff.commune_worker_a, detection="screening", occupation="teacher")
    make_case(world, staff.commune_worker_b, commune=world.commune_b, name="Hà Văn Em")
    dead = make_case(world, staff.commune_worker_a, name="Đỗ Thị Gấm")
    services.case_death_record(
        by=staff.commune_worker_a,
        case=dead,
        died_on=today,
        place="x",
        cause="y",
        pcr_confirmed=False,
    )
    report = services.daily_report_draft(
        by=staff.province_health_officer, unit=world.province, day=today
    )
    f = report.figures
    assert f["new_total"] == 3 and f["new_screening"] == 1
    assert f["screening_share_percent"] == pytest.approx(33.3)
    assert f["deaths_pcr_confirmed"] == 0 and f["deaths_not_confirmed"] == 1
    assert dict(f["new_by_district"]) == {"Thành phố Thanh Hóa": 2, "Thị xã Bỉm Sơn": 1}
    assert f["new_by_occupation"]["teacher"] == 1
    assert f["active_by_place"]["home"] == 2
    services.daily_report_publish(by=staff.province_health_officer, report=report, commentary="ok")
    with pytest.raises(ValidationError):
        services.daily_report_draft(
            by=staff.province_health_officer, unit=world.province, day=today
        )
