from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from sira.accounts import twofactor

# Pages a user who has given only their password may open: the code step itself, and leaving.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {"accounts:login", "accounts:logout", "accounts:two_factor", "accounts:two_factor_setup", "set_language"}
)


class SecondFactorMiddleware:
    """After the password, every page asks for the second factor (twofactor.lacks_second_factor): the
    code if the user has an authenticator, else its enrolment. The API is guarded by its own
    authentication classes (sira/accounts/authentication.py), with the same rule."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not twofactor.lacks_second_factor(request.user):
            return None
        match = request.resolver_match
        if match.view_name in OPEN_BEFORE_SECOND_FACTOR or hasattr(view_func, "cls"):  # DRF views
            return None
        step = (
            "accounts:two_factor"
            if twofactor.has_authenticator(request.user)
            else "accounts:two_factor_setup"
        )
        target = request.get_full_path() if request.method == "GET" else reverse("accounts:dashboard")
        return redirect(f"{reverse(step)}?{urlencode({'next': target})}")
