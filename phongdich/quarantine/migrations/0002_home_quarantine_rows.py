"""Move the home quarantines checkpoints recorded before this app existed onto the one
quarantine record (issue 13): each `checkpoints.HomeQuarantine` without a `Quarantine`
becomes one, with its plan, its end (released or still active) and its daily checks.

Idempotent: a row already mirrored (same hand-over, or for a row without a hand-over the
same person, start and end) is skipped, so running it again adds nothing. A person who
already has an active quarantine keeps that one (at most one active per person); their
older active row is written as ended "moved" onto it, and the active record is extended
when the older row ended later, so no day of the plan is lost. The reverse is a no-op: the
checkpoints rows are never changed, so nothing needs undoing."""

from datetime import date

from django.db import migrations
from django.utils import timezone

BATCH = 1000


def _ended_status(home) -> str:
    if home.released_at is None:
        return "completed"
    # the release day in the province's time zone (Asia/Ho_Chi_Minh), not UTC's
    released_on = timezone.localtime(home.released_at).date()
    return "completed" if released_on >= home.end_date else "released_early"


def move_home_quarantines(apps, schema_editor=None) -> dict:
    HomeQuarantine = apps.get_model("checkpoints", "HomeQuarantine")
    QuarantineCheck = apps.get_model("checkpoints", "QuarantineCheck")
    Quarantine = apps.get_model("quarantine", "Quarantine")
    DailyCheck = apps.get_model("quarantine", "DailyCheck")
    AuditEvent = apps.get_model("audit", "AuditEvent")

    mirrored_handovers = set(
        Quarantine.objects.exclude(handover_id=None).values_list("handover_id", flat=True)
    )
    mirrored_plain = set(
        Quarantine.objects.filter(basis="returnee", handover_id=None).values_list(
            "person_id", "start_date", "planned_end"
        )
    )
    active_by_person = dict(
        Quarantine.objects.filter(status="active").values_list("person_id", "pk")
    )
    moved = extended = 0
    for home in HomeQuarantine.objects.order_by("pk").iterator(chunk_size=BATCH):
        if home.handover_id is not None:
            if home.handover_id in mirrored_handovers:
                continue
        elif (home.person_id, home.start_date, home.end_date) in mirrored_plain:
            continue
        ended = home.status != "active"
        status = _ended_status(home) if ended else "active"
        note = ""
        if status == "active" and home.person_id in active_by_person:
            # The person is already in quarantine here: the older row is kept as history,
            # and its later end (if any) extends the active record.
            current = Quarantine.objects.get(pk=active_by_person[home.person_id])
            if home.end_date > current.planned_end:
                current.planned_end = home.end_date
                current.monitoring_end = max(current.monitoring_end, home.monitoring_end)
                current.test_dates = sorted(
                    set(current.test_dates or ()) | set(home.test_dates or ())
                )
                current.save(update_fields=["planned_end", "monitoring_end", "test_dates"])
                extended += 1
            status, note = "moved", "Gộp vào đợt cách ly đang có"
        checks = list(QuarantineCheck.objects.filter(quarantine_id=home.pk).order_by("at"))
        record = Quarantine.objects.create(
            person_id=home.person_id,
            basis="returnee",
            exposure_date=home.start_date,
            place="home",
            commune_id=home.commune_id,
            address=home.address,
            policy_key=home.policy_key,
            policy_source=home.policy_source,
            group_label=home.group_label,
            start_date=home.start_date,
            planned_end=home.end_date,
            monitoring_end=home.monitoring_end,
            test_dates=[str(d) for d in home.test_dates or ()],
            status=status,
            handover_id=home.handover_id,
            attention_at=home.attention_at,
            last_check_at=checks[-1].at if checks else None,
            ended_at=home.released_at if status != "active" else None,
            ended_by_id=home.released_by_id if status != "active" else None,
            note=note,
            created_by_id=home.created_by_id,
        )
        # created_at is auto_now_add: keep the checkpoint's own moment.
        Quarantine.objects.filter(pk=record.pk).update(created_at=home.created_at)
        for check in checks:
            copy = DailyCheck.objects.create(
                quarantine=record,
                temperature=check.temperature,
                symptoms=check.symptoms,
                note=check.note,
                by_id=check.by_id,
            )
            DailyCheck.objects.filter(pk=copy.pk).update(at=check.at)
        if status == "active":
            active_by_person[home.person_id] = record.pk
        if home.handover_id is not None:
            mirrored_handovers.add(home.handover_id)
        else:
            mirrored_plain.add((home.person_id, home.start_date, home.end_date))
        moved += 1
    if moved:
        AuditEvent.objects.create(
            action="quarantine.migrate_home",
            actor_label="migration",
            changes={"moved": moved, "extended": extended, "on": date.today().isoformat()},
        )
    return {"moved": moved, "extended": extended}


def forwards(apps, schema_editor):
    move_home_quarantines(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("quarantine", "0001_initial"),
        ("checkpoints", "0007_citations_without_working_notes"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
