"""Step 2 of the bulk import: people matched set-based in SQL with the registry's rules,
inside the importer's jurisdiction (see the package's docstring)."""

from __future__ import annotations

from django.db import connection

from phongdich.geo.models import AdminUnit
from phongdich.people.models import Person
from phongdich.people.services import MatchScope

from . import stage
from .tables import MATCH, PHONE_CANDIDATES, PHONES, SCOPE, STAGE, UNMATCHED, WEAK


def match(by, staged: int, report) -> None:
    """Fill MATCH with every staged line's strong candidates: one person (strong = 1) or
    several (strong = their count, the line goes to review as a conflict)."""
    scope = MatchScope.for_caller(by)
    person = Person._meta.db_table
    units = AdminUnit._meta.db_table
    params: list = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {STAGE}")
        if scope.path is not None:
            cursor.execute(
                f"INSERT INTO {SCOPE} (unit_id) SELECT id FROM {units} WHERE path LIKE %s",
                [scope.path + "%"],
            )
        # MatchScope.contains on the person's commune, as SQL.
        in_scope = f"(p.commune_id IN (SELECT unit_id FROM {SCOPE})"
        in_scope += " OR p.commune_id IS NULL)" if scope.unowned else ")"
        cursor.execute(
            f"""INSERT INTO {PHONES} (person_id, phone, name_key, birth_year, id_number, in_scope)
            SELECT id, phone, name_key, birth_year, id_number, in_scope FROM (
                SELECT p.id, p.phone, p.name_key, p.birth_year, p.id_number,
                    CASE WHEN {in_scope} THEN 1 ELSE 0 END AS in_scope,
                    ROW_NUMBER() OVER (PARTITION BY p.phone ORDER BY p.id) AS rank
                FROM {person} p
                WHERE p.merged_into_id IS NULL
                  AND p.phone IN (SELECT DISTINCT phone FROM {STAGE} WHERE phone <> '')
            ) ranked WHERE rank <= %s""",
            [PHONE_CANDIDATES],
        )
        # Each line's strong candidates, counted as they are found: the UNION has already
        # made every (line, person) pair distinct, so no table of the pairs in between (a
        # write and a read of a row per line) and no COUNT(DISTINCT) sort.
        cursor.execute(
            f"""INSERT INTO {MATCH} (line, person_id, strong)
            SELECT line, MIN(person_id), COUNT(*) FROM (
            SELECT s.line, p.id AS person_id FROM {STAGE} s
                JOIN {person} p ON p.id_number = s.id_number
            WHERE s.id_number <> '' AND p.merged_into_id IS NULL AND p.name_key = s.name_key
              AND {in_scope}
            UNION
            SELECT s.line, p.id FROM {STAGE} s
                JOIN {person} p ON p.claimed_id_number = s.id_number
            WHERE s.id_number <> '' AND p.merged_into_id IS NULL AND p.name_key = s.name_key
              AND {in_scope}
            UNION
            SELECT s.line, f.person_id FROM {STAGE} s JOIN {PHONES} f ON f.phone = s.phone
            WHERE s.phone <> '' AND s.birth_year IS NOT NULL AND f.in_scope = 1
              AND f.name_key = s.name_key AND f.birth_year = s.birth_year
              AND (s.id_number = '' OR f.id_number IS NULL OR f.id_number = ''
                   OR f.id_number = s.id_number)
            ) strong GROUP BY line""",
            params,
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {MATCH}")
        # Lines with any candidate at all (WEAK rather than NO_MATCH when none is strong).
        # Asked only of the lines with no strong candidate: the others are recorded (one)
        # or a conflict (several) whatever it says, and they are nearly all of a file.
        # Copied out once, with the columns the four tests read: as a subquery the anti-join
        # of the whole file against MATCH ran once per test.
        cursor.execute(
            f"""INSERT INTO {UNMATCHED} (line, id_number, phone, commune_id, name_key, birth_year)
            SELECT s.line, s.id_number, s.phone, s.commune_id, s.name_key, s.birth_year
            FROM {STAGE} s LEFT JOIN {MATCH} m ON m.line = s.line WHERE m.line IS NULL"""
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {UNMATCHED}")
            # The lines the review queue may take (no strong match, or several) get the
            # identity key the COPY path left out (stage.identity_keys).
            stage.identity_keys(f"SELECT line FROM {UNMATCHED} UNION ALL "
                                f"SELECT line FROM {MATCH} WHERE strong > 1")  # fmt: skip
        cursor.execute(
            f"""INSERT INTO {WEAK} (line)
            SELECT s.line FROM {UNMATCHED} s JOIN {person} p ON p.id_number = s.id_number
            WHERE s.id_number <> '' AND p.merged_into_id IS NULL AND {in_scope}
            UNION
            SELECT s.line FROM {UNMATCHED} s JOIN {person} p ON p.claimed_id_number = s.id_number
            WHERE s.id_number <> '' AND p.claimed_id_number <> ''
              AND p.merged_into_id IS NULL AND {in_scope}
            UNION
            SELECT s.line FROM {UNMATCHED} s JOIN {PHONES} f ON f.phone = s.phone
            WHERE s.phone <> '' AND f.in_scope = 1
            UNION
            SELECT s.line FROM {UNMATCHED} s JOIN {person} p ON p.commune_id = s.commune_id
                AND p.name_key = s.name_key AND p.birth_year = s.birth_year
            WHERE s.birth_year IS NOT NULL AND p.merged_into_id IS NULL"""
        )
        if connection.vendor == "postgresql":
            # Temporary tables are never analysed by autovacuum: without figures the
            # planner guesses badly for the per-batch reads.
            for table in (PHONES, WEAK):
                cursor.execute(f"ANALYZE {table}")
    report("match", staged, staged)
