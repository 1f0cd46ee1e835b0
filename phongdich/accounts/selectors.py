"""Reads for the accounts pages."""

from django.db.models import QuerySet
from django.http import Http404

from .models import ApiToken, User
from .permissions import ADMIN_ROLES, scope_to_jurisdiction
from .services import api_token_can_manage


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return user.api_tokens.order_by("-created_at")


def api_tokens_administered_by(user: User) -> QuerySet[ApiToken]:
    """Every token whose owner works inside the admin's jurisdiction; nothing for others."""
    if not user.has_role(*ADMIN_ROLES):
        return ApiToken.objects.none()
    return scope_to_jurisdiction(
        ApiToken.objects.select_related("user__jurisdiction"), user, "user__jurisdiction"
    ).order_by("-created_at")


def api_token_get(user: User, pk: int) -> ApiToken:
    """A token the user may manage; 404 otherwise, so other tokens' existence stays hidden."""
    token = ApiToken.objects.select_related("user__jurisdiction").filter(pk=pk).first()
    if token is None or not api_token_can_manage(user, token):
        raise Http404
    return token
