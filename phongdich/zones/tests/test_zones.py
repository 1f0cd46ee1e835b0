"""Zones: proposal and decision, the append-only history, food requests and deliveries,
the food-gap list, the pages and their boundaries."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from phongdich.audit.models import AuditEvent
from phongdich.zones import selectors, services
from phongdich.zones.models import FoodRequest, Zone, ZoneChange, ZoneProposal

from .builders import proposed_zone, zone_in_force

pytestmark = pytest.mark.django_db


def test_a_proposed_zone_is_not_in_force_until_decided(world, staff):
    zone = proposed_zone(world, staff)
    assert zone.status == Zone.Status.PROPOSED
    assert zone.proposals.get().status == ZoneProposal.Status.PENDING
    assert selectors.active_zones_at(staff.checkpoint_officer, world.commune_b) == []


def test_the_commune_cannot_decide_its_own_proposal(world, staff):
    zone = proposed_zone(world, staff)
    with pytest.raises(PermissionDenied):
        services.proposal_decide(
            by=staff.commune_worker_b,
            proposal=zone.proposals.get(),
            approve=True,
            decision_number="1/QĐ",
        )


def test_a_district_outside_cannot_decide(world, staff):
    zone = proposed_zone(world, staff)  # commune B, district B
    with pytest.raises(PermissionDenied):
        services.proposal_decide(
            by=staff.district_health_officer_a,
            proposal=zone.proposals.get(),
            approve=True,
            decision_number="1/QĐ",
        )


def test_history_across_two_changes_and_a_lift(world, staff):
    zone = zone_in_force(world, staff, started_on=date(2021, 8, 1))
    services.proposal_create(
        by=staff.commune_worker_b,
        zone=zone,
        action=ZoneProposal.Action.CLASSIFY,
        risk_class=Zone.RiskClass.HIGH,
        reason="Thêm 3 ca",
    )
    services.proposal_decide(
        by=staff.province_health_officer,
        proposal=selectors.pending_proposal(zone),
        approve=True,
        decision_number="130/QĐ-UBND",
        decision_date=date(2021, 8, 5),
    )
    zone.refresh_from_db()
    services.zone_facts_update(
        by=staff.commune_worker_b,
        zone=zone,
        last_case_on=date(2021, 8, 6),
        last_negative_round_on=date(2021, 8, 18),
        people_count=430,
        households_count=110,
        reason="Kết quả vòng xét nghiệm của CDC trước khi dùng hệ thống",
    )
    services.proposal_create(
        by=staff.commune_worker_b, zone=zone, action=ZoneProposal.Action.LIFT, reason="Đủ 14 ngày"
    )
    services.proposal_decide(
        by=staff.province_health_officer,
        proposal=selectors.pending_proposal(zone),
        approve=True,
        decision_number="150/QĐ-UBND",
        decision_date=date(2021, 8, 20),
        today=date(2021, 8, 20),
    )
    zone.refresh_from_db()
    assert zone.status == Zone.Status.LIFTED and zone.ended_on == date(2021, 8, 20)
    kinds = list(zone.changes.order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "decided", "decided", "facts", "decided"]
    reclassified = zone.changes.order_by("id")[2]
    assert reclassified.before == {
        "risk_class": "",
        "decision_number": "123/QĐ-UBND",
        "decision_date": "2021-08-01",
    }
    assert reclassified.after["risk_class"] == "high"
    assert reclassified.decision_number == "130/QĐ-UBND"
    rows = selectors.history_rows(zone)
    assert any(line["after"] == "Vùng nguy cơ cao" for r in rows for line in r["lines"])


def test_lifting_too_early_is_refused_and_nothing_changes(world, staff):
    zone = zone_in_force(world, staff, started_on=date(2021, 8, 1))
    services.proposal_create(
        by=staff.commune_worker_b, zone=zone, action=ZoneProposal.Action.LIFT, reason="Xin gỡ"
    )
    proposal = selectors.pending_proposal(zone)
    with pytest.raises(ValidationError):
        services.proposal_decide(
            by=staff.province_health_officer,
            proposal=proposal,
            approve=True,
            decision_number="2/QĐ",
            today=date(2021, 8, 14),
        )
    proposal.refresh_from_db()
    zone.refresh_from_db()
    assert proposal.status == ZoneProposal.Status.PENDING
    assert zone.status == Zone.Status.IN_FORCE


def test_history_is_append_only(world, staff):
    zone = proposed_zone(world, staff)
    change = zone.changes.get()
    change.reason = "sửa lại"
    with pytest.raises(TypeError):
        change.save()
    with pytest.raises(TypeError):
        change.delete()
    with pytest.raises(TypeError):
        ZoneChange.objects.filter(zone=zone).update(reason="x")
    with pytest.raises(TypeError):
        ZoneChange.objects.filter(zone=zone).delete()
    assert zone.changes.get().reason == "Ổ dịch 5 ca trong khu phố"


def test_a_second_pending_proposal_is_refused(world, staff):
    zone = zone_in_force(world, staff)
    services.proposal_create(
        by=staff.commune_worker_b, zone=zone, action=ZoneProposal.Action.LIFT, reason="a"
    )
    with pytest.raises(ValidationError, match="đang có một đề xuất"):
        services.proposal_create(
            by=staff.commune_worker_b, zone=zone, action=ZoneProposal.Action.LIFT, reason="b"
        )


def test_a_decided_proposal_cannot_be_decided_again(world, staff):
    zone = proposed_zone(world, staff)
    proposal = zone.proposals.get()
    services.proposal_decide(
        by=staff.province_health_officer, proposal=proposal, approve=True, decision_number="1/QĐ"
    )
    with pytest.raises(ValidationError, match="đã được quyết định"):
        services.proposal_decide(by=staff.province_admin, proposal=proposal, approve=False)


def test_food_request_arithmetic(world, staff):
    zone = zone_in_force(world, staff)
    household = services.household_add(
        by=staff.commune_worker_b, zone=zone, address="Số 5 ngõ 2", people=4
    )
    other = services.household_add(by=staff.commune_worker_b, zone=zone, address="Số 7", people=2)
    request = services.food_request_create(
        by=staff.commune_worker_b, zone=zone, household=household, items="Gạo, rau", portions=10
    )
    services.food_request_create(
        by=staff.hotline_agent if False else staff.commune_worker_b,
        zone=zone,
        household=other,
        items="Sữa",
        portions=3,
        source=FoodRequest.Source.HOTLINE,
    )
    today = timezone.localdate()
    services.delivery_record(
        by=staff.relief_officer,
        zone=zone,
        household=household,
        request=request,
        portions=4,
        delivered_on=today,
    )
    summary = selectors.supply_summary(zone)
    assert (summary.open_requests, summary.portions_outstanding) == (2, 6 + 3)
    services.delivery_record(
        by=staff.relief_officer,
        zone=zone,
        household=household,
        request=request,
        portions=7,
        delivered_on=today,
    )
    request.refresh_from_db()
    assert request.status == FoodRequest.Status.SERVED and request.portions_delivered == 11
    summary = selectors.supply_summary(zone)
    assert (summary.open_requests, summary.portions_outstanding) == (1, 3)
    assert summary.portions_delivered == 11 and summary.people == 6


def test_a_delivery_to_another_zones_household_is_refused(world, staff):
    zone = zone_in_force(world, staff)
    other_zone = zone_in_force(world, staff, name="Chung cư A")
    household = services.household_add(by=staff.commune_worker_b, zone=other_zone, address="P.101")
    with pytest.raises(ValidationError):
        services.delivery_record(
            by=staff.relief_officer,
            zone=zone,
            household=household,
            portions=1,
            delivered_on=timezone.localdate(),
        )


def test_the_food_gap_list(world, staff):
    today = timezone.localdate()
    zone = zone_in_force(world, staff, started_on=today - timedelta(days=10))
    served = services.household_add(by=staff.commune_worker_b, zone=zone, address="Số 1")
    late = services.household_add(by=staff.commune_worker_b, zone=zone, address="Số 2")
    services.household_add(by=staff.commune_worker_b, zone=zone, address="Số 3")  # joined today
    services.delivery_record(
        by=staff.relief_officer,
        zone=zone,
        household=served,
        portions=2,
        delivered_on=today - timedelta(days=1),
    )
    services.delivery_record(
        by=staff.relief_officer,
        zone=zone,
        household=late,
        portions=2,
        delivered_on=today - timedelta(days=4),
    )
    gaps = selectors.food_gaps(selectors.zones_for(staff.relief_officer), today)
    assert [(h.address, h.waited) for h in gaps] == [("Số 2", 4)]
    assert selectors.food_gaps(selectors.zones_for(staff.commune_worker_a), today) == []


def test_scan_lifting_marks_the_zones_that_may_be_lifted(world, staff):
    zone = zone_in_force(world, staff, started_on=date(2021, 8, 1))
    services.zone_facts_update(
        by=staff.commune_worker_b,
        zone=zone,
        last_negative_round_on=date(2021, 8, 10),
        people_count=1,
        households_count=1,
        reason="Vòng xét nghiệm do huyện tổ chức",
    )
    assert services.scan_lifting(today=date(2021, 8, 14)) == 0
    assert services.scan_lifting(today=date(2021, 8, 15)) == 1
    zone.refresh_from_db()
    assert zone.may_lift_since == date(2021, 8, 15)


def test_checkpoint_and_hotline_see_an_active_zone_at_a_commune(world, staff):
    zone = zone_in_force(world, staff)
    for user in (staff.checkpoint_officer, staff.hotline_agent):
        assert selectors.active_zones_at(user, world.commune_b) == [zone]
    assert selectors.active_zones_at(staff.checkpoint_officer, world.commune_a) == []
    assert selectors.active_zones_at(staff.directive_clerk, world.commune_b) == []


# --- pages ------------------------------------------------------------------------------


def test_the_list_is_scoped(client, world, staff):
    zone_in_force(world, staff, name="Vùng Bắc Sơn")
    proposed_zone(world, staff, commune=world.commune_a, name="Vùng Hàm Rồng")
    client.force_login(staff.commune_worker_a)
    body = client.get("/zones/").content.decode()
    assert "Vùng Hàm Rồng" in body and "Vùng Bắc Sơn" not in body
    client.force_login(staff.province_health_officer)
    body = client.get("/zones/").content.decode()
    assert "Vùng Hàm Rồng" in body and "Vùng Bắc Sơn" in body


def test_the_detail_page_shows_history_supply_and_lifting(client, world, staff):
    zone = zone_in_force(world, staff)
    services.household_add(by=staff.commune_worker_b, zone=zone, address="Số 9", head_name="Lê An")
    client.force_login(staff.commune_worker_b)
    response = client.get(f"/zones/{zone.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Lê An" in body and 'id="lifting"' in body and "123/QĐ-UBND" in body
    assert AuditEvent.objects.filter(action="zones.households").count() == 1


def test_two_approvers_one_decision_through_the_page(client, world, staff):
    zone = proposed_zone(world, staff)
    proposal = zone.proposals.get()
    url = f"/zones/{zone.pk}/proposals/{proposal.pk}/decide/"
    data = {"approve": "yes", "decision_number": "9/QĐ", "decision_date": "02/09/2021"}
    client.force_login(staff.province_health_officer)
    assert client.post(url, data).status_code == 302
    client.force_login(staff.province_admin)
    response = client.post(url, {**data, "approve": "no"})
    assert response.status_code == 400
    assert "đã được quyết định" in response.content.decode()
    zone.refresh_from_db()
    assert zone.status == Zone.Status.IN_FORCE


def test_propose_a_zone_through_the_page(client, world, staff):
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/zones/new/",
        {
            "name": "Tổ 5",
            "kind": "street",
            "measure": "lockdown",
            "commune": world.commune_a.pk,
            "people_count": "100",
            "households_count": "30",
            "reason": "Có 2 ca",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Zone.objects.get(name="Tổ 5").commune == world.commune_a


def test_bad_input_never_gives_500(client, world, staff):
    zone = zone_in_force(world, staff)
    client.force_login(staff.commune_worker_b)
    for path in ("households", "requests", "deliveries", "facts", "propose"):
        response = client.post(f"/zones/{zone.pk}/{path}/", {"portions": "-5", "household": "x"})
        assert response.status_code == 400, path
    assert client.get("/zones/?district=abc&status=zzz").status_code == 200


def test_export_and_map(client, world, staff):
    zone_in_force(world, staff, latitude="20.1", longitude="105.9")
    client.force_login(staff.province_health_officer)
    response = client.get("/zones/export.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    body = client.get("/zones/map/").content.decode()
    assert "Khu phố 3 Bắc Sơn" in body and "zone-points" in body


def test_food_gaps_page(client, world, staff):
    zone = zone_in_force(world, staff, started_on=timezone.localdate() - timedelta(days=5))
    household = services.household_add(by=staff.commune_worker_b, zone=zone, address="Số 4")
    household.created_at = timezone.now() - timedelta(days=5)
    household.save()
    client.force_login(staff.relief_officer)
    assert "Số 4" in client.get("/zones/food-gaps/").content.decode()


def test_the_list_costs_the_same_queries_for_more_zones(
    client, world, staff, django_assert_num_queries
):
    client.force_login(staff.province_health_officer)
    proposed_zone(world, staff, name="Z1")
    client.get("/zones/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/zones/")
    for n in range(4):
        proposed_zone(world, staff, name=f"Z{n + 2}")
    with CaptureQueriesContext(connection) as five:
        assert client.get("/zones/").status_code == 200
    assert len(five.captured_queries) == len(one.captured_queries)
