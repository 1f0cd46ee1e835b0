"""A call, a citizen's report, a reply, a relief request sent twice is recorded once.

Forms carry a hidden single-use key; the API takes an Idempotency-Key header. The racing
tests run real threads on PostgreSQL (in turn on SQLite, see phongdich/testing.py).
"""

import re
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from phongdich.accounts.services import api_token_create
from phongdich.audit.models import AuditEvent
from phongdich.hotline.models import (
    Category,
    Fulfilment,
    ReliefRequest,
    SupportPayment,
    SupportPolicy,
    Ticket,
    TicketEvent,
    TicketMessage,
)
from phongdich.testing import make_staff, make_world, race, winners

KEY = re.compile(r'name="submission_key" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _own_rate_limit_window(db):
    # Public posts count against the per-address limit in the cache; leave none behind.
    yield
    cache.clear()


def _key(page) -> str:
    found = KEY.search(page.content.decode())
    assert found, "the form carries no submission key"
    return found.group(1)


def _category(code: str) -> int:
    return Category.objects.get(code=code).pk


def test_a_double_submitted_call_opens_one_ticket(client, units, staff, world):
    client.force_login(staff.hotline_agent)
    key = _key(client.get(reverse("hotline:call")))
    data = {
        "submission_key": key,
        "caller_phone": "0912345678",
        "category": _category("f0_advice"),
        "text": "Hỏi cách theo dõi SpO2",
        "commune": world.commune_a.pk,
    }
    first = client.post(reverse("hotline:call"), data)
    second = client.post(reverse("hotline:call"), data)
    ticket = Ticket.objects.get()
    assert first["Location"] == second["Location"] == reverse("hotline:ticket", args=[ticket.pk])
    assert ticket.messages.count() == 1
    assert ticket.links.count() == 1  # the SMS link was minted and sent once


def test_every_page_of_the_call_form_gets_its_own_key(client, staff):
    client.force_login(staff.hotline_agent)
    first = _key(client.get(reverse("hotline:call")))
    second = _key(client.get(reverse("hotline:call")))
    assert first != second


def test_a_key_reused_for_other_words_is_refused_and_a_new_key_offered(client, units, staff, world):
    client.force_login(staff.hotline_agent)
    key = _key(client.get(reverse("hotline:call")))
    data = {"submission_key": key, "category": _category("f0_advice"), "text": "Hỏi SpO2"}
    client.post(reverse("hotline:call"), data)
    page = client.post(reverse("hotline:call"), data | {"text": "Hỏi về xét nghiệm"})
    assert page.status_code == 200
    assert "đã được gửi trước đó với nội dung khác" in page.content.decode()
    assert _key(page) != key
    assert Ticket.objects.count() == 1
    client.post(
        reverse("hotline:call"), data | {"text": "Hỏi về xét nghiệm", "submission_key": _key(page)}
    )
    assert Ticket.objects.count() == 2


def test_a_call_posted_without_a_key_is_still_recorded(client, units, staff):
    client.force_login(staff.hotline_agent)
    data = {"category": _category("f0_advice"), "text": "Hỏi SpO2"}
    assert client.post(reverse("hotline:call"), data).status_code == 302
    assert client.post(reverse("hotline:call"), data | {"submission_key": "x"}).status_code == 302
    assert Ticket.objects.count() == 2


def test_a_citizen_report_sent_twice_opens_one_ticket(client, units):
    key = _key(client.get(reverse("hotline:citizen_new")))
    data = {"submission_key": key, "category": _category("violation"), "text": "Có người về"}
    first = client.post(reverse("hotline:citizen_new"), data)
    second = client.post(reverse("hotline:citizen_new"), data)
    assert first.status_code == second.status_code == 302
    assert Ticket.objects.count() == 1
    # Both answers lead to the one ticket (the second through a new link to it).
    assert "Có người về" in client.get(second["Location"]).content.decode()


def test_a_citizen_reply_sent_twice_is_one_message(client, units):
    from phongdich.hotline import services

    ticket = services.ticket_create(by=None, channel="web", category="violation", text="Có")
    raw = services.ticket_link_mint(by=None, ticket=ticket)
    url = reverse("hotline:citizen", args=[raw])
    key = _key(client.get(url))
    for _ in range(2):
        client.post(url, {"submission_key": key, "body": "Nhà số 5"})
    assert TicketMessage.objects.filter(ticket=ticket, body="Nhà số 5").count() == 1


def test_relief_requests_fulfilments_and_support_are_recorded_once(
    client, units, staff, world, f0_person
):
    client.force_login(staff.relief_officer)
    key = _key(client.get(reverse("hotline:relief_new")))
    data = {
        "submission_key": key,
        "household_name": "Lê Văn Bình",
        "commune": world.commune_a.pk,
        "people_count": 4,
        "need_rice": "on",
        "urgency": "urgent",
    }
    for _ in range(2):
        client.post(reverse("hotline:relief_new"), data)
    relief = ReliefRequest.objects.get()
    assert relief.repeat_of is None
    url = reverse("hotline:relief_detail", args=[relief.pk])
    key = _key(client.get(url))
    for _ in range(2):
        client.post(url, {"submission_key": key, "what": "20 kg gạo", "complete": "on"})
    assert Fulfilment.objects.count() == 1
    policy = SupportPolicy.objects.get(code="f0_food")
    key = _key(client.get(reverse("hotline:support")))
    for _ in range(2):
        client.post(
            reverse("hotline:support"),
            {"submission_key": key, "person": f0_person.pk, "policy": policy.pk, "days": 3},
        )
    assert SupportPayment.objects.count() == 1


def _bearer(user) -> dict:
    _token, raw = api_token_create(by=user, name="tổng đài")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post_ticket(client, auth, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/hotline/tickets", body, content_type="application/json", **auth, **headers
    )


def test_the_api_opens_one_ticket_per_idempotency_key(client, units, staff, world):
    auth = _bearer(staff.hotline_agent)
    body = {"category": "violation", "text": "người về không khai báo", "commune_code": "14755"}
    key = str(uuid.uuid4())
    first = _post_ticket(client, auth, body, key)
    again = _post_ticket(client, auth, body, key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1
    changed = _post_ticket(client, auth, body | {"text": "chuyện khác"}, key)
    assert changed.status_code == 409
    assert Ticket.objects.count() == 1
    assert _post_ticket(client, auth, body, "bad key!").status_code == 422
    # Another caller's identical key is their own.
    other = _post_ticket(client, _bearer(staff.province_admin), body, key)
    assert other.status_code == 201 and Ticket.objects.count() == 2


def test_the_api_documents_the_idempotency_key_header(client):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/hotline/tickets"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in operation.get("parameters", [])]
    assert "409" in operation["responses"]


def _world_with_routes():
    if not Category.objects.filter(code="violation").exists():  # transaction tests flush
        Category.objects.create(code="violation", name="Vi phạm", branch_number=5)
        Category.objects.create(code="f0_advice", name="F0", branch_number=3)
    world = make_world()
    return world, make_staff(world)


@pytest.mark.django_db(transaction=True)
def test_racing_api_calls_with_one_key_open_one_ticket():
    world, staff = _world_with_routes()
    auth = _bearer(staff.hotline_agent)
    body = {"category": "violation", "text": "người về không khai báo", "commune_code": "14755"}
    key = str(uuid.uuid4())
    outcomes = race([lambda: _post_ticket(Client(), auth, body, key) for _ in range(5)])
    responses = winners(outcomes)
    assert len(responses) == 5
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Ticket.objects.count() == 1
    assert TicketMessage.objects.count() == 1
    # The rows written with the ticket in one statement: once, for the winner only.
    assert TicketEvent.objects.filter(kind="create").count() == 1
    assert AuditEvent.objects.filter(action="hotline.ticket_create").count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_call_form_posts_with_one_key_open_one_ticket():
    world, staff = _world_with_routes()
    data = {
        "submission_key": "k" * 24,
        "caller_phone": "0912345678",
        "category": Category.objects.get(code="f0_advice").pk,
        "text": "Hỏi cách theo dõi SpO2",
    }

    def post():
        client = Client()
        client.force_login(staff.hotline_agent)
        return client.post(reverse("hotline:call"), data)

    outcomes = race([post for _ in range(4)])
    assert [r.status_code for r in winners(outcomes)] == [302] * 4
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_officers_pay_a_once_per_person_policy_once():
    from datetime import date

    from django.core.exceptions import ValidationError

    from phongdich.hotline import services
    from phongdich.people.services import person_register

    world, staff = _world_with_routes()
    policy = SupportPolicy.objects.create(
        code="once_test",
        label="Hỗ trợ một lần",
        amount_vnd=1_000_000,
        once_per_person=True,
        source="NQ 68/NQ-CP",
        valid_from=date(2021, 7, 1),
    )
    person, _created = person_register(
        by=staff.province_admin, full_name="Nguyễn Văn An", birth_year=1980, commune=world.commune_a
    )
    officers = [staff.relief_officer, staff.province_admin, staff.relief_officer]
    outcomes = race(
        [
            lambda by=by: services.support_payment_record(by=by, person=person, policy=policy)
            for by in officers
        ]
    )
    assert len(winners(outcomes)) == 1
    assert all(isinstance(exc, ValidationError) for kind, exc in outcomes if kind == "error")
    assert SupportPayment.objects.filter(person=person, policy=policy).count() == 1


def test_a_gateway_retrying_a_webhook_records_the_message_once(units):
    from phongdich.hotline import services

    first = services.ticket_inbound(
        channel="sms", phone="0912345678", text="tôi cần gạo", external_id="gw-1"
    )
    again = services.ticket_inbound(
        channel="sms", phone="0912345678", text="tôi cần gạo", external_id="gw-1"
    )
    assert first.pk == again.pk and Ticket.objects.count() == 1
    assert TicketMessage.objects.filter(ticket=first).count() == 1
    for _ in range(2):
        services.ticket_inbound(
            channel="sms", phone="0912345678", text="nhà 4 người", external_id="gw-2"
        )
    assert TicketMessage.objects.filter(ticket=first).count() == 2
    services.ticket_inbound(channel="sms", phone="0912345678", text="nhà 4 người")
    assert TicketMessage.objects.filter(ticket=first).count() == 3  # no id: nothing to match


def _staff_ticket(world):
    from phongdich.hotline import services

    return services.ticket_create(
        by=None, channel="web", category="f0_advice", text="Hỏi SpO2", commune=world.commune_a
    )


def test_a_staff_reply_double_clicked_is_one_message(client, units, staff, world):
    ticket = _staff_ticket(world)
    client.force_login(staff.hotline_agent)
    page = client.get(reverse("hotline:ticket", args=[ticket.pk]))
    data = {"submission_key": _key(page), "body": "Đo SpO2 mỗi 4 giờ", "version": ticket.version}
    first = client.post(reverse("hotline:reply", args=[ticket.pk]), data, follow=True)
    second = client.post(reverse("hotline:reply", args=[ticket.pk]), data, follow=True)
    assert [str(m) for m in first.context["messages"]] == ["Đã gửi trả lời."]
    assert TicketMessage.objects.filter(ticket=ticket, body="Đo SpO2 mỗi 4 giờ").count() == 1
    # The second click is the first one's answer, not a "someone changed the ticket" refusal.
    shown = [str(m) for m in second.context["messages"]]
    assert shown == ["Đã gửi trả lời."]


def test_a_staff_reply_key_reused_for_other_words_is_refused(client, units, staff, world):
    ticket = _staff_ticket(world)
    client.force_login(staff.hotline_agent)
    key = _key(client.get(reverse("hotline:ticket", args=[ticket.pk])))
    data = {"submission_key": key, "body": "Đo SpO2 mỗi 4 giờ", "version": ticket.version}
    client.post(reverse("hotline:reply", args=[ticket.pk]), data)
    page = client.post(
        reverse("hotline:reply", args=[ticket.pk]),
        data | {"body": "Uống nhiều nước", "version": ticket.version + 1},
        follow=True,
    )
    assert "đã được gửi trước đó với nội dung khác" in page.content.decode()
    assert _key(page) != key
    assert not TicketMessage.objects.filter(ticket=ticket, body="Uống nhiều nước").exists()


@pytest.mark.django_db(transaction=True)
def test_racing_staff_reply_posts_with_one_key_add_one_message():
    world, staff = _world_with_routes()
    ticket = _staff_ticket(world)
    data = {"submission_key": "r" * 24, "body": "Đo SpO2 mỗi 4 giờ", "version": ticket.version}

    def post():
        client = Client()
        client.force_login(staff.hotline_agent)
        return client.post(reverse("hotline:reply", args=[ticket.pk]), data, follow=True)

    outcomes = race([post for _ in range(4)])
    pages = winners(outcomes)
    assert len(pages) == 4
    assert TicketMessage.objects.filter(ticket=ticket, direction="out").count() == 1
    for page in pages:
        assert [str(m) for m in page.context["messages"]] == ["Đã gửi trả lời."]
