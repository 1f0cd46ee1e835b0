"""Results imported per second through `manage.py import_results`' own function, against a
raw COPY of the same rows in the same run (issue 14: goal >= 0.3), and peak memory of the
streamed import against the previous shape (the whole table read into a list first).

PostgreSQL. 200,000 samples taken in one commune (bulk-inserted: taking them is not what is
measured), then one CSV of their results (negative, a few invalid, a handful positive, which
go through the F0 app one by one). Each measured run starts from the samples without results.
Peak memory is Python's own allocations (tracemalloc) during a second run of each step.
Prints rows/s, the ratio and the load average; never asserts a verdict.

    .venv/bin/python bench/labtests_import.py [--rows 200000] [--batch 2000] [--no-memory]
"""

import argparse
import csv
import os
import sys
import tempfile
import time
import tracemalloc
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import django_setup  # noqa: E402
from vaccination_import import cpu, statement_timer  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pd_bench_labtests"
)
HEADER = ["Mã mẫu", "Kết quả", "Ct", "Phòng xét nghiệm", "Ngày trả kết quả"]
# People the samples are taken from: by default one sample a person, as in a screening round
# (the first figures used 2,000 people with 100 samples each: `--people 2000`).
POSITIVE_EVERY = 20_000  # ten positives in 200,000: a screening round's usual yield


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def results_file(
    rows: int,
    day: str,
    *,
    positive_every: int,
    pools: int,
    pool_size: int,
    pool_positive_every: int,
) -> tuple[Path, int]:
    """The samples' lines (the last pools * pool_size samples are pooled: their pool's line
    instead), positives every `positive_every` lines (0: none), a pool positive every
    `pool_positive_every` pools. Returns (the file, its number of lines)."""
    path = Path(tempfile.mkstemp(suffix=".csv")[1])
    single = rows - pools * pool_size
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(single):
            if positive_every and i % positive_every == positive_every - 1:
                writer.writerow([f"BX-{i:07d}", "dương tính", "24,5", "CDC Thanh Hóa", day])
            elif i % 997 == 0:
                writer.writerow([f"BX-{i:07d}", "không xác định", "", "CDC Thanh Hóa", day])
            else:
                writer.writerow([f"BX-{i:07d}", "âm tính", "", "CDC Thanh Hóa", day])
        for n in range(pools):
            positive = pool_positive_every and n % pool_positive_every == 0
            result = ("dương tính", "27,5") if positive else ("âm tính", "")
            writer.writerow([f"BP-{n:05d}", *result, "CDC Thanh Hóa", day])
    return path, single + pools


class DiskUpload:
    """The file object a view or the command gets for a file on disk, minus Django."""

    def __init__(self, path: Path):
        self.path, self.name, self.size = path, path.name, path.stat().st_size
        self.file = path.open("rb")

    def read(self, n=-1):
        return self.file.read(n)

    def seek(self, offset, whence=0):
        return self.file.seek(offset, whence)


LAST = {"cpu": 0.0}  # the CPU seconds of the latest measure()


def measure(label, fn, reset, memory: bool):
    reset()
    used = cpu()
    started = time.perf_counter()
    rows = fn()
    seconds = time.perf_counter() - started
    used = cpu() - used
    LAST["cpu"] = used
    peak = float("nan")
    if memory:
        reset()
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    print(
        f"{label:<50} {rows / seconds:10,.0f} rows/s  peak {peak:7.1f} MB"
        f"  ({rows:,} rows, {seconds:.2f} s, CPU {used:.2f} s)  [{load()}]",
        flush=True,
    )
    return rows / seconds, peak


RESULT_COLUMNS = (
    "id, province, result, status, ct_value, lab, resulted_at, resulted_by_id, presumptive"
)


def ceiling(connection, reset, floor: float, lines: int) -> None:
    """What no result import can beat, in the same run as the floor: the results the import
    wrote, already parsed and matched to their samples (id and province), COPY'd into a
    temporary table and applied by one UPDATE … FROM on the key, the samples' indexes, fill
    factor and partitions as they are; rolled back. Any result import must at least bring
    the rows in and update the samples, so its ratio to the floor cannot exceed this one's.
    """
    import io

    from django.db import transaction

    rows = io.BytesIO()
    with connection.cursor() as cursor:
        query = f"COPY (SELECT {RESULT_COLUMNS} FROM labtests_sample WHERE result <> '') TO STDOUT"
        with cursor.cursor.copy(query) as out:
            for data in out:
                rows.write(data)
    for attempt in (1, 2):
        reset()  # the samples without results, pages as inserts leave them
        with transaction.atomic():
            with connection.cursor() as cursor:
                used = cpu()
                started = time.perf_counter()
                cursor.execute(
                    "CREATE TEMP TABLE bench_results ON COMMIT DROP AS"
                    f" SELECT {RESULT_COLUMNS} FROM labtests_sample WITH NO DATA"
                )
                with cursor.cursor.copy(f"COPY bench_results ({RESULT_COLUMNS}) FROM STDIN") as c:
                    c.write(rows.getvalue())
                cursor.execute(
                    "UPDATE labtests_sample s SET result = r.result, status = r.status,"
                    " ct_value = r.ct_value, lab = r.lab, resulted_at = r.resulted_at,"
                    " resulted_by_id = r.resulted_by_id, presumptive = r.presumptive FROM bench_results r"
                    " WHERE s.id = r.id AND s.province = r.province"
                )
                updated = cursor.rowcount
                seconds = time.perf_counter() - started
                used = cpu() - used
            transaction.set_rollback(True)
        rate = lines / seconds
        print(
            f"ceiling #{attempt}: {updated:,} results COPY'd and applied by one UPDATE:"
            f" {rate:10,.0f} rows/s ({seconds:.2f} s, CPU {used:.2f} s) [{load()}];"
            f" ratio to the floor {rate / floor:.3f}",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=0, help="override labtests.imports.BATCH")
    parser.add_argument(
        "--stage-batch", type=int, default=0, help="override labtests.imports_stage.BATCH"
    )
    parser.add_argument("--people", type=int, default=0, help="default: one per sample")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument(
        "--positive-share",
        type=float,
        default=1 / POSITIVE_EVERY,
        help="share of the samples' lines that are positive (default: ten in 200,000)",
    )
    parser.add_argument("--pools", type=int, default=0, help="pools among the samples")
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument(
        "--positive-pools-share", type=float, default=0.1, help="share of the pools positive"
    )
    parser.add_argument(
        "--plain-too",
        action="store_true",
        help="also import an all-negative file of the same samples in the same run: the "
        "difference is the positives' and pools' cost",
    )
    parser.add_argument(
        "--streamed", action="store_true", help="also time the streamed path (copy=False)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="time every SQL statement of the first import"
    )
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="after the import, its results written straight back (COPY + one UPDATE; rolled "
        "back): the least any result import must do",
    )
    args = parser.parse_args()

    django_setup(DB_URL)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from phongdich import testing
    from phongdich.accounts.models import Role, User
    from phongdich.cases.models import Case, LabResult
    from phongdich.geo.models import AdminUnit
    from phongdich.labtests import imports as lab_imports
    from phongdich.labtests import imports_stage
    from phongdich.labtests.models import Sample
    from phongdich.lib import imports
    from phongdich.people.models import Person

    if args.batch:
        lab_imports.BATCH = args.batch
    if args.stage_batch:
        imports_stage.BATCH = args.stage_batch
    if not AdminUnit.objects.filter(code="38").exists():
        testing.make_world()
    commune = AdminUnit.objects.get(code="14755")
    officer = User.objects.filter(username="bench.lab").first() or testing.make_user(
        "bench.lab", Role.COMMUNE_HEALTH_WORKER, commune
    )
    people_count = args.people or args.rows
    from phongdich.labtests.models import Pool, ResampleOrder

    pooled = args.pools * args.pool_size
    same_people = (
        Sample.objects.values("person").distinct().count() == people_count
        and Sample.objects.filter(pool__isnull=False).count() == pooled
        if Sample.objects.count() == args.rows
        else False
    )
    if not same_people:
        Sample.objects.all().delete()
        people = list(Person.objects.filter(commune=commune)[:people_count])
        fresh = []
        for n in range(len(people), people_count):
            person = Person(
                full_name=f"Lê Thị Sàng Lọc {n}",
                birth_year=1950 + n % 60,
                phone=f"+8491{n:07d}",
                commune=commune,
            )
            person.refresh_keys()  # what registration does; the people are not what is timed
            fresh.append(person)
        people += Person.objects.bulk_create(fresh, batch_size=5000)
        taken = timezone.now() - timedelta(days=1)
        Sample.objects.bulk_create(
            (
                Sample(
                    person=people[i % people_count],
                    barcode=f"BX-{i:07d}",
                    kind="pcr",
                    reason="screening",
                    commune=commune,
                    taken_at=taken,
                )
                for i in range(args.rows)
            ),
            batch_size=5000,
        )
        Pool.objects.all().delete()
        made = Pool.objects.bulk_create(
            [Pool(code=f"BP-{n:05d}", kind="pcr", commune=commune) for n in range(args.pools)]
        )
        single = args.rows - pooled
        for n, pool in enumerate(made):
            start = single + n * args.pool_size
            Sample.objects.filter(
                barcode__in=[f"BX-{i:07d}" for i in range(start, start + args.pool_size)]
            ).update(pool=pool)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE labtests_sample")
    day = timezone.localdate().strftime("%d/%m/%Y")
    positive_every = round(1 / args.positive_share) if args.positive_share else 0
    pool_positive_every = round(1 / args.positive_pools_share) if args.positive_pools_share else 0
    path, lines = results_file(
        args.rows,
        day,
        positive_every=positive_every,
        pools=args.pools,
        pool_size=args.pool_size,
        pool_positive_every=pool_positive_every,
    )
    positives = (
        len(range(positive_every - 1, args.rows - pooled, positive_every)) if positive_every else 0
    )
    # The same samples' lines all negative, the pools' lines left out: what the import
    # costs without positives and pools (--plain-too).
    plain_path, plain_lines = results_file(
        args.rows - pooled, day, positive_every=0, pools=0, pool_size=0, pool_positive_every=0
    )
    print(
        f"{lines:,} lines ({positives:,} positive, {args.pools:,} pools of {args.pool_size},"
        f" every {pool_positive_every or '-'}th positive), "
        f"{path.stat().st_size / 1024 / 1024:.1f} MB CSV, "
        f"batch {lab_imports.BATCH}, PostgreSQL [{load()}]",
        flush=True,
    )
    try:
        from phongdich.labtests.models import ResultFollowUp
        from phongdich.labtests.services import result_follow_ups_drain
    except ImportError:  # the tree before the follow-ups: positives applied inside the import
        ResultFollowUp = result_follow_ups_drain = None

    def reset():
        if ResultFollowUp is not None:
            ResultFollowUp.objects.all().delete()
        ResampleOrder.objects.all().delete()
        Case.objects.all().delete()
        LabResult.objects.all().delete()
        Pool.objects.update(status="open", result="", ct_value=None, lab="", resulted_at=None)
        Sample.objects.update(
            result="", status="taken", ct_value=None, lab="", resulted_at=None, presumptive=False
        )
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_raw_results")
            # Pages as inserts leave them (at the table's fill factor), not half emptied by
            # the reset's own UPDATE: a result must find the room the table keeps for it.
            cursor.execute("VACUUM FULL ANALYZE labtests_sample")

    def raw_copy():
        # The floor: the same rows, parsed by csv.reader, COPY'd into a bare table.
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_raw_results (barcode varchar(40), result varchar(20),"
                " ct varchar(8), lab varchar(60), day varchar(10))"
            )
            count = 0
            with path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh)
                next(reader)
                with cursor.copy("COPY bench_raw_results FROM STDIN") as copy:
                    for row in reader:
                        copy.write_row(row)
                        count += 1
        return count

    def imported(copy: bool, file=None, expected=None):
        upload = DiskUpload(file or path)
        outcome = lab_imports.import_results(
            by=officer,
            upload=upload,
            mode=imports.KEEP_GOOD,
            max_rows=args.rows + 1,
            max_bytes=upload.size + 1,
            copy=copy,
        )
        upload.file.close()
        assert not outcome.errors, outcome.errors.entries[:3]
        assert outcome.recorded == (expected or lines), outcome.recorded
        return outcome.recorded

    def reimported():
        # The same file again on top of the imported results: every line unchanged.
        upload = DiskUpload(path)
        outcome = lab_imports.import_results(
            by=officer,
            upload=upload,
            mode=imports.KEEP_GOOD,
            max_rows=args.rows + 1,
            max_bytes=upload.size + 1,
        )
        upload.file.close()
        assert outcome.recorded == 0 and outcome.unchanged == lines, outcome
        return outcome.unchanged

    def previous_shape():
        # What the command did before: the whole table validated into a list, then written.
        upload = DiskUpload(path)
        table = imports.read_table(
            upload, lab_imports.columns(), kind="csv", max_rows=args.rows + 1
        )
        upload.file.close()
        return len(table.rows)

    memory = not args.no_memory
    # The floor three times, its median kept: one run of it varied 2.5x at load 8.
    floors = [
        measure("floor: csv.reader + raw COPY into a bare table", raw_copy, reset, memory)
        for _ in range(3)
    ]
    base_rate = sorted(rate for rate, _ in floors)[1]
    print(f"floor (median of 3): {base_rate:,.0f} rows/s", flush=True)
    timings: dict[str, list[tuple[float, float]]] = {}
    with connection.execute_wrapper(statement_timer(timings)) if args.profile else nullcontext():
        rate, peak = measure(
            "import_results, COPY path (imports_stage)", lambda: imported(True), reset, memory
        )
    print(f"ratio import/raw COPY: {rate / base_rate:.3f}", flush=True)
    import_seconds, import_cpu = lines / rate, LAST["cpu"]
    print(
        f"cases {Case.objects.count():,}, re-sampling orders {ResampleOrder.objects.count():,},"
        f" presumptive negatives {Sample.objects.filter(presumptive=True).count():,}",
        flush=True,
    )
    if result_follow_ups_drain is not None:
        waiting = ResultFollowUp.objects.filter(done_at=None).count()
        used, started = cpu(), time.perf_counter()
        applied = result_follow_ups_drain()
        seconds, used = time.perf_counter() - started, cpu() - used
        print(
            f"worker after the commit: {applied:,} of {waiting:,} follow-ups applied in"
            f" {seconds:.2f} s (CPU {used:.2f} s), {seconds / max(applied, 1) * 1000:.1f} ms each;"
            f" cases now {Case.objects.count():,} [{load()}]",
            flush=True,
        )
    again, _ = measure("the same file again (all unchanged)", reimported, lambda: None, False)
    print(f"ratio re-import/raw COPY: {again / base_rate:.3f}", flush=True)
    if args.ceiling:  # after the re-import, which needs the import's results in place
        ceiling(connection, reset, base_rate, args.rows)
    if args.streamed:
        old, _ = measure(
            "import_results, streamed path (copy=False)", lambda: imported(False), reset, False
        )
        print(
            f"ratio streamed/raw COPY: {old / base_rate:.3f}; COPY path/streamed: {rate / old:.1f}",
            flush=True,
        )
    if args.plain_too:
        plain_rate, _ = measure(
            "import_results, the same lines all negative",
            lambda: imported(True, plain_path, plain_lines),
            reset,
            False,
        )
        plain_seconds, plain_cpu = plain_lines / plain_rate, LAST["cpu"]
        special = positives + args.pools
        print(
            f"positives and pools: {special:,} lines cost {import_seconds - plain_seconds:.2f} s"
            f" (CPU {import_cpu - plain_cpu:.2f} s) inside the import:"
            f" {(import_seconds - plain_seconds) / max(special, 1) * 1000:.2f} ms"
            f" (CPU {(import_cpu - plain_cpu) / max(special, 1) * 1000:.2f} ms) a line",
            flush=True,
        )
    if args.profile:
        ranked = sorted(timings.items(), key=lambda kv: -sum(w for w, _ in kv[1]))
        for sql, spent in ranked[:15]:
            wall, spent_cpu = sum(w for w, _ in spent), sum(c for _, c in spent)
            print(f"  {wall:7.2f} s (CPU {spent_cpu:6.2f} s) x{len(spent):<3} {sql}")
    if memory:
        _, old_peak = measure(
            "previous shape: read_table into a list (read only)", previous_shape, reset, True
        )
        print(f"peak memory streamed/previous: {peak / old_peak:.3f}")
    reset()
    path.unlink()
    plain_path.unlink()


if __name__ == "__main__":
    main()
