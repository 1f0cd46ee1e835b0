"""The platform's periodic jobs: one table, so operators see in one place what runs when.

Each job is a django-tasks task; the scheduler only enqueues it, the worker runs it. The
jobs themselves are idempotent (guarded updates, unique constraints), so a late or repeated
run does no harm.
"""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task_path: str  # dotted path of a @task() function taking no arguments
    every: timedelta
    why: str


JOBS = [
    PeriodicJob(
        "schedule.reap_abandoned",
        "phongdich.schedule.tasks.reap_abandoned",
        timedelta(minutes=1),
        "a job whose worker died is run again once its lease (TASKS_LEASE_SECONDS) expires",
    ),
    PeriodicJob(
        "schedule.prune_results",
        "phongdich.schedule.tasks.prune_results",
        timedelta(days=1),
        "finished job results older than TASKS_KEEP_DAYS (failed: TASKS_KEEP_FAILED_DAYS)",
    ),
    PeriodicJob(
        "audit.prune_exports",
        "phongdich.audit.tasks.prune_exports",
        timedelta(hours=1),
        "exported files are kept EXPORT_KEEP_HOURS (24), then removed from the disk",
    ),
    PeriodicJob(
        "audit.prepare_partitions",
        "phongdich.audit.tasks.prepare_partitions",
        timedelta(days=1),
        "on PostgreSQL, each province's audit partition and its next two months exist before "
        "an event needs them (otherwise events land in a default partition, unpruned)",
    ),
    PeriodicJob(
        "geo.prepare_partitions",
        "phongdich.geo.tasks.prepare_partitions",
        timedelta(days=1),
        "on PostgreSQL, a newly served province's partition of the health checks exists "
        "before its checks need it (otherwise they land in the default partition, unpruned)",
    ),
    PeriodicJob(
        "hotline.escalate_overdue",
        "phongdich.hotline.tasks.escalate_overdue",
        timedelta(minutes=2),
        "the shortest service level (P1) is 15 minutes",
    ),
    PeriodicJob(
        "hotline.refresh_oversight",
        "phongdich.hotline.tasks.refresh_oversight",
        timedelta(minutes=5),
        "the 1022 oversight page reads these figures (it says when they were computed)",
    ),
    PeriodicJob(
        "cases.scan_no_contact",
        "phongdich.cases.tasks.scan_no_contact",
        timedelta(minutes=15),
        "an F0 silent past CASES_NO_CONTACT_HOURS needs a call",
    ),
    PeriodicJob(
        "checkpoints.scan_transit",
        "phongdich.checkpoints.tasks.scan_transit",
        timedelta(minutes=10),
        "vehicles in transit must leave by their due time",
    ),
    PeriodicJob(
        "quarantine.scan_follow_up",
        "phongdich.quarantine.tasks.scan_follow_up",
        timedelta(hours=1),
        "a quarantined person's missed daily check or due test appears in the commune's list",
    ),
    PeriodicJob(
        "cases.draft_daily_reports",
        "phongdich.cases.tasks.draft_daily_reports",
        timedelta(hours=1),
        "the daily announcement draft stays current for review",
    ),
    PeriodicJob(
        "reports.draft_daily",
        "phongdich.reports.tasks.draft_daily",
        timedelta(hours=1),
        "from BRIEFING_DRAFT_HOUR, yesterday's briefing for the province and each district",
    ),
    PeriodicJob(
        "stats.refresh_recent_counts",
        "phongdich.stats.tasks.refresh_recent_counts",
        timedelta(minutes=10),
        "the figures behind /stats/ (the page says they are rebuilt every 10 minutes)",
    ),
    PeriodicJob(
        "directives.send_reminders",
        "phongdich.directives.tasks.send_reminders_job",
        timedelta(hours=6),
        "deadline reminders; each is sent once per task and kind",
    ),
    PeriodicJob(
        "directives.refresh_overview",
        "phongdich.directives.tasks.refresh_overview_job",
        timedelta(minutes=10),
        "the committee overview's stored figures: a new day's overdue tasks, changes made "
        "outside the services (every service's change is shown at once)",
    ),
    PeriodicJob(
        "vaccination.refresh_coverage",
        "phongdich.vaccination.tasks.refresh_coverage",
        timedelta(hours=1),
        "today's and yesterday's vaccination coverage per unit and age band",
    ),
    PeriodicJob(
        "vaccination.reconcile_person_status",
        "phongdich.vaccination.tasks.reconcile_person_status",
        timedelta(days=1),
        "repairs the per-person coverage summary where people or doses changed by raw SQL",
    ),
    PeriodicJob(
        "vaccination.refresh_campaigns",
        "phongdich.vaccination.tasks.refresh_campaigns",
        timedelta(hours=1),
        "vaccination campaigns' progress per unit and day against their targets",
    ),
    PeriodicJob(
        "vaccination.refresh_outreach",
        "phongdich.vaccination.tasks.refresh_outreach",
        timedelta(hours=6),
        "every commune's outreach summaries recomputed where they stopped holding (a new "
        "day's due doses and birthdays, a policy edit), so a commune's list opens warm",
    ),
    PeriodicJob(
        "vaccination.send_reminders",
        "phongdich.vaccination.tasks.send_reminders",
        timedelta(hours=1),
        "texts people whose next dose became due, once per dose, never 21:00-07:00",
    ),
    PeriodicJob(
        "labtests.refresh_screening",
        "phongdich.labtests.tasks.refresh_screening",
        timedelta(minutes=30),
        "screening campaigns' progress per commune (sampled, positives, positivity)",
    ),
    PeriodicJob(
        "labtests.apply_result_follow_ups",
        "phongdich.labtests.tasks.apply_result_follow_ups",
        timedelta(minutes=1),
        "the F0 classification of an import's positives if the worker woken at its commit died",
    ),
    PeriodicJob(
        "tracing.refresh_indicators",
        "phongdich.tracing.tasks.refresh_indicators",
        timedelta(minutes=30),
        "today's and yesterday's tracing indicators per commune; closes clusters past their days without a case",
    ),
    PeriodicJob(
        "supplies.scan_alerts",
        "phongdich.supplies.tasks.scan_alerts",
        timedelta(minutes=30),
        "oxygen is warned about 8 hours ahead; each alert is sent once per episode",
    ),
    PeriodicJob(
        "levels.assess_daily",
        "phongdich.levels.tasks.assess_daily",
        timedelta(hours=1),
        "today's proposed epidemic level per unit, a preview until the committee publishes",
    ),
    PeriodicJob(
        "zones.scan_lifting",
        "phongdich.zones.tasks.scan_lifting",
        timedelta(days=1),
        "a lockdown may be lifted 14 days after its last case; the day is enough resolution",
    ),
    PeriodicJob(
        "zones.scan_classification",
        "phongdich.zones.tasks.scan_classification",
        timedelta(days=1),
        "risk classes are counted over 14-day windows; a daily proposal is what officials decide on",
    ),
    PeriodicJob(
        "lib.prune_rate_counters",
        "phongdich.lib.tasks.prune_rate_counters",
        timedelta(days=1),
        "rate-limit counters of closed windows (without Redis, one row per client and form)",
    ),
]
