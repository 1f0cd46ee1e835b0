"""Reference numbers handed to citizens after a submission ("F0-0212-7KQ3AB").

One helper for every citizen submission (F0 self-declaration, F0 check, 1022 question,
relief request, checkpoint declaration), so a citizen who calls back reads out one kind of
number and staff find the record from it (web: /ref/).

The code is the record's id through a keyed permutation (a 4-round Feistel network over
30 bits, keyed by settings.REFERENCE_KEY), written in Crockford base32: six characters with
no I, L, O or U to misread. Consecutive ids give unrelated codes, so a reference does not
tell how many submissions came before it, and it needs no column or migration: staff look-up
inverts the permutation. The day and month (of the submission) are there for people only;
look-up goes by the code, and with a 30-bit space a mistyped code rarely names an existing
record (staff then see that record's own details to tell). A checkpoint declaration keeps
the random six-character code travellers already read out at the checkpoint.

REFERENCE_KEY must stay the same for the life of the data (rotating it changes every
reference); it defaults to one derived from SECRET_KEY.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.utils import timezone

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
CODE_LENGTH = 6
BITS = CODE_LENGTH * 5  # 30
HALF = BITS // 2
MASK = (1 << HALF) - 1
ROUNDS = 4


@dataclass(frozen=True)
class Kind:
    prefix: str
    model: str  # "app_label.Model"
    date_field: str
    code_field: str = ""  # a stored code (declarations) instead of the permuted id


KINDS = {
    k.prefix: k
    for k in (
        Kind("F0", "cases.Case", "created_at"),
        Kind("TD", "cases.HealthCheck", "at"),
        Kind("1022", "hotline.Ticket", "created_at"),
        Kind("HT", "hotline.ReliefRequest", "created_at"),
        Kind("KB", "checkpoints.Declaration", "created_at", code_field="code"),
    )
}
_BY_MODEL = {k.model: k for k in KINDS.values()}


def _key(prefix: str) -> bytes:
    base = getattr(settings, "REFERENCE_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(f"phongdich.reference:{prefix}:{base}".encode()).digest()


def _round(key: bytes, r: int, half: int) -> int:
    digest = hmac.new(key, f"{r}:{half}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") & MASK


def _permute(n: int, prefix: str) -> int:
    key = _key(prefix)
    left, right = n >> HALF, n & MASK
    for r in range(ROUNDS):
        left, right = right, left ^ _round(key, r, right)
    return (left << HALF) | right


def _unpermute(n: int, prefix: str) -> int:
    key = _key(prefix)
    left, right = n >> HALF, n & MASK
    for r in reversed(range(ROUNDS)):
        left, right = right ^ _round(key, r, left), left
    return (left << HALF) | right


def _encode(n: int) -> str:
    chars = []
    for _i in range(CODE_LENGTH):
        chars.append(ALPHABET[n & 31])
        n >>= 5
    return "".join(reversed(chars))


def _decode(text: str) -> int | None:
    n = 0
    for ch in text:
        i = ALPHABET.find(ch)
        if i < 0:
            return None
        n = (n << 5) | i
    return n


def _normalise(text: str) -> str:
    text = (text or "").strip().upper().replace(" ", "")
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def _model_key(obj) -> str:
    return f"{obj._meta.app_label}.{obj._meta.object_name}"


def reference_for(obj, *, on=None) -> str:
    """The reference number of a stored submission; `on` (a date) when the submission that
    leads to this record is not its creation (an F0 self-declaring again the same case)."""
    kind = _BY_MODEL[_model_key(obj)]
    when = on or timezone.localtime(getattr(obj, kind.date_field))
    if kind.code_field:
        code = getattr(obj, kind.code_field)
    else:
        if obj.pk >= 1 << BITS:  # a billion records of one kind: widen CODE_LENGTH first
            raise ValueError("id beyond the reference space")
        code = _encode(_permute(obj.pk, kind.prefix))
    return f"{kind.prefix}-{when:%d%m}-{code}"


@dataclass(frozen=True)
class Parsed:
    kind: Kind
    ddmm: str
    code: str

    def pk(self) -> int | None:
        """The record id the code stands for (None for a stored-code kind)."""
        if self.kind.code_field:
            return None
        n = _decode(self.code)
        return None if n is None else _unpermute(n, self.kind.prefix)


def reference_decoy(prefix: str) -> str:
    """A reference-shaped answer for a submission that was dropped (a bot filling the hidden
    field): the page looks the same, and the code names nothing."""
    import secrets

    code = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))
    return f"{prefix}-{timezone.localdate():%d%m}-{code}"


def reference_parse(text: str) -> Parsed | None:
    """ "f0 0212 7kq3ab", "F0-0212-7KQ3AB", "fo-0212-7kq3ab" → Parsed; else None (never raises)."""
    text = _normalise(text).replace("-", "")
    if len(text) > 16:
        return None
    for prefix, kind in KINDS.items():
        rest = text[len(prefix) :]
        if text.startswith(prefix) and len(rest) == 4 + CODE_LENGTH and rest[:4].isdigit():
            code = rest[4:]
            if kind.code_field or all(ch in ALPHABET for ch in code):
                return Parsed(kind, rest[:4], code)
    return None


def reference_find(text: str):
    """The record a reference names, unscoped (callers scope it to the user), or None."""
    parsed = reference_parse(text)
    if parsed is None:
        return None, None
    try:
        model = apps.get_model(parsed.kind.model)
    except LookupError:  # that app is not enabled in this deployment (PHONGDICH_APPS)
        return parsed.kind, None
    if parsed.kind.code_field:
        obj = (
            model.objects.filter(**{parsed.kind.code_field: parsed.code})
            .order_by(f"-{parsed.kind.date_field}")
            .first()
        )
    else:
        pk = parsed.pk()
        obj = model.objects.filter(pk=pk).first() if pk else None
    return parsed.kind, obj
