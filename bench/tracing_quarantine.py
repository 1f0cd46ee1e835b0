"""Tracing and quarantine at one commune's peak, on PostgreSQL (issue 13's targets).

Builds one commune with an F0 and 5,000 of its contacts, each with an active quarantine,
then measures in process through the Django test client (every middleware, the template,
the audited read):

- the commune's contact list and quarantine list (first page, and a later keyset page),
  with the query count of each; target 300 ms;
- importing 5,000 contacts from a CSV through `tracing.imports.import_contacts` (the
  page's and `manage.py import_contacts`'s path: registry matching, batched inserts);
  target under 10 s; and its match-key locks alone, batched (`lib.locks.key_lock_many`)
  against one statement per key;
- a transmission chain of ~500 people: `chain.build_chain` + `render_svg`, and the chain
  page; target under 1 s.

Baselines of the same run: one indexed read of the commune's contact ids (for the lists),
`csv.reader` + bare `bulk_create` of the same people and contacts (for the import), one
lock statement per key (for the batched locks), and
reading the chain's contact rows in one query (for the chain).

    .venv/bin/python bench/tracing_quarantine.py [--contacts 5000] [--import-rows 5000]
        [--runs 9]

Database: pd_bench_tracing (override with BENCH_TRACING_DATABASE_URL); rebuilt every run.
"""

import argparse
import csv
import io
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_TRACING_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pd_bench_tracing"
)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Minh", "Nam", "Thảo"]


def recreate_database() -> None:
    common.recreate_database(DB_URL)


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def show(label: str, ms: list[float], queries: int | None = None) -> float:
    p50 = statistics.median(ms)
    extra = f", {queries} queries" if queries is not None else ""
    print(f"{label:<56} p50 {p50:8.1f} ms  max {max(ms):8.1f} ms{extra}  ({load_average()})")
    return p50


def query_count(fn) -> int:
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        fn()
    return len(queries)


def next_page(url: str, response) -> str:
    """The page's "next" link (id="next-page"), as a full path, or ""."""
    import html
    import re

    found = re.search(r'id="next-page" href="([^"]+)"', response.content.decode())
    return url.split("?")[0] + html.unescape(found.group(1)) if found else ""


def people(n: int, commune, *, offset: int = 0):
    from phongdich.people.models import Person

    rows = []
    for i in range(offset, offset + n):
        person = Person(
            full_name=f"{FAMILY[i % 8]} Văn {GIVEN[i % 10]} {i}",
            birth_year=1940 + i % 70,
            sex="MF"[i % 2],
            phone=f"+8491{i:07d}",
            commune=commune,
        )
        person.refresh_keys()
        rows.append(person)
    return rows


def build_lists(world, staff, n: int):
    """One F0 with `n` contacts in the commune, each in an active quarantine (bulk rows: the
    lists are measured, not the writes)."""
    from django.db import transaction
    from django.utils import timezone

    from phongdich.cases.tests.builders import make_case
    from phongdich.people.models import Person
    from phongdich.quarantine.models import Quarantine
    from phongdich.tracing.models import Contact

    case = make_case(world, staff.commune_worker_a, name="Nguyễn Văn Nguồn")
    today = timezone.localdate()
    with transaction.atomic():
        Person.objects.bulk_create(people(n, world.commune_a), batch_size=2000)
        ids = list(
            Person.objects.filter(commune=world.commune_a, phone__startswith="+8491")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Contact.objects.bulk_create(
            [
                Contact(
                    person_id=pk,
                    source_case=case,
                    generation=1,
                    commune=world.commune_a,
                    source_commune=world.commune_a,
                    exposure_date=today - timedelta(days=i % 5),
                    setting="household" if i % 3 else "workplace",
                    status="quarantined",
                )
                for i, pk in enumerate(ids)
            ],
            batch_size=2000,
        )
        contact_ids = dict(Contact.objects.filter(source_case=case).values_list("person_id", "pk"))
        Quarantine.objects.bulk_create(
            [
                Quarantine(
                    person_id=pk,
                    basis="f1",
                    exposure_date=today - timedelta(days=i % 5),
                    place="home",
                    commune=world.commune_a,
                    policy_key="bench",
                    policy_source="bench",
                    start_date=today - timedelta(days=i % 5),
                    planned_end=today + timedelta(days=7 - i % 5),
                    monitoring_end=today + timedelta(days=10 - i % 5),
                    source_case_id=case.pk,
                    source_contact_id=contact_ids[pk],
                )
                for i, pk in enumerate(ids)
            ],
            batch_size=2000,
        )
    return case


def build_chain(world, staff, *, cases: int = 19, per_case: int = 25):
    """A root F0 whose `cases` contacts became F0, each with `per_case` contacts: about
    1 + cases + cases × per_case people (495 by default, under the 500-node cap)."""
    from phongdich.cases.tests.builders import make_case
    from phongdich.people.models import Person
    from phongdich.tracing.models import Contact

    root = make_case(world, staff.commune_worker_a, commune=world.commune_a2, name="Trần Văn Gốc")
    for i in range(cases):
        child = make_case(
            world,
            staff.commune_worker_a,
            commune=world.commune_a2,
            name=f"Lê Thị Chuỗi {i}",
            birth_year=1970 + i,
        )
        Contact.objects.create(
            person_id=child.person_id,
            source_case=root,
            commune=world.commune_a2,
            source_commune=world.commune_a2,
            exposure_date=child.diagnosed_on - timedelta(days=3),
            setting="household",
            status="became_case",
            became_case=child,
        )
        batch = people(per_case, world.commune_a2, offset=100_000 + i * per_case)
        Person.objects.bulk_create(batch)
        Contact.objects.bulk_create(
            Contact(
                person_id=p.pk,
                source_case=child,
                commune=world.commune_a2,
                source_commune=world.commune_a2,
                exposure_date=child.diagnosed_on,
                setting="workplace",
            )
            for p in batch
        )
    return root


def import_file(case, world, rows: int) -> bytes:
    from phongdich.lib.references import reference_for

    ref = reference_for(case)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Mã ca F0",
            "Họ và tên",
            "Năm sinh",
            "Số điện thoại",
            "Mã xã",
            "Ngày tiếp xúc",
            "Nơi tiếp xúc",
            "Tiêu chí F1",
        ]
    )
    for i in range(rows):
        writer.writerow(
            [
                ref,
                f"{FAMILY[i % 8]} Thị {GIVEN[i % 10]} Nhập {i}",
                1950 + i % 60,
                f"098{i:07d}",
                world.commune_b.code,
                case.diagnosed_on.strftime("%d/%m/%Y"),
                "Nơi làm việc",
                "3",
            ]
        )
    return out.getvalue().encode()


def baseline_import(data: bytes, world, case) -> float:
    """csv.reader + bare bulk_create of the same people and contacts (no matching, no
    checks), rolled back: the floor a per-row-free import could reach."""
    from django.db import transaction

    from phongdich.people.models import Person
    from phongdich.tracing.models import Contact

    started = time.perf_counter()
    with transaction.atomic():
        reader = csv.reader(io.StringIO(data.decode()))
        next(reader)
        batch = []
        for row in reader:
            person = Person(
                full_name=row[1],
                birth_year=int(row[2]),
                phone="+84" + row[3][1:],
                commune=world.commune_b,
            )
            person.refresh_keys()
            batch.append(person)
        Person.objects.bulk_create(batch, batch_size=1000)
        Contact.objects.bulk_create(
            [
                Contact(
                    person=p,
                    source_case=case,
                    commune=world.commune_b,
                    exposure_date=case.diagnosed_on,
                    setting="workplace",
                )
                for p in batch
            ],
            batch_size=1000,
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def lock_batches(keys: int, runs: int) -> None:
    """The import's match-key locks alone: one statement per key (the form before
    `key_lock_many`, the baseline) against one statement for the batch, each in a rolled-back
    transaction of its own."""
    from django.db import connection, transaction

    from phongdich.lib.locks import key_hash, key_lock_many

    names = [f"person:phone:+8498{i:07d}|nguyen thi an|1980" for i in range(keys)]

    def one_by_one():
        with transaction.atomic(), connection.cursor() as cursor:
            for value in sorted({key_hash(k) for k in names}):
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [value])
            transaction.set_rollback(True)

    def batched():
        with transaction.atomic():
            key_lock_many(names)
            transaction.set_rollback(True)

    base = show(f"baseline: {keys:,} key locks, one statement each", timed(one_by_one, runs))
    p50 = show(f"key_lock_many, {keys:,} keys", timed(batched, runs))
    print(f"{'':<56} ratio to baseline: {p50 / base:.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=5_000)
    parser.add_argument("--import-rows", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    recreate_database()
    common.django_setup(DB_URL)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    from phongdich import testing
    from phongdich.lib.imports import as_upload
    from phongdich.tracing import chain
    from phongdich.tracing.imports import import_contacts
    from phongdich.tracing.models import Contact

    print(f"start: {load_average()}")
    world = testing.make_world()
    staff = testing.make_staff(world)
    started = time.perf_counter()
    case = build_lists(world, staff, args.contacts)
    print(
        f"built {args.contacts:,} contacts and quarantines in {time.perf_counter() - started:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    client = Client()
    client.force_login(staff.commune_worker_a)
    commune = world.commune_a.pk

    def baseline():
        list(Contact.objects.filter(commune_id=commune).values_list("pk", flat=True))

    base = show("baseline: the commune's contact ids (1 query)", timed(baseline, args.runs))
    pages = {
        "contact list, first page": f"/tracing/contacts/?commune={commune}",
        "quarantine list, first page": f"/quarantine/?commune={commune}",
    }
    for label, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        later = next_page(url, response)
        entries = [(label, url)]
        if later:
            # two pages on: the keyset cursor costs the same as the first page
            later = next_page(url, client.get(later)) or later
            entries.append((label.replace("first", "third"), later))
        for name, page in entries:
            queries = query_count(lambda page=page: client.get(page))
            p50 = show(name, timed(lambda page=page: client.get(page), args.runs), queries)
            print(f"{'':<56} ratio to baseline: {p50 / base:.1f}×")

    # --- the import ---------------------------------------------------------------------
    data = import_file(case, world, args.import_rows)
    floor = baseline_import(data, world, case)
    print(
        f"{'baseline: csv.reader + bare bulk_create':<56} {args.import_rows / floor:9.0f} rows/s "
        f"({floor:.2f} s)  ({load_average()})"
    )
    started = time.perf_counter()
    result = import_contacts(
        by=staff.province_admin,
        upload=as_upload("tiep-xuc.csv", data),
        mode="keep_good",
        max_rows=max(args.import_rows, 10_000),
    )
    seconds = time.perf_counter() - started
    assert result.added == args.import_rows, (result.added, result.errors.entries[:3])
    print(
        f"{'import_contacts, ' + f'{args.import_rows:,} rows':<56} "
        f"{args.import_rows / seconds:9.0f} rows/s ({seconds:.2f} s)  ({load_average()})"
    )
    print(f"{'':<56} ratio import/baseline throughput: {floor / seconds:.2f}")
    lock_batches(args.import_rows, args.runs)

    # --- the chain ----------------------------------------------------------------------
    root = build_chain(world, staff)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    built = chain.build_chain([root])
    print(f"chain: {len(built.nodes)} people, cut: {built.truncated}")

    def chain_floor():
        list(
            Contact.objects.filter(
                source_case__in=Contact.objects.filter(source_case=root).values("became_case")
            ).values_list("pk", "person_id")
        )

    floor_ms = show(
        "baseline: the chain's second level in one query", timed(chain_floor, args.runs)
    )

    def draw():
        chain.render_svg(chain.build_chain([root]), title="bench")

    queries = query_count(draw)
    p50 = show("build_chain + render_svg", timed(draw, args.runs), queries)
    print(f"{'':<56} ratio to baseline: {p50 / floor_ms:.1f}×")
    admin = Client()
    admin.force_login(staff.province_admin)
    url = f"/tracing/cases/{root.pk}/chain/"
    assert admin.get(url).status_code == 200
    queries = query_count(lambda: admin.get(url))
    show(
        "chain page (test client, full middleware)",
        timed(lambda: admin.get(url), args.runs),
        queries,
    )


if __name__ == "__main__":
    main()
