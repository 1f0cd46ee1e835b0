"""The vaccination certificate: issued by staff for a person of their jurisdiction, printed
as a PDF with a signed QR code, verified by anyone at a public URL that shows only what a
verifier needs. The code, the QR and the signature are the recovery certificate's
(lib.certificates); the salt keeps a recovery code from verifying as a vaccination one."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib import certificates
from phongdich.lib.files import html_to_pdf
from phongdich.lib.locks import key_lock
from phongdich.people.models import Person
from phongdich.people.services import MatchScope

from . import labels, services
from .models import Dose, VaccinationCertificate

SALT = "vaccination.certificate"


def _check_scope(by, person: Person) -> None:
    if not MatchScope.for_caller(by).contains(person.commune) or person.merged_into_id:
        raise PermissionDenied(_("Người này nằm ngoài địa bàn của bạn."))


def in_force(person: Person) -> VaccinationCertificate | None:
    return (
        VaccinationCertificate.objects.filter(person=person, revoked_at__isnull=True)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def certificate_issue(*, by, person: Person) -> VaccinationCertificate:
    """The person's certificate in force, issued on the first call; later calls return the
    same one (a double click or a reprint keeps the number). After a revocation the next
    call issues a new certificate with a new number and code."""
    _check_scope(by, person)
    key_lock(f"vaccination-certificate:{person.pk}")
    found = in_force(person)
    if found is not None:
        return found
    if not Dose.objects.of_person(person).exists():
        raise ValidationError(_("Người này chưa có mũi tiêm nào để cấp giấy chứng nhận."))
    today = timezone.localdate()
    cert = VaccinationCertificate.objects.create(
        person=person,
        number=f"tmp-{certificates.new_code()[:16]}",
        code=certificates.new_code(),
        issued_by=by,
    )
    # The number shows the year and a serial; the serial is the row's id, known only now.
    cert.number = f"TC{today:%Y}-{cert.pk:07d}"
    cert.save(update_fields=["number"])
    audit_record(
        actor=by,
        action="vaccination.certificate_issue",
        target=cert,
        changes={"person": person.pk, "number": cert.number},
    )
    return cert


REVOKE_REASON_MAX = VaccinationCertificate._meta.get_field("revoke_reason").max_length


@transaction.atomic
def certificate_revoke(*, by, person: Person, reason: str) -> VaccinationCertificate:
    """Revoke the person's certificate in force (a dose recorded on the wrong person, a
    certificate printed with a mistake): the verify page then says it was revoked. Under the
    person's key lock, so two officers revoking at once revoke once and the second is told."""
    _check_scope(by, person)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Cần ghi lý do thu hồi giấy chứng nhận."))
    if len(reason) > REVOKE_REASON_MAX:
        raise ValidationError(_("Lý do thu hồi dài quá %(n)s ký tự.") % {"n": REVOKE_REASON_MAX})
    key_lock(f"vaccination-certificate:{person.pk}")
    cert = (
        VaccinationCertificate.objects.select_for_update()
        .filter(person=person, revoked_at__isnull=True)
        .first()
    )
    if cert is None:
        raise ValidationError(
            _("Giấy chứng nhận của người này đã được thu hồi (có thể do người khác vừa thu hồi).")
        )
    cert.revoked_at, cert.revoked_by, cert.revoke_reason = timezone.now(), by, reason
    cert.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        actor=by,
        action="vaccination.certificate_revoke",
        target=cert,
        changes={"person": person.pk, "number": cert.number, "reason": reason},
    )
    return cert


def verify_token(cert: VaccinationCertificate) -> str:
    return certificates.sign_code(cert.code, salt=SALT)


@dataclass(frozen=True)
class Verified:
    masked_name: str
    birth_year: int | None
    status_label: str
    last_dose_on: date | None
    doses: int
    number: str = ""
    revoked_on: date | None = None  # set: the page says revoked and shows nothing else

    @property
    def revoked(self) -> bool:
        return self.revoked_on is not None


def mask_name(full_name: str) -> str:
    """The given name in full, every other word by its initial: "Nguyễn Văn An" → "N. V. An".
    Enough for a verifier holding the person's ID card; little for anyone else."""
    words = full_name.split()
    if not words:
        return ""
    return " ".join([f"{w[0]}." for w in words[:-1]] + [words[-1]])


def verify(token: str, day: date | None = None) -> Verified | None:
    """What the public page shows for a token: None when tampered, unknown or the person
    merged away; a revoked certificate answers "revoked" with its number and day only."""
    code = certificates.code_from_token(token, salt=SALT)
    if code is None:
        return None
    cert = (
        VaccinationCertificate.objects.select_related("person")
        .filter(code=code, person__merged_into__isnull=True)
        .first()
    )
    if cert is None:
        return None
    if cert.revoked_at is not None:
        return Verified(
            masked_name="",
            birth_year=None,
            status_label="",
            last_dose_on=None,
            doses=0,
            number=cert.number,
            revoked_on=timezone.localtime(cert.revoked_at).date(),
        )
    person = cert.person
    doses = services.person_doses(person)
    if not doses:
        return None
    status = services.person_status(person, day, doses=doses)
    birth_year = person.birth_year or (person.birth_date.year if person.birth_date else None)
    return Verified(
        masked_name=mask_name(person.full_name),
        birth_year=birth_year,
        status_label=str(labels.STATUS[status.status]),
        last_dose_on=doses[-1].given_on,
        doses=len(doses),
        number=cert.number,
    )


def certificate_pdf(cert: VaccinationCertificate, verify_url: str) -> bytes:
    person = cert.person
    html = render_to_string(
        "vaccination/pdf/certificate.html",
        {
            "cert": cert,
            "person": person,
            "doses": services.person_doses(person),
            "status_label": labels.STATUS[services.person_status(person).status],
            "verify_url": verify_url,
            "qr": certificates.qr_data_uri(verify_url),
            "today": timezone.localdate(),
        },
    )
    return html_to_pdf(html)
