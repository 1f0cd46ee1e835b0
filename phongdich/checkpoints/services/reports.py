"""Citizen reports, pharmacies and follow-ups."""

from datetime import timedelta

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib import idempotency
from phongdich.lib.identity import normalize_phone
from phongdich.lib.text import nfc

from ..models import (
    CitizenReport,
    FollowUp,
    Pharmacy,
    PharmacyLink,
    PharmacyReport,
)
from .common import CITIZEN, SYMPTOMS, log

# --- citizen reports, pharmacies, follow-ups -------------------------------------------------


def _to_hotline(report: CitizenReport) -> None:
    """Copy an undeclared-arrival report to the hotline's violation branch where it exists."""
    if not apps.is_installed("phongdich.hotline"):
        return
    try:
        from phongdich.hotline.services import ticket_create

        ticket_create(
            by=None,
            channel="web",
            category="violation",
            text=f"{report.description}\n{report.address}",
            commune=report.commune,
            caller_phone=report.reporter_phone,
            caller_name=report.reporter_name,
            anonymous=report.anonymous,
            source_ref=f"checkpoints.report:{report.pk}",
        )
    except (ImportError, AttributeError, TypeError) as exc:
        log.warning("hotline ticket for checkpoints.report:%s not created: %s", report.pk, exc)


@idempotency.submitted_once(CitizenReport)
@transaction.atomic
def citizen_report_submit(
    *,
    commune: AdminUnit,
    address: str,
    description: str,
    subject_name="",
    arrived_on=None,
    anonymous: bool,
    reporter_name="",
    reporter_phone="",
    submission: idempotency.Submission | None = None,
) -> CitizenReport:
    if anonymous:
        reporter_name, reporter_phone = "", ""
    report = CitizenReport.objects.create(
        commune=commune,
        address=nfc(address),
        description=nfc(description),
        subject_name=nfc(subject_name),
        arrived_on=arrived_on,
        anonymous=anonymous,
        reporter_name=nfc(reporter_name),
        reporter_phone=normalize_phone(reporter_phone) if reporter_phone else "",
        **idempotency.fields(submission),
    )
    FollowUp.objects.create(
        kind=FollowUp.Kind.REPORT,
        commune=commune,
        citizen_report=report,
        summary=f"{report.subject_name or _('Người về')} · {report.address}"[:300],
    )
    audit_record(
        actor=None, actor_label=CITIZEN, action="checkpoints.citizen_report", target=report
    )
    _to_hotline(report)
    return report


@transaction.atomic
def pharmacy_register(
    *,
    name: str,
    owner_name: str,
    phone: str,
    address: str,
    commune: AdminUnit,
    submission: idempotency.Submission | None = None,
) -> tuple[Pharmacy, str]:
    """Register a pharmacy and mint its reporting link. The same submission twice is one
    pharmacy; the replay gets a fresh link to it (raw links are never stored)."""

    def save() -> Pharmacy:
        pharmacy = Pharmacy.objects.create(
            name=nfc(name),
            owner_name=nfc(owner_name),
            phone=normalize_phone(phone),
            address=nfc(address),
            commune=commune,
            **idempotency.fields(submission),
        )
        audit_record(
            actor=None, actor_label=CITIZEN, action="checkpoints.pharmacy_register", target=pharmacy
        )
        return pharmacy

    pharmacy = idempotency.submit_once(Pharmacy, submission, save)
    _link, raw = PharmacyLink.mint(valid_for=timedelta(days=365), pharmacy=pharmacy)
    return pharmacy, raw


@idempotency.submitted_once(PharmacyReport)
@transaction.atomic
def pharmacy_report_submit(
    *,
    pharmacy: Pharmacy,
    buyer_name: str,
    buyer_phone="",
    buyer_address="",
    commune: AdminUnit,
    symptoms,
    submission: idempotency.Submission | None = None,
) -> PharmacyReport:
    symptoms = [s for s in symptoms if s in SYMPTOMS]
    if not symptoms:
        raise ValidationError({"symptoms": _("Chọn ít nhất một triệu chứng.")})
    report = PharmacyReport.objects.create(
        pharmacy=pharmacy,
        buyer_name=nfc(buyer_name),
        buyer_phone=normalize_phone(buyer_phone) if buyer_phone else "",
        buyer_address=nfc(buyer_address),
        commune=commune,
        symptoms=symptoms,
        **idempotency.fields(submission),
    )
    FollowUp.objects.create(
        kind=FollowUp.Kind.PHARMACY,
        commune=commune,
        pharmacy_report=report,
        summary=f"{report.buyer_name} · {report.buyer_address} · {', '.join(str(SYMPTOMS[s]) for s in symptoms)}"[
            :300
        ],
    )
    audit_record(
        actor=None, actor_label=pharmacy.name, action="checkpoints.pharmacy_report", target=report
    )
    return report


@transaction.atomic
def follow_up_done(*, by, follow_up: FollowUp, outcome: str) -> FollowUp:
    if not FollowUp.objects.filter(pk=follow_up.pk, status=FollowUp.Status.OPEN).update(
        status=FollowUp.Status.DONE, outcome=nfc(outcome)[:300], done_by=by, done_at=timezone.now()
    ):
        raise ValidationError(_("Việc này đã được xử lý."))
    follow_up.refresh_from_db()
    audit_record(actor=by, action="checkpoints.follow_up_done", target=follow_up)
    return follow_up
