"""Risk classification proposed from the data (issue 14, seed 004): the rule at each
threshold, the rows in force on a day, the figures read from cases, screening samples and
clusters, the scan's proposals (never twice), the list page and its export, scoped."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phongdich.cases.models import Case
from phongdich.cases.tests.builders import make_case
from phongdich.geo.models import AdminUnit
from phongdich.labtests.models import Sample
from phongdich.labtests.tests import builders as lab
from phongdich.tracing.models import Cluster
from phongdich.zones import classification, rules, services, thresholds
from phongdich.zones.models import ClassRule, RuleValue, Zone

from .builders import zone_in_force

D = date(2021, 8, 20)
BUILT_IN = rules.BUILT_IN_CLASS_RULES


def _classify(**figures):
    figures.setdefault("population", 10_000)
    one = rules.Figures(**figures)
    return rules.classify(lambda _window: one, BUILT_IN).risk_class


# Each seeded threshold at its boundary: one below gives the class under it, the threshold
# itself gives the class (a value reaching the threshold reaches it).
@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        ({}, "green"),
        ({"cases": 1}, "risk"),  # risk: 1 case in the community
        ({"positives": 1}, "risk"),  # risk: 1 screening positive
        ({"clusters": 1}, "high"),  # high: 1 active cluster
        ({"clusters": 2}, "very_high"),  # very high: 2 clusters
        ({"clusters": 1, "clusters_no_source": 1}, "very_high"),  # source not found
        ({"cases": 4}, "risk"),  # 40 / 100,000: under high's 50
        ({"cases": 5}, "high"),  # 50 / 100,000
        ({"cases": 19}, "high"),  # 190 / 100,000: under very high's 200
        ({"cases": 20}, "very_high"),  # 200 / 100,000
        ({"cases": 14, "population": 30_000}, "risk"),  # 46.67
        ({"cases": 15, "population": 30_000}, "high"),  # 50.00
        ({"cases": 100, "population": None}, "risk"),  # no population: no rate
        ({"cases": 100, "population": 0}, "risk"),
    ],
)
def test_the_class_at_each_threshold(figures, expected):
    assert _classify(**figures) == expected


def test_the_reasons_name_each_threshold_reached_and_its_source():
    one = rules.Figures(cases=20, clusters=2, population=10_000)
    result = rules.classify(lambda _w: one, BUILT_IN)
    assert [c.metric for c in result.crossed] == ["cases_per_100k", "clusters"]
    basis = rules.basis_of(result, lambda _w: one, BUILT_IN, D)
    text = rules.reasons(basis, classification.class_labels())
    assert text[0] == (
        "Ca mắc mới trên 100.000 dân trong 14 ngày: 200, đạt ngưỡng 200 của vùng nguy cơ rất cao"
    )
    assert basis["crossed"][0]["regulation"].startswith("Quyết định 2686/QĐ-BCĐQG")
    green = rules.classify(lambda _w: rules.Figures(population=10), BUILT_IN)
    assert rules.reasons(rules.basis_of(green, lambda _w: rules.Figures(), BUILT_IN, D), {})


def test_the_seeded_rows_are_the_built_in_rules(db):
    rows = thresholds.class_rules_in_force(D)
    assert [r.risk_class for r in rows] == ["very_high", "high", "risk"]
    for row in rows:
        built_in = next(b for b in BUILT_IN if b.risk_class == row.risk_class)
        assert row.row_id is not None and not row.confirmed
        for _metric, name in rules.CLASS_METRICS:
            assert getattr(row, name) == getattr(built_in, name), name
    assert thresholds.lift_days(D).value == rules.LIFT_DAYS_WITHOUT_CASE
    assert thresholds.food_gap_days(D).value == rules.FOOD_GAP_DAYS


def test_a_new_row_applies_from_its_day_and_the_day_before_keeps_the_old(db):
    ClassRule.objects.create(
        risk_class="high", valid_from=D, min_clusters=3, regulation="QĐ tỉnh", confirmed=True
    )
    before = {r.risk_class: r for r in thresholds.class_rules_in_force(D - timedelta(days=1))}
    on = {r.risk_class: r for r in thresholds.class_rules_in_force(D)}
    assert before["high"].min_clusters == 1
    assert (on["high"].min_clusters, on["high"].min_cases_per_100k) == (3, None)
    assert on["high"].regulation == "QĐ tỉnh" and on["high"].confirmed
    RuleValue.objects.create(key="lift_days", valid_from=D, value=21, regulation="QĐ tỉnh")
    assert thresholds.lift_days(D - timedelta(days=1)).value == 14
    assert thresholds.lift_days(D).value == 21


def test_a_deactivated_row_falls_back_and_no_row_at_all_uses_the_built_in(db):
    ClassRule.objects.filter(risk_class="risk").update(active=False)
    RuleValue.objects.filter(key="food_gap_days").update(active=False)
    risk = next(r for r in thresholds.class_rules_in_force(D) if r.risk_class == "risk")
    assert risk.row_id is None and risk.min_cases == 1  # the built-in, unconfirmed
    gap = thresholds.food_gap_days(D)
    assert (gap.value, gap.row_id, gap.confirmed) == (3, None, False)
    # Rows that start later are not in force yet either.
    assert thresholds.class_rules_in_force(date(2021, 5, 30))[0].row_id is None


def test_the_lifting_rule_reads_the_days_in_force(world, staff):
    zone = zone_in_force(world, staff, started_on=D - timedelta(days=15))
    zone.last_negative_round_on = D - timedelta(days=1)
    zone.inputs_override_reason = "Vòng trước khi có hệ thống"
    zone.save()
    assert services.lift_check(zone, D).may_lift
    RuleValue.objects.create(key="lift_days", valid_from=D, value=21, regulation="QĐ tỉnh")
    assert not services.lift_check(zone, D).may_lift


# --- figures from the data ---------------------------------------------------------------


def _case(world, staff, commune, day, **extra):
    case = make_case(world, staff.province_health_officer, commune=commune)
    Case.objects.filter(pk=case.pk).update(diagnosed_on=day, **extra)
    return case


def _positive(world, staff, commune, day):
    sample = lab.sample(world, staff, commune=commune, by=staff.province_health_officer)
    taken = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
    Sample.objects.filter(pk=sample.pk).update(
        result="positive", taken_at=taken.replace(hour=9), resulted_at=taken.replace(hour=18)
    )
    return sample


def _cluster(commune, opened_on, **extra):
    return Cluster.objects.create(name="Chợ đầu mối", commune=commune, opened_on=opened_on, **extra)


def _figures(world, day=D):
    ids = [world.commune_a.pk, world.commune_a2.pk, world.commune_b.pk]
    pops = dict(AdminUnit.objects.filter(pk__in=ids).values_list("pk", "population"))
    return classification.figures(ids, day, [14], populations=pops)[14]


def test_the_window_counts_the_last_14_days_and_community_cases_only(world, staff):
    _case(world, staff, world.commune_b, D - timedelta(days=13))  # first day of the window
    _case(world, staff, world.commune_b, D - timedelta(days=14))  # the day before it
    _case(world, staff, world.commune_b, D + timedelta(days=1))  # after the day
    _case(world, staff, world.commune_b, D, detection="quarantine")
    _case(world, staff, world.commune_b, D, status="pending")
    _case(world, staff, world.commune_a, D, detection="screening")
    assert _figures(world)[world.commune_b.pk].cases == 1
    assert _figures(world)[world.commune_a.pk].cases == 1


def test_positives_are_screening_samples_of_the_window(world, staff):
    _positive(world, staff, world.commune_b, D)
    _positive(world, staff, world.commune_b, D - timedelta(days=14))
    other = _positive(world, staff, world.commune_b, D)
    Sample.objects.filter(pk=other.pk).update(reason=Sample.Reason.SYMPTOMS)
    pooled = _positive(world, staff, world.commune_b, D)
    Sample.objects.filter(pk=pooled.pk).update(presumptive=True)
    assert _figures(world)[world.commune_b.pk].positives == 1


def test_clusters_count_when_open_on_a_day_of_the_window(world, staff):
    _cluster(world.commune_b, D - timedelta(days=40))  # still active
    _cluster(
        world.commune_b, D - timedelta(days=40), status="closed", closed_on=D - timedelta(days=13)
    )
    _cluster(
        world.commune_b, D - timedelta(days=40), status="closed", closed_on=D - timedelta(days=14)
    )
    _cluster(world.commune_b, D + timedelta(days=1))  # opened after the day
    _cluster(world.commune_b, D, source_not_found=True)
    got = _figures(world)[world.commune_b.pk]
    assert (got.clusters, got.clusters_no_source) == (3, 1)


# --- the scan ------------------------------------------------------------------------------


def test_the_scan_proposes_a_class_zone_once_for_a_commune_above_green(world, staff):
    _case(world, staff, world.commune_b, D)
    result = services.classification_scan(today=D)
    assert (result.impose, result.reclassify) == (1, 0)
    zone = Zone.objects.get(commune=world.commune_b, measure=Zone.Measure.CLASS_ONLY)
    assert (zone.status, zone.risk_class, zone.kind) == ("proposed", "risk", "commune")
    proposal = zone.proposals.get()
    assert proposal.action == "impose" and proposal.basis["crossed"][0]["metric"] == "cases"
    assert "Ca mắc mới trong cộng đồng trong 14 ngày: 1" in proposal.reason
    # Green communes get no record, and a second run adds nothing.
    assert not Zone.objects.filter(commune=world.commune_a).exists()
    assert services.classification_scan(today=D).created == 0
    assert Zone.objects.filter(commune=world.commune_b).count() == 1
    # Approved with the existing decision flow, the class is in force and the scan agrees.
    services.proposal_decide(
        by=staff.province_health_officer,
        proposal=proposal,
        approve=True,
        decision_number="9/QĐ-UBND",
        decision_date=D,
    )
    zone.refresh_from_db()
    assert (zone.status, zone.risk_class) == ("in_force", "risk")
    assert services.classification_scan(today=D).created == 0


def test_the_scan_reclassifies_a_zone_over_its_communes_and_waits_on_a_pending_one(world, staff):
    zone = zone_in_force(world, staff, risk_class="risk", other_communes=[world.commune_a])
    _cluster(world.commune_a, D - timedelta(days=3))  # in the commune the zone touches
    result = services.classification_scan(today=D)
    assert result.reclassify == 1
    proposal = zone.proposals.get(status="pending")
    assert (proposal.action, proposal.risk_class) == ("classify", "high")
    assert proposal.basis["figures"]["14"]["clusters"] == 1
    _cluster(world.commune_b, D - timedelta(days=2))  # now very high, but one is pending
    again = services.classification_scan(today=D)
    assert (again.reclassify, again.waiting) == (0, 1)
    assert zone.proposals.filter(status="pending").count() == 1


def test_an_officer_scans_only_their_jurisdiction(world, staff):
    from django.core.exceptions import PermissionDenied

    _case(world, staff, world.commune_b, D)
    _case(world, staff, world.commune_a, D)
    services.classification_scan(by=staff.district_health_officer_a, today=D)
    assert Zone.objects.filter(commune=world.commune_a).exists()
    assert not Zone.objects.filter(commune=world.commune_b).exists()
    with pytest.raises(PermissionDenied):
        services.classification_scan(by=staff.relief_officer, today=D)
    with pytest.raises(PermissionDenied):
        services.classification_scan(by=staff.outsider, today=D)


# --- pages ---------------------------------------------------------------------------------


def test_the_list_shows_each_commune_with_its_class_and_reasons(client, world, staff):
    today = timezone.localdate()
    _case(world, staff, world.commune_b, today)
    client.force_login(staff.province_health_officer)
    page = client.get("/zones/classes/").content.decode()
    assert "Phường Bắc Sơn, Thị xã Bỉm Sơn" in page and "Phường Hàm Rồng" in page
    assert "đạt ngưỡng 1 của vùng nguy cơ" in page
    assert "chưa đối chiếu văn bản" in page
    filtered = client.get(f"/zones/classes/?district={world.district_a.pk}").content.decode()
    assert "Bắc Sơn" not in filtered and "Hàm Rồng" in filtered
    assert client.get("/zones/classes/?district=abc").status_code == 200


def test_a_commune_worker_sees_only_their_commune(client, world, staff):
    client.force_login(staff.commune_worker_a)
    page = client.get("/zones/classes/").content.decode()
    assert "Hàm Rồng" in page and "Bắc Sơn" not in page and "Đông Thọ" not in page
    client.force_login(staff.outsider)
    assert "Hàm Rồng" not in client.get("/zones/classes/").content.decode()
    client.force_login(staff.checkpoint_officer)
    assert client.get("/zones/classes/").status_code == 403


def test_the_list_costs_the_same_queries_for_more_communes(client, world, staff):
    client.force_login(staff.province_health_officer)
    client.get("/zones/classes/")
    with CaptureQueriesContext(connection) as three:
        assert client.get("/zones/classes/").status_code == 200
    for n in range(6):
        code = f"1490{n}"
        AdminUnit.objects.create(
            code=code,
            name=f"Xã Thử {n}",
            kind="commune",
            parent=world.district_b,
            path=f"{world.district_b.path}{code}/",
            population=5_000,
        )
        _case(world, staff, AdminUnit.objects.get(code=code), timezone.localdate())
    zone_in_force(world, staff, risk_class="risk")
    with CaptureQueriesContext(connection) as nine:
        assert client.get("/zones/classes/").status_code == 200
    assert len(nine.captured_queries) == len(three.captured_queries)
    # communes, the rules, 3 figures, class zones, pending proposals; the rest is the
    # session, the user and the page's frame.
    assert len(three.captured_queries) <= 16


def test_the_export_is_a_workbook(client, world, staff):
    client.force_login(staff.district_health_officer_a)
    response = client.get("/zones/classes/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_button_proposes_and_the_proposal_page_shows_reasons_and_rule(client, world, staff):
    _case(world, staff, world.commune_b, timezone.localdate())
    client.force_login(staff.commune_worker_b)
    response = client.post("/zones/classes/propose/")
    assert response.status_code == 302
    zone = Zone.objects.get(commune=world.commune_b)
    page = client.get(f"/zones/{zone.pk}/").content.decode()
    assert "Đề xuất từ số liệu đến ngày" in page
    assert "Quyết định 2686/QĐ-BCĐQG" in page and "dòng áp dụng từ 31/05/2021" in page
    client.force_login(staff.relief_officer)
    assert client.post("/zones/classes/propose/").status_code == 403
    assert client.get("/zones/classes/propose/").status_code in (403, 405)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("0", False), ("1", True), ("60", True), ("61", False)],
)
def test_window_days_are_bounded(db, value, ok):
    from django.core.exceptions import ValidationError

    row = ClassRule(risk_class="risk", valid_from=D, window_days=int(value), regulation="x")
    if ok:
        row.full_clean()
    else:
        with pytest.raises(ValidationError):
            row.full_clean()


def test_two_active_rows_of_one_class_on_one_day_are_refused(db):
    from django.core.exceptions import ValidationError

    row = ClassRule(risk_class="risk", valid_from=date(2021, 5, 31), regulation="x")
    with pytest.raises(ValidationError):
        row.full_clean()
    row.active = False
    row.full_clean()
    assert (
        Decimal("0.01") == ClassRule._meta.get_field("min_cases_per_100k").validators[0].limit_value
    )


def test_a_zone_page_shows_the_class_its_data_gives(client, world, staff):
    zone = zone_in_force(world, staff, risk_class="green")
    _cluster(world.commune_b, timezone.localdate() - timedelta(days=2))
    client.force_login(staff.commune_worker_b)
    page = client.get(f"/zones/{zone.pk}/").content.decode()
    assert 'id="computed-class"' in page and "khác phân loại đang áp dụng" in page
    assert "Ổ dịch đang hoạt động trong 14 ngày: 1, đạt ngưỡng 1 của vùng nguy cơ cao" in page
