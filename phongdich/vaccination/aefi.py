"""Adverse events after immunisation (AEFI): reported by staff or by the vaccinee through a
personal link, routed to the district health centre of the person's commune, investigated
there (reported → investigating → concluded, with a WHO causality category); a
concluded one can be reopened with a reason, its history kept (`aefi_reopen`).

Serious (WHO definition, the four criteria of issue 11): death, life-threatening,
hospitalisation (or its prolongation), persistent disability. A serious report e-mails the
district's health officers once the report is committed, so a rolled-back report mails
nobody and a slow mail server never holds the transaction."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib.idempotency import fields, submitted_once
from phongdich.lib.urls import absolute_url

from .models import Aefi, AefiLink, AefiLinkSend, AefiStatusChange
from .permissions import AEFI_REOPEN_ROLES

log = logging.getLogger(__name__)

LINK_VALID_FOR = timedelta(days=30)  # the weeks after a dose in which events are reported


def is_serious(
    *, died=False, life_threatening=False, hospitalised=False, disability=False, outcome=""
) -> bool:
    """Any one of the four criteria; an outcome of death counts as death."""
    return bool(
        died or life_threatening or hospitalised or disability or outcome == Aefi.Outcome.DIED
    )


@dataclass(frozen=True)
class AefiInput:
    onset_at: datetime
    description: str
    treatment: str = ""
    outcome: str = Aefi.Outcome.UNKNOWN
    died: bool = False
    life_threatening: bool = False
    hospitalised: bool = False
    disability: bool = False
    reporter_name: str = ""
    reporter_phone: str = ""


def route(person):
    """(commune, district) the report goes to: the person's commune and its district."""
    commune = person.commune
    if commune is None or commune.parent_id is None:
        raise ValidationError(
            _("Người này chưa có xã/phường cư trú: không xác định được trung tâm y tế huyện.")
        )
    return commune, commune.parent


@submitted_once(Aefi)
@transaction.atomic
def aefi_report(*, by, person, report: AefiInput, dose=None, submission=None) -> Aefi:
    """Record a report. `by` is the staff member, or None for the vaccinee's own link."""
    if dose is not None and dose.person_id != person.pk:
        raise ValidationError(_("Mũi tiêm không phải của người này."))
    if report.onset_at > timezone.now():
        raise ValidationError(_("Thời điểm xuất hiện triệu chứng không thể ở tương lai."))
    if dose is not None and timezone.localtime(report.onset_at).date() < dose.given_on:
        raise ValidationError(_("Triệu chứng xuất hiện trước ngày tiêm mũi này."))
    commune, district = route(person)
    staff = by is not None and getattr(by, "is_authenticated", False)
    aefi = Aefi.objects.create(
        person=person,
        dose=dose,
        commune=commune,
        district=district,
        onset_at=report.onset_at,
        description=report.description,
        treatment=report.treatment,
        outcome=report.outcome,
        died=report.died or report.outcome == Aefi.Outcome.DIED,
        life_threatening=report.life_threatening,
        hospitalised=report.hospitalised,
        disability=report.disability,
        serious=is_serious(
            died=report.died,
            life_threatening=report.life_threatening,
            hospitalised=report.hospitalised,
            disability=report.disability,
            outcome=report.outcome,
        ),
        reporter_kind=Aefi.Reporter.STAFF if staff else Aefi.Reporter.VACCINEE,
        reporter_name=report.reporter_name
        or (by.get_full_name() or by.get_username() if staff else ""),
        reporter_phone=report.reporter_phone,
        reported_by=by if staff else None,
        **fields(submission),
    )
    audit_record(
        actor=by if staff else None,
        actor_label="" if staff else "người dân",
        action="vaccination.aefi.report",
        target=person,
        changes={"aefi": aefi.pk, "serious": aefi.serious, "district": district.code},
    )
    if aefi.serious:
        transaction.on_commit(lambda: notify_serious(aefi.pk))
    return aefi


def district_recipients(district) -> list[str]:
    from phongdich.accounts.models import Role, User

    return sorted(
        set(
            User.objects.filter(role=Role.HEALTH_OFFICER, jurisdiction=district, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def notify_serious(aefi_id: int) -> int:
    """E-mail the district's health officers about a serious report (no personal details
    beyond the commune: the link opens the audited page)."""
    aefi = Aefi.objects.select_related("commune", "district").get(pk=aefi_id)
    emails = district_recipients(aefi.district)
    if not emails:
        log.warning(
            "serious AEFI #%s: no health officer with an e-mail in %s", aefi.pk, aefi.district
        )
        return 0
    subject = _("[Phản ứng nặng sau tiêm] Báo cáo #%(n)s, %(commune)s") % {
        "n": aefi.pk,
        "commune": aefi.commune.label(),
    }
    body = "\n\n".join(
        [
            _(
                "Một trường hợp phản ứng nặng sau tiêm vừa được báo cáo tại %(commune)s, "
                "xuất hiện lúc %(onset)s. Cần điều tra."
            )
            % {
                "commune": aefi.commune.label(),
                "onset": timezone.localtime(aefi.onset_at).strftime("%H:%M %d/%m/%Y"),
            },
            absolute_url(reverse("vaccination:aefi", args=[aefi.pk])),
        ]
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails)
    return len(emails)


NEXT_STATUS = {
    Aefi.Status.REPORTED: (Aefi.Status.INVESTIGATING, Aefi.Status.CONCLUDED),
    Aefi.Status.INVESTIGATING: (Aefi.Status.CONCLUDED,),
    Aefi.Status.CONCLUDED: (),
}


@transaction.atomic
def aefi_status_set(
    *, by, aefi: Aefi, status: str, causality: str = "", conclusion: str = ""
) -> Aefi:
    """Move the investigation forward; a conclusion needs its causality and its text."""
    aefi = Aefi.objects.select_for_update().get(pk=aefi.pk)
    if status not in NEXT_STATUS.get(aefi.status, ()):
        raise ValidationError(_("Không thể chuyển báo cáo sang trạng thái này."))
    if status == Aefi.Status.CONCLUDED:
        if causality not in Aefi.Causality.values or not conclusion.strip():
            raise ValidationError(_("Kết luận cần có phân loại nguyên nhân và nội dung."))
        aefi.causality = causality
        aefi.conclusion = conclusion.strip()
        aefi.concluded_at = timezone.now()
    before = aefi.status
    aefi.status = status
    aefi.investigated_by = by
    aefi.save(
        update_fields=["status", "causality", "conclusion", "concluded_at", "investigated_by"]
    )
    AefiStatusChange.objects.create(aefi=aefi, before=before, after=status, by=by)
    audit_record(
        actor=by,
        action="vaccination.aefi.status",
        target=aefi.person,
        changes={"aefi": aefi.pk, "status": [before, status], "causality": aefi.causality},
    )
    return aefi


REOPEN_REASON_MIN = 10  # a word or two is not a reason another investigator can act on


@transaction.atomic
def aefi_reopen(*, by, aefi: Aefi, reason: str) -> Aefi:
    """Reopen a concluded investigation (new facts, an autopsy, a causality disputed): back
    to "investigating" with the reason. The conclusion it set aside is kept in the history
    (`AefiStatusChange`) and in the audit event; the report's own causality and
    conclusion are cleared so the page never shows a withdrawn one as current. Health
    officers and the province only (permissions.AEFI_REOPEN_ROLES), within their
    jurisdiction (the view finds the report through the scoped selector). The row lock
    makes two reopenings at once one: the second finds it no longer concluded."""
    if not by.has_role(*AEFI_REOPEN_ROLES):
        raise PermissionDenied(_("Chỉ cán bộ y tế huyện, tỉnh được mở lại điều tra."))
    reason = (reason or "").strip()
    if len(reason) < REOPEN_REASON_MIN:
        raise ValidationError(
            _("Cần ghi rõ lý do mở lại (ít nhất %(n)s ký tự).") % {"n": REOPEN_REASON_MIN}
        )
    aefi = Aefi.objects.select_for_update().get(pk=aefi.pk)
    if aefi.status != Aefi.Status.CONCLUDED:
        raise ValidationError(_("Báo cáo này chưa kết luận hoặc đã được mở lại."))
    change = AefiStatusChange.objects.create(
        aefi=aefi,
        before=aefi.status,
        after=Aefi.Status.INVESTIGATING,
        reason=reason,
        causality=aefi.causality,
        conclusion=aefi.conclusion,
        by=by,
    )
    aefi.status = Aefi.Status.INVESTIGATING
    aefi.causality, aefi.conclusion, aefi.concluded_at = "", "", None
    aefi.investigated_by = by
    aefi.save(
        update_fields=["status", "causality", "conclusion", "concluded_at", "investigated_by"]
    )
    audit_record(
        actor=by,
        action="vaccination.aefi.reopen",
        target=aefi.person,
        changes={
            "aefi": aefi.pk,
            "status": [change.before, change.after],
            "reason": reason,
            "causality": change.causality,
            "conclusion": change.conclusion,
        },
    )
    return aefi


@transaction.atomic
def aefi_link_issue(*, by, person, dose=None) -> tuple[AefiLink, str]:
    """A personal link for the vaccinee to report an event themselves; the raw token is
    returned once (only its hash is stored)."""
    route(person)  # a person the report could not be routed for gets no link
    link, raw = AefiLink.mint(valid_for=LINK_VALID_FOR, person=person, dose=dose, created_by=by)
    audit_record(actor=by, action="vaccination.aefi.link", target=person, changes={"link": link.pk})
    return link, raw


@submitted_once(AefiLinkSend)
@transaction.atomic
def aefi_link_send(*, by, link: AefiLink, url: str, channel: str, submission=None) -> AefiLinkSend:
    """Send the vaccinee's link by SMS or Zalo through the hotline's gateways, to the
    person's own phone only; a replay of the same submission (a double tap) sends nothing
    more. The raw link exists only at issue time, so the view passes the URL it signed."""
    AefiLinkSend.check_channel(channel)
    link = AefiLink.objects.select_related("person").get(pk=link.pk)
    if link.revoked_at is not None or link.expires_at <= timezone.now():
        raise ValidationError(_("Đường link này đã bị thu hồi hoặc hết hạn: hãy tạo link mới."))
    phone = link.person.phone
    if not phone:
        raise ValidationError(
            _("Người được tiêm chưa có số điện thoại: hãy đưa link hoặc cho quét mã QR.")
        )
    text = _(
        "Trạm y tế: nếu bạn có phản ứng sau tiêm, hãy báo tại đường link này (không cần tài "
        "khoản, dùng được 30 ngày): %(url)s"
    ) % {"url": url}
    send = AefiLinkSend.deliver(
        by=by,
        channel=channel,
        to=phone,
        text=text,
        reference=f"AEFI-LINK-{link.pk}",
        submission=submission,
        link=link,
    )
    audit_record(
        actor=by,
        action="vaccination.aefi.link_send",
        target=link.person,
        changes={"link": link.pk, "channel": channel, "status": send.status},
    )
    return send


@transaction.atomic
def aefi_link_revoke(*, by, link: AefiLink) -> AefiLink:
    """Stop a vaccinee's link (handed to the wrong person, lost phone); reports already
    sent through it stay. Revoking twice is one revocation."""
    link = AefiLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = timezone.now(), by
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=by,
            action="vaccination.aefi.link_revoke",
            target=link.person,
            changes={"link": link.pk},
        )
    return link
