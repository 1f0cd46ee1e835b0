"""The checkpoints' policy rows: seeded with the built-in tables' values, edited by the
province admin on the policy pages (audited), and followed by the decision suggested at the
checkpoint and by the quarantine started in the commune."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from phongdich.audit.models import AuditEvent
from phongdich.checkpoints import rules, services
from phongdich.checkpoints.models import (
    DecisionRuleRow,
    EpidemicArea,
    QuarantineGroupRow,
    QuarantinePolicyRow,
)
from phongdich.policy.testing import post_create, post_edit

from . import builders


def _audited(model: str, verb: str = "update") -> AuditEvent:
    return AuditEvent.objects.get(action=f"policy.checkpoints.{model}.{verb}")


def _arrived(world, staff, **declaration):
    handover = builders.handover(world, staff, **declaration)
    services.handover_confirm(by=staff.commune_worker_a, handover=handover)
    return handover


def test_the_seeded_rows_are_the_built_in_tables(db):
    assert QuarantinePolicyRow.objects.count() == len(rules.QUARANTINE_POLICIES)
    assert QuarantineGroupRow.objects.count() == sum(
        len(p.groups) for p in rules.QUARANTINE_POLICIES
    )
    assert DecisionRuleRow.objects.count() == len(rules.DECISION_RULES)
    assert services.quarantine_policies() == rules.QUARANTINE_POLICIES
    assert services.decision_rules() == rules.DECISION_RULES
    sources = set(DecisionRuleRow.objects.values_list("source", flat=True))
    assert sources == {rules.DECISION_RULES_SOURCE}
    unconfirmed = set(
        QuarantinePolicyRow.objects.filter(confirmed=False).values_list("key", flat=True)
    )
    assert unconfirmed == {p.key for p in rules.QUARANTINE_POLICIES if p.unconfirmed}


def test_a_changed_area_threshold_changes_the_checkpoint_decision(client, world, staff):
    origin = builders.origin_unit()
    EpidemicArea.objects.create(unit=origin, level=2, valid_from=timezone.localdate())
    declaration, _raw = builders.declaration(world.commune_a, origin=origin, vaccine_doses=2)
    assert services.assess(declaration).suggestion.decision == rules.LET_THROUGH
    row = DecisionRuleRow.objects.get(key="area_without_test")
    client.force_login(staff.province_admin)
    assert post_edit(client, "checkpoint-decisions", row, min_area_level=2).status_code == 302
    event = _audited("decisionrulerow")
    assert event.changes == {"before": {"min_area_level": 3}, "after": {"min_area_level": 2}}
    suggestion = services.assess(declaration).suggestion
    assert (suggestion.decision, suggestion.rule.key) == (rules.HANDOVER, "area_without_test")


def test_a_changed_vaccination_threshold_changes_the_checkpoint_decision(client, world, staff):
    origin = builders.origin_unit()
    EpidemicArea.objects.create(unit=origin, level=1, valid_from=timezone.localdate())
    declaration, _raw = builders.declaration(world.commune_a, origin=origin, vaccine_doses=2)
    assert services.assess(declaration).suggestion.decision == rules.LET_THROUGH
    client.force_login(staff.province_admin)
    post_edit(
        client,
        "checkpoint-decisions",
        DecisionRuleRow.objects.get(key="area_unvaccinated"),
        max_doses=2,
    )
    assert services.assess(declaration).suggestion.decision == rules.HANDOVER


def test_a_deactivated_decision_row_no_longer_decides(client, world, staff):
    declaration, _raw = builders.declaration(world.commune_a, test_result="positive")
    assert services.assess(declaration).suggestion.rule.key == "positive_test"
    client.force_login(staff.province_admin)
    row = DecisionRuleRow.objects.get(key="positive_test")
    client.post(reverse("policy:deactivate", args=["checkpoint-decisions", row.pk]))
    assert _audited("decisionrulerow", "deactivate")
    assert services.assess(declaration).suggestion.rule.key != "positive_test"


def test_a_changed_group_duration_changes_the_quarantine(client, world, staff):
    group = QuarantineGroupRow.objects.get(policy__key="2022-early", label="Người còn lại")
    client.force_login(staff.province_admin)
    post_edit(client, "quarantine-groups", group, home_days=10, test_days="7,10")
    event = _audited("quarantinegrouprow")
    assert event.changes["before"] == {"home_days": 7, "test_days": "7"}
    quarantine = services.quarantine_start(
        by=staff.commune_worker_a,
        handover=_arrived(world, staff, vaccine_doses=1),
        on=date(2022, 3, 1),
    )
    assert quarantine.end_date == date(2022, 3, 10)  # 10 days at home instead of 7
    assert quarantine.test_dates == ["2022-03-07", "2022-03-10"]


def test_a_changed_start_date_changes_which_rule_is_in_force(client, world, staff):
    row = QuarantinePolicyRow.objects.get(key="2022-04-15-1909")
    client.force_login(staff.province_admin)
    post_edit(client, "quarantine-policies", row, valid_from=date(2022, 5, 1), confirmed=True)
    assert _audited("quarantinepolicyrow").changes["after"] == {
        "valid_from": "2022-05-01",
        "confirmed": True,
    }
    quarantine = services.quarantine_start(
        by=staff.commune_worker_a,
        handover=_arrived(world, staff, vaccine_doses=1),
        on=date(2022, 4, 20),
    )
    assert quarantine.policy_key == "2022-early"


def test_a_rule_added_on_the_pages_applies_from_its_date(client, world, staff):
    client.force_login(staff.province_admin)
    today = timezone.localdate()
    response = post_create(
        client,
        "quarantine-policies",
        key="tinh-2026",
        valid_from=today - timedelta(days=1),
        regulation="Quyết định của UBND tỉnh (thử nghiệm)",
        summary="3 ngày theo dõi tại nhà",
        counted_from="arrival",
        confirmed=False,
        active=True,
    )
    assert response.status_code == 302
    policy = QuarantinePolicyRow.objects.get(key="tinh-2026")
    assert _audited("quarantinepolicyrow", "create").changes["after"]["key"] == "tinh-2026"
    post_create(
        client,
        "quarantine-groups",
        policy=policy,
        position=10,
        label="Mọi người",
        home_days=3,
        monitoring_days=0,
        centralised_days=0,
        test_days="3",
        active=True,
    )
    quarantine = services.quarantine_start(
        by=staff.commune_worker_a, handover=_arrived(world, staff)
    )
    assert quarantine.policy_key == "tinh-2026"
    assert quarantine.end_date == today + timedelta(days=2)
    # The commune's rules page shows the new row, its regulation and its unconfirmed flag.
    client.force_login(staff.commune_worker_a)
    page = client.get(reverse("checkpoints:rules")).content.decode()
    assert "Quyết định của UBND tỉnh (thử nghiệm)" in page


def test_it_rejects_bad_group_values_with_a_message(client, staff):
    group = QuarantineGroupRow.objects.get(policy__key="2022-early", label="Người còn lại")
    client.force_login(staff.province_admin)
    for changes in ({"test_days": "bảy"}, {"test_days": "0,99"}, {"home_days": 400}):
        response = post_edit(client, "quarantine-groups", group, **changes)
        assert response.status_code == 200
        assert response.context["form"].errors
    group.refresh_from_db()
    assert (group.home_days, group.test_days) == (7, "7")


def test_it_refuses_a_rule_that_ends_before_it_starts(client, staff):
    row = QuarantinePolicyRow.objects.get(key="2022-early")
    client.force_login(staff.province_admin)
    response = post_edit(client, "quarantine-policies", row, valid_to=date(2022, 1, 1))
    assert response.status_code == 200
    assert "valid_to" in response.context["form"].errors


def test_a_rule_without_a_group_for_someone_gives_a_clear_message(client, world, staff):
    import pytest
    from django.core.exceptions import ValidationError

    group = QuarantineGroupRow.objects.get(policy__key="2022-early", label="Người còn lại")
    client.force_login(staff.province_admin)
    client.post(reverse("policy:deactivate", args=["quarantine-groups", group.pk]))
    with pytest.raises(ValidationError, match="không có nhóm áp dụng"):
        services.quarantine_start(
            by=staff.commune_worker_a,
            handover=_arrived(world, staff, vaccine_doses=0),
            on=date(2022, 3, 1),
        )


def test_a_quarantine_keeps_showing_the_rule_it_began_under(client, world, staff):
    quarantine = services.quarantine_start(
        by=staff.commune_worker_a,
        handover=_arrived(world, staff, vaccine_doses=1),
        on=date(2022, 3, 1),
    )
    row = QuarantinePolicyRow.objects.get(key="2022-early")
    client.force_login(staff.province_admin)
    client.post(reverse("policy:deactivate", args=["quarantine-policies", row.pk]))
    assert services.quarantine_policy("2022-early") is not None
    client.force_login(staff.commune_worker_a)
    page = client.get(reverse("quarantine:detail", args=[quarantine.pk]))
    assert page.status_code == 200 and quarantine.policy_key == "2022-early"
    assert quarantine.policy_source in page.content.decode()
    paper = client.get(reverse("quarantine:document", args=[quarantine.pk, "commitment"]))
    assert paper["Content-Type"] == "application/pdf"


def test_a_row_with_an_end_date_stops_applying_after_it():
    early = rules.policy_by_key("2022-early")
    ended = rules.QuarantinePolicy(**{**early.__dict__, "valid_to": date(2022, 3, 31)})
    table = (rules.policy_by_key("2021-12-16-10696"), ended)
    assert rules.policy_on(date(2022, 3, 31), table).key == "2022-early"
    assert rules.policy_on(date(2022, 4, 1), table) is None
    assert rules.quarantine_plan(on=date(2022, 4, 1), policies=table) is None


def test_a_rule_without_a_matching_group_plans_nothing():
    early = rules.policy_by_key("2022-early")
    vaccinated_only = rules.QuarantinePolicy(**{**early.__dict__, "groups": early.groups[:1]})
    assert rules.quarantine_plan(on=date(2022, 3, 1), doses=0, policies=(vaccinated_only,)) is None
    plan = rules.quarantine_plan(on=date(2022, 3, 1), doses=2, policies=(vaccinated_only,))
    assert plan.home_days == 5
