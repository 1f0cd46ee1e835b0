"""Step 1 of the dose import on PostgreSQL for a CSV: the file goes into a staging table by
COPY (lib.staging), and the columns' checks of `imports.columns()` and `row_check` are
stated in SQL, so the lines they accept reach bulk.STAGE set-based, with the values the
Python parsers would give:

- CCCD: 9 digits, or 12 whose first three (the province) are 001–096;
- name: 1–120 characters, its name_key folded in SQL (Vietnamese and ASCII letters);
- birth: a year, or a d/m/yyyy day that exists, from 1900 to this year;
- sex: Nam/Nữ/M/F, any case, with or without diacritics;
- phone: 10 digits with a mobile prefix (or 9 without the 0, or 84…), as +84…;
- commune: a code of a commune inside the importer's jurisdiction (leading zeros dropped
  by a spreadsheet restored); vaccine: a folded code, name or alias of an active product;
- dose number 1–6; given on a d/m/yyyy day from 2020 to today; the lengths of the
  model's fields; and a CCCD, phone or birth to identify the person by.

Every other line goes through the Python checks (lib.staging.Staged.rows), which report
its faults by line, or stage it if it is good in a form SQL does not read ("Mũi 2").
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from phongdich.geo.selectors import communes_within
from phongdich.lib import imports, staging
from phongdich.lib.identity import MOBILE_PREFIXES
from phongdich.people.models import Person

from . import rules
from .imports import columns, product_words, row_check
from .models import Dose

RAW = "vaccination_dose_stage_raw"
PARSED = "vaccination_dose_stage_parsed"
COMMUNES = "vaccination_dose_stage_communes"
WORDS = "vaccination_dose_stage_words"
TABLES = (RAW, PARSED, COMMUNES, WORDS)


def drop_tables() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _lookups(by, current) -> None:
    """The communes the importer may write to and the vaccines' words (row_check's)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COMMUNES}")
        cursor.execute(f"DROP TABLE IF EXISTS {WORDS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {COMMUNES} (code text PRIMARY KEY, id integer)")
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {WORDS} (word text PRIMARY KEY, product_id integer,
                primary_doses integer)"""
        )
        # Read before the COPY starts: no other query may run on the connection during it.
        communes = [(unit.code, unit.pk) for unit in communes_within(by.jurisdiction)]
        words = []
        for word, product in product_words().items():
            found = current.product(product.code)  # rules.default_kind's lookup
            words.append((word, product.pk, found.primary_doses if found else 2))
        for table, rows in ((COMMUNES, communes), (WORDS, words)):
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


def stage_csv(by, upload, *, max_rows: int, current, stage: str, stage_row, copy_rows):
    """Stage a CSV into `stage`; return the Staged file (its report and total), or None
    when the Python reader must take the file."""
    staged = staging.copy_csv(upload, columns(), table=RAW, max_rows=max_rows)
    if staged is None:
        return None
    _lookups(by, current)
    cell = staged.cell
    today = timezone.localdate()
    limit = imports.model_max_length
    safe = staging.SAFE_TEXT
    prefixes = sorted(MOBILE_PREFIXES)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PARSED}")
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {PARSED} AS
            WITH t AS MATERIALIZED (  -- each cell cleaned once, not once per lookup
                SELECT r.n + 1 AS line, {staged.nonempty_sql()} AS nonempty,
                    {cell("id_number")} AS id_t, {cell("full_name")} AS name_t,
                    {cell("birth")} AS birth_t, {cell("sex")} AS sex_t,
                    {cell("phone")} AS phone_t, {cell("commune_code")} AS commune_t,
                    {cell("vaccine")} AS vaccine_t, {cell("dose_number")} AS dose_t,
                    {cell("given_on")} AS given_t, {cell("site_name")} AS site_name,
                    {cell("lot")} AS lot, {cell("source_id")} AS source_id
                FROM {RAW} r),
            d AS MATERIALIZED (  -- the parsed values computed once each
                SELECT t.*,
                    CASE WHEN t.birth_t ~ '^[0-9]{{4}}$' THEN NULL
                         WHEN length(t.birth_t) <= 10 THEN {staging.date_sql("t.birth_t")}
                    END AS birth_date,
                    {staging.date_sql("t.given_t")} AS given_on,
                    CASE WHEN t.phone_t ~ '^84[0-9]{{9}}$' THEN '0' || substr(t.phone_t, 3)
                         WHEN t.phone_t ~ '^[1-9][0-9]{{8}}$' THEN '0' || t.phone_t
                         ELSE t.phone_t END AS phone_d,
                    CASE WHEN t.vaccine_t ~ %(safe)s AND length(t.vaccine_t) <= 120
                         THEN {staging.fold_sql("t.vaccine_t")} END AS vaccine_word
                FROM t),
            v AS MATERIALIZED (
                SELECT d.*,
                    CASE WHEN d.birth_t ~ '^[0-9]{{4}}$' THEN d.birth_t::int
                         ELSE EXTRACT(YEAR FROM d.birth_date)::int END AS birth_year,
                    CASE WHEN d.id_t = '' OR d.id_t ~ '^[0-9]{{9}}$' THEN d.id_t
                         WHEN d.id_t ~ '^[0-9]{{12}}$' THEN
                             -- nested: SQL does not promise to test the digits first
                             CASE WHEN substr(d.id_t, 1, 3)::int BETWEEN 1 AND 96
                                  THEN d.id_t END
                    END AS id_number,
                    CASE WHEN d.sex_t = '' THEN ''
                         WHEN d.sex_t ~ %(safe)s AND length(d.sex_t) <= 3
                              AND {staging.fold_sql("d.sex_t")} IN ('nam', 'm') THEN 'M'
                         WHEN d.sex_t ~ %(safe)s AND length(d.sex_t) <= 3
                              AND {staging.fold_sql("d.sex_t")} IN ('nu', 'f') THEN 'F'
                    END AS sex,
                    CASE WHEN d.phone_t = '' THEN ''
                         WHEN d.phone_t ~ '^[0-9]{{1,20}}$' AND d.phone_d ~ '^0[0-9]{{9}}$'
                              AND substr(d.phone_d, 1, 3) = ANY(%(prefixes)s)
                         THEN '+84' || substr(d.phone_d, 2) END AS phone,
                    CASE WHEN d.commune_t ~ '^[0-9]{{1,5}}$' THEN (
                        SELECT c.id FROM {COMMUNES} c WHERE c.code = lpad(d.commune_t, 5, '0')
                    ) END AS commune_id,
                    w.product_id,
                    CASE WHEN d.dose_t ~ '^0*[1-6]$' AND length(d.dose_t) <= 10
                         THEN d.dose_t::int END AS dose_number,
                    w.primary_doses
                FROM d
                LEFT JOIN {WORDS} w ON w.word = d.vaccine_word)
            SELECT v.*, COALESCE(
                v.name_t <> '' AND length(v.name_t) <= %(name_max)s AND v.name_t ~ %(safe)s
                AND (v.birth_t = '' OR v.birth_year BETWEEN 1900 AND %(year)s)
                AND v.id_number IS NOT NULL AND v.sex IS NOT NULL AND v.phone IS NOT NULL
                AND v.commune_id IS NOT NULL AND v.product_id IS NOT NULL
                AND v.dose_number IS NOT NULL
                AND v.given_on IS NOT NULL AND v.given_on <= %(today)s
                AND v.given_on >= '2020-01-01'
                AND length(v.site_name) <= %(site_max)s AND length(v.lot) <= %(lot_max)s
                AND length(v.source_id) <= %(source_max)s
                AND (v.phone <> '' OR v.id_number <> '' OR v.birth_t <> ''), false) AS ok
            FROM v""",
            {
                "safe": safe,
                "prefixes": prefixes,
                "name_max": limit(Person, "full_name"),
                "year": today.year,
                "today": today,
                "site_max": limit(Dose, "site_name"),
                "lot_max": limit(Dose, "lot"),
                "source_max": limit(Dose, "source_id"),
            },
        )
        cursor.execute(
            f"""INSERT INTO {stage} (line, full_name, name_key, birth_year, birth_date, sex,
                phone, id_number, commune_id, identity_key, product_id, dose_number, kind,
                given_on, site_name, lot, source_id)
            SELECT line, name_t, key, birth_year, birth_date, sex, phone, id_number,
                commune_id,
                encode(sha256(convert_to(concat_ws('|', key, COALESCE(birth_year::text, ''),
                    phone, id_number, commune_id::text), 'UTF8')), 'hex'),
                product_id, dose_number,
                CASE WHEN dose_number <= primary_doses THEN %(primary)s ELSE %(booster)s END,
                given_on, site_name, lot, source_id
            FROM (SELECT p.*, {staging.name_key_sql("p.name_t")} AS key
                  FROM {PARSED} p WHERE p.ok AND p.nonempty) p""",
            {"primary": rules.PRIMARY, "booster": rules.BOOSTER},
        )
    # The lines SQL did not accept: their faults, or the good ones in forms it does not read.
    batch = [
        stage_row(row, current)
        for row in staged.rows(
            f"SELECT line FROM {PARSED} WHERE nonempty AND NOT ok", row_check(by)
        )
    ]
    if batch:
        copy_rows(batch)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {RAW}")  # the file's copy: not needed past this point
        cursor.execute(f"DROP TABLE {PARSED}")
    return staged
