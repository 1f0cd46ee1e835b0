"""Step 1 of the bulk import: the good rows into the staging table (tables.STAGE).

On PostgreSQL a CSV goes into a staging table by COPY (lib.staging), and the columns'
checks of `imports.columns()` and `row_check` are stated in SQL, so the lines they accept
reach STAGE set-based, with the values the
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

import hashlib

from django.db import connection
from django.utils import timezone

from phongdich.geo.selectors import communes_within
from phongdich.lib import imports, staging
from phongdich.lib.identity import MOBILE_PREFIXES
from phongdich.lib.text import name_key
from phongdich.people.models import Person

from .. import rules
from ..imports import columns, product_words, row_check
from ..models import Dose
from ..policy import policy
from .tables import BATCH, STAGE, copy_rows

RAW = "vaccination_dose_stage_raw"
COMMUNES = "vaccination_dose_stage_communes"
WORDS = "vaccination_dose_stage_words"
L_BIRTH = "vaccination_dose_stage_l_birth"
L_SEX = "vaccination_dose_stage_l_sex"
L_COMMUNE = "vaccination_dose_stage_l_commune"
L_VACCINE = "vaccination_dose_stage_l_vaccine"
L_DOSE = "vaccination_dose_stage_l_dose"
L_GIVEN = "vaccination_dose_stage_l_given"
LOOKUPS = (L_BIRTH, L_SEX, L_COMMUNE, L_VACCINE, L_DOSE, L_GIVEN)
TABLES = (RAW, COMMUNES, WORDS, *LOOKUPS)


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


def _lookup_sql(staged, table: str, key: str, parsed: str, join: str = "") -> str:
    """A table of every distinct raw cell of column `key` (`raw`) with what it parses to:
    a province file holds a few hundred days, communes and vaccines in millions of rows,
    so each is cleaned and parsed once, then joined on its raw text (a hash probe)."""
    return f"""CREATE TEMPORARY TABLE {table} AS
        SELECT c.raw, {parsed} FROM (
            SELECT u.raw, {staging.clean_sql("u.raw")} AS cell
            FROM (SELECT DISTINCT {staged.raw(key)} AS raw FROM {RAW} r) u OFFSET 0
        ) c {join}"""


def stage_csv(by, upload, *, max_rows: int, current, stage: str = STAGE):
    """Stage a CSV into `stage`; return the Staged file (its report and total), or None
    when the Python reader must take the file."""
    staged = staging.copy_csv(upload, columns(), table=RAW, max_rows=max_rows)
    if staged is None:
        return None
    _lookups(by, current)
    today = timezone.localdate()
    limit = imports.model_max_length
    safe = staging.SAFE_TEXT
    prefixes = sorted(MOBILE_PREFIXES)
    params = {
        "safe": safe,
        "prefixes": prefixes,
        "name_max": limit(Person, "full_name"),
        "year": today.year,
        "today": today,
        "site_max": limit(Dose, "site_name"),
        "lot_max": limit(Dose, "lot"),
        "source_max": limit(Dose, "source_id"),
        "primary": rules.PRIMARY,
        "booster": rules.BOOSTER,
    }
    sex_word = f"{staging.fold_sql('c.cell')}"
    lookups = {
        L_BIRTH: (
            "birth",
            # the cell itself too: a line with no birth may still name a phone or CCCD
            """c.cell AS birth_t, b.birth_date,
                CASE WHEN c.cell ~ '^[0-9]{4}$' THEN c.cell::int
                     ELSE EXTRACT(YEAR FROM b.birth_date)::int END AS birth_year""",
            f"""CROSS JOIN LATERAL (SELECT
                CASE WHEN c.cell ~ '^[0-9]{{4}}$' THEN NULL
                     WHEN length(c.cell) <= 10 THEN {staging.date_sql("c.cell")}
                END AS birth_date) b""",
        ),
        L_SEX: (
            "sex",
            f"""CASE WHEN c.cell = '' THEN ''
                     WHEN c.cell ~ %(safe)s AND length(c.cell) <= 3
                          AND {sex_word} IN ('nam', 'm') THEN 'M'
                     WHEN c.cell ~ %(safe)s AND length(c.cell) <= 3
                          AND {sex_word} IN ('nu', 'f') THEN 'F'
                END AS sex""",
            "",
        ),
        L_COMMUNE: (
            "commune_code",
            "k.id AS commune_id",
            f"""LEFT JOIN {COMMUNES} k ON c.cell ~ '^[0-9]{{1,5}}$'
                AND k.code = lpad(c.cell, 5, '0')""",
        ),
        L_VACCINE: (
            "vaccine",
            "w.product_id, w.primary_doses",
            f"""LEFT JOIN {WORDS} w ON c.cell ~ %(safe)s AND length(c.cell) <= 120
                AND w.word = {staging.fold_sql("c.cell")}""",
        ),
        L_DOSE: (
            "dose_number",
            """CASE WHEN c.cell ~ '^0*[1-6]$' AND length(c.cell) <= 10
                    THEN c.cell::int END AS dose_number""",
            "",
        ),
        L_GIVEN: ("given_on", f"{staging.date_sql('c.cell')} AS given_on", ""),
    }
    clean = "r.clean"
    cell = lambda key: staged.fast_cell(key, clean)  # noqa: E731
    with connection.cursor() as cursor:
        # Without figures the planner takes the file for a few hundred rows and nests loops.
        cursor.execute(f"ANALYZE {RAW}")
        for table, (key, parsed, join) in lookups.items():
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(_lookup_sql(staged, table, key, parsed, join), params)
            cursor.execute(f"ANALYZE {table}")
        # One pass over the file: the cells of a row cleaned only if the row's one test
        # says one is not clean already; the few-valued columns joined to their lookups;
        # each level's values computed once (OFFSET 0 keeps the planner from inlining a
        # level into the next, which would compute an expression once per use).
        joins = "\n".join(
            f"JOIN {table} {alias} ON {alias}.raw = {staged.raw(key)}"
            for table, alias, key in (
                (L_BIRTH, "lb", "birth"), (L_SEX, "ls", "sex"),
                (L_COMMUNE, "lc", "commune_code"), (L_VACCINE, "lv", "vaccine"),
                (L_DOSE, "ld", "dose_number"), (L_GIVEN, "lg", "given_on"),
            )
        )  # fmt: skip
        # Each lookup finds exactly one row per line, which the planner cannot know: it
        # multiplies six guesses into "one row" and nests loops (a scan of the lookup per
        # line, 100 times slower). Hash joins, for this statement only.
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute(
            f"""INSERT INTO {stage} (line, full_name, name_key, birth_year, birth_date, sex,
                phone, id_number, commune_id, identity_key, product_id, dose_number, kind,
                given_on, site_name, lot, source_id)
            SELECT line, name_t, key, birth_year, birth_date, sex, phone, id_number,
                commune_id,
                '',  -- identity_keys() computes it for the lines that need one
                product_id, dose_number,
                CASE WHEN dose_number <= primary_doses THEN %(primary)s ELSE %(booster)s END,
                given_on, site_name, lot, source_id
            FROM (SELECT v.*, {staging.name_key_sql("v.name_t")} AS key FROM (
                SELECT d.*,
                    CASE WHEN d.id_t = '' OR d.id_t ~ '^[0-9]{{9}}$' THEN d.id_t
                         WHEN d.id_t ~ '^[0-9]{{12}}$' THEN
                             -- nested: SQL does not promise to test the digits first
                             CASE WHEN substr(d.id_t, 1, 3)::int BETWEEN 1 AND 96
                                  THEN d.id_t END
                    END AS id_number,
                    CASE WHEN d.phone_t = '' THEN ''
                         WHEN d.phone_t ~ '^[0-9]{{1,20}}$' AND d.phone_d ~ '^0[0-9]{{9}}$'
                              AND substr(d.phone_d, 1, 3) = ANY(%(prefixes)s)
                         THEN '+84' || substr(d.phone_d, 2) END AS phone
                FROM (
                    SELECT t.*,
                        CASE WHEN t.phone_t ~ '^84[0-9]{{9}}$' THEN '0' || substr(t.phone_t, 3)
                             WHEN t.phone_t ~ '^[1-9][0-9]{{8}}$' THEN '0' || t.phone_t
                             ELSE t.phone_t END AS phone_d
                    FROM (
                        SELECT r.n + 1 AS line, {cell("id_number")} AS id_t,
                            {cell("full_name")} AS name_t, {cell("phone")} AS phone_t,
                            {cell("site_name")} AS site_name, {cell("lot")} AS lot,
                            {cell("source_id")} AS source_id,
                            lb.birth_t, lb.birth_date, lb.birth_year, ls.sex, lc.commune_id,
                            lv.product_id, lv.primary_doses, ld.dose_number, lg.given_on
                        FROM (SELECT r.*, {staged.clean_row_sql()} AS clean FROM {RAW} r
                              WHERE {staged.nonempty_sql()} OFFSET 0) r
                        {joins}
                        OFFSET 0) t
                    OFFSET 0) d
                OFFSET 0) v
            WHERE v.name_t <> '' AND length(v.name_t) <= %(name_max)s AND v.name_t ~ %(safe)s
                AND (v.birth_t = '' OR v.birth_year BETWEEN 1900 AND %(year)s)
                AND v.id_number IS NOT NULL AND v.sex IS NOT NULL AND v.phone IS NOT NULL
                AND v.commune_id IS NOT NULL AND v.product_id IS NOT NULL
                AND v.dose_number IS NOT NULL
                AND v.given_on IS NOT NULL AND v.given_on <= %(today)s
                AND v.given_on >= '2020-01-01'
                AND length(v.site_name) <= %(site_max)s AND length(v.lot) <= %(lot_max)s
                AND length(v.source_id) <= %(source_max)s
                AND (v.phone <> '' OR v.id_number <> '' OR v.birth_t <> '')
            OFFSET 0) w""",
            params,
        )
        cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
        cursor.execute("SET LOCAL enable_mergejoin TO DEFAULT")
    # The lines SQL did not accept: their faults, or the good ones in forms it does not read.
    batch = [
        _stage_row(row, current)
        for row in staged.rows(
            f"""SELECT r.n + 1 FROM {RAW} r WHERE {staged.nonempty_sql()}
                AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE s.line = r.n + 1)""",
            row_check(by),
        )
    ]
    if batch:
        copy_rows(batch)
    with connection.cursor() as cursor:
        for table in (RAW, *LOOKUPS):  # the file's copy: not needed past this point
            cursor.execute(f"DROP TABLE {table}")
    return staged


IDENTITY_KEY_SQL = """encode(sha256(convert_to(concat_ws('|', name_key,
    COALESCE(birth_year::text, ''), phone, id_number, commune_id::text), 'UTF8')), 'hex')"""


def identity_keys(lines_sql: str, stage: str = STAGE) -> None:
    """services.Identity.key() of the staged lines `lines_sql` selects (PostgreSQL's COPY
    path stages every line without one). A key identifies a queued line (the review
    queue's unique key, its duplicates in the file); a line matched to one person never
    reads it, and those are nearly all of a file: a SHA-256 a line cost about a tenth of
    the staging statement's CPU."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {stage} SET identity_key = {IDENTITY_KEY_SQL}
            WHERE identity_key = '' AND line IN ({lines_sql})"""
        )


def _stage_row(row: imports.Row, current) -> tuple:
    values = row.values
    born, year = values["birth"] or (None, None)
    full_name = values["full_name"]
    phone = values["phone"] or ""
    id_number = values["id_number"] or ""
    commune = values["commune"]
    product = values["product"]
    key = name_key(full_name)
    # services.Identity.key(): a re-import of a queued row without a source id meets it.
    identity_key = hashlib.sha256(
        "|".join([key, str(year or ""), phone, id_number, str(commune.pk)]).encode()
    ).hexdigest()
    return (
        row.line,
        full_name,
        key,
        year,
        born,
        values["sex"] or "",
        phone,
        id_number,
        commune.pk,
        identity_key,
        product.pk,
        values["dose_number"],
        rules.default_kind(values["dose_number"], product.code, current),
        values["given_on"],
        values["site_name"] or "",
        values["lot"] or "",
        values["source_id"] or "",
    )


def stage_stream(stream: imports.TableStream, report) -> int:
    """Stream the good rows into the staging table; return how many."""
    current = policy()
    staged = 0
    batch: list[tuple] = []
    for row in stream:
        batch.append(_stage_row(row, current))
        if len(batch) >= BATCH:
            copy_rows(batch)
            staged += len(batch)
            batch = []
            report("read", stream.total, 0)
    if batch:
        copy_rows(batch)
        staged += len(batch)
    report("read", stream.total, stream.total)
    return staged
