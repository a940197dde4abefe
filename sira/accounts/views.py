from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.authtoken.models import Token

from sira.accounts.access import can_register_cases, sees_aggregates
from sira.cases import access, aggregates


@login_required
@require_GET
def dashboard(request):
    user = request.user
    context = {"can_register": can_register_cases(user), "aggregates": None}
    if sees_aggregates(user):
        context["aggregates"] = aggregates.national_summary()
    cases = access.visible_cases(user)
    context["status_counts"] = aggregates.by_status(cases)
    context["recent"] = cases.select_related("identification_region").prefetch_related("exploitations")[:10]
    return render(request, "accounts/dashboard.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    """Show or renew the user's API token; renewing invalidates the old one."""
    token = None
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
    has_token = token is not None or Token.objects.filter(user=request.user).exists()
    return render(request, "accounts/api_token.html", {"token": token, "has_token": has_token})
