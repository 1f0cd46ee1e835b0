"""Pages: jurisdiction boundaries, the queue, staff actions, and the citizen pages."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from phongdich.cases import services
from phongdich.cases.models import Alert, Case, CaseStatus, DailyReport, HealthCheck
from phongdich.facilities.models import Facility
from phongdich.testing import PASSWORD

from .builders import make_case, submit


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    cache.clear()


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def recovered_case(world, staff):
    case = make_case(world, staff.commune_worker_b, commune=world.commune_b, vaccination="full")
    start = timezone.localdate() - timedelta(days=10)
    Case.objects.filter(pk=case.pk).update(isolation_start=start, diagnosed_on=start)
    case.refresh_from_db()
    return services.case_release(by=staff.commune_worker_b, case=case)


# Every case-scoped page, with how to call it.
CASE_PAGES = [
    ("get", "cases:detail"),
    ("post", "cases:check_new"),
    ("post", "cases:link_issue"),
    ("post", "cases:link_send"),
    ("post", "cases:verify"),
    ("post", "cases:home_care_override"),
    ("get", "cases:transfer"),
    ("post", "cases:release"),
    ("get", "cases:death"),
    ("post", "cases:dossier"),
    ("post", "cases:medicine_bag"),
    ("post", "cases:mobile_visit"),
    ("get", "cases:photo"),
    ("get", "cases:certificate"),
]


@pytest.mark.parametrize("method,name", CASE_PAGES)
def test_a_commune_worker_gets_404_on_another_communes_case(client, world, staff, method, name):
    case = (
        recovered_case(world, staff)
        if name == "cases:certificate"
        else make_case(world, staff.commune_worker_b, commune=world.commune_b)
    )
    login(client, staff.commune_worker_a)
    response = getattr(client, method)(reverse(name, args=[case.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("method,name", CASE_PAGES)
def test_anonymous_users_are_sent_to_login(client, world, staff, method, name):
    case = make_case(world, staff.commune_worker_a)
    response = getattr(client, method)(reverse(name, args=[case.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", ["cases:queue", "cases:register", "cases:import", "cases:reports"])
def test_staff_lists_need_login_and_a_role(client, world, staff, name):
    assert client.get(reverse(name)).status_code == 302
    login(client, staff.checkpoint_officer)
    assert client.get(reverse(name)).status_code == 403


def test_an_alert_of_another_commune_is_404(client, world, staff):
    case = make_case(world, staff.commune_worker_b, commune=world.commune_b)
    alert = submit(case, spo2=90).alert
    login(client, staff.care_team_a)
    response = client.post(reverse("cases:alert_action", args=[alert.pk]), {"action": "resolve"})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


def test_the_outsider_sees_an_empty_queue(client, world, staff):
    make_case(world, staff.commune_worker_a)
    login(client, staff.outsider)
    response = client.get(reverse("cases:queue"))
    assert response.status_code == 200
    assert "Nguyễn Văn An" not in response.content.decode()


def test_the_queue_puts_danger_first_then_silence_then_risk(
    client, world, staff, django_assert_max_num_queries
):
    now = timezone.now()
    recent = make_case(world, staff.commune_worker_a, name="Người Gần Đây")
    silent = make_case(world, staff.commune_worker_a, name="Người Im Lặng")
    risky = make_case(world, staff.commune_worker_a, name="Người Nguy Cơ", birth_year=1950)
    danger = make_case(world, staff.commune_worker_a, name="Người Nguy Hiểm")
    Case.objects.filter(pk=recent.pk).update(last_check_at=now)
    Case.objects.filter(pk=silent.pk).update(last_check_at=now - timedelta(hours=10))
    Case.objects.filter(pk=risky.pk).update(last_check_at=now)
    submit(danger, spo2=93)
    Case.objects.filter(pk=danger.pk).update(last_check_at=now)
    other = make_case(world, staff.commune_worker_b, commune=world.commune_b, name="Người Xã B")
    login(client, staff.care_team_a)
    # +3 for the read audit: the reader's last event, the event, its subjects
    with django_assert_max_num_queries(11):
        response = client.get(reverse("cases:queue"))
    html = response.content.decode()
    order = [html.index(c.person.full_name) for c in (danger, silent, risky, recent)]
    assert order == sorted(order)
    assert other.person.full_name not in html
    assert 'hx-trigger="every 15s"' in html


def test_the_queue_query_count_does_not_grow_with_cases(
    client, world, staff, django_assert_max_num_queries
):
    for i in range(30):
        case = make_case(world, staff.commune_worker_a, name=f"Người Số {i}")
        if i % 3 == 0:
            submit(case, key=f"k{i}", spo2=95)
    login(client, staff.care_team_a)
    # +3 for the read audit: the reader's last event, the event, its subjects
    with django_assert_max_num_queries(11):
        response = client.get(reverse("cases:queue"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # the htmx partial, not the page


def test_the_care_team_acknowledges_from_the_queue(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    alert = submit(case, spo2=95).alert
    login(client, staff.care_team_a)
    response = client.post(
        reverse("cases:alert_action", args=[alert.pk]),
        {"action": "acknowledge"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED and alert.handled_by == staff.care_team_a


def test_staff_register_a_case_through_the_form(client, world, staff):
    login(client, staff.commune_worker_a)
    response = client.post(
        reverse("cases:register"),
        {
            "full_name": "Lò Văn Hải",
            "birth_year": "1975",
            "phone": "0912 345 678",
            "commune": world.commune_a.pk,
            "test_kind": "rat",
            "tested_at": (timezone.localtime() - timedelta(hours=1)).strftime("%d/%m/%Y %H:%M"),
            "rat_by": "health_staff",
            "is_f1": "on",
            "detection": "community",
            "occupation": "worker",
            "vaccination": "full",
            "can_self_care": "on",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.basis == "f1_rat" and case.status == CaseStatus.ACTIVE
    assert case.samples.count() == 1


def test_staff_cannot_register_in_another_commune(client, world, staff):
    login(client, staff.commune_worker_a)
    response = client.post(
        reverse("cases:register"),
        {"full_name": "X", "birth_year": "1990", "commune": world.commune_b.pk, "test_kind": "pcr"},
    )
    assert response.status_code == 200 and Case.objects.count() == 0


def test_staff_enter_a_check_after_a_call(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    login(client, staff.care_team_a)
    client.post(
        reverse("cases:check_new", args=[case.pk]),
        {"submission_key": "abc", "spo2": "98", "respiratory_rate": "18"},
    )
    check = HealthCheck.objects.get()
    assert check.source == "staff" and check.entered_by == staff.care_team_a


def test_the_transfer_page_shows_tier_and_free_beds(client, world, staff):
    Facility.objects.create(
        name="BV Phổi", kind="tier3", unit=world.district_b, beds_total=40, beds_occupied=15
    )
    case = make_case(world, staff.commune_worker_a)
    login(client, staff.commune_worker_a)
    html = client.get(reverse("cases:transfer", args=[case.pk])).content.decode()
    assert "BV Phổi" in html and "25/40" in html and "tầng 3" in html


def test_the_recovery_certificate_is_a_pdf_and_verifies_publicly(client, world, staff):
    case = recovered_case(world, staff)
    login(client, staff.commune_worker_b)
    response = client.get(reverse("cases:certificate", args=[case.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.logout()
    good = client.get(reverse("cases:certificate_verify", args=[case.certificate_code]))
    assert good.status_code == 200 and case.person.full_name in good.content.decode()
    bad = client.get(reverse("cases:certificate_verify", args=["x" * 22]))
    assert bad.status_code == 404 and case.person.full_name not in bad.content.decode()


def test_the_personal_link_form_raises_an_alert_at_once(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    _link, raw = services.case_link_issue(by=staff.commune_worker_a, case=case)
    url = reverse("cases:check_form", args=[raw])
    page = client.get(url)
    assert page.status_code == 200
    key = page.context["form"].initial["submission_key"]
    data = {"submission_key": key, "spo2": "95", "symptoms": ["cough"]}
    done = client.post(url, data)
    client.post(url, data)  # the same form sent twice
    assert "SpO2 95%" in done.content.decode()
    assert HealthCheck.objects.filter(case=case).count() == 1
    assert Alert.objects.filter(case=case, kind="danger", status="open").count() == 1


def test_one_link_cannot_flood_the_queue(client, world, staff, settings):
    settings.CASES_CHECK_LINK_LIMIT = 3
    case = make_case(world, staff.commune_worker_a)
    _link, raw = services.case_link_issue(by=staff.commune_worker_a, case=case)
    url = reverse("cases:check_form", args=[raw])
    statuses = [
        client.post(url, {"submission_key": f"k{i}", "spo2": "98"}).status_code for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert HealthCheck.objects.filter(case=case).count() == 3


def test_a_wrong_or_revoked_link_reveals_nothing(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    _link, old = services.case_link_issue(by=staff.commune_worker_a, case=case)
    services.case_link_issue(by=staff.commune_worker_a, case=case)
    for token in (old, "not-a-token"):
        response = client.get(reverse("cases:check_form", args=[token]))
        assert response.status_code == 404
        page = response.content.decode()
        # Whole identifiers, never a fragment: a two-letter given name ("An") can turn up in
        # the page's random CSRF token and fail the test at random.
        assert case.person.full_name not in page
        assert case.person.phone not in page
        assert case.person.phone[-6:] not in page


def test_self_declaration_answers_the_same_and_creates_one_pending_case(client, world):
    data = {
        "full_name": "Mai Thị Hoa",
        "birth_year": "1992",
        "phone": "0987 111 222",
        "commune": world.commune_a.pk,
        "tested_on": timezone.localdate().strftime("%d/%m/%Y"),
        "has_symptoms": "on",
    }
    first = client.post(reverse("cases:self_declare"), data)
    second = client.post(reverse("cases:self_declare"), data)
    assert first.status_code == second.status_code == 200
    main = lambda r: r.content.decode().split("<main")[1].split("</main>")[0]  # noqa: E731
    assert main(first) == main(second)  # only the CSRF token in the header differs
    case = Case.objects.get()
    assert case.status == CaseStatus.PENDING and case.source == "self"


def test_self_declaration_is_rate_limited(client, world, settings):
    settings.CASES_DECLARE_IP_LIMIT = 5
    url = reverse("cases:self_declare")
    statuses = [client.post(url, {"full_name": ""}).status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[-1] == 429


def test_reports_are_drafted_reviewed_and_published(client, world, staff):
    make_case(world, staff.commune_worker_a)
    login(client, staff.province_health_officer)
    response = client.post(
        reverse("cases:reports"), {"day": timezone.localdate().strftime("%d/%m/%Y")}
    )
    report = DailyReport.objects.get()
    assert response["Location"] == reverse("cases:report", args=[report.pk])
    public = client.get(reverse("cases:public_report", args=[report.pk]))
    assert public.status_code == 404  # a draft is not public
    client.post(reverse("cases:report", args=[report.pk]), {"commentary": "Tăng do sàng lọc."})
    report.refresh_from_db()
    assert report.status == "published"
    client.logout()
    listing = client.get(reverse("cases:public_reports")).content.decode()
    assert reverse("cases:public_report", args=[report.pk]) in listing
    pdf = client.get(reverse("cases:public_report_pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_committee_member_reads_but_cannot_publish_reports(client, world, staff):
    report = services.daily_report_draft(
        by=staff.province_health_officer, unit=world.province, day=timezone.localdate()
    )
    login(client, staff.committee_member)
    assert client.get(reverse("cases:report", args=[report.pk])).status_code == 200
    assert (
        client.post(reverse("cases:report", args=[report.pk]), {"commentary": "x"}).status_code
        == 404
    )
    report.refresh_from_db()
    assert report.status == "draft"


def test_a_district_officer_cannot_open_another_districts_report(client, world, staff):
    other = DailyReport.objects.create(unit=world.district_b, report_date=timezone.localdate())
    login(client, staff.district_health_officer_a)
    assert client.get(reverse("cases:report", args=[other.pk])).status_code == 404


def test_a_hospital_registers_an_admitted_f0(client, world, staff):
    hospital = Facility.objects.create(
        name="BV Đa khoa tỉnh", kind="tier3", unit=world.province, beds_total=10
    )
    login(client, staff.province_health_officer)
    response = client.post(
        reverse("cases:register"),
        {
            "full_name": "Vũ Văn Long",
            "birth_year": "1960",
            "commune": world.commune_b.pk,
            "test_kind": "pcr",
            "lab": "CDC Thanh Hóa",
            "tested_at": (timezone.localtime() - timedelta(hours=3)).strftime("%d/%m/%Y %H:%M"),
            "detection": "community",
            "occupation": "other",
            "vaccination": "none",
            "treatment_place": "tier3",
            "facility": hospital.pk,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    hospital.refresh_from_db()
    assert case.source == "hospital" and case.status == CaseStatus.TRANSFERRED
    assert case.facility == hospital and hospital.beds_occupied == 1


def test_the_evening_job_drafts_the_province_report(world, staff):
    from django.core.management import call_command

    make_case(world, staff.commune_worker_a)
    call_command("cases_draft_daily_report")
    report = DailyReport.objects.get()
    assert report.unit == world.province and report.figures["new_total"] == 1


@pytest.mark.parametrize("state", ["pending", "active", "recovered", "died", "transferred"])
def test_the_case_page_opens_in_every_state_and_audits_the_read(client, world, staff, state):
    from phongdich.audit.models import AuditEvent

    if state == "recovered":
        case = recovered_case(world, staff)
        user = staff.commune_worker_b
    else:
        user = staff.commune_worker_a
        case = make_case(world, user)
        if state == "pending":
            Case.objects.filter(pk=case.pk).update(status="pending")
        elif state == "died":
            services.case_death_record(
                by=user,
                case=case,
                died_on=timezone.localdate(),
                place="x",
                cause="y",
                pcr_confirmed=True,
            )
        elif state == "transferred":
            hospital = Facility.objects.create(
                name="BV", kind="tier2", unit=world.district_a, beds_total=5
            )
            services.case_transfer(
                by=user, case=case, to_place="tier2", facility=hospital, reason="SpO2"
            )
    login(client, user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert case.person.full_name in response.content.decode()
    assert AuditEvent.objects.filter(
        kind="read", target_type="cases.case", target_id=str(case.pk), actor=user
    ).exists()


def test_the_home_page_shows_the_f0_panel(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    submit(case, spo2=92)
    login(client, staff.care_team_a)
    html = client.get(reverse("home")).content.decode()
    assert "F0 trong địa bàn" in html and reverse("cases:queue") in html


def test_a_new_link_is_shown_once(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    login(client, staff.commune_worker_a)
    client.post(reverse("cases:link_issue", args=[case.pk]))
    first = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    second = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "/cases/c/" in first and "/cases/c/" not in second


def test_a_self_test_photo_is_kept_for_the_station_only(client, world, staff, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    client.post(
        reverse("cases:self_declare"),
        {
            "full_name": "Phan Văn Tú",
            "birth_year": "1985",
            "phone": "0987 333 444",
            "commune": world.commune_a.pk,
            "tested_on": timezone.localdate().strftime("%d/%m/%Y"),
            "photo": SimpleUploadedFile("que.jpg", buffer.getvalue(), "image/jpeg"),
        },
    )
    case = Case.objects.get()
    assert case.self_test_photo
    assert client.get(reverse("cases:photo", args=[case.pk])).status_code == 302  # login
    login(client, staff.commune_worker_a)
    response = client.get(reverse("cases:photo", args=[case.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == buffer.getvalue()


def test_release_says_what_it_does_and_needs_the_confirmation(client, world, staff):
    case = make_case(world, staff.commune_worker_a, vaccination="full")
    start = timezone.localdate() - timedelta(days=10)
    Case.objects.filter(pk=case.pk).update(isolation_start=start, diagnosed_on=start)
    submit(case, key="a1", spo2=95)
    submit(case, key="a2", spo2=94)
    open_alerts = Alert.objects.filter(case=case, status__in=Alert.OPEN_STATES).count()
    assert open_alerts >= 1
    login(client, staff.commune_worker_a)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Cấp giấy xác nhận khỏi bệnh và kết thúc theo dõi F0 này." in page
    assert f"{open_alerts} cảnh báo đang mở sẽ được đóng." in page

    url = reverse("cases:release", args=[case.pk])
    response = client.post(url, {}, follow=True)
    assert "Chưa xác nhận thao tác" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert Alert.objects.filter(case=case, status__in=Alert.OPEN_STATES).count() == open_alerts

    client.post(url, {"confirmed": "1"})
    case.refresh_from_db()
    assert case.status == CaseStatus.RECOVERED
    assert not Alert.objects.filter(case=case, status__in=Alert.OPEN_STATES).exists()


def test_release_without_open_alerts_does_not_mention_alerts(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    login(client, staff.commune_worker_a)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Cấp giấy xác nhận khỏi bệnh" in page
    assert "cảnh báo đang mở sẽ được đóng" not in page
