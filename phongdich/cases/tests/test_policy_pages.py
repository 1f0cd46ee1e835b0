"""The F0 app's clinical thresholds: seeded with `rules.THRESHOLDS`, edited by the province
admin on the policy pages (audited), and followed by the next check and release."""

from datetime import date, datetime, timedelta

from django.urls import reverse

from phongdich.audit.models import AuditEvent
from phongdich.cases import rules, services
from phongdich.cases.models import ThresholdRow
from phongdich.policy.testing import post_edit

from . import builders


def test_the_seeded_rows_are_the_built_in_table(db):
    assert ThresholdRow.objects.count() == len(rules.THRESHOLDS)
    assert services.thresholds() == rules.THRESHOLDS
    unconfirmed = set(ThresholdRow.objects.filter(confirmed=False).values_list("key", flat=True))
    assert unconfirmed == {k for k, t in rules.THRESHOLDS.items() if not t.confirmed}


def test_a_changed_spo2_threshold_changes_the_danger_signs(client, world, staff):
    case = builders.make_case(world, staff.commune_worker_a)
    assert builders.submit(case, key="before", spo2=95).check.danger_signs == ["SpO2 95% (≤ 96%)"]
    row = ThresholdRow.objects.get(key="spo2_danger_adult_at_most")
    client.force_login(staff.province_admin)
    post_edit(client, "case-thresholds", row, value=94, note="SpO2 ≤ 94%", confirmed=False)
    event = AuditEvent.objects.get(action="policy.cases.thresholdrow.update")
    assert event.changes["before"] == {"value": 96.0, "note": "SpO2 ≤ 96%", "confirmed": True}
    assert builders.submit(case, key="after", spo2=95).check.danger_signs == []
    assert builders.submit(case, key="low", spo2=93).check.danger_signs == ["SpO2 93% (≤ 94%)"]


def test_a_changed_release_duration_changes_the_release_date(client, world, staff):
    case = builders.make_case(world, staff.commune_worker_a)
    before = services.release_for(case)
    row = ThresholdRow.objects.get(
        key="release_days_fully_vaccinated"
        if case.fully_vaccinated
        else "release_days_not_fully_vaccinated"
    )
    client.force_login(staff.province_admin)
    assert post_edit(client, "case-thresholds", row, value=row.value + 3).status_code == 302
    event = AuditEvent.objects.get(action="policy.cases.thresholdrow.update")
    assert event.changes["after"] == {"value": row.value + 3}
    after = services.release_for(case)
    assert after.on == before.on + timedelta(days=3)
    assert f"Đủ {int(row.value) + 3} ngày" in after.basis


def test_thresholds_cannot_be_added_or_deactivated(client, staff):
    client.force_login(staff.province_admin)
    row = ThresholdRow.objects.get(key="pulse_danger_above")
    client.get(reverse("policy:create", args=["case-thresholds"]))
    client.post(reverse("policy:deactivate", args=["case-thresholds", row.pk]))
    assert ThresholdRow.objects.count() == len(rules.THRESHOLDS)
    assert not AuditEvent.objects.filter(action__startswith="policy.").exists()


def test_the_rules_read_the_table_they_are_given():
    table = dict(rules.THRESHOLDS)
    table["pulse_danger_above"] = rules.Threshold(130, "Quyết định của tỉnh", date(2026, 1, 1))
    vitals = rules.Vitals(pulse=125)
    assert [s.code for s in rules.danger_signs(vitals, age_months=None)] == ["pulse"]
    assert rules.danger_signs(vitals, age_months=None, thresholds=table) == []
    signs = rules.danger_signs(rules.Vitals(pulse=131), age_months=None, thresholds=table)
    assert signs[0].text == "Mạch 131/phút (> 130)"
    table["two_rat_window_hours"] = rules.Threshold(12, "Quyết định của tỉnh", date(2026, 1, 1))
    now = datetime(2022, 3, 1, 8, 0)
    rats = [
        rules.LabEvidence("rat", True, now),
        rules.LabEvidence("rat", True, now + timedelta(hours=10)),
    ]
    assert not rules.classify_case(rats, has_epi_link=True).confirmed
    decided = rules.classify_case(rats, has_epi_link=True, thresholds=table)
    assert decided.confirmed and "12 giờ" in decided.reason
