"""A pooled sample from the sampling point's form: the pool's code scanned once (a new code
starts the point's pool), then each member's; the policy row's size N holds, the N+1th is
refused on the form."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from phongdich.labtests import services
from phongdich.labtests.models import Pool, PoolSizeRule, Sample
from phongdich.labtests.tests import builders
from phongdich.testing import losers, make_staff, make_world, race


def _member(n: int, pool_code: str, world) -> dict:
    return {
        "barcode": f"PT-{n}",
        "pool_code": pool_code,
        "full_name": f"Trần Thị Gộp {n}",
        "birth_year": 1990,
        "phone": f"09130{n:05d}",
        "commune": world.commune_a.pk,
        "sex": "F",
        "kind": "pcr",
        "reason": "screening",
    }


def test_members_join_the_points_pool_until_the_policy_size(client, world, staff):
    PoolSizeRule.objects.create(kind="pcr", max_size=3)
    rnd = builders.screening_round(world, staff, units=[world.commune_a])
    point = builders.point(world, staff, rnd)
    client.force_login(staff.commune_worker_a)
    url = f"/labtests/points/{point.pk}/"
    first = client.post(url, _member(1, "GP-1", world))
    assert first.status_code == 302 and first["Location"] == f"{url}?pool=GP-1"
    pool = Pool.objects.get(code="GP-1")  # started at the point, in its commune and campaign
    assert (pool.commune, pool.campaign_id) == (world.commune_a, rnd.campaign_id)
    page = client.get(first["Location"]).content.decode()
    assert 'value="GP-1"' in page  # typed once: kept for the next member
    assert client.post(url, _member(2, "GP-1", world))["Location"] == f"{url}?pool=GP-1"
    full = client.post(url, _member(3, "GP-1", world))
    assert full["Location"] == url  # the pool is full: the code is not kept
    refused = client.post(url, _member(4, "GP-1", world))
    assert refused.status_code == 200
    assert "Mẫu gộp đã đủ 3 mẫu." in refused.content.decode()
    assert pool.members.count() == 3
    assert set(pool.members.values_list("point_id", flat=True)) == {point.pk}
    assert not Sample.objects.filter(barcode="PT-4").exists()


def test_another_communes_pool_and_a_rapid_test_are_refused(client, world, staff):
    rnd = builders.screening_round(world, staff, units=[world.commune_a, world.commune_b])
    point = builders.point(world, staff, rnd)
    builders.pool(world, staff, code="GP-B", commune=world.commune_b, by=staff.province_admin)
    client.force_login(staff.province_admin)
    url = f"/labtests/points/{point.pk}/"
    other = client.post(url, _member(5, "GP-B", world))
    assert "Mẫu gộp này thuộc xã/phường khác." in other.content.decode()
    rapid = client.post(url, {**_member(6, "GP-R", world), "kind": "rapid"})
    assert rapid.status_code == 200
    assert not Pool.objects.filter(code="GP-R").exists()  # started with its sample: gone
    assert not Sample.objects.filter(barcode__in=["PT-5", "PT-6"]).exists()


def test_pool_for_point_finds_the_pool_it_started(world, staff):
    rnd = builders.screening_round(world, staff, units=[world.commune_a])
    point = builders.point(world, staff, rnd)
    by = staff.commune_worker_a
    made = services.pool_for_point(by=by, point=point, code=" GP-2 ", kind="pcr")
    assert services.pool_for_point(by=by, point=point, code="GP-2", kind="pcr") == made
    with pytest.raises(ValidationError):
        services.pool_for_point(by=by, point=point, code="GP-3", kind="rapid")


@pytest.mark.django_db(transaction=True)
def test_two_members_starting_one_pool_at_once_share_it():
    if connection.vendor != "postgresql":
        pytest.skip("real threads need PostgreSQL")
    world = make_world()
    staff = make_staff(world)
    rnd = builders.screening_round(world, staff, units=[world.commune_a])
    point = builders.point(world, staff, rnd)
    people = [builders.person(world, staff) for _ in range(2)]

    def add(n):
        def run():
            from django.db import transaction

            with transaction.atomic():
                pool = services.pool_for_point(
                    by=staff.commune_worker_a, point=point, code="GP-R2", kind="pcr"
                )
                return services.sample_take(
                    by=staff.commune_worker_a,
                    person=people[n],
                    barcode=f"PR-{n}",
                    kind="pcr",
                    reason="screening",
                    commune=point.commune,
                    point=point,
                    pool=pool,
                )

        return run

    outcomes = race([add(0), add(1)])
    assert not losers(outcomes), losers(outcomes)
    pool = Pool.objects.get(code="GP-R2")
    assert pool.members.count() == 2


def test_a_full_pool_on_the_sample_form_is_a_message_not_an_error_page(client, world, staff):
    PoolSizeRule.objects.create(kind="pcr", max_size=2)
    pool = builders.pool(world, staff, code="GP-F", members=2)
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/labtests/samples/new/", {**_member(9, pool.code, world), "place": "Trạm y tế"}
    )
    assert response.status_code == 200
    assert "Mẫu gộp đã đủ 2 mẫu." in response.content.decode()
