"""Traveller declarations: submission, short codes and signed QR lookups."""

import secrets
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib import idempotency
from phongdich.lib.identity import normalize_phone
from phongdich.lib.text import nfc
from phongdich.people.services import person_register

from ..models import (
    Declaration,
    DeclarationLink,
    ReturneeForecast,
)
from .common import (
    CITIZEN,
    CODE_ALPHABET,
    CODE_LENGTH,
    CODE_RECENT_DAYS,
    EXPOSURES,
    LINK_VALID,
    QR_SALT,
    SYMPTOMS,
)

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
