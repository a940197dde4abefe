from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token


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
