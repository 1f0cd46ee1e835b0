"""Traveller declarations: submission, short codes and signed QR lookups."""

import secrets
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_event
from phongdich.geo.models import AdminUnit
from phongdich.lib import idempotency
from phongdich.lib.identity import normalize_phone
from phongdich.lib.query import FixedQuery, Param, Update, write_together
from phongdich.lib.text import nfc
from phongdich.people.services import person_register_within

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


def qr_reference(text: str) -> tuple[int, str] | None:
    """(declaration pk, nonce) of a well-signed QR, without reading the database."""
    text = (text or "").strip()
    if not text.startswith("PD1:"):
        return None
    try:
        data = signing.loads(text[4:], salt=QR_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), int):
        return None
    return data["d"], str(data.get("n"))


def declaration_from_qr(text: str) -> Declaration | None:
    ref = qr_reference(text)
    if ref is None:
        return None
    declaration = Declaration.objects.filter(pk=ref[0]).first()
    if declaration is None or not secrets.compare_digest(declaration.qr_nonce, ref[1]):
        return None
    return declaration


# What the officer's pages show of a declaration; a scan needs less (SCAN_RELATED).
DECLARATION_RELATED = ("origin", "destination_commune__parent", "person")
# A scan assesses the origin and the destination; the hand-over takes the person's id only.
SCAN_RELATED = ("origin", "destination_commune")


def declaration_by_code(code: str, *, related=DECLARATION_RELATED) -> Declaration | None:
    code = (code or "").strip().upper().replace(" ", "")
    if len(code) != CODE_LENGTH:
        return None
    since = timezone.now() - timedelta(days=CODE_RECENT_DAYS)
    read = _BY_CODE.get(tuple(related))
    if read is None:  # compiled once per process and set of related rows
        read = _BY_CODE.setdefault(tuple(related), _by_code(tuple(related)))
    found = read.rows(code=code, since=since)
    return found[0] if found else None


def _by_code(related: tuple) -> FixedQuery:
    return FixedQuery(
        lambda: (
            Declaration.objects.filter(
                code=Param("code", Declaration._meta.get_field("code")),
                created_at__gte=Param("since", Declaration._meta.get_field("created_at")),
            )
            .select_related(*related)
            .order_by("-created_at")[:1]
        )
    )


# The scan's and the lookup's reads of a declaration by its short code (lib.query.FixedQuery).
_BY_CODE: dict[tuple, FixedQuery] = {}


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
    link, raw = DeclarationLink.unsaved(
        valid_for=LINK_VALID, person=declaration.person, declaration=declaration
    )
    rows = [link]
    if not declaration.submission_replayed:
        # What a new declaration writes besides its row, in the same statement as the link
        # and in the declaration's transaction (two round trips fewer, issue 17): the
        # person's audit event, the tick on the returnee forecasts, the declaration's audit
        # event. A replay wrote nothing: it is not audited again, as before.
        commune = declaration.destination_commune
        rows[:0] = [
            *declaration.pending_rows,
            Update(
                ReturneeForecast.objects.filter(
                    phone=declaration.phone,
                    destination_commune=commune,
                    matched_declaration__isnull=True,
                ),
                matched_declaration=declaration,
            )
            if declaration.phone and commune is not None
            else None,
            audit_event(
                actor=by,
                actor_label="" if getattr(by, "is_authenticated", False) else CITIZEN,
                action="checkpoints.declare",
                target=declaration,
                changes={
                    "commune": commune.code if commune else None,
                    "previous": previous.pk if previous else None,
                },
            ),
        ]
    write_together(*rows)
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
    # Inside declaration_submit's atomic block, which lets every exception out: no
    # savepoint of person_register's own (two statements fewer).
    pending = []  # the person's audit event, written with the declaration's rows
    person, _created = person_register_within(
        audit_into=pending,
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
    declaration.pending_rows = pending
    # Ticked off the forecasts and audited by declaration_submit, in one statement with the
    # personal link.
    return declaration
