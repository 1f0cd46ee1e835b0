"""The province code (GSO, "38") carried on every large table (issue 17, national scale).

People, cases, health checks, samples, doses, contacts and quarantines each store the
province of the record's commune in a `province` column, so that a province's pages can
name it (partition pruning on PostgreSQL, co-located joins on Citus, an index that walks
one province's rows only) instead of reaching the province through `commune -> path`.

Who fills it: the database, by a trigger on each table, on both PostgreSQL and SQLite.
That is deliberate. The rows arrive through many paths: model saves, bulk_create, the
demo's COPY, and the raw SQL of the vaccination bulk import and the lab-result import,
which other work is rewriting; a trigger fills the code on every one of them without any
of them naming the column, and without a round-trip (the lookup is one primary-key read
inside the INSERT). The column has `db_default=""` so a loader that lists its own columns
may leave it out.

- PostgreSQL: a BEFORE INSERT OR UPDATE OF <source>, province trigger sets NEW.province
  from the source (a unit's path, or a parent row's own code). It overrides whatever the
  writer sent, so a stale model instance saved again cannot write a wrong code.
- SQLite: an AFTER INSERT and an AFTER UPDATE OF <source>, province trigger rewrite the
  row's code (SQLite's BEFORE triggers cannot change NEW).
- A table that takes its code from a parent row (a dose from its person, a check from its
  case) also gets a trigger on the parent: when the parent's code changes (a person moves
  to another province's commune), the children follow, so a child never sits in another
  province than its parent (what a composite foreign key will enforce once partitioned).

The model instance is not refreshed: right after `create()` its `province` still reads
"" until `refresh_from_db()`. Nothing in the application reads the column from an
instance; queries filter on it.

A commune re-parented to another province by a geography reload (the 2025 dataset) does
not move its rows by itself: `manage.py fill_province` recomputes every table's codes in
batches (docs/operations.md).
"""

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connections, models, transaction
from django.db import connection as default_connection

log = logging.getLogger(__name__)

# The code is the first segment of the unit's path: "/38/380/14845/" -> "38".
PG_CODE = "split_part({path}, '/', 2)"
SQLITE_CODE = "substr({path}, 2, instr(substr({path}, 2), '/') - 1)"
BATCH = 20_000


@dataclass(frozen=True)
class Coded:
    """A table whose `province` comes from a unit column (`via_unit`) or from a parent
    table's own `province` (`parent`, joined on `via_parent`)."""

    table: str
    column: str  # the source column on this table: a unit id or a parent id
    parent: str = ""  # the parent table holding its own province; "" for a unit column
    # The column filled: `province` (the partition key), or a second code of another unit
    # column (a contact's `source_province`, the commune of the F0 who listed it).
    code: str = "province"

    @property
    def trigger(self) -> str:
        return f"{self.table}_{self.code}"

    @property
    def cascade(self) -> str:
        return f"{self.parent}_province_to_{self.table}"


def province_of_path(path: str) -> str:
    """The province code of a unit path ("/38/380/14845/" -> "38"); "" for no path."""
    return (path or "").strip("/").split("/", 1)[0]


def province_of_unit(unit) -> str:
    return province_of_path(getattr(unit, "path", "") or "")


def _source_sql(spec: Coded, vendor: str, row: str) -> str:
    """SQL for the code of `row` (NEW, or the table itself in an UPDATE)."""
    if spec.parent:
        return (
            f"COALESCE((SELECT p.province FROM {spec.parent} p "
            f"WHERE p.id = {row}.{spec.column}), '')"
        )
    code = (PG_CODE if vendor == "postgresql" else SQLITE_CODE).format(path="u.path")
    return f"COALESCE((SELECT {code} FROM geo_adminunit u WHERE u.id = {row}.{spec.column}), '')"


def install(schema_editor, spec: Coded) -> None:
    """Create the triggers that keep `spec.table.<spec.code>` filled."""
    vendor = schema_editor.connection.vendor
    table, trigger, code = spec.table, spec.trigger, spec.code
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {trigger}_fill() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN NEW.{code} := {_source_sql(spec, vendor, 'NEW')}; "
            "RETURN NEW; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {trigger} BEFORE INSERT OR UPDATE OF {spec.column}, {code} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION {trigger}_fill()"
        )
        if spec.parent:
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {spec.cascade}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN UPDATE {table} SET province = NEW.province "
                f"WHERE {spec.column} = NEW.id AND province <> NEW.province; "
                "RETURN NULL; END $$"
            )
            schema_editor.execute(
                # No column list: `UPDATE OF province` would not fire when the parent's
                # own trigger changed the code (a commune changed, the code not named).
                f"CREATE TRIGGER {spec.cascade} AFTER UPDATE ON {spec.parent} "
                "FOR EACH ROW WHEN (OLD.province IS DISTINCT FROM NEW.province) "
                f"EXECUTE FUNCTION {spec.cascade}()"
            )
        return
    fill = f"UPDATE {table} SET {code} = {_source_sql(spec, vendor, 'NEW')} WHERE id = NEW.id;"
    schema_editor.execute(f"CREATE TRIGGER {trigger}_ins AFTER INSERT ON {table} BEGIN {fill} END")
    schema_editor.execute(
        f"CREATE TRIGGER {trigger}_upd AFTER UPDATE OF {spec.column}, {code} ON {table} "
        f"BEGIN {fill} END"
    )
    if spec.parent:
        schema_editor.execute(
            f"CREATE TRIGGER {spec.cascade} AFTER UPDATE OF province ON {spec.parent} "
            "WHEN OLD.province IS NOT NEW.province BEGIN "
            f"UPDATE {table} SET province = NEW.province WHERE {spec.column} = NEW.id; END"
        )


def uninstall(schema_editor, spec: Coded) -> None:
    if schema_editor.connection.vendor == "postgresql":
        if spec.parent:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {spec.cascade} ON {spec.parent}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {spec.cascade}()")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {spec.trigger} ON {spec.table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {spec.trigger}_fill()")
        return
    if spec.parent:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {spec.cascade}")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {spec.trigger}_ins")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {spec.trigger}_upd")


def on_sqlite(action, *specs: Coded):
    """A RunPython function doing `action(schema_editor, spec)` (install or uninstall) for
    each spec in the order given, on SQLite only: SQLite remakes a table to change its keys
    or add a column, which drops its province triggers (and trips over a parent's, which
    names it), so a migration takes them off before and makes them again after."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for spec in specs:
                action(schema_editor, spec)

    return run


def backfill(spec: Coded, *, using: str = "default", batch: int = BATCH) -> int:
    """Recompute the code of every row, by id ranges of `batch` rows (one UPDATE … FROM
    each, so a table of millions is never locked in one statement). Returns rows changed."""
    connection = connections[using] if using else default_connection
    vendor = connection.vendor
    table, code = spec.table, spec.code
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {table}")
        low, high = cursor.fetchone()
        if low is None:
            return 0
        for start in range(low, high + 1, batch):
            bounds = [start, start + batch]
            if vendor == "postgresql" and spec.parent:
                cursor.execute(
                    f"UPDATE {table} t SET province = p.province FROM {spec.parent} p "
                    f"WHERE p.id = t.{spec.column} AND t.id >= %s AND t.id < %s "
                    "AND t.province IS DISTINCT FROM p.province",
                    bounds,
                )
            elif vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {table} t SET {code} = {PG_CODE.format(path='u.path')} "
                    f"FROM geo_adminunit u WHERE u.id = t.{spec.column} "
                    "AND t.id >= %s AND t.id < %s "
                    f"AND t.{code} IS DISTINCT FROM {PG_CODE.format(path='u.path')}",
                    bounds,
                )
            else:
                source = _source_sql(spec, vendor, table)
                cursor.execute(
                    f"UPDATE {table} SET {code} = {source} WHERE id >= %s AND id < %s "
                    f"AND {code} IS NOT {source}",
                    bounds,
                )
            changed += max(cursor.rowcount, 0)
    return changed


def operations(spec: Coded):
    """The migration step for one table: its triggers, then the backfill of its rows."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        install(schema_editor, spec)
        backfill(spec, using=schema_editor.connection.alias)

    def backwards(apps, schema_editor):
        uninstall(schema_editor, spec)

    return migrations.RunPython(forwards, backwards, elidable=False)


# Every coded table, parents before their children (the order `fill_province` runs in).
PEOPLE = Coded("people_person", "commune_id")
CASES = Coded("cases_case", "commune_id")
HEALTH_CHECKS = Coded("cases_healthcheck", "case_id", parent="cases_case")
SAMPLES = Coded("labtests_sample", "commune_id")
DOSES = Coded("vaccination_dose", "person_id", parent="people_person")
CONTACTS = Coded("tracing_contact", "commune_id")
# The province of the commune whose F0 listed the contact: the contact list's second branch
# ("listed by an F0 here") names it (tracing.selectors._inside).
CONTACT_SOURCES = Coded("tracing_contact", "source_commune_id", code="source_province")
QUARANTINES = Coded("quarantine_quarantine", "commune_id")
ALL = [PEOPLE, CASES, HEALTH_CHECKS, SAMPLES, DOSES, CONTACTS, CONTACT_SOURCES, QUARANTINES]


def code_of(row) -> str:
    """The code a coded row (a person, a case) is stored under: its own, read with it (no
    query), or, for a row made in this process (its trigger filled the code and the
    instance did not read it back), its commune's, which is what the trigger wrote."""
    if row is None:
        return ""
    return row.province or province_of_unit(row.commune)


def name_codes(rows, via: str) -> None:
    """Fill `province` of the rows that do not name it, from their `via` foreign key: a
    unit's path (a sample's commune) or a coded parent's own code (a dose's person, a
    check's case). A partitioned table needs it before the INSERT: a row is routed to its
    partition before the fill trigger runs. Parents held by the rows cost no query; the
    others are read in one query for all the rows, never one each."""
    unnamed = [row for row in rows if not row.province]
    if not unnamed:
        return
    fk = unnamed[0]._meta.get_field(via)
    target = fk.related_model
    from_unit = target._meta.label_lower == "geo.adminunit"
    ids = set()
    for row in unnamed:
        if fk.is_cached(row):
            parent = getattr(row, via)
            if parent is not None:
                row.province = province_of_unit(parent) if from_unit else parent.province
        if not row.province and getattr(row, fk.attname) is not None:
            ids.add(getattr(row, fk.attname))
    if not ids:
        return
    if from_unit:
        paths = target._base_manager.filter(pk__in=ids).values_list("pk", "path")
        codes = {pk: province_of_path(path) for pk, path in paths}
    else:
        codes = dict(target._base_manager.filter(pk__in=ids).values_list("pk", "province"))
    for row in unnamed:
        if not row.province:
            row.province = codes.get(getattr(row, fk.attname), "")


class CodedQuerySet(models.QuerySet):
    """The QuerySet of a table partitioned by province: `bulk_create` names each row's code
    from the first hop of the model's `PROVINCE_FROM` (name_codes)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        name_codes(objs, self.model.PROVINCE_FROM.split("__", 1)[0])
        return super().bulk_create(objs, *args, **kwargs)


def province_field():
    """The `province` column of a coded table: filled by the table's trigger, never by
    a form; `db_default` so loaders listing their own columns may leave it out."""

    return models.CharField(max_length=10, blank=True, default="", db_default="", editable=False)


# --- Partitions by province (PostgreSQL) --------------------------------------------------
# The tables partitioned by `province` (audit events, health checks) share this: each served
# province gets `<table>_p<code>`, and a DEFAULT partition `<table>_pdefault` takes a row of
# any other code ('' included), so an insert never fails for want of a partition.

# Province codes are GSO codes ("38"); anything else is never formatted into DDL.
_CODE = re.compile(r"^[0-9A-Za-z]{1,10}$")


@dataclass
class Prepared:
    created: list[str] = field(default_factory=list)
    # Partitions that could not be created (a default partition holds their rows, or the
    # role does not own the table).
    blocked: list[str] = field(default_factory=list)


def partition_name(table: str, code: str) -> str:
    return f"{table}_p{code}"


def is_partitioned(connection, table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND c.relnamespace = 'public'::regnamespace",
            [table],
        )
        return cursor.fetchone() is not None


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{name}"])
    return cursor.fetchone()[0]


def create_partition(connection, name: str, ddl: str, params, outcome: Prepared) -> None:
    """Run `ddl` (which creates `name`) unless `name` exists; a refusal is recorded in
    `outcome.blocked`, not raised."""
    with connection.cursor() as cursor:
        if _exists(cursor, name):
            return
        try:
            # A savepoint: a refused partition must not abort the rest of the job.
            with transaction.atomic(using=connection.alias):
                cursor.execute(ddl, params)
        except DatabaseError as exc:
            log.warning("partition %s not created: %s", name, exc)
            outcome.blocked.append(name)
            return
    outcome.created.append(name)


def served_codes(connection) -> list[str]:
    """The provinces served (loaded down to their communes), and the home province (an
    empty database has no units yet, and system events belong to it). The outline of the
    other 60-odd provinces gets no partitions: their rows, if any, go to the default."""
    codes = {settings.HOME_PROVINCE_CODE}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.code FROM geo_adminunit p WHERE p.parent_id IS NULL AND EXISTS "
            "(SELECT 1 FROM geo_adminunit c WHERE c.kind = 'commune' "
            "AND c.path LIKE p.path || '%%')"
        )
        codes.update(code for (code,) in cursor.fetchall())
    return sorted(code for code in codes if _CODE.match(code))


def storage_of(connection, name: str) -> str:
    """`name`'s storage parameters as DDL ("WITH (fillfactor=50)"), "" for none or no table.
    They come from the catalog, never from input."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_to_string(reloptions, ', ') FROM pg_class WHERE oid = to_regclass(%s)",
            [f"public.{name}"],
        )
        row = cursor.fetchone()
    return f"WITH ({row[0]})" if row and row[0] else ""


def prepare_province_partitions(
    connection, table: str, outcome: Prepared, *, sub: str = "", storage: str | None = None
) -> list[str]:
    """Create `table`'s DEFAULT partition and each served province's partition (`sub`, e.g.
    "PARTITION BY RANGE (at)", makes each one partitioned in turn). Returns the codes whose
    partition exists after the call. Does nothing unless `table` is partitioned.

    A partitioned table holds no storage parameters of its own (PostgreSQL refuses them):
    each partition is created with `storage` ("WITH (fillfactor=50)"), by default the
    DEFAULT partition's, which `rebuild` gave the table's former ones; so a province served
    later gets the fill factor of the samples' HOT updates (labtests 0011) too."""
    if not is_partitioned(connection, table):
        return []
    if storage is None:
        storage = storage_of(connection, f"{table}_pdefault")
    create_partition(
        connection,
        f"{table}_pdefault",
        f'CREATE TABLE "{table}_pdefault" PARTITION OF "{table}" DEFAULT {storage}'.rstrip(),
        None,
        outcome,
    )
    ready = []
    for code in served_codes(connection):
        name = partition_name(table, code)
        create_partition(
            connection,
            name,
            f'CREATE TABLE "{name}" PARTITION OF "{table}" FOR VALUES IN (%s) {sub} {storage}'.rstrip(),
            [code],
            outcome,
        )
        if name not in outcome.blocked:
            ready.append(code)
    return ready


def rebuild(schema_editor, table: str, *, partitioned: bool) -> None:
    """Move `table`'s rows into a new table partitioned by LIST (province) with the primary
    key (id, province), or (going back) into a plain one keyed by id. PostgreSQL only.

    PostgreSQL cannot turn a table into a partitioned one: the old one is renamed, a new
    one made with the same columns, defaults, identity, generated columns and CHECK
    constraints, the served
    provinces' partitions and the DEFAULT created, the rows copied with their ids and codes
    (filled since step 1), then the indexes, unique and foreign-key constraints and the
    triggers made again under their old names. Ids stay unique because every row takes its
    id from one identity sequence; Django keeps `id` as the model's key. Every unique
    constraint must already include `province` (PostgreSQL requires the partition key in
    each), and no foreign key may point into the table (it would have to name (id,
    province)): the migration makes those `db_constraint=False` first.

    Storage parameters (a fill factor) move with the rows: the plain table's go onto every
    partition (and, through the DEFAULT's, onto partitions made later), the DEFAULT
    partition's back onto the plain table.

    The copy holds an exclusive lock for its duration: run it in a maintenance window."""
    connection = schema_editor.connection
    old = f"{table}_unpartitioned"
    storage = storage_of(connection, table if partitioned else f"{table}_pdefault")
    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE confrelid = %s::regclass "
            "AND conrelid <> confrelid",
            [table],
        )
        inbound = [name for (name,) in cursor.fetchall()]
        if inbound:
            raise RuntimeError(f"foreign keys into {table} must go first: {inbound}")
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
        # Index names are schema-wide: the old primary key's must be free for the new one.
        cursor.execute(f'ALTER TABLE "{old}" RENAME CONSTRAINT "{table}_pkey" TO "{old}_pkey"')
        # The identity sequence keeps its name through the rename: free it for the new one.
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {old}_id_seq")
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x'))",
            [old, old],
        )
        indexes = [definition for (definition,) in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
            [old],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND NOT tgisinternal",
            [old],
        )
        triggers = [definition for (definition,) in cursor.fetchall()]
        layout = "PARTITION BY LIST (province)" if partitioned else storage
        cursor.execute(
            # INCLUDING GENERATED: without it a stored generated column (the samples'
            # lab_key) would become a plain one, NULL on every new row.
            f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING IDENTITY '
            f"INCLUDING CONSTRAINTS INCLUDING GENERATED) {layout}"
        )
        key = "id, province" if partitioned else "id"
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" PRIMARY KEY ({key})')
    if partitioned:
        prepare_province_partitions(connection, table, Prepared(), storage=storage)
    with connection.cursor() as cursor:
        cursor.execute(
            # Generated columns are computed again, not copied (PostgreSQL refuses them).
            "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
            "AND attgenerated = ''",
            [old],
        )
        (columns,) = cursor.fetchone()
        # The new table has no trigger yet: the rows keep the codes they have.
        cursor.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{old}"')
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(max(id), 0) + 1, false) "
            f'FROM "{table}"',
            [table],
        )
        cursor.execute(f'DROP TABLE "{old}"')
        for definition in indexes:
            cursor.execute(
                definition.replace(f"ON public.{old} ", f"ON public.{table} ").replace(
                    f"ON ONLY public.{old} ", f"ON public.{table} "
                )
            )
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for definition in triggers:
            # On a partitioned table PostgreSQL clones a row trigger onto every partition.
            cursor.execute(definition.replace(f" ON public.{old} ", f" ON public.{table} "))


def rebuild_operation(table: str):
    """The migration step partitioning `table` by province on PostgreSQL (reversible);
    nothing on SQLite."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            rebuild(schema_editor, table, partitioned=True)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            rebuild(schema_editor, table, partitioned=False)

    return migrations.RunPython(forwards, backwards, elidable=False)


# The tables partitioned by province alone, in the order they were partitioned (the audit's
# events are partitioned by month too: audit.partitions prepares those).
PARTITIONED = [
    "cases_healthcheck",
    "vaccination_dose",
    "audit_auditreadsubject",
    "labtests_sample",
    "tracing_contact",
    "quarantine_quarantine",
    "cases_case",
]


def prepare_partitions(*, using: str = "default") -> Prepared:
    """Each served province's partition (and the DEFAULT) of every table in PARTITIONED:
    the `geo.prepare_partitions` job, daily. A province loaded since the last run gets its
    partitions here; until then its rows sit in the DEFAULT, read, only unpruned. Does
    nothing on SQLite."""
    connection = connections[using]
    outcome = Prepared()
    for table in PARTITIONED:
        prepare_province_partitions(connection, table, outcome)
    return outcome
