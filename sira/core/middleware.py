import time

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def has_nul(data) -> bool:
    """A NUL character anywhere in parsed request data (keys, values, nested lists and mappings)."""
    if isinstance(data, str):
        return NUL in data
    if hasattr(data, "lists"):  # a QueryDict: every value of every key
        return any(has_nul(k) or any(has_nul(v) for v in vs) for k, vs in data.lists())
    if isinstance(data, dict):
        return any(has_nul(k) or has_nul(v) for k, v in data.items())
    if isinstance(data, (list, tuple)):
        return any(has_nul(v) for v in data)
    return False


def nul_message() -> str:
    return _("The request contains a NUL character, which no text in Sira may hold: nothing was changed.")


class NulCharacterMiddleware:
    """Refuses with 400, before any view, a query string or a form body holding a NUL character: no
    text may hold one (PostgreSQL cannot store it, and a lookup with one is a server error on every
    page and API filter). Multipart and JSON bodies are checked by the API's parsers
    (sira/core/parsers.py); page forms already refuse NUL in text fields."""

    FORM = "application/x-www-form-urlencoded"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request.GET) or (
            request.method in ("POST", "PUT", "PATCH")
            and request.content_type == self.FORM
            and has_nul(request.POST)
        ):
            if request.path.startswith("/api/"):  # the API answers in JSON, as its other 400s
                return JsonResponse(
                    {"detail": nul_message()}, status=400, json_dumps_params={"ensure_ascii": False}
                )
            return HttpResponseBadRequest(nul_message(), content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django 5.2 does not set itself. The CSP allows only same-origin resources: pages carry
    no third-party scripts, which also keeps them light on slow networks."""

    CSP = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.CSP)
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages showing case data must not be kept in shared or browser caches.
            response.setdefault("Cache-Control", "no-store")
        return response


class SessionRefreshMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE after the last request) with one session write a minute
    at most: saving the session on every request (SESSION_SAVE_EVERY_REQUEST) costs each page an
    UPDATE and a commit. Placed after SessionMiddleware, so the session it marks is saved on the way
    out with a fresh expiry."""

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            from django.conf import settings

            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= settings.SIRA_SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # modified: SessionMiddleware saves it, expiry pushed back
        return response
