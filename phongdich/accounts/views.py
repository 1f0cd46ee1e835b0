from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.geo.selectors import units_within
from phongdich.lib.idempotency import SubmissionConflict

from . import selectors, services
from .forms import ApiTokenForm, UserCreateForm
from .models import Role, User
from .permissions import ADMIN_ROLES, ALL_STAFF, API_TOKEN_ROLES, role_required


def _units_for_admin(user):
    return units_within(user.jurisdiction).order_by("path")


@role_required(*ADMIN_ROLES)
def users(request):
    visible = (
        User.objects.filter(
            jurisdiction__path__startswith=request.user.jurisdiction.path
        ).select_related("jurisdiction")
        if request.user.jurisdiction
        else User.objects.none()
    )
    form = UserCreateForm(request.POST or None, units=_units_for_admin(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_create(
                by=request.user,
                username=data["username"],
                password=data["password"],
                role=data["role"],
                jurisdiction=data["jurisdiction"],
                full_name=data["full_name"],
                email=data["email"],
                organisation=data["organisation"],
                submission=form.submission(request.user),
            )
        except ValidationError as exc:
            if isinstance(exc, SubmissionConflict):
                form.add_error(None, exc)
            elif hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error("password", exc)
        else:
            messages.success(request, _("Đã tạo tài khoản %(u)s.") % {"u": data["username"]})
            return redirect("accounts:users")
    return render(request, "accounts/users.html", {"users": visible, "form": form, "roles": Role})


@require_POST
@role_required(*ADMIN_ROLES)
def user_toggle(request, pk: int):
    target = get_object_or_404(User, pk=pk)
    services.user_set_active(by=request.user, user=target, active=not target.is_active)
    messages.success(request, _("Đã cập nhật trạng thái tài khoản."))
    return redirect("accounts:users")


@role_required(*ALL_STAFF)
def tokens(request):
    """The user's own tokens (and, for an admin, every token of the jurisdiction). Only the
    roles with an integration may create one; everyone may still see and revoke their own."""
    may_create = request.user.has_role(*API_TOKEN_ROLES)
    if request.method == "POST" and not may_create:
        raise PermissionDenied
    form = ApiTokenForm(request.POST or None) if may_create else None
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = services.api_token_create(
                by=request.user,
                name=form.cleaned_data["name"],
                valid_days=form.cleaned_data["valid_days"],
                submission=form.submission(request.user),
            )
        except SubmissionConflict as exc:
            form.add_error(None, exc)
        except ValidationError as exc:
            form.add_error("valid_days", exc.messages)
        else:
            if raw is None:
                # A refresh (or second click) of the POST that showed the token: nothing
                # new was minted, and the raw value is not kept anywhere to show again.
                messages.info(
                    request,
                    _(
                        "Khóa %(name)s đã được tạo ở lần gửi trước; mã khóa chỉ hiện một lần. "
                        "Nếu chưa kịp sao chép, hãy thu hồi khóa đó và tạo khóa mới."
                    )
                    % {"name": _token.name},
                )
                return redirect("accounts:tokens")
            form = ApiTokenForm()
    # The raw token is rendered into this one answer, never stored (only its hash is): it
    # cannot be behind a redirect, so the page is kept out of every cache instead.
    response = render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "raw": raw,
            "tokens": selectors.api_tokens_of(request.user),
            "all_tokens": selectors.api_tokens_administered_by(request.user),
            "now": timezone.now(),
        },
    )
    if raw:
        response["Cache-Control"] = "no-store"
    return response


@role_required(*ALL_STAFF)
def token_revoke(request, pk: int):
    """GET asks for confirmation; POST revokes."""
    token = selectors.api_token_get(request.user, pk)
    if request.method == "POST":
        services.api_token_revoke(by=request.user, token=token)
        messages.success(request, _("Đã thu hồi khóa %(name)s.") % {"name": token.name})
        return redirect("accounts:tokens")
    return render(request, "accounts/token_revoke.html", {"token": token})
