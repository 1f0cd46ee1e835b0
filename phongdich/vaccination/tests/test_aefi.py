"""AEFI: seriousness, routing to the district, the personal link, the pages (issue 11)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from phongdich.audit.models import AuditEvent
from phongdich.lib.tokens import hash_token
from phongdich.testing import make_user
from phongdich.vaccination import aefi, services
from phongdich.vaccination.models import Aefi, AefiLink

from . import builders

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
ONSET = datetime(2021, 10, 11, 20, 30, tzinfo=HCM)


def report(**values) -> aefi.AefiInput:
    return aefi.AefiInput(**{"onset_at": ONSET, "description": "Sốt 39 độ, đau đầu", **values})


# WHO definition of a serious AEFI: any one of death, life-threatening, hospitalisation
# (or its prolongation), persistent disability (issue 11 names these four).
@pytest.mark.parametrize(
    ("criteria", "serious"),
    [
        ({}, False),
        ({"outcome": Aefi.Outcome.RECOVERED}, False),
        ({"outcome": Aefi.Outcome.SEQUELAE}, False),
        ({"died": True}, True),
        ({"outcome": Aefi.Outcome.DIED}, True),
        ({"life_threatening": True}, True),
        ({"hospitalised": True}, True),
        ({"disability": True}, True),
        ({"hospitalised": True, "disability": True}, True),
    ],
)
def test_seriousness_table(criteria, serious):
    assert aefi.is_serious(**criteria) is serious


@pytest.fixture
def vaccinee(world, staff):
    person = builders.person(world, staff)
    outcome = services.dose_record_for_person(
        by=staff.commune_worker_a, person=person, dose=builders.dose(day=date(2021, 10, 11))
    )
    person.first_dose = outcome.dose
    return person


def test_a_report_is_routed_to_the_district_of_the_persons_commune(world, staff, vaccinee):
    item = aefi.aefi_report(by=staff.commune_worker_a, person=vaccinee, report=report())
    assert (item.commune, item.district) == (world.commune_a, world.district_a)
    assert item.status == Aefi.Status.REPORTED and not item.serious
    assert item.reporter_kind == Aefi.Reporter.STAFF
    assert AuditEvent.objects.filter(action="vaccination.aefi.report").count() == 1


def test_a_person_of_commune_b_goes_to_district_b(world, staff):
    person = builders.person(
        world, staff, commune=world.commune_b, id_number="038080005555", phone="0912000555"
    )
    item = aefi.aefi_report(by=staff.province_health_officer, person=person, report=report())
    assert item.district == world.commune_b.parent
    assert item.district != world.district_a or world.commune_b.parent == world.district_a


@pytest.mark.django_db(transaction=True)
def test_a_serious_report_emails_the_districts_health_officers_after_commit():
    from phongdich.testing import make_staff, make_world

    world = make_world()
    staff = make_staff(world)
    staff.district_health_officer_a.email = "ytehuyen@example.vn"
    staff.district_health_officer_a.save()
    other = world.commune_b.parent
    if other != world.district_a:
        from phongdich.accounts.models import Role

        make_user("ytehuyen.b", Role.HEALTH_OFFICER, other, email="b@example.vn")
    person = builders.person(world, staff)
    mail.outbox = []
    aefi.aefi_report(by=staff.commune_worker_a, person=person, report=report())
    assert mail.outbox == []  # not serious: nobody is mailed
    item = aefi.aefi_report(
        by=staff.commune_worker_a, person=person, report=report(hospitalised=True)
    )
    assert item.serious
    assert [m.to for m in mail.outbox] == [["ytehuyen@example.vn"]]
    assert f"/vaccination/aefi/{item.pk}/" in mail.outbox[0].body
    assert person.full_name not in mail.outbox[0].body  # the link opens the audited page
    # The commune is named with its district, as words (not a method's repr).
    assert item.commune.label() in mail.outbox[0].body and "bound method" not in mail.outbox[0].body
    assert item.commune.label() in mail.outbox[0].subject


def test_no_email_before_the_transaction_commits(
    world, staff, vaccinee, django_capture_on_commit_callbacks
):
    staff.district_health_officer_a.email = "ytehuyen@example.vn"
    staff.district_health_officer_a.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        aefi.aefi_report(by=staff.commune_worker_a, person=vaccinee, report=report(died=True))
    assert mail.outbox == [] and len(callbacks) == 1


def test_onset_in_the_future_or_before_the_dose_is_refused(staff, vaccinee):
    with pytest.raises(ValidationError):
        aefi.aefi_report(
            by=staff.commune_worker_a,
            person=vaccinee,
            report=report(onset_at=timezone.now() + timedelta(hours=1)),
        )
    with pytest.raises(ValidationError):
        aefi.aefi_report(
            by=staff.commune_worker_a,
            person=vaccinee,
            dose=vaccinee.first_dose,
            report=report(onset_at=ONSET - timedelta(days=1)),
        )


def test_investigation_moves_forward_and_concludes_with_a_causality(staff, vaccinee):
    officer = staff.district_health_officer_a
    item = aefi.aefi_report(by=staff.commune_worker_a, person=vaccinee, report=report())
    item = aefi.aefi_status_set(by=officer, aefi=item, status=Aefi.Status.INVESTIGATING)
    with pytest.raises(ValidationError):  # a conclusion needs its causality and text
        aefi.aefi_status_set(by=officer, aefi=item, status=Aefi.Status.CONCLUDED)
    item = aefi.aefi_status_set(
        by=officer,
        aefi=item,
        status=Aefi.Status.CONCLUDED,
        causality=Aefi.Causality.CONSISTENT,
        conclusion="Phản ứng thông thường sau tiêm",
    )
    assert item.status == Aefi.Status.CONCLUDED and item.concluded_at
    with pytest.raises(ValidationError):  # never backwards
        aefi.aefi_status_set(by=officer, aefi=item, status=Aefi.Status.INVESTIGATING)


# --- the vaccinee's personal link ---------------------------------------------------------


def test_the_link_stores_only_the_tokens_hash_and_expires(staff, vaccinee):
    link, raw = aefi.aefi_link_issue(by=staff.commune_worker_a, person=vaccinee)
    assert link.token_hash == hash_token(raw) and raw not in link.token_hash
    assert len(raw) >= 40
    assert AefiLink.resolve(raw) == link
    assert AefiLink.resolve(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    link.expires_at = timezone.now() - timedelta(seconds=1)
    link.save()
    assert AefiLink.resolve(raw) is None


def _public_post(**values):
    return {
        "onset_at": "12/10/2021 07:30",
        "description": "Sưng đau chỗ tiêm, sốt nhẹ",
        "outcome": Aefi.Outcome.RECOVERING,
        "reporter_name": "Lê Thị Nhà",
        "reporter_phone": "0912 111 222",
        **values,
    }


def test_the_public_form_records_a_report_from_the_vaccinee(client, staff, vaccinee):
    _link, raw = aefi.aefi_link_issue(by=staff.commune_worker_a, person=vaccinee)
    url = f"/vaccination/phan-ung/{raw}/"
    page = client.get(url)
    assert page.status_code == 200 and "aefi-public-form" in page.content.decode()
    assert vaccinee.full_name not in page.content.decode()  # a forwarded link shows nobody
    response = client.post(url, _public_post(hospitalised="on"))
    assert response.status_code == 200 and "aefi-thanks" in response.content.decode()
    item = Aefi.objects.get()
    assert item.person == vaccinee and item.reporter_kind == Aefi.Reporter.VACCINEE
    assert item.serious and item.reported_by is None and item.reporter_phone == "+84912111222"


def test_an_expired_or_unknown_link_is_a_404(client, staff, vaccinee):
    link, raw = aefi.aefi_link_issue(by=staff.commune_worker_a, person=vaccinee)
    link.expires_at = timezone.now() - timedelta(seconds=1)
    link.save()
    assert client.get(f"/vaccination/phan-ung/{raw}/").status_code == 404
    assert client.post(f"/vaccination/phan-ung/{raw}/", _public_post()).status_code == 404
    assert client.get("/vaccination/phan-ung/x/").status_code == 404
    assert client.get("/vaccination/phan-ung/" + "a" * 300 + "/").status_code == 404
    assert Aefi.objects.count() == 0


@pytest.mark.parametrize(
    "values",
    [
        {"description": "x" * 2001},
        {"treatment": "x" * 501},
        {"reporter_name": "x" * 121},
        {"reporter_name": ""},
        {"reporter_phone": "1" * 21},
        {"reporter_phone": "abc"},
        {"onset_at": "31/02/2021 07:00"},
        {"onset_at": "01/01/0001 00:00"},
        {"onset_at": "12/10/99999 07:00"},
        {"outcome": "bogus"},
        {"description": "nul\x00byte"},
    ],
)
def test_public_form_bounds_refuse_without_a_500(client, staff, vaccinee, values):
    _link, raw = aefi.aefi_link_issue(by=staff.commune_worker_a, person=vaccinee)
    response = client.post(f"/vaccination/phan-ung/{raw}/", _public_post(**values))
    # 400: the site refuses a NUL before any view (web/middleware.py); never a 500.
    assert response.status_code in (200, 400)
    assert "aefi-thanks" not in response.content.decode()
    assert Aefi.objects.count() == 0


def test_a_double_tap_on_the_public_form_is_one_report(client, staff, vaccinee):
    _link, raw = aefi.aefi_link_issue(by=staff.commune_worker_a, person=vaccinee)
    data = _public_post(submission_key="tap-once-123456")
    client.post(f"/vaccination/phan-ung/{raw}/", data)
    client.post(f"/vaccination/phan-ung/{raw}/", data)
    assert Aefi.objects.count() == 1


# --- staff pages --------------------------------------------------------------------------


def test_staff_report_queue_and_detail(client, world, staff, vaccinee):
    client.force_login(staff.commune_worker_a)
    form = client.get(f"/vaccination/people/{vaccinee.pk}/aefi/new/")
    assert form.status_code == 200
    response = client.post(
        f"/vaccination/people/{vaccinee.pk}/aefi/new/",
        {
            "onset_at": "11/10/2021 21:00",
            "description": "Khó thở",
            "outcome": Aefi.Outcome.RECOVERING,
            "life_threatening": "on",
            "dose": vaccinee.first_dose.pk,
        },
    )
    item = Aefi.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/vaccination/aefi/{item.pk}/"
    assert item.serious and item.dose == vaccinee.first_dose
    # The district sees it on its queue; the detail is an audited read of the person.
    client.force_login(staff.district_health_officer_a)
    queue = client.get("/vaccination/aefi/").content.decode()
    assert vaccinee.full_name in queue and "Nghiêm trọng" in queue
    before = AuditEvent.objects.filter(action="vaccination.aefi").count()
    assert client.get(f"/vaccination/aefi/{item.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="vaccination.aefi").count() == before + 1
    client.post(f"/vaccination/aefi/{item.pk}/status/", {"status": "investigating"})
    item.refresh_from_db()
    assert item.status == Aefi.Status.INVESTIGATING


def test_commune_b_does_not_see_commune_as_reports(client, world, staff, vaccinee):
    item = aefi.aefi_report(by=staff.commune_worker_a, person=vaccinee, report=report())
    client.force_login(staff.commune_worker_b)
    assert vaccinee.full_name not in client.get("/vaccination/aefi/").content.decode()
    assert client.get(f"/vaccination/aefi/{item.pk}/").status_code == 404


def test_the_link_page_shows_the_link_once(client, staff, vaccinee):
    client.force_login(staff.commune_worker_a)
    page = client.post(f"/vaccination/people/{vaccinee.pk}/aefi/link/").content.decode()
    assert "/vaccination/phan-ung/" in page
    assert AefiLink.objects.count() == 1


def test_the_home_panel_counts_open_and_serious_reports(client, world, staff, vaccinee):
    client.force_login(staff.district_health_officer_a)
    assert 'id="aefi-panel"' not in client.get(reverse("home")).content.decode()
    aefi.aefi_report(by=staff.commune_worker_a, person=vaccinee, report=report())
    aefi.aefi_report(by=staff.commune_worker_a, person=vaccinee, report=report(died=True))
    html = client.get(reverse("home")).content.decode()
    assert 'id="aefi-panel"' in html
    client.force_login(staff.commune_worker_b)
    assert 'id="aefi-panel"' not in client.get(reverse("home")).content.decode()


# --- reopening a concluded investigation -------------------------------------------------


def _concluded(staff, vaccinee, conclusion="Phản ứng thông thường sau tiêm"):
    officer = staff.district_health_officer_a
    item = aefi.aefi_report(by=staff.commune_worker_a, person=vaccinee, report=report())
    return aefi.aefi_status_set(
        by=officer,
        aefi=item,
        status=Aefi.Status.CONCLUDED,
        causality=Aefi.Causality.COINCIDENTAL,
        conclusion=conclusion,
    )


def test_a_concluded_investigation_reopens_with_its_reason_and_keeps_the_conclusion(
    staff, vaccinee
):
    from phongdich.vaccination.models import AefiStatusChange

    item = _concluded(staff, vaccinee)
    reason = "Có kết quả giải phẫu bệnh mới từ bệnh viện tỉnh"
    item = aefi.aefi_reopen(by=staff.province_health_officer, aefi=item, reason=reason)
    assert item.status == Aefi.Status.INVESTIGATING
    assert (item.causality, item.conclusion, item.concluded_at) == ("", "", None)
    steps = list(AefiStatusChange.objects.filter(aefi=item).values_list("before", "after"))
    assert steps == [("reported", "concluded"), ("concluded", "investigating")]
    reopened = AefiStatusChange.objects.get(aefi=item, after="investigating")
    assert reopened.reason == reason and reopened.causality == "coincidental"
    assert reopened.conclusion == "Phản ứng thông thường sau tiêm"
    event = AuditEvent.objects.get(action="vaccination.aefi.reopen")
    assert event.changes["conclusion"] == reopened.conclusion
    assert event.changes["reason"] == reason
    # Reopened, it can be concluded again; the history then has both conclusions.
    item = aefi.aefi_status_set(
        by=staff.district_health_officer_a,
        aefi=item,
        status=Aefi.Status.CONCLUDED,
        causality=Aefi.Causality.CONSISTENT,
        conclusion="Liên quan đến vắc xin",
    )
    assert item.causality == "consistent"
    assert AefiStatusChange.objects.filter(aefi=item).count() == 3


@pytest.mark.parametrize(
    ("reason", "ok"),
    [("", False), ("   ", False), ("x" * 9, False), ("x" * 10, True), ("x" * 500, True)],
)
def test_the_reason_is_required_at_its_minimum(staff, vaccinee, reason, ok):
    item = _concluded(staff, vaccinee)
    if ok:
        assert aefi.aefi_reopen(by=staff.district_health_officer_a, aefi=item, reason=reason)
    else:
        with pytest.raises(ValidationError):
            aefi.aefi_reopen(by=staff.district_health_officer_a, aefi=item, reason=reason)
        item.refresh_from_db()
        assert item.status == Aefi.Status.CONCLUDED


def test_only_a_concluded_report_reopens_and_only_once(staff, vaccinee):
    officer = staff.district_health_officer_a
    fresh = aefi.aefi_report(by=staff.commune_worker_a, person=vaccinee, report=report())
    with pytest.raises(ValidationError):
        aefi.aefi_reopen(by=officer, aefi=fresh, reason="Cần xem lại hồ sơ bệnh án")
    item = _concluded(staff, vaccinee)
    aefi.aefi_reopen(by=officer, aefi=item, reason="Cần xem lại hồ sơ bệnh án")
    with pytest.raises(ValidationError):
        aefi.aefi_reopen(by=officer, aefi=item, reason="Cần xem lại hồ sơ bệnh án")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("district_health_officer_a", True),
        ("province_health_officer", True),
        ("province_admin", True),
        ("commune_worker_a", False),  # the commune reported it; the district concludes
        ("committee_member", False),
    ],
)
def test_who_may_reopen(client, staff, vaccinee, who, allowed):
    item = _concluded(staff, vaccinee)
    client.force_login(getattr(staff, who))
    page = client.get(f"/vaccination/aefi/{item.pk}/")
    if page.status_code == 200:
        assert ('id="aefi-reopen"' in page.content.decode()) is allowed
    response = client.post(
        f"/vaccination/aefi/{item.pk}/reopen/", {"reason": "Gia đình cung cấp thêm hồ sơ"}
    )
    item.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert item.status == Aefi.Status.INVESTIGATING
        page = client.get(f"/vaccination/aefi/{item.pk}/").content.decode()
        assert 'id="aefi-history"' in page and "Gia đình cung cấp thêm hồ sơ" in page
        assert "Phản ứng thông thường sau tiêm" in page  # the set-aside conclusion, shown
    else:
        assert response.status_code == 403
        assert item.status == Aefi.Status.CONCLUDED
        assert not AuditEvent.objects.filter(action="vaccination.aefi.reopen").exists()
        with pytest.raises(PermissionDenied):  # the service refuses the role too
            aefi.aefi_reopen(by=getattr(staff, who), aefi=item, reason="Lý do đủ dài ở đây")


def test_another_districts_officer_cannot_reopen(client, world, staff, vaccinee):
    item = _concluded(staff, vaccinee)
    other = make_user("ytehuyen.b", "health_officer", world.district_b)
    client.force_login(other)
    response = client.post(
        f"/vaccination/aefi/{item.pk}/reopen/", {"reason": "Gia đình cung cấp thêm hồ sơ"}
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == Aefi.Status.CONCLUDED
    # A bad form (a reason past its 500 characters) is a message, never a 500.
    client.force_login(staff.district_health_officer_a)
    response = client.post(f"/vaccination/aefi/{item.pk}/reopen/", {"reason": "x" * 501})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Aefi.Status.CONCLUDED


@pytest.mark.django_db(transaction=True)
def test_two_reopenings_at_once_make_one():
    from phongdich.testing import losers, make_staff, make_world, race
    from phongdich.vaccination.models import AefiStatusChange

    world = make_world()
    staff = make_staff(world)
    person = builders.person(world, staff)
    item = _concluded(staff, person)
    outcomes = race(
        [
            lambda: aefi.aefi_reopen(
                by=staff.district_health_officer_a, aefi=item, reason="Có thêm kết quả xét nghiệm"
            )
        ]
        * 3
    )
    errors = losers(outcomes)
    assert len(errors) == 2 and all(isinstance(e, ValidationError) for e in errors)
    assert "đã được mở lại" in " ".join(errors[0].messages)
    assert AefiStatusChange.objects.filter(aefi=item, after="investigating").count() == 1
    assert AuditEvent.objects.filter(action="vaccination.aefi.reopen").count() == 1
