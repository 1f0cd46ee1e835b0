"""Demo facilities: the province's treating and isolation sites with beds by type and a
history of capacity changes, two weeks of stays behind the occupancy trend, a site that
reports its daily count, and a facility officer. Runs before the F0 demo, which then finds
its facilities here. Deterministic for a seed; fast at the default scale."""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from phongdich.accounts.models import Role, User
from phongdich.geo.models import AdminUnit

from . import services
from .models import BedType, Facility, FacilityStaff, Stay

K = Facility.Kind
# name, kind, place, (regular, oxygen, icu, ventilator), address, person in charge
SITES = [
    (
        "Khu cách ly F0 tập trung Hàm Rồng",
        K.ISOLATION_SITE,
        "commune_a",
        (120, 0, 0, 0),
        "Ký túc xá Đại học Hồng Đức, Hàm Rồng",
        "Lê Văn Tâm",
    ),
    (
        "Cơ sở thu dung, điều trị COVID-19 số 1",
        K.HOSPITAL_TIER1,
        "district",
        (300, 40, 0, 0),
        "Trung tâm Y tế Thành phố Thanh Hóa",
        "Nguyễn Thị Hoa",
    ),
    (
        "Bệnh viện Đa khoa Thành phố Thanh Hóa",
        K.HOSPITAL_TIER2,
        "district",
        (150, 60, 20, 6),
        "Số 1 Lê Hữu Lập",
        "Trần Văn Hải",
    ),
    (
        "Bệnh viện Đa khoa tỉnh Thanh Hóa",
        K.HOSPITAL_TIER3,
        "province",
        (200, 80, 40, 20),
        "Số 181 Hải Thượng Lãn Ông",
        "Phạm Đức Minh",
    ),
    (
        "Bệnh viện Đa khoa Bỉm Sơn",
        K.HOSPITAL_TIER2,
        "district_b",
        (80, 20, 10, 4),
        "Phường Ba Đình, Bỉm Sơn",
        "Hoàng Thị Lan",
    ),
    (
        "Trung tâm hồi sức tích cực COVID-19 (khu nhà cũ Bệnh viện Phổi)",
        K.INTENSIVE_CARE,
        "province",
        (0, 20, 30, 15),
        "Phường Đông Vệ",
        "Vũ Quang Huy",
    ),
    (
        "Khu cách ly tập trung Trường Quân sự tỉnh",
        K.QUARANTINE_SITE,
        "district_b",
        (250, 0, 0, 0),
        "Xã Quang Trung, Bỉm Sơn",
        "Đại úy Lê Minh",
    ),
    (
        "Trạm y tế lưu động Hàm Rồng",
        K.MOBILE_STATION,
        "commune_a",
        (10, 4, 0, 0),
        "Nhà văn hóa phường Hàm Rồng",
        "Đỗ Thị Thu",
    ),
]
OFFICER = "coso.hamrong"
DAYS = 14


def _places(province, users) -> dict:
    return {
        "province": province,
        "district": users["ytehuyen"].jurisdiction,
        "district_b": users["tramyte.b"].jurisdiction.parent,
        "commune_a": users["tramyte.a"].jurisdiction,
    }


def _tier1_per_district(province, scale) -> list:
    """One tier-1 site in each other district, as the province opened them in 2021."""
    districts = AdminUnit.objects.filter(parent=province, kind=AdminUnit.Kind.DISTRICT).exclude(
        code__in=("380", "381")
    )
    limit = max(4, int(2_700 * scale))  # every district from scale 0.01
    return [
        (f"Cơ sở thu dung, điều trị COVID-19 {d.name}", K.HOSPITAL_TIER1, d, (60, 10, 0, 0), "", "")
        for d in districts.order_by("code")[:limit]
    ]


def _stays(rng, facility, officer, today) -> None:
    """Two weeks of admissions and discharges through `facility_occupy`, then backdated,
    so the counters are the open stays and the trend has a shape."""
    tz = timezone.get_current_timezone()
    total = facility.beds_total + facility.oxygen_beds_total
    wanted = int(total * rng.uniform(0.35, 0.8))
    for bed_type in (BedType.REGULAR, BedType.OXYGEN):
        capacity = facility.beds(bed_type)[0]
        count = min(capacity, int(wanted * capacity / max(total, 1)))
        if not count:
            continue
        stays = services.facility_occupy(
            by=officer, facility=facility, delta=count, bed_type=bed_type
        )
        updates = []
        for stay in stays:
            day = today - timedelta(days=rng.randrange(DAYS))
            stay.admitted_at = datetime.combine(day, time(rng.randrange(7, 20)), tzinfo=tz)
            updates.append(stay)
        Stay.objects.bulk_update(updates, ["admitted_at"])
        # Some of them went home already: their beds are free again (closed stays).
        leaving = rng.randrange(0, max(count // 3, 1))
        if leaving:
            services.facility_occupy(
                by=officer, facility=facility, delta=-leaving, bed_type=bed_type
            )
            closed = Stay.objects.filter(facility=facility, discharged_at__isnull=False)
            for stay in closed:
                stay.discharged_at = stay.admitted_at + timedelta(days=rng.randrange(1, 8))
            Stay.objects.bulk_update(closed, ["discharged_at"])


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    if Facility.objects.exists():
        log("facilities: already present, skipped")
        return
    rng = random.Random(seed * 104729 + 12)
    today = timezone.localdate()
    officer_of_province = users["soyte"]
    places = _places(province, users)
    sites = [(n, k, places[p], beds, a, who) for n, k, p, beds, a, who in SITES]
    with transaction.atomic():
        created = []
        for name, kind, unit, beds, address, who in sites + _tier1_per_district(province, scale):
            facility = services.facility_create(
                by=officer_of_province,
                name=name,
                kind=kind,
                unit=unit,
                address=address,
                person_in_charge=who,
                status=Facility.Status.OPEN,
                opens_on=date(2021, 8, 1),
                capacity=dict(zip(BedType.values, beds, strict=True)),
            )
            created.append(facility)
        # The capacity history: oxygen beds raised at the district hospital last week.
        district_hospital = created[2]
        services.facility_capacity_set(
            by=users["ytehuyen"],
            facility=district_hospital,
            bed_type=BedType.OXYGEN,
            total=district_hospital.oxygen_beds_total + 20,
            note="Lắp thêm hệ thống oxy trung tâm",
        )
        services.facility_create(
            by=officer_of_province,
            name="Bệnh viện dã chiến số 2 (dự kiến)",
            kind=K.HOSPITAL_TIER1,
            unit=places["district"],
            status=Facility.Status.PLANNED,
            capacity={BedType.REGULAR: 500, BedType.OXYGEN: 100},
        )
        officer = User.objects.filter(username=OFFICER).first()
        if officer is None:
            from phongdich.accounts.services import user_create
            from phongdich.demo.services import DEMO_PASSWORD

            officer = user_create(
                by=None,
                username=OFFICER,
                password=DEMO_PASSWORD,
                role=Role.FACILITY_OFFICER,
                jurisdiction=None,
                full_name="Ngô Thị Mai",
                organisation=created[0].name,
            )
        FacilityStaff.objects.get_or_create(user=officer, defaults={"facility": created[0]})
        for facility in created:
            if facility.kind in (K.QUARANTINE_SITE, K.MOBILE_STATION):
                continue
            _stays(rng, facility, officer, today)
        # A district site not yet on the platform for every patient reports its count.
        reporting = created[len(SITES)] if len(created) > len(SITES) else created[1]
        reporting.refresh_from_db()
        services.facility_occupancy_report(
            by=officer_of_province,
            facility=reporting,
            day=today,
            counts={BedType.REGULAR: reporting.beds_total // 2, BedType.OXYGEN: 3},
        )
        # Readiness plans ("4 tại chỗ") of the province and the city, for two scenarios.
        for unit, scale_of, by in (
            (province, 1, officer_of_province),
            (places["district"], 0.2, users["ytehuyen"]),
        ):
            for scenario, level, cases in (
                ("Cấp độ 3: 10.000 F0 đang điều trị", 3, 10_000),
                ("Cấp độ 4: 30.000 F0 đang điều trị", 4, 30_000),
            ):
                n = int(cases * scale_of)
                services.readiness_plan_create(
                    by=by,
                    unit=unit,
                    scenario=scenario,
                    epidemic_level=level,
                    active_cases=n,
                    beds_regular=n // 20,
                    beds_oxygen=n // 50,
                    beds_icu=n // 400,
                    beds_ventilator=n // 1000,
                    staff=n // 25,
                    oxygen_kg=n * 2,
                    medicine_bags=n,
                    note="Theo phương án 4 tại chỗ",
                )
    log(f"facilities: {len(created) + 1} facilities, {Stay.objects.count()} stays")
