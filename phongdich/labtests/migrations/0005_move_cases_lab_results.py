"""Move every cases.LabResult into labtests.Sample (issue 14: one place for every test).

Idempotent: a row whose pk is already some sample's `legacy_result_id` is skipped, so a
second run (or a run after an interrupted one) writes nothing twice. Batched by primary key
so a province's history never sits in memory at once. Works on SQLite and PostgreSQL (plain
ORM, no SQL of either).

A result the labtests app itself sent to the F0 app (same person, the lab's id is the tube's
code) is not copied: that sample gets the link back and the case instead. Every other row
becomes a resulted sample with reason "reported": person, commune, kind, time taken, result,
supervised, lab and the lab's id, who recorded it and when (as the time resulted), and its
case. The lab's id is the tube's code when it fits (40 characters) and no other sample has
it, otherwise the code is `KQ-L<old id>`; the lab's id itself is always kept whole."""

from django.db import migrations

BATCH = 1000
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
    last = 0
    while True:
        batch = list(LabResult.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
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
