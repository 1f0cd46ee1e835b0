import pytest
from django.core.exceptions import ValidationError

from phongdich.cases.models import Case
from phongdich.labtests import services
from phongdich.labtests.models import Pool, PoolSizeRule, ResampleOrder, Sample

from . import builders


def test_a_pool_refuses_the_sample_past_its_size(world, staff):
    PoolSizeRule.objects.create(kind="pcr", max_size=5)
    pool = builders.pool(world, staff, members=5)
    with pytest.raises(ValidationError, match="đủ 5 mẫu"):
        builders.sample(world, staff, pool=pool)
    assert pool.members.count() == 5


def test_a_rapid_test_is_never_pooled(world, staff):
    pool = builders.pool(world, staff)
    with pytest.raises(ValidationError):
        builders.sample(world, staff, pool=pool, kind="rat")
    with pytest.raises(ValidationError):
        services.pool_create(
            by=staff.commune_worker_a, code="RAT-1", kind="rat", commune=world.commune_a
        )


def test_a_barcode_is_used_once(world, staff):
    builders.sample(world, staff, barcode="X-1")
    with pytest.raises(ValidationError, match="đã được dùng"):
        builders.sample(world, staff, barcode="X-1")


def test_a_negative_pool_makes_every_member_presumptively_negative(world, staff):
    pool = builders.pool(world, staff, members=3)
    services.pool_result_record(by=staff.commune_worker_a, pool=pool, result="negative", lab="CDC")
    pool.refresh_from_db()
    assert pool.status == Pool.Status.NEGATIVE
    assert set(pool.members.values_list("result", "presumptive", "status")) == {
        ("negative", True, "resulted")
    }
    assert not ResampleOrder.objects.exists()


def test_a_positive_pool_orders_each_member_once_where_they_live(world, staff):
    pool = builders.pool(world, staff, members=2)
    elsewhere = builders.sample(
        world, staff, pool=pool, person=builders.person(world, staff, commune=world.commune_a2)
    )
    services.pool_result_record(by=staff.commune_worker_a, pool=pool, result="positive", lab="CDC")
    again, created = services.pool_result_record(
        by=staff.commune_worker_a, pool=pool, result="positive", lab="CDC"
    )
    assert not created
    assert again.status == Pool.Status.POSITIVE_AWAITING
    orders = ResampleOrder.objects.filter(pool=pool)
    assert orders.count() == 3
    assert orders.get(pooled_sample=elsewhere).commune == world.commune_a2
    # Nobody is an F0 on a pool: the pool is not an individual result.
    assert not Case.objects.exists()
    assert set(pool.members.values_list("result", flat=True)) == {""}


def test_a_positive_pool_is_resolved_when_every_member_has_a_result(world, staff):
    pool = builders.pool(world, staff, members=2)
    services.pool_result_record(by=staff.commune_worker_a, pool=pool, result="positive", lab="CDC")
    first, second = ResampleOrder.objects.filter(pool=pool).order_by("pk")
    new_first = services.sample_take(
        by=staff.commune_worker_a,
        person=first.person,
        barcode="R-1",
        kind="pcr",
        reason="resample",
        commune=first.commune,
        order=first,
    )
    services.sample_result_record(
        by=staff.commune_worker_a, sample=new_first, result="negative", lab="CDC"
    )
    pool.refresh_from_db()
    assert pool.status == Pool.Status.POSITIVE_AWAITING  # the second member has none yet
    new_second = services.sample_take(
        by=staff.commune_worker_a,
        person=second.person,
        barcode="R-2",
        kind="pcr",
        reason="resample",
        commune=second.commune,
        order=second,
    )
    services.sample_result_record(
        by=staff.commune_worker_a, sample=new_second, result="positive", lab="CDC", ct_value=22
    )
    pool.refresh_from_db()
    assert pool.status == Pool.Status.RESOLVED
    # The member re-tested positive is an F0 through the cases app's own path.
    case = Case.objects.get(person=second.person)
    assert Sample.objects.get(barcode="R-2").case == case


def test_an_order_is_fulfilled_once(world, staff):
    pool = builders.pool(world, staff, members=1)
    services.pool_result_record(by=staff.commune_worker_a, pool=pool, result="positive", lab="CDC")
    order = ResampleOrder.objects.get(pool=pool)
    services.sample_take(
        by=staff.commune_worker_a,
        person=order.person,
        barcode="R-1",
        kind="pcr",
        reason="resample",
        commune=order.commune,
        order=order,
    )
    with pytest.raises(ValidationError):
        services.sample_take(
            by=staff.commune_worker_a,
            person=order.person,
            barcode="R-2",
            kind="pcr",
            reason="resample",
            commune=order.commune,
            order=order,
        )
    assert not Sample.objects.filter(barcode="R-2").exists()


def test_a_positive_result_opens_the_f0_classification_once(world, staff):
    sample = builders.sample(world, staff)
    services.sample_result_record(
        by=staff.commune_worker_a, sample=sample, result="positive", lab="CDC", ct_value="18.5"
    )
    _again, created = services.sample_result_record(
        by=staff.commune_worker_a, sample=sample, result="positive", lab="CDC"
    )
    assert not created
    assert Case.objects.filter(person=sample.person).count() == 1
    assert Sample.objects.filter(person=sample.person).count() == 1
    assert Sample.objects.get(pk=sample.pk).case is not None


def test_a_result_is_not_overwritten_by_another(world, staff):
    sample = builders.sample(world, staff)
    services.sample_result_record(
        by=staff.commune_worker_a, sample=sample, result="negative", lab="CDC"
    )
    with pytest.raises(ValidationError, match="kết quả khác"):
        services.sample_result_record(
            by=staff.commune_worker_a, sample=sample, result="positive", lab="CDC"
        )
    assert not Case.objects.exists()


@pytest.mark.parametrize(("ct", "ok"), [(0, True), (45, True), (-1, False), ("45.1", False)])
def test_ct_bounds(world, staff, ct, ok):
    sample = builders.sample(world, staff)
    if ok:
        services.sample_result_record(
            by=staff.commune_worker_a, sample=sample, result="negative", lab="CDC", ct_value=ct
        )
    else:
        with pytest.raises(ValidationError):
            services.sample_result_record(
                by=staff.commune_worker_a, sample=sample, result="negative", lab="CDC", ct_value=ct
            )


def test_a_rejected_sample_takes_no_result(world, staff):
    sample = builders.sample(world, staff)
    assert services.sample_reject(by=staff.commune_worker_a, sample=sample, reason="Hỏng ống")
    with pytest.raises(ValidationError):
        services.sample_result_record(
            by=staff.commune_worker_a, sample=sample, result="negative", lab="CDC"
        )


def test_campaign_progress_per_commune(world, staff):
    from datetime import date

    campaign = services.campaign_create(
        by=staff.province_admin,
        name="Tầm soát vòng 1",
        unit=world.province,
        units=[world.commune_a, world.commune_b],
        kind="pcr",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 10),
        rounds=3,
        target_population=1001,
    )
    for result in ("positive", "negative", ""):
        sample = builders.sample(world, staff, campaign=campaign)
        if result:
            services.sample_result_record(
                by=staff.commune_worker_a, sample=sample, result=result, lab="CDC"
            )
    services.campaign_progress_refresh(campaign=campaign)
    a = campaign.progress.get(unit=world.commune_a)
    b = campaign.progress.get(unit=world.commune_b)
    assert (a.sampled, a.resulted, a.positives, a.positivity) == (3, 2, 1, 0.5)
    assert (b.sampled, b.positivity) == (0, None)
    assert a.target + b.target == 1001


def test_the_screening_job_refreshes_running_campaigns_only(world, staff):
    from datetime import date

    for name, start, end in (
        ("chạy", date(2026, 1, 1), date(2026, 1, 10)),
        ("xong", date(2025, 1, 1), date(2025, 1, 10)),
    ):
        services.campaign_create(
            by=staff.province_admin,
            name=name,
            unit=world.province,
            units=[world.commune_a],
            kind="pcr",
            starts_on=start,
            ends_on=end,
            rounds=1,
            target_population=10,
        )
    assert services.screening_refresh(today=date(2026, 1, 5)) == 1
