"""Daily coverage per commune, district and province, precomputed set-based: one query
grouping people by commune and birth year (their doses reduced to one row each first),
then sums up the unit tree in Python over the groups (a few hundred per commune).

A person counts as
- at least one dose: any dose given on or before the day;
- fully vaccinated: a primary dose numbered at least the product's primary series, given
  14 days or more before the day (rules.FULLY_AFTER_DAYS);
- boosted: fully vaccinated and a booster given on or before the day.
Ages are whole years from the birth year (rules.age_on for a year-only record).
"""

from collections import defaultdict
from datetime import date, timedelta

from django.db import connection, transaction

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.people.models import Person

from . import rules
from .models import (
    CoverageBand,
    CoverageFigure,
    Dose,
    PopulationBand,
    RiskFlag,
    RiskGroup,
    VaccineProduct,
)

BANDS = {
    CoverageBand.ALL: (None, None),
    CoverageBand.AGE_5_11: (5, 12),
    CoverageBand.AGE_12_17: (12, 18),
    CoverageBand.AGE_18_PLUS: (18, None),
    CoverageBand.AGE_50_PLUS: (50, None),
    CoverageBand.AGE_65_PLUS: (65, None),
}


# Stored risk groups as bits of one mask per person, so the grouping query stays one row
# per (commune, birth year, mask) rather than one per person.
RISK_BITS = {
    RiskGroup.COMORBIDITY: 1,
    RiskGroup.PREGNANT: 2,
    RiskGroup.HEALTH_WORKER: 4,
    RiskGroup.TEACHER: 8,
    RiskGroup.ENTERPRISE: 16,
}
# 218/QĐ-BYT's "high-risk people": the 50+ by age (RULES.md names 50+ and 65+ as the age
# groups at risk) and anyone with a stored risk flag.
HIGH_RISK_FROM_AGE = 50


def _bands_of(age: int | None, mask: int = 0) -> list[str]:
    found = [CoverageBand.ALL]
    if age is not None:
        for band, (low, high) in BANDS.items():
            if low is not None and age >= low and (high is None or age < high):
                found.append(band)
    if mask or (age is not None and age >= HIGH_RISK_FROM_AGE):
        found.append(CoverageBand.HIGH_RISK)
    for group, bit in RISK_BITS.items():
        if mask & bit:
            found.append(CoverageBand(group))
    return found


def risk_mask_sql(flag_table: str) -> str:
    """A subquery giving (person_id, mask) for the flags holding on the day (one %s)."""
    cases = " + ".join(
        f"MAX(CASE WHEN f.\"group\" = '{group}' THEN {bit} ELSE 0 END)"
        for group, bit in RISK_BITS.items()
    )
    return f"""
        SELECT f.person_id, {cases} AS mask
        FROM {flag_table} f
        WHERE f.since <= %s AND (f.until IS NULL OR f.until >= %s)
        GROUP BY f.person_id
    """


def commune_groups(day: date, province: AdminUnit):
    """(commune id, birth year, risk mask, people, at least one, full, boosted) for the day.

    Doses are first reduced to one row per person (first dose, first day the primary
    series was complete, first booster): one hash aggregate over the dose table, joined
    once to people, instead of a correlated subquery per person."""
    person, unit = Person._meta.db_table, AdminUnit._meta.db_table
    dose, product = Dose._meta.db_table, VaccineProduct._meta.db_table
    sql = f"""
        SELECT p.commune_id, p.birth_year, COALESCE(r.mask, 0), COUNT(*),
               SUM(CASE WHEN s.first_on IS NOT NULL THEN 1 ELSE 0 END),
               SUM(CASE WHEN s.full_on <= %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN s.full_on <= %s AND s.boost_on IS NOT NULL THEN 1 ELSE 0 END)
        FROM {person} p
        JOIN {unit} u ON u.id = p.commune_id
        LEFT JOIN (
            SELECT d.person_id, MIN(d.given_on) AS first_on,
                   MIN(CASE WHEN d.kind = %s AND d.dose_number >= v.primary_doses
                            THEN d.given_on END) AS full_on,
                   MIN(CASE WHEN d.kind = %s THEN d.given_on END) AS boost_on
            FROM {dose} d JOIN {product} v ON v.id = d.product_id
            WHERE d.given_on <= %s
            GROUP BY d.person_id
        ) s ON s.person_id = p.id
        LEFT JOIN ({risk_mask_sql(RiskFlag._meta.db_table)}) r ON r.person_id = p.id
        WHERE p.merged_into_id IS NULL AND u.path LIKE %s
        GROUP BY p.commune_id, p.birth_year, COALESCE(r.mask, 0)
    """
    fully_by = day - timedelta(days=rules.FULLY_AFTER_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                fully_by,
                fully_by,
                rules.PRIMARY,
                rules.BOOSTER,
                day,
                day,
                day,
                province.path + "%",
            ],
        )
        yield from cursor.fetchall()


@transaction.atomic
def coverage_refresh(*, day: date, province: AdminUnit | None = None, by=None) -> int:
    """Rebuild the day's figures for every unit of the province; returns the rows written."""
    province = province or AdminUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    units = {u.pk: u for u in AdminUnit.objects.filter(path__startswith=province.path)}
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for commune_id, birth_year, mask, *figures in commune_groups(day, province):
        age = day.year - birth_year if birth_year else None
        unit = units.get(commune_id)
        ancestors = []
        while unit is not None:
            ancestors.append(unit.pk)
            unit = units.get(unit.parent_id)
        for band in _bands_of(age, mask):
            for unit_id in ancestors:
                acc = totals[(unit_id, band)]
                for i, value in enumerate(figures):
                    acc[i] += value
    official = {
        (b.unit_id, b.band): b
        for b in PopulationBand.objects.filter(unit_id__in=units).only(
            "unit_id", "band", "population", "synthetic"
        )
    }
    # The whole population falls back to geo's total per unit (geo.population_import).
    for unit in units.values():
        if unit.population and (unit.pk, CoverageBand.ALL) not in official:
            official[(unit.pk, CoverageBand.ALL)] = PopulationBand(
                unit_id=unit.pk,
                band=CoverageBand.ALL,
                population=unit.population,
                synthetic=unit.population_synthetic,
            )
    for key in official:
        totals.setdefault(key, [0, 0, 0, 0])  # an official band with nobody registered yet
    CoverageFigure.objects.filter(day=day, unit_id__in=units).delete()
    rows = []
    for (unit_id, band), v in totals.items():
        known = official.get((unit_id, band))
        rows.append(
            CoverageFigure(
                unit_id=unit_id,
                day=day,
                band=band,
                population=v[0],
                at_least_one=v[1],
                full=v[2],
                boosted=v[3],
                official_population=known.population if known else None,
                official_synthetic=known.synthetic if known else False,
            )
        )
    CoverageFigure.objects.bulk_create(rows, batch_size=2000)
    audit_record(
        actor=by,
        action="vaccination.coverage_refresh",
        changes={"day": day.isoformat(), "rows": len(rows)},
    )
    return len(rows)


def figures_for(unit: AdminUnit, day: date) -> dict[str, CoverageFigure]:
    return {f.band: f for f in CoverageFigure.objects.filter(unit=unit, day=day)}


def criterion_2(unit: AdminUnit, day: date) -> dict[str, float | None]:
    """The coverage shares criterion 2 of the epidemic level reads (4800/QĐ-BYT: at least
    one dose among people 18+, fully vaccinated among 50+; 218/QĐ-BYT: fully vaccinated
    among the whole population and among high-risk people: the 50+ and everyone with a
    stored risk flag, band "risk"). Shares divide by the official population when one is
    imported (`denominators` says which was used per band). None when the day was not
    computed or the band is empty."""
    figures = figures_for(unit, day)

    def share(band, field):
        figure = figures.get(band)
        return figure.share(field) if figure else None

    return {
        "adults_at_least_one": share(CoverageBand.AGE_18_PLUS, "at_least_one"),
        "over_50_full": share(CoverageBand.AGE_50_PLUS, "full"),
        "population_full": share(CoverageBand.ALL, "full"),
        "high_risk_full": share(CoverageBand.HIGH_RISK, "full"),
    }


def denominators(unit: AdminUnit, day: date) -> dict[str, str]:
    """Per band: "official", "synthetic" (the demo's official figures) or "registry"."""
    return {band: f.denominator_source for band, f in figures_for(unit, day).items()}
