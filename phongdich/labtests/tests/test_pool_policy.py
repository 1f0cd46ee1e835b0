"""The pool size is a dated policy row on /policy/: a new size applies from its date, a
pool keeps the size of the day it was started."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from phongdich.labtests import services
from phongdich.labtests.models import Pool, PoolSizeRule

from . import builders


def test_the_province_admin_edits_the_pool_size_on_the_policy_pages(client, world, staff):
    client.force_login(staff.province_admin)
    assert client.get("/policy/labtests-pool-size/").status_code == 200
    response = client.post(
        "/policy/labtests-pool-size/new/",
        {
            "kind": "pcr",
            "max_size": "5",
            "valid_from": timezone.localdate().strftime("%d/%m/%Y"),
            "regulation": "Công văn của Sở Y tế",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert services.pool_size_rows() == {"pcr": 5}
    client.force_login(staff.commune_worker_a)
    assert client.get("/policy/labtests-pool-size/").status_code == 403


def test_a_pool_keeps_the_size_of_the_day_it_was_started(world, staff):
    today = timezone.localdate()
    PoolSizeRule.objects.create(kind="pcr", max_size=3, valid_from=today - timedelta(days=30))
    old = builders.pool(world, staff, members=2)
    Pool.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    PoolSizeRule.objects.create(kind="pcr", max_size=2, valid_from=today)
    builders.sample(world, staff, pool=old)  # the third place under the old size
    fresh = builders.pool(world, staff, members=2)
    with pytest.raises(ValidationError, match="đủ 2 mẫu"):
        builders.sample(world, staff, pool=fresh)
    PoolSizeRule.objects.create(kind="pcr", max_size=8, valid_from=today + timedelta(days=1))
    assert services.pool_size_rows() == {"pcr": 2}  # a size decided ahead waits for its day
