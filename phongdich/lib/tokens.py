"""Unguessable, expiring tokens for citizens' personal links.

The raw token goes into the link only; the database keeps its SHA-256, so a leaked backup
cannot be turned into working links. Apps keep a model with `token_hash` and `expires_at`
(see `PersonalLinkMixin`) and use these helpers to mint and check.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import models
from django.utils import timezone

TOKEN_BYTES = 32  # 256 bits: not guessable, not enumerable


def new_token() -> tuple[str, str]:
    """(raw, hash). Give the raw token to the citizen; store the hash."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def tokens_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


class PersonalLinkMixin(models.Model):
    """Abstract fields for anything a citizen reaches through a personal link."""

    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def mint(cls, *, valid_for: timedelta, **fields):
        link, raw = cls.unsaved(valid_for=valid_for, **fields)
        link.save(force_insert=True)
        return link, raw

    @classmethod
    def unsaved(cls, *, valid_for: timedelta, **fields):
        """(link, raw) as `mint` makes them, the link not saved yet: for a write path that
        inserts it with its other rows in one round trip (lib.query.write_together)."""
        raw, digest = new_token()
        return cls(token_hash=digest, expires_at=timezone.now() + valid_for, **fields), raw

    @classmethod
    def resolve(cls, raw: str):
        """The live link for a raw token, or None (expired, revoked, unknown look the same)."""
        if not raw or len(raw) > 100:
            return None
        link = cls.objects.filter(token_hash=hash_token(raw)).first()
        if link is None or link.revoked_at is not None or link.expires_at <= timezone.now():
            return None
        return link
