"""Shared test data for the labtests tests."""

from itertools import count

from phongdich.labtests import services
from phongdich.labtests.models import Kind, Sample
from phongdich.people.services import person_register

_numbers = count(1)


def person(world, staff, commune=None, **values):
    n = next(_numbers)
    values = {
        "full_name": f"Nguyễn Văn Mẫu {n}",
        "birth_year": 1980,
        "phone": f"09120{n:05d}",
        "commune": commune or world.commune_a,
        **values,
    }
    found, _created = person_register(by=staff.province_admin, **values)
    return found


def sample(world, staff, *, by=None, pool=None, barcode=None, kind=Kind.PCR, **values):
    by = by or staff.commune_worker_a
    return services.sample_take(
        by=by,
        person=values.pop("person", None) or person(world, staff, commune=values.get("commune")),
        barcode=barcode or f"S-{next(_numbers):06d}",
        kind=kind,
        reason=values.pop("reason", Sample.Reason.SCREENING),
        commune=values.pop("commune", None) or world.commune_a,
        pool=pool,
        **values,
    )


def pool(world, staff, *, code=None, members=0, by=None, **values):
    by = by or staff.commune_worker_a
    made = services.pool_create(
        by=by,
        code=code or f"P-{next(_numbers):06d}",
        kind=Kind.PCR,
        commune=values.pop("commune", world.commune_a),
        **values,
    )
    for _ in range(members):
        sample(world, staff, by=by, pool=made)
    return made


def campaign(world, staff, *, rounds=3, units=None, days=10, **values):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    return services.campaign_create(
        by=values.pop("by", staff.province_health_officer),
        name=values.pop("name", "Tầm soát phường"),
        unit=values.pop("unit", world.province),
        units=units or [world.commune_a, world.commune_b],
        kind=values.pop("kind", Kind.PCR),
        starts_on=values.pop("starts_on", today - timedelta(days=2)),
        ends_on=values.pop("ends_on", today + timedelta(days=days)),
        rounds=rounds,
        target_population=values.pop("target_population", 1000),
    )


def screening_round(world, staff, camp=None, **values):
    from phongdich.labtests import rounds

    camp = camp or campaign(world, staff)
    return rounds.round_create(
        by=staff.province_health_officer,
        campaign=camp,
        starts_on=values.pop("starts_on", camp.starts_on),
        ends_on=values.pop("ends_on", camp.starts_on),
        **values,
    )


def point(world, staff, rnd, *, commune=None, name="Nhà văn hóa khu 3", **values):
    from phongdich.labtests import rounds

    return rounds.point_create(
        by=staff.province_health_officer,
        round=rnd,
        commune=commune or world.commune_a,
        name=name,
        **values,
    )


def team(world, staff, *, name="Tổ lấy mẫu số 1", unit=None, by=None, **values):
    from phongdich.labtests import teams

    return teams.team_create(
        by=by or staff.commune_worker_a,
        name=name,
        unit=unit or world.commune_a,
        **values,
    )


def shift(world, staff, team_, point_, *, hours=(8, 11), day=None, by=None):
    from datetime import datetime

    from django.utils import timezone

    from phongdich.labtests import teams

    day = day or point_.round.starts_on
    return teams.shift_assign(
        by=by or staff.commune_worker_a,
        team=team_,
        point=point_,
        starts_at=timezone.make_aware(
            datetime.combine(day, datetime.min.time()).replace(hour=hours[0])
        ),
        ends_at=timezone.make_aware(
            datetime.combine(day, datetime.min.time()).replace(hour=hours[1])
        ),
    )
