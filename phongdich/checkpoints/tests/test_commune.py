from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from phongdich.checkpoints import services
from phongdich.checkpoints.models import (
    FollowUp,
    Handover,
    HomeQuarantine,
    QuarantineCheck,
    TransitEscort,
)
from phongdich.lib.imports import FileRefused, as_upload
from phongdich.lib.xlsx import build_workbook
from phongdich.quarantine.models import Quarantine

from . import builders


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_it_shows_arrivals_only_inside_the_jurisdiction(client, world, staff):
    handover = builders.handover(world, staff)
    client.force_login(staff.commune_worker_a)
    assert "Nguyễn Văn An" in client.get(reverse("checkpoints:arrivals")).content.decode()
    client.force_login(staff.commune_worker_b)
    assert "Nguyễn Văn An" not in client.get(reverse("checkpoints:arrivals")).content.decode()
    url = reverse("checkpoints:handover_action", args=[handover.pk, "arrived"])
    assert client.post(url).status_code == 404
    handover.refresh_from_db()
    assert handover.status == Handover.Status.PENDING
    client.force_login(staff.outsider)
    assert client.post(url).status_code == 404


def test_it_sends_anonymous_users_to_login_and_other_roles_away(client, world, staff):
    response = client.get(reverse("checkpoints:arrivals"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get(reverse("checkpoints:officer")).status_code == 302
    client.force_login(staff.hotline_agent)
    assert client.get(reverse("checkpoints:arrivals")).status_code == 403
    assert client.get(reverse("checkpoints:officer")).status_code == 403


def test_it_pins_queries_on_the_arrivals_list(client, world, staff, django_assert_max_num_queries):
    for i in range(5):
        builders.handover(world, staff, full_name=f"Người Về {i}", phone=f"091234567{i}")
    client.force_login(staff.commune_worker_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("checkpoints:arrivals"))
    assert response.content.decode().count('id="handover-') == 5


def test_it_confirms_arrival_and_starts_quarantine_with_the_policy_duration(client, world, staff):
    handover = builders.handover(world, staff, vaccine_doses=2)
    client.force_login(staff.commune_worker_a)
    client.post(reverse("checkpoints:handover_action", args=[handover.pk, "arrived"]))
    response = client.post(
        reverse("checkpoints:handover_action", args=[handover.pk, "quarantine"]),
        {"policy": "2021-12-16-10696"},
    )
    quarantine = Quarantine.objects.get()
    assert response["Location"] == reverse("quarantine:detail", args=[quarantine.pk])
    today = timezone.localdate()
    assert quarantine.start_date == today
    assert quarantine.planned_end == today + timedelta(days=6)  # 7 days at home
    assert quarantine.monitoring_end == today + timedelta(days=13)  # + 7 self-monitoring
    assert "10696/BYT-MT" in quarantine.policy_source


def test_it_uses_the_row_in_force_on_the_start_day(world, staff):
    handover = builders.handover(world, staff, vaccine_doses=1)
    services.handover_confirm(by=staff.commune_worker_a, handover=handover)
    quarantine = services.quarantine_start(
        by=staff.commune_worker_a, handover=handover, on=date(2022, 3, 1)
    )
    assert quarantine.policy_key == "2022-early"
    assert quarantine.planned_end == date(2022, 3, 7)


def test_it_reports_a_no_show_to_the_district(client, world, staff, mailoutbox, immediate_tasks):
    staff.district_health_officer_a.email = "ytehuyen@example.vn"
    staff.district_health_officer_a.save()
    handover = builders.handover(world, staff)
    client.force_login(staff.commune_worker_a)
    url = reverse("checkpoints:handover_action", args=[handover.pk, "no_show"])
    page = client.get(reverse("checkpoints:arrivals")).content.decode()
    assert "Báo Nguyễn Văn An không đến: hệ thống gửi thư điện tử cho Trung tâm Y tế" in page
    with mock.patch("django.db.transaction.on_commit", lambda fn, *a, **k: fn()):
        # Outward action: without the "I confirm" step nothing happens and nobody is e-mailed.
        response = client.post(url, follow=True)
        assert "Chưa xác nhận thao tác" in response.content.decode()
        handover.refresh_from_db()
        assert handover.status == Handover.Status.PENDING and mailoutbox == []
        client.post(url, {"confirmed": "1"})
    handover.refresh_from_db()
    assert handover.status == Handover.Status.NO_SHOW
    assert [m.to for m in mailoutbox] == [["ytehuyen@example.vn"]]
    assert "Nguyễn Văn An" in mailoutbox[0].body
    # The visible flag: oversight counts the no-show for the commune.
    client.force_login(staff.district_health_officer_a)
    assert "badge danger" in client.get(reverse("checkpoints:oversight")).content.decode()


def _started(world, staff, **values):
    handover = builders.handover(world, staff)
    services.handover_confirm(by=staff.commune_worker_a, handover=handover)
    return services.quarantine_start(
        by=staff.commune_worker_a, handover=handover, policy_key="2022-early", **values
    )


def test_the_hand_over_opens_the_quarantine_record_and_nothing_in_checkpoints(client, world, staff):
    handover = builders.handover(world, staff)
    client.force_login(staff.commune_worker_a)
    client.post(reverse("checkpoints:handover_action", args=[handover.pk, "arrived"]))
    response = client.post(
        reverse("checkpoints:handover_action", args=[handover.pk, "quarantine"]),
        {"policy": "2022-early"},
    )
    quarantine = Quarantine.objects.get(handover_id=handover.pk)
    assert response.url == reverse("quarantine:detail", args=[quarantine.pk])
    assert (quarantine.basis, quarantine.place, quarantine.policy_key) == (
        "returnee",
        "home",
        "2022-early",
    )
    assert quarantine.address == handover.passage.declaration.destination_address
    assert not HomeQuarantine.objects.exists()
    # The arrivals list links the hand-over to its record; a second press opens nothing.
    page = client.get(reverse("checkpoints:arrivals")).content.decode()
    assert reverse("quarantine:detail", args=[quarantine.pk]) in page
    again = client.post(
        reverse("checkpoints:handover_action", args=[handover.pk, "quarantine"]), follow=True
    )
    assert "đã được lập hồ sơ cách ly" in again.content.decode()
    assert Quarantine.objects.count() == 1


def test_it_prints_the_door_sign_and_commitment_and_records_both(client, world, staff):
    quarantine = _started(world, staff)
    client.force_login(staff.commune_worker_a)
    for kind in ("door-sign", "commitment"):
        pdf = client.get(reverse("quarantine:document", args=[quarantine.pk, kind]))
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
    assert client.get(reverse("quarantine:document", args=[quarantine.pk, "x"])).status_code == 404
    url = reverse("quarantine:detail", args=[quarantine.pk])
    client.post(url, {"action": "commitment"})
    client.post(url, {"action": "door_sign"})
    quarantine.refresh_from_db()
    assert quarantine.commitment_signed_at and quarantine.door_sign_posted_at
    assert "đã dán" in client.get(url).content.decode()
    client.force_login(staff.commune_worker_b)
    assert client.get(url).status_code == 404
    doc = reverse("quarantine:document", args=[quarantine.pk, "door-sign"])
    assert client.get(doc).status_code == 404


def test_it_follows_up_daily_on_the_one_record_then_releases(client, world, staff):
    from phongdich.quarantine import services as quarantine_services
    from phongdich.quarantine.models import DailyCheck

    quarantine = _started(world, staff)
    client.force_login(staff.commune_worker_a)
    url = reverse("quarantine:detail", args=[quarantine.pk])
    client.post(url, {"action": "check", "temperature": "37.0", "symptoms": ["cough"]})
    raw = quarantine_services.quarantine_link_mint(by=staff.commune_worker_a, quarantine=quarantine)
    client.logout()
    client.post(reverse("quarantine:self_check", args=[raw]), {"symptoms": ["breathless"]})
    quarantine.refresh_from_db()
    assert DailyCheck.objects.filter(quarantine=quarantine).count() == 2
    assert quarantine.attention_at is not None
    assert not QuarantineCheck.objects.exists()
    client.force_login(staff.commune_worker_a)
    client.post(url, {"action": "release_early", "reason": "Về lại nơi ở", "confirmed": "1"})
    quarantine.refresh_from_db()
    assert quarantine.status == "released_early"


def test_it_lists_people_ending_quarantine_today(client, world, staff):
    quarantine = _started(world, staff, on=timezone.localdate() - timedelta(days=6))
    assert quarantine.planned_end <= timezone.localdate()
    client.force_login(staff.commune_worker_a)
    # The old address leads to the one list, where the record is due.
    response = client.get(reverse("checkpoints:quarantines"), follow=True)
    row = response.content.decode().split(f'id="quarantine-{quarantine.pk}"')[1].split("</tr>")[0]
    assert "Nguyễn Văn An" in row and "đến hạn" in row
    client.force_login(staff.district_health_officer_a)
    oversight = client.get(reverse("checkpoints:oversight"))
    assert [q.pk for q in oversight.context["ending_today"]] == [quarantine.pk]


def _legacy(world, staff):
    """A checkpoints home quarantine from before the move, with the record migration 0002
    made of it (the same hand-over), and a personal link minted then."""
    from phongdich.checkpoints.models import QuarantineLink

    handover = builders.handover(world, staff)
    services.handover_confirm(by=staff.commune_worker_a, handover=handover)
    today = timezone.localdate()
    home = HomeQuarantine.objects.create(
        person=handover.person,
        commune=handover.commune,
        handover=handover,
        policy_key="2022-early",
        policy_source="Công văn",
        start_date=today,
        end_date=today + timedelta(days=6),
        monitoring_end=today + timedelta(days=9),
        created_by=staff.commune_worker_a,
    )
    record = Quarantine.objects.create(
        person=handover.person,
        basis="returnee",
        exposure_date=today,
        place="home",
        commune=handover.commune,
        start_date=today,
        planned_end=today + timedelta(days=6),
        monitoring_end=today + timedelta(days=9),
        handover_id=handover.pk,
    )
    _link, raw = QuarantineLink.mint(valid_for=timedelta(days=10), quarantine=home)
    return home, record, raw


def test_old_home_quarantine_addresses_lead_to_the_one_record(client, world, staff):
    from phongdich.quarantine.models import DailyCheck

    home, record, raw = _legacy(world, staff)
    client.force_login(staff.commune_worker_a)
    detail = client.get(reverse("checkpoints:quarantine", args=[home.pk]))
    assert detail.url == reverse("quarantine:detail", args=[record.pk])
    paper = client.get(reverse("checkpoints:quarantine_document", args=[home.pk, "door-sign"]))
    assert paper.url == reverse("quarantine:document", args=[record.pk, "door-sign"])
    client.force_login(staff.commune_worker_b)
    assert client.get(reverse("checkpoints:quarantine", args=[home.pk])).status_code == 404
    client.logout()
    # A citizen's link minted before the move records onto the one record, not the old one.
    link = reverse("checkpoints:self_check", args=[raw])
    assert client.post(link, {"temperature": "38.4"}).status_code == 200
    assert DailyCheck.objects.filter(quarantine=record).count() == 1
    assert not QuarantineCheck.objects.exists()
    record.refresh_from_db()
    assert record.attention_at is not None
    Quarantine.objects.filter(pk=record.pk).update(status="completed")
    assert client.get(link).status_code == 404


def test_it_alerts_once_for_an_overdue_transit(world, staff, mailoutbox):
    staff.checkpoint_officer.email = "chot@example.vn"
    staff.checkpoint_officer.save()
    entry = builders.checkpoint(world)
    exit_ = builders.checkpoint(world, "Chốt Hoàng Mai")
    now = timezone.now()
    late = TransitEscort.objects.create(
        vehicle_number="37A-999.99",
        entry_checkpoint=entry,
        exit_checkpoint=exit_,
        entered_at=now - timedelta(hours=6),
        due_by=now - timedelta(hours=1),
        created_by=staff.checkpoint_officer,
    )
    TransitEscort.objects.create(
        vehicle_number="37A-000.01",
        entry_checkpoint=entry,
        exit_checkpoint=exit_,
        entered_at=now,
        due_by=now + timedelta(hours=3),
        created_by=staff.checkpoint_officer,
    )
    call_command("checkpoints_scan_transit")
    call_command("checkpoints_scan_transit")
    late.refresh_from_db()
    assert late.overdue_alerted_at is not None
    assert len(mailoutbox) == 1 and "37A-999.99" in mailoutbox[0].body


def _forecast_file(rows):
    return as_upload("ds.xlsx", build_workbook("ds", services.FORECAST_HEADER, rows))


def test_it_imports_forecasts_with_a_row_error_report(client, world, staff):
    declaration, _raw = builders.declaration(world.commune_a, phone="0912345678")
    soon = (timezone.localdate() + timedelta(days=2)).strftime("%d/%m/%Y")
    content = _forecast_file(
        [
            ["Nguyễn Văn An", "0912 345 678", "Hà Nội", world.commune_a.code, soon],
            ["", "0912", "Hà Nội", "99999", "hôm qua"],
            ["Lê Thị Cúc", "", "Bình Dương", world.commune_b.code, soon],
        ]
    )
    with pytest.raises(FileRefused) as refused:
        services.forecast_import(
            by=staff.commune_worker_a,
            upload=content,
            source_association="Hội đồng hương TP.HCM",
            keep_good_rows=False,
        )
    assert [e["line"] for e in refused.value.report.entries] == [3]
    assert len(refused.value.report.entries[0]["errors"]) == 4
    batch = services.forecast_import(
        by=staff.commune_worker_a,
        upload=content,
        source_association="Hội đồng hương TP.HCM",
        keep_good_rows=True,
    )
    assert (batch.rows_total, batch.rows_imported) == (3, 2)
    matched = batch.rows.get(name_key="nguyen van an")
    assert matched.matched_declaration == declaration
    client.force_login(staff.commune_worker_b)
    page = client.get(reverse("checkpoints:arrivals")).content.decode()
    assert "Lê Thị Cúc" in page and "Nguyễn Văn An" not in page


def test_it_routes_an_anonymous_citizen_report_to_the_commune(client, world, staff, settings):
    settings.CHECKPOINTS_PROVINCE_CODE = world.province.code
    with mock.patch("phongdich.checkpoints.services.reports._to_hotline") as hotline:
        response = client.post(
            reverse("checkpoints:citizen_report"),
            {
                "commune": world.commune_a.pk,
                "address": "Ngõ 4, phố Hàm Rồng",
                "description": "Nhà ông B có con về từ TP.HCM tối qua, không khai báo.",
                "anonymous": "on",
                "reporter_name": "Không muốn lộ",
                "reporter_phone": "0912000111",
            },
        )
    assert response.status_code == 200
    report = hotline.call_args.args[0]
    assert report.anonymous and report.reporter_name == "" and report.reporter_phone == ""
    client.force_login(staff.commune_worker_a)
    assert "Ngõ 4" in client.get(reverse("checkpoints:follow_ups")).content.decode()
    client.force_login(staff.commune_worker_b)
    assert "Ngõ 4" not in client.get(reverse("checkpoints:follow_ups")).content.decode()


def test_it_copies_a_report_to_the_hotline_when_installed(world):
    from django.apps import apps

    fake = mock.Mock()
    with (
        mock.patch.object(apps, "is_installed", return_value=True),
        mock.patch.dict(
            "sys.modules", {"phongdich.hotline.services": mock.Mock(ticket_create=fake)}
        ),
    ):
        report = services.citizen_report_submit(
            commune=world.commune_a, address="x", description="y", anonymous=True
        )
    kwargs = fake.call_args.kwargs
    assert (
        kwargs["category"] == "violation"
        and kwargs["source_ref"] == f"checkpoints.report:{report.pk}"
    )


def test_it_survives_a_hotline_with_another_signature(world):
    from django.apps import apps

    def broken(**kwargs):
        raise TypeError("unexpected keyword")

    with (
        mock.patch.object(apps, "is_installed", return_value=True),
        mock.patch.dict(
            "sys.modules", {"phongdich.hotline.services": mock.Mock(ticket_create=broken)}
        ),
    ):
        services.citizen_report_submit(
            commune=world.commune_a, address="x", description="y", anonymous=True
        )
    assert FollowUp.objects.count() == 1


def test_it_registers_a_pharmacy_and_turns_its_reports_into_follow_ups(
    client, world, staff, settings
):
    settings.CHECKPOINTS_PROVINCE_CODE = world.province.code
    response = client.post(
        reverse("checkpoints:pharmacy_register"),
        {
            "name": "Nhà thuốc Hàm Rồng",
            "owner_name": "DS. Phạm Thu",
            "phone": "0904111222",
            "address": "1 Nguyễn Trãi",
            "commune": world.commune_a.pk,
        },
    )
    link = response["Location"]
    sent = client.post(
        link,
        {
            "buyer_name": "Hoàng Văn Ho",
            "buyer_phone": "0905333444",
            "buyer_address": "3 Bà Triệu",
            "commune": world.commune_a.pk,
            "symptoms": ["cough", "fever"],
        },
    )
    assert "Đã gửi" in sent.content.decode()
    follow_up = FollowUp.objects.get(kind=FollowUp.Kind.PHARMACY)
    client.force_login(staff.commune_worker_a)
    client.post(reverse("checkpoints:follow_ups"), {"id": follow_up.pk, "outcome": "test âm tính"})
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.DONE
    assert client.get("/checkpoints/pharmacy/not-a-token/").status_code in (302, 404)


def test_it_shows_oversight_and_exports_it(client, world, staff, django_assert_max_num_queries):
    for i in range(3):
        builders.handover(world, staff, full_name=f"Người {i}", phone=f"091234567{i}")
    client.force_login(staff.province_health_officer)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("checkpoints:oversight"))
    assert "Chốt Bỉm Sơn" in page.content.decode()
    export = client.get(reverse("checkpoints:oversight_export"))
    assert export.content[:2] == b"PK"


def test_it_prints_a_checkpoint_poster(client, world, staff):
    checkpoint = builders.checkpoint(world)
    client.force_login(staff.checkpoint_officer)
    pdf = client.get(reverse("checkpoints:poster", args=[checkpoint.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    form = client.get(reverse("checkpoints:declare") + f"?checkpoint={checkpoint.pk}")
    assert checkpoint.name in form.content.decode()


def test_it_shows_home_panels_for_commune_and_officer(client, world, staff):
    builders.handover(world, staff)
    client.force_login(staff.commune_worker_a)
    assert "người về chờ đến" in client.get("/home/").content.decode()
    client.force_login(staff.checkpoint_officer)
    assert "lượt qua chốt hôm nay" in client.get("/home/").content.decode()


def test_it_pins_queries_on_the_quarantine_and_follow_up_lists(
    client, world, staff, django_assert_max_num_queries
):
    for i in range(4):
        handover = builders.handover(world, staff, full_name=f"Người {i}", phone=f"091234560{i}")
        services.handover_confirm(by=staff.commune_worker_a, handover=handover)
        services.quarantine_start(
            by=staff.commune_worker_a, handover=handover, policy_key="2022-early"
        )
        services.citizen_report_submit(
            commune=world.commune_a, address=f"Số {i}", description="về", anonymous=True
        )
    client.force_login(staff.commune_worker_a)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("quarantine:list")).content.decode()
    assert page.count('id="quarantine-') == 4
    with django_assert_max_num_queries(10):
        page = client.get(reverse("checkpoints:follow_ups")).content.decode()
    assert page.count('name="outcome"') == 4


def test_it_ticks_off_a_forecast_row_when_the_returnee_declares_and_passes(world, staff):
    soon = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    content = _forecast_file(
        [["Đỗ Văn Về", "0916555666", "Bình Dương", world.commune_a.code, soon]]
    )
    batch = services.forecast_import(
        by=staff.commune_worker_a,
        upload=content,
        source_association="Hội đồng hương Bình Dương",
        keep_good_rows=False,
    )
    row = batch.rows.get()
    assert row.matched_declaration is None
    handover = builders.handover(world, staff, full_name="Đỗ Văn Về", phone="0916555666")
    row.refresh_from_db()
    assert row.matched_declaration == handover.passage.declaration
    assert row.matched_passage == handover.passage
