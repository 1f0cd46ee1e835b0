"""Samples, pools, orders and campaigns of commune B, and the sampling form that matches
people, for the site-wide boundary walk (web/tests/test_jurisdiction.py)."""

from datetime import date, datetime


def _person_of_b(world, staff):
    from phongdich.people.services import person_register

    person, _created = person_register(
        by=staff.commune_worker_b,
        full_name="Đỗ Văn Mẫu",
        birth_year=1975,
        phone="0913555777",
        commune=world.commune_b,
    )
    return person


def _sample_of_b(world, staff, barcode="B-S-1", pool=None):
    from phongdich.labtests import services
    from phongdich.labtests.models import Sample

    found = Sample.objects.filter(barcode=barcode).first()
    return found or services.sample_take(
        by=staff.commune_worker_b,
        person=_person_of_b(world, staff),
        barcode=barcode,
        kind="pcr",
        reason="screening",
        commune=world.commune_b,
        pool=pool,
    )


def _pool_of_b(world, staff):
    from phongdich.labtests import services
    from phongdich.labtests.models import Pool

    found = Pool.objects.filter(code="B-P-1").first()
    if found:
        return found
    pool = services.pool_create(
        by=staff.commune_worker_b, code="B-P-1", kind="pcr", commune=world.commune_b
    )
    _sample_of_b(world, staff, barcode="B-S-2", pool=pool)
    return pool


def _sample(world, staff):
    return {"pk": _sample_of_b(world, staff).pk}


def _pool(world, staff):
    return {"pk": _pool_of_b(world, staff).pk}


def _order(world, staff):
    from phongdich.labtests import services
    from phongdich.labtests.models import ResampleOrder

    pool = _pool_of_b(world, staff)
    if pool.status == "open":
        services.pool_result_record(
            by=staff.commune_worker_b, pool=pool, result="positive", lab="CDC"
        )
    return {"pk": ResampleOrder.objects.get(pool=pool).pk}


def _test_order(world, staff):
    from phongdich.labtests.orders import test_order_create
    from phongdich.people.services import person_register

    person, _created = person_register(
        by=staff.commune_worker_b,
        full_name="Đỗ Thị Ho",
        phone="0905777888",
        commune=world.commune_b,
    )
    order, _created = test_order_create(by=staff.commune_worker_b, person=person, source="pharmacy")
    return {"pk": order.pk}


def _campaign(world, staff):
    from phongdich.labtests import services

    campaign = services.campaign_create(
        by=staff.province_admin,
        name="Tầm soát Bắc Sơn",
        unit=world.district_b,
        units=[world.commune_b],
        kind="pcr",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 10),
        rounds=2,
        target_population=100,
    )
    return {"pk": campaign.pk}


def _round_of_b(world, staff):
    from phongdich.labtests import rounds
    from phongdich.labtests.models import Campaign, ScreeningRound

    found = ScreeningRound.objects.filter(campaign__name="Tầm soát Bắc Sơn").first()
    if found:
        return found
    if not Campaign.objects.filter(name="Tầm soát Bắc Sơn").exists():
        _campaign(world, staff)
    campaign = Campaign.objects.get(name="Tầm soát Bắc Sơn")
    rnd = rounds.round_create(
        by=staff.province_admin,
        campaign=campaign,
        starts_on=campaign.starts_on,
        ends_on=campaign.starts_on,
    )
    rounds.point_create(
        by=staff.commune_worker_b, round=rnd, commune=world.commune_b, name="Nhà văn hóa Bắc Sơn"
    )
    return rnd


def _round(world, staff):
    return {"pk": _round_of_b(world, staff).pk}


def _point(world, staff):
    return {"pk": _round_of_b(world, staff).points.get().pk}


def _team(world, staff):
    from phongdich.labtests.models import SamplingTeam
    from phongdich.labtests.teams import NamedMember, team_create

    found = SamplingTeam.objects.filter(name="Tổ lấy mẫu Bắc Sơn").first()
    return {
        "pk": (
            found
            or team_create(
                by=staff.commune_worker_b,
                name="Tổ lấy mẫu Bắc Sơn",
                unit=world.commune_b,
                named=[NamedMember("Đỗ Thị Tình Nguyện", "+84913555888")],
            )
        ).pk
    }


def _shift(world, staff):
    from django.utils import timezone

    from phongdich.labtests import teams
    from phongdich.labtests.models import SamplingTeam, TeamShift

    point = _round_of_b(world, staff).points.get()
    found = TeamShift.objects.filter(point=point).first()
    if found:
        return {"pk": found.pk}
    team = SamplingTeam.objects.get(pk=_team(world, staff)["pk"])
    day = point.round.starts_on
    shift = teams.shift_assign(
        by=staff.commune_worker_b,
        team=team,
        point=point,
        starts_at=timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=8)),
        ends_at=timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=11)),
    )
    return {"pk": shift.pk}


def _campaign_with_names(world, staff):
    """Commune B's campaign with a sample whose team is a name only (the link page's row)."""
    from phongdich.labtests.models import Campaign

    _round_of_b(world, staff)
    campaign = Campaign.objects.get(name="Tầm soát Bắc Sơn")
    sample = _sample_of_b(world, staff, barcode="B-S-T")
    type(sample).objects.filter(pk=sample.pk).update(campaign=campaign, team="Tổ Bắc Sơn cũ")
    return {"pk": campaign.pk}


def _follow_ups(world, staff):
    """An import of commune B's worker with a positive waiting for the worker."""
    from phongdich.labtests import imports
    from phongdich.labtests.models import ResultFollowUp
    from phongdich.lib.imports import KEEP_GOOD, as_upload

    found = ResultFollowUp.objects.exclude(batch="").filter(by=staff.commune_worker_b).first()
    if found:
        return {"batch": found.batch}
    _sample_of_b(world, staff, barcode="B-S-F")
    content = "Mã mẫu,Kết quả\nB-S-F,dương tính\n".encode()
    outcome = imports.import_results(
        by=staff.commune_worker_b, upload=as_upload("kq.csv", content), mode=KEEP_GOOD
    )
    assert outcome.queued == 1, "nothing queued: the walk would check nothing"
    return {"batch": outcome.batch}


RECORDS_IN_COMMUNE_B = {
    "labtests:import_follow_ups": _follow_ups,
    "labtests:shift_edit": _shift,
    "labtests:shift_cancel": _shift,
    "labtests:campaign_team_names": _campaign_with_names,
    "labtests:team_edit": _team,
    "labtests:point_shifts": _point,
    "labtests:round_detail": _round,
    "labtests:round_close": _round,
    "labtests:round_export": _round,
    "labtests:point_detail": _point,
    "labtests:sample_detail": _sample,
    "labtests:sample_result": _sample,
    "labtests:sample_receive": _sample,
    "labtests:sample_reject": _sample,
    "labtests:pool_detail": _pool,
    "labtests:pool_result": _pool,
    "labtests:order_sample": _order,
    "labtests:test_order_sample": _test_order,
    "labtests:campaign_detail": _campaign,
    "labtests:campaign_export": _campaign,
}
NOT_PERSONAL: dict[str, str] = {}


# --- matching paths: a sample taken of someone typed for commune A ---------------------------


def _submit_sample_form(client, world, staff, typed):
    from phongdich.labtests.models import Sample

    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/labtests/samples/new/",
        {
            "barcode": f"A-{Sample.objects.count() + 1}",
            "full_name": typed["full_name"],
            "birth_year": typed["birth_year"],
            "phone": typed.get("phone", ""),
            "id_number": typed.get("id_number", ""),
            "address": typed.get("address", ""),
            "commune": world.commune_a.pk,
            "sex": "F",
            "kind": "pcr",
            "reason": "screening",
            "place": "Nhà văn hóa",
        },
        follow=True,
    )
    assert response.redirect_chain, "the form was refused: the walk would check nothing"
    return [str(response.status_code), response.content.decode()]


def _submit_point_form(client, world, staff, typed):
    from phongdich.labtests import rounds
    from phongdich.labtests.models import Sample
    from phongdich.labtests.tests.builders import campaign

    camp = campaign(world, staff, units=[world.commune_a], name="Tầm soát Hàm Rồng")
    rnd = rounds.round_create(
        by=staff.province_health_officer,
        campaign=camp,
        starts_on=camp.starts_on,
        ends_on=camp.starts_on,
    )
    point = rounds.point_create(
        by=staff.commune_worker_a, round=rnd, commune=world.commune_a, name="Trường tiểu học"
    )
    client.force_login(staff.commune_worker_a)
    response = client.post(
        f"/labtests/points/{point.pk}/",
        {
            "barcode": f"AP-{Sample.objects.count() + 1}",
            "full_name": typed["full_name"],
            "birth_year": typed["birth_year"],
            "phone": typed.get("phone", ""),
            "id_number": typed.get("id_number", ""),
            "address": typed.get("address", ""),
            "commune": world.commune_a.pk,
            "sex": "F",
            "kind": "pcr",
            "reason": "screening",
        },
        follow=True,
    )
    assert response.redirect_chain, "the form was refused: the walk would check nothing"
    return [str(response.status_code), response.content.decode()]


MATCHING_PATHS = {
    "labtests:sample_new": _submit_sample_form,
    "labtests:point_detail": _submit_point_form,
}
MATCHING_CALLERS = {"labtests/services.py": ("labtests:sample_new", "labtests:point_detail")}
