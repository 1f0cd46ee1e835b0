"""Demo data: a screening campaign in commune A with a few pools (one positive, with its
re-sampling orders and one member already re-tested), some single samples, and the
campaign's progress computed. The samples are taken by two sampling teams (records, with
their members), each on a shift at one of the round's sampling points, so the round's page
counts samples per team and the commune worker sees the shift of the day. Small at any
scale: a handful of people, through the services."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from phongdich.people.models import Person

from . import rounds, services, teams
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
        team_one = teams.team_create(
            by=worker,
            name="Tổ lấy mẫu số 1",
            unit=commune,
            leader=worker,
            named=[teams.NamedMember("Lê Thị Tình Nguyện", "+84912000111")],
        )
        team_two = teams.team_create(
            by=worker,
            name="Tổ lấy mẫu số 2",
            unit=commune,
            named=[
                teams.NamedMember("Trần Văn Sinh Viên", "+84912000222"),
                teams.NamedMember("Phạm Thị Sinh Viên"),
            ],
        )
        round_ = rounds.round_create(
            by=officer,
            campaign=campaign,
            starts_on=today - timedelta(days=2),
            ends_on=today + timedelta(days=1),
        )
        hall = rounds.point_create(
            by=worker,
            round=round_,
            commune=commune,
            name="Nhà văn hóa khu phố",
            sampling_team=team_one,
        )
        station = rounds.point_create(by=worker, round=round_, commune=commune, name="Trạm y tế")
        hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
        # Shifts that cover when the demo's samples were taken, and one still to come today
        # for the worker's team (the "my shifts" page).
        for team, point, starts, hours in (
            (team_one, hall, hour - timedelta(hours=22), 5),
            (team_two, station, hour - timedelta(hours=4), 5),
            (team_one, hall, hour + timedelta(hours=1), 3),
        ):
            teams.shift_assign(
                by=worker,
                team=team,
                point=point,
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
            )
        pooled, single = people[: POOL_SIZE * 2], people[POOL_SIZE * 2 :]
        pools = []
        for n in range(2):
            pool = services.pool_create(
                by=worker,
                code=f"GOP-{commune.code}-{n + 1:03d}",
                kind="pcr",
                commune=commune,
                sampling_team=team_one,
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
                    place=hall.name,
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
            sampling_team=team_one,
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
                point=station,  # files it under the round, with the team on shift there
                taken_at=now - timedelta(hours=3),
            )
        services.campaign_progress_refresh(campaign=campaign)
    log(f"labtests: 1 campaign, 2 teams with 3 shifts, 2 pools, {len(people) + 1} samples")
