"""A zone's food plan reached from outside the commune team: 1022 food-branch calls linked
to the zone's request for the household, and the household's own link (ask, see deliveries,
confirm one). Races are in test_concurrency.py."""

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from phongdich.audit.models import AuditEvent
from phongdich.hotline import services as hotline
from phongdich.hotline.models import Category, Ticket, TicketEvent
from phongdich.zones import rules, selectors, services
from phongdich.zones.models import Delivery, FoodRequest, Household, HouseholdLink, Zone

from .builders import zone_in_force

KEY = re.compile(r'name="submission_key" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _clean_rate_window(db, settings):
    settings.HOTLINE_SMS_GATEWAY = "console"
    yield
    cache.clear()


def _household(staff, zone, **extra):
    values = {"address": "Số 12 ngõ 4 Bắc Sơn", "head_name": "Lê Văn Nam", "phone": "+84912000111"}
    return services.household_add(by=staff.commune_worker_b, zone=zone, **(values | extra))


def _food_ticket(staff, world, *, phone="0912000111", commune=None, text="Nhà hết gạo"):
    return hotline.ticket_create(
        by=staff.hotline_agent,
        channel="phone",
        category="food",
        text=text,
        commune=commune or world.commune_b,
        caller_phone=phone,
        caller_name="Nam",
    )


# --- the rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "ended_on", "today", "alive"),
    [
        ("in_force", None, date(2021, 9, 1), True),
        ("lifted", date(2021, 9, 1), date(2021, 9, 1), True),
        ("lifted", date(2021, 9, 1), date(2021, 9, 4), True),  # the last grace day
        ("lifted", date(2021, 9, 1), date(2021, 9, 5), False),
        ("lifted", None, date(2021, 9, 1), False),
        ("proposed", None, date(2021, 9, 1), False),
        ("rejected", None, date(2021, 9, 1), False),
    ],
)
def test_a_household_link_lives_with_its_zone(status, ended_on, today, alive):
    assert rules.HOUSEHOLD_LINK_GRACE_DAYS == 3
    assert rules.household_link_alive(zone_status=status, ended_on=ended_on, today=today) is alive


@pytest.mark.parametrize(
    ("by_phone", "by_address", "expected"),
    [
        ([], [], (None, "none")),
        ([7], [], (7, "")),
        ([], [7], (7, "")),
        ([7], [7], (7, "")),
        ([7], [8], (None, "several")),
        ([7, 8], [], (None, "several")),
    ],
)
def test_a_call_matches_one_household_or_none(by_phone, by_address, expected):
    assert rules.household_match(by_phone=by_phone, by_address=by_address) == expected


# --- 1022 food tickets ------------------------------------------------------------------


def test_a_food_call_from_a_household_in_the_plan_opens_its_zone_request(world, staff):
    zone = zone_in_force(world, staff)
    household = _household(staff, zone, people=4)
    ticket = hotline.ticket_food_link(by=staff.hotline_agent, ticket=_food_ticket(staff, world))
    request = ticket.food_request
    assert request.household == household and request.zone == zone
    assert request.source == FoodRequest.Source.HOTLINE
    assert request.portions == 4  # no portions said: the household's people
    assert Ticket.objects.get(pk=ticket.pk).food_request_id == request.pk
    assert TicketEvent.objects.filter(ticket=ticket, note__contains=zone.name).exists()
    assert AuditEvent.objects.filter(action="hotline.ticket_food_link").count() == 1
    assert AuditEvent.objects.filter(action="zones.food_request_hotline").count() == 1


def test_a_second_call_of_the_household_joins_its_open_request(world, staff):
    zone = zone_in_force(world, staff)
    _household(staff, zone)
    first = hotline.ticket_food_link(by=staff.hotline_agent, ticket=_food_ticket(staff, world))
    second = hotline.ticket_food_link(
        by=staff.hotline_agent,
        ticket=_food_ticket(staff, world, phone="0999000111", text="Vẫn chưa có gạo"),
        household_address="số 12 NGÕ 4 bắc sơn",  # the address, folded, finds the household
    )
    assert first.food_request_id == second.food_request_id
    assert FoodRequest.objects.count() == 1


def test_linking_the_same_ticket_twice_changes_nothing(world, staff):
    zone = zone_in_force(world, staff)
    _household(staff, zone)
    ticket = _food_ticket(staff, world)
    hotline.ticket_food_link(by=staff.hotline_agent, ticket=ticket)
    again = hotline.ticket_food_link(
        by=staff.hotline_agent, ticket=Ticket.objects.get(pk=ticket.pk)
    )
    assert again.food_request_id == ticket.food_request_id
    assert FoodRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="hotline.ticket_food_link").count() == 1


def test_a_call_from_another_commune_is_never_matched_to_the_zone(world, staff):
    zone = zone_in_force(world, staff)  # in commune B
    _household(staff, zone)
    ticket = hotline.ticket_food_link(
        by=staff.hotline_agent, ticket=_food_ticket(staff, world, commune=world.commune_a)
    )
    assert ticket.food_request_id is None
    assert not FoodRequest.objects.exists()


def test_two_households_answering_one_call_link_none_and_say_why(world, staff):
    zone = zone_in_force(world, staff)
    _household(staff, zone)
    _household(staff, zone, address="Số 3 ngõ 9", phone="+84912999888")
    ticket = hotline.ticket_food_link(
        by=staff.hotline_agent, ticket=_food_ticket(staff, world), household_address="Số 3 ngõ 9"
    )
    assert ticket.food_request_id is None
    assert not FoodRequest.objects.exists()
    assert TicketEvent.objects.filter(ticket=ticket, note__contains="nhiều hộ").exists()


def test_a_caller_not_in_the_plan_of_a_street_zone_is_not_added(world, staff):
    zone_in_force(world, staff)  # a street: the commune is larger than the zone
    ticket = hotline.ticket_food_link(
        by=staff.hotline_agent, ticket=_food_ticket(staff, world), household_address="Thôn 9"
    )
    assert ticket.food_request_id is None
    assert not Household.objects.exists()
    assert TicketEvent.objects.filter(ticket=ticket, note__contains="chưa tìm thấy hộ").exists()


def test_a_caller_of_a_whole_commune_zone_joins_the_plan(world, staff):
    zone = zone_in_force(world, staff, kind=Zone.Kind.COMMUNE, name="Toàn phường Bắc Sơn")
    ticket = hotline.ticket_food_link(
        by=staff.hotline_agent,
        ticket=_food_ticket(staff, world),
        household_address="Thôn 9",
        portions=3,
    )
    household = Household.objects.get()
    assert (household.zone, household.address, household.phone) == (zone, "Thôn 9", "+84912000111")
    assert ticket.food_request.portions == 3


def test_a_ticket_of_another_branch_is_left_alone(world, staff):
    zone = zone_in_force(world, staff)
    _household(staff, zone)
    ticket = hotline.ticket_create(
        by=staff.hotline_agent,
        channel="phone",
        category="f0_advice",
        text="Hỏi SpO2",
        commune=world.commune_b,
        caller_phone="0912000111",
    )
    assert hotline.ticket_food_link(by=staff.hotline_agent, ticket=ticket).food_request_id is None


def test_the_call_page_links_the_ticket_and_the_ticket_shows_the_delivery(client, world, staff):
    zone = zone_in_force(world, staff)
    household = _household(staff, zone)
    client.force_login(staff.hotline_agent)
    key = KEY.search(client.get(reverse("hotline:call")).content.decode()).group(1)
    data = {
        "submission_key": key,
        "caller_phone": "0912 000 111",
        "category": Category.objects.get(code="food").pk,
        "text": "Nhà 4 người hết gạo",
        "commune": world.commune_b.pk,
        "portions": "4",
    }
    client.post(reverse("hotline:call"), data)
    client.post(reverse("hotline:call"), data)  # the double click
    ticket = Ticket.objects.get()
    request = FoodRequest.objects.get()
    assert ticket.food_request == request and request.portions == 4
    page = client.get(reverse("hotline:ticket", args=[ticket.pk])).content.decode()
    assert "đã giao 0/4 suất" in page and "Chưa đáp ứng đủ" in page
    services.delivery_record(
        by=staff.commune_worker_b,
        zone=zone,
        household=household,
        request=request,
        portions=4,
        delivered_on=date(2021, 8, 3),
    )
    page = client.get(reverse("hotline:ticket", args=[ticket.pk])).content.decode()
    assert "đã giao 4/4 suất" in page and "Đã đáp ứng" in page
    # And the zone's page shows the ticket's number beside the (open) request.
    request.refresh_from_db()
    assert request.status == FoodRequest.Status.SERVED


def test_the_zone_page_names_the_ticket_of_an_open_request(client, world, staff):
    zone = zone_in_force(world, staff)
    _household(staff, zone)
    ticket = hotline.ticket_food_link(by=staff.hotline_agent, ticket=_food_ticket(staff, world))
    client.force_login(staff.commune_worker_b)
    page = client.get(reverse("zones:detail", args=[zone.pk])).content.decode()
    assert f"#{ticket.pk}" in page and "Tổng đài 1022" in page


# --- the household's link ---------------------------------------------------------------


def _issue(client, staff, zone, household):
    client.force_login(staff.commune_worker_b)
    response = client.post(reverse("zones:household_link_issue", args=[zone.pk, household.pk]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    url = re.search(r'id="new-link" value="([^"]+)"', page).group(1)
    return url, page


def test_a_household_link_is_issued_once_stored_hashed_and_old_links_stop(client, world, staff):
    zone = zone_in_force(world, staff)
    household = _household(staff, zone)
    url, page = _issue(client, staff, zone, household)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40 and "<svg" in page
    assert not HouseholdLink.objects.filter(token_hash=token).exists()  # only the hash
    # Shown once: the page reloaded no longer holds it.
    again = client.get(reverse("zones:household_link", args=[zone.pk, household.pk]))
    assert token not in again.content.decode()
    second, _page = _issue(client, staff, zone, household)
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get(second).status_code == 200
    assert AuditEvent.objects.filter(action="zones.household_link_issue").count() == 2


def test_the_link_is_sent_through_the_hotline_gateway(client, world, staff, monkeypatch):
    sent = []

    class Gateway:
        def send(self, to, text, *, channel, reference):
            sent.append((to, text, reference))
            return "ext-1"

    monkeypatch.setattr("phongdich.hotline.gateways.get_gateway", lambda: Gateway())
    zone = zone_in_force(world, staff)
    household = _household(staff, zone)
    url, page = _issue(client, staff, zone, household)
    signed = re.search(r'name="link" value="([^"]+)"', page).group(1)
    key = KEY.search(page).group(1)
    target = reverse("zones:household_link_send", args=[zone.pk, household.pk])
    for _ in range(2):  # the double tap sends once
        client.post(target, {"link": signed, "channel": "sms", "submission_key": key})
    assert len(sent) == 1 and sent[0][0] == "+84912000111" and url in sent[0][1]
    assert household.link_sends.get().status == "sent"


def test_the_household_asks_sees_its_deliveries_and_confirms_one(client, world, staff):
    zone = zone_in_force(world, staff)
    household = _household(staff, zone)
    other = _household(staff, zone, address="Số 99 ngõ 1", head_name="Hộ khác", phone="")
    url, _page = _issue(client, staff, zone, household)
    mine = services.delivery_record(
        by=staff.commune_worker_b,
        zone=zone,
        household=household,
        portions=2,
        delivered_on=date(2021, 8, 2),
        items="Gạo 10 kg",
    )
    theirs = services.delivery_record(
        by=staff.commune_worker_b,
        zone=zone,
        household=other,
        portions=5,
        delivered_on=date(2021, 8, 2),
        items="Mì tôm bí mật",
    )
    client.logout()
    page = client.get(url).content.decode()
    assert "Gạo 10 kg" in page and "Mì tôm bí mật" not in page and "Hộ khác" not in page
    response = client.post(
        url, {"items": "Gạo, sữa cho trẻ", "portions": "3", "note": "Có trẻ 2 tuổi"}
    )
    assert response.status_code == 302
    client.post(url, {"items": "Gạo, sữa cho trẻ", "portions": "3"})  # asked again: joins it
    request = FoodRequest.objects.get()
    assert (request.source, request.portions, request.note) == (
        "citizen",
        3,
        "Có trẻ 2 tuổi",
    )
    token = url.rstrip("/").rsplit("/", 1)[1]
    client.post(reverse("zones:household_confirm", args=[token, mine.pk]))
    client.post(reverse("zones:household_confirm", args=[token, theirs.pk]))  # not theirs
    assert Delivery.objects.get(pk=mine.pk).confirmed_at is not None
    assert Delivery.objects.get(pk=theirs.pk).confirmed_at is None
    assert AuditEvent.objects.filter(action="zones.delivery_confirm").count() == 1
    assert AuditEvent.objects.filter(action="zones.food_request_citizen").count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"items": "", "portions": "2"},
        {"items": "x" * 501, "portions": "2"},
        {"items": "Gạo", "portions": "0"},
        {"items": "Gạo", "portions": "101"},
        {"items": "Gạo", "portions": "abc"},
        {"items": "Gạo", "portions": "2", "note": "x" * 301},
    ],
)
def test_a_bad_ask_is_a_400_never_a_500(client, world, staff, data):
    zone = zone_in_force(world, staff)
    url, _page = _issue(client, staff, zone, _household(staff, zone))
    client.logout()
    assert client.post(url, data).status_code == 400
    assert not FoodRequest.objects.exists()


def test_the_link_is_rate_limited(client, world, staff, settings):
    zone = zone_in_force(world, staff)
    url, _page = _issue(client, staff, zone, _household(staff, zone))
    client.logout()
    codes = [client.post(url, {"items": "", "portions": "1"}).status_code for _ in range(31)]
    assert codes[:30] == [400] * 30 and codes[30] == 429


def test_the_link_stops_a_few_days_after_the_zone_is_lifted(client, world, staff):
    zone = zone_in_force(world, staff)
    household = _household(staff, zone)
    url, _page = _issue(client, staff, zone, household)
    ended = timezone.localdate() - timedelta(days=rules.HOUSEHOLD_LINK_GRACE_DAYS + 1)
    Zone.objects.filter(pk=zone.pk).update(status=Zone.Status.LIFTED, ended_on=ended)
    client.logout()
    assert client.get(url).status_code == 404
    Zone.objects.filter(pk=zone.pk).update(ended_on=timezone.localdate())
    page = client.get(url)
    assert page.status_code == 200 and "ask-form" not in page.content.decode()


def test_an_unknown_or_long_token_is_a_404(client, db):
    assert client.get("/zones/h/abc/").status_code == 404
    assert client.get("/zones/h/" + "a" * 300 + "/").status_code == 404
    assert selectors.household_by_link("") is None


def test_lifting_the_zone_cuts_the_stored_expiry_of_its_links(world, staff):
    zone = zone_in_force(world, staff)
    household = _household(staff, zone)
    link, _raw = services.household_link_issue(by=staff.commune_worker_b, household=household)
    services.zone_facts_update(
        by=staff.commune_worker_b,
        zone=zone,
        reason="Vòng xét nghiệm trước khi có hệ thống",
        last_case_on=date(2021, 8, 1),
        last_negative_round_on=date(2021, 8, 20),
        people_count=420,
        households_count=110,
    )
    proposal = services.proposal_create(
        by=staff.commune_worker_b, zone=zone, action="lift", reason="Đủ 14 ngày"
    )
    services.proposal_decide(
        by=staff.province_health_officer,
        proposal=proposal,
        approve=True,
        decision_number="9/QĐ",
        decision_date=date(2021, 8, 25),
    )
    link.refresh_from_db()
    # Usable to the end of 28/08 (ended 25/08 + 3 days), local time.
    assert timezone.localtime(link.expires_at).date() == date(2021, 8, 29)
    assert timezone.localtime(link.expires_at).hour == 0
    assert selectors.household_by_link(_raw) is None  # 28/08/2021 is long past
