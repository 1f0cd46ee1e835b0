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
from .models import VaccinationCertificate

SALT = "vaccination.certificate"


@transaction.atomic
def certificate_issue(*, by, person: Person) -> VaccinationCertificate:
    """The person's certificate, issued on the first call; later calls return the same one
    (a double click or a reprint keeps the number)."""
    if not MatchScope.for_caller(by).contains(person.commune) or person.merged_into_id:
        raise PermissionDenied(_("Người này nằm ngoài địa bàn của bạn."))
    key_lock(f"vaccination-certificate:{person.pk}")
    found = VaccinationCertificate.objects.filter(person=person).order_by("pk").first()
    if found is not None:
        return found
    if not person.doses.exists():
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


def verify_token(cert: VaccinationCertificate) -> str:
    return certificates.sign_code(cert.code, salt=SALT)


@dataclass(frozen=True)
class Verified:
    masked_name: str
    birth_year: int | None
    status_label: str
    last_dose_on: date | None
    doses: int


def mask_name(full_name: str) -> str:
    """The given name in full, every other word by its initial: "Nguyễn Văn An" → "N. V. An".
    Enough for a verifier holding the person's ID card; little for anyone else."""
    words = full_name.split()
    if not words:
        return ""
    return " ".join([f"{w[0]}." for w in words[:-1]] + [words[-1]])


def verify(token: str, day: date | None = None) -> Verified | None:
    """What the public page shows for a token, or None (tampered, unknown, revoked)."""
    code = certificates.code_from_token(token, salt=SALT)
    if code is None:
        return None
    cert = (
        VaccinationCertificate.objects.select_related("person")
        .filter(code=code, revoked_at__isnull=True, person__merged_into__isnull=True)
        .first()
    )
    if cert is None:
        return None
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
