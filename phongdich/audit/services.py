import hashlib
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import connections, models, transaction
from django.db.models import F, Subquery, Value
from django.db.models.functions import Coalesce, StrIndex, Substr
from django.utils import timezone

from .middleware import current_ip
from .models import AuditEvent, AuditReadSubject

PERSON_LABEL = "people.person"


def _describe(target) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk), str(target)[:200]
    return type(target).__name__, "", str(target)[:200]


def action_app(action: str) -> str:
    """The action's first segment, the audit filter's "people." (AuditEvent.app)."""
    return action.split(".", 1)[0] if "." in action else ""


def province_of(actor):
    """The province code an event of this actor belongs to: the first code of its unit's
    path, or the home province for a system or citizen event and an account without a unit.

    When the actor's unit is not loaded, the code is a subquery inside the INSERT itself,
    so filling it costs no extra round-trip on any write path."""
    from phongdich.geo.models import AdminUnit

    home = settings.HOME_PROVINCE_CODE
    if actor is None or getattr(actor, "jurisdiction_id", None) is None:
        return home
    from phongdich.accounts.models import User

    # request.user is a lazy wrapper: ask the field through the model, not the type.
    if User.jurisdiction.is_cached(actor):
        path = actor.jurisdiction.path
        return path.strip("/").split("/", 1)[0] or home
    # "/38/380/14755/" -> "38"
    code = Substr(F("path"), 2, StrIndex(Substr(F("path"), 2), Value("/")) - 1)
    unit = AdminUnit.objects.filter(pk=actor.jurisdiction_id).annotate(code_of=code)
    return Coalesce(Subquery(unit.values("code_of")[:1]), Value(home))


def province_code_of(actor) -> str:
    """province_of as a plain code (one query when the unit is not loaded), for bulk_create
    of many events by one actor."""
    province = province_of(actor)
    if isinstance(province, str):
        return province
    return actor.jurisdiction.path.strip("/").split("/", 1)[0] or settings.HOME_PROVINCE_CODE


def audit_record(
    *,
    actor,
    action: str,
    target=None,
    changes: dict | None = None,
    kind: str = AuditEvent.Kind.WRITE,
    actor_label: str = "",
) -> AuditEvent:
    """Append one audit event. Called by every service that writes, inside its transaction."""
    event = audit_event(
        actor=actor,
        action=action,
        target=target,
        changes=changes,
        kind=kind,
        actor_label=actor_label,
    )
    event.save(force_insert=True)
    return event


def audit_event(
    *,
    actor,
    action: str,
    target=None,
    changes: dict | None = None,
    kind: str = AuditEvent.Kind.WRITE,
    actor_label: str = "",
) -> AuditEvent:
    """The event `audit_record` appends, unsaved: for a hot write path that inserts it in
    the same round trip as its other rows (`lib.query.write_together`), still inside the
    write's transaction, so the audit row commits or rolls back with the write."""
    target_type, target_id, target_label = _describe(target)
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        actor=real_actor,
        actor_label=actor_label or (real_actor.get_username() if real_actor else "hệ thống"),
        kind=kind,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        ip=current_ip.get(),
        changes=changes or {},
        province=province_of(real_actor),
        app=action_app(action),
    )


def _subject(record: models.Model) -> tuple[str, int, int | None]:
    """(record type, record id, person id): a case, ticket or declaration is a read of its
    person, found through its `person_id` column, so apps added later need no registration."""
    label = record._meta.label_lower
    if label == PERSON_LABEL:
        return label, record.pk, record.pk
    return label, record.pk, getattr(record, "person_id", None)


def _digest(subjects) -> str:
    keys = sorted(f"{t}:{r}" for t, r, _ in subjects)
    return hashlib.blake2b("|".join(keys).encode(), digest_size=8).hexdigest()


def _repeats_last_read(actor, action: str, digest: str) -> bool:
    """True when the actor's latest event is this very read a moment ago: an htmx queue that
    refreshes itself every 15 seconds, or a page reloaded, shows nothing new, and one event
    per refresh would bury the trail. Served by audit_actor_idx."""
    window = settings.AUDIT_READ_REPEAT_SECONDS
    if not window or actor is None:
        return False
    last = (
        AuditEvent.objects.filter(actor=actor)
        .order_by("-id")
        .only("at", "kind", "action", "changes")
        .first()
    )
    return (
        last is not None
        and last.kind == AuditEvent.Kind.READ
        and last.action == action
        and isinstance(last.changes, dict)
        and last.changes.get("digest") == digest
        and last.at >= timezone.now() - timedelta(seconds=window)
    )


def audit_read_many(
    *, actor, action: str, records: Iterable[models.Model], context: dict | None = None
) -> AuditEvent | None:
    """Record that staff were shown these records holding personal data: ONE event for the
    page, export, PDF or API answer, with one AuditReadSubject row per record shown.

    `records` are model instances (people, or rows with a `person_id`); their `person_id`
    must be loaded, or each record costs a query. Nothing is recorded when nothing was shown.
    A repeat of the actor's last read (same action, same records) within
    AUDIT_READ_REPEAT_SECONDS is folded into it. Returns the event, or None.
    """
    records = [r for r in records if r is not None]
    subjects = list(dict.fromkeys(_subject(r) for r in records))
    if not subjects:
        return None
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    digest = _digest(subjects)
    if _repeats_last_read(real_actor, action, digest):
        return None
    types = {t for t, _, _ in subjects}
    if len(subjects) == 1:
        target_type, target_id, target_label = _describe(records[0])
    else:
        target_type = types.pop() if len(types) == 1 else ""
        target_id, target_label = "", f"{len(subjects)} hồ sơ"
    with transaction.atomic(savepoint=False):
        event = AuditEvent.objects.create(
            actor=real_actor,
            actor_label=real_actor.get_username() if real_actor else "hệ thống",
            kind=AuditEvent.Kind.READ,
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_label=target_label,
            ip=current_ip.get(),
            changes={**(context or {}), "count": len(subjects), "digest": digest},
            province=province_of(real_actor),
            app=action_app(action),
        )
        _insert_subjects(
            connections[event._state.db], event.pk, subjects, event.province, real_actor
        )
    return event


class StreamedRead:
    """One read event for a list sent in batches (a printed list streamed to the browser):
    the event is written with the number listed before the first row goes out, and each
    batch's records are added as subject rows just before that batch is sent, so memory
    stays one batch and the trail holds exactly what left the server, even if the client
    stops reading halfway. No repeat folding (the digest would need the whole list)."""

    def __init__(self, *, actor, action: str, count: int, context: dict | None = None):
        self.actor = actor if getattr(actor, "is_authenticated", False) else None
        self.action, self.count, self.context = action, count, context or {}
        self.event: AuditEvent | None = None

    def add(self, records: Iterable[models.Model]) -> None:
        subjects = list(dict.fromkeys(_subject(r) for r in records if r is not None))
        if not subjects:
            return
        with transaction.atomic(savepoint=False):
            if self.event is None:
                self.event = AuditEvent.objects.create(
                    actor=self.actor,
                    actor_label=self.actor.get_username() if self.actor else "hệ thống",
                    kind=AuditEvent.Kind.READ,
                    action=self.action,
                    target_type=subjects[0][0],
                    target_id="",
                    target_label=f"{self.count} hồ sơ",
                    ip=current_ip.get(),
                    changes={**self.context, "count": self.count, "streamed": True},
                    province=province_of(self.actor),
                    app=action_app(self.action),
                )
            _insert_subjects(
                connections[self.event._state.db],
                self.event.pk,
                subjects,
                self.event.province,
                self.actor,
            )


def _subject_province_sql(connection, province, actor) -> tuple[str, list]:
    """The subjects' province as SQL: the event's code when it is a plain string, else the
    same lookup of the actor's unit the event's INSERT made (no extra round-trip)."""
    if isinstance(province, str):
        return "%s", [province]
    from phongdich.geo.province import PG_CODE, SQLITE_CODE

    code = (PG_CODE if connection.vendor == "postgresql" else SQLITE_CODE).format(path="u.path")
    return (
        f"COALESCE((SELECT NULLIF({code}, '') FROM accounts_user a JOIN geo_adminunit u "
        "ON u.id = a.jurisdiction_id WHERE a.id = %s), %s)",
        [actor.pk, settings.HOME_PROVINCE_CODE],
    )


def _insert_subjects(
    connection, event_id: int, subjects: list[tuple[str, int, int | None]], province, actor
):
    """One statement for all the rows: an export of 10,000 people spent 2 s building model
    instances for bulk_create; plain rows take a tenth of that (bench in the docs)."""
    meta = AuditReadSubject._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("event", "record_type", "record_id", "person_id", "province")
    )
    province_sql, province_params = _subject_province_sql(connection, province, actor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                # Only quoted identifiers and fixed SQL are formatted in; every value is a
                # parameter.
                f"INSERT INTO {table} ({columns}) SELECT %s, t, r, p, {province_sql} "
                "FROM unnest(%s::varchar[], %s::bigint[], %s::bigint[]) AS s (t, r, p)",
                [event_id, *province_params, *map(list, zip(*subjects, strict=True))],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) SELECT %s, %s, %s, %s, {province_sql}",
                [(event_id, t, r, p, *province_params) for t, r, p in subjects],
            )


def audit_read(*, actor, target, action: str = "read") -> AuditEvent | None:
    """Record that staff opened one record holding personal data (a detail page, a PDF)."""
    return audit_read_many(actor=actor, action=action, records=[target])
