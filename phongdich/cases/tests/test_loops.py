"""Where the F0 app meets the rest: closing a danger alert needs an outcome and a note,
escalating leads to a transfer (or stays visibly pending), an ineligible or severe F0 is a
transfer to do until done or overridden with a reason, and the hotline ticket opened for an
alert moves with it, both ways."""

import pytest
from django.core.exceptions import ValidationError

from phongdich.audit.models import AuditEvent
from phongdich.cases import selectors, services
from phongdich.cases.models import Alert, Case, TransferNeed
from phongdich.facilities.models import Facility
from phongdich.hotline import services as hotline
from phongdich.hotline.models import ResponsibleUnit, Status, Ticket, TicketEvent
from phongdich.testing import losers, make_staff, make_world, race, winners

from .builders import make_case, submit


def _seed_hotline_policy():
    # transaction=True tests start from an empty database: re-seed the migration's rows.
    from importlib import import_module

    from django.apps import apps

    from phongdich.hotline.models import Category

    if not Category.objects.exists():
        import_module("phongdich.hotline.migrations.0002_seed_policy").seed(apps, None)


@pytest.fixture
def station(world):
    return ResponsibleUnit.objects.create(
        name="Trạm y tế Hàm Rồng",
        kind="health_station",
        admin_unit=world.commune_a,
        phone="0237111222",
    )


def _alert_with_ticket(world, staff, capture, spo2=95, name="Lê Thị Hoa"):
    case = make_case(world, staff.commune_worker_a, name=name)
    with capture(execute=True):
        alert = submit(case, spo2=spo2).alert
    return case, alert, Ticket.objects.get(alert=alert)


@pytest.mark.parametrize(
    ("outcome", "note", "field"),
    [
        ("", "đã gọi, F0 ổn", "outcome"),
        ("called", "", "note"),
        ("called", "   ", "note"),
        ("bogus", "x", "outcome"),
        # A transfer is recorded on the transfer page, not claimed on a closing form.
        ("transferred", "đã chuyển", "outcome"),
    ],
)
def test_closing_a_danger_alert_needs_an_outcome_and_a_note(world, staff, outcome, note, field):
    case = make_case(world, staff.commune_worker_a)
    alert = submit(case, spo2=95).alert
    with pytest.raises(ValidationError) as caught:
        services.alert_move(
            by=staff.care_team_a, alert=alert, action="resolve", outcome=outcome, note=note
        )
    assert field in caught.value.message_dict
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


@pytest.mark.parametrize("outcome", ["called", "advised", "false_reading"])
def test_a_danger_alert_closes_with_each_outcome_and_the_note_is_audited(world, staff, outcome):
    case = make_case(world, staff.commune_worker_a)
    alert = submit(case, spo2=95).alert
    services.alert_move(
        by=staff.care_team_a, alert=alert, action="resolve", outcome=outcome, note="đã gọi lại"
    )
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.note) == ("resolved", outcome, "đã gọi lại")
    event = AuditEvent.objects.filter(action="cases.alert_resolve").latest("pk")
    assert event.changes["outcome"] == outcome and event.changes["note"] == "đã gọi lại"


def test_a_no_contact_alert_may_close_without_an_outcome(world, staff):
    case = make_case(world, staff.commune_worker_a)
    alert = Alert.objects.create(case=case, kind=Alert.Kind.NO_CONTACT, reasons=["x"])
    services.alert_move(by=staff.care_team_a, alert=alert, action="resolve")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED


def test_escalating_puts_the_f0_in_transfers_to_do_until_the_transfer(world, staff):
    hospital = Facility.objects.create(
        name="BV Đa khoa tỉnh", kind="tier2", unit=world.district_a, beds_total=3
    )
    case = make_case(world, staff.commune_worker_a)
    alert = submit(case, spo2=95).alert
    services.alert_move(by=staff.care_team_a, alert=alert, action="escalate", note="chờ xe")
    case.refresh_from_db()
    assert case.transfer_need == TransferNeed.ALERT and case.treatment_place == "home"
    assert list(selectors.transfers_to_do(staff.care_team_a)) == [case]
    # Not visible outside the commune.
    assert list(selectors.transfers_to_do(staff.commune_worker_b)) == []
    services.case_transfer(
        by=staff.care_team_a, case=case, to_place="tier2", facility=hospital, reason="SpO2 95"
    )
    case.refresh_from_db()
    alert.refresh_from_db()
    assert case.transfer_need == "" and list(selectors.transfers_to_do(staff.care_team_a)) == []
    # The waiting escalation got its outcome from the transfer.
    assert alert.outcome == Alert.Outcome.TRANSFERRED


@pytest.mark.parametrize(
    ("extra", "vitals", "need"),
    [
        ({"can_self_care": False}, {}, TransferNeed.INELIGIBLE),
        ({}, {"spo2": 90}, TransferNeed.SEVERE),
        ({}, {"spo2": 95}, TransferNeed.NONE),  # moderate: a danger alert, not a transfer
        ({}, {"spo2": 97}, TransferNeed.NONE),
    ],
)
def test_an_ineligible_or_severe_f0_is_a_transfer_to_do(world, staff, extra, vitals, need):
    case = make_case(world, staff.commune_worker_a, **extra)
    if vitals:
        submit(case, **vitals)
    case.refresh_from_db()
    assert case.transfer_need == need
    assert (case in selectors.transfers_to_do(staff.care_team_a)) is bool(need)


def test_an_override_needs_a_reason_is_audited_and_does_not_come_back(world, staff):
    case = make_case(world, staff.commune_worker_a, can_self_care=False)
    with pytest.raises(ValidationError):
        services.case_transfer_override(by=staff.care_team_a, case=case, reason="  ")
    services.case_transfer_override(
        by=staff.care_team_a, case=case, reason="Gia đình có người chăm sóc, bác sĩ đồng ý"
    )
    case.refresh_from_db()
    assert case.transfer_need == "" and case.transfer_waived == TransferNeed.INELIGIBLE
    event = AuditEvent.objects.get(action="cases.transfer_override")
    assert event.changes["reason"] == "Gia đình có người chăm sóc, bác sĩ đồng ý"
    assert event.changes["reason_code"] == "ineligible"
    # The same finding on the next check does not list the F0 again; a new one does.
    submit(case, key="k2", spo2=97)
    case.refresh_from_db()
    assert case.transfer_need == ""
    submit(case, key="k3", spo2=90)
    case.refresh_from_db()
    assert case.transfer_need == TransferNeed.SEVERE
    services.case_transfer_override(by=staff.care_team_a, case=case, reason="BS trạm quyết định")
    # A second override of the same (now empty) need is refused with a clear message.
    with pytest.raises(ValidationError, match="không còn trong danh sách"):
        services.case_transfer_override(by=staff.care_team_a, case=case, reason="lần hai")


def test_the_ticket_of_a_danger_alert_names_the_signs_and_is_linked(
    world, staff, station, django_capture_on_commit_callbacks
):
    case, alert, ticket = _alert_with_ticket(world, staff, django_capture_on_commit_callbacks)
    assert ticket.priority == "P1" and ticket.alert_id == alert.pk
    assert "SpO2" in ticket.text and "Lê Thị Hoa" in ticket.text
    assert world.commune_a.label() in ticket.text  # the commune with its district


def test_closing_the_alert_resolves_its_ticket_with_an_event(
    world, staff, station, django_capture_on_commit_callbacks
):
    _case, alert, ticket = _alert_with_ticket(world, staff, django_capture_on_commit_callbacks)
    services.alert_move(by=staff.care_team_a, alert=alert, action="acknowledge")
    ticket.refresh_from_db()
    # Received by the care team: the desk sees someone holds it.
    assert ticket.status == Status.CLAIMED and ticket.claimed_by == staff.care_team_a
    services.alert_move(
        by=staff.care_team_a, alert=alert, action="resolve", outcome="advised", note="đã dặn dò"
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    last = ticket.events.order_by("pk").last()
    assert last.kind == TicketEvent.Kind.RESOLVE and "đã dặn dò" in last.note
    assert AuditEvent.objects.filter(action="hotline.ticket_resolve_by_alert").count() == 1


def test_a_transfer_resolves_the_ticket_of_its_alert(
    world, staff, station, django_capture_on_commit_callbacks
):
    hospital = Facility.objects.create(
        name="BV Đa khoa tỉnh", kind="tier2", unit=world.district_a, beds_total=3
    )
    case, alert, ticket = _alert_with_ticket(world, staff, django_capture_on_commit_callbacks)
    services.case_transfer(
        by=staff.care_team_a,
        case=case,
        to_place="tier2",
        facility=hospital,
        reason="SpO2 95",
        alert=alert,
    )
    ticket.refresh_from_db()
    alert.refresh_from_db()
    assert alert.outcome == Alert.Outcome.TRANSFERRED
    assert ticket.status == Status.RESOLVED
    assert "Đã chuyển tuyến" in ticket.events.order_by("pk").last().note


def test_resolving_the_ticket_notes_the_alert_which_the_care_team_still_closes(
    world, staff, station, django_capture_on_commit_callbacks
):
    _case, alert, ticket = _alert_with_ticket(world, staff, django_capture_on_commit_callbacks)
    agent = staff.hotline_agent
    hotline.ticket_resolve(by=agent, ticket=ticket, note="Đã gọi 115, xe đang đến")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED  # received, not closed: clinical call
    assert f"#{ticket.pk}" in alert.note and "xe đang đến" in alert.note
    assert AuditEvent.objects.filter(action="cases.alert_ticket_resolved").count() == 1
    # The care team then closes the alert; the resolved ticket gets a note, not a 2nd move.
    services.alert_move(
        by=staff.care_team_a, alert=alert, action="resolve", outcome="called", note="ổn"
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.events.order_by("pk").last().kind == TicketEvent.Kind.NOTE


def test_release_closes_the_alert_and_its_ticket(
    world, staff, station, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    case, alert, ticket = _alert_with_ticket(world, staff, django_capture_on_commit_callbacks)
    start = timezone.localdate() - timedelta(days=10)
    Case.objects.filter(pk=case.pk).update(
        isolation_start=start, diagnosed_on=start, vaccination="full"
    )
    case.refresh_from_db()
    services.case_release(by=staff.commune_worker_a, case=case)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


@pytest.mark.django_db(transaction=True)
def test_two_care_team_members_closing_one_alert_at_once_make_one_close():
    world = make_world()
    staff = make_staff(world)
    _seed_hotline_policy()
    ResponsibleUnit.objects.create(
        name="Trạm y tế Hàm Rồng", kind="health_station", admin_unit=world.commune_a
    )
    case = make_case(world, staff.commune_worker_a)
    alert = submit(case, spo2=95).alert
    # The ticket is opened after commit (transaction=True runs on_commit for real).
    ticket = Ticket.objects.get(alert=alert)
    members = [staff.care_team_a, staff.commune_worker_a]

    def close(i):
        return services.alert_move(
            by=members[i],
            alert=Alert.objects.get(pk=alert.pk),
            action="resolve",
            outcome="called",
            note=f"người {i}",
        )

    outcomes = race([lambda i=i: close(i) for i in range(2)])
    assert len(winners(outcomes)) == 1
    [loser] = losers(outcomes)
    assert "đã được người khác xử lý" in " ".join(loser.messages)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.events.filter(kind=TicketEvent.Kind.RESOLVE).count() == 1
    assert AuditEvent.objects.filter(action="cases.alert_resolve").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_overrides_of_one_transfer_to_do_at_once_record_one():
    world = make_world()
    staff = make_staff(world)
    case = make_case(world, staff.commune_worker_a, can_self_care=False)
    members = [staff.care_team_a, staff.commune_worker_a]

    def override(i):
        return services.case_transfer_override(
            by=members[i], case=Case.objects.get(pk=case.pk), reason=f"lý do {i}"
        )

    outcomes = race([lambda i=i: override(i) for i in range(2)])
    assert len(winners(outcomes)) == 1 and len(losers(outcomes)) == 1
    assert AuditEvent.objects.filter(action="cases.transfer_override").count() == 1
