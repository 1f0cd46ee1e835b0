from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from phongdich.hotline import services
from phongdich.hotline.gateways import console_outbox
from phongdich.hotline.models import Status, Ticket, TicketEvent, TicketLink, TicketMessage


def make(staff, **kw):
    values = {
        "by": staff.hotline_agent,
        "channel": "phone",
        "category": "f0_advice",
        "text": "hỏi cách uống thuốc",
    }
    values.update(kw)
    return services.ticket_create(**values)


def test_it_routes_a_call_from_an_f0_to_the_commune_unit(units, staff, f0_person):
    ticket = make(staff, person=f0_person)
    assert ticket.assigned_unit == units.station_a
    assert ticket.commune == f0_person.commune
    assert ticket.caller_phone == "+84912345678"
    assert ticket.messages.count() == 1
    assert ticket.events.filter(kind=TicketEvent.Kind.CREATE).exists()


def test_it_routes_violations_to_the_district_police(units, staff, world):
    ticket = services.ticket_create(
        by=None,
        channel="web",
        category="violation",
        text="Nhà số 5 có người từ TP.HCM về không khai báo",
        commune=world.commune_a2,
        anonymous=True,
        caller_name="Ai đó",
    )
    assert ticket.assigned_unit == units.police_a
    assert ticket.caller_name == ""  # anonymous reports keep no name


def test_it_falls_back_to_the_province_desk(units, staff):
    assert make(staff, category="cdc").assigned_unit == units.desk


def test_it_sets_sla_due_from_the_editable_policy(units, staff):
    from phongdich.hotline.models import SlaPolicy

    SlaPolicy.objects.filter(priority="P1").update(minutes=5)
    services.desk_tables_changed()  # .update() sends no signal (services.tables)
    ticket = make(staff, text="bố tôi khó thở")
    assert ticket.priority == "P1"
    assert abs((ticket.due_at - ticket.created_at) - timedelta(minutes=5)) < timedelta(seconds=1)


def test_it_raises_an_f0_with_an_open_danger_alert_to_p1(units, staff, f0_person, fake_case):
    fake_case(
        f0_person,
        {
            "case_id": 7,
            "status": "active",
            "status_label": "Đang điều trị",
            "severity": "nhẹ",
            "commune_id": f0_person.commune_id,
            "open_danger_alerts": 1,
            "last_check_at": None,
            "url": "/cases/7/",
        },
    )
    ticket = make(staff, person=f0_person, text="hỏi về thuốc")
    assert ticket.priority == "P1"
    assert "cảnh báo" in " ".join(ticket.priority_reasons)


def test_it_lets_only_one_agent_claim_a_ticket(units, staff):
    ticket = make(staff)
    first = Ticket.objects.get(pk=ticket.pk)
    second = Ticket.objects.get(pk=ticket.pk)
    services.ticket_claim(by=staff.hotline_agent, ticket=first)
    with pytest.raises(services.TicketConflict):
        services.ticket_claim(by=staff.commune_worker_a, ticket=second)
    ticket.refresh_from_db()
    assert ticket.claimed_by == staff.hotline_agent
    assert ticket.events.filter(kind="claim").count() == 1


def test_it_refuses_a_stale_update_instead_of_losing_it(units, staff):
    ticket = make(staff)
    seen_by_a = Ticket.objects.get(pk=ticket.pk)
    seen_by_b = Ticket.objects.get(pk=ticket.pk)
    services.ticket_forward(
        by=staff.hotline_agent, ticket=seen_by_a, to_unit=units.police_a, version=seen_by_a.version
    )
    with pytest.raises(services.TicketConflict) as exc:
        services.ticket_resolve(
            by=staff.commune_worker_a, ticket=seen_by_b, version=seen_by_b.version
        )
    assert "tải lại" in " ".join(exc.value.messages)
    ticket.refresh_from_db()
    assert ticket.assigned_unit == units.police_a and ticket.status == Status.NEW


def test_it_keeps_forward_and_reassign_history(units, staff):
    ticket = make(staff)
    services.ticket_forward(
        by=staff.hotline_agent, ticket=ticket, to_unit=units.committee_a, note="việc của UBND"
    )
    services.ticket_reassign(by=staff.hotline_agent, ticket=ticket, to_user=staff.commune_worker_a)
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds == ["create", "forward", "reassign"]
    forward = ticket.events.get(kind="forward")
    assert (forward.from_unit, forward.to_unit) == (units.desk, units.committee_a)


def test_it_sends_replies_on_the_channel_and_never_sends_notes(units, staff, f0_person):
    console_outbox.clear()
    ticket = make(staff, person=f0_person, channel="sms")
    services.ticket_reply(by=staff.commune_worker_a, ticket=ticket, body="ghi chú", internal=True)
    message = services.ticket_reply(
        by=staff.commune_worker_a, ticket=ticket, body="Trạm sẽ gọi lại"
    )
    services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.delivery_status == TicketMessage.Delivery.SENT
    assert [s.text for s in console_outbox] == ["Trạm sẽ gọi lại"]
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING and ticket.first_response_at is not None


def test_it_shows_the_citizen_the_thread_without_internal_notes(units, staff, client):
    ticket = make(staff, channel="web")
    raw = services.ticket_link_mint(by=None, ticket=ticket)
    services.ticket_reply(
        by=staff.commune_worker_a, ticket=ticket, body="BÍ MẬT NỘI BỘ", internal=True
    )
    services.ticket_reply(by=staff.commune_worker_a, ticket=ticket, body="Trạm sẽ gọi lại")
    page = client.get(f"/hotline/l/{raw}/").content.decode()
    assert "Trạm sẽ gọi lại" in page and "BÍ MẬT NỘI BỘ" not in page
    response = client.post(f"/hotline/l/{raw}/", {"body": "Cảm ơn, tôi chờ"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLAIMED  # back to staff from "waiting citizen"
    assert ticket.messages.filter(direction="in").count() == 2


def test_it_hides_whether_a_link_exists(client, units, staff):
    ticket = make(staff, channel="web")
    link, raw = TicketLink.mint(valid_for=timedelta(days=-1), ticket=ticket)
    assert client.get(f"/hotline/l/{raw}/").status_code == 404
    assert client.get("/hotline/l/not-a-token/").status_code == 404


def test_it_escalates_overdue_tickets_once(
    units, staff, world, mailoutbox, django_capture_on_commit_callbacks
):
    staff.commune_worker_a.email = "tramyte.a@example.org"
    staff.commune_worker_a.save()
    ticket = make(staff, text="hỏi thủ tục", commune=world.commune_a)
    Ticket.objects.filter(pk=ticket.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("hotline_escalate")
        call_command("hotline_escalate")
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1 and ticket.escalated_at is not None
    assert ticket.events.filter(kind="escalate").count() == 1
    assert any("QUÁ HẠN" in m.subject for m in mailoutbox)


def test_it_threads_inbound_sms_onto_the_open_ticket(units, staff):
    first = services.ticket_inbound(channel="sms", phone="0912345678", text="tôi cần gạo")
    second = services.ticket_inbound(channel="sms", phone="+84912345678", text="nhà 4 người")
    assert first.pk == second.pk
    assert first.messages.count() == 2


def test_it_opens_an_emergency_ticket_from_a_danger_alert(
    units, staff, f0_person, django_capture_on_commit_callbacks
):
    from phongdich.hotline.receivers import on_danger_alert

    class Alert:
        pk = 41
        reasons = ["SpO2 93%"]

    class Case:
        person = f0_person

    with django_capture_on_commit_callbacks(execute=True):
        on_danger_alert(sender=None, alert=Alert(), case=Case())
        on_danger_alert(sender=None, alert=Alert(), case=Case())
    ticket = Ticket.objects.get(source_ref="cases.alert:41")
    assert ticket.category.code == "emergency" and ticket.priority == "P1"
    assert "SpO2 93%" in ticket.text
    assert ticket.assigned_unit == units.station_a


def test_it_emails_the_units_focal_points_without_personal_data(
    units, staff, f0_person, mailoutbox, django_capture_on_commit_callbacks
):
    staff.commune_worker_a.email = "tramyte.a@example.org"
    staff.commune_worker_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make(staff, person=f0_person)
    assert [m.to for m in mailoutbox] == [["tramyte.a@example.org"]]
    assert f"/hotline/t/{ticket.pk}/" in mailoutbox[0].body
    assert "Nguyễn Văn An" not in mailoutbox[0].body + mailoutbox[0].subject
