"""The dose import at province scale on PostgreSQL: `import_doses` (the bulk path of
vaccination/bulk.py, as `manage.py import_doses` runs it) against a raw COPY of the same
file in the same run, the per-row path on a sample, and the coverage refresh at that size.

Builds Thanh Hóa's 2021 geography (every commune), `--people` synthetic residents spread
over the communes (COPY, not measured), and a CSV of about two doses per person in the
national platform's columns: most rows carry the CCCD, a share only phone + name + birth
year, a few name nobody on record (queued for review). Then measures, in one run:

  - floor: COPY of the CSV file into a bare table of text columns (the database's own
    loader, no parsing in Python, no matching, no index);
  - import_doses: read, validate, stage by COPY, match set-based, decide in file order,
    insert ON CONFLICT DO NOTHING, audit; the ratio to the floor;
  - the same file again (every row unchanged: the idempotent re-import);
  - the per-row path (`import_doses_per_row`, dose_record once per row) on `--sample` rows of
    another file, for comparison;
  - coverage_refresh for every unit of the province for one day, at that many doses.

The load average is printed beside every figure (the machine is shared).

    .venv/bin/python bench/vaccination_import.py [--doses 500000] [--sample 1000] [--reuse] [--quick]

Database: pd_bench_vaccination_import (BENCH_VACCINATION_IMPORT_DATABASE_URL); rebuilt
unless --reuse.
"""

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from contextlib import nullcontext
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_VACCINATION_IMPORT_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/pd_bench_vaccination_import",
)
HEADER = [
    "Mã bản ghi", "Họ và tên", "Ngày sinh", "Giới tính", "Số điện thoại", "CCCD", "Mã xã",
    "Vắc xin", "Mũi số", "Ngày tiêm", "Điểm tiêm", "Số lô",
]  # fmt: skip
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Minh", "Nam", "Thảo", "Tiến"]


_PID: list[int] = []


def backend_cpu() -> float:
    """CPU seconds the PostgreSQL backend of Django's connection has used (user + system,
    from /proc: the server is local). On a shared machine wall time swings with the load;
    the CPU a step costs does not, so every figure is given both ways."""
    from django.db import connection

    if not _PID:  # asked once, before the statement timer wraps the connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            _PID.append(cursor.fetchone()[0])
    fields = Path(f"/proc/{_PID[0]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu() -> float:
    """This process's CPU plus its database backend's."""
    return time.process_time() + backend_cpu()


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def recreate_database() -> None:
    common.recreate_database(DB_URL)


def person_rows(count: int, communes: list[int], rng: random.Random):
    from phongdich.lib.text import name_key

    for i in range(count):
        full = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} {i}"
        key = name_key(full)
        year = rng.randint(1940, 2010)
        born = date(year, rng.randint(1, 12), rng.randint(1, 28))
        yield (
            full, key, key.rsplit(" ", 1)[-1], born, year, rng.choice("MF"),
            f"038{i:09d}", f"+849{i:08d}", "", communes[i % len(communes)],
        )  # fmt: skip


def build(people: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from phongdich.accounts.models import Role
    from phongdich.geo.models import AdminUnit
    from phongdich.testing import make_user
    from phongdich.vaccination import services

    call_command("migrate", verbosity=0)
    call_command("load_geography", dataset="2021", province="38", verbosity=0)
    services.policy_seed_if_empty()
    province = AdminUnit.objects.get(code="38")
    make_user("bench.tiemchung", Role.HEALTH_OFFICER, province)
    communes = list(
        AdminUnit.objects.filter(kind="commune", path__startswith=province.path).values_list(
            "pk", flat=True
        )
    )
    started = time.perf_counter()
    columns = (
        "full_name, name_key, given_key, birth_date, birth_year, sex, id_number, phone, "
        "address, commune_id, created_at, updated_at"
    )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY people_person ({columns}) FROM STDIN") as copy:
            now = time.strftime("%Y-%m-%d %H:%M:%S+00")
            for row in person_rows(people, communes, random.Random(7)):
                copy.write_row((*row, now, now))
        cursor.execute("ANALYZE people_person")
    print(
        f"built {people:,} people over {len(communes)} communes in "
        f"{time.perf_counter() - started:.1f} s ({load()})"
    )


def dose_file(people: int, doses: int, rng: random.Random, prefix: str, start: int = 0) -> Path:
    """About two doses per person from `start` on: 70 % of rows by CCCD, 27 % by phone +
    name + birth year (no CCCD), 3 % naming nobody on record."""
    from phongdich.geo.models import AdminUnit
    from phongdich.people.models import Person

    codes = dict(AdminUnit.objects.filter(kind="commune").values_list("pk", "code"))
    path = Path(tempfile.mkstemp(suffix=".csv")[1])
    wanted = (doses + 1) // 2
    written = 0
    query = (
        Person.objects.order_by("pk")
        .values_list("full_name", "birth_year", "phone", "id_number", "commune_id")[
            start : start + wanted
        ]
        .iterator(chunk_size=10_000)
    )
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for n, (full, year, phone, id_number, commune_id) in enumerate(query):
            kind = rng.random()
            first = date(2021, 8, 1) + timedelta(days=rng.randint(0, 90))
            for dose in (1, 2):
                if written >= doses:
                    break
                given = first + timedelta(days=(dose - 1) * 28)
                if kind < 0.03:
                    row = [f"{full} khác", year, "Nam", f"097{n:07d}", ""]
                elif kind < 0.30:
                    row = [full, year, "Nam", "0" + phone[3:], ""]
                else:
                    row = [full, year, "Nam", "", id_number]
                writer.writerow(
                    [f"{prefix}{n}-{dose}", *row, codes[commune_id], "Pfizer", dose,
                     given.strftime("%d/%m/%Y"), "Trạm y tế", f"FF{dose}"]
                )  # fmt: skip
                written += 1
    return path


def floor_copy(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_doses")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_raw_doses ("
            + ", ".join(f"c{i} text" for i in range(len(HEADER)))
            + ")"
        )
        used = cpu()
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_raw_doses FROM STDIN (FORMAT csv, HEADER)") as copy:
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
        used = cpu() - used
        cursor.execute("DROP TABLE bench_raw_doses")
    return seconds, used


def ceiling(lines: int, floor: float) -> None:
    """What no dose import can beat, measured in the same run as the floor: the rows the
    import wrote, already parsed, matched and decided, COPY'd back into the dose table as
    it is (its indexes, unique keys, foreign keys checked at the end, the province check
    trigger, its partitions), then rolled back. An importer must at least write these rows
    into this table, so its rate cannot exceed this one; the ratio of this to the floor is
    the most any importer's ratio to the floor can be."""
    import io

    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute"
            " WHERE attrelid = 'vaccination_dose'::regclass AND attnum > 0"
            " AND NOT attisdropped AND attgenerated = ''"
        )
        columns = cursor.fetchone()[0]
        rows = io.BytesIO()
        with cursor.cursor.copy(f"COPY (SELECT {columns} FROM vaccination_dose) TO STDOUT") as out:
            for data in out:
                rows.write(data)
        cursor.execute("SELECT count(*) FROM vaccination_dose")
        count = cursor.fetchone()[0]
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The same rows into a plain copy of the table's columns (no index, key, trigger
            # or partition): what the rows' types and width cost alone.
            cursor.execute(
                "CREATE TEMP TABLE bench_plain_dose (LIKE vaccination_dose) ON COMMIT DROP"
            )
            used = cpu()
            started = time.perf_counter()
            with cursor.cursor.copy(f"COPY bench_plain_dose ({columns}) FROM STDIN") as copy:
                copy.write(rows.getvalue())
            seconds = time.perf_counter() - started
            used = cpu() - used
        transaction.set_rollback(True)
    print(
        f"the same {count:,} rows into a plain table of the dose columns: {count / seconds:10,.0f}"
        f" rows/s ({seconds:.2f} s, CPU {used:.2f} s); ratio to the floor"
        f" {lines / seconds / floor:.3f}"
    )
    for attempt in (1, 2):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE vaccination_dose")
                used = cpu()
                started = time.perf_counter()
                with cursor.cursor.copy(f"COPY vaccination_dose ({columns}) FROM STDIN") as copy:
                    copy.write(rows.getvalue())
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                seconds = time.perf_counter() - started
                used = cpu() - used
            transaction.set_rollback(True)
        rate = count / seconds
        print(
            f"ceiling #{attempt}: the {count:,} decided doses COPY'd into vaccination_dose:"
            f" {rate:10,.0f} rows/s ({seconds:.2f} s, CPU {used:.2f} s, {load()});"
            f" {lines / seconds:,.0f} lines/s of the file; ratio to the floor"
            f" {lines / seconds / floor:.3f}"
        )


def run_import(function, path: Path, by, *, progress=False):
    from django.core.files.uploadedfile import UploadedFile

    from phongdich.lib import imports

    def show(stage, done, total):
        if stage != "record" or not done % 50_000 or done == total:
            seconds = time.perf_counter() - started
            print(f"    {seconds:6.1f} s {stage}: {done:,}/{total:,}", file=sys.stderr)

    extra = {"progress": show} if progress else {}
    with path.open("rb") as fh:
        upload = UploadedFile(fh, name=path.name, size=path.stat().st_size)
        used = cpu()
        started = time.perf_counter()
        result = function(
            by=by,
            upload=upload,
            mode=imports.KEEP_GOOD,
            max_rows=20_000_000,
            max_bytes=path.stat().st_size + 1,
            **extra,
        )
    seconds = time.perf_counter() - started
    RUN_CPU[0] = cpu() - used
    return seconds, result


RUN_CPU = [0.0]  # the CPU seconds of the last run_import


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--doses", type=int, default=500_000)
    parser.add_argument("--sample", type=int, default=1_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--quick", action="store_true", help="50,000 doses, 300 per row")
    parser.add_argument(
        "--import-only", action="store_true", help="the floor and the first import alone"
    )
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="after the first import, the doses it wrote COPY'd straight back into the dose "
        "table (indexes, keys, triggers; rolled back): the least any importer must do",
    )
    parser.add_argument("--round", type=int, help="lines a set-based round (bulk.tables.SET_BATCH)")
    parser.add_argument(
        "--profile", action="store_true", help="time every SQL statement of the first import"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print EXPLAIN (ANALYZE, BUFFERS) of the import's statements over 1 s (the "
        "import's counts are then wrong: a statement's row count is its plan's lines)",
    )
    args = parser.parse_args()
    if args.quick:
        args.doses, args.sample = 50_000, 300
    people = (args.doses + 1) // 2 + args.sample
    if not args.reuse:
        recreate_database()
    common.django_setup(DB_URL)
    from django.db import connection

    from phongdich.accounts.models import User
    from phongdich.geo.models import AdminUnit
    from phongdich.vaccination import coverage
    from phongdich.vaccination.imports import import_doses, import_doses_per_row
    from phongdich.vaccination.models import Dose

    if args.round:
        from phongdich.vaccination.bulk import tables

        tables.SET_BATCH = args.round
    if not args.reuse:
        build(people)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE vaccination_dosereview, vaccination_dose CASCADE")
    by = User.objects.get(username="bench.tiemchung")
    rng = random.Random(3)
    path = dose_file(people, args.doses, rng, "QG")
    sample = dose_file(people, args.sample, rng, "MAU", start=(args.doses + 1) // 2)
    size = path.stat().st_size / 1024 / 1024
    print(f"dose file: {args.doses:,} rows, {size:.1f} MB; {Person_count()} people")

    seconds, floor_cpu = floor_copy(path)
    floor = args.doses / seconds
    print(
        f"floor (raw COPY into a bare table):     {floor:10,.0f} rows/s ({seconds:.1f} s, "
        f"CPU {floor_cpu:.1f} s, {load()})"
    )

    timings: dict[str, list[float]] = {}
    wrap = statement_timer(timings) if args.profile else None
    wrap = explainer() if args.explain else wrap
    with connection.execute_wrapper(wrap) if wrap else nullcontext():
        seconds, result = run_import(import_doses, path, by, progress=True)
    rate = args.doses / seconds
    print(
        f"import_doses (bulk path):                {rate:10,.0f} doses/s ({seconds:.1f} s, "
        f"{load()}): recorded {result.recorded:,}, queued {result.queued:,}, "
        f"unchanged {result.unchanged:,}, bad lines {result.errors.total:,}"
    )
    print(f"ratio import_doses/floor: {rate / floor:.3f}")
    print(
        f"CPU: import {RUN_CPU[0]:.1f} s ({args.doses / RUN_CPU[0]:,.0f} doses per CPU-second), "
        f"floor {floor_cpu:.1f} s; ratio in CPU {floor_cpu / RUN_CPU[0]:.3f}"
    )
    if args.profile:
        ranked = sorted(timings.items(), key=lambda kv: -sum(w for w, _ in kv[1]))
        for sql, spent in ranked[:15]:
            wall, used = sum(w for w, _ in spent), sum(c for _, c in spent)
            print(f"  {wall:7.2f} s (CPU {used:6.2f} s) x{len(spent):<3} {sql}")
    if args.ceiling:
        ceiling(args.doses, floor)
    if args.import_only:
        path.unlink()
        sample.unlink()
        return

    seconds, again = run_import(import_doses, path, by)
    print(
        f"the same file again (all unchanged):     {args.doses / seconds:10,.0f} rows/s "
        f"({seconds:.1f} s, {load()}): unchanged {again.unchanged:,}, recorded {again.recorded}"
    )

    seconds, small = run_import(import_doses_per_row, sample, by)
    per_row = args.sample / seconds
    print(
        f"per-row path (dose_record each row):     {per_row:10,.0f} doses/s ({seconds:.1f} s "
        f"for {args.sample:,}, {load()}); bulk/per-row {rate / per_row:.1f}x"
    )

    province = AdminUnit.objects.get(code="38")
    doses = Dose.objects.count()
    started = time.perf_counter()
    units = coverage.coverage_refresh(day=date(2022, 3, 1), province=province)
    seconds = time.perf_counter() - started
    print(
        f"coverage_refresh, one day, every unit:  {seconds:.2f} s ({units} figures, "
        f"{doses:,} doses, {load()})"
    )
    path.unlink()
    sample.unlink()


def statement_timer(timings: dict):
    """An execute wrapper adding each statement's seconds under its first words."""

    def wrapper(execute, sql, params, many, context):
        used = backend_cpu()
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - started
            key = " ".join(str(sql).split())[:100]
            timings.setdefault(key, []).append((seconds, backend_cpu() - used))

    return wrapper


def explainer(over: float = 1.0):
    """An execute wrapper running each data statement under EXPLAIN (ANALYZE, BUFFERS) and
    printing the plans of those that took over `over` seconds (to stderr)."""

    def wrapper(execute, sql, params, many, context):
        text = str(sql).lstrip()
        if many or not text.upper().startswith(("INSERT", "UPDATE", "WITH", "DELETE")):
            return execute(sql, params, many, context)
        started = time.perf_counter()
        result = execute("EXPLAIN (ANALYZE, BUFFERS) " + text, params, many, context)
        seconds = time.perf_counter() - started
        if seconds > over:
            plan = "\n".join(row[0] for row in context["cursor"].fetchall())
            print(f"--- {seconds:.2f} s: {' '.join(text.split())[:100]}\n{plan}", file=sys.stderr)
        return result

    return wrapper


def Person_count() -> str:  # noqa: N802
    from phongdich.people.models import Person

    return f"{Person.objects.count():,}"


if __name__ == "__main__":
    main()
