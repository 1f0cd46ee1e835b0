"""Writes on doses: recording (matched to a person through the people registry, or queued
for review), resolving the review queue, clearing a flagged dose, taking a wrongly matched
dose off a person; and the policy read from the active rows."""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib.identity import normalize_phone, validate_id_number
from phongdich.lib.locks import key_lock
from phongdich.lib.text import name_key, nfc
from phongdich.people.models import Person
from phongdich.people.services import (
    MatchScope,
    match_lock_keys,
    person_candidates,
    person_register,
)

from . import rules
from .models import (
    Dose,
    DoseReview,
    Source,
    VaccineProduct,
)

# The policy tables read as the rules' values live with their registration (policy.py).
from .policy import policy, policy_seed_if_empty  # noqa: F401


def as_rules_person(person) -> rules.Person:
    return rules.Person(birth_date=person.birth_date, birth_year=person.birth_year)


def person_doses(person: Person) -> list[Dose]:
    # Named by the person's code: one partition read on PostgreSQL (migration 0015).
    doses = Dose.objects.of_person(person).select_related("product")
    return list(doses.order_by("given_on", "dose_number"))


def person_status(person: Person, day: date | None = None, *, doses=None, current=None):
    """The person's rules.Status on `day` (today by default)."""
    day = day or timezone.localdate()
    doses = person_doses(person) if doses is None else doses
    return rules.status_on(
        as_rules_person(person), [d.dose_fact() for d in doses], day, current or policy()
    )


# --- identity ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """Who the dose was given to, as typed or imported."""

    full_name: str
    commune: object  # geo.AdminUnit (commune)
    birth_year: int | None = None
    birth_date: date | None = None
    sex: str = ""
    phone: str = ""
    id_number: str = ""

    def cleaned(self) -> "Identity":
        full_name = nfc(self.full_name)
        if not full_name:
            raise ValidationError({"full_name": _("Cần nhập họ và tên.")})
        return Identity(
            full_name=full_name,
            commune=self.commune,
            birth_year=self.birth_year or (self.birth_date.year if self.birth_date else None),
            birth_date=self.birth_date,
            sex=self.sex,
            phone=normalize_phone(self.phone) if self.phone else "",
            id_number=(validate_id_number(self.id_number) or "") if self.id_number else "",
        )

    def key(self) -> str:
        text = "|".join(
            [
                name_key(self.full_name),
                str(self.birth_year or ""),
                self.phone,
                self.id_number,
                str(self.commune.pk),
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class DoseInput:
    product: VaccineProduct
    dose_number: int
    given_on: date
    kind: str = ""  # "" = from the dose number and the product's primary series
    site_kind: str = "fixed"
    site_name: str = ""
    lot: str = ""
    source: str = Source.ENTERED
    source_id: str = ""

    def fields(self, current: rules.Policy) -> dict:
        return {
            "product": self.product,
            "dose_number": self.dose_number,
            "kind": self.kind or rules.default_kind(self.dose_number, self.product.code, current),
            "given_on": self.given_on,
            "site_kind": self.site_kind,
            "site_name": nfc(self.site_name),
            "lot": nfc(self.lot),
            "source": self.source,
            "source_id": nfc(self.source_id),
        }


@dataclass(frozen=True)
class Outcome:
    dose: Dose | None
    review: DoseReview | None
    created: bool  # False: the same dose (or review) was already recorded


def match_person(*, by, identity: Identity) -> tuple[Person | None, str]:
    """The person this identity is, through the people registry's matching, or (None,
    why): exact CCCD, or phone + folded name + birth year, is that person; anything weaker,
    or strong matches naming two different people, is for staff to judge."""
    candidates = person_candidates(
        by=by,
        full_name=identity.full_name,
        birth_year=identity.birth_year,
        phone=identity.phone,
        id_number=identity.id_number,
        commune=identity.commune,
    )
    key = name_key(identity.full_name)
    strong = {
        c.person.pk: c.person
        for c in candidates
        if c.strong
        and (
            # The same CCCD under another name is a mistyped number as often as a renamed
            # person: staff decide, a dose is never attached to a stranger's record.
            (c.reason == "id" and c.person.name_key == key)
            # A phone + name + year match carrying another CCCD is a different person on paper.
            or (
                c.reason != "id"
                and (
                    not identity.id_number
                    or not c.person.id_number
                    or c.person.id_number == identity.id_number
                )
            )
        )
    }
    if len(strong) == 1:
        return next(iter(strong.values())), ""
    if len(strong) > 1:
        return None, DoseReview.Reason.CONFLICT
    return None, (DoseReview.Reason.WEAK if candidates else DoseReview.Reason.NO_MATCH)


def _check_commune(by, commune) -> None:
    if commune is None or commune.kind != "commune":
        raise ValidationError({"commune": _("Cần chọn xã/phường nơi người được tiêm cư trú.")})
    if not MatchScope.for_caller(by).contains(commune):
        raise PermissionDenied(_("Xã/phường này nằm ngoài địa bàn của bạn."))


@transaction.atomic
def dose_record(*, by, identity: Identity, dose: DoseInput, current=None) -> Outcome:
    """Record a dose given to the person `identity` names: attached to that person when the
    registry finds them with confidence, otherwise queued as a DoseReview. Recording the
    same dose again (same source id, or same person + dose number + day) changes nothing."""
    current = current or policy()
    identity = identity.cleaned()
    _check_commune(by, identity.commune)
    if dose.source_id:
        # A re-import of a dose already recorded (perhaps after its review was resolved).
        earlier = Dose.objects.filter(source=dose.source, source_id=nfc(dose.source_id)).first()
        if earlier is not None:
            return Outcome(earlier, None, False)
    # The same keys as person_register: a dose and a registration of one human meet here.
    key_lock(
        *match_lock_keys(
            full_name=identity.full_name,
            birth_year=identity.birth_year,
            phone=identity.phone,
            id_number=identity.id_number or None,
        )
    )
    person, reason = match_person(by=by, identity=identity)
    if person is not None:
        found, created = _dose_for(by=by, person=person, dose=dose, current=current)
        return Outcome(found, None, created)
    review, created = _review_for(
        by=by, identity=identity, dose=dose, reason=reason, current=current
    )
    return Outcome(None, review, created)


def _dose_for(*, by, person: Person, dose: DoseInput, current) -> tuple[Dose, bool]:
    values = dose.fields(current)
    if values["source_id"]:
        key_lock(f"dose:source:{values['source']}:{values['source_id']}")
        earlier = Dose.objects.filter(source=values["source"], source_id=values["source_id"])
        if found := earlier.first():
            return found, False
    key_lock(f"dose:{person.pk}:{values['dose_number']}:{values['given_on']:%Y%m%d}")
    same = (
        Dose.objects.of_person(person)
        .filter(dose_number=values["dose_number"], given_on=values["given_on"])
        .first()
    )
    if same is not None:
        return same, False
    others = [d.dose_fact() for d in person_doses(person)]
    fact = rules.DoseFact(
        values["product"].code, values["dose_number"], values["kind"], values["given_on"]
    )
    flags = rules.violations(as_rules_person(person), fact, others, current)
    record = Dose.objects.create(
        person=person, recorded_by=_actor(by), flags=",".join(flags), **values
    )
    audit_record(
        actor=by,
        action="vaccination.dose.record",
        target=record,
        changes={
            "person": person.pk,
            "product": values["product"].code,
            "dose_number": values["dose_number"],
            "given_on": values["given_on"].isoformat(),
            "source": values["source"],
            "flags": flags,
        },
    )
    return record, True


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _review_for(*, by, identity: Identity, dose: DoseInput, reason: str, current):
    values = dose.fields(current)
    if values["source_id"]:
        key_lock(f"dosereview:source:{values['source']}:{values['source_id']}")
        if found := DoseReview.objects.filter(
            source=values["source"], source_id=values["source_id"]
        ).first():
            return found, False
    key = identity.key()
    key_lock(f"dosereview:{key}:{values['dose_number']}:{values['given_on']:%Y%m%d}")
    found = DoseReview.objects.filter(
        identity_key=key, dose_number=values["dose_number"], given_on=values["given_on"]
    ).first()
    if found is not None:
        return found, False
    review = DoseReview.objects.create(
        full_name=identity.full_name,
        birth_date=identity.birth_date,
        birth_year=identity.birth_year,
        sex=identity.sex,
        phone=identity.phone,
        id_number=identity.id_number,
        commune=identity.commune,
        identity_key=key,
        reason=reason,
        recorded_by=_actor(by),
        **values,
    )
    audit_record(
        actor=by,
        action="vaccination.review.open",
        target=review,
        changes={
            "reason": reason,
            "commune": identity.commune.code,
            "dose_number": values["dose_number"],
        },
    )
    return review, True


# --- the review queue ------------------------------------------------------------------------


def review_identity(review: DoseReview) -> Identity:
    return Identity(
        full_name=review.full_name,
        commune=review.commune,
        birth_year=review.birth_year,
        birth_date=review.birth_date,
        sex=review.sex,
        phone=review.phone,
        id_number=review.id_number,
    )


def review_candidates(*, by, review: DoseReview):
    """The registry's candidates for the review's identity, inside the user's jurisdiction
    (never the person a dose was just taken off as a wrong match)."""
    found = person_candidates(
        by=by,
        full_name=review.full_name,
        birth_year=review.birth_year,
        phone=review.phone,
        id_number=review.id_number,
        commune=review.commune,
    )
    if review.unlinked_from_id:
        found = [c for c in found if c.person.pk != review.unlinked_from_id]
    return found


def _review_input(review: DoseReview) -> DoseInput:
    return DoseInput(
        product=review.product,
        dose_number=review.dose_number,
        given_on=review.given_on,
        kind=review.kind,
        site_kind=review.site_kind,
        site_name=review.site_name,
        lot=review.lot,
        source=review.source,
        source_id=review.source_id,
    )


def _open_review(review: DoseReview) -> DoseReview:
    locked = DoseReview.objects.select_for_update().get(pk=review.pk)
    if locked.status != DoseReview.Status.OPEN:
        raise ValidationError(_("Mũi tiêm này đã được xử lý."))
    return locked


@transaction.atomic
def review_match(*, by, review: DoseReview, person: Person) -> DoseReview:
    """Staff judged the review's dose to belong to `person` (one of the candidates shown,
    or a person they found): the dose is recorded on them."""
    review = _open_review(review)
    if not MatchScope.for_caller(by).contains(person.commune) or person.merged_into_id:
        raise PermissionDenied(_("Người này nằm ngoài địa bàn của bạn."))
    dose, _created = _dose_for(by=by, person=person, dose=_review_input(review), current=policy())
    return _close(by, review, dose, DoseReview.Status.MATCHED, person)


@transaction.atomic
def review_register(*, by, review: DoseReview) -> DoseReview:
    """Staff judged the review's person to be nobody on record: register them through the
    registry (which still reuses a strong match, never duplicates) and record the dose."""
    review = _open_review(review)
    identity = review_identity(review)
    person, created = person_register(
        by=by,
        full_name=identity.full_name,
        birth_year=identity.birth_year,
        birth_date=identity.birth_date,
        sex=identity.sex,
        phone=identity.phone,
        id_number=identity.id_number,
        commune=identity.commune,
    )
    dose, _created = _dose_for(by=by, person=person, dose=_review_input(review), current=policy())
    status = DoseReview.Status.CREATED if created else DoseReview.Status.MATCHED
    return _close(by, review, dose, status, person)


def _close(by, review, dose, status, person) -> DoseReview:
    review.status, review.dose = status, dose
    review.resolved_by, review.resolved_at = _actor(by), timezone.now()
    review.save(update_fields=["status", "dose", "resolved_by", "resolved_at"])
    audit_record(
        actor=by,
        action="vaccination.review.resolve",
        target=review,
        changes={"status": status, "person": person.pk, "dose": dose.pk},
    )
    return review


@transaction.atomic
def dose_flags_clear(*, by, dose: Dose) -> Dose:
    """Staff checked a flagged dose (a short interval the doctor decided on, say): it
    leaves the review list, and its flags stay on record."""
    dose = Dose.objects.select_for_update().get(pk=dose.pk)
    if dose.flags and dose.flags_cleared_by_id is None:
        dose.flags_cleared_by = _actor(by)
        dose.save(update_fields=["flags_cleared_by"])
        audit_record(
            actor=by,
            action="vaccination.dose.checked",
            target=dose,
            changes={"flags": dose.flag_list},
        )
    return dose


@transaction.atomic
def dose_record_for_person(*, by, person: Person, dose: DoseInput) -> Outcome:
    """Record a dose on a person staff opened from the registry (no matching needed: the
    page already found them inside the user's jurisdiction)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not MatchScope.for_caller(by).contains(person.commune) or person.merged_into_id:
        raise PermissionDenied(_("Người này nằm ngoài địa bàn của bạn."))
    found, created = _dose_for(by=by, person=person, dose=dose, current=policy())
    return Outcome(found, None, created)


UNLINK_REASON_MAX = DoseReview._meta.get_field("unlink_reason").max_length
DOSE_FIELDS = (
    "product",
    "dose_number",
    "kind",
    "given_on",
    "site_kind",
    "site_name",
    "lot",
    "source",
    "source_id",
    "recorded_by",
)


@transaction.atomic
def dose_unlink(*, by, dose: Dose, reason: str) -> DoseReview:
    """Take a dose off a person it was wrongly matched to and put it back in the
    data-quality queue, with the reason; nothing of the dose is lost.

    A dose that came out of the queue reopens its own review (the identity as typed or
    imported is there). A dose matched straight away had no review: one is opened with the
    person's name, birth and phone but not their CCCD (the usual cause is a mistyped
    number, and a CCCD would only match the same person again). Either way the person it
    was taken from is left out of the candidates shown for it (review_candidates)."""
    reason = nfc(reason or "")
    if not reason:
        raise ValidationError(_("Cần ghi lý do gỡ mũi tiêm khỏi người này."))
    if len(reason) > UNLINK_REASON_MAX:
        raise ValidationError(_("Lý do dài quá %(n)s ký tự.") % {"n": UNLINK_REASON_MAX})
    locked = Dose.objects.select_for_update().select_related("person").filter(pk=dose.pk).first()
    if locked is None:
        raise ValidationError(_("Mũi tiêm này đã được gỡ hoặc xử lý (có thể bởi người khác)."))
    person = locked.person
    if not MatchScope.for_caller(by).contains(person.commune):
        raise PermissionDenied(_("Người này nằm ngoài địa bàn của bạn."))
    review = DoseReview.objects.select_for_update().filter(dose=locked).first()
    values = {name: getattr(locked, name) for name in DOSE_FIELDS}
    if review is None:
        identity = Identity(
            full_name=person.full_name,
            commune=person.commune,
            birth_year=person.birth_year,
            birth_date=person.birth_date,
            sex=person.sex,
            phone=person.phone,
        )
        key = identity.key()
        key_lock(f"dosereview:{key}:{locked.dose_number}:{locked.given_on:%Y%m%d}")
        review = DoseReview.objects.filter(
            identity_key=key, dose_number=locked.dose_number, given_on=locked.given_on
        ).first() or DoseReview(
            full_name=identity.full_name,
            birth_date=identity.birth_date,
            birth_year=identity.birth_year,
            sex=identity.sex,
            phone=identity.phone,
            id_number="",
            commune=identity.commune,
            identity_key=key,
            **values,
        )
    # The review's own source id would meet the dose's unique (source, source id) only once
    # the dose is gone, so the dose goes first.
    dose_pk = locked.pk
    review.dose = None
    if review.pk:
        review.save(update_fields=["dose"])
    locked.delete()
    review.reason, review.status = DoseReview.Reason.UNLINKED, DoseReview.Status.OPEN
    review.unlinked_from, review.unlink_reason = person, reason
    review.resolved_by = review.resolved_at = None
    review.save()
    audit_record(
        actor=by,
        action="vaccination.dose.unlink",
        target=person,
        changes={
            "dose": dose_pk,
            "dose_number": values["dose_number"],
            "given_on": values["given_on"].isoformat(),
            "review": review.pk,
            "reason": reason,
        },
    )
    return review
