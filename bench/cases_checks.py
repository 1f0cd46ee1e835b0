"""F0 home-care monitoring at scale, on PostgreSQL.

1. Check submissions through the citizen's personal link (POST /cases/c/<token>/, the real
   form with CSRF, through gunicorn and every middleware: link lookup, rate limits, danger
   signs, alert, audit event, on-commit task enqueue) against the trivial /api/ping in the
   same run: per second, p50/p99 and the ratio. 5 % of checks carry SpO2 95 and raise an
   alert (with its e-mail task queued), as a bad day would.
2. The care-team queue of one commune with 2,000 active F0 rendered server-side: in-process
   time and pinned query count (first page of 100, and all 2,000 rows on one page), then
   the page through gunicorn with p50/p99.

    .venv/bin/python bench/cases_checks.py [--quick] [--f0 40000] [--checks 3000] [--reuse]
        [--workers 2]

Beside the rates: CPU per request of the gunicorn workers and their PostgreSQL backends
(/proc), and the CPU ratio ping/path, which a shared machine disturbs far less.

--quick: 4,000 active F0 (2 communes of 2,000) and 600 checks. Database: pd_bench_cases
(override with BENCH_CASES_DATABASE_URL); rebuilt on every run.

The rate limiter stays on; because every request comes from 127.0.0.1, the bench raises
the per-IP ceiling (CASES_CHECK_IP_LIMIT) in a settings module written to a temporary
directory. Per-link limits are unchanged (each request uses a different F0's link).
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_CASES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pd_bench_cases"
)
PER_COMMUNE = 2000


def recreate_database() -> None:
    common.recreate_database(DB_URL)


def bench_settings_module() -> str:
    """A settings module (outside the repo) that only raises the per-IP ceiling."""
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-cases-"))
    (folder / "pd_bench_cases_settings.py").write_text(
        "from phongdich.settings import *  # noqa\nCASES_CHECK_IP_LIMIT = 10_000_000\n"
    )
    return str(folder)


def build(total_f0: int):
    """Province, communes of 2,000 active F0 each, one check per F0, a link per F0."""
    from django.db import connection
    from django.utils import timezone

    from phongdich import testing
    from phongdich.accounts.models import Role, User
    from phongdich.cases import rules
    from phongdich.cases.models import Alert, Case, CaseLink, HealthCheck
    from phongdich.geo.models import AdminUnit
    from phongdich.lib.tokens import new_token
    from phongdich.people.models import Person

    world = testing.make_world()
    communes = [world.commune_a, world.commune_a2, world.commune_b]
    for i in range(max(0, total_f0 // PER_COMMUNE - len(communes))):
        code = f"9{i:04d}"
        communes.append(
            AdminUnit.objects.create(
                code=code,
                name=f"Xã Thử {i}",
                kind="commune",
                parent=world.district_a,
                path=f"{world.district_a.path}{code}/",
            )
        )
    communes = communes[: max(1, total_f0 // PER_COMMUNE)]
    care = User(username="chamsoc.a", role=Role.CARE_TEAM_MEMBER, jurisdiction=world.commune_a)
    care.set_password(testing.PASSWORD)
    care.save()

    rng = random.Random(7)
    now = timezone.now()
    today = timezone.localdate()
    raws = []
    started = time.perf_counter()
    for commune in communes:
        people = [
            Person(
                full_name=f"Nguyễn Văn Thử {commune.code}-{i}",
                name_key=f"nguyen van thu {commune.code} {i}",
                given_key=str(i),
                birth_year=rng.randint(1940, 2015),
                phone=f"+8491{rng.randint(0, 9999999):07d}",
                commune=commune,
            )
            for i in range(PER_COMMUNE)
        ]
        Person.objects.bulk_create(people, batch_size=5000)
        cases = []
        for person in people:
            age = today.year - person.birth_year
            vaccinated = rng.random() < 0.8
            comorbid = rng.random() < 0.15
            diagnosed = today - timedelta(days=rng.randint(0, 9))
            cases.append(
                Case(
                    person=person,
                    commune=commune,
                    status="active",
                    source="lab",
                    basis="pcr",
                    diagnosed_on=diagnosed,
                    isolation_start=diagnosed,
                    vaccination="full" if vaccinated else "none",
                    comorbidities="Đái tháo đường" if comorbid else "",
                    last_check_at=now - timedelta(minutes=rng.randint(10, 20 * 60)),
                    risk_score=len(
                        rules.risk_factors(
                            age_years=age, has_comorbidity=comorbid, fully_vaccinated=vaccinated
                        )
                    ),
                )
            )
        Case.objects.bulk_create(cases, batch_size=5000)
        HealthCheck.objects.bulk_create(
            [
                HealthCheck(
                    case=case,
                    at=case.last_check_at,
                    source="self",
                    spo2=98,
                    respiratory_rate=18,
                    submission_key=f"seed-{case.pk}",
                )
                for case in cases
            ],
            batch_size=5000,
        )
        # 3 % of F0 have an open alert, as on a normal day.
        flagged = [c for c in cases if rng.random() < 0.03]
        Alert.objects.bulk_create(
            [Alert(case=c, kind="danger", reasons=["SpO2 95% (≤ 96%)"]) for c in flagged]
        )
        Case.objects.filter(pk__in=[c.pk for c in flagged]).update(
            open_alerts=1, open_danger_alerts=1
        )
        links = []
        for case in cases:
            raw, digest = new_token()
            raws.append(raw)
            links.append(
                CaseLink(case=case, token_hash=digest, expires_at=now + timedelta(days=21))
            )
        CaseLink.objects.bulk_create(links, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"data: {len(communes) * PER_COMMUNE:,} active F0 in {len(communes)} communes "
        f"({PER_COMMUNE:,} each), built in {time.perf_counter() - started:.1f} s"
    )
    return world, care, raws


def reuse(checks: int):
    """Fresh links for a sample of the existing F0 (only hashes were stored last time)."""
    from datetime import timedelta

    from django.utils import timezone

    from phongdich.accounts.models import User
    from phongdich.cases.models import Case, CaseLink
    from phongdich.lib.tokens import new_token

    count = Case.objects.filter(status="active").count()
    print(f"data: reusing {count:,} active F0 from the previous run")
    ids = list(
        Case.objects.filter(status="active").order_by("?").values_list("pk", flat=True)[:checks]
    )
    raws, links = [], []
    for pk in ids:
        raw, digest = new_token()
        raws.append(raw)
        links.append(
            CaseLink(case_id=pk, token_hash=digest, expires_at=timezone.now() + timedelta(days=1))
        )
    CaseLink.objects.bulk_create(links)
    return User.objects.get(username="chamsoc.a"), raws


def queue_in_process(care) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from phongdich.cases import views

    client = Client()
    client.force_login(care)
    for label, page_size in (("first page, 100 rows", 100), ("all 2,000 rows", 2000)):
        views.QUEUE_PAGE_SIZE = page_size
        client.get("/cases/")  # warm
        samples = []
        for _ in range(15):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/cases/")
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        rows = response.content.count(b'id="case-')
        print(
            f"queue in-process ({label}): p50 {statistics.median(samples):7.1f} ms  "
            f"max {max(samples):7.1f} ms  queries {len(queries)}  rows rendered {rows}"
        )
    views.QUEUE_PAGE_SIZE = 100


def session_cookie(care) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(care.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = care.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--f0", type=int, default=40_000)
    parser.add_argument("--checks", type=int, default=3000)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database of the previous run"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    total_f0 = 4000 if args.quick else args.f0
    checks = 600 if args.quick else args.checks

    if not args.reuse:
        recreate_database()
    common.django_setup(DB_URL)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.reuse:
        care, raws = reuse(checks)
    else:
        _world, care, raws = build(total_f0)
        total_f0 = len(raws)
    queue_in_process(care)

    folder = bench_settings_module()
    os.environ["PYTHONPATH"] = folder + os.pathsep + os.environ.get("PYTHONPATH", "")
    os.environ["DJANGO_SETTINGS_MODULE"] = "pd_bench_cases_settings"
    os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    run_id = secrets.token_hex(3)
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts an unmasked secret
    rng = random.Random(11)
    order = rng.sample(range(len(raws)), k=min(checks, len(raws)))
    danger = set(rng.sample(range(len(order)), k=len(order) // 20))

    def check_request(i):
        fields = {
            "csrfmiddlewaretoken": csrf,
            "submission_key": f"bench-{run_id}-{i}",
            "temperature": "37.4",
            "spo2": "95" if i in danger else "98",
            "respiratory_rate": "18",
            "pulse": "88",
            "symptoms": "cough",
        }
        return (
            "POST",
            f"/cases/c/{raws[order[i % len(order)]]}/",
            urlencode(fields).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf}",
            },
        )

    cookie = session_cookie(care)
    with common.gunicorn_server(DB_URL, workers=args.workers) as server:
        host, port = server
        common.load("warm-up", host, port, lambda i: ("GET", "/api/ping", None, {}), 50)
        ping = common.load(
            "GET /api/ping (baseline)",
            host,
            port,
            lambda i: ("GET", "/api/ping", None, {}),
            total=checks,
            max_seconds=60,
            cpu=server,
        )
        submit = common.load(
            "POST check via personal link",
            host,
            port,
            check_request,
            total=len(order),
            max_seconds=120,
            cpu=server,
        )
        queue = common.load(
            "GET care-team queue (2,000 F0)",
            host,
            port,
            lambda i: ("GET", "/cases/", None, {"Cookie": cookie}),
            total=100 if args.quick else 200,
            concurrency=2,
            max_seconds=60,
            cpu=server,
        )
    print(
        f"gunicorn {args.workers} workers, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    for stats in (ping, submit, queue):
        print(stats.line())
    print(f"check submissions: {submit.per_second:.1f}/s; {submit.ratios(ping)}")
    from phongdich.cases.models import Case

    total_f0 = Case.objects.filter(status="active").count()
    needed = total_f0 * 2 / 86_400
    print(
        f"load at this scale: {total_f0:,} F0 × 2 checks/day = {needed:.2f} checks/s on average;"
        f" 200,000 F0 = {200_000 * 2 / 86_400:.1f}/s average"
        f" (if all come in 2 morning/evening hours: {200_000 / 7200:.1f}/s)"
    )
    from phongdich.cases.models import HealthCheck

    made = HealthCheck.objects.filter(submission_key__startswith=f"bench-{run_id}-").count()
    print(f"checks recorded by the run: {made} (requests sent: {submit.count})")


if __name__ == "__main__":
    main()
