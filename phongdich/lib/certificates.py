"""Certificates a citizen shows and anyone may check: the recovery certificate (cases) and
the vaccination certificate (vaccination) share this.

A certificate row keeps an unguessable code (`new_code`). The printed QR carries a public
URL; `sign_code` adds an HMAC of the code (Django's signing, keyed by SECRET_KEY and a salt
per kind of certificate) so a tampered or made-up code is refused before any lookup, and a
code of one kind of certificate never verifies as another kind.
"""

import secrets

import segno
from django.core import signing

CODE_BYTES = 16  # 128 bits: not guessable, not enumerable


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as an inline SVG (PDF templates embed it; no file, no CDN)."""
    return segno.make(url, error="m").svg_data_uri(scale=4)


def sign_code(code: str, *, salt: str) -> str:
    return signing.Signer(salt=salt).sign(code)


def code_from_token(token: str, *, salt: str) -> str | None:
    """The code inside a signed token, or None when the signature does not hold."""
    if not token or len(token) > 200:
        return None
    try:
        return signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature:
        return None
