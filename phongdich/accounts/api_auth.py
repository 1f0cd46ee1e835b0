"""Authenticators for the JSON API, shared by every app's router."""

from ninja.security import HttpBearer, django_auth

from .services import api_token_authenticate


class TokenAuth(HttpBearer):
    """Authorization: Bearer pd_… — hashed API tokens for integrations."""

    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


# Bearer first: ninja's session auth enforces CSRF on unsafe methods and answers 403 before
# a later authenticator is tried, which would block every integration's POST. A request
# without an Authorization header falls through to the session (with CSRF) as before.
API_AUTH = [TokenAuth(), django_auth]
