"""Test days of a quarantine's schedule become lab orders: the scan raises one on the day,
the sampling team takes the sample against it through labtests, once."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from phongdich.labtests.models import Sample
from phongdich.quarantine import services
from phongdich.quarantine.models import Basis, FollowUpItem, Quarantine
from phongdich.testing import losers, make_staff, make_world, race, winners

from . import builders

pytestmark = pytest.mark.django_db
URL = "/quarantine/tests/"


def _ordered(world, staff, *, commune=None, **person):
    """An active quarantine with a test day today, and the scan run at 11:00."""
    today = timezone.localdate()
    quarantine, _ = services.quarantine_open(
        by=staff.commune_worker_a,
        person=builders.person(world, staff, commune=commune or world.commune_a, **person),
        basis=Basis.F1,
        start=builders.IN_10696,
        commune=commune or world.commune_a,
    )
    Quarantine.objects.filter(pk=quarantine.pk).update(
        start_date=today - timedelta(days=6),
        planned_end=today + timedelta(days=1),
        test_dates=[today.isoformat()],
        last_check_at=timezone.now(),
    )
    at = timezone.make_aware(datetime.combine(today, datetime.min.time()) + timedelta(hours=11))
    services.scan_follow_up(now=at)
    return FollowUpItem.objects.get(quarantine=quarantine, kind="test_due")


def test_a_test_day_is_an_order_and_its_sample_goes_to_the_register(world, staff):
    item = _ordered(world, staff)
    sample = services.test_order_sample(
        by=staff.commune_worker_a, item=item, barcode="HR-0001", kind="pcr"
    )
    assert (sample.person_id, sample.reason, sample.commune) == (
        item.quarantine.person_id,
        Sample.Reason.F1,
        world.commune_a,
    )
    item.refresh_from_db()
    assert item.done_at is not None and item.sample_id == sample.pk
    with pytest.raises(Exception, match="đã được lấy mẫu"):
        services.test_order_sample(
            by=staff.commune_worker_a, item=item, barcode="HR-0002", kind="pcr"
        )
    assert Sample.objects.count() == 1


def test_the_orders_page_lists_the_area_and_takes_a_sample(client, world, staff):
    mine = _ordered(world, staff)
    theirs = _ordered(
        world,
        staff,
        commune=world.commune_b,
        full_name="Người Xã B",
        phone="0913999777",
        id_number="",
    )
    client.force_login(staff.commune_worker_a)
    page = client.get(URL).content.decode()
    assert f'id="order-{mine.pk}"' in page and f'id="order-{theirs.pk}"' not in page
    assert client.post(URL, {"item": theirs.pk, "barcode": "X1", "kind": "pcr"}).status_code == 404
    for bad in ({"item": mine.pk, "barcode": "", "kind": "pcr"},
                {"item": mine.pk, "barcode": "X" * 500, "kind": "pcr"},
                {"item": "9" * 30, "barcode": "X1", "kind": "pcr"},
                {"item": mine.pk, "barcode": "X1", "kind": "nonsense"}):  # fmt: skip
        assert client.post(URL, bad).status_code in (200, 302, 404)
    assert not Sample.objects.exists()
    response = client.post(URL, {"item": mine.pk, "barcode": "HR-0009", "kind": "rat"})
    assert response.status_code == 302
    assert Sample.objects.get().barcode == "HR-0009"
    assert f'id="order-{mine.pk}"' not in client.get(URL).content.decode()
    client.force_login(staff.hotline_agent)
    assert client.get(URL).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_team_members_scanning_one_order_at_once_take_one_sample():
    world = make_world()
    staff = make_staff(world)
    item = _ordered(world, staff)

    def take(code):
        return lambda: services.test_order_sample(
            by=staff.commune_worker_a, item=item, barcode=code, kind="pcr"
        )

    outcomes = race([take("HR-A"), take("HR-B")])
    assert len(winners(outcomes)) == 1 and len(losers(outcomes)) == 1
    assert "đã được lấy mẫu" in " ".join(losers(outcomes)[0].messages)
    assert Sample.objects.count() == 1
