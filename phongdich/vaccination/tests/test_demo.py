"""The demo vaccinates the synthetic province realistically, once."""

import random
from collections import Counter
from datetime import date

from phongdich.demo.services import build_demo
from phongdich.people.models import Person
from phongdich.vaccination import demo, rules, services
from phongdich.vaccination.models import Dose, DoseReview


def test_schedules_follow_the_rules():
    rng = random.Random(3)
    flagged = Counter()
    for age in (3, 8, 15, 30, 70) * 200:
        born = rules.Person(birth_year=2022 - age)
        doses = [rules.DoseFact(p, n, k, d) for p, n, k, d in demo.person_schedule(rng, age)]
        for i, dose in enumerate(doses):
            flagged.update(rules.violations(born, dose, doses[:i]))
        if age == 3:
            assert doses == []
    assert flagged == Counter()


def test_the_demo_vaccinates_the_province_once(db):
    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    doses = Dose.objects.count()
    assert 1.2 * Person.objects.count() < doses < 3 * Person.objects.count()
    statuses = Counter(
        services.person_status(p, date(2022, 3, 1)).status
        for p in Person.objects.filter(birth_year__lte=2000)[:300]
    )
    assert statuses[rules.FULLY] + statuses[rules.BOOSTED] > 0.8 * sum(statuses.values())
    assert 0 < statuses[rules.NOT_VACCINATED] < 0.1 * sum(statuses.values())
    assert DoseReview.objects.exists()
    from phongdich.vaccination.models import Aefi

    assert Aefi.objects.filter(serious=True).exists()
    reports = Aefi.objects.count()
    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    assert Dose.objects.count() == doses
    assert Aefi.objects.count() == reports


def test_the_demo_has_spring_campaigns_risk_groups_and_synthetic_denominators(db):
    from phongdich.vaccination import campaigns
    from phongdich.vaccination.models import (
        Campaign,
        CampaignProgress,
        CoverageFigure,
        PopulationBand,
        RiskFlag,
    )

    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    assert RiskFlag.objects.exists()
    assert PopulationBand.objects.exists()
    assert not PopulationBand.objects.filter(synthetic=False).exists()
    assert CoverageFigure.objects.filter(band="risk").exists()
    spring = Campaign.objects.get(deadline=date(2022, 2, 28))
    assert Campaign.objects.filter(age_bands="5-11").exists()
    assert CampaignProgress.objects.filter(campaign=spring, day=date(2022, 2, 28)).exists()
    found = campaigns.figures(spring)
    assert found.rows and all(r.target.official_name for r in found.rows)
    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    assert Campaign.objects.count() == 2
