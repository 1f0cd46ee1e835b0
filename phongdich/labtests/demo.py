"""Demo data: a screening campaign in commune A with a few pools (one positive, with its
re-sampling orders and one member already re-tested), some single samples, and the
campaign's progress computed. Small at any scale: a handful of people, through the services."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from phongdich.people.models import Person

from . import services
from .models import Campaign

POOL_SIZE = 5


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    if Campaign.objects.exists():
        log("labtests: already present, skipped")
        return
    worker = users.get("tramyte.a")
    officer = users.get("cdc") or users.get("soyte")
    if worker is None or worker.jurisdiction is None or officer is None:
        log("labtests: no commune worker, skipped")
        return
    commune = worker.jurisdiction
    people = list(Person.objects.filter(commune=commune).order_by("pk")[: POOL_SIZE * 3 + 4])
    if len(people) < POOL_SIZE * 2:
        log("labtests: too few people, skipped")
        return
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        campaign = services.campaign_create(
            by=officer,
            name=f"Tầm soát cộng đồng {commune.name}",
            unit=commune.parent,
            units=[commune],
            kind="pcr",
            starts_on=today - timedelta(days=2),
            ends_on=today + timedelta(days=5),
            rounds=3,
            target_population=max(len(people), int((commune.population or 0) * 0.8)),
        )
        pooled, single = people[: POOL_SIZE * 2], people[POOL_SIZE * 2 :]
        pools = []
        for n in range(2):
            pool = services.pool_create(
                by=worker,
                code=f"GOP-{commune.code}-{n + 1:03d}",
                kind="pcr",
                commune=commune,
                team="Tổ lấy mẫu số 1",
                campaign=campaign,
            )
            for m, person in enumerate(pooled[n * POOL_SIZE : (n + 1) * POOL_SIZE]):
                services.sample_take(
                    by=worker,
                    person=person,
                    barcode=f"M-{commune.code}-{n + 1:03d}-{m + 1}",
                    kind="pcr",
                    reason="screening",
                    commune=commune,
                    place="Nhà văn hóa khu phố",
                    team=pool.team,
                    taken_at=now - timedelta(hours=20),
                    pool=pool,
                )
            pools.append(pool)
        services.pool_result_record(
            by=officer, pool=pools[0], result="negative", lab="CDC Thanh Hóa"
        )
        services.pool_result_record(
            by=officer, pool=pools[1], result="positive", lab="CDC Thanh Hóa", ct_value=27
        )
        first_order = pools[1].orders.order_by("pk").first()
        resample = services.sample_take(
            by=worker,
            person=first_order.person,
            barcode=f"L-{commune.code}-001",
            kind="pcr",
            reason="resample",
            commune=first_order.commune,
            team=pools[1].team,
            campaign=campaign,
            order=first_order,
        )
        services.sample_result_record(
            by=officer, sample=resample, result="negative", lab="CDC Thanh Hóa"
        )
        for m, person in enumerate(single):
            services.sample_take(
                by=worker,
                person=person,
                barcode=f"D-{commune.code}-{m + 1:03d}",
                kind="rat" if m % 2 else "pcr",
                reason="symptoms" if m % 2 else "f1",
                commune=commune,
                place="Trạm y tế",
                campaign=campaign,
                taken_at=now - timedelta(hours=3),
            )
        services.campaign_progress_refresh(campaign=campaign)
    log(f"labtests: 1 campaign, 2 pools, {len(people) + 1} samples")
