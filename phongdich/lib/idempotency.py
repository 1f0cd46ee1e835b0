"""One record per submission, however often it is sent: double clicks, browser retries after
a dropped connection, an integration re-posting after a timeout.

A submission is identified by a key chosen before it is first sent:

- forms render a fresh single-use key into a hidden field (`SubmissionKeyForm`);
- write APIs read the `Idempotency-Key` request header (`api_submission`), so a client
  decides its retries itself, as with Stripe or the IETF idempotency-key draft.

The key is stored, prefixed with the caller (a user's key never meets another user's), on
the record the submission created (`SubmittedOnce` adds the column, UNIQUE in the
database). `submit_once` then makes the write happen once:

- a replay finds the record and gets it back (`record.submission_replayed` is True);
- two copies racing: both INSERTs carry the key, the database lets one through, the other
  waits for it, fails on the unique index, has all of its own work rolled back (it ran in a
  savepoint) and gets the winner's record back;
- the same key sent with different content is refused (`SubmissionConflict`): it is a
  client bug or an edited resubmission, and silently returning the first record would lose
  the change.
"""

import functools
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

HEADER = "Idempotency-Key"
# Answer header of a replay, as Stripe sends it: the record was created by an earlier call.
REPLAYED_HEADER = "Idempotent-Replayed"
# token_urlsafe's alphabet plus the separators of UUIDs and common client schemes.
KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{8,64}")
ANONYMOUS = "anon"

Model = TypeVar("Model", bound=models.Model)

CONFLICT_MESSAGE = _(
    "Yêu cầu này đã được gửi trước đó với nội dung khác. "
    "Không có gì bị ghi thêm: hãy mở lại biểu mẫu để gửi một yêu cầu mới."
)
INVALID_KEY_MESSAGE = _("Idempotency-Key phải dài 8–64 ký tự, gồm chữ, số và - _ . :")


class SubmissionConflict(ValidationError):
    """The key was already used for a submission with other content; nothing was written."""

    def __init__(self):
        super().__init__(CONFLICT_MESSAGE, code="idempotency_conflict")


def new_key() -> str:
    return secrets.token_urlsafe(18)


def _caller(user) -> str:
    return f"u{user.pk}" if getattr(user, "is_authenticated", False) else ANONYMOUS


def _digest(content) -> str:
    canonical = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Submission:
    key: str  # as stored: "<caller>:<client key>"
    fingerprint: str  # SHA-256 of the submitted content

    @classmethod
    def of(cls, *, user, key: str, content) -> "Submission":
        return cls(key=f"{_caller(user)}:{key}", fingerprint=_digest(content))

    def fields(self) -> dict:
        """The values `submit_once` expects on the created record."""
        return {"submission_key": self.key, "submission_fingerprint": self.fingerprint}


class SubmittedOnce(models.Model):
    """Abstract: the record remembers the submission that created it."""

    # NULL for records created without a key (imports, the demo, other services); UNIQUE
    # in the database, which is what makes two racing copies of one submission one record.
    submission_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    submission_fingerprint = models.CharField(max_length=64, blank=True)

    # Set on the instance `submit_once` returns: True when it is an earlier submission's.
    submission_replayed = False

    class Meta:
        abstract = True


def earlier(model: type[Model], submission: Submission) -> Model | None:
    """The record an earlier copy of `submission` created, or None; refuses other content."""
    found = model._default_manager.filter(submission_key=submission.key).first()
    if found is None:
        return None
    if found.submission_fingerprint != submission.fingerprint:
        raise SubmissionConflict()
    found.submission_replayed = True
    return found


def submit_once(
    model: type[Model], submission: Submission | None, create: Callable[[], Model]
) -> Model:
    """Run `create` (which saves a `model` row carrying `submission.fields()`) once per key.

    Without a submission (no key was sent) `create` simply runs.
    """
    if submission is None:
        return create()
    first = earlier(model, submission)
    if first is not None:
        return first
    try:
        with transaction.atomic():  # a savepoint: the loser of a race keeps none of its work
            return create()
    except IntegrityError:
        first = earlier(model, submission)
        if first is None:  # another constraint failed: not ours to hide
            raise
        return first


def submitted_once(model: type[Model], *, atomic: bool = False):
    """Decorate a service that creates one `model` row: it gains a keyword-only
    `submission` argument and runs once per submission (see `submit_once`). The service
    receives `submission` too, to store `submission.fields()` on the row it creates.

    `atomic=True` runs the service in a transaction.atomic block opened here, also without
    a submission: use it INSTEAD of stacking @transaction.atomic under this decorator. The
    stacked block sits inside `submit_once`'s own, where it is a savepoint that guards
    nothing the outer block does not (SAVEPOINT and RELEASE, two round trips a write)."""

    def decorate(service: Callable[..., Model]) -> Callable[..., Model]:
        @functools.wraps(service)
        def once(*args, submission: Submission | None = None, **kwargs) -> Model:
            def create() -> Model:
                return service(*args, submission=submission, **kwargs)

            if atomic and submission is None:
                with transaction.atomic():
                    return create()
            # With a submission, submit_once runs `create` in its atomic block.
            return submit_once(model, submission, create)

        return once

    return decorate


def fields(submission: Submission | None) -> dict:
    """`submission.fields()`, or nothing for a write sent without a key."""
    return submission.fields() if submission is not None else {}


# --- forms ----------------------------------------------------------------------------------

# What a browser sends besides the user's answers; a resubmission differs only in these.
_NOT_CONTENT = ("csrfmiddlewaretoken", "submission_key")


class SubmissionKeyForm(forms.Form):
    """Mix into a create form: renders a hidden single-use key, fresh on every new page.

    A form posted without a key (an old page, a script) is still accepted, just without
    double-submission protection; a malformed key is treated as no key.
    """

    submission_key = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, initial=new_key
    )
    # Fields left out of the fingerprint: it is an unsalted SHA-256 stored on the record,
    # so a password in it could be recovered by guessing. A resubmission differing only
    # in these is a replay.
    secret_fields: tuple[str, ...] = ()

    def clean_submission_key(self) -> str:
        key = (self.cleaned_data.get("submission_key") or "").strip()
        return key if KEY_PATTERN.fullmatch(key) else ""

    def answers(self) -> dict:
        """cleaned_data without the key, to pass on as a service's keyword arguments."""
        return {k: v for k, v in self.cleaned_data.items() if k != "submission_key"}

    def submission(self, user) -> Submission | None:
        """The submission this POST is, for the service's `submission` argument."""
        key = self.cleaned_data.get("submission_key")
        if not key:
            return None
        content = {
            name: self.data.getlist(name) if hasattr(self.data, "getlist") else self.data[name]
            for name in sorted(self.data)
            if name not in _NOT_CONTENT and name not in self.secret_fields
        }
        for name, upload in (self.files or {}).items():
            content[name] = [upload.name, upload.size]
        return Submission.of(user=user, key=key, content=content)

    def add_error(self, field, error):
        # After a conflict the page must offer a new key, or every retry would conflict.
        if isinstance(error, SubmissionConflict):
            self.data = self.data.copy()
            self.data["submission_key"] = new_key()
        super().add_error(field, error)


# --- APIs -----------------------------------------------------------------------------------

OPENAPI_HEADER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 8, "maxLength": 64, "pattern": KEY_PATTERN.pattern},
    "description": (
        "A random value (a UUID) chosen by the client for this write. Sending the same request "
        "again with the same key (a retry after a timeout) returns the record created the "
        "first time (status 200) instead of creating another; the same key with a different "
        "body is refused with 409. Keys are scoped to the caller."
    ),
}


def api_submission(request, payload) -> Submission | None:
    """The submission of an API write, from its Idempotency-Key header and parsed body.

    Raises ValidationError for a malformed key (the API answers 422)."""
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError(INVALID_KEY_MESSAGE, code="idempotency_key")
    content = payload.dict() if hasattr(payload, "dict") else payload
    return Submission.of(user=request.user, key=key, content=[request.path, content])
