from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib import idempotency
from phongdich.lib.query import FixedQuery, Param

from .models import ApiToken, Role, User
from .permissions import ADMIN_ROLES, API_TOKEN_ROLES


@idempotency.submitted_once(User)
@transaction.atomic
def user_create(
    *,
    by: User | None,
    username: str,
    password: str,
    role: str,
    jurisdiction,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    organisation: str = "",
    submission: idempotency.Submission | None = None,
) -> User:
    """Create a staff account. An admin may only create users inside their own jurisdiction.
    The same submission sent twice is one account (the second gets it back).

    `by=None` is reserved for set-up commands (demo, createsuperuser-like bootstrap).
    """
    if by is not None:
        if not by.has_role(Role.PROVINCE_ADMIN):
            raise PermissionDenied
        if (
            jurisdiction is None
            or by.jurisdiction is None
            or not jurisdiction.is_within(by.jurisdiction)
        ):
            raise ValidationError(
                {"jurisdiction": _("Chỉ được tạo tài khoản trong địa bàn mình quản lý.")}
            )
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Tên đăng nhập đã tồn tại.")})
    first, _sep, last = full_name.rpartition(" ")
    user = User(
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        email=email,
        phone=phone,
        organisation=organisation,
        first_name=first,
        last_name=last,
        **idempotency.fields(submission),
    )
    if by is not None:
        validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Two admins (or two copies of one form) took the name at the same moment: the
        # check above passed for both and the unique index refused the later INSERT.
        if submission is not None and User.objects.filter(submission_key=submission.key).exists():
            raise  # our own earlier copy won: `submitted_once` answers with its account
        raise ValidationError({"username": _("Tên đăng nhập đã tồn tại.")}) from None
    audit_record(
        actor=by,
        action="user.create",
        target=user,
        changes={"role": role, "jurisdiction": jurisdiction.code if jurisdiction else None},
    )
    return user


@transaction.atomic
def user_set_active(*, by: User, user: User, active: bool) -> User:
    if (
        not user.jurisdiction
        or not by.jurisdiction
        or not user.jurisdiction.is_within(by.jurisdiction)
    ):
        raise PermissionDenied
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(actor=by, action="user.activate" if active else "user.deactivate", target=user)
    return user


# A token lives 90 days unless its owner asks for less; never more than a year, so a key
# forgotten in an old integration stops working by itself.
API_TOKEN_DEFAULT_DAYS = 90
API_TOKEN_MAX_DAYS = 365


def api_token_can_manage(user: User, token: ApiToken) -> bool:
    """The owner, or an admin whose jurisdiction holds the owner's unit, may see and revoke
    a token."""
    if not user.is_active:
        return False
    if token.user_id == user.pk:
        return True
    owner_unit = token.user.jurisdiction
    return (
        user.has_role(*ADMIN_ROLES)
        and user.jurisdiction is not None
        and owner_unit is not None
        and owner_unit.is_within(user.jurisdiction)
    )


@transaction.atomic
def api_token_create(
    *,
    by: User,
    name: str,
    valid_days: int = API_TOKEN_DEFAULT_DAYS,
    submission: idempotency.Submission | None = None,
) -> tuple[ApiToken, str | None]:
    """Create a token for `by`; the raw value is returned once and never stored.

    A replay of the same submission (a refresh of the page that showed the token) mints
    nothing: it gets the first token back with raw None, as the raw value is gone."""
    if not by.has_role(*API_TOKEN_ROLES):
        raise PermissionDenied
    if not 1 <= valid_days <= API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"valid_days": _("Thời hạn từ 1 đến %(max)d ngày.") % {"max": API_TOKEN_MAX_DAYS}}
        )
    raw = ApiToken.generate()

    def mint() -> ApiToken:
        token = ApiToken.objects.create(
            user=by,
            name=name,
            prefix=raw[3:11],
            token_hash=ApiToken.hash(raw),
            expires_at=timezone.now() + timedelta(days=valid_days),
            **idempotency.fields(submission),
        )
        audit_record(
            actor=by,
            action="api_token.create",
            target=token,
            changes={"name": name, "expires_at": token.expires_at.isoformat()},
        )
        return token

    token = idempotency.submit_once(ApiToken, submission, mint)
    return token, (None if token.submission_replayed else raw)


@transaction.atomic
def api_token_revoke(*, by: User, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking it again changes nothing."""
    if not api_token_can_manage(by, token):
        raise PermissionDenied
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    if updated:
        audit_record(
            actor=by,
            action="api_token.revoke",
            target=token,
            changes={"owner": token.user.get_username()},
        )
    return token


# The hash is unique: at most one row, no ORDER BY or LIMIT needed.
_LIVE_TOKEN = FixedQuery(
    lambda: ApiToken.objects.select_related("user__jurisdiction").filter(
        token_hash=Param("token_hash", ApiToken._meta.get_field("token_hash")),
        revoked_at__isnull=True,
        expires_at__gt=Param("now", ApiToken._meta.get_field("expires_at")),
    )
)


def api_token_authenticate(raw: str) -> User | None:
    """The active owner of a live token: unknown, revoked and expired tokens get None."""
    now = timezone.now()
    # Compiled once per process (lib.query.FixedQuery): every API request runs this read.
    found = _LIVE_TOKEN.rows(token_hash=ApiToken.hash(raw), now=now)
    if not found:
        return None
    token = found[0]
    if not token.user.is_active:
        return None
    # Touch at most once a minute: a lab system may post thousands of results an hour.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
