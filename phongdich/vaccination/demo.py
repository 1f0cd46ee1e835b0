"""Demo data: the synthetic province vaccinated as in early-to-mid 2022.

Adults mostly two or three doses (a few per cent none, dose 4 for some people 50 and over),
12–17 two doses of Pfizer, 5–11 starting after their group opened, under-fives none; plus a
few data-quality cases through the services (doses nobody could be matched to, a dose given
too early) and a vaccination officer for commune A.

The bulk is written with bulk_create in batches (never one save() per dose): at the default
scale (36,000 people) that is about 70,000 doses in a few seconds. Deterministic for a seed.
"""

import random
import time
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from phongdich.accounts.models import Role, User
from phongdich.accounts.services import user_create
from phongdich.audit.services import audit_record
from phongdich.people.models import Person

from . import person_status, rules, services
from .coverage import coverage_refresh
from .models import Dose, Source, VaccineProduct

OFFICER = "tiemchung.a"
BATCH = 5000
ADULT_PRODUCTS = [
    ("astrazeneca", 40),
    ("pfizer", 25),
    ("verocell", 20),
    ("moderna", 10),
    ("sputnikv", 5),
]
SECOND_GAP = {
    "astrazeneca": (56, 84),
    "pfizer": (21, 35),
    "moderna": (28, 42),
    "verocell": (21, 35),
    "sputnikv": (21, 35),
}


def _between(rng, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def person_schedule(rng, age: int) -> list[tuple[str, int, str, date]]:
    """(product, dose number, kind, day) of one synthetic person, by age in early 2022."""
    doses = []
    if age < 5:
        return doses
    if age < 12:
        if rng.random() < 0.45:
            first = _between(rng, date(2022, 4, 14), date(2022, 6, 15))
            doses.append(("pfizer", 1, rules.PRIMARY, first))
            if rng.random() < 0.6:
                doses.append(("pfizer", 2, rules.PRIMARY, first + timedelta(rng.randint(21, 35))))
        return doses
    if age < 18:
        if rng.random() < 0.95:
            first = _between(rng, date(2021, 10, 20), date(2021, 12, 15))
            doses.append(("pfizer", 1, rules.PRIMARY, first))
            if rng.random() < 0.93:
                doses.append(("pfizer", 2, rules.PRIMARY, first + timedelta(rng.randint(21, 35))))
        return doses
    if rng.random() < 0.03:
        return doses  # a few per cent unvaccinated
    product = rng.choices([p for p, _w in ADULT_PRODUCTS], [w for _p, w in ADULT_PRODUCTS])[0]
    first = _between(rng, date(2021, 6, 1), date(2021, 10, 31))
    doses.append((product, 1, rules.PRIMARY, first))
    if rng.random() < 0.05:
        return doses
    low, high = SECOND_GAP[product]
    second = first + timedelta(rng.randint(low, high))
    doses.append((product, 2, rules.PRIMARY, second))
    if rng.random() < (0.85 if age >= 50 else 0.65):
        third = max(second + timedelta(rng.randint(90, 150)), date(2022, 1, 3))
        doses.append((rng.choice(["pfizer", "moderna"]), 3, rules.BOOSTER, third))
        if age >= 50 and rng.random() < 0.35:
            fourth = max(third + timedelta(rng.randint(120, 160)), date(2022, 6, 23))
            doses.append((rng.choice(["pfizer", "moderna"]), 4, rules.BOOSTER, fourth))
    return doses


def _officer(users) -> User:
    existing = User.objects.filter(username=OFFICER).first()
    return existing or user_create(
        by=None,
        username=OFFICER,
        password="phongdich-demo",
        role=Role.VACCINATION_OFFICER,
        jurisdiction=users["tramyte.a"].jurisdiction,
        full_name="Phan Thị Tiêm",
        email="tiemchung_a@demo.phongdich.local",
    )


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    services.policy_seed_if_empty()
    officer = _officer(users)
    if Dose.objects.filter(source=Source.IMPORTED, source_id__startswith=f"demo-{seed}-").exists():
        log("vaccination: demo data already present")
        return  # building again changes nothing
    rng = random.Random(seed + 11)
    products = {p.code: p for p in VaccineProduct.objects.all()}
    today = timezone.localdate()
    people = (
        Person.objects.filter(merged_into__isnull=True, commune__path__startswith=province.path)
        .order_by("pk")
        .values_list("pk", "birth_date", "birth_year", "province")
    )
    batch, total = [], 0
    with transaction.atomic():
        for pk, birth_date, birth_year, code in people.iterator(chunk_size=BATCH):
            person = rules.Person(birth_date=birth_date, birth_year=birth_year)
            age = rules.age_on(person, date(2022, 3, 1))
            if age is None:
                continue
            for vaccine, number, kind, day in person_schedule(rng, age):
                if day > today:
                    continue
                batch.append(
                    Dose(
                        person_id=pk,
                        # The person's code written here: the insert trigger then only
                        # checks it instead of reading the person per row (vaccination 0014).
                        province=code,
                        product=products[vaccine],
                        dose_number=number,
                        kind=kind,
                        given_on=day,
                        site_kind="fixed",
                        site_name="Trạm y tế xã",
                        lot=f"L{rng.randint(1000, 9999)}",
                        source=Source.IMPORTED,
                        source_id=f"demo-{seed}-{pk}-{number}",
                    )
                )
            if len(batch) >= BATCH:
                Dose.objects.bulk_create(batch)
                total += len(batch)
                batch = []
        Dose.objects.bulk_create(batch)
        total += len(batch)
        # bulk_create sends no signals, and the demo's people came in by COPY: one
        # set-based rebuild gives every one of them their coverage status.
        person_status.refresh_all()
        audit_record(actor=None, action="vaccination.demo", changes={"doses": total})
    _quality_cases(rng, officer, users, products, log)
    _aefi_cases(officer, log)
    started = time.perf_counter()
    _risk_flags(rng, province, log)
    coverage_refresh(day=date(2022, 3, 1), province=province)
    _synthetic_denominators(rng, province, log)
    for day in (date(2022, 3, 1), today):
        coverage_refresh(day=day, province=province)
    _spring_campaigns(rng, province, users, log)
    log(
        f"vaccination: {total:,} doses; coverage of 2 days in {time.perf_counter() - started:.1f} s;"
        f" log in as {OFFICER} for the review queue"
    )


def _quality_cases(rng, officer, users, products, log) -> None:
    """Doses the registry cannot match with confidence, through the real service."""
    commune = officer.jurisdiction
    sample = list(
        Person.objects.filter(commune=commune, birth_year__lte=2000).exclude(phone="")[:6]
    )
    made = 0
    for i, person in enumerate(sample):
        # The platform's record spells the name differently and has no CCCD: a weak match.
        typed = services.Identity(
            full_name=person.full_name.split()[-1] + " " + " ".join(person.full_name.split()[:-1]),
            commune=commune,
            birth_year=person.birth_year,
            phone=person.phone,
        )
        outcome = services.dose_record(
            by=officer,
            identity=typed,
            dose=services.DoseInput(
                product=products["pfizer"],
                dose_number=3,
                given_on=date(2022, 3, 10 + i),
                source=Source.IMPORTED,
                source_id=f"demo-review-{person.pk}",
            ),
        )
        made += outcome.review is not None
    log(f"vaccination: {made} doses waiting for staff to identify the person")


SYNTHETIC_SOURCE = "Dữ liệu mẫu (giả lập)"
# Synthetic employers of the demo, named as such (seed 001 vaccinates workers of key
# factories first).
DEMO_ENTERPRISES = ["Công ty May mẫu số 1 (giả lập)", "Công ty Giày mẫu số 2 (giả lập)"]


def _risk_flags(rng, province, log) -> None:
    """Risk groups for a share of the adults: comorbidities ~10 %, teachers ~2 %, health
    workers ~1 %, pregnant women ~3 % of women 18–40, enterprise workers ~5 % of 18–50."""
    from .models import RiskFlag, RiskGroup

    flags = []
    since = date(2021, 7, 1)
    people = (
        Person.objects.filter(merged_into__isnull=True, commune__path__startswith=province.path)
        .order_by("pk")
        .values_list("pk", "birth_year", "sex")
    )
    for pk, year, sex in people.iterator(chunk_size=BATCH):
        if not year:
            continue
        age = 2022 - year
        if age < 18:
            continue
        draw = rng.random()
        if draw < 0.10:
            flags.append(RiskFlag(person_id=pk, group=RiskGroup.COMORBIDITY, since=since))
        elif draw < 0.12 and age < 60:
            flags.append(RiskFlag(person_id=pk, group=RiskGroup.TEACHER, since=since))
        elif draw < 0.13 and age < 60:
            flags.append(RiskFlag(person_id=pk, group=RiskGroup.HEALTH_WORKER, since=since))
        elif draw < 0.16 and sex == "F" and age <= 40:
            flags.append(
                RiskFlag(
                    person_id=pk,
                    group=RiskGroup.PREGNANT,
                    since=date(2021, 12, 1),
                    until=date(2022, 8, 31),
                )
            )
        elif draw < 0.21 and age <= 50:
            flags.append(
                RiskFlag(
                    person_id=pk,
                    group=RiskGroup.ENTERPRISE,
                    enterprise=rng.choice(DEMO_ENTERPRISES),
                    since=since,
                )
            )
    for flag in flags:
        flag.source = SYNTHETIC_SOURCE
    RiskFlag.objects.bulk_create(flags, batch_size=BATCH, ignore_conflicts=True)
    log(f"vaccination: {len(flags):,} risk flags (synthetic)")


def _synthetic_denominators(rng, province, log) -> None:
    """Official populations by age band, made up from the registry (1–6 % more people
    than registered) and marked synthetic, so the pages show which denominator they use."""
    from .models import CoverageFigure, PopulationBand

    bands = ["5-11", "12-17", "18+", "50+", "65+"]
    rows = [
        PopulationBand(
            unit_id=f.unit_id,
            band=f.band,
            population=max(f.population, round(f.population * rng.uniform(1.01, 1.06))),
            source=SYNTHETIC_SOURCE,
            synthetic=True,
        )
        for f in CoverageFigure.objects.filter(day=date(2022, 3, 1), band__in=bands)
    ]
    PopulationBand.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["unit", "band"],
        update_fields=["population", "source", "synthetic"],
    )
    log(f"vaccination: {len(rows):,} synthetic population figures by age band")


def _spring_campaigns(rng, province, users, log) -> None:
    """Seed 002 (21/02/2022): finish the doses due by 28/02/2022, and vaccinate children
    aged 5 to under 12; the head of each district answerable. Targets are the people the
    demo vaccinates in the period scaled by 0.9–1.3, so some districts miss at their pace."""
    from phongdich.geo.models import AdminUnit

    from . import campaigns
    from .models import Campaign, CampaignTarget, CampaignTaskLink

    if Campaign.objects.filter(province=province).exists():
        return
    officer = users.get("soyte") or User.objects.filter(role=Role.HEALTH_OFFICER).first()
    if officer is None:
        return
    districts = list(AdminUnit.objects.filter(parent=province).order_by("path"))
    made = [
        campaigns.campaign_create(
            by=officer,
            name="Chiến dịch mùa xuân 2022: tiêm hết các mũi đến hạn",
            start=date(2022, 2, 21),
            deadline=date(2022, 2, 28),
        ),
        campaigns.campaign_create(
            by=officer,
            name="Tiêm vắc xin cho trẻ từ 5 đến dưới 12 tuổi (mũi 1)",
            start=date(2022, 4, 14),
            deadline=date(2022, 5, 31),
            age_bands=["5-11"],
            dose_number=1,
        ),
    ]
    for campaign in made:
        counts = campaigns.daily_counts(campaign, campaign.deadline)
        paths = dict(AdminUnit.objects.filter(pk__in=list(counts)).values_list("pk", "path"))
        targets = []
        for district in districts:
            done = sum(
                sum(days.values())
                for commune_id, days in counts.items()
                if paths.get(commune_id, "").startswith(district.path)
            )
            targets.append(
                CampaignTarget(
                    campaign=campaign,
                    unit=district,
                    target=max(1, round(done * rng.uniform(0.9, 1.3))),
                    official_name=f"Chủ tịch UBND {district.name}",
                    official_title="Chủ tịch Ủy ban nhân dân",
                )
            )
        CampaignTarget.objects.bulk_create(targets)
        campaigns.campaign_refresh(campaign=campaign)
    task = _directive_task()
    if task is not None:
        CampaignTaskLink.objects.get_or_create(task=task, defaults={"campaign": made[0]})
    log(f"vaccination: {len(made)} spring 2022 campaigns for {len(districts)} districts")


def _directive_task():
    from django.apps import apps

    if not apps.is_installed("phongdich.directives"):
        return None
    from phongdich.directives.models import Task

    return (
        Task.objects.filter(is_draft=False, text__icontains="tiêm").order_by("pk").first() or None
    )
def _aefi_cases(officer, log) -> None:
    """Three AEFI reports in commune A through the real service: a sore arm, a fever being
    investigated, and one serious (hospitalised) waiting at the district health centre."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from . import aefi

    hcm = ZoneInfo("Asia/Ho_Chi_Minh")
    doses = list(
        Dose.objects.filter(person__commune=officer.jurisdiction, given_on__lt=timezone.localdate())
        .select_related("person__commune__parent")
        .order_by("-given_on", "pk")[:3]
    )
    cases = [
        ("Đau, sưng chỗ tiêm, sốt nhẹ 37,8 độ", {}, aefi.Aefi.Outcome.RECOVERED),
        ("Sốt 39 độ, đau đầu, mệt nhiều", {}, aefi.Aefi.Outcome.RECOVERING),
        (
            "Khó thở, tức ngực, nổi mẩn toàn thân",
            {"hospitalised": True},
            aefi.Aefi.Outcome.RECOVERING,
        ),
    ]
    made = []
    for dose, (text, criteria, outcome) in zip(doses, cases, strict=False):
        made.append(
            aefi.aefi_report(
                by=officer,
                person=dose.person,
                dose=dose,
                report=aefi.AefiInput(
                    onset_at=datetime.combine(dose.given_on, time(20, 0), tzinfo=hcm),
                    description=text,
                    treatment="Theo dõi tại nhà, hạ sốt" if not criteria else "Chuyển viện",
                    outcome=outcome,
                    **criteria,
                ),
            )
        )
    if len(made) > 1:
        aefi.aefi_status_set(by=officer, aefi=made[1], status=aefi.Aefi.Status.INVESTIGATING)
    log(f"vaccination: {len(made)} adverse events after immunisation reported")
