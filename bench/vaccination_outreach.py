"""A commune's outreach list ("không bỏ sót") at 20,000 residents, on PostgreSQL.

Builds one commune of 20,000 synthetic residents vaccinated like the demo (the demo's own
schedule generator), then measures, in process through the Django test client (every
middleware, the template, the audit read): the list page for "not vaccinated, 15 and over"
and for everyone needing a dose, with the query count of each (the first read of the day,
which computes the per-person summaries, is reported apart); the XLSX export of the whole
list; the streamed browser print of the whole list and of a smaller filter (wall and CPU
time, queries, rows, and the peak of Python memory while the response is read chunk by
chunk and thrown away, tracemalloc); and the baseline of the same run: one indexed read of
the commune's residents' ids.

    .venv/bin/python bench/vaccination_outreach.py [--residents 20000] [--runs 15] [--reuse]

Database: pd_bench_vaccination (override with BENCH_VACCINATION_DATABASE_URL); rebuilt
unless --reuse.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_VACCINATION_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pd_bench_vaccination"
)


def recreate_database() -> None:
    common.recreate_database(DB_URL)


def build(residents: int):
    from django.db import transaction

    from phongdich import testing
    from phongdich.people.models import Person
    from phongdich.vaccination import demo, rules, services
    from phongdich.vaccination.models import Dose, Source, VaccineProduct

    world = testing.make_world()
    services.policy_seed_if_empty()
    products = {p.code: p for p in VaccineProduct.objects.all()}
    rng = random.Random(11)
    family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi"]
    given = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Minh", "Nam", "Thảo"]
    with transaction.atomic():
        people = []
        for i in range(residents):
            full = f"{rng.choice(family)} Văn {rng.choice(given)} {i}"
            person = Person(
                full_name=full,
                birth_year=rng.randint(1935, 2020),
                sex=rng.choice("MF"),
                phone=f"09{i:08d}",
                commune=world.commune_a,
            )
            person.refresh_keys()
            people.append(person)
        Person.objects.bulk_create(people, batch_size=5000)
        doses = []
        for pk, birth_year in Person.objects.filter(commune=world.commune_a).values_list(
            "pk", "birth_year"
        ):
            age = rules.age_on(rules.Person(birth_year=birth_year), date(2022, 3, 1))
            for code, number, kind, day in demo.person_schedule(rng, age):
                doses.append(
                    Dose(
                        person_id=pk,
                        product=products[code],
                        dose_number=number,
                        kind=kind,
                        given_on=day,
                        site_kind="fixed",
                        source=Source.IMPORTED,
                        source_id=f"bench-{pk}-{number}",
                    )
                )
        Dose.objects.bulk_create(doses, batch_size=5000)
    return world, len(doses)


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
    print(f"{label:<52} p50 {p50:8.1f} ms  max {max(ms):8.1f} ms{extra}")
    return p50


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--print-only", action="store_true", help="only the streamed print")
    args = parser.parse_args()
    if not args.reuse:
        recreate_database()
    common.django_setup(DB_URL)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from phongdich.people.models import Person
    from phongdich.vaccination.models import Dose

    call_command("migrate", verbosity=0)
    if args.reuse and Person.objects.exists():
        # The built commune is the one holding the residents; make_world would clash.
        world = SimpleNamespace(commune_a=Person.objects.order_by("pk").first().commune)
    else:
        started = time.perf_counter()
        world, doses = build(args.residents)
        print(
            f"built {args.residents:,} residents, {doses:,} doses in "
            f"{time.perf_counter() - started:.1f} s"
        )
    from phongdich.vaccination.models import OutreachSummary

    OutreachSummary.objects.all().delete()  # measure the first read of the day too
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from phongdich.accounts.models import User
    from phongdich.vaccination.tests.builders import officer

    user = User.objects.filter(username="tiemchung.a").first() or officer(world)
    client = Client()
    client.force_login(user)
    commune = world.commune_a.pk
    residents = Person.objects.filter(commune=world.commune_a).count()
    print(
        f"commune: {residents:,} residents, "
        f"{Dose.objects.filter(person__commune=world.commune_a).count():,} doses"
    )

    def baseline():
        list(Person.objects.filter(commune_id=commune).values_list("pk", flat=True))

    urls = {
        "list: not vaccinated, 15 and over": f"/vaccination/outreach/?commune={commune}"
        "&min_age=15&need=unvaccinated",
        "list: everyone needing a dose": f"/vaccination/outreach/?commune={commune}",
    }
    base = show("baseline: the commune's resident ids (1 query)", timed(baseline, args.runs))
    if args.print_only:
        client.get(urls["list: everyone needing a dose"])  # the summaries computed
        printed(client, connection, commune, args.runs)
        return
    for label, url in urls.items():
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        cold = (time.perf_counter() - started) * 1000
        print(f"{label + ' (first read: summaries computed)':<52} {cold:8.1f} ms")
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        ms = timed(lambda url=url: client.get(url), args.runs)
        p50 = show(label, ms, len(queries))
        print(f"{'':<52} ratio to baseline: {p50 / base:.1f}×")
    export = f"/vaccination/outreach.xlsx?commune={commune}"
    response = client.get(export)
    rows = b"".join(response.streaming_content if response.streaming else [response.content])
    show(
        f"XLSX export, whole list ({len(rows) // 1024:,} KiB)",
        timed(
            lambda: b"".join(getattr(client.get(export), "streaming_content", [b""])),
            max(3, args.runs // 5),
        ),
    )

    printed(client, connection, commune, args.runs)


def printed(client, connection, commune: int, runs: int) -> None:
    """The streamed print: flat memory means the peak does not grow with the rows."""
    import tracemalloc

    urls = {
        "print: not vaccinated, 15 and over": f"/vaccination/outreach/print/?commune={commune}"
        "&min_age=15&need=unvaccinated",
        "print: everyone needing a dose": f"/vaccination/outreach/print/?commune={commune}",
    }
    for label, url in urls.items():
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        size = rows = 0
        tracemalloc.start()
        with connection.execute_wrapper(count):
            response = client.get(url)
            for chunk in response.streaming_content:  # read and dropped, as a socket would
                size += len(chunk)
                rows += chunk.count(b"<tr>")
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        walls, cpus = [], []
        for _ in range(max(3, runs // 5)):
            wall, cpu = time.perf_counter(), time.process_time()
            for _chunk in client.get(url).streaming_content:
                pass
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        show(f"{label} ({rows - 1:,} rows, {size // 1024:,} KiB)", walls, len(queries))
        print(
            f"{'':<52} CPU p50 {statistics.median(cpus):8.1f} ms; "
            f"peak Python memory {peak / 2**20:.1f} MiB"
        )


if __name__ == "__main__":
    main()
