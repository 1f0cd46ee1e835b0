"""Committee overview and reporter task list latency with many confirmed conclusions.

Loads the five seed conclusions D times over (default 60 documents; --quick 10) into the
PostgreSQL database pd_bench_directives with the real Thanh Hóa geography, so group
addressees fan out to all 27 district People's Committees, confirms them, then serves the
pages through gunicorn: /directives/overview/ (committee), /directives/mine/ (a district
reporter) against the trivial /api/ping as the same-run baseline. Prints p50/p99 and ratios.

    .venv/bin/python bench/directives_overview.py [--quick] [--documents N]
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

# BENCH_DB names another database, so two checkouts can measure side by side.
DB_URL = common.PG_URL.rsplit("/", 1)[0] + "/" + os.environ.get("BENCH_DB", "pd_bench_directives")


def session_cookie(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"sessionid={store.session_key}"


def prepare(documents: int):
    common.django_setup(DB_URL)
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from phongdich.accounts.models import Role, User
    from phongdich.directives import services
    from phongdich.directives.models import Document, OrgUnit, Task
    from phongdich.geo.models import AdminUnit
    from phongdich.geo.services import geography_load

    call_command("migrate", verbosity=0)
    geography_load(dataset="2021", province="38")
    province = AdminUnit.objects.get(code="38")
    services.units_seed(by=None, province=province)
    clerk = User.objects.filter(username="bench.clerk").first() or User.objects.create(
        username="bench.clerk", role=Role.DIRECTIVE_CLERK, jurisdiction=province
    )
    committee = User.objects.filter(username="bench.bcd").first() or User.objects.create(
        username="bench.bcd", role=Role.COMMITTEE_MEMBER, jurisdiction=province
    )
    city = OrgUnit.objects.get(name="UBND Thành phố Thanh Hóa")
    reporter = User.objects.filter(username="bench.huyen").first() or User.objects.create(
        username="bench.huyen", role=Role.UNIT_REPORTER, jurisdiction=city.admin_unit
    )
    services.membership_add(by=None, user=reporter, unit=city)
    from django.conf import settings

    seeds = sorted(Path(settings.SEEDS_DIR).glob("*.txt"))
    if not seeds:
        sys.exit(f"no seed conclusions in {settings.SEEDS_DIR} (set PHONGDICH_SEEDS_DIR)")
    have = Document.objects.filter(status=Document.Status.CONFIRMED).count()
    started = time.perf_counter()
    for i in range(have, documents):
        path = seeds[i % len(seeds)]
        document = services.document_import(
            by=clerk, upload=ContentFile(path.read_bytes(), name=f"{i:04d}-{path.name}")
        )
        services.document_confirm(by=clerk, document=document)
    if documents > have:
        print(f"  imported {documents - have} documents in {time.perf_counter() - started:.1f} s")
    tasks = Task.objects.filter(is_draft=False).count()
    mine = Task.objects.filter(is_draft=False, assignments__unit=city).distinct().count()
    print(f"  {Document.objects.count()} documents, {tasks:,} confirmed tasks, reporter has {mine}")
    return session_cookie(committee), session_cookie(reporter)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--documents", type=int)
    args = parser.parse_args()
    documents = args.documents or (10 if args.quick else 60)
    requests = 40 if args.quick else 200
    committee_cookie, reporter_cookie = prepare(documents)
    with common.gunicorn_server(DB_URL, workers=2) as (host, port):

        def get(path, cookie=None):
            headers = {"Cookie": cookie} if cookie else {}
            return lambda i: ("GET", path, None, headers)

        baseline = common.load("baseline /api/ping", host, port, get("/api/ping"), requests)
        overview = common.load(
            "committee /directives/overview/",
            host, port, get("/directives/overview/", committee_cookie), requests,
        )  # fmt: skip
        mine = common.load(
            "reporter /directives/mine/",
            host, port, get("/directives/mine/", reporter_cookie), requests,
        )  # fmt: skip
    for stats in (baseline, overview, mine):
        print(stats.line())
    for stats in (overview, mine):
        print(f"ratio {stats.label} / ping p50: {stats.p50_ms / baseline.p50_ms:.1f}x")


if __name__ == "__main__":
    main()
