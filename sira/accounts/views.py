from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sira.accounts import services, tokens, twofactor


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("accounts:dashboard")


def _step(name: str, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': _next(request)})}")


def _locked(request):
    logout(request)
    return render(request, "accounts/locked_out.html", status=429)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """The login's second step: a code from the authenticator, or a recovery code."""
    if not twofactor.has_authenticator(request.user):
        return _step("accounts:two_factor_setup", request)
    if twofactor.is_verified(request.user):
        return redirect(_next(request))
    error = None
    if request.method == "POST":
        if twofactor.is_locked(request):
            return _locked(request)
        if twofactor.verify(request, request.POST.get("code", "")):
            return redirect(_next(request))
        if twofactor.is_locked(request):
            return _locked(request)
        error = _(
            "This code is not valid. Type the six digits your authenticator app shows now, "
            "or a recovery code."
        )
    return render(request, "accounts/two_factor.html", {"error": error, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrolment at the first login: scan the QR code (or type the key), confirm with a code, then keep
    the recovery codes shown once."""
    if twofactor.has_authenticator(request.user):
        return _step("accounts:two_factor", request)
    device = twofactor.pending_authenticator(request.user)
    error = None
    if request.method == "POST":
        codes = twofactor.confirm_enrolment(request, device, request.POST.get("code", ""))
        if codes is not None:
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})
        error = _("This code is not valid. Check that the phone's time is right and type the code shown now.")
    context = {
        "qr": twofactor.qr_svg(device),
        "key": twofactor.manual_key(device),
        "error": error,
        "next": _next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    """Create (or renew) the user's API token, shown once; or revoke it."""
    key = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            tokens.revoke(request.user, request=request)
            messages.success(request, _("Your API token is revoked."))
            return redirect("accounts:api_token")
        _token, key = tokens.issue(request.user, request=request)
    context = {"key": key, "token": tokens.current(request.user)}
    return render(request, "accounts/api_token.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(self.request)
        return response
