"""Free rapid tests for people with symptoms (seed 001): the commune station's follow-ups
(a pharmacy buyer, a citizen's report) create a test order for the commune where the person
lives, once per person while open; the team takes the sample from the orders page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from phongdich.audit.models import AuditEvent
from phongdich.checkpoints import services as checkpoint_services
from phongdich.checkpoints.models import FollowUp
from phongdich.checkpoints.rapid_tests import follow_up_test_order
from phongdich.labtests import orders
from phongdich.labtests.models import Sample, TestOrder
from phongdich.testing import losers, make_staff, make_world, race


def _pharmacy_follow_up(world, commune=None, name="Hoàng Văn Ho", phone="0905333444"):
    pharmacy, _raw = checkpoint_services.pharmacy_register(
        name="Nhà thuốc Hàm Rồng",
        owner_name="DS. Phạm Thu",
        phone="0904111222",
        address="1 Nguyễn Trãi",
        commune=world.commune_a,
    )
    report = checkpoint_services.pharmacy_report_submit(
        pharmacy=pharmacy,
        buyer_name=name,
        buyer_phone=phone,
        buyer_address="3 Bà Triệu",
        commune=commune or world.commune_a,
        symptoms=["cough", "fever"],
    )
    return FollowUp.objects.get(pharmacy_report=report)


def _report_follow_up(world, subject_name="Lê Văn Về"):
    report = checkpoint_services.citizen_report_submit(
        commune=world.commune_a,
        address="Ngõ 4",
        description="về từ vùng dịch, ho sốt",
        subject_name=subject_name,
        anonymous=True,
    )
    return FollowUp.objects.get(citizen_report=report)


def _ask(client, follow_up):
    return client.post(
        reverse("checkpoints:follow_ups"), {"id": follow_up.pk, "action": "test_order"}
    )


@pytest.mark.parametrize(
    ("make", "source"),
    [
        (_pharmacy_follow_up, TestOrder.Source.PHARMACY),
        (_report_follow_up, TestOrder.Source.REPORT),
    ],
)
def test_a_follow_up_orders_one_rapid_test_for_the_commune_station(
    client, world, staff, make, source
):
    follow_up = make(world)
    client.force_login(staff.commune_worker_a)
    assert _ask(client, follow_up).status_code == 302
    _ask(client, follow_up)  # asked twice: still one order
    order = TestOrder.objects.get()
    assert (order.source, order.source_id, order.kind, order.status) == (
        source,
        follow_up.pk,
        "rat",
        "open",
    )
    assert order.commune == world.commune_a == order.person.commune
    assert AuditEvent.objects.filter(action="labtests.test_order_create").count() == 1
    page = client.get(reverse("labtests:orders")).content.decode()
    assert order.person.full_name in page


def test_the_order_goes_to_the_commune_where_the_buyer_lives(client, world, staff):
    # The pharmacy is in commune A, the buyer lives in commune B: B's station gets it.
    follow_up = _pharmacy_follow_up(world, commune=world.commune_b)
    client.force_login(staff.commune_worker_a)
    assert _ask(client, follow_up).status_code == 404  # not A's follow-up
    assert not TestOrder.objects.exists()
    client.force_login(staff.commune_worker_b)
    _ask(client, follow_up)
    order = TestOrder.objects.get()
    assert order.commune == world.commune_b
    client.force_login(staff.commune_worker_a)
    assert order.person.full_name not in client.get(reverse("labtests:orders")).content.decode()
    response = client.post(
        reverse("labtests:test_order_sample", args=[order.pk]), {"barcode": "RAT-A"}
    )
    assert response.status_code == 404 and not Sample.objects.exists()


def test_another_communes_officer_cannot_order_through_the_service(world, staff):
    follow_up = _pharmacy_follow_up(world)
    with pytest.raises(PermissionDenied):
        orders.test_order_create(
            by=staff.commune_worker_b,
            person=_person_of(world, staff),
            source=TestOrder.Source.PHARMACY,
        )
    assert follow_up.status == FollowUp.Status.OPEN and not TestOrder.objects.exists()


def _person_of(world, staff):
    from phongdich.people.services import person_register

    person, _created = person_register(
        by=staff.commune_worker_a,
        full_name="Trần Thị Ho",
        phone="0905000111",
        commune=world.commune_a,
    )
    return person


@pytest.mark.parametrize("name", ["", "   "])
def test_a_report_without_a_name_says_so_and_orders_nothing(client, world, staff, name):
    follow_up = _report_follow_up(world, subject_name=name)
    client.force_login(staff.commune_worker_a)
    response = client.post(
        reverse("checkpoints:follow_ups"),
        {"id": follow_up.pk, "action": "test_order"},
        follow=True,
    )
    assert "Cần biết họ tên người này" in response.content.decode()
    assert not TestOrder.objects.exists()


def test_the_team_takes_the_ordered_sample_once(client, world, staff):
    follow_up = _pharmacy_follow_up(world)
    order, _created = follow_up_test_order(by=staff.commune_worker_a, follow_up=follow_up)
    client.force_login(staff.commune_worker_a)
    url = reverse("labtests:test_order_sample", args=[order.pk])
    client.post(url, {"barcode": "RAT-1"})
    sample = Sample.objects.get()
    order.refresh_from_db()
    assert (order.status, order.new_sample) == ("done", sample)
    assert (sample.reason, sample.kind, sample.person) == ("symptoms", "rat", order.person)
    again = client.post(url, {"barcode": "RAT-2"}, follow=True).content.decode()
    assert "đã được thực hiện" in again and Sample.objects.count() == 1
    # Done: a new follow-up for the same person gets a new order.
    _again, created = follow_up_test_order(by=staff.commune_worker_a, follow_up=follow_up)
    assert created and TestOrder.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_officers_ordering_at_once_make_one_order():
    world = make_world()
    staff = make_staff(world)
    person = _person_of(world, staff)

    def ask():
        return orders.test_order_create(
            by=staff.commune_worker_a, person=person, source=TestOrder.Source.PHARMACY
        )

    outcomes = race([ask, ask, ask])
    assert not losers(outcomes), losers(outcomes)
    assert sorted(created for _kind, (_order, created) in outcomes) == [False, False, True]
    assert TestOrder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_team_members_taking_the_ordered_sample_at_once_take_one():
    world = make_world()
    staff = make_staff(world)
    order, _created = orders.test_order_create(
        by=staff.commune_worker_a, person=_person_of(world, staff), source="pharmacy"
    )

    def take(code):
        return lambda: orders.test_order_sample(
            by=staff.commune_worker_a, order=order, barcode=code
        )

    outcomes = race([take("RAT-X"), take("RAT-Y")])
    lost = losers(outcomes)
    assert len(lost) == 1 and isinstance(lost[0], ValidationError)
    assert Sample.objects.count() == 1
    order.refresh_from_db()
    assert order.status == "done" and order.new_sample == Sample.objects.get()
