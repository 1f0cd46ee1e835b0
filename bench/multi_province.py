"""Several provinces side by side in one PostgreSQL database: do a province's pages slow
down as others are added? (issue 17, national scale)

Loads 1, then 2, then 4 provinces (Thanh Hóa first, then Nghệ An, Hà Tĩnh, Quảng Bình),
each with the same small synthetic load: its communes (the shipped 2021 units), PEOPLE per
commune from the demo's generator, F0 cases for a share of them with three health checks and three contacts each (checks
partitioned by province, cases migration 0011), and audit events
(partitioned by province and month, audit.partitions). After each step it times Thanh
Hóa's main pages (an F0's page with its checks and the contact list among them) for its
province admin, in-process (Django test client, every
middleware), with GET /api/ping in the same run as the baseline, and prints each page's
p50 against the 1-province run.

    .venv/bin/python bench/multi_province.py [--provinces 1,2,4] [--people 150] [--events 200000]

Database: phongdich_bench_h7 (BENCH_MULTI_DATABASE_URL), rebuilt at every run.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_MULTI_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/phongdich_bench_h7"
)
ORDER = ["38", "40", "42", "44"]  # Thanh Hóa, Nghệ An, Hà Tĩnh, Quảng Bình
MEASURED = "38"
F0_SHARE = 0.02


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def timed(call, repeat: int) -> float:
    call()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def reset_database():
    import psycopg

    base, name = DB_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    common.django_setup(DB_URL)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_province(code: str, people_per_commune: int, events: int, seed: int) -> dict:
    """One province's communes, people, F0 and audit events; its admin account."""
    from django.db import connection
    from django.utils import timezone

    from phongdich import testing
    from phongdich.accounts.models import Role, User
    from phongdich.audit import partitions
    from phongdich.cases.models import Case, HealthCheck
    from phongdich.demo.loader import bulk_load_people
    from phongdich.demo.synthetic import PeopleGenerator
    from phongdich.geo.models import AdminUnit
    from phongdich.geo.services import geography_load
    from phongdich.people.models import Person
    from phongdich.tracing.models import Contact

    started = time.perf_counter()
    geography_load(dataset="2021", province=code)
    province = AdminUnit.objects.get(code=code)
    communes = list(
        AdminUnit.objects.filter(path__startswith=province.path, kind="commune").order_by("code")
    )
    admin = User(username=f"admin-{code}", role=Role.PROVINCE_ADMIN, jurisdiction=province)
    admin.set_password(testing.PASSWORD)
    admin.save()
    generator = PeopleGenerator(seed, code)
    rows = (row for unit in communes for row in generator.people(unit.pk, people_per_commune))
    people = bulk_load_people(rows)
    rng = random.Random(seed)
    today, now = timezone.localdate(), timezone.now()
    residents = list(
        Person.objects.filter(commune__path__startswith=province.path).values_list(
            "pk", "commune_id"
        )
    )
    cases = [
        Case(
            person_id=pk,
            commune_id=commune_id,
            status="active",
            source="lab",
            basis="pcr",
            diagnosed_on=today - timedelta(days=rng.randint(0, 9)),
            isolation_start=today - timedelta(days=rng.randint(0, 9)),
            last_check_at=None
            if rng.random() < 0.1
            else now - timedelta(minutes=rng.randint(10, 1200)),
            risk_score=rng.randint(0, 3),
        )
        for pk, commune_id in residents
        if rng.random() < F0_SHARE
    ]
    Case.objects.bulk_create(cases, batch_size=5000)
    # Three checks an F0 (cases_healthcheck, partitioned by province: the bulk path names
    # each check's code from its case) and three contacts an F0, listed and living in the
    # F0's commune (the contact list names both codes).
    checks = [
        HealthCheck(
            case=case,
            at=now - timedelta(hours=8 * n + rng.randint(0, 7)),
            source="self",
            spo2=rng.choice([97, 98, 99]),
            respiratory_rate=18,
            submission_key=f"bench-{case.pk}-{n}",
        )
        for case in cases
        for n in range(3)
    ]
    HealthCheck.objects.bulk_create(checks, batch_size=5000)
    contacts = [
        Contact(
            person_id=person_id,
            source_case=case,
            commune_id=case.commune_id,
            source_commune_id=case.commune_id,
            exposure_date=today - timedelta(days=rng.randint(0, 9)),
            setting="household",
        )
        for case in cases
        for person_id in {rng.choice(residents)[0] for _ in range(3)} - {case.person_id}
    ]
    Contact.objects.bulk_create(contacts, batch_size=5000, ignore_conflicts=True)
    partitions.prepare_partitions(since=today - timedelta(seconds=events))
    with connection.cursor() as cursor:
        # Audit events over the last `events` seconds; one in 30 of the oldest tenth is
        # 'bench.export' (the action filter's rare, old matches).
        cursor.execute(
            """
            INSERT INTO audit_auditevent
                (at, actor_id, actor_label, kind, action, target_type, target_id,
                 target_label, ip, changes, province, app)
            SELECT now() - (i || ' seconds')::interval, %s, %s, 'read',
                   CASE WHEN i %% 30 = 0 AND i > %s * 0.9 THEN 'bench.export'
                        ELSE 'people.search' END,
                   'people.person', (i %% 100000)::text, 'Nguyễn Văn ' || (i %% 997),
                   '127.0.0.1', '{"q": "nguyen"}'::jsonb, %s,
                   CASE WHEN i %% 30 = 0 AND i > %s * 0.9 THEN 'bench' ELSE 'people' END
            FROM generate_series(1, %s) AS i
            """,
            [admin.pk, admin.username, events, code, events, events],
        )
        tables = ("audit_auditevent", "people_person", "cases_case", "cases_healthcheck")
        for table in (*tables, "tracing_contact"):
            cursor.execute(f"ANALYZE {table}")
    return {
        "code": code,
        "communes": len(communes),
        "people": people,
        "f0": len(cases),
        "checks": len(checks),
        "events": events,
        "seconds": time.perf_counter() - started,
    }


PAGES = [
    ("care queue /cases/", "/cases/"),
    ("audit log /audit/", "/audit/"),
    ("audit, action 'bench.'", "/audit/?action=bench."),
    ("audit, one day", None),  # filled with today's date
    ("people search 'Nguyễn Văn'", "/people/?q=Nguy%E1%BB%85n+V%C4%83n"),
    ("stats /stats/", "/stats/"),
    ("an F0's page (its checks)", "case"),  # filled with the province's first F0
    ("contact list /tracing/contacts/", "/tracing/contacts/"),
]


def measure(repeat: int) -> dict:
    from django.test import Client
    from django.utils import timezone

    from phongdich.accounts.models import User
    from phongdich.cases.models import Case

    client = Client()
    client.force_login(User.objects.get(username=f"admin-{MEASURED}"))
    results = {"ping": timed(lambda: client.get("/api/ping"), repeat * 3)}
    day = timezone.localdate().strftime("%d/%m/%Y")
    for label, path in PAGES:
        if path == "case":
            path = f"/cases/{Case.objects.filter(province=MEASURED).order_by('pk')[0].pk}/"
        path = path or f"/audit/?day={day}"
        status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        results[label] = timed(lambda p=path: client.get(p), repeat)
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--provinces", default="1,2,4")
    parser.add_argument("--people", type=int, default=150, help="people per commune")
    parser.add_argument("--events", type=int, default=200_000, help="audit events a province")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    steps = [int(n) for n in args.provinces.split(",")]
    reset_database()
    loaded: list[str] = []
    runs: dict[int, dict] = {}
    for step in steps:
        for code in ORDER[len(loaded) : step]:
            info = load_province(code, args.people, args.events, seed=int(code))
            loaded.append(code)
            print(
                f"loaded province {code}: {info['communes']} communes, {info['people']:,} "
                f"people, {info['f0']:,} F0, {info['checks']:,} checks, "
                f"{info['events']:,} audit events in "
                f"{info['seconds']:.0f} s; {load_average()}"
            )
        runs[step] = measure(args.repeat)
        print(f"measured with {step} province(s); {load_average()}")
    first = runs[steps[0]]
    header = "page (province 38 admin), p50 ms".ljust(34) + "".join(
        f"{n} prov.".rjust(18) for n in steps
    )
    print("\n" + header)
    for label in ["ping"] + [label for label, _ in PAGES]:
        cells = []
        for n in steps:
            value = runs[n][label]
            cells.append(f"{value:8.1f} ({value / first[label]:4.2f}x)".rjust(18))
        print(label.ljust(34) + "".join(cells))
    print("\n(ratio to the 1-province run of the same page; ping is the same-run baseline)")


if __name__ == "__main__":
    main()
