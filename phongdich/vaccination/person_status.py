"""Upkeep of `PersonStatus`, the per-person vaccination summary coverage counts.

`refresh_people(person_ids)` and `refresh_people_where(subquery, params)` recompute the
rows of a set of people from their person record and their doses: set-based, three
statements whatever the set's size (lock, delete those no longer counted, upsert the rest).
Every path that writes doses or people calls one of them:

- people inserted without save() (the tracing contact import's bulk path, the demo's and
  the benches' COPY loader) through `people.signals.people_created_in_bulk`: their rows
  in the same transaction, one INSERT … SELECT per batch (`add_new_people`);
- single-row ORM writes (staff entry, the API, a data-quality match or registration,
  "vaccinated elsewhere", an unlink deleting a dose, a person saved or merged) through
  the post_save/post_delete signals `connect()` wires, so a new path cannot forget;
- the bulk import once per batch (`bulk.decide.decide_batch`, `bulk.rows._decide_batch`);
- the vaccination demo after its doses;
- `refresh_all()` (migration 0012's backfill, `manage.py person_status_rebuild`, and the
  daily job `vaccination.reconcile_person_status`, which repairs what a path writing
  people with raw SQL or a queryset update left behind).
"""

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from phongdich.audit.services import audit_record
from phongdich.people.models import Person
from phongdich.people.signals import people_created_in_bulk

from . import rules
from .models import Dose, PersonStatus, VaccineProduct

CHUNK = 5000
COLUMNS = "person_id, commune_id, birth_year, birth_date, sex, first_on, complete_on, boosted_on"


def _select_sql(person_filter: str, dose_filter: str) -> str:
    """The rows as they should be: people counted (live, with a commune), their doses
    reduced first (one hash aggregate), then joined once."""
    person, dose = Person._meta.db_table, Dose._meta.db_table
    product = VaccineProduct._meta.db_table
    return f"""
        SELECT p.id, p.commune_id, p.birth_year, p.birth_date, p.sex,
               s.first_on, s.complete_on, s.boosted_on
        FROM {person} p
        LEFT JOIN (
            SELECT d.person_id, MIN(d.given_on) AS first_on,
                   MIN(CASE WHEN d.kind = '{rules.PRIMARY}' AND d.dose_number >= v.primary_doses
                            THEN d.given_on END) AS complete_on,
                   MIN(CASE WHEN d.kind = '{rules.BOOSTER}' THEN d.given_on END) AS boosted_on
            FROM {dose} d JOIN {product} v ON v.id = d.product_id
            WHERE {dose_filter}
            GROUP BY d.person_id
        ) s ON s.person_id = p.id
        WHERE p.merged_into_id IS NULL AND p.commune_id IS NOT NULL AND {person_filter}
    """


def _upsert_sql(select: str, guarded: bool) -> str:
    table = PersonStatus._meta.db_table
    names = [c.strip() for c in COLUMNS.split(",")][1:]
    updates = ", ".join(f"{name} = excluded.{name}" for name in names)
    where = ""
    if guarded and connection.vendor == "postgresql":
        # The reconciliation rewrites only rows that differ: most hold, and an unchanged
        # row rewritten is a dead tuple for nothing.
        mine = ", ".join(f"{table}.{name}" for name in names)
        theirs = ", ".join(f"excluded.{name}" for name in names)
        where = f" WHERE ({mine}) IS DISTINCT FROM ({theirs})"
    return (
        f"INSERT INTO {table} ({COLUMNS}) {select} "
        f"ON CONFLICT (person_id) DO UPDATE SET {updates}{where}"
    )


def refresh_people_where(subquery: str, params=()) -> None:
    """Recompute the rows of the people `subquery` selects (one column of person ids;
    `params` its %s values, used three times), e.g. the person ids of a staged batch."""
    table, person = PersonStatus._meta.db_table, Person._meta.db_table
    params = list(params)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two writes for one person at once (two doses entered at the same minute)
            # each recompute from what they see; taken in turn, the second sees the
            # first's dose. NO KEY UPDATE: a dose insert holds KEY SHARE on its person,
            # which plain FOR UPDATE would wait for (a deadlock between two such writes).
            cursor.execute(
                f"SELECT id FROM {person} WHERE id IN ({subquery}) ORDER BY id FOR NO KEY UPDATE",
                params,
            )
        cursor.execute(
            f"""DELETE FROM {table} WHERE person_id IN ({subquery}) AND NOT EXISTS (
                    SELECT 1 FROM {person} p WHERE p.id = {table}.person_id
                    AND p.merged_into_id IS NULL AND p.commune_id IS NOT NULL)""",
            params,
        )
        select = _select_sql(f"p.id IN ({subquery})", f"d.person_id IN ({subquery})")
        cursor.execute(_upsert_sql(select, guarded=False), params + params)


def refresh_people(person_ids) -> None:
    """Recompute the rows of these people (any iterable of ids; chunked)."""
    ids = sorted({int(pk) for pk in person_ids if pk is not None})
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        refresh_people_where(f"SELECT id FROM {Person._meta.db_table} WHERE id IN ({marks})", chunk)


def refresh_all() -> int:
    """Bring every row in line with people and doses; returns the rows written or removed
    (0 when nothing had drifted). Set-based: one upsert, one delete."""
    table, person = PersonStatus._meta.db_table, Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""DELETE FROM {table} WHERE NOT EXISTS (
                    SELECT 1 FROM {person} p WHERE p.id = {table}.person_id
                    AND p.merged_into_id IS NULL AND p.commune_id IS NOT NULL)"""
        )
        removed = max(cursor.rowcount, 0)
        cursor.execute(_upsert_sql(_select_sql("1 = 1", "1 = 1"), guarded=True))
        written = max(cursor.rowcount, 0)
    return removed + written


@transaction.atomic
def reconcile(*, by=None) -> int:
    """`refresh_all` as the daily job and the command run it: audited with its count."""
    changed = refresh_all()
    audit_record(actor=by, action="vaccination.person_status_reconcile", changes={"rows": changed})
    return changed


def add_new_people(*, ids=None, where: str = "", params=()) -> None:
    """The rows of people just inserted in bulk (`ids`, or the SQL `where` selects with
    `params`): one INSERT … SELECT per CHUNK ids. New people have no dose yet, so a row is
    their own fields, as `_person_changed` writes for one; a row already there is kept."""
    table, person = PersonStatus._meta.db_table, Person._meta.db_table
    insert = (
        f"INSERT INTO {table} (person_id, commune_id, birth_year, birth_date, sex) "
        f"SELECT p.id, p.commune_id, p.birth_year, p.birth_date, p.sex FROM {person} p "
        "WHERE p.merged_into_id IS NULL AND p.commune_id IS NOT NULL AND p.id IN ({ids}) "
        "ON CONFLICT (person_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        if where:
            cursor.execute(insert.format(ids=where), list(params))
            return
        ids = sorted({int(pk) for pk in ids or () if pk is not None})
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            cursor.execute(insert.format(ids=", ".join(["%s"] * len(chunk))), chunk)


def _people_created_in_bulk(sender, ids=None, where: str = "", params=(), **kwargs):
    add_new_people(ids=ids, where=where, params=params)


def _dose_changed(sender, instance, **kwargs):
    refresh_people([instance.person_id])


# The person's fields the summary copies or is counted by: a save naming none of them
# (a phone, a note, the last-seen stamp) leaves the row as it is.
STATUS_FIELDS = {
    "commune",
    "commune_id",
    "birth_year",
    "birth_date",
    "sex",
    "merged_into",
    "merged_into_id",
}


def _person_changed(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    if raw:  # fixtures load people before their communes' rows may be usable
        return
    if update_fields is not None and not STATUS_FIELDS.intersection(update_fields):
        return
    if created:
        # A person just registered has no dose yet (doses point at a saved person): the
        # row is the person's own fields, one INSERT instead of the lock, delete and upsert
        # that every registration path (a declaration, a caller, a contact) would pay.
        if instance.commune_id is not None and instance.merged_into_id is None:
            PersonStatus.objects.bulk_create(
                [
                    PersonStatus(
                        person_id=instance.pk,
                        commune_id=instance.commune_id,
                        birth_year=instance.birth_year,
                        birth_date=instance.birth_date,
                        sex=instance.sex or "",
                    )
                ],
                ignore_conflicts=True,
            )
        return
    refresh_people([instance.pk])


def connect() -> None:
    post_save.connect(_dose_changed, sender=Dose, dispatch_uid="vaccination-status-dose")
    post_delete.connect(_dose_changed, sender=Dose, dispatch_uid="vaccination-status-dose-del")
    post_save.connect(_person_changed, sender=Person, dispatch_uid="vaccination-status-person")
    people_created_in_bulk.connect(
        _people_created_in_bulk, dispatch_uid="vaccination-status-people-bulk"
    )
