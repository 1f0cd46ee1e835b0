"""Each hotline table the docs call editable: the province admin edits it through the policy
pages, the change is audited, and the rule that reads the table follows it."""

from datetime import timedelta

from phongdich.audit.models import AuditEvent
from phongdich.hotline import services
from phongdich.hotline.models import Category, SlaPolicy, SupportPolicy
from phongdich.policy.testing import post_edit
from phongdich.testing import make_user


def _audited(model_label: str, verb: str = "update") -> AuditEvent:
    return AuditEvent.objects.get(action=f"policy.hotline.{model_label}.{verb}")


def _ticket(staff, world, category="cdc", text="Hỏi lịch xét nghiệm"):
    return services.ticket_create(
        by=staff.hotline_agent,
        channel="phone",
        category=category,
        text=text,
        commune=world.commune_a,
    )


def test_a_changed_service_level_changes_a_new_tickets_due_time(client, world, staff):
    assert _ticket(staff, world).priority == "P3"
    client.force_login(staff.province_admin)
    response = post_edit(client, "hotline-sla", SlaPolicy.objects.get(priority="P3"), minutes=600)
    assert response.status_code == 302
    assert _audited("slapolicy").changes["after"] == {"minutes": 600}
    ticket = _ticket(staff, world)
    assert ticket.due_at - ticket.created_at == timedelta(minutes=600)


def test_a_changed_branch_priority_changes_a_new_tickets_priority(client, world, staff):
    assert _ticket(staff, world, category="violation").priority == "P3"
    client.force_login(staff.province_admin)
    post_edit(
        client, "hotline-categories", Category.objects.get(code="violation"), default_priority="P2"
    )
    assert _audited("category").changes["before"] == {"default_priority": "P3"}
    assert _ticket(staff, world, category="violation").priority == "P2"


def test_a_changed_routing_rule_routes_the_next_ticket(client, world, staff, units):
    assert _ticket(staff, world).assigned_unit == units.station_a
    rule = units.station_a.routes.get(admin_unit=world.commune_a, category=None)
    client.force_login(staff.province_admin)
    post_edit(client, "hotline-routing", rule, unit=units.committee_a)
    assert _audited("routingrule").changes["after"] == {"unit": units.committee_a.pk}
    assert _ticket(staff, world).assigned_unit == units.committee_a
    # Deactivated through the page (after its confirmation), the rule no longer routes.
    client.post(f"/policy/hotline-routing/{rule.pk}/deactivate/")
    assert _audited("routingrule", "deactivate")
    assert _ticket(staff, world).assigned_unit == units.desk


def test_a_focal_point_added_on_the_page_receives_the_units_mail(client, world, staff, units):
    focal = make_user("dau.moi", "commune_health_worker", world.commune_a, email="dm@tyt.vn")
    assert "dm@tyt.vn" not in services.unit_recipients(units.station_a)
    client.force_login(staff.province_admin)
    focal_points = [*units.station_a.focal_points.all(), focal]
    post_edit(client, "hotline-units", units.station_a, focal_points=focal_points)
    event = _audited("responsibleunit")
    assert event.changes["after"]["focal_points"] == sorted(u.pk for u in focal_points)
    assert "dm@tyt.vn" in services.unit_recipients(units.station_a)


def test_a_deactivated_unit_stops_receiving_tickets(client, world, staff, units):
    client.force_login(staff.province_admin)
    client.post(f"/policy/hotline-units/{units.station_a.pk}/deactivate/")
    assert _audited("responsibleunit", "deactivate")
    assert _ticket(staff, world).assigned_unit == units.desk


def test_a_changed_support_amount_changes_the_payment(client, world, staff, f0_person):
    policy = SupportPolicy.objects.get(code="f0_food")
    client.force_login(staff.province_admin)
    post_edit(client, "hotline-support", policy, amount_vnd=100_000, confirmed=False)
    event = _audited("supportpolicy")
    assert event.changes["before"] == {"amount_vnd": 80_000, "confirmed": True}
    policy.refresh_from_db()
    payment = services.support_payment_record(
        by=staff.relief_officer, person=f0_person, policy=policy, days=2
    )
    assert payment.amount_vnd == 200_000
