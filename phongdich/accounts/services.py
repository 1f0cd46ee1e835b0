from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record

from .models import ApiToken, Role, User


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
) -> User:
    """Create a staff account. An admin may only create users inside their own jurisdiction.

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
    )
    if by is not None:
        validate_password(password, user)
    user.set_password(password)
    user.save()
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


@transaction.atomic
def api_token_create(*, by: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `by`; the raw value is returned once and never stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=by, name=name, prefix=raw[3:11], token_hash=ApiToken.hash(raw)
    )
    audit_record(actor=by, action="api_token.create", target=token)
    return token, raw


def api_token_authenticate(raw: str) -> User | None:
    try:
        token = ApiToken.objects.select_related("user__jurisdiction").get(
            token_hash=ApiToken.hash(raw), revoked_at__isnull=True
        )
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    # Touch at most once a minute: a lab system may post thousands of results an hour.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
