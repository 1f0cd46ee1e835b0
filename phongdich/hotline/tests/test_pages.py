import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from phongdich.audit.tests.exports import download_export
from phongdich.hotline import services
from phongdich.hotline.models import ReliefRequest, SupportPolicy, Ticket
from phongdich.testing import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_every_hotline_view_declares_access():
    from django.urls import get_resolver

    for pattern in get_resolver("phongdich.hotline.urls").url_patterns:
        view = pattern.callback
        assert getattr(view, "allowed_roles", None) or getattr(view, "is_public", False), pattern


def test_it_records_a_call_and_routes_it(client, units, staff, f0_person):
    login(client, staff.hotline_agent)
    page = client.get(reverse("hotline:lookup"), {"caller_phone": "0912 345 678"})
    assert "Nguyễn Văn An" in page.content.decode()
    response = client.post(
        reverse("hotline:call"),
        {
            "caller_phone": "0912345678",
            "person": f0_person.pk,
            "category": _cat("f0_advice"),
            "text": "Hỏi cách theo dõi SpO2",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.assigned_unit == units.station_a
    detail = client.get(reverse("hotline:ticket", args=[ticket.pk])).content.decode()
    assert "/hotline/l/" in detail  # the citizen link, shown once


def _cat(code):
    from phongdich.hotline.models import Category

    return Category.objects.get(code=code).pk


def test_it_scopes_tickets_to_the_units_jurisdiction(client, units, staff, world):
    in_a = services.ticket_create(
        by=None, channel="web", category="f0_advice", text="a", commune=world.commune_a
    )
    in_b = services.ticket_create(
        by=None, channel="web", category="f0_advice", text="b", commune=world.commune_b
    )
    login(client, staff.commune_worker_a)
    assert client.get(reverse("hotline:ticket", args=[in_a.pk])).status_code == 200
    assert client.get(reverse("hotline:ticket", args=[in_b.pk])).status_code == 404
    queue = client.get(reverse("hotline:queue")).content.decode()
    assert f'href="/hotline/t/{in_a.pk}/"' in queue and f'href="/hotline/t/{in_b.pk}/"' not in queue
    login(client, staff.outsider)
    assert client.get(reverse("hotline:ticket", args=[in_a.pk])).status_code == 404
    login(client, staff.checkpoint_officer)
    assert client.get(reverse("hotline:queue")).status_code == 403


def test_it_shows_a_clear_error_on_a_double_claim(client, units, staff, world):
    ticket = services.ticket_create(
        by=None, channel="web", category="f0_advice", text="a", commune=world.commune_a
    )
    services.ticket_claim(by=staff.commune_worker_a, ticket=ticket)
    login(client, staff.hotline_agent)
    response = client.post(reverse("hotline:claim", args=[ticket.pk]), follow=True)
    assert "đã có người khác nhận" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.claimed_by == staff.commune_worker_a


def test_it_refuses_a_reply_from_a_stale_page(client, units, staff, world):
    ticket = services.ticket_create(
        by=None, channel="web", category="f0_advice", text="a", commune=world.commune_a
    )
    stale = ticket.version
    services.ticket_claim(by=staff.hotline_agent, ticket=ticket)
    login(client, staff.commune_worker_a)
    response = client.post(
        reverse("hotline:reply", args=[ticket.pk]),
        {"body": "trả lời", "version": stale},
        follow=True,
    )
    assert "tải lại trang" in response.content.decode()
    assert ticket.messages.filter(direction="out").count() == 0


def test_it_pins_the_queue_query_count(client, units, staff, world, django_assert_max_num_queries):
    for i in range(30):
        services.ticket_create(
            by=None, channel="web", category="food", text=f"cần gạo {i}", commune=world.commune_a
        )
    login(client, staff.hotline_agent)
    client.get(reverse("hotline:queue"))  # warm the session
    with django_assert_max_num_queries(8):
        response = client.get(reverse("hotline:queue"))
    assert response.content.decode().count('class="ticket-row"') == 30


def test_it_creates_a_public_ticket_and_rate_limits(client, units, settings):
    settings.HOTLINE_PUBLIC_RATE = (2, 600)
    data = {"category": _cat("violation"), "text": "Có người về từ vùng dịch không khai báo"}
    first = client.post(reverse("hotline:citizen_new"), data)
    assert first.status_code == 302 and "/hotline/l/" in first["Location"]
    assert "lưu lại địa chỉ" in client.get(first["Location"]).content.decode()
    client.post(reverse("hotline:citizen_new"), data)
    assert client.post(reverse("hotline:citizen_new"), data).status_code == 429
    assert Ticket.objects.count() == 2


def test_it_flags_repeat_relief_requests_without_blocking(client, units, staff, world):
    login(client, staff.relief_officer)
    data = {
        "household_name": "Lê Văn Bình",
        "phone": "0987654321",
        "address": "Thôn 3",
        "commune": world.commune_a.pk,
        "people_count": 4,
        "need_rice": "on",
        "urgency": "urgent",
    }
    client.post(reverse("hotline:relief_new"), data)
    second = client.post(
        reverse("hotline:relief_new"), data | {"household_name": "Le Van Binh"}, follow=True
    )
    assert "đã xin hỗ trợ" in second.content.decode()
    first, again = ReliefRequest.objects.order_by("pk")
    assert again.repeat_of == first and first.repeat_of is None
    response = client.post(
        reverse("hotline:relief_detail", args=[again.pk]),
        {"what": "20 kg gạo", "delivered_by": "Đoàn thanh niên", "complete": "on"},
    )
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.status == "done" and again.fulfilments.get().what == "20 kg gạo"


def test_it_computes_nq68_support(client, staff, f0_person):
    login(client, staff.relief_officer)
    policy = SupportPolicy.objects.get(code="f0_food")
    client.post(
        reverse("hotline:support"), {"person": f0_person.pk, "policy": policy.pk, "days": 50}
    )
    payment = f0_person.support_payments.get()
    assert (payment.days, payment.amount_vnd) == (45, 3_600_000)
    child = SupportPolicy.objects.get(code="child_once")
    with pytest.raises(Exception, match="dưới 16"):
        services.support_payment_record(by=staff.relief_officer, person=f0_person, policy=child)


def test_it_reports_oversight_and_exports_the_day(client, units, staff, world):
    ticket = services.ticket_create(
        by=None, channel="web", category="f0_advice", text="khó thở", commune=world.commune_a
    )
    services.ticket_reply(by=staff.commune_worker_a, ticket=ticket, body="gọi 115 ngay")
    login(client, staff.committee_member)
    page = client.get(reverse("hotline:oversight")).content.decode()
    assert 'id="open-total">1<' in page
    export = download_export(client, reverse("hotline:oversight_export"))
    sheet = load_workbook(io.BytesIO(export)).active
    rows = list(sheet.values)
    assert rows[1][0] == ticket.pk and rows[1][4] == "P1"
    assert "khó thở" not in str(rows)  # no free text or personal data in the export


def test_it_creates_and_lists_tickets_through_the_api(client, units, staff, world):
    login(client, staff.hotline_agent)
    response = client.post(
        "/api/hotline/tickets",
        {
            "category": "food",
            "text": "hết gạo",
            "commune_code": world.commune_a.code,
            "caller_phone": "0912345678",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["unit"] == units.relief.name
    listed = client.get("/api/hotline/tickets").json()
    assert [t["id"] for t in listed] == [response.json()["id"]]
    login(client, staff.commune_worker_b)
    assert client.get("/api/hotline/tickets").json() == []
    assert (
        client.post(
            "/api/hotline/tickets",
            {"category": "food", "text": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_it_accepts_a_bearer_token_for_ticket_creation(client, units, staff, world):
    from phongdich.accounts.services import api_token_create

    _token, raw = api_token_create(by=staff.hotline_agent, name="switchboard")
    response = client.post(
        "/api/hotline/tickets",
        {
            "category": "violation",
            "text": "người về không khai báo",
            "commune_code": world.commune_a.code,
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 201, response.content
    assert response.json()["unit"] == units.police_a.name
    assert client.post(
        "/api/hotline/tickets",
        {"category": "food", "text": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer pd_wrong",
    ).status_code in (401, 403)


def test_it_caps_the_queue_count_and_filters_by_unit(client, units, staff, world, monkeypatch):
    monkeypatch.setattr("phongdich.hotline.views.COUNT_CAP", 3)
    for i in range(5):
        services.ticket_create(
            by=None, channel="web", category="food", text=f"gạo {i}", commune=world.commune_a
        )
    services.ticket_create(
        by=None, channel="web", category="cdc", text="lịch xét nghiệm", commune=world.commune_b
    )
    login(client, staff.hotline_agent)
    page = client.get(reverse("hotline:queue")).content.decode()
    assert "Hơn 10.000 phiếu" in page and page.count('class="ticket-row"') == 6
    only_relief = client.get(reverse("hotline:queue"), {"unit": units.relief.pk}).content.decode()
    assert only_relief.count('class="ticket-row"') == 5


def test_resolving_a_ticket_asks_first_and_says_what_happens(client, units, staff, world):
    ticket = services.ticket_create(
        by=None, channel="web", category="f0_advice", text="a", commune=world.commune_a
    )
    services.ticket_claim(by=staff.commune_worker_a, ticket=ticket)
    login(client, staff.commune_worker_a)
    page = client.get(reverse("hotline:ticket", args=[ticket.pk])).content.decode()
    assert f"Đánh dấu phiếu #{ticket.pk} đã giải quyết" in page
    url = reverse("hotline:resolve", args=[ticket.pk])
    response = client.post(url, {"version": ticket.version + 1}, follow=True)
    assert "Chưa xác nhận thao tác" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.is_open
    client.post(url, {"version": ticket.version, "confirmed": "1"})
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
