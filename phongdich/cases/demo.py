"""Demo F0 data: active cases at home with checks and alerts, a few transfers, recoveries and
deaths, treating facilities, and the daily announcement. Deterministic for a seed."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from phongdich.facilities.models import Facility
from phongdich.geo.models import AdminUnit
from phongdich.people.models import Person

from . import rules, services
from .models import (
    Alert,
    Case,
    CaseStatus,
    DetectionSetting,
    HealthCheck,
    OccupationGroup,
    Vaccination,
)

FACILITIES = [
    ("Khu cách ly F0 tập trung Hàm Rồng", Facility.Kind.ISOLATION_SITE, "commune_a", 120, 0),
    ("Cơ sở thu dung, điều trị COVID-19 số 1", Facility.Kind.HOSPITAL_TIER1, "district", 300, 0),
    ("Bệnh viện Đa khoa Thành phố Thanh Hóa", Facility.Kind.HOSPITAL_TIER2, "district", 150, 20),
    ("Bệnh viện Đa khoa tỉnh Thanh Hóa", Facility.Kind.HOSPITAL_TIER3, "province", 200, 40),
    ("Bệnh viện Đa khoa Bỉm Sơn", Facility.Kind.HOSPITAL_TIER2, "district_b", 80, 10),
]


def _facilities(province, users) -> None:
    if Facility.objects.filter(kind__in=("tier1", "tier2", "tier3", "isolation")).exists():
        return
    places = {
        "province": province,
        "district": users["ytehuyen"].jurisdiction,
        "district_b": users["tramyte.b"].jurisdiction.parent,
        "commune_a": users["tramyte.a"].jurisdiction,
    }
    Facility.objects.bulk_create(
        Facility(name=name, kind=kind, unit=places[place], beds_total=beds, icu_beds_total=icu)
        for name, kind, place, beds, icu in FACILITIES
    )


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    if Case.objects.exists():
        log("cases: demo cases already present, skipped")
        return
    rng = random.Random(seed * 7919 + 3)
    now = timezone.now()
    today = timezone.localdate()
    commune_a = users["tramyte.a"].jurisdiction
    commune_b = users["tramyte.b"].jurisdiction
    with transaction.atomic():
        _facilities(province, users)
        communes = list(
            AdminUnit.objects.filter(path__startswith=province.path, kind="commune")
            .order_by("code")
            .values_list("pk", flat=True)
        )
        total = max(120, int(40_000 * scale))  # 400 at the default scale 0.01
        # The two demo communes get a full queue each; the rest spread over the province.
        focus = {commune_a.pk: 60, commune_b.pk: 30}
        wanted: dict[int, int] = dict(focus)
        for _ in range(total - sum(focus.values())):
            pk = rng.choice(communes)
            wanted[pk] = wanted.get(pk, 0) + 1
        people = []
        for commune_id, count in sorted(wanted.items()):
            ids = list(
                Person.objects.filter(commune_id=commune_id, merged_into__isnull=True)
                .order_by("pk")
                .values_list("pk", "birth_year")[: count * 3]
            )
            rng.shuffle(ids)
            people.extend((commune_id, pk, year) for pk, year in ids[:count])

        cases = []
        for commune_id, person_id, birth_year in people:
            days_ago = rng.randint(0, 12)
            diagnosed = today - timedelta(days=days_ago)
            vaccination = rng.choices(Vaccination.values, weights=[10, 10, 50, 30], k=1)[0]
            comorbid = rng.random() < 0.15
            age = today.year - birth_year if birth_year else None
            case = Case(
                person_id=person_id,
                commune_id=commune_id,
                status=CaseStatus.ACTIVE,
                source=rng.choice(["staff", "lab", "import"]),
                basis=rng.choice(["pcr", "pcr", "f1_rat", "symptoms_rat_link"]),
                basis_reason="Dữ liệu mô phỏng",
                detection=rng.choices(DetectionSetting.values, weights=[55, 15, 10, 20], k=1)[0],
                occupation=rng.choices(OccupationGroup.values, weights=[20, 5, 20, 10, 3, 42], k=1)[
                    0
                ],
                vaccination=vaccination,
                comorbidities="Tăng huyết áp" if comorbid else "",
                comorbidity_stable=comorbid,
                severity=rng.choice(["asymptomatic", "mild", "mild"]),
                diagnosed_on=diagnosed,
                isolation_start=diagnosed,
                risk_score=len(
                    rules.risk_factors(
                        age_years=age,
                        has_comorbidity=comorbid,
                        fully_vaccinated=vaccination in ("full", "boosted"),
                    )
                ),
            )
            cases.append(case)
        Case.objects.bulk_create(cases, batch_size=2000)
        cases = list(Case.objects.order_by("pk"))

        checks, alerts = [], []
        for index, case in enumerate(cases):
            hours_since = rng.choices([1, 3, 6, 9, 12, 20], weights=[20, 25, 20, 15, 12, 8])[0]
            at = now - timedelta(hours=hours_since)
            # Most F0 at home are well; a few per cent show a danger sign on a given day.
            spo2 = rng.choices([98, 97, 96, 95, 93], weights=[60, 33, 4, 2, 1], k=1)[0]
            rr = rng.choices([16, 18, 19, 22], weights=[35, 45, 17, 3], k=1)[0]
            vitals = rules.Vitals(spo2=spo2, respiratory_rate=rr, temperature=37.2)
            signs = rules.danger_signs(vitals, age_months=None)
            checks.append(
                HealthCheck(
                    case=case,
                    at=at,
                    source="self",
                    temperature=37.2,
                    spo2=spo2,
                    respiratory_rate=rr,
                    symptoms=rng.sample(["cough", "fatigue", "loss_of_taste_smell"], k=1),
                    danger_signs=[s.text for s in signs],
                    submission_key=f"demo-{index}",
                )
            )
            case.last_check_at = at
            if signs:
                alerts.append(Alert(case=case, kind="danger", reasons=[s.text for s in signs]))
                case.open_alerts = case.open_danger_alerts = 1
            elif hours_since >= 20:
                alerts.append(
                    Alert(case=case, kind="no_contact", reasons=["Không gửi phiếu quá 14 giờ"])
                )
                case.open_alerts = 1
        HealthCheck.objects.bulk_create(checks, batch_size=2000)
        Alert.objects.bulk_create(alerts, batch_size=2000)
        Case.objects.bulk_update(
            cases, ["last_check_at", "open_alerts", "open_danger_alerts"], batch_size=2000
        )

    # A few outcomes through the real services (audited like real work).
    officer = users["soyte"]
    station_b = users["tramyte.b"]
    old = [
        c
        for c in cases
        if c.commune_id == commune_b.pk
        and c.fully_vaccinated
        and (today - c.diagnosed_on).days >= 10
    ]
    for case in old[:3]:
        services.case_release(by=station_b, case=case)
    tier3 = Facility.objects.filter(kind="tier3").first()
    severe = [c for c in cases if c.open_danger_alerts and c.status == CaseStatus.ACTIVE]
    for case in severe[:2]:
        services.case_transfer(
            by=officer, case=case, to_place="tier3", facility=tier3, reason="SpO2 giảm"
        )
    for case, pcr in zip(severe[2:4], (True, False), strict=False):
        services.case_death_record(
            by=officer,
            case=case,
            died_on=today,
            place="Bệnh viện Đa khoa tỉnh",
            cause="Suy hô hấp cấp",
            pcr_confirmed=pcr,
        )
    target = next(c for c in cases if c.commune_id == commune_a.pk and c.status == "active")
    _link, raw = services.case_link_issue(by=users["tramyte.a"], case=target)
    report = services.daily_report_draft(by=officer, unit=province, day=today - timedelta(days=1))
    services.daily_report_publish(
        by=officer,
        report=report,
        commentary="Số ca tăng chủ yếu do xét nghiệm sàng lọc diện rộng tại các khu công nghiệp.",
    )
    services.daily_report_draft(by=officer, unit=province, day=today)
    log(
        f"cases: {len(cases)} F0, {len(alerts)} open alerts; "
        f"personal link of F0 #{target.pk}: /cases/c/{raw}/"
    )
