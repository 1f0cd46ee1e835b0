"""Committee overview and reporter task list latency with many confirmed conclusions.

Loads the five seed conclusions D times over (default 60 documents; --quick 10) into the
PostgreSQL database pd_bench_directives with the real Thanh Hóa geography, so group
addressees fan out to all 27 district People's Committees, confirms them, then serves the
pages through gunicorn: /directives/overview/ (committee), /directives/mine/ (a district
reporter) against the trivial /api/ping as the same-run baseline. Prints p50/p99 and ratios.

`--before REV` also serves the code of git revision REV (exported to a temporary folder) on
the same database in the same run, measures its pages the same way, and checks that both
overviews show the same figures (every table cell and total). The in-process lines time
one request through the test client (full middleware): queries, bytes, the first request
after a change (figures recounted, tables rendered) and the next ones (read back).

    .venv/bin/python bench/directives_overview.py [--quick] [--documents N] [--before REV]
"""

import argparse
import contextlib
import html
import os
import re
import subprocess
import sys
import tempfile
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
    call_command("createcachetable")  # the overview caches its rendered tables
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


FIGURE_IDS = ("total-tasks", "total-on-time", "total-late", "total-open", "total-overdue")
TABLE_IDS = ("by-document", "by-unit", "overdue", "recurring")


def figures_of(page: str) -> dict:
    """Every total and every table cell's text of an overview page, by element id."""
    found = {}
    for name in FIGURE_IDS:
        match = re.search(rf'id="{name}">([^<]*)<', page)
        found[name] = match and match.group(1).strip()
    for name in TABLE_IDS:
        match = re.search(rf'<table[^>]*id="{name}">(.*?)</table>', page, re.S)
        if match is None:
            found[name] = None
            continue
        rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
        found[name] = [
            [html.unescape(re.sub(r"<[^>]+>|\s+", " ", c)).split() for c in
             re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in rows
        ]  # fmt: skip
    return found


def fetch(host, port, path, cookie) -> str:
    import http.client

    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie})
    body = conn.getresponse().read().decode()
    conn.close()
    return body


@contextlib.contextmanager
def checkout(rev: str):
    """The code of `rev`, exported to a temporary folder (the same virtualenv runs it)."""
    with tempfile.TemporaryDirectory(prefix="bench-before-") as folder:
        archive = subprocess.run(
            ["git", "archive", rev], cwd=common.ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder)


def in_process(label: str, path: str, user, *, changed: bool, runs: int = 20) -> None:
    """One request through the test client: p50 of `runs`, queries and bytes; `changed`
    announces a change before each request (the figures are recounted every time)."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from phongdich.directives.overview import figures_changed

    client = Client()
    client.force_login(user)
    client.get(path)  # warm
    times, queries, size = [], 0, 0
    for _ in range(runs):
        if changed:
            with transaction.atomic():
                figures_changed()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        queries, size = len(captured), len(response.content)
    times.sort()
    print(
        f"  in process {label:<34} p50 {times[len(times) // 2]:7.1f} ms  "
        f"{queries} queries  {size / 1024:.0f} KB"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--documents", type=int)
    parser.add_argument("--before", help="git revision to measure in the same run")
    args = parser.parse_args()
    documents = args.documents or (10 if args.quick else 60)
    requests = 40 if args.quick else 200
    committee_cookie, reporter_cookie = prepare(documents)

    def get(path, cookie=None):
        headers = {"Cookie": cookie} if cookie else {}
        return lambda i: ("GET", path, None, headers)

    def measure(root, tag: str):
        with common.gunicorn_server(DB_URL, workers=2, root=root) as (host, port):
            page = fetch(host, port, "/directives/overview/", committee_cookie)
            stats = [
                common.load(f"{tag}baseline /api/ping", host, port, get("/api/ping"), requests),
                common.load(
                    f"{tag}committee /directives/overview/",
                    host, port, get("/directives/overview/", committee_cookie), requests,
                ),
                common.load(
                    f"{tag}reporter /directives/mine/",
                    host, port, get("/directives/mine/", reporter_cookie), requests,
                ),
            ]  # fmt: skip
        for line in stats:  # now, so a later failure does not lose them
            print(line.line(), flush=True)
        return stats, page

    runs = []
    if args.before:
        with checkout(args.before) as root:
            runs.append(measure(root, f"{args.before[:10]}: "))
    runs.append(measure(common.ROOT, "now: " if args.before else ""))
    for stats, _page in runs:
        baseline, overview, mine = stats
        for line in (overview, mine):
            print(f"ratio {line.label} / ping p50: {line.p50_ms / baseline.p50_ms:.1f}x")
    if args.before:
        (before, before_page), (now, now_page) = runs
        print(
            f"overview p50 now / before: {now[1].p50_ms / before[1].p50_ms:.2f} "
            f"(ping now / before: {now[0].p50_ms / before[0].p50_ms:.2f})"
        )
        old, new = figures_of(before_page), figures_of(now_page)
        differ = [name for name in old if old[name] != new[name]]
        cells = sum(len(sum(v, [])) for v in new.values() if isinstance(v, list))
        print(f"figures identical: {not differ} ({cells} table cells, totals {new['total-tasks']})")
        for name in differ:
            print(f"  differs: {name}")
    from phongdich.accounts.models import User

    committee = User.objects.get(username="bench.bcd")
    in_process("overview, figures unchanged", "/directives/overview/", committee, changed=False)
    in_process("overview, after each change", "/directives/overview/", committee, changed=True)


if __name__ == "__main__":
    main()
