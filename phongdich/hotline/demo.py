"""Demo data for the hotline: the routing table, a day of 1022 tickets, relief requests."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from phongdich.geo.models import AdminUnit
from phongdich.people.models import Person

from . import rules, services
from .models import (
    Category,
    ReliefRequest,
    ResponsibleUnit,
    Status,
    SupportPolicy,
    Ticket,
    TicketMessage,
)

TEXTS = {
    "emergency": ["Bố tôi khó thở, môi tím tái", "Mẹ tôi vừa ngất", "Cháu bé co giật, sốt cao"],
    "cdc": ["Hỏi lịch xét nghiệm tại phường", "Nhà bên có F0, tôi có phải cách ly không?"],
    "f0_advice": [
        "F0 ngày 3, ho nhiều, hỏi thuốc",
        "SpO2 97, sốt nhẹ, có cần đi viện?",
        "Con 5 tuổi là F0, cho uống thuốc gì?",
    ],
    "violation": [
        "Nhà số 12 có người từ TP.HCM về không khai báo",
        "Quán karaoke vẫn mở cửa ban đêm",
    ],
    "social_welfare": ["Xin hướng dẫn nhận hỗ trợ theo NQ 68", "Hộ nghèo có F0, xin trợ giúp"],
    "food": ["Nhà 5 người đang cách ly, hết gạo", "Cần sữa cho trẻ nhỏ"],
    "admin_procedures": ["Xin giấy xác nhận hoàn thành cách ly", "Thủ tục cấp giấy khỏi bệnh"],
    "other": ["Hỏi giờ làm việc của trạm y tế"],
}


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    rng = random.Random(seed)
    result = services.routing_seed_province(by=None, province=province)
    log(f"hotline: {result['units']} units, {result['rules']} routing rules")
    _focal_points(users)
    if Ticket.objects.exists():
        return
    categories = {c.code: c for c in Category.objects.all()}
    places = [users[name].jurisdiction for name in ("tramyte.a", "tramyte.b")]
    callers = list(Person.objects.filter(commune__in=places).exclude(phone="").order_by("pk")[:40])
    agent = users["tongdai"]
    # A handful through the real service (triage, routing, audit, messages)...
    with transaction.atomic():
        for person in callers[:24]:
            code = rng.choice(list(TEXTS))
            ticket = services.ticket_create(
                by=agent,
                channel=rng.choice(["phone", "phone", "web", "sms"]),
                category=code,
                text=rng.choice(TEXTS[code]),
                person=person,
            )
            if rng.random() < 0.5:
                worker = users["tramyte.a"] if person.commune == places[0] else users["tramyte.b"]
                services.ticket_reply(
                    by=worker, ticket=ticket, body="Trạm y tế đã nhận, sẽ gọi lại trong hôm nay."
                )
        _bulk_tickets(rng, scale, province, categories, agent)
        _relief(rng, users, places, callers)
    log(f"hotline: {Ticket.objects.count():,} tickets, {ReliefRequest.objects.count()} relief")


def _focal_points(users):
    pairs = [
        ("tramyte.a", "health_station"),
        ("tramyte.b", "health_station"),
        ("chamsoc.a", "health_station"),
    ]
    for username, kind in pairs:
        user = users.get(username)
        if user and user.jurisdiction:
            unit = ResponsibleUnit.objects.filter(kind=kind, admin_unit=user.jurisdiction).first()
            if unit:
                unit.focal_points.add(user)
    for username, kind in (("cuutro", "relief_centre"), ("cdc", "cdc"), ("tongdai", "other")):
        user = users.get(username)
        unit = ResponsibleUnit.objects.filter(kind=kind).first()
        if user and unit:
            unit.focal_points.add(user)


def _bulk_tickets(rng, scale, province, categories, agent) -> None:
    """Volume for the queue and oversight pages, routed with the same table."""
    count = max(100, int(20_000 * scale))
    communes = list(
        AdminUnit.objects.filter(path__startswith=province.path, kind="commune").order_by("code")
    )
    routes = {}
    now = timezone.now()
    tickets = []
    for i in range(count):
        commune = rng.choice(communes)
        code = rng.choice(list(TEXTS))
        category = categories[code]
        key = (code, commune.pk)
        if key not in routes:
            routes[key] = services.route_for(category, commune)
        text = rng.choice(TEXTS[code])
        triage = rules.triage(text, default_priority=category.default_priority)
        created = now - timedelta(minutes=rng.randint(0, 3 * 24 * 60))
        status = rng.choice([Status.NEW, Status.NEW, Status.CLAIMED, Status.RESOLVED])
        tickets.append(
            Ticket(
                channel=rng.choice(["phone", "web", "sms"]),
                category=category,
                priority=triage.priority,
                priority_reasons=list(triage.reasons),
                status=status,
                text=text,
                commune=commune,
                assigned_unit=routes[key],
                created_at=created,
                due_at=created + timedelta(minutes=services.DEFAULT_SLA_MINUTES[triage.priority]),
                first_response_at=created + timedelta(minutes=rng.randint(2, 300))
                if status != Status.NEW
                else None,
                resolved_at=created + timedelta(minutes=rng.randint(30, 2000))
                if status == Status.RESOLVED
                else None,
                source_ref=f"demo:{i}",
            )
        )
    Ticket.objects.bulk_create(tickets, batch_size=2000)
    messages = [
        TicketMessage(
            ticket=t, direction="in", body=t.text, channel=t.channel, created_at=t.created_at
        )
        for t in Ticket.objects.filter(source_ref__startswith="demo:").only(
            "pk", "text", "channel", "created_at"
        )
    ]
    TicketMessage.objects.bulk_create(messages, batch_size=2000)


def _relief(rng, users, places, callers) -> None:
    officer = users["cuutro"]
    for i, person in enumerate(callers[:12]):
        request = services.relief_request_create(
            by=officer,
            household_name=person.full_name,
            commune=person.commune,
            people_count=rng.randint(1, 7),
            address=person.address,
            phone=person.phone,
            need_rice=True,
            need_food=rng.random() < 0.5,
            need_medicine=rng.random() < 0.3,
            urgency=rng.choice(list(ReliefRequest.Urgency.values)),
            person=person,
        )
        if i % 3 == 0:
            services.relief_fulfil(
                by=officer,
                request=request,
                what="10 kg gạo, 30 quả trứng",
                delivered_by="Đoàn thanh niên phường",
            )
    # One household asks again within the week: flagged, not blocked.
    if callers:
        person = callers[0]
        services.relief_request_create(
            by=officer,
            household_name=person.full_name,
            commune=person.commune,
            address=person.address,
            phone=person.phone,
            need_food=True,
        )
    food = SupportPolicy.objects.filter(code="f0_food").first()
    for person in callers[12:18]:
        if food:
            services.support_payment_record(by=officer, person=person, policy=food, days=10)
