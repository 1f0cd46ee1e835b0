"""Two approvers deciding one proposal at once: one decision, the other told in Vietnamese
(threads on PostgreSQL; on SQLite the calls run in turn, which checks the outcome rule)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from phongdich.testing import losers, make_staff, make_world, race, while_paused_in, winners
from phongdich.zones import services
from phongdich.zones.models import Delivery, FoodRequest, ZoneChange, ZoneProposal

from .builders import proposed_zone, zone_in_force


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_make_one_decision():
    world = make_world()
    staff = make_staff(world)
    zone = proposed_zone(world, staff)
    proposal = zone.proposals.get()
    deciders = [staff.province_health_officer, staff.province_admin, staff.committee_member]
    outcomes = race(
        [
            lambda who=who: services.proposal_decide(
                by=who,
                proposal=proposal,
                approve=True,
                decision_number="5/QĐ",
                decision_date=date(2021, 8, 2),
            )
            for who in deciders
        ]
    )
    assert len(winners(outcomes)) == 1
    errors = losers(outcomes)
    assert len(errors) == 2
    assert all(
        isinstance(e, ValidationError) and "đã được quyết định" in e.messages[0] for e in errors
    )
    assert ZoneChange.objects.filter(zone=zone, kind="decided").count() == 1
    assert ZoneProposal.objects.get(pk=proposal.pk).status == ZoneProposal.Status.APPROVED


@pytest.mark.django_db(transaction=True)
def test_two_proposals_at_once_make_one_pending():
    world = make_world()
    staff = make_staff(world)
    zone = zone_in_force(world, staff)
    outcomes = race(
        [
            lambda: services.proposal_create(
                by=staff.commune_worker_b, zone=zone, action="lift", reason="Đủ ngày"
            )
        ]
        * 3
    )
    assert len(winners(outcomes)) == 1
    assert ZoneProposal.objects.filter(zone=zone, status="pending").count() == 1


@pytest.mark.django_db(transaction=True)
def test_deliveries_recorded_at_once_all_count():
    world = make_world()
    staff = make_staff(world)
    zone = zone_in_force(world, staff)
    household = services.household_add(by=staff.commune_worker_b, zone=zone, address="Số 1")
    request = services.food_request_create(
        by=staff.commune_worker_b, zone=zone, household=household, items="Gạo", portions=8
    )
    outcomes = race(
        [
            lambda: services.delivery_record(
                by=staff.relief_officer,
                zone=zone,
                household=household,
                request=request,
                portions=2,
                delivered_on=date(2021, 8, 3),
            )
        ]
        * 4
    )
    assert not losers(outcomes), losers(outcomes)
    request.refresh_from_db()
    assert Delivery.objects.count() == 4
    assert (request.portions_delivered, request.status) == (8, FoodRequest.Status.SERVED)


@pytest.mark.django_db(transaction=True)
def test_a_zone_write_does_not_lock_its_commune(monkeypatch):
    """A zone's writes serialise on the zone's row. They used to lock the joined commune
    FOR UPDATE too: while one ran, every insert naming the commune (a person, a case, a
    ticket, a sample: their foreign keys take a key-share lock on it) waited for it."""
    from django.db import connection

    from phongdich.people.models import Person

    if connection.vendor != "postgresql":
        pytest.skip("row locks and lock_timeout: PostgreSQL")
    world = make_world()
    staff = make_staff(world)
    zone = zone_in_force(world, staff)

    def update():
        return services.zone_facts_update(
            by=staff.commune_worker_b, zone=zone, people_count=431, households_count=111
        )

    with while_paused_in(monkeypatch, services, "_snapshot", update) as outcome:
        person = Person.objects.create(full_name="Lê Văn Bình", commune=zone.commune)
    assert "result" in outcome, outcome
    zone.refresh_from_db()
    assert person.pk and zone.people_count == 431


def _food_category():
    from phongdich.hotline.models import Category

    # transaction=True tests start from a flushed database: the seeded branch is gone.
    category, _created = Category.objects.get_or_create(
        code="food", defaults={"name": "Lương thực, nhu yếu phẩm", "branch_number": 6}
    )
    return category


def _food_ticket(staff, world, phone, text="Nhà hết gạo"):
    from phongdich.hotline import services as hotline

    return hotline.ticket_create(
        by=staff.hotline_agent,
        channel="phone",
        category=_food_category(),
        text=text,
        commune=world.commune_b,
        caller_phone=phone,
    )


@pytest.mark.django_db(transaction=True)
def test_two_agents_taking_one_households_calls_at_once_open_one_request():
    from phongdich.hotline import services as hotline
    from phongdich.hotline.models import Ticket

    world = make_world()
    staff = make_staff(world)
    zone = zone_in_force(world, staff)
    household = services.household_add(
        by=staff.commune_worker_b, zone=zone, address="Số 12 ngõ 4", phone="+84912000111"
    )
    # The husband and the wife call from their two phones; one agent types the address.
    first = _food_ticket(staff, world, "0912000111")
    second = _food_ticket(staff, world, "0988000222", "Vợ gọi: nhà hết gạo")
    agents = [staff.hotline_agent, staff.province_admin]
    outcomes = race(
        [
            lambda: hotline.ticket_food_link(by=agents[0], ticket=first),
            lambda: hotline.ticket_food_link(
                by=agents[1], ticket=second, household_address="số 12 NGÕ 4"
            ),
        ]
    )
    assert not losers(outcomes), losers(outcomes)
    request = FoodRequest.objects.get()
    assert request.household == household
    linked = set(Ticket.objects.values_list("food_request_id", flat=True))
    assert linked == {request.pk}


@pytest.mark.django_db(transaction=True)
def test_one_ticket_linked_twice_at_once_opens_one_request():
    from phongdich.audit.models import AuditEvent
    from phongdich.hotline import services as hotline

    world = make_world()
    staff = make_staff(world)
    zone = zone_in_force(world, staff)
    services.household_add(
        by=staff.commune_worker_b, zone=zone, address="Số 12", phone="+84912000111"
    )
    ticket = _food_ticket(staff, world, "0912000111")
    outcomes = race([lambda: hotline.ticket_food_link(by=staff.hotline_agent, ticket=ticket)] * 3)
    assert not losers(outcomes), losers(outcomes)
    assert FoodRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="hotline.ticket_food_link").count() == 1
    assert {t.food_request_id for t in winners(outcomes)} == {FoodRequest.objects.get().pk}


@pytest.mark.django_db(transaction=True)
def test_a_households_double_tap_on_its_link_is_one_request():
    world = make_world()
    staff = make_staff(world)
    zone = zone_in_force(world, staff)
    household = services.household_add(by=staff.commune_worker_b, zone=zone, address="Số 12")
    outcomes = race(
        [lambda: services.citizen_food_request(household=household, items="Gạo, sữa", portions=3)]
        * 3
    )
    assert not losers(outcomes), losers(outcomes)
    assert FoodRequest.objects.count() == 1
    assert sorted(created for _request, created in winners(outcomes)) == [False, False, True]


@pytest.mark.django_db(transaction=True)
def test_classification_scans_at_once_propose_each_change_once():
    """The daily job and two officers' clicks at once: one class zone for the commune, one
    pending reclassification for the zone (the scan's lock; the partial unique index)."""
    from datetime import timedelta

    from django.utils import timezone

    from phongdich.cases.models import Case
    from phongdich.cases.tests.builders import make_case

    world = make_world()
    staff = make_staff(world)
    today = timezone.localdate()
    zone = zone_in_force(world, staff, risk_class="green", commune=world.commune_a)
    for commune in (world.commune_a, world.commune_b):
        case = make_case(world, staff.province_health_officer, commune=commune)
        Case.objects.filter(pk=case.pk).update(diagnosed_on=today - timedelta(days=1))
    outcomes = race(
        [
            lambda: services.classification_scan(today=today),
            lambda: services.classification_scan(by=staff.province_health_officer, today=today),
            lambda: services.classification_scan(by=staff.province_admin, today=today),
        ]
    )
    assert not losers(outcomes), losers(outcomes)
    results = winners(outcomes)
    # Commune A holds only a street zone: both communes get a commune-wide class zone.
    assert sum(r.impose for r in results) == 2
    assert sum(r.reclassify for r in results) == 1
    from phongdich.zones.models import Zone

    for commune in (world.commune_a, world.commune_b):
        assert Zone.objects.filter(commune=commune, kind="commune").count() == 1
    assert ZoneProposal.objects.filter(zone=zone, status="pending").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_scan_waits_for_the_first(monkeypatch):
    """The scan holds its lock from before its first read to its commit: a second scan
    started meanwhile waits (here: gives up after the 2 s lock timeout), so it can never
    read "no proposal yet" while the first is writing one. The race above passes without
    the lock as often as not; this pins the lock itself."""
    from datetime import timedelta

    from django.db import OperationalError, connection
    from django.utils import timezone

    from phongdich.cases.models import Case
    from phongdich.cases.tests.builders import make_case
    from phongdich.zones import classification
    from phongdich.zones.models import Zone

    if connection.vendor != "postgresql":
        pytest.skip("advisory locks and lock_timeout: PostgreSQL")
    world = make_world()
    staff = make_staff(world)
    today = timezone.localdate()
    case = make_case(world, staff.province_health_officer, commune=world.commune_b)
    Case.objects.filter(pk=case.pk).update(diagnosed_on=today - timedelta(days=1))

    def first():
        return services.classification_scan(today=today)

    with while_paused_in(monkeypatch, classification, "figures", first) as outcome:
        with pytest.raises(OperationalError, match="lock timeout"):
            services.classification_scan(today=today)
    assert outcome["result"].impose == 1, outcome
    assert Zone.objects.filter(commune=world.commune_b).count() == 1
