"""Move every cases.LabResult into labtests.Sample (issue 14: one place for every test).

Idempotent: a row whose pk is already some sample's `legacy_result_id` is skipped, so a
second run (or a run after an interrupted one) writes nothing twice. By ranges of primary
keys so a province's history never sits in one statement or in memory at once.

A result the labtests app itself sent to the F0 app (same person, the lab's id is the tube's
code) is not copied: that sample gets the link back and the case instead. Every other row
becomes a resulted sample with reason "reported": person, commune, kind, time taken, result,
supervised, lab and the lab's id, who recorded it and when (as the time resulted), and its
case. The lab's id is the tube's code when it fits (40 characters) and no other sample has
it, otherwise the code is `KQ-L<old id>`; the lab's id itself is always kept whole.

PostgreSQL: set-based, two statements per range of 20,000 ids (an UPDATE … FROM linking
the labtests app's own samples, an INSERT … SELECT of the copies with the code chosen in
SQL). A row whose chosen code collides (two rows of the range choosing one code, or a code
taken meanwhile) goes through the row-by-row path below, in pk order, as every row did
before (156 rows/s at load 20: bench/labtests_move.py). SQLite: that path for every row
(plain ORM)."""

from django.db import migrations

BATCH = 1000
RANGE = 20_000  # ids per set-based step on PostgreSQL
CODE_MAX = 40


def _candidates(wanted: str, legacy_pk: int) -> list[str]:
    candidates = []
    if wanted and len(wanted) <= CODE_MAX:
        candidates.append(wanted)
    candidates.append(f"KQ-L{legacy_pk}")
    candidates += [f"KQ-L{legacy_pk}-{n}" for n in range(1, 10)]
    return candidates


def _free_code(candidates: list[str], taken: set[str], legacy_pk: int) -> str:
    for code in candidates:
        if code not in taken:
            return code
    raise RuntimeError(f"no free sample code for lab result {legacy_pk}")


def move(apps, schema_editor):
    LabResult = apps.get_model("cases", "LabResult")
    Sample = apps.get_model("labtests", "Sample")
    if schema_editor is not None:
        connection = schema_editor.connection
    else:  # called by the tests and the bench
        from django.db import connection
    if connection.vendor == "postgresql":
        _move_set_based(LabResult, Sample, connection)
        return
    last = 0
    while True:
        batch = list(LabResult.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        _move_rows(Sample, batch)


def _columns(Sample, mapping: dict[str, str]) -> tuple[list[str], list[str], list]:
    """The INSERT's columns of the sample table as it is when this runs (a later migration's
    columns too, when run on a newer schema): the mapped ones from SQL, every other one its
    field's default; generated, db_default and nullable columns left to the database."""
    from django.utils import timezone

    columns, values, params = [], [], []
    for field in Sample._meta.concrete_fields:
        if field.column in mapping:
            columns.append(field.column)
            values.append(mapping[field.column])
        elif field.primary_key or getattr(field, "generated", False):
            continue
        elif getattr(field, "auto_now_add", False):
            columns.append(field.column)
            values.append("%s")
            params.append(timezone.now())
        elif field.has_db_default():
            continue
        elif field.has_default() or not field.null:  # a blank text's default is ""
            columns.append(field.column)
            values.append("%s")
            params.append(field.get_default())
    return columns, values, params


def _move_set_based(LabResult, Sample, connection):
    old, table = LabResult._meta.db_table, Sample._meta.db_table
    mapping = {
        "person_id": "c.person_id",
        "barcode": "c.code",
        "kind": "c.kind",
        "reason": "'reported'",
        "commune_id": "c.commune_id",
        "taken_at": "c.taken_at",
        "taken_by_id": "c.created_by_id",
        "status": "'resulted'",
        "result": "CASE WHEN c.positive THEN 'positive' ELSE 'negative' END",
        "lab": "c.lab",
        "lab_sample_id": "c.sample_id",
        "resulted_at": "COALESCE(c.created_at, c.taken_at)",
        "resulted_by_id": "c.created_by_id",
        "supervised": "c.supervised",
        "case_id": "c.case_id",
        "legacy_result_id": "c.id",
        # Only on a schema that has the column (labtests 0010 on: the bench runs this on
        # the current one), where the table may be partitioned and a row must name it.
        "province": "(SELECT split_part(u.path, '/', 2) FROM geo_adminunit u "
        "WHERE u.id = c.commune_id)",
    }
    columns, values, defaults = _columns(Sample, mapping)
    todo = f"""SELECT r.* FROM {old} r WHERE r.id >= %s AND r.id < %s
        AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.legacy_result_id = r.id)"""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {old}")
        low, high = cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, RANGE):
            bounds = [start, start + RANGE]
            # The labtests app's own sample: the first row (by pk) of its code and person.
            cursor.execute(
                f"""WITH todo AS ({todo}), link AS (
                    SELECT DISTINCT ON (s.id) s.id, t.id AS legacy, t.case_id, t.supervised
                    FROM todo t JOIN {table} s
                        ON s.barcode = t.sample_id AND s.person_id = t.person_id
                    WHERE t.sample_id <> '' AND s.legacy_result_id IS NULL
                    ORDER BY s.id, t.id)
                UPDATE {table} s SET legacy_result_id = l.legacy,
                    case_id = COALESCE(s.case_id, l.case_id), supervised = l.supervised
                FROM link l WHERE s.id = l.id""",
                bounds,
            )
            # The copies. The lab's id is the code when it fits, is no sample's code and
            # no earlier row of the range wants it; else KQ-L<id>. A code two rows choose
            # or a sample already has is left to the row-by-row path.
            cursor.execute(
                f"""WITH todo AS ({todo}), wants AS (
                    SELECT t.*, CASE WHEN t.sample_id <> '' AND length(t.sample_id) <= %s
                        AND row_number() OVER (PARTITION BY t.sample_id ORDER BY t.id) = 1
                        AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.barcode = t.sample_id)
                        THEN t.sample_id ELSE 'KQ-L' || t.id END AS code
                    FROM todo t),
                chosen AS (SELECT w.*, count(*) OVER (PARTITION BY w.code) AS n FROM wants w)
                INSERT INTO {table} ({", ".join(columns)})
                SELECT {", ".join(values)} FROM chosen c
                WHERE c.n = 1 AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.barcode = c.code)
                ORDER BY c.id""",
                [*bounds, CODE_MAX, *defaults],
            )
        rest = list(
            LabResult.objects.exclude(
                pk__in=Sample.objects.filter(legacy_result_id__isnull=False).values(
                    "legacy_result_id"
                )
            ).order_by("pk")
        )
    for first in range(0, len(rest), BATCH):
        _move_rows(Sample, rest[first : first + BATCH])


def _move_rows(Sample, batch):
    """The row-by-row path for `batch` (old rows in pk order)."""
    moved = set(
        Sample.objects.filter(legacy_result_id__in=[r.pk for r in batch]).values_list(
            "legacy_result_id", flat=True
        )
    )
    todo = [r for r in batch if r.pk not in moved]
    codes = {r.sample_id for r in todo if r.sample_id}
    # The labtests app's own samples whose result it passed to the F0 app.
    origins = {
        (s.barcode, s.person_id): s
        for s in Sample.objects.filter(barcode__in=codes, legacy_result_id__isnull=True)
    }
    # Every code a row of the batch might take, read once (not one query per row):
    # earlier batches are already written, this batch's new codes are added as it goes.
    wanted = {row.pk: _candidates(row.sample_id, row.pk) for row in todo}
    taken = set(
        Sample.objects.filter(
            barcode__in=[code for codes in wanted.values() for code in codes]
        ).values_list("barcode", flat=True)
    )
    new, linked = [], []
    for row in todo:
        origin = origins.pop((row.sample_id, row.person_id), None) if row.sample_id else None
        if origin is not None:
            origin.legacy_result_id = row.pk
            origin.case_id = origin.case_id or row.case_id
            origin.supervised = row.supervised
            linked.append(origin)
            continue
        code = _free_code(wanted[row.pk], taken, row.pk)
        taken.add(code)
        new.append(
            Sample(
                person_id=row.person_id,
                barcode=code,
                kind=row.kind,
                reason="reported",
                commune_id=row.commune_id,
                taken_at=row.taken_at,
                taken_by_id=row.created_by_id,
                status="resulted",
                result="positive" if row.positive else "negative",
                lab=row.lab,
                lab_sample_id=row.sample_id,
                resulted_at=row.created_at or row.taken_at,
                resulted_by_id=row.created_by_id,
                supervised=row.supervised,
                case_id=row.case_id,
                legacy_result_id=row.pk,
            )
        )
    Sample.objects.bulk_update(linked, ["legacy_result_id", "case", "supervised"])
    Sample.objects.bulk_create(new)


def unmove(apps, schema_editor):
    # The old table was never changed: going back removes the copies and the links.
    Sample = apps.get_model("labtests", "Sample")
    Sample.objects.filter(legacy_result_id__isnull=False, reason="reported").delete()
    Sample.objects.filter(legacy_result_id__isnull=False).update(legacy_result_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("labtests", "0004_sample_case_link"),
        ("cases", "0009_queue_order_index"),
    ]

    operations = [migrations.RunPython(move, unmove)]
