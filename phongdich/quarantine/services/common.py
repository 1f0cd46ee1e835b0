"""Helpers every quarantine write shares: the acting user, the per-person lock, the
person's active record, and the bed ledger of centralised sites (admission, discharge)."""

from phongdich.lib.locks import key_lock

from ..models import Quarantine, Status

SITE_KINDS = ("quarantine",)  # facilities.Facility.Kind.QUARANTINE_SITE


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _lock_person(person) -> None:
    # "At most one active per person" is check-then-insert: two officers opening a
    # quarantine for the same person wait on this key; the partial unique constraint is
    # the backstop on a database without advisory locks.
    key_lock(f"quarantine.person:{person.pk}")


def active_for(person) -> Quarantine | None:
    return Quarantine.objects.filter(person=person, status=Status.ACTIVE).first()


def _admit(*, by, quarantine: Quarantine, facility) -> None:
    from phongdich.facilities.services import facility_occupy

    # The guarded UPDATE in facility_occupy is the capacity check: of two officers taking the
    # last bed, one gets ValidationError("full") and its whole transaction rolls back.
    stays = facility_occupy(by=by, facility=facility, delta=1, patient_ref=f"CL-{quarantine.pk}")
    quarantine.stay = stays[0]
    quarantine.save(update_fields=["stay"])


def _discharge(*, by, quarantine: Quarantine) -> None:
    from phongdich.facilities.models import Stay
    from phongdich.facilities.services import stay_discharge

    if quarantine.stay_id is None:
        return
    stay = Stay.objects.get(pk=quarantine.stay_id)
    if stay.discharged_at is None:
        stay_discharge(by=by, stay=stay)
