"""Writes of tracing: contacts (found through the people registry's matching), their
status and quarantine, clusters, and the precomputed indicators."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib.locks import key_lock
from phongdich.lib.text import nfc
from phongdich.people.models import Person
from phongdich.people.services import person_candidates, person_register

from . import rules
from .models import Cluster, ClusterStatus, Contact, ContactStatus, Indicator


@dataclass(frozen=True)
class Identity:
    """A contact as a tracer typed it or a tracing team's list gives it."""

    full_name: str
    commune: object  # geo.AdminUnit where the contact lives (None: outside the province)
    birth_year: int | None = None
    sex: str = ""
    phone: str = ""
    id_number: str = ""
    address: str = ""


@dataclass(frozen=True)
class Exposure:
    exposure_date: date
    setting: str
    criterion: str = "unknown"
    relationship: str = ""
    place: str = ""
    note: str = ""


def weak_candidates(*, by, identity: Identity) -> list:
    """People inside the caller's jurisdiction who may be this contact but are not a strong
    match: the form shows them so the tracer picks one or confirms a new person."""
    return [
        c
        for c in person_candidates(
            by=by,
            full_name=identity.full_name,
            birth_year=identity.birth_year,
            phone=identity.phone,
            id_number=identity.id_number,
            commune=identity.commune,
        )
        if not c.strong
    ]


def contact_person(*, by, identity: Identity, force_new: bool = False) -> Person:
    """The registry's person for this identity: a strong match inside the jurisdiction is
    reused (never duplicated); otherwise a new person, and a strong match outside the
    jurisdiction becomes a referral to that commune, as every registration does."""
    person, _created = person_register(
        by=by,
        full_name=identity.full_name,
        birth_year=identity.birth_year,
        sex=identity.sex,
        phone=identity.phone,
        id_number=identity.id_number,
        address=identity.address,
        commune=identity.commune,
        force_new=force_new,
    )
    return person


def _source_of(source_case, source_contact):
    if (source_case is None) == (source_contact is None):
        raise ValidationError(_("Cần chọn đúng một nguồn: một ca F0 hoặc một F1."))
    if source_contact is not None:
        generation = source_contact.generation + 1
        if generation > rules.MAX_GENERATION:
            raise ValidationError(_("Tỉnh chỉ theo dõi đến F2."))
        return source_contact.person_id, source_contact.commune_id, generation
    return source_case.person_id, source_case.commune_id, 1


@transaction.atomic
def contact_add(
    *,
    by,
    person: Person,
    exposure: Exposure,
    source_case=None,
    source_contact=None,
    cluster: Cluster | None = None,
) -> tuple[Contact, bool]:
    """Record `person` as a contact of one source; (contact, created). The same person for
    the same source is one contact: concurrent recordings meet on a lock of (source,
    person), and the partial unique constraints back it up."""
    source_person_id, source_commune_id, generation = _source_of(source_case, source_contact)
    if person.pk == source_person_id:
        raise ValidationError(_("Người tiếp xúc không thể là chính nguồn lây."))
    if exposure.exposure_date > timezone.localdate():
        raise ValidationError({"exposure_date": _("Ngày tiếp xúc ở tương lai.")})
    source_key = f"case:{source_case.pk}" if source_case else f"contact:{source_contact.pk}"
    key_lock(f"tracing.contact:{source_key}:{person.pk}")
    existing = Contact.objects.filter(
        person=person, source_case=source_case, source_contact=source_contact
    ).first()
    if existing is not None:
        return existing, False
    contact = Contact.objects.create(
        person=person,
        source_case=source_case,
        source_contact=source_contact,
        generation=generation,
        commune_id=person.commune_id,
        source_commune_id=source_commune_id,
        exposure_date=exposure.exposure_date,
        setting=exposure.setting,
        criterion=exposure.criterion or "unknown",
        relationship=nfc(exposure.relationship),
        place=nfc(exposure.place),
        note=nfc(exposure.note),
        tracer=by if getattr(by, "is_authenticated", False) else None,
        cluster=cluster or _cluster_of_source(source_case, source_contact),
    )
    audit_record(
        actor=by,
        action="tracing.contact.add",
        target=contact,
        changes={"generation": generation, "setting": contact.setting},
    )
    return contact, True


def _cluster_of_source(source_case, source_contact):
    if source_contact is not None:
        return source_contact.cluster
    return source_case.clusters.filter(status=ClusterStatus.ACTIVE).order_by("-pk").first()


def contacts_add_many(
    *, by, rows: list[tuple[Person, Exposure]], source_case=None, source_contact=None
) -> int:
    """Batched insert for an import: one query finds the people already listed for this
    source, one bulk INSERT adds the rest (ignoring any a concurrent writer added), one audit
    event names the batch. Returns how many were added."""
    source_person_id, source_commune_id, generation = _source_of(source_case, source_contact)
    source_key = f"case:{source_case.pk}" if source_case else f"contact:{source_contact.pk}"
    with transaction.atomic():
        key_lock(f"tracing.import:{source_key}")
        existing = set(
            Contact.objects.filter(
                source_case=source_case, source_contact=source_contact
            ).values_list("person_id", flat=True)
        )
        cluster = _cluster_of_source(source_case, source_contact)
        tracer = by if getattr(by, "is_authenticated", False) else None
        new, seen = [], set()
        for person, exposure in rows:
            if person.pk in existing or person.pk in seen or person.pk == source_person_id:
                continue
            seen.add(person.pk)
            new.append(
                Contact(
                    person=person,
                    source_case=source_case,
                    source_contact=source_contact,
                    generation=generation,
                    commune_id=person.commune_id,
                    source_commune_id=source_commune_id,
                    exposure_date=exposure.exposure_date,
                    setting=exposure.setting,
                    criterion=exposure.criterion or "unknown",
                    relationship=nfc(exposure.relationship),
                    place=nfc(exposure.place),
                    note=nfc(exposure.note),
                    tracer=tracer,
                    cluster=cluster,
                )
            )
        Contact.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        if new:
            audit_record(
                actor=by,
                action="tracing.contact.import",
                target=source_case or source_contact,
                changes={"added": len(new)},
            )
    return len(new)


@transaction.atomic
def contact_set_status(*, by, contact: Contact, status: str, note: str = "") -> Contact:
    """Move a contact along listed → notified → quarantined → tested → released / F0. The
    row is locked, so a double click moves it once."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.status == status:
        return contact
    if not rules.may_move(contact.status, status):
        raise ValidationError(_("Không thể chuyển trạng thái này."))
    old = contact.status
    contact.status = status
    now = timezone.now()
    if status == ContactStatus.NOTIFIED and contact.notified_at is None:
        contact.notified_at = now
    if status == ContactStatus.QUARANTINED and contact.quarantined_at is None:
        contact.quarantined_at = now
    if note:
        contact.note = nfc(note)[: Contact._meta.get_field("note").max_length]
    contact.save(update_fields=["status", "notified_at", "quarantined_at", "note", "updated_at"])
    audit_record(
        actor=by,
        action="tracing.contact.status",
        target=contact,
        changes={"from": old, "to": status},
    )
    return contact


def root_case(contact: Contact):
    """The case at the top of the contact's chain (an F2's F1's case)."""
    while contact.source_case_id is None:
        contact = contact.source_contact
    return contact.source_case


@transaction.atomic
def contact_quarantine(
    *, by, contact: Contact, start: date | None = None, place: str = "home", facility=None
):
    """Put the contact in quarantine through the quarantine app's one record (its contract
    `quarantine_open`), then mark the contact quarantined."""
    try:
        from phongdich.quarantine.services import quarantine_open
    except ImportError:
        raise ValidationError(_("Chức năng cách ly chưa sẵn sàng.")) from None
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if not rules.may_move(contact.status, ContactStatus.QUARANTINED):
        raise ValidationError(_("Không thể chuyển trạng thái này."))
    if contact.commune is None:
        raise ValidationError(
            _("Người tiếp xúc không ở trong tỉnh: hãy bàn giao cho tỉnh nơi họ ở.")
        )
    quarantine, _created = quarantine_open(
        by=by,
        person=contact.person,
        basis="f1",
        start=start or timezone.localdate(),
        exposure_date=contact.exposure_date,
        commune=contact.commune,
        place=place,
        facility=facility,
        source_case=root_case(contact),
        source_contact_id=contact.pk,
        note=_("Truy vết: tiếp xúc F%(n)s") % {"n": contact.generation},
    )
    contact_set_status(by=by, contact=contact, status=ContactStatus.QUARANTINED)
    contact.refresh_from_db()
    return contact, quarantine


def contacts_link_new_case(*, case) -> int:
    """A newly registered case whose person is a contact still followed: the contact
    "became F0" and the chain links the new case to its source. Called on the case's
    creation (apps.ready connects it), inside the registration's transaction."""
    followed = Contact.objects.filter(person_id=case.person_id, became_case__isnull=True).exclude(
        status=ContactStatus.RELEASED
    )
    ids = list(followed.values_list("pk", flat=True))
    if not ids:
        return 0
    Contact.objects.filter(pk__in=ids).update(
        became_case=case, status=ContactStatus.BECAME_CASE, updated_at=timezone.now()
    )
    audit_record(
        actor=getattr(case, "created_by", None),
        action="tracing.contact.became_case",
        target=case,
        changes={"contacts": ids[:50]},
    )
    return len(ids)


# --- clusters --------------------------------------------------------------------------------


@transaction.atomic
def cluster_create(
    *,
    by,
    name: str,
    commune,
    opened_on: date,
    place: str = "",
    close_after_days: int = rules.CLOSE_AFTER_DEFAULT,
    source_note: str = "",
    source_not_found: bool = False,
) -> Cluster:
    if close_after_days not in rules.CLOSE_AFTER_CHOICES:
        raise ValidationError({"close_after_days": _("Chỉ chọn 14 hoặc 28 ngày.")})
    cluster = Cluster.objects.create(
        name=nfc(name),
        commune=commune,
        place=nfc(place),
        opened_on=opened_on,
        close_after_days=close_after_days,
        source_note=nfc(source_note),
        source_not_found=source_not_found,
        created_by=by,
    )
    audit_record(actor=by, action="tracing.cluster.create", target=cluster)
    return cluster


@transaction.atomic
def cluster_case_add(*, by, cluster: Cluster, case) -> Cluster:
    """Link a case (and its contacts with no cluster) to the cluster; the case dates move,
    and a closed cluster with a new case opens again."""
    cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
    cluster.cases.add(case)
    day = case.diagnosed_on
    cluster.first_case_on = min(filter(None, [cluster.first_case_on, day]))
    cluster.last_case_on = max(filter(None, [cluster.last_case_on, day]))
    if cluster.status == ClusterStatus.CLOSED and not rules.cluster_should_close(
        cluster.last_case_on, timezone.localdate(), cluster.close_after_days
    ):
        cluster.status, cluster.closed_on = ClusterStatus.ACTIVE, None
    cluster.save(update_fields=["first_case_on", "last_case_on", "status", "closed_on"])
    Contact.objects.filter(source_case=case, cluster__isnull=True).update(cluster=cluster)
    audit_record(
        actor=by, action="tracing.cluster.case_add", target=cluster, changes={"case": case.pk}
    )
    return cluster


@transaction.atomic
def cluster_source_set(
    *, by, cluster: Cluster, source_note: str, source_not_found: bool
) -> Cluster:
    cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
    cluster.source_note = nfc(source_note)
    cluster.source_not_found = source_not_found and not cluster.source_note
    cluster.save(update_fields=["source_note", "source_not_found"])
    audit_record(actor=by, action="tracing.cluster.source", target=cluster)
    return cluster


def clusters_close_due(*, today: date | None = None) -> int:
    """Close every active cluster whose last case is `close_after_days` or more days old
    (one guarded UPDATE per threshold, so two runs close each cluster once)."""
    today = today or timezone.localdate()
    closed = 0
    for days in rules.CLOSE_AFTER_CHOICES:
        due = Cluster.objects.filter(
            status=ClusterStatus.ACTIVE,
            close_after_days=days,
            last_case_on__lte=today - timedelta(days=days),
        )
        ids = list(due.values_list("pk", flat=True))
        if ids:
            closed += Cluster.objects.filter(pk__in=ids, status=ClusterStatus.ACTIVE).update(
                status=ClusterStatus.CLOSED, closed_on=today
            )
    if closed:
        audit_record(actor=None, action="tracing.cluster.close", changes={"closed": closed})
    return closed


# --- indicators ------------------------------------------------------------------------------


def _day_bounds(day: date):
    from datetime import datetime, time

    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    return start, start + timedelta(days=1)


def indicators_refresh(*, day: date) -> int:
    """Recompute the counts of every commune for `day`: a few GROUP BY queries, then one
    upsert per commune that has any figure. Returns the rows written."""
    from phongdich.cases.models import Case

    start, end = _day_bounds(day)
    per_unit: dict[int, dict] = {}

    def put(unit_id, field, value):
        if unit_id is not None:
            per_unit.setdefault(unit_id, {})[field] = value

    new_cases = Case.objects.filter(diagnosed_on=day)
    for row in new_cases.values("commune").annotate(n=Count("pk")):
        put(row["commune"], "new_cases", row["n"])
    of_cases = Contact.objects.filter(source_case__diagnosed_on=day)
    for row in of_cases.values("source_case__commune").annotate(
        n=Count("pk"),
        fast=Count(
            "pk", filter=Q(created_at__lte=F("source_case__created_at") + rules.LISTED_WITHIN)
        ),
    ):
        put(row["source_case__commune"], "contacts_of_new_cases", row["n"])
        put(row["source_case__commune"], "contacts_listed_24h", row["fast"])
    known = (
        new_cases.filter(person__tracing_contacts__created_at__lt=F("created_at"))
        .values("commune")
        .annotate(n=Count("pk", distinct=True))
    )
    for row in known:
        put(row["commune"], "new_cases_known_contacts", row["n"])
    listed = Contact.objects.filter(created_at__gte=start, created_at__lt=end)
    for row in listed.values("commune").annotate(
        n=Count("pk"), q=Count("pk", filter=Q(status__in=rules.QUARANTINED_OR_LATER))
    ):
        put(row["commune"], "contacts_listed", row["n"])
        put(row["commune"], "contacts_quarantined", row["q"])
    fields = (
        "new_cases",
        "contacts_of_new_cases",
        "contacts_listed_24h",
        "new_cases_known_contacts",
        "contacts_listed",
        "contacts_quarantined",
    )
    with transaction.atomic():
        Indicator.objects.filter(day=day).exclude(unit_id__in=per_unit).delete()
        rows = [
            Indicator(unit_id=unit_id, day=day, **{f: values.get(f, 0) for f in fields})
            for unit_id, values in per_unit.items()
        ]
        Indicator.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["unit", "day"],
            update_fields=[*fields, "refreshed_at"],
        )
    return len(per_unit)
