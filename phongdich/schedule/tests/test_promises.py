"""What the documentation and the pages promise runs periodically must be in the job table.

The operations guide lists every job in a table; other pages mention single jobs. A sweep
finds every schedule phrase ("every 10 minutes", "mỗi 10 phút", "hourly") in the docs, the
README and the templates, so a new promise cannot be made without being checked here.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from phongdich.schedule.jobs import JOBS

ROOT = Path(settings.BASE_DIR)
JOB_EVERY = {job.name: job.every for job in JOBS}

# (file, phrase as written, job it speaks of). The interval is read from the phrase.
PROMISES = [
    ("docs/operations.md", "every minute", "schedule.reap_abandoned"),
    ("docs/architecture.md", "every minute", "schedule.reap_abandoned"),
    ("docs/architecture.md", "every 10 minutes", "stats.refresh_recent_counts"),
    ("phongdich/stats/templates/stats/overview.html", "mỗi 10 phút", "stats.refresh_recent_counts"),
    (
        "phongdich/stats/templates/stats/dashboard.html",
        "mỗi 10 phút",
        "stats.refresh_recent_counts",
    ),
    ("docs/cases.md", "mỗi 15 phút", "cases.scan_no_contact"),
    ("docs/checkpoints.md", "every 10 minutes", "checkpoints.scan_transit"),
    ("docs/hotline.md", "every 2 minutes", "hotline.escalate_overdue"),
    ("docs/hotline.md", "every 5 minutes", "hotline.refresh_oversight"),
    ("docs/operations.md", "every 5 minutes", "hotline.refresh_oversight"),
    (
        "phongdich/hotline/templates/hotline/oversight.html",
        "mỗi 5 phút",
        "hotline.refresh_oversight",
    ),
    ("docs/directives.md", "every 6 hours", "directives.send_reminders"),
    ("docs/directives.md", "every 10 minutes", "directives.refresh_overview"),
    ("docs/vaccination.md", "hourly", "vaccination.refresh_coverage"),
    ("docs/vaccination.md", "every day", "vaccination.reconcile_person_status"),
    ("docs/vaccination.md", "every 6 hours", "vaccination.refresh_outreach"),
    ("docs/quarantine.md", "hourly", "quarantine.scan_follow_up"),
    ("docs/tracing.md", "hourly", "quarantine.scan_follow_up"),
    ("README.md", "hourly", "quarantine.scan_follow_up"),
    ("docs/levels.md", "hourly", "levels.assess_daily"),
    ("docs/zones.md", "every day", "zones.scan_classification"),
    ("docs/dashboard.md", "hourly", "reports.draft_daily"),
    ("docs/labtests.md", "every 30 minutes", "labtests.refresh_screening"),
    ("docs/labtests.md", "every minute", "labtests.apply_result_follow_ups"),
    (
        "phongdich/labtests/templates/labtests/campaign.html",
        "mỗi 30 phút",
        "labtests.refresh_screening",
    ),
]

SCHEDULE_PHRASE = re.compile(
    r"\b(?:every (?:\d+ |few )?(?:minute|hour|day)s?(?: or two)?|hourly|"
    r"mỗi \d+ (?:phút|giờ)|hằng giờ)\b",
    re.IGNORECASE,
)
UNITS = {"minute": 1, "phút": 1, "hour": 60, "giờ": 60, "day": 1440}


def interval_of(phrase: str) -> timedelta:
    """ "every 10 minutes" → 10 min; "hourly" → 60 min. Vague phrases have no interval."""
    phrase = phrase.lower()
    if phrase in ("hourly", "hằng giờ"):
        return timedelta(hours=1)
    match = re.fullmatch(r"(?:every|mỗi) (\d+ )?(minute|hour|day|phút|giờ)s?", phrase)
    if not match:
        raise ValueError(f"not a precise interval: {phrase!r}")
    return timedelta(minutes=int(match[1] or 1) * UNITS[match[2]])


def promise_sources() -> list[Path]:
    return [
        *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "README.md",
        *sorted((ROOT / "phongdich").glob("*/templates/**/*.html")),
    ]


def operations_table() -> dict[str, timedelta]:
    """Rows "| `name` | every 10 minutes | ..." of the guide's "Periodic jobs" section."""
    text = (ROOT / "docs/operations.md").read_text()
    section = text.split("\n## Periodic jobs\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([\w.]+)` \| ([^|]+?) \|", section, re.MULTILINE)
    return {name: interval_of(every.strip()) for name, every in rows}


def test_the_interval_reader():
    assert interval_of("every 10 minutes") == timedelta(minutes=10)
    assert interval_of("mỗi 15 phút") == timedelta(minutes=15)
    assert interval_of("every 6 hours") == timedelta(hours=6)
    assert interval_of("Hourly") == timedelta(hours=1)
    with pytest.raises(ValueError):
        interval_of("every few minutes")


def test_the_operations_guide_lists_exactly_the_job_table():
    assert operations_table() == JOB_EVERY


@pytest.mark.parametrize("path, phrase, job", PROMISES)
def test_each_promise_is_kept(path, phrase, job):
    assert phrase in (ROOT / path).read_text(), f"{path} no longer says {phrase!r}"
    assert job in JOB_EVERY, f"{path} promises {job}, which is not in schedule/jobs.py"
    assert JOB_EVERY[job] == interval_of(phrase), f"{path} says {phrase!r} for {job}"


def test_no_schedule_is_promised_without_being_checked():
    known = {(path, phrase) for path, phrase, _ in PROMISES}
    unchecked = []
    for source in promise_sources():
        relative = str(source.relative_to(ROOT))
        for number, line in enumerate(source.read_text().splitlines(), start=1):
            if relative == "docs/operations.md" and line.startswith("| `"):
                continue  # the job table, checked whole above (its intervals are plain)
            for match in SCHEDULE_PHRASE.finditer(line):
                if (relative, match[0]) not in known:
                    unchecked.append(f"{relative}:{number}: {match[0]!r}")
    assert not unchecked, "schedule promises missing from PROMISES: " + ", ".join(unchecked)


def test_every_job_in_the_table_is_a_task_the_worker_can_run():
    # A plain function in the table would only fail when the scheduler first enqueues it.
    from django.utils.module_loading import import_string
    from django_tasks.base import Task

    not_tasks = [j.name for j in JOBS if not isinstance(import_string(j.task_path), Task)]
    assert not_tasks == []
