"""The lifting rule's inputs come from data: the last case diagnosed in the zone's communes
(cases) and the last closed screening round negative there (labtests). A typed date
replaces them only with a reason. Boundaries: 14 days after the last case, and a negative
round strictly after it (RULES.md has no national text; zones/rules.py)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from phongdich.cases.models import Case
from phongdich.cases.tests.builders import make_case
from phongdich.labtests import rounds
from phongdich.labtests import services as lab_services
from phongdich.labtests.tests import builders as lab
from phongdich.zones import rules, services

from .builders import zone_in_force

D = date(2021, 8, 1)
DATA, TYPED = rules.DATA, rules.TYPED


@pytest.mark.parametrize(
    ("data", "typed", "reason", "chosen", "source"),
    [
        (D, None, "", D, DATA),
        (None, None, "", None, ""),
        (D, D + timedelta(days=3), "", D, DATA),  # typed without a reason: never used
        (D, D + timedelta(days=3), "   ", D, DATA),
        (D, D + timedelta(days=3), "Ca ở thôn khác", D + timedelta(days=3), TYPED),
        (None, D, "Ca trước khi có hệ thống", D, TYPED),
        (D, None, "Có lý do nhưng không nhập ngày", D, DATA),
    ],
)
def test_lift_inputs_take_the_data_unless_a_typed_date_has_its_reason(
    data, typed, reason, chosen, source
):
    inputs = rules.lift_inputs(
        case_in_data=data,
        round_in_data=data,
        typed_case=typed,
        typed_round=typed,
        override_reason=reason,
    )
    assert (inputs.last_case_on, inputs.last_case_from) == (chosen, source)
    assert (inputs.last_negative_round_on, inputs.round_from) == (chosen, source)


def _case_on(world, staff, commune, day):
    case = make_case(world, staff.province_health_officer, commune=commune)
    Case.objects.filter(pk=case.pk).update(diagnosed_on=day)
    return case


def _closed_round(world, staff, commune, ends_on, result="negative"):
    camp = lab.campaign(
        world,
        staff,
        units=[commune],
        starts_on=D - timedelta(days=30),
        ends_on=D + timedelta(days=60),
    )
    rnd = rounds.round_create(
        by=staff.province_health_officer, campaign=camp, starts_on=ends_on, ends_on=ends_on
    )
    point = lab.point(world, staff, rnd, commune=commune)
    sample = lab_services.sample_take(
        by=staff.province_health_officer,
        person=lab.person(world, staff, commune=commune),
        barcode=f"Z-{rnd.pk}",
        kind="pcr",
        reason="screening",
        commune=commune,
        point=point,
    )
    if result:
        lab_services.sample_result_record(
            by=staff.province_health_officer, sample=sample, result=result, lab="CDC"
        )
    rounds.round_close(
        by=staff.province_health_officer, round=rnd, pending_seen=rounds.pending_count(rnd)
    )
    return rnd


@pytest.mark.parametrize(
    ("round_day", "today", "may_lift"),
    [
        (D + timedelta(days=3), D + timedelta(days=15), False),  # day 13 after the case
        (D + timedelta(days=3), D + timedelta(days=16), True),  # day 14: complete
        (D + timedelta(days=2), D + timedelta(days=30), False),  # round on the case's day
        (None, D + timedelta(days=30), False),  # no closed negative round
    ],
)
def test_lifting_reads_the_cases_and_the_rounds(world, staff, round_day, today, may_lift):
    zone = zone_in_force(world, staff, started_on=D)  # in commune B
    _case_on(world, staff, world.commune_b, D + timedelta(days=2))
    _case_on(world, staff, world.commune_a, D + timedelta(days=10))  # another commune
    if round_day:
        _closed_round(world, staff, world.commune_b, round_day)
    inputs = services.lift_inputs(zone)
    assert (inputs.last_case_on, inputs.last_case_from) == (D + timedelta(days=2), DATA)
    assert inputs.last_negative_round_on == round_day
    assert services.lift_check(zone, today).may_lift is may_lift


def test_a_round_with_a_positive_or_a_missing_result_is_not_negative(world, staff):
    zone = zone_in_force(world, staff, started_on=D)
    _closed_round(world, staff, world.commune_b, D + timedelta(days=5), result="positive")
    _closed_round(world, staff, world.commune_b, D + timedelta(days=6), result=None)
    assert services.lift_inputs(zone).last_negative_round_on is None
    _closed_round(world, staff, world.commune_b, D + timedelta(days=4))
    assert services.lift_inputs(zone).last_negative_round_on == D + timedelta(days=4)


def test_a_typed_date_needs_a_reason_and_clearing_it_returns_to_the_data(world, staff):
    zone = zone_in_force(world, staff, started_on=D)
    _case_on(world, staff, world.commune_b, D + timedelta(days=2))
    with pytest.raises(ValidationError) as refused:
        services.zone_facts_update(
            by=staff.commune_worker_b, zone=zone, last_case_on=D, people_count=1, households_count=1
        )
    assert "cần ghi lý do" in str(refused.value)
    zone = services.zone_facts_update(
        by=staff.commune_worker_b,
        zone=zone,
        last_case_on=D,
        people_count=1,
        households_count=1,
        reason="Ca ngày 03/08 ở ngoài khu phố",
    )
    inputs = services.lift_inputs(zone)
    assert (inputs.last_case_on, inputs.last_case_from) == (D, TYPED)
    assert (
        zone.changes.latest("id").after["inputs_override_reason"] == "Ca ngày 03/08 ở ngoài khu phố"
    )
    zone = services.zone_facts_update(
        by=staff.commune_worker_b, zone=zone, last_case_on=None, people_count=1, households_count=1
    )
    assert zone.inputs_override_reason == ""
    assert services.lift_inputs(zone).last_case_from == DATA


def test_the_zone_page_shows_the_inputs_and_where_they_come_from(client, world, staff):
    zone = zone_in_force(world, staff, started_on=D)
    _case_on(world, staff, world.commune_b, D + timedelta(days=2))
    _closed_round(world, staff, world.commune_b, D + timedelta(days=3))
    client.force_login(staff.commune_worker_b)
    page = client.get(f"/zones/{zone.pk}/").content.decode()
    assert "03/08/2021" in page and "04/08/2021" in page
    assert "theo danh sách F0 của xã" in page and "theo vòng xét nghiệm đã kết thúc" in page
    response = client.post(
        f"/zones/{zone.pk}/facts/",
        {"last_case_on": "01/08/2021", "people_count": "1", "households_count": "1"},
    )
    assert response.status_code == 400 and "cần ghi lý do" in response.content.decode()
