"""The bulk import's temporary tables, their columns, and the sizes of its rounds."""

from __future__ import annotations

from django.db import connection

from ..models import Dose, DoseReview

BATCH = 5000  # lines staged, then decided, per round
# Lines decided per round on PostgreSQL, set-based: a round's cost is mostly its fixed
# statements (ten, and two ANALYZEs), so larger rounds than Python's; a file of up to a
# million lines is decided in one round (each round also reads the doses of its people
# and the registry's keys once). A round is also the step of the progress the job page
# shows (8 steps for an 8-million-line file).
SET_BATCH = 1_000_000
# The registry looks at the first 20 records of a phone (people.services._all_candidates).
PHONE_CANDIDATES = 20

STAGE = "vaccination_dose_stage"
PHONES = "vaccination_dose_stage_phone"
MATCH = "vaccination_dose_stage_match"
WEAK = "vaccination_dose_stage_weak"
UNMATCHED = "vaccination_dose_stage_unmatched"
OUT_DOSES = "vaccination_dose_stage_out"
OUT_REVIEWS = "vaccination_dose_stage_out_review"
SCOPE = "vaccination_dose_stage_scope"
TABLES = (STAGE, PHONES, MATCH, SCOPE, WEAK, UNMATCHED, OUT_DOSES, OUT_REVIEWS)

STAGE_COLUMNS = (
    "line",
    "full_name",
    "name_key",
    "birth_year",
    "birth_date",
    "sex",
    "phone",
    "id_number",
    "commune_id",
    "identity_key",
    "product_id",
    "dose_number",
    "kind",
    "given_on",
    "site_name",
    "lot",
    "source_id",
)

DOSE_FIELDS = ("product_id", "dose_number", "kind", "given_on", "site_kind", "site_name", "lot",
               "source", "source_id", "recorded_by_id", "created_at")  # fmt: skip
DOSE_COLUMNS = (*DOSE_FIELDS, "person_id", "flags", "flags_cleared_by_id")
REVIEW_COLUMNS = (*DOSE_FIELDS, "full_name", "birth_date", "birth_year", "sex", "phone",
                  "id_number", "commune_id", "identity_key", "reason", "status",
                  "unlink_reason")  # fmt: skip


def create_tables() -> None:
    drop_tables()
    text = "varchar(200) NOT NULL DEFAULT ''"
    temp = "CREATE TEMPORARY TABLE"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{temp} {STAGE} (
                line integer PRIMARY KEY, full_name {text}, name_key {text},
                birth_year integer NULL, birth_date date NULL, sex {text}, phone {text},
                id_number {text}, commune_id integer NOT NULL, identity_key {text},
                product_id integer NOT NULL, dose_number integer NOT NULL, kind {text},
                given_on date NOT NULL, site_name {text}, lot {text}, source_id {text})"""
        )
        cursor.execute(
            f"""{temp} {PHONES} (person_id integer NOT NULL, phone {text}, name_key {text},
                birth_year integer NULL, id_number varchar(20) NULL, in_scope integer NOT NULL)"""
        )
        cursor.execute(
            f"""{temp} {MATCH} (line integer PRIMARY KEY, person_id integer NOT NULL,
                strong integer NOT NULL)"""
        )
        cursor.execute(f"{temp} {SCOPE} (unit_id integer PRIMARY KEY)")
        cursor.execute(f"{temp} {WEAK} (line integer PRIMARY KEY)")
        cursor.execute(
            f"""{temp} {UNMATCHED} (line integer PRIMARY KEY, id_number {text}, phone {text},
                commune_id integer NOT NULL, name_key {text}, birth_year integer NULL)"""
        )
        # Decided rows are copied here, then moved with one INSERT … SELECT per batch.
        for out, model, names in (
            (OUT_DOSES, Dose, DOSE_COLUMNS),
            (OUT_REVIEWS, DoseReview, REVIEW_COLUMNS),
        ):
            cursor.execute(
                f"{temp} {out} AS SELECT {', '.join(names)} FROM {model._meta.db_table} WHERE 1 = 0"
            )


def drop_tables() -> None:
    from . import decide, stage

    with connection.cursor() as cursor:
        for table in (*TABLES, *stage.TABLES, *decide.TABLES):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def copy_rows(rows: list[tuple], table: str = STAGE, columns: tuple[str, ...] = STAGE_COLUMNS):
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
