"""Daily coverage per commune, district and province, precomputed set-based: one
INSERT … SELECT counts the per-person summary (`PersonStatus`, kept on every dose and
person write by `person_status`) grouped by commune, birth year and risk mask, joins the
groups to the bands and rolls them up to the districts and the province by unit path, all
in SQL. No dose is read: at scale 1 that is 3.6 million narrow rows instead of 8 million
doses reduced per person.

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
    PersonStatus,
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


# Each band as one row of a VALUES list the refresh joins the groups to: kind 0 = everyone,
# 1 = an age band [low, high), 2 = 218's high-risk people, 3 = one stored risk group's bit.
def _band_rows() -> list[tuple[str, int, int | None, int | None, int]]:
    rows = []
    for band, (low, high) in BANDS.items():
        rows.append((band, 0 if low is None else 1, low, high, 0))
    rows.append((CoverageBand.HIGH_RISK, 2, HIGH_RISK_FROM_AGE, None, 0))
    rows.extend((CoverageBand(group), 3, None, None, bit) for group, bit in RISK_BITS.items())
    return rows


# Everyone counted per commune and birth year (`g0` of the refresh): on PostgreSQL written
# first into a temporary table by CREATE TABLE AS, which may run in parallel, while an
# INSERT … SELECT never does (the one scan of 3.64 million rows at scale 1).
G0_TABLE = "vaccination_coverage_g0"
SUMS = """COUNT(*) AS people,
           SUM(CASE WHEN st.first_on <= %s THEN 1 ELSE 0 END) AS one,
           SUM(CASE WHEN st.complete_on <= %s THEN 1 ELSE 0 END) AS fully,
           SUM(CASE WHEN st.complete_on <= %s AND st.boosted_on <= %s
                    THEN 1 ELSE 0 END) AS boosted"""


def _g0_select(status: str, sums: str) -> str:
    return f"""SELECT st.commune_id, st.birth_year, {sums}
            FROM {status} st
            GROUP BY st.commune_id, st.birth_year"""


def _g0_prepare(cursor, day: date) -> None:
    fully_by = day - timedelta(days=rules.FULLY_AFTER_DAYS)
    cursor.execute(f"DROP TABLE IF EXISTS {G0_TABLE}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {G0_TABLE} AS "
        + _g0_select(PersonStatus._meta.db_table, SUMS),
        [day, fully_by, fully_by, day],
    )


def _refresh_sql(day: date, province: AdminUnit, parallel_g0: bool = False) -> tuple[str, list]:
    """One INSERT … SELECT writing the day's figures of every unit of the province.

    The summary's rows (one per person: first dose, primary series complete, first
    booster) are grouped by commune, birth year and risk mask (tens of thousands of rows,
    not people); the groups are joined to the bands, summed per commune and band, then
    summed again onto every unit whose path is a prefix of the commune's (the commune
    itself, its district, the province), and joined to the official population. Nothing
    is fetched into Python. `coverage_totals_in_python` computes the same from the doses
    (`commune_groups`), so the tests compare the summary with the doses too.

    The groups and the commune-to-ancestor pairs are MATERIALIZED (PostgreSQL 12+,
    SQLite 3.35+): inlined, the planner put the bands outside the groups' aggregate and
    computed it once per band, and tested every commune-band row against every unit's
    path (8.4 s instead of 2 on 469,000 doses under load)."""
    unit, status = AdminUnit._meta.db_table, PersonStatus._meta.db_table
    figure, official = CoverageFigure._meta.db_table, PopulationBand._meta.db_table
    bands = _band_rows()
    # The counts of one group. Unflagged people are counted without joining the flags:
    # g0 counts everyone per commune and birth year in one scan of the summary (no join
    # per row), gr only the flagged (the flags joined to their rows), and the unflagged
    # group is g0 less gr. Joined per row, the flags and the units took 15 of 25 s at
    # scale 1 (EXPLAIN, docs).
    sums = SUMS
    values = ", ".join(
        "(CAST(%s AS VARCHAR(12)), CAST(%s AS INTEGER), CAST(%s AS INTEGER), "
        "CAST(%s AS INTEGER), CAST(%s AS INTEGER))"
        for _row in bands
    )
    # The flagged are a few per cent of the summary: on PostgreSQL each is fetched by its
    # key (a LATERAL subquery kept apart by OFFSET 0, so the planner cannot flatten it into
    # a hash join that scans the whole summary a second time: 1.5 s of 2.9 at scale 1).
    # SQLite has no LATERAL and joins them by key already.
    if connection.vendor == "postgresql":
        flagged_rows = f"""CROSS JOIN LATERAL (
                SELECT s.commune_id, s.birth_year, s.first_on, s.complete_on, s.boosted_on
                FROM {status} s WHERE s.person_id = r.person_id OFFSET 0
            ) st"""
    else:
        flagged_rows = f"JOIN {status} st ON st.person_id = r.person_id"
    fully_by = day - timedelta(days=rules.FULLY_AFTER_DAYS)
    counted = [day, fully_by, fully_by, day]
    if parallel_g0:
        g0, g0_params = f"SELECT * FROM {G0_TABLE}", []
    else:
        g0, g0_params = _g0_select(status, sums), counted
    sql = f"""
        WITH g0 AS MATERIALIZED ({g0}),
        gr AS MATERIALIZED (
            SELECT st.commune_id, st.birth_year, r.mask, {sums}
            FROM ({risk_mask_sql(RiskFlag._meta.db_table)}) r
            {flagged_rows}
            GROUP BY st.commune_id, st.birth_year, r.mask
        ),
        g AS MATERIALIZED (
            SELECT x.commune_id, %s - x.birth_year AS age, x.mask, x.people, x.one,
                   x.fully, x.boosted
            FROM (
                SELECT commune_id, birth_year, mask, people, one, fully, boosted FROM gr
                UNION ALL
                SELECT g0.commune_id, g0.birth_year, 0, g0.people - COALESCE(f.people, 0),
                       g0.one - COALESCE(f.one, 0), g0.fully - COALESCE(f.fully, 0),
                       g0.boosted - COALESCE(f.boosted, 0)
                FROM g0 LEFT JOIN (
                    SELECT commune_id, birth_year, SUM(people) AS people, SUM(one) AS one,
                           SUM(fully) AS fully, SUM(boosted) AS boosted
                    FROM gr GROUP BY commune_id, birth_year
                ) f ON f.commune_id = g0.commune_id AND (
                    f.birth_year = g0.birth_year
                    OR (f.birth_year IS NULL AND g0.birth_year IS NULL))
                WHERE g0.people > COALESCE(f.people, 0)
            ) x
            JOIN {unit} u ON u.id = x.commune_id
            WHERE u.path LIKE %s
        ),
        b (band, kind, low, high, bit) AS (VALUES {values}),
        cb AS (
            SELECT g.commune_id, b.band, SUM(g.people) AS people, SUM(g.one) AS one,
                   SUM(g.fully) AS fully, SUM(g.boosted) AS boosted
            FROM g JOIN b ON (
                b.kind = 0
                OR (b.kind = 1 AND g.age >= b.low AND (b.high IS NULL OR g.age < b.high))
                OR (b.kind = 2 AND (g.mask <> 0 OR g.age >= b.low))
                OR (b.kind = 3 AND (g.mask & b.bit) <> 0)
            )
            GROUP BY g.commune_id, b.band
        ),
        anc AS MATERIALIZED (
            SELECT c.id AS commune_id, a.id AS unit_id
            FROM {unit} c JOIN {unit} a ON c.path LIKE a.path || '%%'
            WHERE c.path LIKE %s AND a.path LIKE %s
        ),
        totals AS (
            SELECT anc.unit_id, cb.band, SUM(cb.people) AS people, SUM(cb.one) AS one,
                   SUM(cb.fully) AS fully, SUM(cb.boosted) AS boosted
            FROM cb JOIN anc ON anc.commune_id = cb.commune_id
            GROUP BY anc.unit_id, cb.band
        )
        INSERT INTO {figure} (unit_id, day, band, population, at_least_one, "full", boosted,
                              official_population, official_synthetic)
        SELECT t.unit_id, %s, t.band, t.people, t.one, t.fully, t.boosted,
               COALESCE(o.population,
                        CASE WHEN t.band = %s AND u.population > 0 THEN u.population END),
               COALESCE(o.synthetic,
                        CASE WHEN t.band = %s AND u.population > 0
                             THEN u.population_synthetic END,
                        %s)
        FROM totals t
        JOIN {unit} u ON u.id = t.unit_id
        LEFT JOIN {official} o ON o.unit_id = t.unit_id AND o.band = t.band
    """
    subtree = province.path + "%"
    params = [*g0_params, *counted, day, day, day.year, subtree]
    params += [value for row in bands for value in row]
    params += [subtree, subtree, day, CoverageBand.ALL, CoverageBand.ALL, False]
    return sql, params


def _official_only_sql(day: date, province: AdminUnit) -> list[tuple[str, list]]:
    """Rows for an official band nobody of the registry is in yet (an imported band, or a
    unit's whole population from geo.population_import), so the page shows its
    denominator."""
    unit, figure = AdminUnit._meta.db_table, CoverageFigure._meta.db_table
    official = PopulationBand._meta.db_table
    columns = (
        '(unit_id, day, band, population, at_least_one, "full", boosted, '
        "official_population, official_synthetic)"
    )
    missing = f"""NOT EXISTS (SELECT 1 FROM {figure} f
                   WHERE f.day = %s AND f.unit_id = {{unit_id}} AND f.band = {{band}})"""
    subtree = province.path + "%"
    return [
        (
            f"""INSERT INTO {figure} {columns}
                SELECT o.unit_id, %s, o.band, 0, 0, 0, 0, o.population, o.synthetic
                FROM {official} o JOIN {unit} u ON u.id = o.unit_id
                WHERE u.path LIKE %s AND {missing.format(unit_id="o.unit_id", band="o.band")}""",
            [day, subtree, day],
        ),
        (
            f"""INSERT INTO {figure} {columns}
                SELECT u.id, %s, %s, 0, 0, 0, 0, u.population, u.population_synthetic
                FROM {unit} u
                WHERE u.path LIKE %s AND u.population > 0
                  AND {missing.format(unit_id="u.id", band="%s")}""",
            [day, CoverageBand.ALL, subtree, day, CoverageBand.ALL],
        ),
    ]


@transaction.atomic
def coverage_refresh(*, day: date, province: AdminUnit | None = None, by=None) -> int:
    """Rebuild the day's figures for every unit of the province; returns the rows written.

    Set-based end to end (`_refresh_sql`): the day is replaced in one transaction, so a
    reader sees the old day's figures or the new ones, never a mix."""
    province = province or AdminUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    with transaction.atomic():
        return _refresh(day, province, by)


def _refresh(day: date, province: AdminUnit, by) -> int:
    day_rows = CoverageFigure.objects.filter(day=day, unit__path__startswith=province.path)
    day_rows.delete()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The statement's cost estimate is far above jit_above_cost at province scale,
            # so PostgreSQL compiles its expressions, and compiling took longer than running
            # them: 0.7 s of 2.5 at scale 1 (1.90 s median with JIT off, 2.56 s with it).
            # LOCAL: for this transaction only.
            cursor.execute("SET LOCAL jit = off")
            _g0_prepare(cursor, day)
        statements = [
            _refresh_sql(day, province, parallel_g0=connection.vendor == "postgresql"),
            *_official_only_sql(day, province),
        ]
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TABLE {G0_TABLE}")
    # Counted afterwards: sqlite3 reports no rowcount for a statement opening with WITH.
    written = day_rows.count()
    audit_record(
        actor=by,
        action="vaccination.coverage_refresh",
        changes={"day": day.isoformat(), "rows": written},
    )
    return written


def coverage_totals_in_python(day: date, province: AdminUnit) -> dict:
    """The former refresh's sums, {(unit id, band): [people, one, full, boosted]}: the
    groups of `commune_groups` summed up the unit tree in Python. Kept as the reference
    the set-based refresh is tested and benchmarked against (tests/test_coverage.py,
    bench/vaccination_coverage.py)."""
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
    return dict(totals)


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
