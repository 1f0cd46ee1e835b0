"""Writes for checkpoints: declarations, passages, hand-overs, home quarantine, transit,
forecasts, citizen and pharmacy reports. Each is atomic and audited."""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from phongdich.accounts.models import Role
from phongdich.audit.services import audit_record
from phongdich.facilities.services import facility_occupy
from phongdich.geo.models import AdminUnit
from phongdich.lib import idempotency, imports
from phongdich.lib.identity import normalize_phone
from phongdich.lib.text import name_key, nfc
from phongdich.people.services import person_register

from . import rules
from .models import (
    Checkpoint,
    CitizenReport,
    DecisionRuleRow,
    Declaration,
    DeclarationLink,
    EpidemicArea,
    FollowUp,
    ForecastImport,
    Handover,
    HomeQuarantine,
    Passage,
    Pharmacy,
    PharmacyLink,
    PharmacyReport,
    QuarantineCheck,
    QuarantineGroupRow,
    QuarantineLink,
    QuarantinePolicyRow,
    ReturneeForecast,
    TransitEscort,
)

log = logging.getLogger(__name__)

# How a citizen's own action is named in the audit trail: one word for citizens throughout.
CITIZEN = "người dân"
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read aloud over traffic noise.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
CODE_RECENT_DAYS = 30
LINK_VALID = timedelta(days=30)
QR_SALT = "checkpoints.declaration.qr"
# Lazy: these labels are read at import by the forms' choices, before any request's language.
SYMPTOMS = {
    "fever": _lazy("Sốt"),
    "cough": _lazy("Ho"),
    "breathless": _lazy("Khó thở"),
    "pneumonia": _lazy("Viêm phổi"),
    "sore_throat": _lazy("Đau họng"),
    "fatigue": _lazy("Mệt mỏi"),
}
EXPOSURES = {
    "sick_person": _lazy("Tiếp xúc người bệnh hoặc nghi mắc COVID-19"),
    "from_area": _lazy("Tiếp xúc người từ nơi có dịch"),
    "symptomatic": _lazy("Tiếp xúc người có triệu chứng"),
}


# --- declarations ----------------------------------------------------------------------------


def _new_code() -> str:
    since = timezone.now() - timedelta(days=CODE_RECENT_DAYS)
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Declaration.objects.filter(code=code, created_at__gte=since).exists():
            return code
    raise RuntimeError("could not find a free short code")  # 25^6 codes: practically never


def qr_payload(declaration: Declaration) -> str:
    """Signed content of the traveller's QR: the pk alone is useless without the nonce."""
    return "PD1:" + signing.dumps({"d": declaration.pk, "n": declaration.qr_nonce}, salt=QR_SALT)


def declaration_from_qr(text: str) -> Declaration | None:
    text = (text or "").strip()
    if not text.startswith("PD1:"):
        return None
    try:
        data = signing.loads(text[4:], salt=QR_SALT)
    except signing.BadSignature:
        return None
    declaration = Declaration.objects.filter(pk=data.get("d")).first()
    if declaration is None or not secrets.compare_digest(declaration.qr_nonce, str(data.get("n"))):
        return None
    return declaration


def declaration_by_code(code: str) -> Declaration | None:
    code = (code or "").strip().upper().replace(" ", "")
    if len(code) != CODE_LENGTH:
        return None
    since = timezone.now() - timedelta(days=CODE_RECENT_DAYS)
    return (
        Declaration.objects.filter(code=code, created_at__gte=since)
        .select_related("origin", "destination_commune__parent", "person")
        .order_by("-created_at")
        .first()
    )


DECLARATION_FIELDS = (
    "full_name birth_year sex nationality id_number travel_mode vehicle_number seat "
    "departure_date arrival_date places_visited origin origin_text destination_commune "
    "destination_address phone email symptoms exposures test_result test_taken_at "
    "vaccine_doses recovered_on checkpoint"
).split()


@transaction.atomic
def declaration_submit(
    *,
    by=None,
    data: dict,
    previous: Declaration | None = None,
    submission: idempotency.Submission | None = None,
):
    """Save a declaration and mint the traveller's personal link: (declaration, raw_token).

    The same submission twice (a double tap, a retry on a bad connection) saves one
    declaration. The raw link is never stored, so the replay gets a fresh link to that
    same declaration: whoever holds the submission's key sent it in the first place.
    """
    declaration = idempotency.submit_once(
        Declaration,
        submission,
        lambda: _declaration_save(by=by, data=data, previous=previous, submission=submission),
    )
    _link, raw = DeclarationLink.mint(
        valid_for=LINK_VALID, person=declaration.person, declaration=declaration
    )
    return declaration, raw


def _declaration_save(*, by, data, previous, submission) -> Declaration:
    values = {k: data.get(k) for k in DECLARATION_FIELDS if k in data}
    values["full_name"] = nfc(values.get("full_name") or "")
    values["phone"] = normalize_phone(values["phone"]) if values.get("phone") else ""
    for key in ("symptoms", "exposures"):
        values[key] = [
            v
            for v in (values.get(key) or [])
            if v in (SYMPTOMS if key == "symptoms" else EXPOSURES)
        ]
    for key in (
        "sex",
        "nationality",
        "id_number",
        "vehicle_number",
        "seat",
        "places_visited",
        "origin_text",
        "destination_address",
        "email",
        "test_result",
    ):
        values[key] = (
            nfc(values.get(key) or "")
            if key != "nationality"
            else (nfc(values.get(key) or "") or "Việt Nam")
        )
    commune = values.get("destination_commune")
    if commune is not None and commune.kind != AdminUnit.Kind.COMMUNE:
        raise ValidationError({"destination_commune": _("Chọn xã/phường nơi đến.")})
    id_digits = (
        values["id_number"]
        if values["id_number"].isdigit() and len(values["id_number"]) in (9, 12)
        else ""
    )
    person, _created = person_register(
        by=by,
        full_name=values["full_name"],
        birth_year=values.get("birth_year"),
        sex=values["sex"] if values["sex"] in ("M", "F") else "",
        phone=values["phone"],
        id_number=id_digits,
        address=values["destination_address"],
        commune=commune,
    )
    declaration = Declaration.objects.create(
        person=person,
        code=_new_code(),
        qr_nonce=secrets.token_urlsafe(16),
        previous=previous,
        entered_by=by if getattr(by, "is_authenticated", False) else None,
        **values,
        **idempotency.fields(submission),
    )
    if values["phone"] and commune is not None:
        # A returnee announced by a hometown association declares: tick them off the list.
        ReturneeForecast.objects.filter(
            phone=values["phone"], destination_commune=commune, matched_declaration__isnull=True
        ).update(matched_declaration=declaration)
    audit_record(
        actor=by,
        actor_label="" if getattr(by, "is_authenticated", False) else CITIZEN,
        action="checkpoints.declare",
        target=declaration,
        changes={
            "commune": commune.code if commune else None,
            "previous": previous.pk if previous else None,
        },
    )
    return declaration


@idempotency.submitted_once(EpidemicArea)
@transaction.atomic
def epidemic_area_add(
    *, by, unit, level: int, valid_from, valid_to=None, note="", submission=None
) -> EpidemicArea:
    if valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": _("Ngày kết thúc trước ngày bắt đầu.")})
    area = EpidemicArea.objects.create(
        unit=unit,
        level=level,
        valid_from=valid_from,
        valid_to=valid_to,
        note=nfc(note),
        **idempotency.fields(submission),
    )
    audit_record(actor=by, action="checkpoints.epidemic_area_add", target=area)
    return area


@transaction.atomic
def epidemic_area_end(*, by, area: EpidemicArea, on) -> EpidemicArea:
    area.valid_to = on
    area.save(update_fields=["valid_to"])
    audit_record(actor=by, action="checkpoints.epidemic_area_end", target=area)
    return area


# --- what matters at the checkpoint --------------------------------------------------------


def area_level_for(origin: AdminUnit | None, on: date) -> EpidemicArea | None:
    """The highest-level listed epidemic area containing `origin` on `on`."""
    if origin is None:
        return None
    prefixes = [
        "/".join(origin.path.split("/")[: i + 1]) + "/" for i in range(1, origin.path.count("/"))
    ]
    areas = (
        EpidemicArea.objects.filter(unit__path__in=prefixes, valid_from__lte=on)
        .exclude(valid_to__lt=on)
        .select_related("unit")
    )
    return max(areas, key=lambda a: a.level, default=None)


def decision_rules() -> tuple[rules.DecisionRule, ...]:
    """The province's table (seeded from `rules.DECISION_RULES`, edited on the policy pages)
    when it has active rows, else the built-in default. One query per assessment: cheap
    enough not to cache, and every worker sees an edit at once."""
    rows = [row.as_rule() for row in DecisionRuleRow.objects.filter(active=True)]
    return tuple(rows) or rules.DECISION_RULES


def _as_policy(row: QuarantinePolicyRow, groups) -> rules.QuarantinePolicy:
    return rules.QuarantinePolicy(
        key=row.key,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        source=row.regulation,
        summary=row.summary,
        groups=tuple(group.as_group() for group in groups),
        counted_from=row.counted_from,
        unconfirmed=not row.confirmed,
    )


def quarantine_policies(*, include_inactive: bool = False) -> tuple[rules.QuarantinePolicy, ...]:
    """The province's dated quarantine rows (seeded from `rules.QUARANTINE_POLICIES`, edited
    on the policy pages), each with its active groups in order, as plain rule values.

    Two queries; `include_inactive` also returns deactivated rows, for showing the rule a
    quarantine already started under. With no rows at all, the built-in table.
    """
    rows = list(QuarantinePolicyRow.objects.all())
    if not rows:
        # A database that was never seeded (or was emptied) still has the built-in rules;
        # rows that exist but are all deactivated mean the province wants none.
        return rules.QUARANTINE_POLICIES
    policies = [row for row in rows if include_inactive or row.active]
    groups = QuarantineGroupRow.objects.filter(
        active=True, policy_id__in=[row.pk for row in policies]
    ).order_by("position", "pk")
    by_policy: dict[int, list] = {}
    for group in groups:
        by_policy.setdefault(group.policy_id, []).append(group)
    return tuple(_as_policy(row, by_policy.get(row.pk, [])) for row in policies)


def quarantine_policy(key: str) -> rules.QuarantinePolicy | None:
    """One quarantine rule by key, active or not (a quarantine keeps the rule it began under)."""
    return rules.policy_by_key(key, quarantine_policies(include_inactive=True)) if key else None


@dataclass
class Assessment:
    facts: rules.Facts
    suggestion: rules.Suggestion
    area: EpidemicArea | None
    test_age_hours: float | None


def assess(
    declaration: Declaration, *, temperature: float | None = None, province=None, now=None
) -> Assessment:
    now = now or timezone.now()
    area = area_level_for(declaration.origin, timezone.localdate(now))
    age = (
        (now - declaration.test_taken_at).total_seconds() / 3600
        if declaration.test_taken_at
        else None
    )
    commune = declaration.destination_commune
    province = province or home_province()
    in_province = commune is not None and (
        province is None or commune.path.startswith(province.path)
    )
    facts = rules.Facts(
        area_level=area.level if area else None,
        symptoms=declaration.has_symptoms,
        temperature=temperature,
        test_result=declaration.test_result,
        test_age_hours=age,
        doses=declaration.vaccine_doses,
        destination_in_province=in_province,
    )
    return Assessment(facts, rules.suggest_decision(facts, decision_rules()), area, age)


def home_province() -> AdminUnit | None:
    """The province this deployment serves (CHECKPOINTS_PROVINCE_CODE, else HOME_PROVINCE_CODE)."""
    code = getattr(settings, "CHECKPOINTS_PROVINCE_CODE", settings.HOME_PROVINCE_CODE)
    return AdminUnit.objects.filter(code=code, kind=AdminUnit.Kind.PROVINCE).first()


# --- passages -------------------------------------------------------------------------------


@transaction.atomic
def passage_record(
    *,
    by,
    declaration: Declaration,
    checkpoint: Checkpoint,
    decision: str,
    idempotency_key: str,
    temperature=None,
    note: str = "",
    facility=None,
    expected_at: datetime | None = None,
    exit_checkpoint: Checkpoint | None = None,
    transit_hours: float = 4,
) -> tuple[Passage, bool]:
    """Record the officer's decision once per idempotency key: (passage, created).

    A browser retrying after a dropped connection sends the same key and gets the passage
    already recorded back, never a second one (the key is UNIQUE in the database, so two
    racing retries cannot both insert).
    """
    key = (idempotency_key or "").strip()
    if not 8 <= len(key) <= 64:
        raise ValidationError({"idempotency_key": _("Thiếu mã chống trùng.")})
    existing = Passage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    if decision not in rules.DECISIONS:
        raise ValidationError({"decision": _("Quyết định không hợp lệ.")})
    if decision == rules.HANDOVER and declaration.destination_commune_id is None:
        raise ValidationError({"decision": _("Không có xã nơi đến trong tỉnh để bàn giao.")})
    if decision == rules.TRANSIT and exit_checkpoint is None:
        raise ValidationError({"exit_checkpoint": _("Chọn chốt ra khỏi tỉnh.")})
    site = facility if decision == rules.CENTRALISED else None
    temp = float(temperature) if temperature not in (None, "") else None
    assessment = assess(declaration, temperature=temp)
    now = timezone.now()
    passage = Passage(
        declaration=declaration,
        checkpoint=checkpoint,
        officer=by,
        at=now,
        temperature=temperature if temperature not in (None, "") else None,
        decision=decision,
        suggested_decision=assessment.suggestion.decision,
        suggestion_rule=assessment.suggestion.rule.key,
        facility=site,
        note=nfc(note)[:300],
        idempotency_key=key,
    )
    try:
        with transaction.atomic():
            passage.save()
    except IntegrityError:  # the same key raced us in another request
        return Passage.objects.get(idempotency_key=key), False
    ReturneeForecast.objects.filter(
        matched_declaration=declaration, matched_passage__isnull=True
    ).update(matched_passage=passage)
    if decision == rules.HANDOVER:
        Handover.objects.create(
            passage=passage,
            person=declaration.person,
            commune=declaration.destination_commune,
            expected_at=expected_at or now + timedelta(hours=3),
        )
    elif site is not None:
        # Takes the place or refuses when the site is full (one guarded UPDATE, so officers
        # at two gates cannot both fill the last place); a refusal rolls the passage back.
        # The message is not tied to a form field: the site is picked outside the form.
        facility_occupy(by=by, facility=site, delta=1)
    elif decision == rules.TRANSIT:
        TransitEscort.objects.create(
            passage=passage,
            vehicle_number=declaration.vehicle_number or "?",
            entry_checkpoint=checkpoint,
            exit_checkpoint=exit_checkpoint,
            entered_at=now,
            due_by=now + timedelta(hours=transit_hours),
            created_by=by,
        )
    audit_record(
        actor=by,
        action="checkpoints.passage",
        target=passage,
        changes={
            "declaration": declaration.pk,
            "decision": decision,
            "suggested": assessment.suggestion.decision,
        },
    )
    return passage, True


# --- hand-over and home quarantine ---------------------------------------------------------


def _claim_pending(handover: Handover, **changes) -> None:
    # Guarded update: two workers pressing at once cannot both change a pending hand-over.
    updated = Handover.objects.filter(pk=handover.pk, status=Handover.Status.PENDING).update(
        **changes
    )
    if not updated:
        raise ValidationError(_("Việc bàn giao này đã được xử lý."))
    for key, value in changes.items():
        setattr(handover, key, value)


@transaction.atomic
def handover_confirm(*, by, handover: Handover) -> Handover:
    _claim_pending(
        handover, status=Handover.Status.ARRIVED, confirmed_by=by, confirmed_at=timezone.now()
    )
    audit_record(actor=by, action="checkpoints.handover_arrived", target=handover)
    return handover


@transaction.atomic
def handover_no_show(*, by, handover: Handover) -> Handover:
    _claim_pending(
        handover, status=Handover.Status.NO_SHOW, confirmed_by=by, confirmed_at=timezone.now()
    )
    audit_record(actor=by, action="checkpoints.handover_no_show", target=handover)
    from .tasks import notify_no_show

    transaction.on_commit(lambda: notify_no_show.enqueue(handover.pk))
    return handover


def no_show_send_alert(handover_id: int) -> int:
    """Email the district's health officers about a hand-over that did not arrive."""
    handover = Handover.objects.select_related(
        "commune__parent", "person", "passage__checkpoint"
    ).get(pk=handover_id)
    district = handover.commune.parent
    recipients = list(
        get_user_model()
        .objects.filter(role=Role.HEALTH_OFFICER, is_active=True, jurisdiction=district)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    subject = _("Người được bàn giao không đến: %(commune)s") % {"commune": handover.commune.name}
    body = _(
        "%(name)s, bàn giao từ %(checkpoint)s về %(commune)s, dự kiến đến %(expected)s, "
        "đã được xã báo không đến. Đề nghị phối hợp xác minh."
    ) % {
        "name": handover.person.full_name,
        "checkpoint": handover.passage.checkpoint.name,
        "commune": handover.commune.label(),
        "expected": timezone.localtime(handover.expected_at).strftime("%H:%M %d/%m/%Y"),
    }
    return send_mail(subject, body, None, recipients)


@transaction.atomic
def quarantine_start(
    *,
    by,
    handover: Handover,
    on: date | None = None,
    last_exposure: date | None = None,
    policy_key: str = "",
) -> HomeQuarantine:
    if handover.status != Handover.Status.ARRIVED:
        raise ValidationError(_("Cần xác nhận người đã đến trước khi bắt đầu cách ly."))
    if HomeQuarantine.objects.filter(handover=handover).exists():
        raise ValidationError(_("Người này đã được lập hồ sơ cách ly."))
    on = on or timezone.localdate()
    declaration = handover.passage.declaration
    # Staff may apply a named row (a province keeping a stricter rule, or training on the
    # 2021-2022 rules); by default the row in force on the start day applies.
    policies = quarantine_policies()
    chosen = rules.policy_by_key(policy_key, policies) if policy_key else None
    if policy_key and chosen is None:
        raise ValidationError(_("Quy định không tồn tại."))
    plan = rules.quarantine_plan(
        on=on,
        doses=declaration.vaccine_doses,
        recovered_on=declaration.recovered_on,
        last_exposure=last_exposure,
        policies=(chosen,) if chosen else policies,
    )
    if plan is None:
        in_force = rules.policy_on(on, (chosen,) if chosen else policies)
        if in_force is not None:  # the province's edited row has no group for this person
            raise ValidationError(
                _(
                    "Quy định cách ly “%(rule)s” không có nhóm áp dụng cho người này; "
                    "đề nghị quản trị hệ thống bổ sung."
                )
                % {"rule": in_force.source}
            )
        raise ValidationError(_("Chưa có quy định cách ly cho ngày này."))
    quarantine = HomeQuarantine.objects.create(
        person=handover.person,
        commune=handover.commune,
        handover=handover,
        address=declaration.destination_address,
        policy_key=plan.policy.key,
        policy_source=plan.policy.source,
        group_label=plan.group.label,
        start_date=plan.start,
        end_date=plan.quarantine_end,
        monitoring_end=plan.monitoring_end,
        test_dates=[d.isoformat() for d in plan.test_dates],
        created_by=by,
    )
    audit_record(
        actor=by,
        action="checkpoints.quarantine_start",
        target=quarantine,
        changes={"policy": plan.policy.key, "end": plan.quarantine_end.isoformat()},
    )
    if apps.is_installed("phongdich.quarantine"):
        # One quarantine record for everyone (issue 13): the returnee's Quarantine.
        from phongdich.quarantine.services import quarantine_from_checkpoint

        quarantine_from_checkpoint(by=by, home=quarantine)
    return quarantine


@transaction.atomic
def quarantine_mark(*, by, quarantine: HomeQuarantine, what: str) -> HomeQuarantine:
    """Record that the commitment was signed or the door sign posted."""
    field = {"commitment": "commitment_signed_at", "door_sign": "door_sign_posted_at"}[what]
    if getattr(quarantine, field) is None:
        setattr(quarantine, field, timezone.now())
        quarantine.save(update_fields=[field])
        audit_record(actor=by, action=f"checkpoints.quarantine_{what}", target=quarantine)
    return quarantine


@idempotency.submitted_once(QuarantineCheck)
@transaction.atomic
def quarantine_check_record(
    *,
    by=None,
    quarantine: HomeQuarantine,
    temperature=None,
    symptoms=(),
    note="",
    submission: idempotency.Submission | None = None,
) -> QuarantineCheck:
    if quarantine.status != HomeQuarantine.Status.ACTIVE:
        raise ValidationError(_("Đợt cách ly đã kết thúc."))
    check = QuarantineCheck.objects.create(
        quarantine=quarantine,
        temperature=temperature,
        symptoms=[s for s in symptoms if s in SYMPTOMS],
        note=nfc(note)[:300],
        by=by if getattr(by, "is_authenticated", False) else None,
        **idempotency.fields(submission),
    )
    temp = float(temperature) if temperature is not None else None
    attention = rules.check_needs_attention(temperature=temp, symptoms=check.symptoms)
    if attention:
        quarantine.attention_at = check.at
        quarantine.save(update_fields=["attention_at"])
    if apps.is_installed("phongdich.quarantine"):
        from phongdich.quarantine.services import checkpoint_check_seen

        checkpoint_check_seen(home=quarantine, at=check.at, attention=attention)
    audit_record(
        actor=by,
        actor_label="" if getattr(by, "is_authenticated", False) else CITIZEN,
        action="checkpoints.quarantine_check",
        target=quarantine,
        changes={"symptoms": check.symptoms},
    )
    return check


@transaction.atomic
def quarantine_release(*, by, quarantine: HomeQuarantine) -> HomeQuarantine:
    updated = HomeQuarantine.objects.filter(
        pk=quarantine.pk, status=HomeQuarantine.Status.ACTIVE
    ).update(status=HomeQuarantine.Status.RELEASED, released_at=timezone.now(), released_by=by)
    if not updated:
        raise ValidationError(_("Đợt cách ly đã kết thúc."))
    quarantine.refresh_from_db()
    audit_record(actor=by, action="checkpoints.quarantine_release", target=quarantine)
    if apps.is_installed("phongdich.quarantine"):
        from phongdich.quarantine.services import checkpoint_released

        checkpoint_released(by=by, home=quarantine)
    return quarantine


@transaction.atomic
def quarantine_link_mint(*, by, quarantine: HomeQuarantine) -> str:
    days = (quarantine.monitoring_end - timezone.localdate()).days + 2
    _link, raw = QuarantineLink.mint(valid_for=timedelta(days=max(days, 1)), quarantine=quarantine)
    audit_record(actor=by, action="checkpoints.quarantine_link", target=quarantine)
    return raw


# --- transit --------------------------------------------------------------------------------


@idempotency.submitted_once(TransitEscort)
@transaction.atomic
def transit_start(
    *,
    by,
    vehicle_number: str,
    people_count: int,
    entry_checkpoint,
    exit_checkpoint,
    hours: float,
    submission: idempotency.Submission | None = None,
) -> TransitEscort:
    """A vehicle entered at one gate and must leave by another within `hours`."""
    now = timezone.now()
    escort = TransitEscort.objects.create(
        vehicle_number=vehicle_number.strip().upper(),
        people_count=people_count,
        entry_checkpoint=entry_checkpoint,
        exit_checkpoint=exit_checkpoint,
        entered_at=now,
        due_by=now + timedelta(hours=hours),
        created_by=by,
        **idempotency.fields(submission),
    )
    audit_record(actor=by, action="checkpoints.transit_create", target=escort)
    return escort


@transaction.atomic
def transit_exit(*, by, escort: TransitEscort) -> TransitEscort:
    if TransitEscort.objects.filter(pk=escort.pk, exited_at__isnull=True).update(
        exited_at=timezone.now()
    ):
        escort.refresh_from_db()
        audit_record(actor=by, action="checkpoints.transit_exit", target=escort)
    return escort


def transit_scan_overdue(now: datetime | None = None) -> list[TransitEscort]:
    """Claim escorts past due and not exited, once each; alert the province officers."""
    now = now or timezone.now()
    alerted = []
    for escort in TransitEscort.objects.filter(
        exited_at__isnull=True, due_by__lt=now, overdue_alerted_at__isnull=True
    ).select_related("entry_checkpoint", "exit_checkpoint"):
        with transaction.atomic():
            claimed = TransitEscort.objects.filter(
                pk=escort.pk, overdue_alerted_at__isnull=True
            ).update(overdue_alerted_at=now)
            if not claimed:
                continue
            audit_record(actor=None, action="checkpoints.transit_overdue", target=escort)
        alerted.append(escort)
    if alerted:
        recipients = list(
            get_user_model()
            .objects.filter(
                role__in=[Role.CHECKPOINT_OFFICER, Role.HEALTH_OFFICER],
                is_active=True,
                jurisdiction__kind="province",
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if recipients:
            lines = [
                f"{e.vehicle_number}: {e.entry_checkpoint.name} → {e.exit_checkpoint.name}, "
                f"{timezone.localtime(e.due_by):%H:%M %d/%m/%Y}"
                for e in alerted
            ]
            send_mail(
                _("Xe đi qua tỉnh quá giờ chưa ra khỏi tỉnh"), "\n".join(lines), None, recipients
            )
    return alerted


# --- returnee forecasts ---------------------------------------------------------------------

FORECAST_MAX_BYTES = 5 * 1024 * 1024
# An association's list runs to a few thousand people; the cap bounds the work a file can ask.
FORECAST_MAX_ROWS = 10_000


def forecast_columns() -> list[imports.Column]:
    """The columns of a forecast list; header words are matched without diacritics."""
    return [
        imports.Column(
            "full_name",
            _("Họ và tên"),
            headers=("họ và tên", "họ tên"),
            required=True,
            max_length=imports.model_max_length(ReturneeForecast, "full_name"),
        ),
        imports.Column(
            "phone",
            _("Số điện thoại"),
            headers=("số điện thoại", "điện thoại", "sđt"),
            max_length=20,
            parse=normalize_phone,
        ),
        imports.Column(
            "origin_text",
            _("Nơi đi"),
            headers=("nơi đi",),
            max_length=imports.model_max_length(ReturneeForecast, "origin_text"),
        ),
        imports.Column(
            "commune_code",
            _("Mã xã nơi đến"),
            headers=("mã xã nơi đến", "mã xã"),
            required=True,
            max_length=imports.model_max_length(AdminUnit, "code"),
        ),
        imports.Column(
            "expected_date",
            _("Ngày dự kiến về"),
            headers=("ngày dự kiến về", "ngày về"),
            required=True,
            parse=imports.parse_date,
        ),
    ]


FORECAST_HEADER = ["họ và tên", "số điện thoại", "nơi đi", "mã xã nơi đến", "ngày dự kiến về"]


def forecast_import(
    *,
    by,
    upload,
    source_association: str,
    keep_good_rows: bool,
    submission: idempotency.Submission | None = None,
) -> ForecastImport:
    """Import a hometown association's list (.xlsx or .csv). Each bad row is reported with
    its line number; `keep_good_rows=False` refuses the whole file when any row is bad.

    Raises imports.FileRefused for a refused file; when rows were read, the refusal and its
    report are stored as a ForecastImport too (`exc.batch`), so the page can show them."""
    source_association = nfc(source_association)[:200]
    mode = imports.KEEP_GOOD if keep_good_rows else imports.ALL_OR_NOTHING
    units: dict[str, AdminUnit | None] = {}

    def check(row: imports.Row) -> None:
        code = row.values.get("commune_code")
        if code:
            if code not in units:
                units[code] = AdminUnit.objects.filter(
                    code=code, kind=AdminUnit.Kind.COMMUNE
                ).first()
            if units[code] is None:
                row.errors.append(_("Mã xã nơi đến: không có xã mã %(code)s") % {"code": code})

    def forecast(row: imports.Row) -> ReturneeForecast:
        values = row.values
        return ReturneeForecast(
            batch=batch,
            full_name=values["full_name"],
            name_key=name_key(values["full_name"]),
            phone=values["phone"] or "",
            origin_text=values["origin_text"],
            destination_commune=units[values["commune_code"]],
            expected_date=values["expected_date"],
            source_association=source_association,
        )

    batch = None

    # Once per submission: a double-posted file is one batch. A refused file is stored
    # outside this savepoint (below), so its report survives the refusal.
    @idempotency.submitted_once(ForecastImport)
    def write(submission):
        nonlocal batch
        kind = imports.check_upload(upload, max_bytes=FORECAST_MAX_BYTES)
        table = imports.read_table(
            upload,
            forecast_columns(),
            kind=kind,
            max_rows=FORECAST_MAX_ROWS,
            header="optional",
            check=check,
        )
        imports.refuse_if_rows_failed(table, mode)
        with transaction.atomic():
            batch = ForecastImport.objects.create(
                source_association=source_association,
                file_name=upload.name[:200],
                rows_total=table.total,
                by=by,
                **idempotency.fields(submission),
            )
            batch.rows_imported = imports.write_rows(
                table.rows,
                lambda row: forecast(row).save(),
                write_many=lambda rows: ReturneeForecast.objects.bulk_create(
                    [forecast(row) for row in rows]
                ),
                mode=mode,
                report=table.report,
            )
            batch.errors, batch.errors_total = table.report.entries, table.report.total
            batch.save(update_fields=["rows_imported", "errors", "errors_total"])
            forecast_match(batch=batch)
            audit_record(
                actor=by,
                action="checkpoints.forecast_import",
                target=batch,
                changes={"rows": batch.rows_imported, "errors": batch.errors_total},
            )
        return batch

    try:
        return write(submission=submission)
    except imports.FileRefused as exc:
        exc.batch = None
        if exc.report is not None:
            exc.batch = _forecast_refused(by, upload.name, source_association, exc)
        raise


def _forecast_refused(by, file_name: str, source_association: str, exc) -> ForecastImport:
    batch = ForecastImport.objects.create(
        source_association=source_association,
        file_name=file_name[:200],
        refusal=exc.messages[0][:300],
        errors=exc.report.entries,
        errors_total=exc.report.total,
        by=by,
    )
    audit_record(
        actor=by,
        action="checkpoints.forecast_refuse",
        target=batch,
        changes={"errors": batch.errors_total},
    )
    return batch


def forecast_match(*, batch: ForecastImport | None = None) -> int:
    """Link forecast rows to declarations by phone, else by folded name + destination (the
    newest declaration, and its newest passage). Set-based, so a 10,000-row list costs a
    few queries per 1,000 rows rather than two per row."""
    qs = ReturneeForecast.objects.filter(matched_declaration__isnull=True)
    if batch is not None:
        qs = qs.filter(batch=batch)
    rows = list(qs.only("pk", "phone", "name_key", "destination_commune_id").order_by("pk"))
    matched = []
    for start in range(0, len(rows), FORECAST_MATCH_CHUNK):
        matched += _forecast_match_chunk(rows[start : start + FORECAST_MATCH_CHUNK])
    ReturneeForecast.objects.bulk_update(
        matched, ["matched_declaration", "matched_passage"], batch_size=1000
    )
    return len(matched)


FORECAST_MATCH_CHUNK = 1000  # bounds the IN lists below on both databases


def _forecast_match_chunk(rows: list[ReturneeForecast]) -> list[ReturneeForecast]:
    declarations = Declaration.objects.filter(
        destination_commune__in={r.destination_commune_id for r in rows}
    ).order_by("-created_at", "-pk")
    by_phone: dict[tuple, int] = {}
    phones = {r.phone for r in rows if r.phone}
    for pk, commune, phone in declarations.filter(phone__in=phones).values_list(
        "pk", "destination_commune_id", "phone"
    ):
        by_phone.setdefault((commune, phone), pk)
    by_name: dict[tuple, int] = {}
    for pk, commune, key in declarations.filter(
        person__name_key__in={r.name_key for r in rows}
    ).values_list("pk", "destination_commune_id", "person__name_key"):
        by_name.setdefault((commune, key), pk)
    matched = []
    for row in rows:
        found = by_phone.get((row.destination_commune_id, row.phone)) if row.phone else None
        if found is None:
            found = by_name.get((row.destination_commune_id, row.name_key))
        if found is not None:
            row.matched_declaration_id = found
            matched.append(row)
    passages: dict[int, int] = {}
    for pk, declaration in (
        Passage.objects.filter(declaration__in={r.matched_declaration_id for r in matched})
        .order_by("-at", "-pk")
        .values_list("pk", "declaration_id")
    ):
        passages.setdefault(declaration, pk)
    for row in matched:
        row.matched_passage_id = passages.get(row.matched_declaration_id)
    return matched


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
