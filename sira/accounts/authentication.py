"""The API's two ways in (REST_FRAMEWORK settings), both deciding through sira/accounts: a hashed
personal token (tokens.py) or a browser session that has passed the code step (twofactor.py)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, exceptions

from sira.accounts import tokens, twofactor


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, as before; the key is looked up by its digest."""

    def authenticate_credentials(self, key):
        try:
            user = tokens.authenticate(key, getattr(self, "_request", None))
        except tokens.TokenRefused as refused:
            raise exceptions.AuthenticationFailed(str(refused)) from None
        return (user, None)

    def authenticate(self, request):
        self._request = request._request  # the Django request: its address for the lockout rule
        return super().authenticate(request)


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser session, only once it has passed the second factor where one is required."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and twofactor.lacks_second_factor(request._request.user):
            raise exceptions.AuthenticationFailed(_("Complete the two-factor login first."))
        return result


class VerifiedSessionScheme(SessionScheme):
    """The OpenAPI description of the session way in: the same cookie as Django's session."""

    target_class = "sira.accounts.authentication.VerifiedSessionAuthentication"
