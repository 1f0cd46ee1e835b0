"""Reads for checkpoints, scoped to the reader's jurisdiction."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.http import Http404
from django.utils import timezone

from phongdich.accounts.permissions import scope_to_jurisdiction
from phongdich.lib.query import FixedQuery, Param

from .models import (
    Checkpoint,
    Declaration,
    FollowUp,
    ForecastImport,
    Handover,
    HomeQuarantine,
    Passage,
    ReturneeForecast,
    TransitEscort,
)


def _get(qs: QuerySet, pk: int):
    obj = qs.filter(pk=pk).first()
    if obj is None:  # hidden and missing look the same
        raise Http404
    return obj


def checkpoints_for(user) -> QuerySet[Checkpoint]:
    return scope_to_jurisdiction(
        Checkpoint.objects.filter(active=True), user, "unit"
    ).select_related("unit")


def checkpoint_for(user, pk: int | None) -> Checkpoint | None:
    """`checkpoints_for(user).filter(pk=pk).first()` (with its unit) in one compiled read:
    the active checkpoint by id, its unit checked under the user's unit on the row, as
    `scope_to_jurisdiction` does in SQL. Every new scan looks up one or two."""
    area = getattr(user, "jurisdiction", None)
    if pk is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if area is None:
        return None
    found = _ACTIVE_CHECKPOINT.rows(pk=pk)
    if not found or not found[0].unit.path.startswith(area.path):
        return None
    return found[0]


# Compiled once per process (lib.query.FixedQuery).
_ACTIVE_CHECKPOINT = FixedQuery(
    lambda: Checkpoint.objects.filter(
        active=True, pk=Param("pk", Checkpoint._meta.get_field("id"))
    ).select_related("unit")
)


def passage_replayed(user, *, key: str, checkpoint_id: int, code: str = "", qr_ref=None):
    """(id, decision, suggested decision) of the passage an earlier request of this scan
    recorded: same idempotency key, same active checkpoint inside the user's area, same
    declaration (by typed code, or by the QR's pk and nonce). Else None, and the scan takes
    the full path with its lookups and 404s.

    One flat read of a unique key: a tablet retrying after a dropped connection gets its
    answer without compiling the lookups of a new scan. The area is checked on the row as
    `scope_to_jurisdiction` does in SQL: the checkpoint's unit under the user's unit.
    """
    area = getattr(user, "jurisdiction", None)
    if not getattr(user, "is_authenticated", False) or not user.is_active or area is None:
        return None
    key = (key or "").strip()
    if qr_ref is not None:
        rows = _REPLAYED_BY_QR.rows(
            key=key, checkpoint_id=checkpoint_id, declaration_id=qr_ref[0], nonce=qr_ref[1]
        )
    elif code:
        rows = _REPLAYED_BY_CODE.rows(
            key=key, checkpoint_id=checkpoint_id, code=code.strip().upper().replace(" ", "")
        )
    else:
        return None
    row = rows[0] if rows else None
    if row is None or not row[3].startswith(area.path):
        return None
    return row[:3]


def _replayed(**declaration):
    """The passage of one idempotency key at one active checkpoint, with that checkpoint's
    unit path (the key is unique: one row at most)."""
    return FixedQuery(
        lambda: (
            Passage.objects.filter(
                idempotency_key=Param("key", Passage._meta.get_field("idempotency_key")),
                checkpoint_id=Param("checkpoint_id", Passage._meta.get_field("checkpoint")),
                checkpoint__active=True,
                **declaration,
            )
            .values_list("pk", "decision", "suggested_decision", "checkpoint__unit__path")
            .order_by()[:1]
        )
    )


# Compiled once per process (lib.query.FixedQuery): every retried scan is answered by one.
_REPLAYED_BY_CODE = _replayed(declaration__code=Param("code", Declaration._meta.get_field("code")))
_REPLAYED_BY_QR = _replayed(
    declaration_id=Param("declaration_id", Passage._meta.get_field("declaration")),
    declaration__qr_nonce=Param("nonce", Declaration._meta.get_field("qr_nonce")),
)


def declarations_visible_to(user) -> QuerySet[Declaration]:
    """Declarations whose destination is in the user's area. Checkpoint officers see the
    travellers arriving in their whole jurisdiction (the province), which is their work."""
    return scope_to_jurisdiction(
        Declaration.objects.all(), user, "destination_commune"
    ).select_related("origin", "destination_commune__parent", "person", "checkpoint")


def declaration_get(user, pk: int) -> Declaration:
    return _get(declarations_visible_to(user), pk)


def passages_visible_to(user) -> QuerySet[Passage]:
    return scope_to_jurisdiction(Passage.objects.all(), user, "checkpoint__unit").select_related(
        "declaration__destination_commune", "checkpoint", "officer"
    )


def handovers_visible_to(user) -> QuerySet[Handover]:
    return scope_to_jurisdiction(Handover.objects.all(), user, "commune").select_related(
        "person",
        "commune__parent",
        "passage__checkpoint",
        "passage__declaration__origin",
    )


def handover_get(user, pk: int) -> Handover:
    return _get(handovers_visible_to(user), pk)


def quarantines_visible_to(user):
    """The quarantine records hand-overs opened (the quarantine app's one record), in the
    user's area."""
    from phongdich.quarantine.selectors import quarantines_visible_to as visible

    return (
        visible(user).filter(handover_id__isnull=False).select_related("person", "commune__parent")
    )


def handover_quarantine_ids(handovers) -> dict[int, int]:
    """Hand-over id -> the id of the quarantine record it opened, for the arrivals list's
    links (one query)."""
    from phongdich.quarantine.models import Quarantine

    return dict(
        Quarantine.objects.filter(handover_id__in=[h.pk for h in handovers]).values_list(
            "handover_id", "pk"
        )
    )


def legacy_quarantine_target(user, pk: int):
    """The quarantine record a checkpoints home quarantine (`HomeQuarantine`, kept as
    history; 0002 of the quarantine app moved each onto a record) lives on as, in the user's
    area: for old links and bookmarks. Raises DoesNotExist."""
    from phongdich.quarantine.selectors import quarantines_visible_to as visible

    home = _get(scope_to_jurisdiction(HomeQuarantine.objects.all(), user, "commune"), pk)
    return _legacy_record(visible(user), home)


def _legacy_record(qs, home):
    from phongdich.quarantine.models import Quarantine

    if home.handover_id is not None:
        found = qs.filter(handover_id=home.handover_id).first()
    else:
        found = qs.filter(
            person_id=home.person_id, start_date=home.start_date, planned_end=home.end_date
        ).first()
    if found is None:
        raise Quarantine.DoesNotExist
    return found


def legacy_link_record(home):
    """The record an old checkpoints personal link's home quarantine lives on as (no user:
    the citizen holds the token)."""
    from phongdich.quarantine.models import Quarantine

    try:
        return _legacy_record(Quarantine.objects.all(), home)
    except Quarantine.DoesNotExist:
        return None


def escorts_visible_to(user) -> QuerySet[TransitEscort]:
    return scope_to_jurisdiction(
        TransitEscort.objects.all(), user, "entry_checkpoint__unit"
    ).select_related("entry_checkpoint", "exit_checkpoint")


def forecasts_visible_to(user) -> QuerySet[ReturneeForecast]:
    return scope_to_jurisdiction(
        ReturneeForecast.objects.all(), user, "destination_commune"
    ).select_related("destination_commune", "matched_declaration", "matched_passage")


def forecast_imports_of(user) -> QuerySet[ForecastImport]:
    """The user's own imports, newest first: each holds its error report."""
    return ForecastImport.objects.filter(by=user).order_by("-at", "-pk")


def follow_ups_visible_to(user) -> QuerySet[FollowUp]:
    return scope_to_jurisdiction(FollowUp.objects.all(), user, "commune").select_related(
        "commune", "pharmacy_report__pharmacy", "citizen_report"
    )


def oversight(user, days: int = 7) -> dict:
    """Counts for the oversight page: small GROUP BY queries over recent rows."""
    since = timezone.now() - timedelta(days=days)
    passages = passages_visible_to(user).filter(at__gte=since).order_by()
    tz = timezone.get_current_timezone()
    by_day = list(
        passages.annotate(day=TruncDate("at", tzinfo=tz))
        .values("checkpoint__name", "day")
        .annotate(n=Count("id"))
        .order_by("-day", "checkpoint__name")
    )
    by_hour = list(
        passages.filter(at__gte=timezone.now() - timedelta(hours=24))
        .annotate(hour=ExtractHour("at", tzinfo=tz))
        .values("checkpoint__name", "hour")
        .annotate(n=Count("id"))
        .order_by("checkpoint__name", "hour")
    )
    by_origin = list(
        passages.values("declaration__origin__name", "declaration__origin_text")
        .annotate(n=Count("id"))
        .order_by("-n")[:30]
    )
    by_decision = list(passages.values("decision").annotate(n=Count("id")).order_by("decision"))
    handovers = list(
        handovers_visible_to(user)
        .order_by()
        .values("commune__name")
        .annotate(
            pending=Count("id", filter=Q(status=Handover.Status.PENDING)),
            no_show=Count("id", filter=Q(status=Handover.Status.NO_SHOW)),
        )
        .filter(Q(pending__gt=0) | Q(no_show__gt=0))
        .order_by("commune__name")
    )
    ending_today = list(
        quarantines_visible_to(user)
        .filter(status="active", planned_end__lte=timezone.localdate())
        .order_by("planned_end", "pk")[:200]
    )
    return {
        "by_day": by_day,
        "by_hour": by_hour,
        "by_origin": by_origin,
        "by_decision": by_decision,
        "handovers": handovers,
        "ending_today": ending_today,
        "days": days,
    }


def health_station_phone(commune) -> str:
    """The phone of the commune's health station, for papers posted at a household: the
    hotline's directory (`ResponsibleUnit`) is where the province keeps the stations'
    numbers. Empty when none is recorded, and the paper leaves a line to write it in."""
    from phongdich.hotline.models import ResponsibleUnit
    from phongdich.lib.identity import format_phone

    phone = (
        ResponsibleUnit.objects.filter(
            kind=ResponsibleUnit.Kind.HEALTH_STATION, admin_unit=commune, active=True
        )
        .exclude(phone="")
        .values_list("phone", flat=True)
        .first()
    )
    return format_phone(phone) if phone else ""


def vaccination_summary(user, person) -> dict | None:
    """The traveller's vaccination status in the registry, as the vaccination app gives it
    to this user, or None (no app, a role that may not see it, a person outside the
    user's jurisdiction). Looked up at call time; a failure never blocks the lookup."""
    import logging

    from django.apps import apps

    if person is None or not apps.is_installed("phongdich.vaccination"):
        return None
    try:
        from phongdich.vaccination.selectors import person_vaccination_status
    except (ImportError, AttributeError):
        return None
    try:
        return person_vaccination_status(user, person)
    except Exception:
        logging.getLogger(__name__).exception("person_vaccination_status failed")
        return None
